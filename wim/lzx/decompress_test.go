package lzx

import (
	"bytes"
	"errors"
	"testing"
)

// TestTruncatedTailWords: wimlib's chunks cut by 1..5 bytes fail with a
// *CorruptError or still decode exactly. An odd cut leaves the low byte
// of the last 16-bit word, whose missing high byte is read first: its
// bits must count as missing, not as zeros.
func TestTruncatedTailWords(t *testing.T) {
	w := readTestWIM(t, fixture(t, "wim", "basic-lzx.wim"))
	d, err := NewDecompressor(w.chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, b := range w.blobs {
		for _, c := range b.chunks {
			if b.raw || len(c.data) == c.usize {
				continue
			}
			want := make([]byte, c.usize)
			if err := d.Decompress(want, c.data); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, c.usize)
			for cut := 1; cut <= 5 && cut < len(c.data); cut++ {
				p := len(c.data) - cut
				err := d.Decompress(got, c.data[:p])
				var ce *CorruptError
				switch {
				case err == nil && !bytes.Equal(got, want):
					t.Fatalf("%d-byte chunk cut to %d: wrong data without error", len(c.data), p)
				case err != nil && (!errors.As(err, &ce) || ce.Offset > int64(p)):
					t.Fatalf("%d-byte chunk cut to %d: %v", len(c.data), p, err)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no LZX chunks in the fixture")
	}
}
