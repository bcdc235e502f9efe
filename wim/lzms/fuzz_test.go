package lzms

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// fixtureChunk returns the single-chunk LZMS resource of big-100000.bin in
// basic-lzms.wim (blob table entry 2: offset 266, 50494 bytes, 100000
// uncompressed; see shared/fixtures/wim/basic-lzms.dump.txt) and the source
// file it decodes to.
func fixtureChunk(t testing.TB) (comp, want []byte) {
	t.Helper()
	f, err := os.ReadFile(testutil.Fixture(t, "wim", "basic-lzms.wim"))
	if err != nil {
		t.Fatal(err)
	}
	want, err = os.ReadFile(testutil.Fixture(t, "wim", "src", "big-100000.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return f[266 : 266+50494], want
}

func TestFixtureChunk(t *testing.T) {
	comp, want := fixtureChunk(t)
	d, _ := NewDecompressor(1 << 17)
	got := make([]byte, len(want))
	if err := d.Decompress(got, comp); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("fixture chunk decodes to different bytes")
	}
}

// TestTruncated decodes every prefix of a real chunk: each must fail with a
// *CorruptError (no panic, no silent success).
func TestTruncated(t *testing.T) {
	comp, want := fixtureChunk(t)
	d, _ := NewDecompressor(1 << 17)
	got := make([]byte, len(want))
	for n := 0; n < len(comp); n += 1 + n/64 {
		err := d.Decompress(got, comp[:n])
		var ce *CorruptError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d bytes: got %v, want a *CorruptError", n, err)
		}
	}
}

func TestCorruptInputs(t *testing.T) {
	d, _ := NewDecompressor(1000)
	out := make([]byte, 100)
	for _, src := range [][]byte{nil, {1}, {1, 2, 3}, {1, 2, 3, 4, 5}, bytes.Repeat([]byte{0xFF}, 64), make([]byte, 64)} {
		if err := d.Decompress(out, src); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%x: got %v, want ErrCorrupt", src, err)
		}
	}
	if err := d.Decompress(make([]byte, 1001), make([]byte, 8)); !errors.Is(err, ErrChunkSize) {
		t.Errorf("oversized output: got %v, want ErrChunkSize", err)
	}
	for _, n := range []int{0, -1, MaxChunkSize + 1} {
		if _, err := NewDecompressor(n); !errors.Is(err, ErrChunkSize) {
			t.Errorf("NewDecompressor(%d): %v", n, err)
		}
		if _, err := NewCompressor(n, 0); !errors.Is(err, ErrChunkSize) {
			t.Errorf("NewCompressor(%d): %v", n, err)
		}
	}
	if _, err := NewCompressor(1000, 101); err == nil {
		t.Error("level 101 accepted")
	}
}

// FuzzDecompress feeds arbitrary chunks and output sizes to the decoder:
// it must return (an error or not) without panicking.
func FuzzDecompress(f *testing.F) {
	comp, want := fixtureChunk(f)
	f.Add(comp[:4096], uint32(len(want)))
	f.Add(comp, uint32(len(want)))
	c, _ := NewCompressor(1<<16, 50)
	for i, src := range [][]byte{genMixed(1, 3000), genX86(nil, 0), genDelta(newRand(2), 2000), []byte("hello hello hello hello")} {
		if len(src) == 0 {
			continue
		}
		dst := make([]byte, len(src))
		if n := c.Compress(dst[:len(src)-1], src); n > 0 {
			f.Add(dst[:n], uint32(len(src)+i%2))
		}
	}
	d, _ := NewDecompressor(1 << 17)
	out := make([]byte, 1<<17)
	f.Fuzz(func(t *testing.T, src []byte, size uint32) {
		size = size%(1<<17) + 1
		err := d.Decompress(out[:size], src)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("unexpected error type: %v", err)
		}
	})
}

// FuzzRoundTrip compresses arbitrary data at an arbitrary level and checks
// that it decodes back exactly. Inputs are cut to fuzzChunk bytes: larger
// ones exercise nothing new but cost many times more per execution.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("abcabcabcabcabcabcabc"), uint8(50))
	f.Add(genMixed(5, 5000), uint8(1))
	f.Add(genX86(newRand(3), 4000), uint8(100))
	f.Add(genDelta(newRand(4), 3000), uint8(40))
	f.Add(bytes.Repeat([]byte{0xE8, 1, 2, 3, 4}, 100), uint8(30))
	const fuzzChunk = 1 << 13
	var cs [101]*Compressor
	d, _ := NewDecompressor(fuzzChunk)
	f.Fuzz(func(t *testing.T, src []byte, level uint8) {
		if len(src) == 0 {
			return
		}
		src = src[:min(len(src), fuzzChunk)]
		l := int(level)%100 + 1
		if cs[l] == nil {
			cs[l], _ = NewCompressor(fuzzChunk, l)
		}
		roundTrip(t, cs[l], d, src)
	})
}

// TestZeroAllocs checks that steady-state chunks allocate nothing.
func TestZeroAllocs(t *testing.T) {
	src := genMixed(11, 1<<17)
	for _, level := range []int{10, 50} {
		c, _ := NewCompressor(1<<17, level)
		d, _ := NewDecompressor(1 << 17)
		dst := make([]byte, len(src))
		out := make([]byte, len(src))
		n := c.Compress(dst[:len(src)-1], src)
		if n == 0 {
			t.Fatal("not compressed")
		}
		if a := testing.AllocsPerRun(2, func() { c.Compress(dst[:len(src)-1], src) }); a != 0 {
			t.Errorf("level %d: Compress allocates %.0f times per chunk", level, a)
		}
		if a := testing.AllocsPerRun(2, func() { _ = d.Decompress(out, dst[:n]) }); a != 0 {
			t.Errorf("Decompress allocates %.0f times per chunk", a)
		}
	}
}
