//go:build !(linux || openbsd || dragonfly || solaris || illumos || darwin || freebsd || netbsd)

package builder

import "io/fs"

// changeTimeOf: no status change time through os.Stat here (Windows);
// size, modification time and (where known) inode identify the file.
func changeTimeOf(fi fs.FileInfo) int64 { return 0 }
