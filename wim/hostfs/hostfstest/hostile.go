package hostfstest

import (
	"bytes"
	"crypto/sha1"
	"os"
	"testing"
	"unicode/utf16"

	"github.com/wimbuild/wimbuild/wim"
)

// WriteHostileWIM writes an uncompressed one-image WIM to path whose image
// holds "ok.txt" and "sub/<name>" (a file with content "escaped\n"). Names
// the in-memory tree refuses ("..", "a/b", NUL, …) are written as a
// placeholder of the same UTF-16 length and patched into the metadata
// resource afterwards (with the metadata SHA-1 in the blob table fixed), as
// a hand-crafted hostile WIM would carry them.
func WriteHostileWIM(t testing.TB, path, name string) {
	t.Helper()
	units := utf16.Encode([]rune(name))
	placeholder := name
	patch := wim.ValidateName(name) != nil
	if patch {
		ph := make([]rune, len(units))
		for i := range ph {
			ph[i] = rune(0xE000 + i) // private-use characters: unique bytes
		}
		placeholder = string(ph)
	}
	img := wim.NewImage("hostile")
	blobs := wim.NewBlobSet()
	file := func(p string, data []byte) {
		in := &wim.Inode{Attributes: wim.AttrNormal, SecurityID: -1, LastWriteTime: 133486382450000000}
		if len(data) > 0 {
			in.Data = wim.Stream{Hash: blobs.AddBytes(data), Size: int64(len(data))}
		}
		if _, err := img.AddFile(p, in); err != nil {
			t.Fatal(err)
		}
	}
	file(`\ok.txt`, []byte("fine\n"))
	file(`\sub\`+placeholder, []byte("escaped\n"))
	if err := wim.WriteFile(path, []wim.ImageSource{{Image: img, Blobs: blobs}}, wim.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if !patch {
		return
	}
	w, err := wim.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := w.MetadataBlob(1)
	if err != nil {
		t.Fatal(err)
	}
	e := mb.Entry()
	w.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := data[e.Offset : e.Offset+e.SizeInWIM]
	oldSum := sha1.Sum(md)
	var from, to []byte
	for i, u := range utf16.Encode([]rune(placeholder)) {
		from = append(from, byte(u), byte(u>>8))
		to = append(to, byte(units[i]), byte(units[i]>>8))
	}
	if bytes.Count(md, from) != 1 {
		t.Fatalf("placeholder for %q found %d times in the metadata", name, bytes.Count(md, from))
	}
	copy(md[bytes.Index(md, from):], to)
	newSum := sha1.Sum(md)
	if bytes.Count(data, oldSum[:]) != 1 {
		t.Fatalf("metadata SHA-1 found %d times", bytes.Count(data, oldSum[:]))
	}
	copy(data[bytes.Index(data, oldSum[:]):], newSum[:])
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
