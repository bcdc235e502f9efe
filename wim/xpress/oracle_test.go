package xpress

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// putReshdr encodes a 24-byte resource header.
func putReshdr(b []byte, h reshdr) {
	var sz [8]byte
	binary.LittleEndian.PutUint64(sz[:], uint64(h.size))
	copy(b[:7], sz[:7])
	b[7] = byte(h.flags)
	binary.LittleEndian.PutUint64(b[8:], uint64(h.off))
	binary.LittleEndian.PutUint64(b[16:], uint64(h.usize))
}

// compressResource builds a non-solid resource (chunk table + chunks) of
// data with c, or returns nil when it would not be smaller than data.
func compressResource(t *testing.T, c *Compressor, data []byte, chunkSize int) []byte {
	t.Helper()
	n := (len(data) + chunkSize - 1) / chunkSize
	table := make([]byte, 4*(n-1))
	var body []byte
	dst := make([]byte, chunkSize)
	for i := 0; i < n; i++ {
		if i > 0 {
			binary.LittleEndian.PutUint32(table[4*(i-1):], uint32(len(body)))
		}
		ch := data[i*chunkSize : min((i+1)*chunkSize, len(data))]
		if k := c.Compress(dst[:len(ch)-1], ch); k != 0 {
			body = append(body, dst[:k]...)
		} else {
			body = append(body, ch...)
		}
	}
	res := append(table, body...)
	if len(res) >= len(data) {
		return nil
	}
	return res
}

// rewriteWIM returns a copy of an XPRESS WIM made by wimlib-imagex with
// every resource (file data and image metadata) recompressed by c. The
// blob table and XML are copied; the integrity table is dropped.
func rewriteWIM(t *testing.T, path string, c *Compressor) (out []byte, ours int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	chunkSize, blobs := readWIMBlobs(t, data)
	d, err := NewDecompressor(chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, data[:wimHeaderSize]...)
	table := make([]byte, 0, len(blobs)*blobEntrySize)
	bt := parseReshdr(data[wimBlobTableOff:])
	for i, b := range blobs {
		var blob []byte
		if b.hdr.flags&reshdrCompress == 0 {
			blob = data[b.hdr.off : b.hdr.off+b.hdr.size]
		} else {
			for _, ch := range resourceChunks(t, data, b.hdr, chunkSize) {
				if len(ch.stored) == ch.usize {
					blob = append(blob, ch.stored...)
					continue
				}
				dst := make([]byte, ch.usize)
				if err := d.Decompress(dst, ch.stored); err != nil {
					t.Fatal(err)
				}
				blob = append(blob, dst...)
			}
		}
		h := b.hdr
		h.off = int64(len(out))
		if res := compressResource(t, c, blob, chunkSize); res != nil {
			h.size, h.flags = int64(len(res)), h.flags|reshdrCompress
			out = append(out, res...)
			ours++
		} else {
			h.size, h.flags = int64(len(blob)), h.flags&^reshdrCompress
			out = append(out, blob...)
		}
		e := bt.off + int64(i)*blobEntrySize
		entry := append([]byte(nil), data[e:e+blobEntrySize]...)
		putReshdr(entry, h)
		table = append(table, entry...)
	}
	bt.off, bt.size, bt.usize = int64(len(out)), int64(len(table)), int64(len(table))
	putReshdr(out[wimBlobTableOff:], bt)
	out = append(out, table...)
	xml := parseReshdr(data[0x48:])
	xmlBytes := data[xml.off : xml.off+xml.size]
	xml.off = int64(len(out))
	putReshdr(out[0x48:], xml)
	out = append(out, xmlBytes...)
	putReshdr(out[0x7c:], reshdr{}) // no integrity table
	return out, ours
}

// TestCompressWimlibVerifies recompresses every resource of wimlib-made
// XPRESS WIMs with this package, then has wimlib-imagex (verify: SHA-1
// of every blob; apply: the files) and 7-Zip decode the result.
func TestCompressWimlibVerifies(t *testing.T) {
	testutil.RequireTool(t, "wimlib-imagex")
	testutil.RequireTool(t, "7zz")
	src := t.TempDir()
	in := testInputs()
	writeTree(t, src, in)
	for _, chunkSize := range []int{32768, 4096, 65536} {
		for _, level := range []int{1, DefaultLevel, MaxLevel} {
			name := strconv.Itoa(chunkSize) + "-level" + strconv.Itoa(level)
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				orig := filepath.Join(dir, "wimlib.wim")
				testutil.Run(t, "wimlib-imagex", "capture", src, orig, "--compress=xpress",
					"--chunk-size="+strconv.Itoa(chunkSize), "--threads=1", "--no-acls")
				c, err := NewCompressor(chunkSize, level)
				if err != nil {
					t.Fatal(err)
				}
				rewritten, ours := rewriteWIM(t, orig, c)
				if ours < 10 {
					t.Fatalf("only %d resources compressed", ours)
				}
				mine := filepath.Join(dir, "ours.wim")
				if err := os.WriteFile(mine, rewritten, 0o644); err != nil {
					t.Fatal(err)
				}
				testutil.Run(t, "wimlib-imagex", "verify", mine)
				apply := filepath.Join(dir, "apply")
				testutil.Run(t, "wimlib-imagex", "apply", mine, "1", apply, "--no-acls")
				for name, want := range in {
					got, err := os.ReadFile(filepath.Join(apply, name[:1], name+".dat"))
					if err != nil || !bytes.Equal(got, want) {
						t.Errorf("%s: applied file differs (%v)", name, err)
					}
				}
				testutil.Run(t, "7zz", "t", mine)
			})
		}
	}
}
