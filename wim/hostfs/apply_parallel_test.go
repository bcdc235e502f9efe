package hostfs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs/hostfstest"
)

// TestApplyParallelOverExistingTree: many files in nested directories,
// hard links and one corrupt file are applied by several workers over a
// destination holding stale files and symbolic links planted deep in the
// tree. Every file gets its content and time, links are replaced (never
// followed), the corrupt file fails the apply.
func TestApplyParallelOverExistingTree(t *testing.T) {
	img := wim.NewImage("tree")
	blobs := wim.NewBlobSet()
	const ft = 133486382450000000
	content := func(i int) []byte {
		return bytes.Repeat([]byte(fmt.Sprintf("file %d\n", i)), 1+i%300)
	}
	const n = 200
	for i := range n {
		data := content(i)
		in := &wim.Inode{Attributes: wim.AttrNormal, SecurityID: -1, LastWriteTime: ft + uint64(i)*10000000,
			Data: wim.Stream{Hash: blobs.AddBytes(data), Size: int64(len(data))}}
		if _, err := img.AddFile(fmt.Sprintf(`\d%d\e%d\f%d.txt`, i%5, i%3, i), in); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i += 50 { // a second name in another directory
		d, err := img.Lookup(fmt.Sprintf(`\d%d\e%d\f%d.txt`, i%5, i%3, i))
		if err != nil {
			t.Fatal(err)
		}
		if err := img.AddDentry(img.Root.Child(fmt.Sprintf("d%d", (i+1)%5)), wim.NewDentry(fmt.Sprintf("link%d.txt", i), d.Inode)); err != nil {
			t.Fatal(err)
		}
	}
	outside := t.TempDir()
	for _, threads := range []int{1, 4} {
		t.Run(fmt.Sprint(threads), func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "dest")
			if err := os.MkdirAll(filepath.Join(dest, "d1", "e1"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dest, "d1", "e1", "f1.txt"), []byte("stale"), 0o644); err != nil {
				t.Fatal(err)
			}
			if hostfstest.SymlinksSupported() {
				if err := os.Symlink(filepath.Join(outside, "planted"), filepath.Join(dest, "d1", "e1", "f4.txt")); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, filepath.Join(dest, "d2")); err != nil {
					t.Fatal(err)
				}
			}
			sum, err := Apply(img, blobs, dest, &ApplyOptions{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Files != n || sum.HardLinks != n/50 || len(sum.Warnings) != 0 {
				t.Errorf("summary %+v", sum)
			}
			if ents, _ := os.ReadDir(outside); len(ents) != 0 {
				t.Fatalf("apply wrote through a planted link: %v", ents)
			}
			for i := range n {
				p := filepath.Join(dest, fmt.Sprintf("d%d", i%5), fmt.Sprintf("e%d", i%3), fmt.Sprintf("f%d.txt", i))
				fi, err := os.Lstat(p)
				if err != nil || !fi.Mode().IsRegular() {
					t.Fatalf("%s: %v %v", p, fi, err)
				}
				if got, _ := os.ReadFile(p); !bytes.Equal(got, content(i)) {
					t.Fatalf("%s: wrong content", p)
				}
				if want := FromFiletime(ft + uint64(i)*10000000); !fi.ModTime().Equal(want) {
					t.Errorf("%s: mtime %v, want %v", p, fi.ModTime(), want)
				}
			}
			if got, _ := os.ReadFile(filepath.Join(dest, "d1", "link0.txt")); !bytes.Equal(got, content(0)) {
				t.Errorf("hard link content %q", got)
			}
		})
	}
	// A corrupt blob among many fails the whole apply with its path.
	bad := img.Root.Child("d3").Child("e0").Child("f3.txt")
	blobs.Add(bad.Inode.Data.Hash, wim.BytesBlob(bytes.Repeat([]byte{'x'}, int(bad.Inode.Data.Size))))
	dest := filepath.Join(t.TempDir(), "dest")
	if _, err := Apply(img, blobs, dest, &ApplyOptions{Threads: 3}); err == nil || !bytes.Contains([]byte(err.Error()), []byte(`\d3\e0\f3.txt`)) {
		t.Fatalf("Apply with a corrupt blob = %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dest, "d3", "e0", "f3.txt")); !os.IsNotExist(err) {
		t.Errorf("corrupt file left behind: %v", err)
	}
}
