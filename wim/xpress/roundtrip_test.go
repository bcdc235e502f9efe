package xpress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func roundTrip(t testing.TB, c *Compressor, d *Decompressor, src []byte) int {
	t.Helper()
	dst := make([]byte, len(src)-1+64)
	guard := dst[max(len(src)-1, 0):]
	for i := range guard {
		guard[i] = 0xa5
	}
	n := c.Compress(dst[:max(len(src)-1, 0)], src)
	for _, b := range guard {
		if b != 0xa5 {
			t.Fatalf("Compress wrote past len(src)-1")
		}
	}
	if n == 0 {
		return 0
	}
	if n >= len(src) {
		t.Fatalf("compressed %d bytes to %d: not smaller", len(src), n)
	}
	got := make([]byte, len(src))
	if err := d.Decompress(got, dst[:n]); err != nil {
		t.Fatalf("Decompress: %v", err)
	}
	if !bytes.Equal(got, src) {
		i := 0
		for i < len(src) && got[i] == src[i] {
			i++
		}
		t.Fatalf("round trip differs at byte %d of %d", i, len(src))
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	in := testInputs()
	for level := MinLevel; level <= MaxLevel; level++ {
		c, err := NewCompressor(MaxChunkSize, level)
		if err != nil {
			t.Fatal(err)
		}
		d, err := NewDecompressor(MaxChunkSize)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range sortedNames(in) {
			src := in[name]
			n := roundTrip(t, c, d, src)
			if level == DefaultLevel {
				t.Logf("%-16s %6d -> %6d", name, len(src), n)
			}
			switch {
			case name == "zeros-65536" && (n == 0 || n > 300):
				t.Errorf("level %d %s: %d bytes", level, name, n)
			case strings.HasPrefix(name, "random") && n != 0:
				t.Errorf("level %d %s: random data compressed to %d", level, name, n)
			}
		}
	}
}

func TestCompressorArgs(t *testing.T) {
	for _, tc := range []struct{ size, level int }{{0, 0}, {MaxChunkSize + 1, 0}, {4096, -1}, {4096, MaxLevel + 1}} {
		if _, err := NewCompressor(tc.size, tc.level); err == nil {
			t.Errorf("NewCompressor(%d, %d) succeeded", tc.size, tc.level)
		}
	}
	if _, err := NewCompressor(0, 0); !errors.Is(err, ErrChunkSize) {
		t.Errorf("got %v", err)
	}
	if _, err := NewCompressor(4096, 10); !errors.Is(err, ErrLevel) {
		t.Errorf("got %v", err)
	}
	if _, err := NewDecompressor(0); !errors.Is(err, ErrChunkSize) {
		t.Errorf("got %v", err)
	}
}

// TestLazyFarThreeByteMatch: a far 3-byte match followed by a position
// with no match must not make the lazy parser emit an empty match.
func TestLazyFarThreeByteMatch(t *testing.T) {
	for _, l := range []int{3, 4} {
		if better(0, 0, l, 65535) {
			t.Fatalf("no match judged better than a %d-byte match", l)
		}
	}
	c, _ := NewCompressor(MaxChunkSize, DefaultLevel)
	d, _ := NewDecompressor(MaxChunkSize)
	src := genRandom(randSource(5), 20000)
	copy(src[4000:], src[100:103]) // 3-byte match at offset 3900
	copy(src[15000:], src[10:13])  // far 3-byte match
	roundTrip(t, c, d, src)
}

// TestReproducible: a chunk's output depends only on the chunk and the
// level, not on what the compressor saw before (pipelines hand chunks to
// workers in any order).
func TestReproducible(t *testing.T) {
	in := testInputs()
	for _, level := range []int{1, 3, DefaultLevel, 7, MaxLevel} {
		fresh, _ := NewCompressor(MaxChunkSize, level)
		used, _ := NewCompressor(MaxChunkSize, level)
		for _, name := range sortedNames(in) {
			used.Compress(make([]byte, len(in[name])), in[name])
		}
		for _, name := range []string{"mixed-32768", "text-5000", "binary-4096"} {
			src := in[name]
			a, b := make([]byte, len(src)), make([]byte, len(src))
			na, nb := fresh.Compress(a, src), used.Compress(b, src)
			if na == 0 || !bytes.Equal(a[:na], b[:nb]) {
				t.Fatalf("level %d %s: output depends on history (%d vs %d bytes)", level, name, na, nb)
			}
		}
	}
}

// TestMaxOffset: a 5-byte match at offset 65531, in the top offset class
// (16 significant bits) near the farthest any match reaches in a 64 KiB
// chunk, round-trips at every level and is taken by the greedy and lazy
// parsers (the near-optimal ones rightly price it above cheap literals
// here; the lazy parser passes up 4-byte matches that far).
func TestMaxOffset(t *testing.T) {
	src := make([]byte, MaxChunkSize)
	for i := range src {
		src[i] = byte(i % 7) // compressible, never 0xfe
	}
	copy(src[:5], []byte{0xfe, 0xfe, 0xfd, 0xfe, 0xfc})
	copy(src[MaxChunkSize-5:], src[:5])
	d, _ := NewDecompressor(MaxChunkSize)
	for level := MinLevel; level <= MaxLevel; level++ {
		c, _ := NewCompressor(MaxChunkSize, level)
		if roundTrip(t, c, d, src) == 0 {
			t.Fatalf("level %d: not compressed", level)
		}
		far := false
		for _, s := range c.seqs {
			far = far || s.offset == MaxChunkSize-5
		}
		if !far && !c.p.optimal {
			t.Errorf("level %d: offset %d not used", level, MaxChunkSize-5)
		}
	}
}
