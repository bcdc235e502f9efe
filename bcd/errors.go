package bcd

import (
	"errors"
	"fmt"
)

// Sentinel errors. Functions wrap them with context; test with errors.Is.
var (
	ErrBadGUID          = errors.New("bcd: malformed GUID")
	ErrNotBCD           = errors.New("bcd: hive is not a BCD store (no Objects key)")
	ErrNoObject         = errors.New("bcd: no such object")
	ErrObjectExists     = errors.New("bcd: object already exists")
	ErrNoElement        = errors.New("bcd: no such element")
	ErrUnknownElement   = errors.New("bcd: unknown element name")
	ErrElementFormat    = errors.New("bcd: element value does not match the element's format")
	ErrBadValue         = errors.New("bcd: invalid value")
	ErrBadDevice        = errors.New("bcd: malformed device element")
	ErrDeviceSyntax     = errors.New("bcd: invalid device string")
	ErrOfflineDevice    = errors.New("bcd: device refers to a running system's drive letters")
	ErrVirtualID        = errors.New("bcd: identifier is only meaningful on a running system")
	ErrUnknownAlias     = errors.New("bcd: unknown identifier alias")
	ErrBadObjectType    = errors.New("bcd: invalid object type")
	ErrTooLarge         = errors.New("bcd: value too large")
	ErrArchNotAllowed   = errors.New("bcd: boot image architecture not allowed in this menu")
	ErrNoImages         = errors.New("bcd: no boot images")
	ErrDuplicateImage   = errors.New("bcd: duplicate boot image")
	ErrBadArgs          = errors.New("bcd: invalid arguments")
	ErrNotInDisplayList = errors.New("bcd: object is not in the list")
)

// FormatError reports corrupt or unexpected BCD content. Offset is a byte
// offset inside a device element (-1 when the problem is structural and Path
// names the registry key or value instead).
type FormatError struct {
	Path   string // registry path of the key or element, when known
	Offset int    // byte offset inside the element data, or -1
	Reason string
	Err    error // sentinel, e.g. ErrBadDevice
}

func (e *FormatError) Error() string {
	s := "bcd: "
	if e.Path != "" {
		s += e.Path + ": "
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf("at byte 0x%x: ", e.Offset)
	}
	return s + e.Reason
}

func (e *FormatError) Unwrap() error { return e.Err }

func devErr(off int, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...), Err: ErrBadDevice}
}
