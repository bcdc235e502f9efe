package bcd

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

// Element is one element of an object: its code and the registry value
// (type and bytes) exactly as stored. Reading never rewrites an element, so
// stores round-trip byte-exact; the typed accessors decode on demand.
type Element struct {
	Type    ElementType
	RegType regf.ValueType
	Data    []byte
}

// Limits on element values.
const (
	MaxStringUnits = 32767 // longest string element, UTF-16 units
	MaxListItems   = 4096  // longest object or integer list
)

// regTypeFor is the registry value type an element format is stored as.
func regTypeFor(f Format) regf.ValueType {
	switch f {
	case FormatString, FormatObject:
		return regf.REG_SZ
	case FormatObjectList:
		return regf.REG_MULTI_SZ
	}
	return regf.REG_BINARY
}

func (e Element) check(f Format) error {
	if e.Type.Format() != f {
		return fmt.Errorf("%w: element %s is %v, not %v", ErrElementFormat, e.Type, e.Type.Format(), f)
	}
	if want := regTypeFor(f); e.RegType != want {
		return fmt.Errorf("%w: element %s is stored as %v, want %v", ErrElementFormat, e.Type, e.RegType, want)
	}
	return nil
}

// String decodes a string element (UTF-16LE up to the first NUL).
func (e Element) String() (string, error) {
	if err := e.check(FormatString); err != nil {
		return "", err
	}
	return decodeSZ(e.Data), nil
}

// Object decodes an object element ("{guid}").
func (e Element) Object() (GUID, error) {
	if err := e.check(FormatObject); err != nil {
		return Nil, err
	}
	g, err := ParseGUID(decodeSZ(e.Data))
	if err != nil {
		return Nil, fmt.Errorf("element %s: %w", e.Type, err)
	}
	return g, nil
}

// Objects decodes an object-list element.
func (e Element) Objects() ([]GUID, error) {
	if err := e.check(FormatObjectList); err != nil {
		return nil, err
	}
	v := regf.Value{Type: e.RegType, Data: e.Data}
	ss, err := v.MultiString()
	if err != nil {
		return nil, err
	}
	if len(ss) > MaxListItems {
		return nil, fmt.Errorf("%w: element %s lists %d objects (maximum %d)", ErrTooLarge, e.Type, len(ss), MaxListItems)
	}
	out := make([]GUID, 0, len(ss))
	for _, s := range ss {
		g, err := ParseGUID(s)
		if err != nil {
			return nil, fmt.Errorf("element %s: %w", e.Type, err)
		}
		out = append(out, g)
	}
	return out, nil
}

// Integer decodes an integer element: 1 to 8 little-endian bytes (bcdedit
// writes 8, Microsoft's offline tools sometimes fewer), zero-extended.
func (e Element) Integer() (uint64, error) {
	if err := e.check(FormatInteger); err != nil {
		return 0, err
	}
	if len(e.Data) < 1 || len(e.Data) > 8 {
		return 0, fmt.Errorf("%w: integer element %s has %d bytes (want 1..8)", ErrElementFormat, e.Type, len(e.Data))
	}
	var b [8]byte
	copy(b[:], e.Data)
	return binary.LittleEndian.Uint64(b[:]), nil
}

// Boolean decodes a boolean element: true when any of its 1..8 bytes is
// non-zero (bcdedit writes one byte).
func (e Element) Boolean() (bool, error) {
	if err := e.check(FormatBoolean); err != nil {
		return false, err
	}
	if len(e.Data) < 1 || len(e.Data) > 8 {
		return false, fmt.Errorf("%w: boolean element %s has %d bytes (want 1..8)", ErrElementFormat, e.Type, len(e.Data))
	}
	return !allZero(e.Data), nil
}

// Integers decodes an integer-list element (8 bytes per integer).
func (e Element) Integers() ([]uint64, error) {
	if err := e.check(FormatIntegerList); err != nil {
		return nil, err
	}
	if len(e.Data)%8 != 0 {
		return nil, fmt.Errorf("%w: integer list element %s has %d bytes (not a multiple of 8)", ErrElementFormat, e.Type, len(e.Data))
	}
	if len(e.Data)/8 > MaxListItems {
		return nil, fmt.Errorf("%w: element %s lists %d integers (maximum %d)", ErrTooLarge, e.Type, len(e.Data)/8, MaxListItems)
	}
	out := make([]uint64, len(e.Data)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(e.Data[8*i:])
	}
	return out, nil
}

