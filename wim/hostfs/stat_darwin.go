//go:build darwin

package hostfs

import (
	"io/fs"
	"syscall"
	"time"
)

// statTimes returns the access time, creation time (zero: wimlib records
// mtime as the creation time on UNIX hosts) and inode identity of fi.
func statTimes(fi fs.FileInfo) (atime, btime time.Time, id devIno) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	atime = time.Unix(st.Atimespec.Sec, st.Atimespec.Nsec)
	if st.Nlink > 1 {
		id = devIno{dev: uint64(st.Dev), ino: st.Ino}
	}
	return
}
