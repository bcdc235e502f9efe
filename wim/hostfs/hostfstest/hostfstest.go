package hostfstest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// FixedTime is the timestamp given to every entry of a generated tree.
var FixedTime = time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)

// MakeTree writes the interop test tree below dir: nested directories,
// empty files and directories, files around the 32 KiB chunk size and a
// few MiB, hard links, symbolic links, Unicode and long names, duplicate
// contents. withSymlinks=false leaves symlinks out (hosts without them).
func MakeTree(t testing.TB, dir string, withSymlinks bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// Text-like data: random words, compressible like real files (a
	// single sentence repeated would be a degenerate input).
	words := strings.Fields("the quick brown fox jumps over lazy dog Windows System32 boot wim image driver setup file data chunk 0x1F KERNEL32.dll winpeshl.ini \r\n")
	text := func(n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		return b.Bytes()[:n]
	}
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := func(rel string) {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("empty.bin", nil)
	write("one.bin", []byte{0x42})
	write("chunk-minus-1.bin", text(32767))
	write("chunk.bin", random(32768))
	write("chunk-plus-1.bin", append(text(32768), 7))
	big := append(random(128<<10), text(1920<<10)...) // 2 MiB: a few chunks of noise, then text
	write("big/few-mib.bin", big)
	write("big/dup-of-few-mib.bin", big)
	write("a/b/c/d/e/deep.txt", []byte("deep\n"))
	write("a/b/sibling.txt", text(1000))
	write("dup1.txt", []byte("same content\n"))
	write("a/dup2.txt", []byte("same content\n"))
	write("Ünïcödé-日本語-😀.txt", []byte("ünïcödé ✓\n"))
	write("Windows/System32/winpeshl.ini", []byte("[LaunchApps]\r\n%SYSTEMDRIVE%\\Windows\\System32\\wpeinit.exe\r\n"))
	write(strings.Repeat("long-name-", 24)+".txt", []byte("long\n"))
	write("space name.txt", []byte("spaces\n"))
	mkdir("emptydir")
	mkdir("a/empty-nested/inner")
	if err := os.Link(filepath.Join(dir, "dup1.txt"), filepath.Join(dir, "hardlink-to-dup1.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "big", "few-mib.bin"), filepath.Join(dir, "a", "b", "hardlink-big.bin")); err != nil {
		t.Fatal(err)
	}
	if withSymlinks {
		for target, link := range map[string]string{
			"dup1.txt":          "symlink-to-dup1",
			"a/b":               "dirlink-to-a-b",
			"../one.bin":        "a/up-link",
			"does-not-exist":    "dangling-link",
			"Ünïcödé-日本語-😀.txt": "ünï-link",
		} {
			if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
				t.Fatal(err)
			}
		}
	}
	SetTimes(t, dir)
}

// SetTimes gives every non-symlink entry below dir FixedTime.
func SetTimes(t testing.TB, dir string) {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		return os.Chtimes(p, FixedTime, FixedTime)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Chtimes(dirs[i], FixedTime, FixedTime); err != nil {
			t.Fatal(err)
		}
	}
}

// Entry is one entry of a tree listing.
type Entry struct {
	Kind   string // "dir", "file", "link"
	Sum    string // content SHA-1 (files) or link target (links)
	Size   int64
	MTime  time.Time
	LinkID int // hard-link group within the listing (0 = single link)
}

// List describes every entry below dir by '/'-separated path.
func List(t testing.TB, dir string) map[string]Entry {
	t.Helper()
	out := map[string]Entry{}
	groups := map[string][]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := Entry{MTime: fi.ModTime().UTC()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			e.Kind, e.Sum, e.MTime = "link", filepath.ToSlash(target), time.Time{}
		case fi.IsDir():
			e.Kind = "dir"
		default:
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h := sha1.New()
			e.Size, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
			e.Kind, e.Sum = "file", hex.EncodeToString(h.Sum(nil))
			if key := inodeKey(fi); key != "" {
				groups[key] = append(groups[key], rel)
			}
		}
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Number hard-link groups by their first path, so listings of two trees
	// compare equal when the same names are linked together.
	var keys []string
	for k, names := range groups {
		if len(names) > 1 {
			sort.Strings(names)
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return groups[keys[i]][0] < groups[keys[j]][0] })
	for i, k := range keys {
		for _, n := range groups[k] {
			e := out[n]
			e.LinkID = i + 1
			out[n] = e
		}
	}
	return out
}

// Compare fails the test unless got has the same entries as want.
// checkLinks compares hard-link groups, checkTimes file/dir mtimes.
func Compare(t testing.TB, want, got map[string]Entry, checkLinks, checkTimes bool) {
	t.Helper()
	var errs []string
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			errs = append(errs, fmt.Sprintf("missing %s (%s)", p, w.Kind))
			continue
		}
		if g.Kind != w.Kind || g.Sum != w.Sum || g.Size != w.Size {
			errs = append(errs, fmt.Sprintf("%s: got %s %s %d, want %s %s %d", p, g.Kind, g.Sum, g.Size, w.Kind, w.Sum, w.Size))
		}
		if checkLinks && g.LinkID != w.LinkID {
			errs = append(errs, fmt.Sprintf("%s: hard-link group %d, want %d", p, g.LinkID, w.LinkID))
		}
		if checkTimes && w.Kind != "link" && !g.MTime.Equal(w.MTime) {
			errs = append(errs, fmt.Sprintf("%s: mtime %v, want %v", p, g.MTime, w.MTime))
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			errs = append(errs, fmt.Sprintf("unexpected %s (%s)", p, g.Kind))
		}
	}
	sort.Strings(errs)
	if len(errs) > 0 {
		if len(errs) > 20 {
			errs = append(errs[:20], "…")
		}
		t.Errorf("trees differ:\n%s", strings.Join(errs, "\n"))
	}
}

// SymlinksSupported reports whether tests can create symbolic links.
func SymlinksSupported() bool { return runtime.GOOS != "windows" }
