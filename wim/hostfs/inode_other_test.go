//go:build !unix

package hostfs

import "io/fs"

// inodeKey returns "" where os.FileInfo carries no inode identity.
func inodeKey(fs.FileInfo) string { return "" }
