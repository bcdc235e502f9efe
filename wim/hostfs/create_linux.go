//go:build linux

package hostfs

import (
	"os"
	"syscall"
)

// openDirFile opens the directory of r as a file whose descriptor
// createIn creates files relative to (nil if that fails: callers then
// create through r).
func openDirFile(r *os.Root) *os.File {
	f, err := r.Open(".")
	if err != nil {
		return nil
	}
	return f
}

// createIn creates name in dir with one openat on dir's descriptor:
// O_CREAT|O_EXCL|O_NOFOLLOW (an existing entry, a symbolic link
// included, fails with EEXIST and is never followed). name is a single
// checked component. The descriptor becomes an *os.File without poller
// registration (regular files cannot be polled): os.Root.OpenFile spends
// five more system calls per file finding that out.
func createIn(dir *os.File, name string) (*os.File, error) {
	rc, err := dir.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	var oerr error
	err = rc.Control(func(dfd uintptr) {
		for {
			fd, oerr = syscall.Openat(int(dfd), name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o644)
			if oerr != syscall.EINTR {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if oerr != nil {
		return nil, &os.PathError{Op: "openat", Path: name, Err: oerr}
	}
	return os.NewFile(uintptr(fd), name), nil
}
