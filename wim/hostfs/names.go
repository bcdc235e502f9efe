package hostfs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsafeName is returned (wrapped in an *UnsafeNameError) when a name in
// an image cannot become a host path without risk: it is empty, "." or "..",
// contains a path separator, NUL or ':' (drive or named-stream syntax).
var ErrUnsafeName = errors.New("hostfs: unsafe file name in image")

// UnsafeNameError names the offending entry.
type UnsafeNameError struct {
	Path   string // image path of the parent directory ("/" for the root)
	Name   string // the raw name (quoted with %q when printed)
	Reason string
}

func (e *UnsafeNameError) Error() string {
	return fmt.Sprintf("hostfs: refusing unsafe name %q in image directory %s: %s", e.Name, e.Path, e.Reason)
}

// Unwrap lets errors.Is(err, ErrUnsafeName) match.
func (e *UnsafeNameError) Unwrap() error { return ErrUnsafeName }

// MaxNameBytes is the longest single name accepted on apply (UTF-8 bytes).
// Common host file systems (ext4, APFS, NTFS) allow 255 units.
const MaxNameBytes = 1020

// CheckName validates one image name before it becomes a host path
// component. parent is only used in the error.
func CheckName(parent, name string) error {
	reason := nameProblem(name)
	if reason == "" {
		return nil
	}
	if parent == "" {
		parent = "/"
	}
	return &UnsafeNameError{Path: parent, Name: name, Reason: reason}
}

func nameProblem(name string) string {
	switch {
	case name == "":
		return "empty name"
	case name == "." || name == "..":
		return "relative directory reference"
	case len(name) > MaxNameBytes:
		return fmt.Sprintf("name is %d bytes, longer than %d", len(name), MaxNameBytes)
	case strings.IndexByte(name, 0) >= 0:
		return "contains a NUL character"
	case strings.ContainsAny(name, `/\`):
		return "contains a path separator"
	case strings.IndexByte(name, ':') >= 0:
		return "contains ':' (drive letter or named-stream syntax)"
	case strings.ContainsRune(name, '\uFFFD'):
		// Names are UTF-16 in the image; an unpaired surrogate decodes to
		// U+FFFD and could collide with another name.
		return "contains an invalid UTF-16 sequence"
	}
	return hostNameProblem(name)
}
