package regf

import (
	"encoding/binary"
	"fmt"
	"unicode"
	"unicode/utf16"
)

// Names are Go strings. A name stored compressed (Latin-1) maps each byte
// to the rune of the same code; a UTF-16LE name is decoded as UTF-16, so an
// unpaired surrogate (never written by Windows tools) becomes U+FFFD.

// nameUnits returns the UTF-16 code units of a name.
func nameUnits(s string) []uint16 {
	u := make([]uint16, 0, len(s))
	for _, r := range s {
		u = utf16.AppendRune(u, r)
	}
	return u
}

// unitsToName turns UTF-16 code units into a name.
func unitsToName(u []uint16) string { return string(utf16.Decode(u)) }

// latin1ToName turns a compressed (extended ASCII) name into a string.
func latin1ToName(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// compressible reports whether every rune of s fits in one Latin-1 byte, so
// the name can be stored compressed (KEY_COMP_NAME / VALUE_COMP_NAME).
func compressible(s string) bool {
	for _, r := range s {
		if r > 0xFF {
			return false
		}
	}
	return true
}

// encodeName returns the on-disk bytes of a name and whether they are
// compressed (Latin-1) rather than UTF-16LE.
func encodeName(s string) ([]byte, bool) {
	if compressible(s) {
		b := make([]byte, 0, len(s))
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b, true
	}
	u := nameUnits(s)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b, false
}

// upcaseUnit maps one UTF-16 code unit to upper case the way the
// Configuration Manager compares names: unit by unit, with a simple
// one-to-one mapping inside the Basic Multilingual Plane. Surrogates and
// characters whose upper case is outside the BMP are unchanged.
func upcaseUnit(c uint16) uint16 {
	if c < 0x80 {
		if 'a' <= c && c <= 'z' {
			return c - 32
		}
		return c
	}
	if c >= 0xD800 && c <= 0xDFFF {
		return c
	}
	r := unicode.ToUpper(rune(c))
	if r > 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
		return c
	}
	return uint16(r)
}

// foldName returns the comparison key of a name: its upper-cased UTF-16
// units, each as two big-endian bytes, so that Go string comparison of two
// keys equals the unit-by-unit comparison the format requires for sorted
// subkey lists.
func foldName(s string) string {
	u := nameUnits(s)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.BigEndian.PutUint16(b[2*i:], upcaseUnit(c))
	}
	return string(b)
}

// nameHash is the lh-list hash: h = 37*h + c over the upper-cased UTF-16
// units of the name.
func nameHash(s string) uint32 {
	var h uint32
	for _, c := range nameUnits(s) {
		h = 37*h + uint32(upcaseUnit(c))
	}
	return h
}

// nameHint is the lf-list hint: the first four characters of the name as
// extended ASCII, NUL-padded; if one of them is not representable in one
// byte the hint's first byte is NUL.
func nameHint(s string) [4]byte {
	var h [4]byte
	u := nameUnits(s)
	for i := 0; i < 4 && i < len(u); i++ {
		if u[i] > 0xFF {
			return [4]byte{}
		}
		h[i] = byte(u[i])
	}
	return h
}

// Named maxima for names (in UTF-16 code units).
const (
	MaxKeyNameLen   = 255   // longest key name Windows accepts
	MaxValueNameLen = 16383 // longest value name Windows accepts
)

func checkKeyName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty key name", ErrInvalidName)
	}
	for _, r := range name {
		if r == '\\' {
			return fmt.Errorf("%w: key name %q contains a backslash", ErrInvalidName, name)
		}
	}
	if n := len(nameUnits(name)); n > MaxKeyNameLen {
		return fmt.Errorf("%w: key name is %d characters long (maximum %d)", ErrInvalidName, n, MaxKeyNameLen)
	}
	return nil
}

func checkValueName(name string) error {
	if n := len(nameUnits(name)); n > MaxValueNameLen {
		return fmt.Errorf("%w: value name is %d characters long (maximum %d)", ErrInvalidName, n, MaxValueNameLen)
	}
	return nil
}
