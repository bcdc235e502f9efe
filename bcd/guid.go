package bcd

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
)

// GUID is a Windows GUID in its in-memory (and on-disk) byte order: Data1,
// Data2 and Data3 little-endian, Data4 as eight bytes. That is the layout
// device elements store ("bytes_le"); String gives the usual text form.
type GUID [16]byte

// Nil is the all-zero GUID.
var Nil GUID

// ParseGUID parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional,
// any letter case).
func ParseGUID(s string) (GUID, error) {
	t := s
	if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
		t = t[1 : len(t)-1]
	}
	if len(t) != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return Nil, fmt.Errorf("%w: %q", ErrBadGUID, s)
	}
	raw, err := hex.DecodeString(t[0:8] + t[9:13] + t[14:18] + t[19:23] + t[24:36])
	if err != nil {
		return Nil, fmt.Errorf("%w: %q", ErrBadGUID, s)
	}
	return guidFromCanonical(raw), nil
}

// MustGUID is ParseGUID for constants; it panics on a malformed literal.
func MustGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// guidFromCanonical converts the 16 bytes of the text order (big-endian
// fields, as in RFC 9562) to the Windows layout.
func guidFromCanonical(b []byte) GUID {
	var g GUID
	binary.LittleEndian.PutUint32(g[0:4], binary.BigEndian.Uint32(b[0:4]))
	binary.LittleEndian.PutUint16(g[4:6], binary.BigEndian.Uint16(b[4:6]))
	binary.LittleEndian.PutUint16(g[6:8], binary.BigEndian.Uint16(b[6:8]))
	copy(g[8:], b[8:16])
	return g
}

// canonical returns the 16 bytes in text order.
func (g GUID) canonical() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint32(b[0:4], binary.LittleEndian.Uint32(g[0:4]))
	binary.BigEndian.PutUint16(b[4:6], binary.LittleEndian.Uint16(g[4:6]))
	binary.BigEndian.PutUint16(b[6:8], binary.LittleEndian.Uint16(g[6:8]))
	copy(b[8:], g[8:16])
	return b
}

// String returns the lower-case braced form bcdedit and the store use,
// e.g. "{9dea862c-5cdd-4e70-acc1-f32b344d4795}".
func (g GUID) String() string {
	h := hex.EncodeToString(g.canonical())
	return "{" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + "}"
}

// IsNil reports whether g is all zero.
func (g GUID) IsNil() bool { return g == Nil }

// MarshalText implements encoding.TextMarshaler (JSON uses the braced form).
func (g GUID) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (g *GUID) UnmarshalText(b []byte) error {
	v, err := ParseGUID(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// Namespace is the RFC 9562 name-space UUID under which wimbuild derives
// every object identifier it invents (UUIDv5 of "wimbuild/bcd").
var Namespace = NameGUID(MustGUID("{6ba7b811-9dad-11d1-80b4-00c04fd430c8}"), "wimbuild/bcd") // URL namespace

// NameGUID returns the name-based (version 5, SHA-1) UUID of name in the
// name space ns, as defined by RFC 9562 section 5.5. The same inputs always
// give the same GUID; wimbuild never writes random identifiers.
func NameGUID(ns GUID, name string) GUID {
	h := sha1.New()
	h.Write(ns.canonical())
	h.Write([]byte(name))
	sum := h.Sum(nil)
	sum[6] = sum[6]&0x0f | 0x50 // version 5
	sum[8] = sum[8]&0x3f | 0x80 // RFC 9562 variant
	return guidFromCanonical(sum[:16])
}

// DeriveGUID derives an object identifier from a caller seed and a list of
// naming parts: NameGUID(Namespace, seed + "\x00" + part1 + "\x00" + …).
// Operations that invent identifiers (create, copy, presets) document the
// parts they use, so a store built twice from the same inputs is identical.
func DeriveGUID(seed string, parts ...string) GUID {
	return NameGUID(Namespace, seed+"\x00"+strings.Join(parts, "\x00"))
}
