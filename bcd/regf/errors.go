package regf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test with errors.Is.
var (
	// ErrCorrupt is matched by every *FormatError.
	ErrCorrupt = errors.New("regf: corrupt hive")
	// ErrDirty reports a hive whose primary and secondary sequence numbers
	// differ: its transaction log was not applied. Parse refuses it unless
	// AllowDirty is given.
	ErrDirty = errors.New("regf: hive is dirty (sequence numbers differ; transaction log not replayed)")
	// ErrUnsupported reports a well-formed hive using a feature this package
	// does not implement (for example a major version other than 1).
	ErrUnsupported = errors.New("regf: unsupported hive feature")
	// ErrLimit reports input beyond one of the named maxima (MaxDepth, …).
	ErrLimit = errors.New("regf: limit exceeded")
	// ErrNotFound reports a missing key or value.
	ErrNotFound = errors.New("regf: not found")
	// ErrInvalidName reports an unusable key or value name.
	ErrInvalidName = errors.New("regf: invalid name")
	// ErrInvalidArgument reports a bad argument to a tree operation.
	ErrInvalidArgument = errors.New("regf: invalid argument")
	// ErrType reports a typed accessor used on a value of another type.
	ErrType = errors.New("regf: wrong value type")
	// ErrInvalid is matched by every *ValidationError (Validate).
	ErrInvalid = errors.New("regf: hive fails validation")
	// ErrSyntax is matched by every *SyntaxError (.reg import).
	ErrSyntax = errors.New("regf: .reg syntax error")
)

// FormatError describes corrupt hive bytes: what is wrong and the file
// offset (from the start of the file, not of the hive bins) where it is.
type FormatError struct {
	Offset int64  // byte offset in the file
	What   string // what was being read or what is wrong
	Err    error  // optional cause (ErrLimit, …)
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("regf: corrupt hive at file offset 0x%x: %s", e.Offset, e.What)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCorrupt) true for every FormatError.
func (e *FormatError) Is(target error) bool { return target == ErrCorrupt }

// ValidationError is one invariant Validate found broken.
type ValidationError struct {
	Offset int64  // file offset of the offending structure, -1 if none
	What   string // the broken rule
}

func (e *ValidationError) Error() string {
	if e.Offset < 0 {
		return "regf: invalid hive: " + e.What
	}
	return fmt.Sprintf("regf: invalid hive at file offset 0x%x: %s", e.Offset, e.What)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// SyntaxError is a .reg file problem with its 1-based line number.
type SyntaxError struct {
	Line int
	What string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("regf: .reg line %d: %s", e.Line, e.What) }

// Is makes errors.Is(err, ErrSyntax) true.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }
