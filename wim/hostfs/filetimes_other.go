//go:build !linux

package hostfs

import (
	"errors"
	"os"
	"time"
)

// setFileTimes is not available on this host: the caller sets the times by
// name, relative to the file's directory.
func setFileTimes(*os.File, time.Time, time.Time) error {
	return errors.ErrUnsupported
}
