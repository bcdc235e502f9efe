package lzms

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestWimlibReadsOurOutput checks the compressor against independent
// decoders: it captures a tree with wimlib-imagex, recompresses every LZMS
// resource (file blobs, the metadata resource, the solid resource) with
// this package, appends the new resources to the WIM, points the blob table
// at them, and has `wimlib-imagex verify` (which decompresses every blob
// and checks its SHA-1) and `7zz t` accept the result.
func TestWimlibReadsOurOutput(t *testing.T) {
	testutil.RequireTool(t, "wimlib-imagex")
	testutil.RequireTool(t, "7zz")
	gen := writeTestTree(t, true)
	fixture := testutil.Fixture(t, "wim", "src") // holds sub/deeper/e8calls.bin
	for _, tc := range []struct {
		name  string
		tree  string
		args  []string
		level int
	}{
		{"lzms-128k-level50", gen, []string{"--compress=lzms"}, 50},
		{"lzms-32k-level5", gen, []string{"--compress=lzms", "--chunk-size=32768"}, 5},
		{"solid-512k-level60", gen, []string{"--solid", "--solid-chunk-size=524288"}, 60},
		{"fixture-src-default", fixture, []string{"--compress=lzms"}, 0},
		{"fixture-src-level100", fixture, []string{"--compress=lzms"}, 100},
		{"fixture-src-solid", fixture, []string{"--solid"}, 0},
	} {
		tree := tc.tree
		t.Run(tc.name, func(t *testing.T) {
			w := filepath.Join(t.TempDir(), "x.wim")
			testutil.Run(t, "wimlib-imagex", append([]string{"capture", tree, w, "--threads=1"}, tc.args...)...)
			n := rewriteWithOurChunks(t, w, tc.level)
			if n == 0 {
				t.Fatal("no resource was rewritten")
			}
			testutil.Run(t, "wimlib-imagex", "verify", w)
			testutil.Run(t, "7zz", "t", w)
			// And our own reader agrees.
			blobs, _ := decodeWIM(t, w)
			checkTree(t, tree, blobs)
			t.Logf("%d resources recompressed", n)
		})
	}
}

// rewriteWithOurChunks recompresses every LZMS resource of the WIM at path
// and returns how many it replaced.
func rewriteWithOurChunks(t *testing.T, path string, level int) int {
	t.Helper()
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	chunkSize := int(binary.LittleEndian.Uint32(f[0x14:]))
	bt := parseReshdr(f[0x30:])
	var st wimStats
	replaced := 0
	for p := bt.offset; p < bt.offset+bt.size; p += blobEntrySize {
		e := parseReshdr(f[p:])
		var res []byte
		switch {
		case e.flags&resFlagSolid != 0 && e.usize == solidResUsize:
			data := decodeSolid(t, f, e, &st)
			cs := int(binary.LittleEndian.Uint32(f[e.offset+8:]))
			res = buildSolidResource(t, data, cs, level)
		case e.flags&resFlagSolid != 0:
			continue
		case e.flags&resFlagCompress != 0:
			data := decodeNonSolid(t, f, e, chunkSize, &st)
			res = buildResource(t, data, chunkSize, level)
		default:
			continue
		}
		off := uint64(len(f))
		f = append(f, res...)
		var sz [8]byte
		binary.LittleEndian.PutUint64(sz[:], uint64(len(res)))
		copy(f[p:p+7], sz[:7])
		binary.LittleEndian.PutUint64(f[p+8:], off)
		replaced++
	}
	if err := os.WriteFile(path, f, 0o644); err != nil {
		t.Fatal(err)
	}
	return replaced
}

func compressChunks(t *testing.T, data []byte, chunkSize, level int) [][]byte {
	t.Helper()
	c, err := NewCompressor(chunkSize, level)
	if err != nil {
		t.Fatal(err)
	}
	var chunks [][]byte
	for lo := 0; lo < len(data); lo += chunkSize {
		src := data[lo:min(lo+chunkSize, len(data))]
		dst := make([]byte, len(src))
		n := c.Compress(dst[:len(src)-1], src)
		if n == 0 {
			chunks = append(chunks, src)
		} else {
			chunks = append(chunks, dst[:n])
		}
	}
	return chunks
}

// buildResource makes a non-solid compressed resource: a table of N-1
// chunk offsets (relative to the end of the table; 4 bytes each while the
// data is under 4 GiB) followed by the chunks.
func buildResource(t *testing.T, data []byte, chunkSize, level int) []byte {
	chunks := compressChunks(t, data, chunkSize, level)
	var table, body []byte
	for i, c := range chunks {
		if i > 0 {
			table = binary.LittleEndian.AppendUint32(table, uint32(len(body)))
		}
		body = append(body, c...)
	}
	return append(table, body...)
}

// buildSolidResource makes a solid resource: {u64 size, u32 chunk size,
// u32 format}, one u32 compressed size per chunk, the chunks.
func buildSolidResource(t *testing.T, data []byte, chunkSize, level int) []byte {
	chunks := compressChunks(t, data, chunkSize, level)
	var r []byte
	r = binary.LittleEndian.AppendUint64(r, uint64(len(data)))
	r = binary.LittleEndian.AppendUint32(r, uint32(chunkSize))
	r = binary.LittleEndian.AppendUint32(r, solidFormatLZMS)
	for _, c := range chunks {
		r = binary.LittleEndian.AppendUint32(r, uint32(len(c)))
	}
	for _, c := range chunks {
		r = append(r, c...)
	}
	return r
}
