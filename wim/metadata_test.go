package wim

import (
	"bytes"
	"testing"
)

func identity(_ *Inode, s *Stream) Hash { return s.Hash }

// wimlib 1.13 writes metadata exactly as this package does for trees
// without directory reparse points: decode + encode is byte-identical.
func TestMetadataRoundTripBytes(t *testing.T) {
	for _, name := range []string{"basic-none", "basic-xpress"} {
		w := openFixture(t, name)
		mb, _ := w.MetadataBlob(1)
		raw, err := readAllVerified(mb, MaxMetadataSize, "metadata")
		if err != nil {
			t.Fatal(err)
		}
		img, err := w.Image(1)
		if err != nil {
			t.Fatal(err)
		}
		out, err := encodeMetadata(img, identity)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, raw) {
			for i := range min(len(out), len(raw)) {
				if out[i] != raw[i] {
					t.Fatalf("%s: first difference at 0x%x (len %d vs %d)", name, i, len(out), len(raw))
				}
			}
			t.Fatalf("%s: length %d vs %d", name, len(out), len(raw))
		}
	}
}
