package lzms

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func roundTrip(t testing.TB, c *Compressor, d *Decompressor, src []byte) int {
	t.Helper()
	dst := make([]byte, len(src)-1+64)
	// Guard bytes past the contract's len(src)-1 must stay untouched.
	for i := range dst {
		dst[i] = 0xA5
	}
	n := c.Compress(dst[:max(len(src)-1, 0)], src)
	for i := max(len(src)-1, 0); i < len(dst); i++ {
		if dst[i] != 0xA5 {
			t.Fatalf("Compress wrote past len(src)-1 at %d", i)
		}
	}
	if n == 0 {
		return 0
	}
	if n >= len(src) || n%2 != 0 {
		t.Fatalf("compressed size %d for %d bytes", n, len(src))
	}
	got := make([]byte, len(src))
	if err := d.Decompress(got, dst[:n]); err != nil {
		t.Fatalf("decompress %d bytes: %v", len(src), err)
	}
	if err := strictEnd(d, dst[:n]); err != "" {
		t.Fatalf("%d bytes: %s", len(src), err)
	}
	if !bytes.Equal(got, src) {
		i := 0
		for i < len(src) && got[i] == src[i] {
			i++
		}
		t.Fatalf("round trip of %d bytes differs at byte %d", len(src), i)
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inputs := map[string][]byte{
		"zeros":  make([]byte, 100000),
		"x86":    genX86(r, 131072),
		"text":   genText(r, 131072),
		"random": genRandom(r, 5000),
		"delta":  genDelta(r, 131072),
		"mixed":  genMixed(9, 131072),
		"small":  []byte("abcabcabcabcabcabc"),
		"tiny":   {1, 1, 1, 1, 1, 1},
		"e8":     bytes.Repeat([]byte{0xE8, 0, 0, 0, 0, 0x90}, 5000),
	}
	for _, level := range []int{1, 20, 35, 50, 100} {
		c, err := NewCompressor(1<<17, level)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := NewDecompressor(1 << 17)
		for name, src := range inputs {
			n := roundTrip(t, c, d, src)
			t.Logf("level %d %-6s %6d -> %6d", level, name, len(src), n)
			if name != "random" && name != "tiny" && n == 0 {
				t.Errorf("level %d %s: not compressed", level, name)
			}
		}
		// Every small size.
		if level == 1 || level == 50 {
			for size := 1; size < 300; size++ {
				roundTrip(t, c, d, genMixed(uint64(size), size))
			}
		}
	}
}

// strictEnd checks the end-of-chunk conditions that 7-Zip's LZMS decoder
// enforces (and Microsoft's encoder evidently meets) on the decoder state
// left by the last Decompress: at least 8 bytes; after one more
// renormalisation the range decoder's code is 0; the forward reader has
// not passed the byte where the backward reader stopped.
func strictEnd(d *Decompressor, src []byte) string {
	if len(src) < 8 {
		return "chunk shorter than 8 bytes"
	}
	code, fpos := d.code, d.fpos
	if d.rng <= 0xffff {
		code <<= 16
		if fpos+2 <= len(src) {
			code |= uint32(binary.LittleEndian.Uint16(src[fpos:]))
		}
		fpos += 2
	}
	if code != 0 {
		return "range decoder code is not 0 at the end"
	}
	consumed := (len(src)-d.bpos)*8 - int(d.bitsleft)
	bbyte := len(src) - consumed/8
	if fpos > bbyte || (fpos == bbyte && consumed%8 != 0) {
		return "forward stream runs into the backward stream"
	}
	return ""
}

// TestWindowSmallerThanChunk round-trips chunks larger than the match
// finder's window (the situation of chunks above 64 MiB).
func TestWindowSmallerThanChunk(t *testing.T) {
	defer func(b int) { maxWindowBits = b }(maxWindowBits)
	maxWindowBits = 12
	src := genMixed(21, 1<<16)
	src = append(src, src...) // long-distance repeats beyond the window
	d, _ := NewDecompressor(len(src))
	for _, level := range []int{10, 50} {
		c, err := NewCompressor(len(src), level)
		if err != nil {
			t.Fatal(err)
		}
		if c.wmask != 1<<12-1 {
			t.Fatalf("window mask %#x", c.wmask)
		}
		if roundTrip(t, c, d, src) == 0 {
			t.Fatalf("level %d: not compressed", level)
		}
	}
}

// TestDeterministic: the same chunk compresses to the same bytes, whether
// the compressor is fresh or has seen other chunks.
func TestDeterministic(t *testing.T) {
	src := genMixed(31, 100000)
	other := genMixed(32, 120000)
	for _, level := range []int{10, 50} {
		a, _ := NewCompressor(1<<17, level)
		b, _ := NewCompressor(1<<17, level)
		da := make([]byte, len(src))
		db := make([]byte, len(src))
		na := a.Compress(da[:len(src)-1], src)
		b.Compress(make([]byte, len(other)), other)
		nb := b.Compress(db[:len(src)-1], src)
		if na == 0 || !bytes.Equal(da[:na], db[:nb]) {
			t.Fatalf("level %d: outputs differ (%d vs %d bytes)", level, na, nb)
		}
	}
}

// TestLargeChunk round-trips a chunk above 1 MiB, where the parser uses
// its long windows and the match finder keys its trees on 5 bytes, at the
// quick and the default optimal levels.
func TestLargeChunk(t *testing.T) {
	part := genMixed(41, 640<<10)
	src := append(append(bytes.Clone(part), genX86(newRand(42), 256<<10)...), part[:512<<10]...)
	d, _ := NewDecompressor(len(src))
	for _, level := range []int{30, 0} {
		c, err := NewCompressor(len(src), level)
		if err != nil {
			t.Fatal(err)
		}
		if !c.treeKey5 || c.window != optWindowMax {
			t.Fatalf("level %d: large-chunk settings not in use", level)
		}
		if n := roundTrip(t, c, d, src); n == 0 || n > len(src)/2 {
			t.Fatalf("level %d: %d bytes -> %d", level, len(src), n)
		}
	}
}
