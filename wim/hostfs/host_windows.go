//go:build windows

package hostfs

import (
	"errors"
	"syscall"
)

// caseInsensitiveHost is true: NTFS ignores case by default.
const caseInsensitiveHost = true

// ERROR_PRIVILEGE_NOT_HELD: creating symbolic links needs
// SeCreateSymbolicLinkPrivilege or developer mode.
const errorPrivilegeNotHeld = syscall.Errno(1314)

// symlinkMayBeUnsupported reports whether a failed symlink creation is due
// to missing privileges (reported as a warning, not an error).
func symlinkMayBeUnsupported(err error) bool {
	return errors.Is(err, errorPrivilegeNotHeld) || errors.Is(err, syscall.ERROR_ACCESS_DENIED)
}
