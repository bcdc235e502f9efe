//go:build linux || openbsd || dragonfly || solaris || illumos

package builder

import (
	"io/fs"
	"syscall"
)

// changeTimeOf is the file's status change time (ctime) in nanoseconds.
func changeTimeOf(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano()
	}
	return 0
}
