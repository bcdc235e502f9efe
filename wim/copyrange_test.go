package wim

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// rawCopySource writes a compressed WIM whose blobs mix small files with
// resources far above kernelCopyMin, so a raw-copy export settles both
// through the buffer and through copyRange.
func rawCopySource(t *testing.T) (string, *WIM) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	img := NewImage("raw copy")
	blobs := NewBlobSet()
	for i := range 40 {
		n := 1 + rng.IntN(4000)
		if i%7 == 3 {
			n = 600<<10 + rng.IntN(200<<10) // incompressible: stored near full size
		}
		data := make([]byte, n)
		for j := range data {
			if i%2 == 0 {
				data[j] = byte(rng.Uint32())
			} else {
				data[j] = "wimbuild "[j%9]
			}
		}
		h := blobs.AddBytes(data)
		in := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Hash: h, Size: int64(n)}}
		if _, err := img.AddFile(fmt.Sprintf("/d%d/f%02d.bin", i%3, i), in); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "src.wim")
	if err := WriteFile(p, []ImageSource{{img, blobs}}, WriteOptions{Compression: XPRESS, Threads: 2}); err != nil {
		t.Fatal(err)
	}
	w, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return p, w
}

// A raw-copy export into a file (kernel copies) equals the same export into
// memory (buffered copies) byte for byte, and wimlib accepts it.
func TestRawCopyKernelMatchesBuffered(t *testing.T) {
	_, src := rawCopySource(t)
	img, err := src.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	opts := WriteOptions{Compression: XPRESS, Threads: 2}
	mem := writeMem(t, []ImageSource{{img, src}}, opts)

	p := filepath.Join(t.TempDir(), "out.wim")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Write(f, []ImageSource{{img, src}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != n || !bytes.Equal(got, mem) {
		t.Fatalf("file export (%d bytes) differs from memory export (%d bytes)", len(got), len(mem))
	}
	big := 0
	for _, b := range src.Blobs() {
		if b.Entry().SizeInWIM >= kernelCopyMin {
			big++
		}
	}
	if big == 0 {
		t.Fatal("source has no resource large enough for a kernel copy")
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
}

// copyRange copies exactly the asked range, and stops short (no error) at
// the end of the source so the buffered copy reports the truncation.
func TestCopyRange(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	sp := filepath.Join(dir, "src")
	if err := os.WriteFile(sp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(sp)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(filepath.Join(dir, "dst"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.WriteAt([]byte("head"), 0); err != nil {
		t.Fatal(err)
	}
	n, err := copyRange(dst, 4, src, 1000, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2<<20 && (runtime.GOOS == "linux" || n != 0) {
		t.Fatalf("copied %d bytes", n)
	}
	if n == 2<<20 {
		got := make([]byte, 4+2<<20)
		if _, err := dst.ReadAt(got, 0); err != nil {
			t.Fatal(err)
		}
		if string(got[:4]) != "head" || !bytes.Equal(got[4:], data[1000:1000+2<<20]) {
			t.Fatal("copied bytes differ")
		}
	}
	// Past the end of the source: a short count, never an error or a hang.
	n, err = copyRange(dst, 0, src, int64(len(data))-10, 100)
	if err != nil || n > 10 {
		t.Fatalf("copy past EOF: %d, %v", n, err)
	}
}

// A source truncated under a pending raw copy fails the write with an
// error naming the offset (never a short, silently wrong output).
func TestRawCopyTruncatedSource(t *testing.T) {
	p, src := rawCopySource(t)
	img, err := src.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, HeaderSize+1000); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out.wim"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, opts := range []WriteOptions{{Compression: XPRESS}, {Compression: XPRESS, Digest: sha256.New(), Sync: true}} {
		_, err := Write(f, []ImageSource{{img, src}}, opts)
		if err == nil {
			t.Fatal("write from a truncated source succeeded")
		}
		if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "offset") {
			t.Errorf("error %q does not name the source and offset", err)
		}
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("error %q is not ErrTruncated", err)
		}
	}
}

// Metadata prepared beside the blob copies (no stream left to hash) equals
// metadata encoded after them (a stream hashed while writing).
func TestEarlyMetadataSameBytes(t *testing.T) {
	_, src := rawCopySource(t)
	img, err := src.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("startnet.cmd: wpeinit\r\n")
	hashed := img.Clone()
	in := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Hash: HashBytes(content), Size: int64(len(content))}}
	if _, err := hashed.AddFile("/Windows/System32/startnet.cmd", in); err != nil {
		t.Fatal(err)
	}
	extra := NewBlobSet()
	extra.AddBytes(content)
	pending := img.Clone()
	pin := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Size: int64(len(content)), Data: BytesBlob(content)}}
	if _, err := pending.AddFile("/Windows/System32/startnet.cmd", pin); err != nil {
		t.Fatal(err)
	}
	opts := WriteOptions{Compression: LZX, Threads: 2}
	a := writeMem(t, []ImageSource{{hashed, MergeSources(src, extra)}}, opts)
	b := writeMem(t, []ImageSource{{pending, src}}, opts)
	if !bytes.Equal(a, b) {
		t.Fatalf("early metadata output (%d bytes) differs from late (%d bytes)", len(a), len(b))
	}
	testutil.Run(t, "wimlib-imagex", "verify", writeTemp(t, a))
}

