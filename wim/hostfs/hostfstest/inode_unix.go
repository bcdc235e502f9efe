//go:build unix

package hostfstest

import (
	"fmt"
	"io/fs"
	"syscall"
)

// inodeKey identifies the file behind fi for hard-link comparison.
func inodeKey(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink < 2 {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
