//go:build windows

package builder

import "io/fs"

// inodeOf has no cheap equivalent through os.Stat on Windows; size and
// modification time alone identify the file for the digest memo.
func inodeOf(fi fs.FileInfo) uint64 { return 0 }
