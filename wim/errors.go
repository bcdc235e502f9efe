package wim

import (
	"errors"
	"fmt"
)

// Sentinel errors. Corrupt input is reported as a *FormatError wrapping one
// of them; test with errors.Is.
var (
	ErrBadMagic     = errors.New("wim: not a WIM file (bad magic)")
	ErrCorrupt      = errors.New("wim: corrupt data")
	ErrTruncated    = errors.New("wim: truncated data")
	ErrUnsupported  = errors.New("wim: unsupported feature")
	ErrHashMismatch = errors.New("wim: SHA-1 mismatch")
	ErrIntegrity    = errors.New("wim: integrity table mismatch")
	ErrNotFound     = errors.New("wim: not found")
	ErrExists       = errors.New("wim: already exists")
	ErrNotDir       = errors.New("wim: not a directory")
	ErrBlobMissing  = errors.New("wim: blob not available")
	ErrNoImage      = errors.New("wim: no such image")
	ErrCodec        = errors.New("wim: compression not available")
	ErrInvalidName  = errors.New("wim: invalid file name")
	ErrLimit        = errors.New("wim: limit exceeded")
	ErrCanceled     = errors.New("wim: write canceled")
)

// ErrChecksum is an alias of ErrHashMismatch.
var ErrChecksum = ErrHashMismatch

// FormatError describes corrupt or unsupported input: what was wrong and
// the byte offset where it was found. Offset is absolute in the WIM file
// unless What says it is relative to a resource (e.g. "metadata+0x40").
type FormatError struct {
	Offset int64
	What   string
	Err    error
}

func (e *FormatError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("wim: %s at offset 0x%x", e.What, e.Offset)
	}
	return fmt.Sprintf("wim: %s at offset 0x%x: %v", e.What, e.Offset, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(off int64, what string, err error) error {
	return &FormatError{Offset: off, What: what, Err: err}
}
