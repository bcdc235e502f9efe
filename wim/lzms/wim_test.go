package lzms

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// A minimal, test-only WIM reader: just enough of the container (header,
// blob table, chunk tables, solid resources) to cut LZMS chunks out of
// images written by wimlib-imagex and check what they decode to.

const (
	wimHeaderSize   = 208
	blobEntrySize   = 50
	resFlagMetadata = 0x02
	resFlagCompress = 0x04
	resFlagSolid    = 0x10
	solidResUsize   = 0x100000000
	solidFormatLZMS = 3
)

type reshdr struct {
	size, offset, usize uint64
	flags               byte
}

func parseReshdr(b []byte) reshdr {
	var r reshdr
	var s [8]byte
	copy(s[:], b[:7])
	r.size = binary.LittleEndian.Uint64(s[:])
	r.flags = b[7]
	r.offset = binary.LittleEndian.Uint64(b[8:])
	r.usize = binary.LittleEndian.Uint64(b[16:])
	return r
}

type blobEntry struct {
	res  reshdr
	sha1 [20]byte
}

type wimStats struct {
	chunks      int // LZMS chunks decoded
	solidChunks int
	blobs       int
}

// decodeWIM decodes every blob of a WIM written with LZMS compression,
// checks each against its SHA-1 from the blob table and returns them by
// hash.
func decodeWIM(t testing.TB, path string) (map[[20]byte][]byte, wimStats) {
	t.Helper()
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) < wimHeaderSize || string(f[:8]) != "MSWIM\x00\x00\x00" {
		t.Fatalf("%s: not a WIM", path)
	}
	chunkSize := int(binary.LittleEndian.Uint32(f[0x14:]))
	bt := parseReshdr(f[0x30:])
	if bt.offset+bt.size > uint64(len(f)) || bt.size%blobEntrySize != 0 {
		t.Fatalf("%s: bad blob table %+v", path, bt)
	}
	var entries []blobEntry
	for p := bt.offset; p < bt.offset+bt.size; p += blobEntrySize {
		e := f[p : p+blobEntrySize]
		var be blobEntry
		be.res = parseReshdr(e)
		copy(be.sha1[:], e[30:50])
		entries = append(entries, be)
	}
	var st wimStats
	blobs := map[[20]byte][]byte{}
	var solid []byte
	for _, e := range entries {
		if e.res.flags&resFlagSolid != 0 && e.res.usize == solidResUsize {
			if solid != nil {
				t.Fatalf("%s: more than one solid resource (not handled by this test reader)", path)
			}
			solid = decodeSolid(t, f, e.res, &st)
		}
	}
	for _, e := range entries {
		var data []byte
		switch {
		case e.res.flags&resFlagSolid != 0 && e.res.usize == solidResUsize:
			continue
		case e.res.flags&resFlagSolid != 0:
			if solid == nil || e.res.offset+e.res.size > uint64(len(solid)) {
				t.Fatalf("%s: solid blob outside the solid resource", path)
			}
			data = solid[e.res.offset : e.res.offset+e.res.size]
		case e.res.flags&resFlagCompress != 0:
			data = decodeNonSolid(t, f, e.res, chunkSize, &st)
		default:
			data = f[e.res.offset : e.res.offset+e.res.size]
		}
		if sha1.Sum(data) != e.sha1 {
			t.Fatalf("%s: blob at 0x%x (%d bytes, flags 0x%x): SHA-1 mismatch after decoding", path, e.res.offset, len(data), e.res.flags)
		}
		st.blobs++
		blobs[e.sha1] = data
	}
	return blobs, st
}

func decodeNonSolid(t testing.TB, f []byte, r reshdr, chunkSize int, st *wimStats) []byte {
	t.Helper()
	res := f[r.offset : r.offset+r.size]
	usize := int(r.usize)
	n := (usize + chunkSize - 1) / chunkSize
	ew := 4
	if r.usize > 0xFFFFFFFF {
		ew = 8
	}
	tableLen := (n - 1) * ew
	starts := make([]int, n+1)
	for i := 1; i < n; i++ {
		if ew == 4 {
			starts[i] = int(binary.LittleEndian.Uint32(res[(i-1)*4:]))
		} else {
			starts[i] = int(binary.LittleEndian.Uint64(res[(i-1)*8:]))
		}
	}
	starts[n] = len(res) - tableLen
	data := res[tableLen:]
	out := make([]byte, usize)
	d, err := NewDecompressor(chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		lo := i * chunkSize
		hi := min(lo+chunkSize, usize)
		comp := data[starts[i]:starts[i+1]]
		if len(comp) == hi-lo {
			copy(out[lo:hi], comp)
			continue
		}
		if err := d.Decompress(out[lo:hi], comp); err != nil {
			t.Fatalf("chunk %d of resource at 0x%x: %v", i, r.offset, err)
		}
		st.chunks++
	}
	return out
}

func decodeSolid(t testing.TB, f []byte, r reshdr, st *wimStats) []byte {
	t.Helper()
	res := f[r.offset : r.offset+r.size]
	usize := int(binary.LittleEndian.Uint64(res))
	chunkSize := int(binary.LittleEndian.Uint32(res[8:]))
	if format := binary.LittleEndian.Uint32(res[12:]); format != solidFormatLZMS {
		t.Fatalf("solid resource format %d, want LZMS", format)
	}
	n := (usize + chunkSize - 1) / chunkSize
	p := 16 + 4*n
	out := make([]byte, usize)
	d, err := NewDecompressor(chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		csize := int(binary.LittleEndian.Uint32(res[16+4*i:]))
		lo := i * chunkSize
		hi := min(lo+chunkSize, usize)
		comp := res[p : p+csize]
		p += csize
		if csize == hi-lo {
			copy(out[lo:hi], comp)
			continue
		}
		if err := d.Decompress(out[lo:hi], comp); err != nil {
			t.Fatalf("solid chunk %d at 0x%x: %v", i, r.offset+uint64(p-csize), err)
		}
		st.chunks++
		st.solidChunks++
	}
	return out
}

// checkTree requires every regular file under dir to be among the blobs.
func checkTree(t testing.TB, dir string, blobs map[[20]byte][]byte) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(want) == 0 {
			return nil
		}
		got, ok := blobs[sha1.Sum(want)]
		if !ok || !bytes.Equal(got, want) {
			return fmt.Errorf("%s: no decoded blob matches the file", p)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
