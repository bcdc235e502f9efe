//go:build !linux && !darwin && !windows

package hostfs

import (
	"io/fs"
	"time"
)

// statTimes reports nothing beyond fs.FileInfo on other systems: access and
// creation times fall back to mtime, hard links are not detected.
func statTimes(fs.FileInfo) (atime, btime time.Time, id devIno) { return }
