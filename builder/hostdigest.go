package builder

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/wim"
)

// digestMemo remembers the content digests of host files by their stat
// identity (path, size, modification and change times, inode), like a
// version-control index, so a no-op rebuild does not re-read a 500 MB base image. Cache keys
// never contain these stat fields: they contain the content digest, which
// the memo only saves recomputing. A memo entry is used only when every stat
// field still matches; anything else re-hashes. The change time (ctime,
// which no one can set) catches a same-size rewrite that restores the
// modification time (cp -p, tar, tools setting SOURCE_DATE_EPOCH times),
// even into a reused inode.
type digestMemo struct {
	path    string
	mu      sync.Mutex
	entries map[string]memoEntry
	dirty   bool
}

// racyWindow: files modified less than this before they are hashed are
// not memoized.
const racyWindow = 3 * time.Second

type memoEntry struct {
	statID
	Digest cache.Digest `json:"sha256"`
	// SHA1 is the content's SHA-1 (its WIM stream hash), for files of
	// files blocks: with it and the content in the cache, a files step
	// that re-runs because another file changed need not read or store
	// this one again.
	SHA1 string `json:"sha1,omitempty"`
}

// statID is what identifies a file's content without reading it.
type statID struct {
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime_ns"`
	CTime int64  `json:"ctime_ns"` // 0 where the platform has none (Windows)
	Ino   uint64 `json:"ino"`
}

func openDigestMemo(cacheDir string) *digestMemo {
	m := &digestMemo{path: filepath.Join(cacheDir, "host-digests.json"), entries: map[string]memoEntry{}}
	if b, err := os.ReadFile(m.path); err == nil {
		if json.Unmarshal(b, &m.entries) != nil {
			m.entries = map[string]memoEntry{} // damaged memo: start over
		}
	}
	return m
}

func statIdentity(fi fs.FileInfo) statID {
	return statID{Size: fi.Size(), MTime: fi.ModTime().UnixNano(), CTime: changeTimeOf(fi), Ino: inodeOf(fi)}
}

// FileDigest returns the sha256 of a host file's content.
func (m *digestMemo) FileDigest(path string) (cache.Digest, int64, error) {
	d, _, n, err := m.fileDigests(path, false)
	return d, n, err
}

// fileDigests returns the sha256 of a host file's content and, when
// withSHA1, its SHA-1 too (read in the same pass; memoized alike).
func (m *digestMemo) fileDigests(path string, withSHA1 bool) (cache.Digest, wim.Hash, int64, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", wim.Hash{}, 0, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", wim.Hash{}, 0, err
	}
	if !fi.Mode().IsRegular() {
		return "", wim.Hash{}, 0, fmt.Errorf("%s is not a regular file", path)
	}
	id := statIdentity(fi)
	size, mtime := id.Size, id.MTime
	m.mu.Lock()
	e, ok := m.entries[abs]
	m.mu.Unlock()
	if ok && e.statID == id && e.Digest.Valid() {
		h1, have := parseSHA1(e.SHA1)
		if have || !withSHA1 || size == 0 {
			return e.Digest, h1, size, nil
		}
	}
	start := time.Now()
	f, err := os.Open(abs)
	if err != nil {
		return "", wim.Hash{}, 0, err
	}
	defer f.Close()
	h := sha256.New()
	var w io.Writer = h
	h1 := sha1.New()
	if withSHA1 {
		w = io.MultiWriter(h, h1)
	}
	n, err := io.Copy(w, f)
	if err != nil {
		return "", wim.Hash{}, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	d := cache.Digest(hex.EncodeToString(h.Sum(nil)))
	var sum wim.Hash
	sha := ""
	if withSHA1 && n > 0 { // empty content has the zero hash, as WIM streams do
		copy(sum[:], h1.Sum(nil))
		sha = sum.String()
	}
	// Re-stat: a file modified while hashed is not memoized. Nor is one
	// modified just before (racily clean, as version-control indexes call
	// it): file times are only as fine as the kernel's clock tick (or two
	// seconds on FAT), so a rewrite of the same size moments later could
	// keep the time this entry would trust.
	if fi2, err := os.Stat(abs); err == nil && time.Unix(0, mtime).Before(start.Add(-racyWindow)) {
		if statIdentity(fi2) == id && n == size {
			m.mu.Lock()
			m.entries[abs] = memoEntry{statID: id, Digest: d, SHA1: sha}
			m.dirty = true
			m.mu.Unlock()
		}
	}
	return d, sum, n, nil
}

// Save writes the memo back (temp file + rename), best effort.
func (m *digestMemo) Save() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.dirty {
		return
	}
	b, err := json.Marshal(m.entries)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(m.path), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(m.path), ".host-digests-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil && cerr == nil {
		if os.Rename(tmp.Name(), m.path) == nil {
			m.dirty = false
			return
		}
	}
	os.Remove(tmp.Name())
}

// saveIfDirExists saves the memo only into an existing cache directory.
func (m *digestMemo) saveIfDirExists() {
	if _, err := os.Stat(filepath.Dir(m.path)); err == nil {
		m.Save()
	}
}

// parseSHA1 reads a hex SHA-1 ("" or malformed: false).
func parseSHA1(s string) (wim.Hash, bool) {
	var h wim.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, false
	}
	copy(h[:], b)
	return h, true
}

// TreeEntry is one file of a host tree, relative to its root.
type TreeEntry struct {
	Rel    string // forward slashes
	Dir    bool
	Link   string // symlink target, if a symlink
	Size   int64
	Digest cache.Digest // content digest of regular files
	SHA1   wim.Hash     // and their SHA-1 (zero for empty files)
	Abs    string
}

// TreeDigest walks a host file or directory and returns its entries (sorted)
// and a Merkle digest over relative paths, kinds and content digests — not
// over times, owners or the root's own path.
func (m *digestMemo) TreeDigest(root string) ([]TreeEntry, cache.Digest, error) {
	// The root itself may be a symbolic link (the recipe checks where it
	// leads); links inside the tree are reported, not followed.
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	fi, err := os.Lstat(root)
	if err != nil {
		return nil, "", err
	}
	var entries []TreeEntry
	if !fi.IsDir() {
		d, h1, n, err := m.fileDigests(root, true)
		if err != nil {
			return nil, "", err
		}
		entries = []TreeEntry{{Rel: filepath.Base(root), Size: n, Digest: d, SHA1: h1, Abs: root}}
	} else {
		err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == root {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			e := TreeEntry{Rel: filepath.ToSlash(rel), Abs: p}
			switch {
			case de.Type()&fs.ModeSymlink != 0:
				t, err := os.Readlink(p)
				if err != nil {
					return err
				}
				e.Link = t
			case de.IsDir():
				e.Dir = true
			case de.Type().IsRegular():
				d, h1, n, err := m.fileDigests(p, true)
				if err != nil {
					return err
				}
				e.Digest, e.SHA1, e.Size = d, h1, n
			default:
				return fmt.Errorf("%s: unsupported file type %v (files blocks add regular files and directories)", p, de.Type())
			}
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return nil, "", err
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Rel < entries[j].Rel })
	k := cache.NewKey("host-tree", 1).Bool("dir", fi.IsDir())
	for _, e := range entries {
		switch {
		case e.Dir:
			k.String("dir", e.Rel)
		case e.Link != "":
			k.String("link", e.Rel).String("target", strings.ReplaceAll(e.Link, "\\", "/"))
		default:
			k.String("file", e.Rel).Input("content", e.Digest)
		}
	}
	return entries, k.Sum(), nil
}
