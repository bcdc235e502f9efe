package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs/hostfstest"
)

// hostileNames are names a hand-crafted WIM may carry that must never
// become host path components.
var hostileNames = []string{"..", ".", "a/b", `a\b`, "../../escape", "C:x", "x:stream", "nul\x00byte"}

// TestApplyRefusesHostileNames: a WIM with an unsafe name is refused with a
// clear error (by the reader or by Apply), and nothing at all is written,
// neither in the destination nor beside it.
func TestApplyRefusesHostileNames(t *testing.T) {
	for _, name := range hostileNames {
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			base := t.TempDir()
			path := filepath.Join(t.TempDir(), "hostile.wim")
			hostfstest.WriteHostileWIM(t, path, name)
			w, err := wim.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			dest := filepath.Join(base, "dest")
			img, err := w.Image(1)
			if err == nil {
				_, err = Apply(img, w, dest, nil)
				var ue *UnsafeNameError
				if !errors.As(err, &ue) || ue.Name != name || ue.Path != `\sub` {
					t.Fatalf("Apply = %v, want *UnsafeNameError for %q in \\sub", err, name)
				}
				if !strings.Contains(err.Error(), "unsafe name") {
					t.Errorf("error %q does not say what is wrong", err)
				}
			} else if !errors.Is(err, wim.ErrCorrupt) {
				t.Fatalf("reading the image: %v, want ErrCorrupt", err)
			}
			ents, _ := os.ReadDir(base)
			if len(ents) != 0 {
				t.Errorf("apply wrote %v beside or into the destination", ents)
			}
		})
	}
}

// TestApplyNeverFollowsLinks: a directory reparse point with children and a
// symlink next to a same-named directory cannot make Apply write through a
// link.
func TestApplyNeverFollowsLinks(t *testing.T) {
	if !hostfstest.SymlinksSupported() {
		t.Skip("symbolic links need privileges on this host")
	}
	outside := t.TempDir()
	img := wim.NewImage("links")
	blobs := wim.NewBlobSet()
	data, err := EncodeSymlink(outside)
	if err != nil {
		t.Fatal(err)
	}
	link := &wim.Inode{Attributes: wim.AttrReparsePoint | wim.AttrDirectory, SecurityID: -1, ReparseTag: ReparseTagSymlink, ReparseFlags: RPFlagNotFixed,
		Reparse: wim.Stream{Hash: blobs.AddBytes(data), Size: int64(len(data))}}
	d, err := img.AddFile(`\evil`, link)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte("must not escape\n")
	child := wim.NewDentry("victim.txt", &wim.Inode{Attributes: wim.AttrNormal, SecurityID: -1, Data: wim.Stream{Hash: blobs.AddBytes(payload), Size: int64(len(payload))}})
	if err := img.AddDentry(d, child); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "dest")
	sum, err := Apply(img, blobs, dest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("apply wrote through a symbolic link: %v", ents)
	}
	if target, err := os.Readlink(filepath.Join(dest, "evil")); err != nil || target != outside {
		t.Errorf("symlink: %q %v", target, err)
	}
	if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].What, "children of directory reparse points") {
		t.Errorf("warnings = %v", sum.Warnings)
	}
	// A pre-existing symlink in the destination is replaced, not followed.
	dest2 := filepath.Join(t.TempDir(), "dest2")
	if err := os.MkdirAll(dest2, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "planted"), filepath.Join(dest2, "ok.txt")); err != nil {
		t.Fatal(err)
	}
	img2 := wim.NewImage("plain")
	if _, err := img2.AddFile(`\ok.txt`, &wim.Inode{Attributes: wim.AttrNormal, SecurityID: -1, Data: wim.Stream{Hash: blobs.AddBytes(payload), Size: int64(len(payload))}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(img2, blobs, dest2, nil); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("apply wrote through a planted symbolic link: %v", ents)
	}
	if fi, err := os.Lstat(filepath.Join(dest2, "ok.txt")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("ok.txt not replaced by a regular file: %v %v", fi, err)
	}
}

// TestApplyChecksContent: content that does not match its SHA-1 fails the
// apply with wim.ErrHashMismatch and leaves no file behind.
func TestApplyChecksContent(t *testing.T) {
	blobs := wim.NewBlobSet()
	good := []byte("the real content\n")
	h := wim.HashBytes(good)
	blobs.Add(h, wim.BytesBlob([]byte("forged content!!\n")))
	img := wim.NewImage("forged")
	if _, err := img.AddFile(`\f.txt`, &wim.Inode{Attributes: wim.AttrNormal, SecurityID: -1, Data: wim.Stream{Hash: h, Size: int64(len(good))}}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "dest")
	if _, err := Apply(img, blobs, dest, nil); !errors.Is(err, wim.ErrHashMismatch) || !strings.Contains(err.Error(), `\f.txt`) {
		t.Fatalf("Apply = %v, want ErrHashMismatch naming the file", err)
	}
	if _, err := os.Lstat(filepath.Join(dest, "f.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("corrupt file left behind: %v", err)
	}
}