// Device decodes a device element.
func (e Element) Device() (*Device, error) {
	if err := e.check(FormatDevice); err != nil {
		return nil, err
	}
	return DecodeDevice(e.Data)
}

func decodeSZ(b []byte) string {
	v := regf.Value{Type: regf.REG_SZ, Data: b}
	s, _ := v.String()
	return s
}

func formatErr(t ElementType, f Format) error {
	return fmt.Errorf("%w: element %s has format %v, not %v", ErrElementFormat, t, t.Format(), f)
}

// StringElement returns a string element.
func StringElement(t ElementType, s string) (Element, error) {
	if t.Format() != FormatString {
		return Element{}, formatErr(t, FormatString)
	}
	if n := len(utf16.Encode([]rune(s))); n > MaxStringUnits {
		return Element{}, fmt.Errorf("%w: string of %d UTF-16 units (maximum %d)", ErrTooLarge, n, MaxStringUnits)
	}
	if strings.ContainsRune(s, 0) {
		return Element{}, fmt.Errorf("%w: string contains NUL", ErrBadValue)
	}
	return Element{Type: t, RegType: regf.REG_SZ, Data: regf.EncodeString(s)}, nil
}

// ObjectElement returns an object element.
func ObjectElement(t ElementType, id GUID) (Element, error) {
	if t.Format() != FormatObject {
		return Element{}, formatErr(t, FormatObject)
	}
	return Element{Type: t, RegType: regf.REG_SZ, Data: regf.EncodeString(id.String())}, nil
}

// ObjectListElement returns an object-list element.
func ObjectListElement(t ElementType, ids []GUID) (Element, error) {
	if t.Format() != FormatObjectList {
		return Element{}, formatErr(t, FormatObjectList)
	}
	if len(ids) > MaxListItems {
		return Element{}, fmt.Errorf("%w: %d objects", ErrTooLarge, len(ids))
	}
	ss := make([]string, len(ids))
	for i, id := range ids {
		ss[i] = id.String()
	}
	data, err := regf.EncodeMultiString(ss)
	if err != nil {
		return Element{}, err
	}
	if len(ids) == 0 {
		data = []byte{0, 0}
	}
	return Element{Type: t, RegType: regf.REG_MULTI_SZ, Data: data}, nil
}

// IntegerElement returns an integer element (8 bytes, as bcdedit writes).
func IntegerElement(t ElementType, v uint64) (Element, error) {
	if t.Format() != FormatInteger {
		return Element{}, formatErr(t, FormatInteger)
	}
	return Element{Type: t, RegType: regf.REG_BINARY, Data: binary.LittleEndian.AppendUint64(nil, v)}, nil
}

// BooleanElement returns a boolean element (one byte).
func BooleanElement(t ElementType, v bool) (Element, error) {
	if t.Format() != FormatBoolean {
		return Element{}, formatErr(t, FormatBoolean)
	}
	b := byte(0)
	if v {
		b = 1
	}
	return Element{Type: t, RegType: regf.REG_BINARY, Data: []byte{b}}, nil
}

// IntegerListElement returns an integer-list element.
func IntegerListElement(t ElementType, vs []uint64) (Element, error) {
	if t.Format() != FormatIntegerList {
		return Element{}, formatErr(t, FormatIntegerList)
	}
	if len(vs) > MaxListItems {
		return Element{}, fmt.Errorf("%w: %d integers", ErrTooLarge, len(vs))
	}
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return Element{Type: t, RegType: regf.REG_BINARY, Data: b}, nil
}

// DeviceElement returns a device element.
func DeviceElement(t ElementType, d *Device) (Element, error) {
	if t.Format() != FormatDevice {
		return Element{}, formatErr(t, FormatDevice)
	}
	b, err := d.Encode()
	if err != nil {
		return Element{}, err
	}
	return Element{Type: t, RegType: regf.REG_BINARY, Data: b}, nil
}

// ParseBool parses a boolean the way bcdedit does: yes/no, on/off,
// true/false, 1/0 (any case).
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "on", "true", "1":
		return true, nil
	case "no", "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q is not a boolean (yes/no, on/off, true/false, 1/0)", ErrBadValue, s)
}

// parseUint parses decimal or 0x-prefixed hexadecimal.
func parseUint(s string, bits int) (uint64, error) {
	s = strings.TrimSpace(s)
	base := 10
	if t, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		s, base = t, 16
	}
	v, err := strconv.ParseUint(s, base, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not an integer", ErrBadValue, s)
	}
	return v, nil
}
