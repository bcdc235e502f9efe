package wim

import (
	"errors"
	"testing"
)

func TestTreeOps(t *testing.T) {
	img := NewImage("t")
	in := &Inode{Attributes: AttrArchive, SecurityID: -1}
	if _, err := img.AddFile(`Windows/System32/cmd.exe`, in); err != nil {
		t.Fatal(err)
	}
	if _, err := img.AddFile(`windows\system32\CMD.EXE`, in); err != nil {
		t.Fatalf("case-different name must be allowed: %v", err) // wimlib keeps both
	}
	if _, err := img.AddFile(`Windows\System32\cmd.exe`, in); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate: %v", err)
	}
	d, err := img.Lookup(`WINDOWS/system32/cmd.exe`)
	if err != nil || d.Name != "cmd.exe" {
		t.Fatalf("lookup: %v %v", d, err)
	}
	if d, _ := img.Lookup(`windows\system32\CMD.EXE`); d.Name != "CMD.EXE" {
		t.Fatal("exact-case match not preferred")
	}
	if _, err := img.Lookup(`Windows/System32/cmd.exe/x`); !errors.Is(err, ErrNotDir) {
		t.Fatalf("lookup through file: %v", err)
	}
	for _, bad := range []string{"a/..", `x\.`, "a\x00b"} {
		if _, err := img.AddFile(bad, in); !errors.Is(err, ErrInvalidName) {
			t.Errorf("AddFile(%q) = %v", bad, err)
		}
	}
	if err := img.Rename(`Windows\System32\CMD.EXE`, `Windows\renamed.exe`); err != nil {
		t.Fatal(err)
	}
	if err := img.Rename(`Windows`, `Windows\System32\loop`); err == nil {
		t.Fatal("moved a directory into itself")
	}
	var paths []string
	img.Walk(func(p string, d *Dentry) error { paths = append(paths, p); return nil })
	want := []string{`\`, `\Windows`, `\Windows\renamed.exe`, `\Windows\System32`, `\Windows\System32\cmd.exe`}
	if len(paths) != len(want) {
		t.Fatalf("walk %q", paths)
	}
	for i := range want {
		if paths[i] != want[i] {
			t.Fatalf("walk %q, want %q", paths, want)
		}
	}
	c := img.Clone()
	if err := c.Remove(`windows`); err != nil {
		t.Fatal(err)
	}
	if _, err := img.Lookup(`Windows\renamed.exe`); err != nil {
		t.Fatal("clone shares tree with original")
	}
	if st := img.Stats(); st.FileCount != 2 || st.DirCount != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCollation(t *testing.T) {
	// Order seen in wimlib-written fixtures.
	names := []string{"big-100000.bin", "emptydir", "sub", "Windows", "Ünïcödé-日本語-😀.txt"}
	for i := 1; i < len(names); i++ {
		if CompareNames(names[i-1], names[i]) >= 0 {
			t.Errorf("%q !< %q", names[i-1], names[i])
		}
	}
	if CompareNames("ABC", "abc") == 0 || CompareNames("a", "B") >= 0 {
		t.Error("case handling")
	}
}

func TestSetProperty(t *testing.T) {
	var ii ImageInfo
	for _, p := range []Property{{"NAME", "n"}, {"WINDOWS/ARCH", "9"}, {"WINDOWS/VERSION/BUILD", "26100"}, {"WINDOWS/LANGUAGES/LANGUAGE", "en-US"}, {"WINDOWS/LANGUAGES/LANGUAGE[2]", "de-DE"}, {"FLAGS", "9"}} {
		if err := ii.SetProperty(p.Path, p.Value); err != nil {
			t.Fatal(p, err)
		}
	}
	if err := ii.SetProperty("WINDOWS/LANGUAGES/LANGUAGE[4]", "x"); err == nil {
		t.Fatal("gap in index accepted")
	}
	w, ok := ii.WindowsInfo()
	if !ok || w.Arch != 9 || w.Version.Build != 26100 || len(w.Languages) != 2 || ii.Name != "n" || ii.Flags != "9" {
		t.Fatalf("%+v %+v", w, ii)
	}
	if v, ok := ii.Property("WINDOWS/LANGUAGES/LANGUAGE[2]"); !ok || v != "de-DE" {
		t.Fatal(v)
	}
}

func TestEncodeRepairsOrderAndRejectsBadNames(t *testing.T) {
	img := NewImage("t")
	a, _ := img.AddFile("a.txt", &Inode{Attributes: AttrArchive, SecurityID: -1})
	img.AddFile("b.txt", &Inode{Attributes: AttrArchive, SecurityID: -1})
	a.Name = "z.txt" // renamed without Rename: out of order
	if _, err := encodeMetadata(img, identity); err != nil {
		t.Fatal(err)
	}
	if img.Root.Children()[1] != a {
		t.Fatal("children not re-sorted")
	}
	a.Name = "b.txt"
	if _, err := encodeMetadata(img, identity); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate names: %v", err)
	}
	a.Name = `bad\name`
	if _, err := encodeMetadata(img, identity); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("bad name: %v", err)
	}
}
