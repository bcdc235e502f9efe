package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs/hostfstest"
)

func TestCaptureTree(t *testing.T) {
	src := t.TempDir()
	hostfstest.MakeTree(t, src, hostfstest.SymlinksSupported())
	img, sum, err := Capture(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.HardLinks != 2 {
		t.Errorf("hard links = %d, want 2", sum.HardLinks)
	}
	d, err := img.Lookup(`\dup1.txt`)
	if err != nil {
		t.Fatal(err)
	}
	h, err := img.Lookup(`\hardlink-to-dup1.txt`)
	if err != nil {
		t.Fatal(err)
	}
	if d.Inode != h.Inode {
		t.Error("hard links do not share an inode")
	}
	if d.Inode.Attributes != wim.AttrNormal || d.Inode.SecurityID != -1 {
		t.Errorf("file inode attributes 0x%x security %d", d.Inode.Attributes, d.Inode.SecurityID)
	}
	if got := FromFiletime(d.Inode.LastWriteTime); !got.Equal(hostfstest.FixedTime) {
		t.Errorf("last write time %v, want %v", got, hostfstest.FixedTime)
	}
	if d.Inode.CreationTime != d.Inode.LastWriteTime {
		t.Error("creation time is not the mtime")
	}
	e, err := img.Lookup(`\empty.bin`)
	if err != nil || !e.Inode.Data.Empty() || !e.Inode.Data.Hash.IsZero() {
		t.Errorf("empty file: %v %+v", err, e)
	}
	if dir, err := img.Lookup(`\emptydir`); err != nil || !dir.IsDir() || len(dir.Children()) != 0 {
		t.Errorf("empty dir: %v", err)
	}
	if !hostfstest.SymlinksSupported() {
		return
	}
	l, err := img.Lookup(`\symlink-to-dup1`)
	if err != nil {
		t.Fatal(err)
	}
	in := l.Inode
	if in.Attributes != wim.AttrReparsePoint || in.ReparseTag != ReparseTagSymlink || in.ReparseFlags != RPFlagNotFixed {
		t.Errorf("file symlink: attr 0x%x tag 0x%x flags %d", in.Attributes, in.ReparseTag, in.ReparseFlags)
	}
	dl, err := img.Lookup(`\dirlink-to-a-b`)
	if err != nil || dl.Inode.Attributes != wim.AttrReparsePoint|wim.AttrDirectory {
		t.Errorf("dir symlink: %v attr 0x%x", err, dl.Inode.Attributes)
	}
}

func TestCaptureApplyRoundTrip(t *testing.T) {
	src := t.TempDir()
	hostfstest.MakeTree(t, src, hostfstest.SymlinksSupported())
	img, _, err := Capture(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "out")
	sum, err := Apply(img, nil, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Warnings) != 0 {
		t.Errorf("warnings: %v", sum.Warnings)
	}
	hostfstest.Compare(t, hostfstest.List(t, src), hostfstest.List(t, dst), true, true)
	// Applying again over the existing tree replaces it cleanly.
	if _, err := Apply(img, nil, dst, nil); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	hostfstest.Compare(t, hostfstest.List(t, src), hostfstest.List(t, dst), true, true)
}

func TestCaptureConfigAndTimestamp(t *testing.T) {
	src := t.TempDir()
	hostfstest.MakeTree(t, src, false)
	cfg, err := ParseConfig([]byte("[ExclusionList]\n*.bin\n\\a\n[ExclusionException]\n\\a\\b\\sibling.txt\n[CompressionExclusionList]\n*.ini\n"))
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 0)
	img, _, err := Capture(src, &CaptureOptions{Config: cfg, Timestamp: &ts})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	img.Walk(func(p string, d *wim.Dentry) error {
		paths = append(paths, p)
		if !FromFiletime(d.Inode.LastWriteTime).Equal(ts) || !FromFiletime(d.Inode.LastAccessTime).Equal(ts) || !FromFiletime(d.Inode.CreationTime).Equal(ts) {
			t.Errorf("%s: timestamps not forced", p)
		}
		return nil
	})
	all := strings.Join(paths, "\n")
	for _, gone := range []string{".bin", `\a\dup2.txt`, `\a\b\c`, `\a\empty-nested`} {
		if strings.Contains(all, gone) {
			t.Errorf("%q not excluded:\n%s", gone, all)
		}
	}
	for _, kept := range []string{`\a\b\sibling.txt`, `\dup1.txt`, `\Windows\System32\winpeshl.ini`} {
		if !strings.Contains(all, kept) {
			t.Errorf("%q missing:\n%s", kept, all)
		}
	}
	ini, err := img.Lookup(`\Windows\System32\winpeshl.ini`)
	if err != nil {
		t.Fatal(err)
	}
	nc, ok := ini.Inode.Data.Data.(interface{ NoCompress() bool })
	if !ok || !nc.NoCompress() {
		t.Error("compression exclusion not marked on the blob")
	}
}

func TestCaptureRejectsBadHostNames(t *testing.T) {
	if !hostfstest.SymlinksSupported() {
		t.Skip("':' cannot appear in Windows file names")
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "x:stream"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Capture(src, nil)
	if !errors.Is(err, ErrCapture) || !strings.Contains(err.Error(), "x:stream") {
		t.Fatalf("Capture = %v, want ErrCapture naming the file", err)
	}
}

// TestCaptureFixesAbsoluteLinks: an absolute symlink into the captured tree
// is stored relative to the image root and marked fixed (wimlib's RP fix),
// and Apply with RPFix points it into the destination; one out of the tree
// is kept and marked NOT_FIXED.
func TestCaptureFixesAbsoluteLinks(t *testing.T) {
	if !hostfstest.SymlinksSupported() {
		t.Skip("symbolic links need privileges on this host")
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "a"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(src, "a"), filepath.Join(src, "in"))
	os.Symlink("/etc/hostname", filepath.Join(src, "out"))
	img, _, err := Capture(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]struct {
		target string
		flags  uint16
	}{"in": {"/a", 0}, "out": {"/etc/hostname", RPFlagNotFixed}} {
		d, err := img.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := EncodeSymlink(want.target)
		if d.Inode.ReparseFlags != want.flags || d.Inode.Reparse.Hash != wim.HashBytes(data) {
			t.Errorf("%s: flags %d, reparse data %s; want flags %d, target %q", name, d.Inode.ReparseFlags, d.Inode.Reparse.Hash, want.flags, want.target)
		}
	}
	dst := filepath.Join(t.TempDir(), "out")
	if _, err := Apply(img, nil, dst, &ApplyOptions{RPFix: true}); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dst)
	if got, _ := os.Readlink(filepath.Join(dst, "in")); got != filepath.Join(abs, "a") {
		t.Errorf("fixed link applied as %q, want %q", got, filepath.Join(abs, "a"))
	}
	if got, _ := os.Readlink(filepath.Join(dst, "out")); got != "/etc/hostname" {
		t.Errorf("unfixed link applied as %q", got)
	}
	img, _, err = Capture(src, &CaptureOptions{NoRPFix: true})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := img.Lookup("in"); d.Inode.ReparseFlags != RPFlagNotFixed {
		t.Error("NoRPFix still fixed the link")
	}
}
