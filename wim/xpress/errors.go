package xpress

import (
	"errors"
	"fmt"
)

// ErrCorrupt is matched (errors.Is) by every *CorruptError.
var ErrCorrupt = errors.New("xpress: corrupt data")

// Errors for invalid arguments to the constructors.
var (
	ErrChunkSize = errors.New("xpress: chunk size out of range")
	ErrLevel     = errors.New("xpress: compression level out of range")
)

// CorruptError describes corrupt or truncated compressed input.
type CorruptError struct {
	Offset int64  // byte offset in the compressed chunk
	What   string // what was wrong
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("xpress: corrupt data at byte %d: %s", e.Offset, e.What)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(off int, what string) error {
	return &CorruptError{Offset: int64(off), What: what}
}
