package sample

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/wimbuild/wimbuild/bcd"
	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe"
)

func small() Options { return Options{FillerBytes: 2 << 20} }

func TestBuildShape(t *testing.T) {
	base, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	if len(base.Images) != 2 || base.BootIndex != 2 {
		t.Fatalf("images %d boot %d", len(base.Images), base.BootIndex)
	}
	pe, setup := base.Images[0], base.Images[1]
	if _, err := pe.Lookup(`\sources\setup.exe`); err == nil {
		t.Error("image 1 has setup.exe")
	}
	for _, p := range []string{`\sources\setup.exe`, `\Windows\System32\wdscapture.exe`, `\Windows\Boot\PXE\pxeboot.n12`,
		`\Windows\Boot\DVD\EFI\BCD`, `\Windows\System32\config\SYSTEM`, `\windows\system32\CONFIG\software`} {
		if _, err := setup.Lookup(p); err != nil {
			t.Errorf("image 2 lacks %s: %v", p, err)
		}
	}
	w, ok := setup.Info.WindowsInfo()
	if !ok || w.Arch != 9 || w.EditionID != "WindowsPE" || w.Version.Build != 19041 {
		t.Fatalf("WINDOWS info %+v", w)
	}
	if pe.Info.Flags != "9" || setup.Info.Flags != "2" || setup.Info.Name != "Microsoft Windows Setup (amd64)" {
		t.Fatalf("info %+v / %+v", pe.Info, setup.Info)
	}
	// Every stream's blob is present, with the right size and hash.
	n := 0
	err = setup.Walk(func(path string, d *wim.Dentry) error {
		s := d.Inode.Data
		if s.Size == 0 {
			return nil
		}
		n++
		b := base.Blobs.LookupBlob(s.Hash)
		if b == nil || b.Size() != s.Size {
			t.Fatalf("%s: blob missing or wrong size", path)
		}
		if n%50 == 0 {
			r, _ := b.Open()
			h, size, _ := wim.HashReader(r)
			r.Close()
			if h != s.Hash || size != s.Size {
				t.Fatalf("%s: content does not match its hash", path)
			}
		}
		if d.Inode.SecurityID < 0 || int(d.Inode.SecurityID) >= len(setup.Security) {
			t.Fatalf("%s: security id %d", path, d.Inode.SecurityID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 40 {
		t.Fatalf("only %d files", n)
	}
}

func TestHivesAreRealAndReadable(t *testing.T) {
	base, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	read := func(path string) *regf.Hive {
		d, err := base.Images[1].Lookup(path)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := base.Blobs.LookupBlob(d.Inode.Data.Hash).Open()
		b, _ := io.ReadAll(r)
		h, err := regf.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := regf.Validate(b); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return h
	}
	sys := read(`\Windows\System32\config\SYSTEM`)
	k, err := sys.Key(winpe.ScratchSpaceKey)
	if err != nil {
		t.Fatal(err)
	}
	if v := k.Value(winpe.ScratchSpaceValue); v == nil {
		t.Fatal("no scratch space value")
	} else if n, err := v.DWORD(); err != nil || n != 32 {
		t.Fatalf("scratch space %d %v", n, err)
	}
	sw := read(`\Windows\System32\config\SOFTWARE`)
	k, err = sw.Key(`Microsoft\Windows NT\CurrentVersion`)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := k.Value("CurrentBuild").String(); s != "19041" {
		t.Fatalf("CurrentBuild %q", s)
	}
	read(`\Windows\System32\config\DEFAULT`)
	for _, p := range []string{`\Windows\Boot\DVD\PCAT\BCD`, `\Windows\Boot\DVD\EFI\BCD`} {
		d, _ := base.Images[1].Lookup(p)
		r, _ := base.Blobs.LookupBlob(d.Inode.Data.Hash).Open()
		b, _ := io.ReadAll(r)
		st, err := bcd.OpenStore(b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		objs, err := st.Objects()
		if err != nil || len(objs) < 3 {
			t.Fatalf("%s: %d objects, %v", p, len(objs), err)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Build(small())
	ha, hb := a.Blobs.Hashes(), b.Blobs.Hashes()
	if len(ha) != len(hb) {
		t.Fatalf("%d vs %d blobs", len(ha), len(hb))
	}
	for i := range ha {
		if ha[i] != hb[i] {
			t.Fatal("blob sets differ")
		}
	}
	x86, _ := Build(Options{Arch: winpe.ArchX86, FillerBytes: 1 << 20})
	if w, _ := x86.Images[0].Info.WindowsInfo(); w.Arch != 0 || x86.Images[0].Info.Name != "Microsoft Windows PE (x86)" {
		t.Fatalf("x86 info %+v", w)
	}
}

func TestGeneratedContentReadsInAnyChunking(t *testing.T) {
	g := &genBlob{seed: 42, kind: kindPE, size: 100001, head: []byte("MZhead")}
	r1, _ := g.Open()
	all, _ := io.ReadAll(r1)
	if int64(len(all)) != g.size || !bytes.HasPrefix(all, []byte("MZhead")) {
		t.Fatalf("len %d", len(all))
	}
	r2, _ := g.Open()
	var got []byte
	buf := make([]byte, 7)
	for {
		n, err := r2.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
	}
	if !bytes.Equal(all, got) {
		t.Fatal("content depends on read sizes")
	}
}

func TestDefaultSizeHasThousandsOfFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 100 MiB (runs in the full suite)")
	}
	base, err := Build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := base.Images[1].Stats()
	if st.FileCount < 1000 || st.TotalBytes < DefaultFillerBytes {
		t.Fatalf("stats %+v", st)
	}
	t.Logf("sample base: %+v", st)
}

// TestBuildStopsWhenCanceled: a closed Options.Cancel stops generation
// (which otherwise hashes every generated file) with ErrCanceled.
func TestBuildStopsWhenCanceled(t *testing.T) {
	done := make(chan struct{})
	close(done)
	start := time.Now()
	_, err := Build(Options{Cancel: done})
	if !errors.Is(err, ErrCanceled) {
		t.Fatalf("Build with a closed Cancel: %v, want ErrCanceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("canceled Build took %v", d)
	}
}
