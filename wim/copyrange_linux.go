package wim

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// copyFileRangeTrap is copy_file_range(2)'s system call number on the
// architectures the kernel ABI documents here (0: not wired, use the
// buffered copy).
var copyFileRangeTrap = map[string]uintptr{
	"amd64": 326, "386": 377, "arm": 391,
	"arm64": 285, "riscv64": 285, "loong64": 285,
}[runtime.GOARCH]

// copyRange copies n bytes of src at soff to dst at doff inside the kernel
// (copy_file_range: no trip through user memory, and a reflink on file
// systems that share extents). It returns how many bytes it copied; fewer
// than n with a nil error means the kernel cannot do (the rest of) this
// copy and the caller copies the remainder itself.
func copyRange(dst *os.File, doff int64, src *os.File, soff int64, n int64) (int64, error) {
	if copyFileRangeTrap == 0 {
		return 0, nil
	}
	dc, err := dst.SyscallConn()
	if err != nil {
		return 0, nil
	}
	sc, err := src.SyscallConn()
	if err != nil {
		return 0, nil
	}
	var done int64
	var cerr error
	// A failed Control (file closed) runs nothing: done stays 0 and the
	// caller's buffered copy reports the real error.
	_ = dc.Control(func(dfd uintptr) {
		_ = sc.Control(func(sfd uintptr) {
			for done < n {
				m := min(n-done, 1<<30)
				r, _, errno := syscall.Syscall6(copyFileRangeTrap, sfd, uintptr(unsafe.Pointer(&soff)), dfd, uintptr(unsafe.Pointer(&doff)), uintptr(m), 0)
				switch {
				case errno == syscall.EINTR:
					continue
				case errno != 0:
					if !kernelCopyUnsupported(errno) {
						cerr = errno
					}
					return
				case r == 0: // end of the source: let the buffered copy report it
					return
				}
				done += int64(r)
			}
		})
	})
	return done, cerr
}

// kernelCopyUnsupported reports errors that mean "not here" rather than a
// failed write: the caller falls back to copying through memory.
func kernelCopyUnsupported(errno syscall.Errno) bool {
	return errors.Is(errno, syscall.ENOSYS) || errors.Is(errno, syscall.EXDEV) ||
		errors.Is(errno, syscall.EINVAL) || errors.Is(errno, syscall.EOPNOTSUPP) ||
		errors.Is(errno, syscall.EBADF) || errors.Is(errno, syscall.EPERM) ||
		errors.Is(errno, syscall.ETXTBSY) || errors.Is(errno, syscall.EOVERFLOW)
}
