package wim

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// synthImage builds a tree of n files in nested directories with content
// in set (about 1 in 8 files duplicated, a few hard links).
func synthImage(tb testing.TB, n int, set *BlobSet, fileSize int) *Image {
	img := NewImage("synthetic")
	rng := rand.New(rand.NewSource(1))
	var prev *Inode
	for i := 0; i < n; i++ {
		p := fmt.Sprintf(`Windows\System32\dir%03d\sub%02d\File_%05d.dll`, i%97, i%13, i)
		data := make([]byte, fileSize+rng.Intn(fileSize))
		for j := range data {
			data[j] = byte("ABCDEFGHIJKLMNOP"[rng.Intn(16)])
		}
		if i%8 == 1 {
			data = []byte("duplicate content")
		}
		h := set.AddBytes(data)
		in := &Inode{Attributes: AttrArchive, SecurityID: -1, LastWriteTime: 133486382450000000, Data: Stream{Hash: h, Size: int64(len(data))}}
		if i%100 == 50 && prev != nil {
			in = prev
		}
		if _, err := img.AddFile(p, in); err != nil {
			tb.Fatal(err)
		}
		prev = in
	}
	return img
}

func BenchmarkClone15k(b *testing.B) {
	img := synthImage(b, 15000, NewBlobSet(), 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img.Clone()
	}
}

// Every edit step of a build encodes its tree once (MarshalImage) and the
// first step after a cached one decodes it (UnmarshalImage).
func BenchmarkMarshalImage15k(b *testing.B) {
	img := synthImage(b, 15000, NewBlobSet(), 1)
	enc, err := MarshalImage(img)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := MarshalImage(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalImage15k(b *testing.B) {
	enc, err := MarshalImage(synthImage(b, 15000, NewBlobSet(), 1))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := UnmarshalImage(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup15k(b *testing.B) {
	img := synthImage(b, 15000, NewBlobSet(), 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := img.Lookup(`windows/system32/DIR061/sub10/file_14999.DLL`); err != nil && i == 0 {
			b.Log(err)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	set := NewBlobSet()
	img := synthImage(b, 2000, set, 2048)
	var total int64
	for _, h := range set.Hashes() {
		total += set.LookupBlob(h).Size()
	}
	for _, c := range []Compression{None, XPRESS, LZX} {
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var m memFile
				if _, err := Write(&m, []ImageSource{{img, set}}, WriteOptions{Compression: c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRawCopyExport(b *testing.B) {
	set := NewBlobSet()
	img := synthImage(b, 2000, set, 2048)
	var m memFile
	n, err := Write(&m, []ImageSource{{img, set}}, WriteOptions{Compression: LZX})
	if err != nil {
		b.Fatal(err)
	}
	w, err := Open(bytes.NewReader(m.b[:n]), n)
	if err != nil {
		b.Fatal(err)
	}
	imgs, _ := w.ImageSources()
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var o memFile
		if _, err := Write(&o, imgs, WriteOptions{Compression: LZX}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSynthRoundTrip(t *testing.T) {
	set := NewBlobSet()
	img := synthImage(t, 3000, set, 64)
	data := writeMem(t, []ImageSource{{img, set}}, WriteOptions{Compression: XPRESS})
	w, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	img2, err := w.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	if img2.Stats() != img.Stats() {
		t.Fatalf("stats %+v vs %+v", img2.Stats(), img.Stats())
	}
	if err := w.Verify(VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
	d, err := img2.Lookup(`WINDOWS/system32/dir050/sub11/file_00050.dll`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "File_00050.dll" {
		t.Fatal(d.Name)
	}
	p := writeTemp(t, data)
	out := wimlibDir(t, p, "1")
	if len(out) != 3000+1+1+1+97+97*13 {
		t.Errorf("wimlib lists %d entries", len(out))
	}
}

// BenchmarkWriteHostDir writes the regular files under $WIMBUILD_BENCH_DIR
// (hashed while written) to a WIM with $WIMBUILD_BENCH_COMP compression.
func BenchmarkWriteHostDir(b *testing.B) {
	root := os.Getenv("WIMBUILD_BENCH_DIR")
	if root == "" {
		b.Skip("set WIMBUILD_BENCH_DIR to a directory to capture")
	}
	comp, err := ParseCompression(os.Getenv("WIMBUILD_BENCH_COMP"))
	if err != nil {
		comp = LZX
	}
	img := NewImage("bench")
	var total int64
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		in := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Size: fi.Size(), Data: NewFileBlob(p, fi.Size())}}
		if _, err := img.AddFile(rel, in); err == nil {
			total += fi.Size()
		}
		return nil
	})
	out := filepath.Join(b.TempDir(), "bench.wim")
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteFile(out, []ImageSource{{Image: img}}, WriteOptions{Compression: comp}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	st, _ := os.Stat(out)
	b.ReportMetric(float64(st.Size()), "wim-bytes")
}

func BenchmarkMetadata15k(b *testing.B) {
	img := synthImage(b, 15000, NewBlobSet(), 1)
	md, err := encodeMetadata(img, identity)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(len(md)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			encodeMetadata(img, identity)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(md)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := parseMetadata(md, 0, func(Hash) (int64, bool) { return 1, true }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	set := NewBlobSet()
	img := synthImage(b, 1000, set, 8192)
	for _, c := range []Compression{None, XPRESS, LZX} {
		var m memFile
		n, err := Write(&m, []ImageSource{{img, set}}, WriteOptions{Compression: c})
		if err != nil {
			b.Fatal(err)
		}
		w, err := Open(bytes.NewReader(m.b[:n]), n)
		if err != nil {
			b.Fatal(err)
		}
		var total int64
		for _, bl := range w.Blobs() {
			total += bl.Size()
		}
		b.Run(c.String(), func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := w.Verify(VerifyOptions{Threads: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
