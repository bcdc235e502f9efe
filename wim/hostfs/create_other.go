//go:build !linux

package hostfs

import (
	"errors"
	"os"
)

// openDirFile returns nil: files are created through the os.Root.
func openDirFile(*os.Root) *os.File { return nil }

// createIn is not used on this host (openDirFile returns nil).
func createIn(*os.File, string) (*os.File, error) {
	return nil, errors.ErrUnsupported
}
