//go:build linux

package hostfs

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// setFileTimes sets the access and modification times of the open file f
// (utimensat on the descriptor itself: no path lookup, nothing followed).
func setFileTimes(f *os.File, atime, mtime time.Time) error {
	ts := [2]syscall.Timespec{
		syscall.NsecToTimespec(atime.UnixNano()),
		syscall.NsecToTimespec(mtime.UnixNano()),
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	err = rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall6(syscall.SYS_UTIMENSAT, fd, 0, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	})
	if err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
