package lzx

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"os"
	"testing"
)

// Test-only WIM reader: just enough of the container (header, blob table,
// chunk tables) to slice out LZX chunks written by wimlib and check that
// they decode to the bytes whose SHA-1 the blob table records.

type wimChunk struct {
	data  []byte // stored bytes
	usize int    // uncompressed size
}

type wimBlob struct {
	sha1   [20]byte
	usize  int
	chunks []wimChunk
	raw    bool // resource stored uncompressed
}

type testWIM struct {
	chunkSize int
	lzx       bool
	blobs     []wimBlob
}

func parseReshdr(b []byte) (size int64, flags byte, off, usize int64) {
	var s [8]byte
	copy(s[:], b[:7])
	return int64(binary.LittleEndian.Uint64(s[:])), b[7], int64(binary.LittleEndian.Uint64(b[8:])), int64(binary.LittleEndian.Uint64(b[16:]))
}

func readTestWIM(t testing.TB, path string) *testWIM {
	t.Helper()
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) < 208 || string(f[:8]) != "MSWIM\x00\x00\x00" {
		t.Fatalf("%s: not a WIM", path)
	}
	w := &testWIM{
		chunkSize: int(binary.LittleEndian.Uint32(f[20:])),
		lzx:       binary.LittleEndian.Uint32(f[16:])&0x40000 != 0,
	}
	tsize, _, toff, _ := parseReshdr(f[0x30:])
	if toff+tsize > int64(len(f)) || tsize%50 != 0 {
		t.Fatalf("%s: bad blob table", path)
	}
	for e := toff; e < toff+tsize; e += 50 {
		size, flags, off, usize := parseReshdr(f[e:])
		if flags&0x10 != 0 {
			t.Fatalf("%s: solid resources not handled", path)
		}
		if off+size > int64(len(f)) {
			t.Fatalf("%s: blob at %d out of range", path, e)
		}
		b := wimBlob{usize: int(usize)}
		copy(b.sha1[:], f[e+30:e+50])
		res := f[off : off+size]
		if flags&0x04 == 0 {
			b.raw = true
			b.chunks = []wimChunk{{data: res, usize: int(usize)}}
			w.blobs = append(w.blobs, b)
			continue
		}
		n := int((usize + int64(w.chunkSize) - 1) / int64(w.chunkSize))
		tab := 4 * (n - 1)
		if usize > 1<<32 {
			t.Fatalf("%s: 8-byte chunk tables not handled", path)
		}
		starts := make([]int, n+1)
		for i := 1; i < n; i++ {
			starts[i] = int(binary.LittleEndian.Uint32(res[4*(i-1):]))
		}
		starts[n] = int(size) - tab
		for i := 0; i < n; i++ {
			cu := w.chunkSize
			if i == n-1 {
				cu = int(usize) - (n-1)*w.chunkSize
			}
			b.chunks = append(b.chunks, wimChunk{data: res[tab+starts[i] : tab+starts[i+1]], usize: cu})
		}
		w.blobs = append(w.blobs, b)
	}
	return w
}

// decodeBlob decompresses every chunk of b with d and returns the blob.
func decodeBlob(d *Decompressor, b wimBlob) ([]byte, error) {
	var out []byte
	for i, c := range b.chunks {
		if b.raw || len(c.data) == c.usize {
			out = append(out, c.data...)
			continue
		}
		dst := make([]byte, c.usize)
		if err := d.Decompress(dst, c.data); err != nil {
			return nil, fmt.Errorf("chunk %d (%d -> %d bytes): %w", i, len(c.data), c.usize, err)
		}
		out = append(out, dst...)
	}
	return out, nil
}

// checkWIMDecodes decodes every blob of the WIM at path and compares SHA-1s.
// It returns the decoded blobs by SHA-1 and the number of LZX chunks decoded.
func checkWIMDecodes(t *testing.T, path string) (map[[20]byte][]byte, int) {
	t.Helper()
	w := readTestWIM(t, path)
	if !w.lzx {
		t.Fatalf("%s: not LZX", path)
	}
	d, err := NewDecompressor(w.chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	got := map[[20]byte][]byte{}
	nlzx := 0
	for i, b := range w.blobs {
		for _, c := range b.chunks {
			if !b.raw && len(c.data) != c.usize {
				nlzx++
			}
		}
		data, err := decodeBlob(d, b)
		if err != nil {
			t.Errorf("%s blob %d: %v", path, i, err)
			continue
		}
		if len(data) != b.usize || sha1.Sum(data) != b.sha1 {
			t.Errorf("%s blob %d: SHA-1 mismatch after decoding", path, i)
			continue
		}
		got[b.sha1] = data
	}
	return got, nlzx
}

func TestGoldenFixtures(t *testing.T) {
	for _, name := range []string{"basic-lzx.wim", "bootlike-lzx.wim", "updated-lzx.wim", "reparse-lzx.wim"} {
		t.Run(name, func(t *testing.T) {
			blobs, n := checkWIMDecodes(t, fixture(t, "wim", name))
			if n == 0 {
				t.Fatal("no LZX chunks found")
			}
			// The source files must be among the decoded blobs.
			for _, src := range []string{"big-100000.bin", "exact-65536.bin", "sub/deeper/e8calls.bin"} {
				want, err := os.ReadFile(fixture(t, "wim", "src", src))
				if err != nil {
					t.Fatal(err)
				}
				if got, ok := blobs[sha1.Sum(want)]; !ok || !bytes.Equal(got, want) {
					t.Errorf("%s not decoded", src)
				}
			}
		})
	}
}