// With a Digest, Write feeds it exactly the bytes of the file it writes —
// planned and hashed while writing, or read back when the plan is given up
// or an integrity table is asked for — and the file equals a write without
// a digest.
func TestWriteDigest(t *testing.T) {
	_, src := rawCopySource(t)
	img, err := src.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	rnd := make([]byte, 200000) // incompressible, several chunks: written, then rewritten plain
	r := rand.New(rand.NewPCG(3, 4))
	for i := range rnd {
		rnd[i] = byte(r.Uint32())
	}
	grown := img.Clone()
	extra := NewBlobSet()
	for i, data := range [][]byte{[]byte("new file\r\n"), bytes.Repeat([]byte("compressible "), 9000), rnd} {
		in := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Hash: extra.AddBytes(data), Size: int64(len(data))}}
		if _, err := grown.AddFile(fmt.Sprintf("/new/%d.bin", i), in); err != nil {
			t.Fatal(err)
		}
	}
	pending := img.Clone()
	pin := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Size: int64(len(rnd)), Data: BytesBlob(rnd)}}
	if _, err := pending.AddFile("/new/pending.bin", pin); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		img    *Image
		bs     BlobSource
		opts   WriteOptions
		maxLit int64
	}{
		{"raw", img, src, WriteOptions{Compression: XPRESS}, 0},
		{"grown", grown, MergeSources(src, extra), WriteOptions{Compression: XPRESS}, 0},
		{"recompress", grown, MergeSources(src, extra), WriteOptions{Compression: LZX}, 0},
		{"pending", pending, src, WriteOptions{Compression: XPRESS}, 0},
		{"solid", grown, MergeSources(src, extra), WriteOptions{Compression: XPRESS, Solid: true, SolidCompression: XPRESS, SolidChunkSize: 1 << 16}, 0},
		{"none", grown, MergeSources(src, extra), WriteOptions{}, 0},
		{"integrity", grown, MergeSources(src, extra), WriteOptions{Compression: XPRESS, Integrity: true}, 0},
		{"given-up", grown, MergeSources(src, extra), WriteOptions{Compression: XPRESS}, 50000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.maxLit > 0 {
				old := planMaxLit
				planMaxLit = tc.maxLit
				defer func() { planMaxLit = old }()
			}
			tc.opts.Threads = 2
			want := writeMem(t, []ImageSource{{tc.img, tc.bs}}, tc.opts)
			p := filepath.Join(t.TempDir(), "out.wim")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			d := sha256.New()
			tc.opts.Digest, tc.opts.Sync = d, true
			n, err := Write(f, []ImageSource{{tc.img, tc.bs}}, tc.opts)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(got)) != n || !bytes.Equal(got, want) {
				t.Fatalf("digest write gave %d bytes, differing from the plain write (%d bytes)", len(got), len(want))
			}
			if sum := sha256.Sum256(got); !bytes.Equal(d.Sum(nil), sum[:]) {
				t.Fatal("digest does not match the written file")
			}
			testutil.Run(t, "wimlib-imagex", "verify", p)
		})
	}
}

// Solid resources take new blobs by extension, then name, ignoring case;
// names without an extension first.
func TestSolidOrder(t *testing.T) {
	names := []string{"b.TXT", "README", "a.dll", "Z.txt", "setup.exe", "c.Dll", "LICENSE", "a.txt"}
	slices.SortStableFunc(names, func(a, b string) int { return solidKeyOf(a).compare(solidKeyOf(b)) })
	want := []string{"LICENSE", "README", "a.dll", "c.Dll", "setup.exe", "a.txt", "b.TXT", "Z.txt"}
	if !slices.Equal(names, want) {
		t.Fatalf("order %q, want %q", names, want)
	}
}
