package regf

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// ValueType is the type code of a registry value (vk cell offset 0x0C).
// Values outside the predefined range are legal and kept as they are.
type ValueType uint32

// Predefined value types.
const (
	REG_NONE                       ValueType = 0
	REG_SZ                         ValueType = 1
	REG_EXPAND_SZ                  ValueType = 2
	REG_BINARY                     ValueType = 3
	REG_DWORD                      ValueType = 4
	REG_DWORD_BIG_ENDIAN           ValueType = 5
	REG_LINK                       ValueType = 6
	REG_MULTI_SZ                   ValueType = 7
	REG_RESOURCE_LIST              ValueType = 8
	REG_FULL_RESOURCE_DESCRIPTOR   ValueType = 9
	REG_RESOURCE_REQUIREMENTS_LIST ValueType = 10
	REG_QWORD                      ValueType = 11
)

var valueTypeNames = [...]string{
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
	"REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
}

// String returns the symbolic name (REG_SZ, …) or "REG_0x%X" for other codes.
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("REG_0x%X", uint32(t))
}

// ParseValueType maps a name accepted by String (and the aliases
// REG_DWORD_LITTLE_ENDIAN, REG_QWORD_LITTLE_ENDIAN) back to its code.
func ParseValueType(s string) (ValueType, error) {
	for i, n := range valueTypeNames {
		if n == s {
			return ValueType(i), nil
		}
	}
	switch s {
	case "REG_DWORD_LITTLE_ENDIAN":
		return REG_DWORD, nil
	case "REG_QWORD_LITTLE_ENDIAN":
		return REG_QWORD, nil
	}
	var v uint32
	if _, err := fmt.Sscanf(s, "REG_0x%X", &v); err == nil && fmt.Sprintf("REG_0x%X", v) == s {
		return ValueType(v), nil
	}
	return 0, fmt.Errorf("%w: unknown value type %q", ErrInvalidArgument, s)
}

// Value is one named value of a key. Name "" is the key's default value.
// Data is the raw bytes exactly as stored in the hive. A value held by a
// key is renamed only through the key (DeleteValue, SetValue): the key
// indexes its values by name.
type Value struct {
	Name string
	Type ValueType
	Data []byte
}

// String decodes REG_SZ, REG_EXPAND_SZ and REG_LINK data (UTF-16LE) up to the
// first NUL. An odd trailing byte is ignored.
func (v *Value) String() (string, error) {
	switch v.Type {
	case REG_SZ, REG_EXPAND_SZ, REG_LINK:
	default:
		return "", fmt.Errorf("%w: value %q is %v, not a string", ErrType, v.Name, v.Type)
	}
	u := utf16Units(v.Data)
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	return string(utf16.Decode(u)), nil
}

// DWORD decodes a REG_DWORD (little-endian) or REG_DWORD_BIG_ENDIAN value.
func (v *Value) DWORD() (uint32, error) {
	if len(v.Data) != 4 {
		return 0, fmt.Errorf("%w: value %q has %d bytes, not 4", ErrType, v.Name, len(v.Data))
	}
	switch v.Type {
	case REG_DWORD:
		return binary.LittleEndian.Uint32(v.Data), nil
	case REG_DWORD_BIG_ENDIAN:
		return binary.BigEndian.Uint32(v.Data), nil
	}
	return 0, fmt.Errorf("%w: value %q is %v, not a DWORD", ErrType, v.Name, v.Type)
}

// QWORD decodes a REG_QWORD value.
func (v *Value) QWORD() (uint64, error) {
	if v.Type != REG_QWORD {
		return 0, fmt.Errorf("%w: value %q is %v, not a QWORD", ErrType, v.Name, v.Type)
	}
	if len(v.Data) != 8 {
		return 0, fmt.Errorf("%w: value %q has %d bytes, not 8", ErrType, v.Name, len(v.Data))
	}
	return binary.LittleEndian.Uint64(v.Data), nil
}

// MultiString decodes a REG_MULTI_SZ value: NUL-separated UTF-16LE strings
// ending with an empty string. The terminating empty string is not returned.
func (v *Value) MultiString() ([]string, error) {
	if v.Type != REG_MULTI_SZ {
		return nil, fmt.Errorf("%w: value %q is %v, not REG_MULTI_SZ", ErrType, v.Name, v.Type)
	}
	u := utf16Units(v.Data)
	var out []string
	start := 0
	for i := 0; i <= len(u); i++ {
		if i == len(u) || u[i] == 0 {
			if i == start { // empty string: end of list
				break
			}
			out = append(out, string(utf16.Decode(u[start:i])))
			start = i + 1
		}
	}
	return out, nil
}

func utf16Units(b []byte) []uint16 {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return u
}

// EncodeString returns s as NUL-terminated UTF-16LE (REG_SZ data).
func EncodeString(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u)+2)
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// EncodeMultiString returns REG_MULTI_SZ data: every string NUL-terminated,
// then one more NUL. Empty strings cannot be represented and are rejected.
func EncodeMultiString(ss []string) ([]byte, error) {
	var b []byte
	for _, s := range ss {
		if s == "" {
			return nil, fmt.Errorf("%w: REG_MULTI_SZ cannot hold an empty string", ErrInvalidArgument)
		}
		for _, r := range s {
			if r == 0 {
				return nil, fmt.Errorf("%w: REG_MULTI_SZ string contains NUL", ErrInvalidArgument)
			}
		}
		b = append(b, EncodeString(s)...)
	}
	return append(b, 0, 0), nil
}
