//go:build !windows && !darwin

package hostfs

// caseInsensitiveHost is true where the usual file system ignores case:
// two image names differing only in case would overwrite each other.
const caseInsensitiveHost = false

// symlinkMayBeUnsupported reports whether a failed symlink creation should
// be a warning rather than an error (never on these hosts).
func symlinkMayBeUnsupported(error) bool { return false }
