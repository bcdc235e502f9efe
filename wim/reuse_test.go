package wim

import (
	"bytes"
	"fmt"
	"testing"
)

// reuseImage builds an image with enough files for a metadata resource of
// many chunks; variant changes one file's content.
func reuseImage(t testing.TB, variant string) ImageSource {
	return reuseImageN(t, variant, 3000)
}

func reuseImageN(t testing.TB, variant string, n int) ImageSource {
	t.Helper()
	img := NewImage("reuse")
	blobs := NewBlobSet()
	for i := 0; i < n; i++ {
		data := []byte(fmt.Sprintf("file %d", i))
		if i == n/2 {
			data = []byte("changed " + variant)
		}
		h := blobs.AddBytes(data)
		in := &Inode{Attributes: AttrArchive, SecurityID: -1, LastWriteTime: 133486382450000000, Data: Stream{Hash: h, Size: int64(len(data))}}
		if _, err := img.AddFile(fmt.Sprintf(`\dir%02d\file%04d.txt`, i%40, i), in); err != nil {
			t.Fatal(err)
		}
	}
	return ImageSource{Image: img, Blobs: blobs}
}

// TestReuseMetadataChunks: with the previous output to borrow from, a
// one-file change compresses only the metadata chunks that changed, and the
// output is byte for byte what a fresh write gives.
func TestReuseMetadataChunks(t *testing.T) {
	for _, comp := range []Compression{XPRESS, LZX, LZMS} {
		t.Run(comp.String(), func(t *testing.T) {
			opts := WriteOptions{Compression: comp, Threads: 2, Time: 133486382450000000}
			prev := writeMem(t, []ImageSource{reuseImage(t, "a")}, opts)
			pw, err := Open(bytes.NewReader(prev), int64(len(prev)))
			if err != nil {
				t.Fatal(err)
			}
			metadataChunksCompressed.Store(0)
			fresh := writeMem(t, []ImageSource{reuseImage(t, "b")}, opts)
			all := metadataChunksCompressed.Load()
			metadataChunksCompressed.Store(0)
			opts.Reuse = []*WIM{pw}
			reused := writeMem(t, []ImageSource{reuseImage(t, "b")}, opts)
			n := metadataChunksCompressed.Load()
			if !bytes.Equal(fresh, reused) {
				t.Fatalf("output with Reuse differs from a fresh write (%d vs %d bytes)", len(reused), len(fresh))
			}
			if all < 3 || n > 2 || n >= all {
				t.Fatalf("compressed %d of %d metadata chunks with the previous output to borrow from, want at most 2", n, all)
			}
			// A different chunk size borrows nothing (and still writes the same bytes).
			opts.ChunkSize = 2 * int(pw.Header().ChunkSize)
			opts.Reuse = nil
			want := writeMem(t, []ImageSource{reuseImage(t, "b")}, opts)
			opts.Reuse = []*WIM{pw}
			metadataChunksCompressed.Store(0)
			if got := writeMem(t, []ImageSource{reuseImage(t, "b")}, opts); !bytes.Equal(got, want) {
				t.Fatal("output with a mismatched Reuse differs from a fresh write")
			}
			if metadataChunksCompressed.Load() == 0 {
				t.Fatal("chunks of another chunk size were borrowed")
			}
		})
	}
}

// damageCase writes a previous output (variant "a") and the fresh bytes
// of variant "b", and opens the previous output for damage (prev is the
// slice it reads).
type damageCase struct {
	opts  WriteOptions
	prev  []byte
	fresh []byte
	pw    *WIM
	meta  *WIMBlob
}

func newDamageCase(t *testing.T) *damageCase {
	t.Helper()
	c := &damageCase{opts: WriteOptions{Compression: LZX, Threads: 2, Time: 133486382450000000}}
	c.prev = writeMem(t, []ImageSource{reuseImage(t, "a")}, c.opts)
	c.fresh = writeMem(t, []ImageSource{reuseImage(t, "b")}, c.opts)
	var err error
	if c.pw, err = Open(bytes.NewReader(c.prev), int64(len(c.prev))); err != nil {
		t.Fatal(err)
	}
	if c.meta, err = c.pw.MetadataBlob(1); err != nil {
		t.Fatal(err)
	}
	return c
}

// borrowGivesFresh writes variant "b" borrowing from the (damaged)
// previous output and requires the fresh bytes.
func (c *damageCase) borrowGivesFresh(t *testing.T) {
	t.Helper()
	opts := c.opts
	opts.Reuse = []*WIM{c.pw}
	if got := writeMem(t, []ImageSource{reuseImage(t, "b")}, opts); !bytes.Equal(got, c.fresh) {
		t.Fatal("a damaged previous output changed the written bytes")
	}
}

// A damaged previous output lends nothing wrong: the write still gives
// the fresh bytes.
func TestReuseDamagedPrevious(t *testing.T) {
	c := newDamageCase(t)
	// Flip bytes across the stored metadata resource.
	for off := c.meta.entry.Offset + 100; off < c.meta.entry.Offset+c.meta.entry.SizeInWIM; off += 997 {
		c.prev[off] ^= 0x55
	}
	c.borrowGivesFresh(t)
}

// A previous output whose metadata entry claims a huge size lends nothing
// and allocates nothing for it (it fails validation or exceeds the memo's
// budget of MaxMetadataSize decompressed bytes).
func TestReuseHostileSize(t *testing.T) {
	c := newDamageCase(t)
	c.meta.res.usize = 1 << 40 // what a damaged blob table could claim
	if memo := metadataChunks([]*WIM{c.pw}, LZX, 32768); len(memo) != 0 {
		t.Fatalf("%d chunks borrowed from a metadata resource claiming 1 TiB", len(memo))
	}
	c.borrowGivesFresh(t)
}

// FuzzReuse: whatever the previous output's bytes, a write that borrows
// from it gives exactly the fresh write's bytes (or the previous output
// does not open), and never panics.
func FuzzReuse(f *testing.F) {
	opts := WriteOptions{Compression: XPRESS, ChunkSize: 4096, Threads: 1, Time: 133486382450000000}
	f.Add(writeMem(f, []ImageSource{reuseImageN(f, "a", 150)}, opts))
	fresh := writeMem(f, []ImageSource{reuseImageN(f, "b", 150)}, opts)
	f.Fuzz(func(t *testing.T, prev []byte) {
		pw, err := Open(bytes.NewReader(prev), int64(len(prev)))
		if err != nil {
			return
		}
		o := opts
		o.Reuse = []*WIM{pw}
		if got := writeMem(t, []ImageSource{reuseImageN(t, "b", 150)}, o); !bytes.Equal(got, fresh) {
			t.Fatal("borrowing from this previous output changed the written bytes")
		}
	})
}
