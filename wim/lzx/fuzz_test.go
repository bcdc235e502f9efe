package lzx

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
)

// seedChunks returns compressed chunks for fuzz seeds: our own output for
// the test inputs (all block types) and wimlib's chunks from the fixtures.
func seedChunks(t testing.TB) [][]byte {
	var seeds [][]byte
	in := testInputs()
	for _, ft := range []int{0, blockVerbatim, blockAligned, blockUncompressed} {
		c, _ := NewCompressor(DefaultChunkSize, 0)
		c.forceType = ft
		for _, k := range []string{"x86-1000", "text-1000", "repeats-1000", "zeros-100", "mixed-32768", "text-12"} {
			dst := make([]byte, len(in[k]))
			if n := c.Compress(dst, in[k]); n > 0 {
				seeds = append(seeds, dst[:n])
			}
		}
	}
	w := readTestWIM(t, fixture(t, "wim", "basic-lzx.wim"))
	for _, b := range w.blobs {
		for _, ck := range b.chunks {
			if !b.raw && len(ck.data) != ck.usize && len(ck.data) < 5000 {
				seeds = append(seeds, ck.data)
			}
		}
	}
	return seeds
}

// FuzzDecompress feeds arbitrary bytes to the decoder: it must return an
// error or fill dst, never panic or hang.
func FuzzDecompress(f *testing.F) {
	for _, s := range seedChunks(f) {
		f.Add(s, uint16(1000))
	}
	d, _ := NewDecompressor(DefaultChunkSize)
	d64, _ := NewDecompressor(65536)
	dst := make([]byte, 65536)
	f.Fuzz(func(t *testing.T, src []byte, n uint16) {
		size := int(n)%DefaultChunkSize + 1
		if err := d.Decompress(dst[:size], src); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("untyped error: %v", err)
		}
		if err := d64.Decompress(dst[:size], src); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}

// FuzzRoundTrip compresses arbitrary data and checks it decodes back.
func FuzzRoundTrip(f *testing.F) {
	for _, k := range []string{"x86-1000", "text-1000", "repeats-1000", "zeros-100", "random-100", "text-12", "x86-11"} {
		f.Add(testInputs()[k], uint8(0))
	}
	cs := map[uint8]*Compressor{}
	d, _ := NewDecompressor(DefaultChunkSize)
	f.Fuzz(func(t *testing.T, src []byte, mode uint8) {
		if len(src) == 0 || len(src) > DefaultChunkSize {
			return
		}
		mode %= 8
		c := cs[mode]
		if c == nil {
			c, _ = NewCompressor(DefaultChunkSize, []int{0, 10, 30, 70, 0, 0, 0, 100}[mode])
			c.forceType = []int{0, 0, 0, 0, 1, 2, 3, 0}[mode]
			cs[mode] = c
		}
		dst := make([]byte, len(src)-1)
		n := c.Compress(dst, src)
		if n == 0 {
			return
		}
		got := make([]byte, len(src))
		if err := d.Decompress(got, dst[:n]); err != nil {
			t.Fatalf("decompress: %v", err)
		}
		if !bytes.Equal(got, src) {
			t.Fatal("round trip mismatch")
		}
	})
}

// TestTruncated: every proper prefix of valid chunks fails cleanly (or, for
// the few prefixes that still hold every needed bit, decodes correctly).
func TestTruncated(t *testing.T) {
	in := testInputs()
	c, _ := NewCompressor(DefaultChunkSize, 0)
	d, _ := NewDecompressor(DefaultChunkSize)
	for _, k := range []string{"x86-1000", "text-1000", "mixed-32768"} {
		src := in[k]
		full := make([]byte, len(src))
		n := c.Compress(full, src)
		if n == 0 {
			t.Fatalf("%s did not compress", k)
		}
		got := make([]byte, len(src))
		step := 1
		if n > 2000 {
			step = 7 // keep the test fast; the short inputs cover every prefix
		}
		for p := 0; p < n; p += step {
			err := d.Decompress(got, full[:p])
			if err == nil {
				if !bytes.Equal(got, src) {
					t.Fatalf("%s: prefix %d/%d decoded to wrong data without error", k, p, n)
				}
				continue
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Offset < 0 || ce.Offset > int64(p) {
				t.Fatalf("%s: prefix %d: %v", k, p, err)
			}
		}
	}
}

// TestCorruptBits flips bits in valid chunks: the decoder must not panic.
func TestCorruptBits(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	d, _ := NewDecompressor(DefaultChunkSize)
	got := make([]byte, DefaultChunkSize)
	for _, s := range seedChunks(t) {
		for k := 0; k < 200; k++ {
			b := bytes.Clone(s)
			b[r.IntN(len(b))] ^= 1 << r.IntN(8)
			_ = d.Decompress(got[:1+r.IntN(len(got))], b)
		}
	}
}

func TestWrongSizeDst(t *testing.T) {
	d, _ := NewDecompressor(DefaultChunkSize)
	if err := d.Decompress(make([]byte, DefaultChunkSize+1), nil); err == nil {
		t.Fatal("oversized dst accepted")
	}
	if _, err := os.Stat(fixture(t, "wim", "basic-lzx.wim")); err != nil {
		t.Fatal(err)
	}
}
