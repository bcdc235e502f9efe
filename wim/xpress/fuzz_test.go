package xpress

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// fixtureChunks returns the compressed chunks (and their sizes) of the
// wimlib-made fixtures.
func fixtureChunks(t testing.TB) (chunks [][]byte, sizes []int) {
	t.Helper()
	for _, name := range []string{"basic-xpress.wim", "basic-xpress4k.wim"} {
		data, err := os.ReadFile(testutil.Fixture(t, "wim", name))
		if err != nil {
			t.Fatal(err)
		}
		chunkSize, blobs := readWIMBlobs(t, data)
		for _, b := range blobs {
			if b.hdr.flags&reshdrCompress == 0 {
				continue
			}
			for _, c := range resourceChunks(t, data, b.hdr, chunkSize) {
				if len(c.stored) != c.usize {
					chunks = append(chunks, c.stored)
					sizes = append(sizes, c.usize)
				}
			}
		}
	}
	return chunks, sizes
}

func FuzzDecompress(f *testing.F) {
	chunks, sizes := fixtureChunks(f)
	for i, c := range chunks {
		f.Add(c, uint32(sizes[i]-1))
	}
	c, _ := NewCompressor(MaxChunkSize, DefaultLevel)
	for _, name := range []string{"text-5000", "binary-4096", "len-274", "zeros-300"} {
		src := testInputs()[name]
		dst := make([]byte, len(src))
		if n := c.Compress(dst, src); n != 0 {
			f.Add(dst[:n], uint32(len(src)-1))
		}
	}
	f.Add(make([]byte, 300), uint32(10))
	d, _ := NewDecompressor(MaxChunkSize)
	dst := make([]byte, MaxChunkSize)
	f.Fuzz(func(t *testing.T, src []byte, size uint32) {
		n := int(size%MaxChunkSize) + 1
		err := d.Decompress(dst[:n], src)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v is not ErrCorrupt", err)
		}
		var ce *CorruptError
		if err != nil && (!errors.As(err, &ce) || ce.Offset < 0 || ce.Offset > int64(len(src))) {
			t.Fatalf("bad error offset: %v", err)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	in := testInputs()
	for i, name := range sortedNames(in) {
		// Small seeds keep minimization of new inputs quick.
		b := in[name]
		f.Add(b[:min(len(b), 1500)], uint8(i))
	}
	f.Add([]byte("abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc"), uint8(1))
	var comps [MaxLevel + 1]*Compressor
	for l := MinLevel; l <= MaxLevel; l++ {
		comps[l], _ = NewCompressor(MaxChunkSize, l)
	}
	d, _ := NewDecompressor(MaxChunkSize)
	f.Fuzz(func(t *testing.T, src []byte, level uint8) {
		if len(src) == 0 || len(src) > MaxChunkSize {
			return
		}
		c := comps[int(level)%MaxLevel+1]
		roundTrip(t, c, d, src)
	})
}

// TestTruncated cuts valid chunks (wimlib's and ours) at every length: no
// panic, and a prefix that decodes without error must give the original
// bytes (only trailing padding and the end-of-data symbol are unread).
func TestTruncated(t *testing.T) {
	chunks, sizes := fixtureChunks(t)
	c, _ := NewCompressor(MaxChunkSize, DefaultLevel)
	in := testInputs()
	var want [][]byte
	d, _ := NewDecompressor(MaxChunkSize)
	for i, ch := range chunks {
		out := make([]byte, sizes[i])
		if err := d.Decompress(out, ch); err != nil {
			t.Fatal(err)
		}
		want = append(want, out)
	}
	for _, name := range []string{"text-5000", "binary-4096", "len-274", "mixed-32768"} {
		src := in[name]
		dst := make([]byte, len(src))
		n := c.Compress(dst, src)
		if n == 0 {
			t.Fatalf("%s did not compress", name)
		}
		chunks = append(chunks, dst[:n])
		want = append(want, src)
	}
	for i, ch := range chunks {
		ok := 0
		out := make([]byte, len(want[i]))
		for cut := 0; cut < len(ch); cut++ {
			if cut > tableBytes+64 && cut < len(ch)-64 && cut%61 != 0 {
				continue // every length near the ends, a sample between
			}
			err := d.Decompress(out, ch[:cut])
			switch {
			case err == nil:
				if !bytes.Equal(out, want[i]) {
					t.Fatalf("chunk %d cut at %d/%d: decoded wrong data without error", i, cut, len(ch))
				}
				ok++
			case !errors.Is(err, ErrCorrupt):
				t.Fatalf("chunk %d cut at %d: error %v is not ErrCorrupt", i, cut, err)
			case cut < tableBytes && err == nil:
				t.Fatalf("chunk %d: table cut at %d accepted", i, cut)
			}
		}
		if ok > 6 {
			t.Errorf("chunk %d: %d prefixes decoded; only the last words may be unneeded", i, ok)
		}
	}
}

// TestCorruptErrors checks typed errors for classic corruptions.
func TestCorruptErrors(t *testing.T) {
	d, _ := NewDecompressor(4096)
	out := make([]byte, 100)
	// Empty code: every symbol is invalid.
	err := d.Decompress(out, make([]byte, 300))
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("empty code: %v", err)
	}
	// Over-subscribed code: all 512 lengths 1.
	bad := bytes.Repeat([]byte{0x11}, 300)
	if err := d.Decompress(out, bad); !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || ce.Offset != 0 {
		t.Fatalf("over-subscribed: %v", err)
	}
	// Offset before the chunk start: a code with only symbol 256+16*5
	// (offset 32..63) and literal 'a', first symbol the match.
	lens := make([]byte, 256)
	lens['a'/2] = 1 << 4 // 'a' is odd: high nibble
	lens[(256+80)/2] = 1 // even symbol: low nibble
	src := append(lens, 0, 0, 0, 0, 0, 0)
	if err := d.Decompress(out, src); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("offset before start: %v", err)
	}
	if err := d.Decompress(make([]byte, 4097), src); err == nil || errors.Is(err, ErrCorrupt) {
		t.Fatalf("oversized output: %v", err)
	}
}

// TestFuzzDecompress7fd33de4abf3f760: a short stream whose code decodes
// zero padding as symbols used to run on past the end of the input and
// report an error offset beyond it. Now it stops as truncated.
func TestFuzzDecompress7fd33de4abf3f760(t *testing.T) {
	b, err := os.ReadFile("testdata/fuzz/FuzzDecompress/7fd33de4abf3f760")
	if err != nil {
		t.Fatal(err)
	}
	// The corpus file holds the two fuzz arguments as Go literals; decode
	// the []byte one.
	src := parseCorpusBytes(t, string(b))
	d, _ := NewDecompressor(MaxChunkSize)
	err = d.Decompress(make([]byte, 32768), src)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Offset > int64(len(src)) {
		t.Fatalf("got %v", err)
	}
}

// parseCorpusBytes extracts the first []byte("...") argument of a
// "go test fuzz v1" corpus file.
func parseCorpusBytes(t *testing.T, s string) []byte {
	t.Helper()
	i := strings.Index(s, "[]byte(")
	if i < 0 {
		t.Fatal("no []byte in corpus file")
	}
	rest := s[i+len("[]byte("):]
	j := strings.Index(rest, ")\n")
	if j < 0 {
		t.Fatal("unterminated []byte")
	}
	v, err := strconv.Unquote(rest[:j])
	if err != nil {
		t.Fatal(err)
	}
	return []byte(v)
}
