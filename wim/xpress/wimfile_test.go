package xpress

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// A minimal, test-only WIM reader: just enough of the header and blob table
// (layout in research/wim.md §1.6) to find every XPRESS chunk in a file
// made by wimlib-imagex.

const (
	wimHeaderSize   = 208
	wimBlobTableOff = 0x30
	wimChunkSizeOff = 0x14
	wimFlagsOff     = 0x10
	wimFlagXPRESS   = 0x20000
	blobEntrySize   = 50
	reshdrCompress  = 0x04
	reshdrSolid     = 0x10
)

type reshdr struct {
	size, flags, off, usize int64
}

func parseReshdr(b []byte) reshdr {
	var sz [8]byte
	copy(sz[:], b[:7])
	return reshdr{
		size:  int64(binary.LittleEndian.Uint64(sz[:])),
		flags: int64(b[7]),
		off:   int64(binary.LittleEndian.Uint64(b[8:])),
		usize: int64(binary.LittleEndian.Uint64(b[16:])),
	}
}

type wimBlob struct {
	hdr  reshdr
	sha1 [20]byte
}

// chunk is one stored chunk of a resource.
type chunk struct {
	stored []byte
	usize  int
}

// readWIMBlobs returns the chunk size and blob table of an XPRESS WIM.
func readWIMBlobs(t testing.TB, data []byte) (int, []wimBlob) {
	t.Helper()
	if len(data) < wimHeaderSize || string(data[:8]) != "MSWIM\x00\x00\x00" {
		t.Fatal("not a WIM file")
	}
	if binary.LittleEndian.Uint32(data[wimFlagsOff:])&wimFlagXPRESS == 0 {
		t.Fatal("WIM is not XPRESS-compressed")
	}
	chunkSize := int(binary.LittleEndian.Uint32(data[wimChunkSizeOff:]))
	bt := parseReshdr(data[wimBlobTableOff:])
	if bt.off+bt.size > int64(len(data)) || bt.size%blobEntrySize != 0 {
		t.Fatalf("bad blob table %+v", bt)
	}
	var blobs []wimBlob
	for p := bt.off; p < bt.off+bt.size; p += blobEntrySize {
		e := data[p : p+blobEntrySize]
		var b wimBlob
		b.hdr = parseReshdr(e)
		copy(b.sha1[:], e[30:50])
		blobs = append(blobs, b)
	}
	return chunkSize, blobs
}

// resourceChunks slices a non-solid compressed resource into its chunks
// using its chunk table (N-1 offsets relative to the table's end).
func resourceChunks(t testing.TB, data []byte, h reshdr, chunkSize int) []chunk {
	t.Helper()
	n := int((h.usize + int64(chunkSize) - 1) / int64(chunkSize))
	entry := 4
	if h.usize > 0xffffffff {
		entry = 8
	}
	tableLen := (n - 1) * entry
	res := data[h.off : h.off+h.size]
	body := res[tableLen:]
	starts := []int64{0}
	for i := 0; i < n-1; i++ {
		if entry == 4 {
			starts = append(starts, int64(binary.LittleEndian.Uint32(res[i*4:])))
		} else {
			starts = append(starts, int64(binary.LittleEndian.Uint64(res[i*8:])))
		}
	}
	starts = append(starts, int64(len(body)))
	var chunks []chunk
	for i := 0; i < n; i++ {
		us := chunkSize
		if i == n-1 {
			us = int(h.usize - int64(i)*int64(chunkSize))
		}
		chunks = append(chunks, chunk{stored: body[starts[i]:starts[i+1]], usize: us})
	}
	return chunks
}

// decodeWIM decompresses every compressed blob of an XPRESS WIM, checks
// each blob's SHA-1 and returns the blobs by SHA-1 plus the number of
// chunks that were actually compressed.
func decodeWIM(t *testing.T, path string) (map[[20]byte][]byte, int) {
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
	out := map[[20]byte][]byte{}
	compressed := 0
	for _, b := range blobs {
		if b.hdr.flags&reshdrSolid != 0 {
			t.Fatalf("%s: solid resources are not XPRESS chunks", path)
		}
		var blob []byte
		if b.hdr.flags&reshdrCompress == 0 {
			blob = data[b.hdr.off : b.hdr.off+b.hdr.size]
		} else {
			for i, c := range resourceChunks(t, data, b.hdr, chunkSize) {
				if len(c.stored) == c.usize {
					blob = append(blob, c.stored...)
					continue
				}
				dst := make([]byte, c.usize)
				if err := d.Decompress(dst, c.stored); err != nil {
					t.Fatalf("%s: blob at 0x%x chunk %d: %v", path, b.hdr.off, i, err)
				}
				compressed++
				blob = append(blob, dst...)
			}
		}
		if sha1.Sum(blob) != b.sha1 {
			t.Fatalf("%s: blob at 0x%x: SHA-1 mismatch after decompression", path, b.hdr.off)
		}
		out[b.sha1] = blob
	}
	return out, compressed
}

// checkTree checks that every non-empty regular file under dir is a blob.
func checkTree(t *testing.T, dir string, blobs map[[20]byte][]byte) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		want, err := os.ReadFile(p)
		if err != nil || len(want) == 0 {
			return err
		}
		got, ok := blobs[sha1.Sum(want)]
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: no matching blob in the WIM", p)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
