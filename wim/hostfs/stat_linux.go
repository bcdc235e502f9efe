//go:build linux

package hostfs

import (
	"io/fs"
	"syscall"
	"time"
)

// statTimes returns the access time, creation time (zero: Linux stat does
// not report it, and wimlib records mtime) and inode identity of fi.
func statTimes(fi fs.FileInfo) (atime, btime time.Time, id devIno) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	atime = time.Unix(int64(st.Atim.Sec), int64(st.Atim.Nsec))
	if st.Nlink > 1 {
		id = devIno{dev: uint64(st.Dev), ino: uint64(st.Ino)}
	}
	return
}
