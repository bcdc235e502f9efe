package wim

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// plainBlob asks the writer to store it uncompressed.
type plainBlob struct{ BytesBlob }

func (plainBlob) NoCompress() bool { return true }

func TestNoCompressBlobsAreStoredUncompressed(t *testing.T) {
	text := bytes.Repeat([]byte("compressible text, stored as it is. "), 4000) // 144 KB, 5 chunks
	other := bytes.Repeat([]byte("compressed normally. "), 4000)
	img := NewImage("plain")
	blobs := NewBlobSet()
	for name, b := range map[string]Blob{`\keep.txt`: plainBlob{BytesBlob(text)}, `\squeeze.txt`: BytesBlob(other)} {
		in := &Inode{Attributes: AttrArchive, SecurityID: -1}
		in.Data = Stream{Size: b.Size(), Data: b}
		if _, err := img.AddFile(name, in); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "plain.wim")
	if err := WriteFile(p, []ImageSource{{Image: img, Blobs: blobs}}, WriteOptions{Compression: LZX}); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
	w, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, c := range []struct {
		data       []byte
		compressed bool
	}{{text, false}, {other, true}} {
		b := w.Blob(HashBytes(c.data))
		if b == nil {
			t.Fatal("blob missing")
		}
		e := b.Entry()
		if got := e.Flags&ResFlagCompressed != 0; got != c.compressed {
			t.Errorf("blob of %d bytes: compressed=%v, want %v (entry %+v)", len(c.data), got, c.compressed, e)
		}
		r, _ := b.Open()
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, c.data) {
			t.Error("content differs")
		}
	}
}
