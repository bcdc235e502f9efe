package wim

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// Host files whose hash is unknown are hashed while written; identical
// content is still stored once.
func TestPendingStreams(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.txt":   bytes.Repeat([]byte("same content\n"), 1000),
		"b.txt":   bytes.Repeat([]byte("same content\n"), 1000), // duplicate of a
		"c.bin":   bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 50000),
		"d.txt":   []byte("unique size"),
		"e.empty": {},
	}
	img := NewImage("pending")
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		in := &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Size: int64(len(data)), Data: NewFileBlob(p, int64(len(data)))}}
		if _, err := img.AddFile(`dir\`+name, in); err != nil {
			t.Fatal(err)
		}
	}
	// A known-hash stream with the same content as a pending one.
	known := NewBlobSet()
	h := known.AddBytes(files["d.txt"])
	img.AddFile(`known.txt`, &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Hash: h, Size: int64(len(files["d.txt"]))}})

	for _, c := range []Compression{None, LZX} {
		data := writeMem(t, []ImageSource{{img, known}}, WriteOptions{Compression: c, Threads: 2})
		w, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(w.Blobs()); got != 3 {
			t.Errorf("%v: %d blobs stored, want 3 (a=b, c, d=known)", c, got)
		}
		if b := w.Blob(HashBytes(files["a.txt"])); b == nil || b.RefCount() != 2 {
			t.Errorf("%v: duplicate blob refcount wrong", c)
		}
		img2, err := w.Image(1)
		if err != nil {
			t.Fatal(err)
		}
		for name, exp := range files {
			d, err := img2.Lookup(`dir\` + name)
			if err != nil {
				t.Fatal(err)
			}
			if got := readStream(t, w, d.Inode.Data); !bytes.Equal(got, exp) {
				t.Errorf("%v: %s content differs", c, name)
			}
		}
		if err := w.Verify(VerifyOptions{}); err != nil {
			t.Fatal(err)
		}
		testutil.Run(t, "wimlib-imagex", "verify", writeTemp(t, data))
	}
	// A file that changed after capture is an error, not a corrupt WIM.
	os.WriteFile(filepath.Join(dir, "c.bin"), []byte("short"), 0o644)
	var m memFile
	if _, err := Write(&m, []ImageSource{{img, known}}, WriteOptions{}); err == nil {
		t.Fatal("shrunk file accepted")
	}
	// A known hash whose content does not match is detected.
	bad := NewBlobSet()
	bad.Add(h, BytesBlob("wrong data!"))
	img3 := NewImage("bad")
	img3.AddFile("x", &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Hash: h, Size: 11}})
	if _, err := Write(&m, []ImageSource{{img3, bad}}, WriteOptions{}); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("err = %v, want ErrHashMismatch", err)
	}
	img4 := NewImage("missing")
	img4.AddFile("x", &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Hash: HashBytes([]byte("nope")), Size: 4}})
	if _, err := Write(&m, []ImageSource{{img4, known}}, WriteOptions{}); !errors.Is(err, ErrBlobMissing) {
		t.Fatalf("err = %v, want ErrBlobMissing", err)
	}
}
