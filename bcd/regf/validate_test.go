package regf

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// smallHive is a small valid hive to corrupt.
func smallHive(t testing.TB, minor uint32) []byte {
	t.Helper()
	h := New(WithRootName("R"), WithMinorVersion(minor))
	for _, n := range []string{"Alpha", "beta", "Gamma", "delta"} {
		k, err := h.CreateKey(`Objects\` + n)
		mustDo(t, err)
		mustDo(t, k.SetDWORD("Type", 1))
		mustDo(t, k.SetString("Name", n))
	}
	out, err := h.Marshal()
	mustDo(t, err)
	if err := Validate(out); err != nil {
		t.Fatalf("valid hive rejected: %v", err)
	}
	return out
}

// fixChecksum recomputes the base block checksum after an edit.
func fixChecksum(b []byte) { binary.LittleEndian.PutUint32(b[bbChecksum:], checksum(b)) }

// findList returns the file offset of the first subkey list cell with sig.
func findList(t *testing.T, b []byte, sig string, minCount int) int {
	t.Helper()
	for off := baseBlockSize + hbinHeaderSize; off+8 < len(b); {
		size := int32(binary.LittleEndian.Uint32(b[off:]))
		n := int(size)
		if n < 0 {
			n = -n
			if string(b[off+4:off+6]) == sig && int(binary.LittleEndian.Uint16(b[off+6:])) >= minCount {
				return off
			}
		}
		if n == 0 {
			break
		}
		off += n
		if (off-baseBlockSize)%hbinAlign == 0 {
			off += hbinHeaderSize
		}
	}
	t.Fatalf("no %s list with %d entries", sig, minCount)
	return 0
}

func wantInvalid(t *testing.T, b []byte, substr string) {
	t.Helper()
	err := Validate(b)
	if err == nil {
		t.Fatalf("Validate accepted a hive that should fail with %q", substr)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("error does not match ErrInvalid: %v", err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is not a *ValidationError: %v", err)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not mention %q", err, substr)
	}
}

func TestValidateCatchesUnsortedList(t *testing.T) {
	for _, minor := range []uint32{3, 5} {
		b := smallHive(t, minor)
		sig := "lf"
		if minor >= 5 {
			sig = "lh"
		}
		off := findList(t, b, sig, 4)
		// swap the first two entries (offset + hint/hash stay paired)
		e := b[off+8:]
		var tmp [8]byte
		copy(tmp[:], e[:8])
		copy(e[:8], e[8:16])
		copy(e[8:16], tmp[:])
		wantInvalid(t, b, "not sorted")
		if _, err := Parse(b); err != nil {
			t.Fatalf("the tolerant reader should still read an unsorted list: %v", err)
		}
	}
}

func TestValidateCatchesBadHashAndHint(t *testing.T) {
	b := smallHive(t, 5)
	off := findList(t, b, "lh", 4)
	b[off+12] ^= 0x55
	wantInvalid(t, b, "lh hash")

	b = smallHive(t, 3)
	off = findList(t, b, "lf", 4)
	b[off+12] = 'z'
	wantInvalid(t, b, "lf hint")
}

func TestValidateCatchesSequenceNumbers(t *testing.T) {
	b := smallHive(t, 5)
	binary.LittleEndian.PutUint32(b[bbSeq2:], 7)
	fixChecksum(b)
	wantInvalid(t, b, "sequence numbers differ")
	if _, err := Parse(b); !errors.Is(err, ErrDirty) {
		t.Fatalf("Parse of a dirty hive: %v, want ErrDirty", err)
	}
	h, err := Parse(b, AllowDirty())
	if err != nil || !h.Dirty {
		t.Fatalf("Parse with AllowDirty: %v (dirty %v)", err, h != nil && h.Dirty)
	}
}

func TestValidateCatchesBadChecksum(t *testing.T) {
	b := smallHive(t, 5)
	b[bbChecksum] ^= 1
	wantInvalid(t, b, "checksum")
	_, err := Parse(b)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != bbChecksum || !errors.Is(err, ErrDirty) {
		t.Fatalf("Parse of a bad checksum: %v", err)
	}
}

func TestValidateCatchesVersions(t *testing.T) {
	for _, v := range [][2]uint32{{1, 2}, {1, 7}, {2, 5}, {0, 3}} {
		b := smallHive(t, 5)
		binary.LittleEndian.PutUint32(b[bbMajor:], v[0])
		binary.LittleEndian.PutUint32(b[bbMinor:], v[1])
		fixChecksum(b)
		wantInvalid(t, b, "version")
		if _, err := Parse(b); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Parse of version %d.%d: %v", v[0], v[1], err)
		}
	}
}

func TestValidateCatchesRefcountsAndCounts(t *testing.T) {
	b := smallHive(t, 5)
	// the root's sk cell is the second cell of the first bin
	rootSize := -int32(binary.LittleEndian.Uint32(b[baseBlockSize+0x20:]))
	sk := baseBlockSize + 0x20 + int(rootSize)
	if string(b[sk+4:sk+6]) != "sk" {
		t.Fatalf("no sk cell after the root")
	}
	binary.LittleEndian.PutUint32(b[sk+4+skRefCount:], 99)
	wantInvalid(t, b, "reference count")

	b = smallHive(t, 5)
	root := baseBlockSize + 0x20 + 4
	binary.LittleEndian.PutUint32(b[root+nkNumSubkeys:], 2)
	wantInvalid(t, b, "subkeys")

	b = smallHive(t, 5)
	binary.LittleEndian.PutUint32(b[baseBlockSize+hbSize:], 4000)
	wantInvalid(t, b, "hive bin size")
}

func TestValidateFixtureOriginals(t *testing.T) {
	for _, f := range fixtureHives(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestTruncatedFixtures checks that every prefix of real hives fails
// cleanly in Parse and Validate (no panic, a typed error).
func TestTruncatedFixtures(t *testing.T) {
	for _, name := range []string{
		testutil.Fixture(t, "bcd", "bcdsys-BCD-NEW"),
		testutil.Fixture(t, "bcd", "windeploy-BCD-efi"),
		testutil.Fixture(t, "hives", "hivex-special"),
	} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(b); n++ {
			_, err := Parse(b[:n])
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("%s[:%d]: Parse error %v is not a *FormatError", name, n, err)
			}
			if Validate(b[:n]) == nil {
				t.Fatalf("%s[:%d]: Validate accepted a truncated hive", name, n)
			}
		}
	}
}

// TestTruncatedBins cuts real hives at every bin boundary and patches the
// base block to match, so the parser has to notice the references that now
// point past the end; and flips single bytes in the cells of two of them.
func TestTruncatedBins(t *testing.T) {
	for _, name := range fixtureHives(t) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for n := baseBlockSize + hbinAlign; n < len(b); n += hbinAlign {
			c := append([]byte(nil), b[:n]...)
			binary.LittleEndian.PutUint32(c[bbHbinsSize:], uint32(n-baseBlockSize))
			fixChecksum(c)
			if _, err := Parse(c); err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s cut at 0x%x: %v is not a FormatError", name, n, err)
			}
			_ = Validate(c)
		}
		if !strings.HasSuffix(name, "windeploy-BCD-efi") && !strings.HasSuffix(name, "hivex-special") {
			continue
		}
		// flip each byte of the first bin's cells in turn
		for i := baseBlockSize + hbinHeaderSize; i < baseBlockSize+hbinAlign && i < len(b); i++ {
			b[i] ^= 0xA5
			if _, err := Parse(b); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrLimit) {
				t.Fatalf("%s byte 0x%x flipped: unexpected error %v", name, i, err)
			}
			_ = Validate(b)
			b[i] ^= 0xA5
		}
	}
}

func TestParseRejectsCycleAndHugeCounts(t *testing.T) {
	b := smallHive(t, 5)
	root := baseBlockSize + 0x20 + 4
	// point the first subkey list entry back at the root
	listOff := binary.LittleEndian.Uint32(b[root+nkSubkeyList:])
	binary.LittleEndian.PutUint32(b[baseBlockSize+int(listOff)+4+listHeader:], 0x20)
	_, err := Parse(b)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.What, "referenced twice") || fe.Offset != baseBlockSize+0x20 {
		t.Fatalf("cycle: %v", err)
	}
	wantInvalid(t, b, "already used")

	b = smallHive(t, 5)
	binary.LittleEndian.PutUint32(b[root+nkNumValues:], 0x7FFFFFFF)
	if _, err := Parse(b); !errors.Is(err, ErrLimit) || !errors.As(err, &fe) {
		t.Fatalf("huge value count: %v", err)
	}
	wantInvalid(t, b, "values")
}

// TestParseIndexLeaf rewrites an lf list as an li list (offsets only), which
// Windows writes under index roots; the tolerant reader and Validate accept it.
func TestParseIndexLeaf(t *testing.T) {
	b := smallHive(t, 3)
	off := findList(t, b, "lf", 4)
	n := int(binary.LittleEndian.Uint16(b[off+6:]))
	e := b[off+4+listHeader:]
	for i := 0; i < n; i++ {
		copy(e[4*i:4*i+4], e[8*i:8*i+4])
	}
	b[off+4], b[off+5] = 'l', 'i'
	if err := Validate(b); err != nil {
		t.Fatalf("Validate of an li list: %v", err)
	}
	h, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := h.Key(`Objects\gamma`); err != nil || k.Name() != "Gamma" {
		t.Fatalf("lookup through an li list: %v", err)
	}
}
