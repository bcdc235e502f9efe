//go:build !unix

package hostfstest

import "io/fs"

// inodeKey returns "" where os.FileInfo carries no inode identity.
func inodeKey(fs.FileInfo) string { return "" }
