package wim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// Security descriptors, short names, named streams on files and
// directories, and reparse points survive a write/read cycle and are
// accepted by wimlib.
func TestWriteRichFeatures(t *testing.T) {
	set := NewBlobSet()
	img := NewImage("rich")
	sd1 := []byte{1, 0, 4, 0x80, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	sd2 := append(bytes.Clone(sd1), 1, 2, 3, 4)
	id1 := img.AddSecurityDescriptor(sd1)
	id2 := img.AddSecurityDescriptor(sd2)
	if img.AddSecurityDescriptor(bytes.Clone(sd1)) != id1 || id1 == id2 {
		t.Fatal("security descriptors not deduplicated")
	}
	img.Root.Inode.SecurityID = id1
	main := set.AddBytes([]byte("main data"))
	ads := set.AddBytes([]byte("zone identifier"))
	f, err := img.AddFile(`Program Files\App\setup.exe`, &Inode{
		Attributes: AttrArchive, SecurityID: id2,
		Data:  Stream{Hash: main, Size: 9},
		Named: []Stream{{Name: "Zone.Identifier", Hash: ads, Size: 15}, {Name: "empty"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ShortName = "SETUP~1.EXE"
	dir, _ := img.Lookup(`Program Files`)
	dir.ShortName = "PROGRA~1"
	dir.Inode.Named = []Stream{{Name: "dirstream", Hash: ads, Size: 15}}
	rp := set.AddBytes([]byte("\x10\x00\x10\x00\x00\x00\x00\x00t\x00a\x00r\x00g\x00"))
	if _, err := img.AddFile(`link`, &Inode{Attributes: AttrReparsePoint, SecurityID: SecurityInherit, ReparseTag: ReparseTagSymlink, ReparseFlags: ReparseFlagNotFixed, Reparse: Stream{Hash: rp, Size: 16}}); err != nil {
		t.Fatal(err)
	}
	data := writeMem(t, []ImageSource{{img, set}}, WriteOptions{Compression: XPRESS})
	p := writeTemp(t, data)
	testutil.Run(t, "wimlib-imagex", "verify", p)
	det := testutil.Run(t, "wimlib-imagex", "dir", p, "1", "--detailed")
	for _, want := range []string{`Short Name          = "SETUP~1.EXE"`, `Named data stream "Zone.Identifier":`, "Reparse Tag         = 0xa000000c"} {
		if !strings.Contains(det, want) {
			t.Errorf("wimlib dir --detailed lacks %q:\n%s", want, det)
		}
	}
	w, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	img2, err := w.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(img2.Security) != 2 || !bytes.Equal(img2.Security[1], sd2) {
		t.Fatalf("security table %x", img2.Security)
	}
	f2, err := img2.Lookup(`program files\app\SETUP.EXE`)
	if err != nil {
		t.Fatal(err)
	}
	if f2.ShortName != "SETUP~1.EXE" || f2.Inode.SecurityID != id2 || len(f2.Inode.Named) != 2 || f2.Inode.Named[0].Hash != ads || f2.Inode.Data.Hash != main {
		t.Fatalf("file read back as %+v %+v", f2, f2.Inode)
	}
	d2, _ := img2.Lookup(`Program Files`)
	if len(d2.Inode.Named) != 1 || !d2.Inode.Data.Hash.IsZero() {
		t.Fatalf("directory streams %+v", d2.Inode)
	}
	l2, _ := img2.Lookup("link")
	if l2.Inode.SecurityID != id1 || l2.Inode.Reparse.Hash != rp || l2.Inode.ReparseFlags != ReparseFlagNotFixed {
		t.Fatalf("reparse point read back as %+v", l2.Inode)
	}
	out, err := encodeMetadata(img2, identity)
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := w.MetadataBlob(1)
	raw, _ := readAllVerified(mb, MaxMetadataSize, "m")
	if !bytes.Equal(out, raw) {
		for i := range min(len(out), len(raw)) {
			if out[i] != raw[i] {
				t.Fatalf("metadata not byte-stable across a read: first difference at 0x%x of %d/%d", i, len(out), len(raw))
			}
		}
		t.Fatalf("metadata not byte-stable across a read: %d vs %d bytes", len(out), len(raw))
	}
}
