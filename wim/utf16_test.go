package wim

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode"
	"unicode/utf16"
)

// The name codecs have ASCII fast paths; they must agree with the general
// conversions for every input, valid UTF-8 or not.
func refEncodeUTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(out[2*i:], c)
	}
	return out
}

func refDecodeUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func refUpcaseKey(name string) []uint16 {
	u := utf16.Encode([]rune(name))
	for i, c := range u {
		if utf16.IsSurrogate(rune(c)) {
			continue
		}
		if up := unicode.ToUpper(rune(c)); up < 0x10000 {
			u[i] = uint16(up)
		}
	}
	return u
}

func checkNameCodecs(t *testing.T, s string) {
	t.Helper()
	if got, want := encodeUTF16(s), refEncodeUTF16(s); !bytes.Equal(got, want) {
		t.Fatalf("encodeUTF16(%q) = %x, want %x", s, got, want)
	}
	if got, want := upcaseKey(s), refUpcaseKey(s); !slicesEqual16(got, want) {
		t.Fatalf("upcaseKey(%q) = %x, want %x", s, got, want)
	}
	if got, want := int(utf16Bytes(s)), len(refEncodeUTF16(s)); got != want {
		t.Fatalf("utf16Bytes(%q) = %d, want %d", s, got, want)
	}
	b := []byte(s)
	if len(b)%2 == 1 {
		b = b[:len(b)-1]
	}
	if got, want := decodeUTF16Name(b), refDecodeUTF16(b); got != want {
		t.Fatalf("decodeUTF16Name(%x) = %q, want %q", b, got, want)
	}
}

func slicesEqual16(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNameCodecsMatchGeneral(t *testing.T) {
	for _, s := range []string{
		"", "a", "startnet.cmd", "Windows", "ß", "straße.txt", "日本語", "😀x", "a\xffb", "\xed\xa0\x80",
		"mixed ÄÖÜ äöü", "\x00", "z\x7f", "A\x00\x00B", "\xd8\x3d\xde\x00",
	} {
		checkNameCodecs(t, s)
	}
}

func FuzzNameCodecs(f *testing.F) {
	f.Add("startnet.cmd")
	f.Add("straße😀\xff")
	f.Fuzz(func(t *testing.T, s string) { checkNameCodecs(t, s) })
}
