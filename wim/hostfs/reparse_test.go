package hostfs

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// The reparse data wimlib-imagex 1.13.5 stored for the relative symlinks of
// fixtures/wim/src-reparse (read from reparse-none.wim at 0x38995 and 0x389b1).
const (
	wimlibDirlinkToSub    = "000006000800060001000000730075006200000073007500620000000000"
	wimlibSymlinkToHello  = "000012001400120001000000680065006c006c006f002e0074007800740000006800650" + "06c006c006f002e007400780074000000"
	wimlibDirlinkToSubLen = 28
)

func TestEncodeSymlinkMatchesWimlib(t *testing.T) {
	for _, tc := range []struct {
		target, hexdata string
		n               int
	}{
		{"sub", wimlibDirlinkToSub, wimlibDirlinkToSubLen},
		{"hello.txt", wimlibSymlinkToHello, 52},
	} {
		want, _ := hex.DecodeString(tc.hexdata)
		want = want[:tc.n]
		got, err := EncodeSymlink(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("EncodeSymlink(%q) =\n%x\nwant\n%x", tc.target, got, want)
		}
	}
}

func TestSymlinkRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		target   string
		relative bool
		stored   string
		host     string
	}{
		{"../a/b", true, `..\a\b`, "../a/b"},
		{"/etc/passwd", false, `\etc\passwd`, "/etc/passwd"},
		{"Ünï/😀", true, `Ünï\😀`, "Ünï/😀"},
	} {
		data, err := EncodeSymlink(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		s, err := DecodeSymlink(ReparseTagSymlink, data)
		if err != nil {
			t.Fatal(err)
		}
		if s.Relative != tc.relative || s.Target != tc.stored {
			t.Errorf("decode(%q) = %+v", tc.target, s)
		}
		if got := s.HostTarget("", false, '/'); got != tc.host {
			t.Errorf("HostTarget(%q) = %q, want %q", tc.target, got, tc.host)
		}
	}
	s := Symlink{Target: `\Windows\x`}
	if got := s.HostTarget("/dest", true, '/'); got != "/dest/Windows/x" {
		t.Errorf("fixed absolute target = %q", got)
	}
}

func TestDecodeSymlinkCorrupt(t *testing.T) {
	good, _ := EncodeSymlink("hello.txt")
	for i := 0; i < len(good); i++ {
		// Every truncation fails cleanly or decodes a shorter valid name.
		if _, err := DecodeSymlink(ReparseTagSymlink, good[:i]); err != nil && !errors.Is(err, ErrReparse) {
			t.Fatalf("prefix %d: %v", i, err)
		}
	}
	bad := append([]byte(nil), good...)
	bad[2] = 0xFF // substitute length past the buffer
	if _, err := DecodeSymlink(ReparseTagSymlink, bad); !errors.Is(err, ErrReparse) {
		t.Errorf("oversized length: %v", err)
	}
	if _, err := DecodeSymlink(0x80000017, good); !errors.Is(err, ErrReparse) {
		t.Errorf("foreign tag: %v", err)
	}
}

func FuzzDecodeSymlink(f *testing.F) {
	d1, _ := hex.DecodeString(wimlibDirlinkToSub)
	f.Add(uint32(ReparseTagSymlink), d1[:wimlibDirlinkToSubLen])
	f.Add(uint32(ReparseTagMountPoint), []byte{0, 0, 8, 0, 10, 0, 0, 0, 'C', 0, ':', 0, '\\', 0, 'x', 0, 0, 0})
	f.Fuzz(func(t *testing.T, tag uint32, data []byte) {
		s, err := DecodeSymlink(tag, data)
		if err != nil {
			if !errors.Is(err, ErrReparse) {
				t.Fatalf("error %v does not wrap ErrReparse", err)
			}
			return
		}
		if s.Target == "" {
			t.Fatal("empty target accepted")
		}
	})
}
