package builder

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/wimbuild/wimbuild/builder/cache"
)

func TestDigestMemo(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.bin")
	os.WriteFile(f, []byte("one"), 0o644)
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(f, hourAgo, hourAgo)
	m := openDigestMemo(dir)
	d1, _, err := m.FileDigest(f)
	if err != nil || d1 != cache.DigestBytes([]byte("one")) {
		t.Fatalf("%s %v", d1, err)
	}
	m.Save()
	if len(openDigestMemo(dir).entries) != 1 {
		t.Fatal("an hour-old file was not memoized")
	}
	// Same size, new content, new mtime: the memo must not answer.
	os.WriteFile(f, []byte("two"), 0o644)
	os.Chtimes(f, time.Now().Add(time.Hour), time.Now().Add(time.Hour))
	m2 := openDigestMemo(dir)
	d2, _, err := m2.FileDigest(f)
	if err != nil || d2 != cache.DigestBytes([]byte("two")) {
		t.Fatalf("stale memo: %s %v", d2, err)
	}
	// A damaged memo file is ignored.
	os.WriteFile(filepath.Join(dir, "host-digests.json"), []byte("{garbage"), 0o644)
	if d, _, err := openDigestMemo(dir).FileDigest(f); err != nil || d != d2 {
		t.Fatalf("damaged memo: %s %v", d, err)
	}
}

func TestTreeDigest(t *testing.T) {
	mk := func(root string, content string) {
		os.MkdirAll(filepath.Join(root, "sub", "empty"), 0o755)
		os.WriteFile(filepath.Join(root, "sub", "x.txt"), []byte(content), 0o644)
		os.WriteFile(filepath.Join(root, "top.cmd"), []byte("wpeinit\r\n"), 0o644)
	}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	mk(a, "same")
	mk(b, "same")
	mk(c, "diff")
	m := openDigestMemo(t.TempDir())
	ea, da, err := m.TreeDigest(a)
	if err != nil {
		t.Fatal(err)
	}
	_, db, _ := m.TreeDigest(b)
	_, dc, _ := m.TreeDigest(c)
	if da != db {
		t.Error("equal trees in different directories have different digests")
	}
	if da == dc {
		t.Error("different content, same digest")
	}
	if len(ea) != 4 || ea[0].Rel != "sub" || !ea[0].Dir {
		t.Fatalf("entries %+v", ea)
	}
	// Renaming a file changes the digest.
	os.Rename(filepath.Join(b, "top.cmd"), filepath.Join(b, "top2.cmd"))
	if _, d, _ := m.TreeDigest(b); d == da {
		t.Error("rename did not change the digest")
	}
}

// TestDigestMemoRacyFile: a file hashed moments after it was written is not
// memoized — a same-size rewrite within the file system's time resolution
// would keep its time, and the memo would answer with the old content.
func TestDigestMemoRacyFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "startnet.cmd")
	os.WriteFile(f, []byte("echo one"), 0o644)
	fi, _ := os.Stat(f)
	m := openDigestMemo(dir)
	if d, _, err := m.FileDigest(f); err != nil || d != cache.DigestBytes([]byte("echo one")) {
		t.Fatalf("%s %v", d, err)
	}
	// Rewritten within the same clock tick: same size, same time, same inode.
	os.WriteFile(f, []byte("echo two"), 0o644)
	os.Chtimes(f, fi.ModTime(), fi.ModTime())
	if d, _, err := m.FileDigest(f); err != nil || d != cache.DigestBytes([]byte("echo two")) {
		t.Fatalf("racy rewrite answered from the memo: %s %v", d, err)
	}
}

// TestTreeDigestFollowsALinkedRoot: a files source that is a symbolic link
// to a directory is that directory (it failed with "not a regular file").
func TestTreeDigestFollowsALinkedRoot(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "real", "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "real", "sub", "a.txt"), []byte("a"), 0o644)
	if err := os.Symlink("real", filepath.Join(dir, "ov")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	m := openDigestMemo(t.TempDir())
	want, wd, err := m.TreeDigest(filepath.Join(dir, "real"))
	if err != nil {
		t.Fatal(err)
	}
	got, gd, err := m.TreeDigest(filepath.Join(dir, "ov"))
	if err != nil || gd != wd || len(got) != len(want) {
		t.Fatalf("linked root: %v %s %v, want %d entries %s", got, gd, err, len(want), wd)
	}
}

// TestDigestMemoSameSizeSameTime: a rewrite that keeps the size and puts
// the old modification time back (cp -p, tar, SOURCE_DATE_EPOCH tooling),
// in place or into a re-created file that gets the old inode back, is
// noticed by its change time: the memo re-hashes.
func TestDigestMemoSameSizeSameTime(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no change time through os.Stat on Windows")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "a.txt")
	old := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
	os.WriteFile(f, []byte("AAAA"), 0o644)
	os.Chtimes(f, old, old)
	m := openDigestMemo(dir)
	if d, _, err := m.FileDigest(f); err != nil || d != cache.DigestBytes([]byte("AAAA")) {
		t.Fatalf("%s %v", d, err)
	}
	if len(m.entries) != 1 {
		t.Fatal("a day-old file was not memoized")
	}
	for i, content := range []string{"BBBB", "CCCC"} {
		time.Sleep(20 * time.Millisecond) // a later change time, whatever the clock's tick
		if i == 0 {
			os.WriteFile(f, []byte(content), 0o644) // in place
		} else {
			os.Remove(f) // re-created (ext4 tends to hand the inode back)
			os.WriteFile(f, []byte(content), 0o644)
		}
		os.Chtimes(f, old, old)
		if d, _, err := m.FileDigest(f); err != nil || d != cache.DigestBytes([]byte(content)) {
			t.Fatalf("rewrite %d to %q with the old size and time: memo answered %s (%v)", i+1, content, d, err)
		}
	}
}
