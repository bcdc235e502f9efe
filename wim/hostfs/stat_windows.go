//go:build windows

package hostfs

import (
	"io/fs"
	"syscall"
	"time"
)

// statTimes returns the access and creation times of fi. Hard links are not
// detected on Windows (os.FileInfo carries no file index), so every name is
// captured as its own inode.
func statTimes(fi fs.FileInfo) (atime, btime time.Time, id devIno) {
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	if !ok {
		return
	}
	atime = time.Unix(0, d.LastAccessTime.Nanoseconds())
	btime = time.Unix(0, d.CreationTime.Nanoseconds())
	return
}
