//go:build darwin || freebsd || netbsd

package builder

import (
	"io/fs"
	"syscall"
)

// changeTimeOf is the file's status change time (ctime) in nanoseconds.
func changeTimeOf(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctimespec.Nano()
	}
	return 0
}
