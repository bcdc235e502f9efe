package hostfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/wim"
)

// benchImage is an in-memory image of n files of size bytes each.
func benchImage(b *testing.B, n, size int) (*wim.Image, *wim.BlobSet) {
	img := wim.NewImage("bench")
	blobs := wim.NewBlobSet()
	for i := range n {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(i*131 + j*7)
		}
		in := &wim.Inode{Attributes: wim.AttrNormal, SecurityID: -1, LastWriteTime: 133486382450000000,
			Data: wim.Stream{Hash: blobs.AddBytes(data), Size: int64(size)}}
		if _, err := img.AddFile(fmt.Sprintf(`\d%d\f%d.bin`, i%8, i), in); err != nil {
			b.Fatal(err)
		}
	}
	return img, blobs
}

// BenchmarkApply measures writing files (SHA-1 check included) through
// os.Root; the blob source is in memory, so no decompression is timed.
func BenchmarkApply(b *testing.B) {
	img, blobs := benchImage(b, 64, 128<<10)
	b.SetBytes(64 * 128 << 10)
	b.ReportAllocs()
	dir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		if _, err := Apply(img, blobs, filepath.Join(dir, fmt.Sprint(i)), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCapture measures scanning a tree into an image (contents are
// read later by the writer, so this is metadata work only).
func BenchmarkCapture(b *testing.B) {
	img, blobs := benchImage(b, 256, 1024)
	dir := filepath.Join(b.TempDir(), "tree")
	if _, err := Apply(img, blobs, dir, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Capture(dir, nil); err != nil {
			b.Fatal(err)
		}
	}
	_ = os.RemoveAll(dir)
}
