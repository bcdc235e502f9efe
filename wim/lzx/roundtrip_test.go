package lzx

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"
)

func roundTrip(t testing.TB, c *Compressor, d *Decompressor, src []byte) int {
	t.Helper()
	dst := make([]byte, len(src)+64)
	// The contract: dst has room for len(src)-1 bytes; poison the rest.
	for i := range dst {
		dst[i] = 0xA5
	}
	n := c.Compress(dst[:max(len(src)-1, 0)], src)
	if n < 0 || n >= len(src) && n != 0 {
		t.Fatalf("Compress returned %d for %d bytes", n, len(src))
	}
	for i := max(len(src)-1, 0); i < len(dst); i++ {
		if dst[i] != 0xA5 {
			t.Fatalf("Compress wrote past len(src)-1 at %d", i)
		}
	}
	if n == 0 {
		return len(src)
	}
	got := make([]byte, len(src))
	if err := d.Decompress(got, dst[:n]); err != nil {
		t.Fatalf("decompress %d -> %d bytes: %v", len(src), n, err)
	}
	if !bytes.Equal(got, src) {
		i := 0
		for i < len(src) && got[i] == src[i] {
			i++
		}
		t.Fatalf("round trip mismatch at byte %d of %d", i, len(src))
	}
	return n
}

func sortedKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestRoundTrip(t *testing.T) {
	inputs := testInputs()
	type cfg struct{ level, ft int }
	cfgs := []cfg{{0, 0}, {10, 0}, {30, 0}, {70, 0}, {100, 0},
		{0, blockVerbatim}, {0, blockAligned}, {0, blockUncompressed}}
	for _, cf := range cfgs {
		level, ft := cf.level, cf.ft
		{
			c, err := NewCompressor(DefaultChunkSize, level)
			if err != nil {
				t.Fatal(err)
			}
			c.forceType = ft
			d, _ := NewDecompressor(DefaultChunkSize)
			for _, k := range sortedKeys(inputs) {
				src := inputs[k]
				t.Run(k, func(t *testing.T) { roundTrip(t, c, d, src) })
			}
		}
	}
}

func TestRoundTripSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := genX86(r, 32768)
	c, _ := NewCompressor(DefaultChunkSize, 0)
	d, _ := NewDecompressor(DefaultChunkSize)
	for n := 1; n <= 32768; n = n*3/2 + 1 {
		roundTrip(t, c, d, x[:n])
		roundTrip(t, c, d, x[32768-n:])
	}
}

// TestRoundTripChunkSizes covers chunk sizes other than 32 KiB: smaller
// (4 KiB, WIMBoot-style), non-power-of-two and up to 2 MiB (several blocks
// per chunk, 24-bit block sizes).
func TestRoundTripChunkSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	data := append(append(genX86(r, 150000), genText(r, 100000)...), append(genRepeats(r, 100000), genRandom(r, 50000)...)...)
	for _, cs := range []int{4096, 65536, 100000, 1 << 21} {
		for _, ft := range []int{0, blockVerbatim, blockAligned, blockUncompressed} {
			if cs != 65536 && cs != 4096 && ft != 0 {
				continue
			}
			c, err := NewCompressor(cs, 0)
			if err != nil {
				t.Fatal(err)
			}
			c.forceType = ft
			d, _ := NewDecompressor(cs)
			for off := 0; off < len(data); off += cs {
				src := data[off:min(off+cs, len(data))]
				roundTrip(t, c, d, src)
			}
		}
	}
}

func TestCompressRatio(t *testing.T) {
	inputs := testInputs()
	c, _ := NewCompressor(DefaultChunkSize, 0)
	d, _ := NewDecompressor(DefaultChunkSize)
	// Compressible inputs must compress well; random ones must not expand.
	for _, k := range []string{"zeros-32768", "text-32768", "x86-32768", "repeats-32768"} {
		n := roundTrip(t, c, d, inputs[k])
		if n > len(inputs[k])*2/3 {
			t.Errorf("%s: %d -> %d bytes", k, len(inputs[k]), n)
		}
	}
	if n := c.Compress(make([]byte, 32767), inputs["random-32768"]); n != 0 {
		t.Errorf("random input: got %d, want 0 (store raw)", n)
	}
}

func TestNewErrors(t *testing.T) {
	for _, cs := range []int{0, -1, MaxChunkSize + 1} {
		if _, err := NewCompressor(cs, 0); !errors.Is(err, ErrChunkSize) {
			t.Errorf("NewCompressor(%d): %v", cs, err)
		}
		if _, err := NewDecompressor(cs); !errors.Is(err, ErrChunkSize) {
			t.Errorf("NewDecompressor(%d): %v", cs, err)
		}
	}
}

// TestNoAllocs: steady-state compression and decompression of a chunk
// allocate nothing.
func TestNoAllocs(t *testing.T) {
	in := testInputs()
	src := in["mixed-32768"]
	c, _ := NewCompressor(DefaultChunkSize, 0)
	d, _ := NewDecompressor(DefaultChunkSize)
	dst := make([]byte, len(src)-1)
	out := make([]byte, len(src))
	n := c.Compress(dst, src) // warm up: buffers reach their final size
	if n == 0 {
		t.Fatal("not compressed")
	}
	if err := d.Decompress(out, dst[:n]); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(5, func() { c.Compress(dst, src) }); a != 0 {
		t.Errorf("Compress: %v allocations per chunk", a)
	}
	if a := testing.AllocsPerRun(5, func() { _ = d.Decompress(out, dst[:n]) }); a != 0 {
		t.Errorf("Decompress: %v allocations per chunk", a)
	}
}

// TestSplitBlocks compresses data whose statistics change halfway through
// each 32 KiB block, so blocks are written as two. At 64 KiB and larger
// chunks a split block is followed by another block of the same chunk,
// which must start from the recent offsets the whole block left, not
// those of its middle: each block's halves repeat at different offsets
// (letters at 300/500/700, then any bytes at 7/13/64), and the next block
// starts with the first kind again, where offsets remembered from the
// middle would be used at once.
func TestSplitBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var data []byte
	for len(data) < 1<<20 {
		data = genOffsets(r, data, 16384, []int{300, 500, 700}, 26)
		data = genOffsets(r, data, 16384, []int{7, 13, 64}, 256)
	}
	for _, cs := range []int{DefaultChunkSize, 65536, 1 << 20} {
		c, _ := NewCompressor(cs, 0)
		d, _ := NewDecompressor(cs)
		for off := 0; off < len(data); off += cs {
			roundTrip(t, c, d, data[off:min(off+cs, len(data))])
		}
		if c.splits == 0 {
			t.Errorf("chunk %d: no block was split", cs)
		}
		if cs > DefaultChunkSize && c.midSplits == 0 {
			t.Errorf("chunk %d: no split block was followed by another", cs)
		}
	}
}

// genOffsets appends n bytes to b: random bytes below alpha, copied from
// one of offs back most of the time.
func genOffsets(r *rand.Rand, b []byte, n int, offs []int, alpha int) []byte {
	end := len(b) + n
	for len(b) < end {
		o := offs[r.IntN(len(offs))]
		if r.IntN(3) == 0 || o > len(b) {
			b = append(b, byte(r.IntN(alpha)))
			continue
		}
		for k := 2 + r.IntN(6); k > 0 && len(b) < end; k-- {
			b = append(b, b[len(b)-o])
		}
	}
	return b
}
