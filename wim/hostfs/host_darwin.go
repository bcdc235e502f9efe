//go:build darwin

package hostfs

// caseInsensitiveHost is true where the usual file system (APFS default)
// ignores case: two image names differing only in case would collide.
const caseInsensitiveHost = true

// symlinkMayBeUnsupported reports whether a failed symlink creation should
// be a warning rather than an error (never on macOS).
func symlinkMayBeUnsupported(error) bool { return false }
