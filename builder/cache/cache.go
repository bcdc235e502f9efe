package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Digest is a SHA-256 digest in lowercase hex.
type Digest string

// Valid reports whether d is 64 lowercase hex characters.
func (d Digest) Valid() bool {
	if len(d) != 64 {
		return false
	}
	for _, c := range d {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Short returns the first 12 characters, for display.
func (d Digest) Short() string {
	if len(d) > 12 {
		return string(d[:12])
	}
	return string(d)
}

// DigestBytes returns the digest of b.
func DigestBytes(b []byte) Digest {
	s := sha256.Sum256(b)
	return Digest(hex.EncodeToString(s[:]))
}

// Errors.
var (
	ErrMiss    = errors.New("cache: miss")
	ErrCorrupt = errors.New("cache: corrupt entry")
	ErrBadKey  = errors.New("cache: invalid digest")
)

// Cache is a cache directory. It is safe for concurrent use by goroutines
// and by several processes.
type Cache struct {
	dir string
	// now is the clock used for access times (prune --older-than).
	now func() time.Time
}

// Open opens the cache at dir. Nothing is created until something is
// stored (so a build refused at planning, or `cache ls` of a new
// directory, leaves no directories behind).
func Open(dir string) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("cache: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("cache: %s is not a directory", abs)
	} else if err != nil {
		if lst, lerr := os.Lstat(abs); lerr == nil && lst.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(abs)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("cache: %s is a symbolic link to %s, which does not exist", abs, target)
			}
			return nil, fmt.Errorf("cache: %s is a symbolic link to %s, which cannot be followed: %w", abs, target, err)
		}
	}
	return &Cache{dir: abs, now: time.Now}, nil
}

// createTemp makes a temp file in tmp/, creating the cache's directory on
// first use.
func (c *Cache) createTemp(pattern string) (*os.File, error) {
	dir := filepath.Join(c.dir, "tmp")
	f, err := os.CreateTemp(dir, pattern)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cache: creating %s: %w", dir, err)
		}
		f, err = os.CreateTemp(dir, pattern)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return f, nil
}

// DefaultDir is $XDG_CACHE_HOME/wimbuild (or the OS user cache dir).
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "wimbuild"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache: no user cache directory (use --cache-dir): %w", err)
	}
	return filepath.Join(d, "wimbuild"), nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) blobPath(d Digest) string {
	return filepath.Join(c.dir, "blobs", "sha256", string(d[:2]), string(d))
}

func (c *Cache) actionPath(key Digest) string {
	return filepath.Join(c.dir, "actions", string(key[:2]), string(key)+".json")
}

// BlobPath returns the path of a stored blob (for readers that want the
// file itself, e.g. to open it as a WIM). The caller must not modify it.
func (c *Cache) BlobPath(d Digest) (string, error) {
	if !d.Valid() {
		return "", fmt.Errorf("%w: %q", ErrBadKey, d)
	}
	p := c.blobPath(d)
	if _, err := os.Stat(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", ErrMiss
		}
		return "", err
	}
	return p, nil
}

// HasBlob reports whether a blob is stored.
func (c *Cache) HasBlob(d Digest) bool {
	_, err := c.BlobPath(d)
	return err == nil
}

// Writer writes a new blob. Its digest is known only at Commit.
type Writer struct {
	c    *Cache
	f    *os.File
	h    hash.Hash
	ext  hash.Hash // fed by the caller (HashedFile)
	n    int64
	err  error
	done bool
}

// NewWriter starts a blob. Call Commit to store it or Abort to discard it.
func (c *Cache) NewWriter() (*Writer, error) {
	f, err := c.createTemp("blob-*")
	if err != nil {
		return nil, err
	}
	return &Writer{c: c, f: f, h: sha256.New()}, nil
}

// Write implements io.Writer. Errors are sticky.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		w.err = err
	}
	return n, err
}

// File returns the underlying temp file, for writers that need io.WriterAt
// or Seek (e.g. patching a header). Bytes written through it bypass the
// running digest, so Commit re-reads the file when File was called.
func (w *Writer) File() *os.File {
	w.h = nil
	return w.f
}

// HashedFile is File for writers that hash the blob themselves: the
// caller feeds the returned hash the file's final bytes in order (as
// wim.WriteOptions.Digest does) and Commit takes its sum as the digest
// instead of reading the file back. (Streamed reads check digests, so a
// wrong sum would surface as a damaged entry, never as other content.)
func (w *Writer) HashedFile() (*os.File, hash.Hash) {
	w.h = nil
	w.ext = sha256.New()
	return w.f, w.ext
}

// Abort discards the blob.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	name := w.f.Name()
	w.f.Close()
	os.Remove(name)
}

// Commit stores the blob under its digest and returns the digest and size.
func (w *Writer) Commit() (Digest, int64, error) {
	if w.done {
		return "", 0, errors.New("cache: writer already finished")
	}
	defer w.Abort()
	if w.err != nil {
		return "", 0, w.err
	}
	var d Digest
	var size int64
	switch {
	case w.h != nil: // streamed through Write
		d, size = Digest(hex.EncodeToString(w.h.Sum(nil))), w.n
	case w.ext != nil: // HashedFile: the caller hashed the bytes
		st, err := w.f.Stat()
		if err != nil {
			return "", 0, err
		}
		d, size = Digest(hex.EncodeToString(w.ext.Sum(nil))), st.Size()
	default: // File: the bytes bypassed any digest; read them back
		h := sha256.New()
		n, err := io.Copy(h, io.NewSectionReader(w.f, 0, 1<<62))
		if err != nil {
			return "", 0, err
		}
		d, size = Digest(hex.EncodeToString(h.Sum(nil))), n
	}
	if err := w.c.install(w.f, d, size); err != nil {
		return "", 0, err
	}
	return d, size, nil
}

// install makes the finished temp file f (size bytes, digest d) the blob d:
// fsync, close, read-only, rename into place (replacing a blob d already
// there, which might be damaged), fsync the directory. When f is not
// renamed it is left for the caller to remove.
func (c *Cache) install(f *os.File, d Digest, size int64) error {
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	dst := c.blobPath(d)
	if st, err := os.Stat(dst); err == nil && runtime.GOOS == "windows" {
		// The new file's bytes were just hashed to d; the file already
		// there may be damaged, even at the right size (an output edited
		// in place through its hard link), so it is replaced. Windows will
		// not rename over a read-only file: it is removed first, and when
		// that fails (another process has it open) a same-size file stays.
		if os.Remove(dst) != nil && st.Size() == size {
			return nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o444); err != nil {
		return err
	}
	c.touch(f.Name())
	if err := Rename(f.Name(), dst); err != nil {
		return fmt.Errorf("cache: storing blob: %w", err)
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// PutBytes stores b and returns its digest.
func (c *Cache) PutBytes(b []byte) (Digest, error) {
	d := DigestBytes(b)
	return d, c.StoreBytes(b, d)
}

// StoreBytes stores b as blob d, which must be DigestBytes(b) (computed by
// the caller, e.g. to learn a step's result before its bytes are on disk;
// b is not hashed again).
func (c *Cache) StoreBytes(b []byte, d Digest) error {
	if st, err := os.Stat(c.blobPath(d)); err == nil && st.Size() == int64(len(b)) {
		return nil
	}
	f, err := c.createTemp("blob-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = c.install(f, d, int64(len(b)))
	}
	f.Close()
	os.Remove(f.Name()) // gone already when it was renamed into place
	return err
}

// PutFile copies a host file into the cache and returns its digest.
func (c *Cache) PutFile(path string) (Digest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	w, err := c.NewWriter()
	if err != nil {
		return "", 0, err
	}
	if _, err := io.Copy(w, f); err != nil {
		w.Abort()
		return "", 0, fmt.Errorf("cache: copying %s: %w", path, err)
	}
	return w.Commit()
}

// OpenBlob opens a stored blob for reading. The returned reader verifies the
// digest as it is read: reading to EOF returns ErrCorrupt (and deletes the
// entry) if the bytes do not match.
func (c *Cache) OpenBlob(d Digest) (*BlobReader, error) {
	p, err := c.BlobPath(d)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &BlobReader{f: f, h: sha256.New(), want: d, size: st.Size(), c: c}, nil
}

// BlobReader reads a blob and checks its digest at EOF.
type BlobReader struct {
	f    *os.File
	h    hash.Hash
	want Digest
	size int64
	c    *Cache
	bad  bool
}

// Size is the blob's length.
func (r *BlobReader) Size() int64 { return r.size }

func (r *BlobReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF {
		if got := Digest(hex.EncodeToString(r.h.Sum(nil))); got != r.want {
			r.bad = true
			return n, fmt.Errorf("%w: blob %s has digest %s", ErrCorrupt, r.want.Short(), got.Short())
		}
	}
	return n, err
}

// Close closes the blob; a blob found corrupt is removed from the cache.
func (r *BlobReader) Close() error {
	err := r.f.Close()
	if r.bad {
		os.Remove(r.f.Name())
	}
	return err
}

// VerifyBlob re-hashes a stored blob; a corrupt blob is deleted and
// ErrCorrupt returned.
func (c *Cache) VerifyBlob(d Digest) error {
	r, err := c.OpenBlob(d)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, r)
	r.Close()
	return err
}

// Action is the stored result of a step.
type Action struct {
	// Kind is the step kind (for cache ls); not part of the key.
	Kind string `json:"kind"`
	// Label describes the step for humans (for cache ls); not part of the key.
	Label string `json:"label,omitempty"`
	// Outputs names blobs the step produced.
	Outputs map[string]Output `json:"outputs"`
	// Meta holds small step-specific results.
	Meta map[string]string `json:"meta,omitempty"`
}

// Output is one blob an action produced.
type Output struct {
	Digest Digest `json:"digest"`
	Size   int64  `json:"size"`
	// Stamp is the blob file's modification time (Unix nanoseconds) when
	// the action was recorded; PutAction sets it. The cache never changes a
	// stored blob's time, so a different time means the file was written
	// since (e.g. a published output edited in place through its hard link)
	// and GetAction re-hashes the blob before trusting it. Zero (records
	// from before stamps) skips the check.
	Stamp int64 `json:"stamp,omitempty"`
}

type actionFile struct {
	Key    Digest `json:"key"`
	Action Action `json:"action"`
	// Check is the digest of the canonical JSON of Action, to detect damage.
	Check Digest `json:"check"`
}

// PutAction records the result of the step with the given key. Every output
// blob must already be stored.
func (c *Cache) PutAction(key Digest, a Action) error {
	if !key.Valid() {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	outs := make(map[string]Output, len(a.Outputs))
	for name, o := range a.Outputs {
		st, err := os.Stat(c.blobPath(o.Digest))
		if err != nil || !o.Digest.Valid() {
			return fmt.Errorf("cache: action output %q: blob %s not stored", name, o.Digest.Short())
		}
		o.Stamp = st.ModTime().UnixNano()
		outs[name] = o
	}
	a.Outputs = outs
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(actionFile{Key: key, Action: a, Check: DigestBytes(body)}, "", " ")
	if err != nil {
		return err
	}
	return c.writeAtomic(c.actionPath(key), data)
}

// GetAction looks up a step result. It returns ErrMiss when there is none,
// or when the record or any of its output blobs is missing or damaged (a
// damaged record is deleted).
func (c *Cache) GetAction(key Digest) (Action, error) {
	if !key.Valid() {
		return Action{}, fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	p := c.actionPath(key)
	data, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Action{}, ErrMiss
		}
		return Action{}, err
	}
	var af actionFile
	if err := json.Unmarshal(data, &af); err != nil || af.Key != key {
		os.Remove(p)
		return Action{}, fmt.Errorf("%w (%s removed): %v", ErrMiss, p, ErrCorrupt)
	}
	body, _ := json.Marshal(af.Action)
	if DigestBytes(body) != af.Check {
		os.Remove(p)
		return Action{}, fmt.Errorf("%w (%s removed): %v", ErrMiss, p, ErrCorrupt)
	}
	restamp := false
	for _, o := range af.Action.Outputs {
		st, err := os.Stat(c.blobPath(o.Digest))
		if err != nil || st.Size() != o.Size {
			return Action{}, ErrMiss
		}
		if o.Stamp != 0 && st.ModTime().UnixNano() != o.Stamp {
			// Written since it was recorded: intact only if its bytes
			// still hash to its name (a corrupt blob is deleted, so the
			// step re-runs and stores it afresh).
			if err := c.VerifyBlob(o.Digest); err != nil {
				return Action{}, fmt.Errorf("%w: output %s changed since it was stored: %v", ErrMiss, o.Digest.Short(), err)
			}
			restamp = true
		}
	}
	if restamp {
		// Intact after all (e.g. replaced by a concurrent writer of the
		// same blob): record the new times so the next hit is cheap.
		if err := c.PutAction(key, af.Action); err != nil {
			return Action{}, err
		}
	}
	c.touch(p)
	// Stamps describe this cache's files, not the result: callers see an
	// action equal to the one they stored.
	a := af.Action
	a.Outputs = make(map[string]Output, len(af.Action.Outputs))
	for name, o := range af.Action.Outputs {
		o.Stamp = 0
		a.Outputs[name] = o
	}
	return a, nil
}

func (c *Cache) writeAtomic(dst string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := c.createTemp("action-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		c.touch(name)
		err = Rename(name, dst)
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("cache: writing %s: %w", dst, err)
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// Hint returns the digest last recorded under name by SetHint, if any.
// Hints are advice for speed (e.g. "the previous output of this image"),
// never inputs of a result: a missing, damaged or stale hint only makes a
// step do more work. The blob it names may have been pruned since.
func (c *Cache) Hint(name string) (Digest, bool) { return readHint(c.hintPath(name)) }

// readHint reads a hint file; ok is false when it is missing or damaged.
func readHint(p string) (d Digest, ok bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", false
	}
	d = Digest(strings.TrimSpace(string(b)))
	return d, d.Valid()
}

// SetHint records d under name (atomically; the last writer wins).
func (c *Cache) SetHint(name string, d Digest) error {
	if !d.Valid() {
		return fmt.Errorf("cache: hint %q: invalid digest %q", name, d)
	}
	return c.writeAtomic(c.hintPath(name), []byte(string(d)+"\n"))
}

func (c *Cache) hintPath(name string) string {
	return filepath.Join(c.dir, "hints", string(DigestBytes([]byte(name))))
}

// touch records a use (for prune --older-than), best effort.
func (c *Cache) touch(p string) {
	t := c.now()
	os.Chtimes(p, t, t)
}

// Rename is os.Rename, except that on Windows it retries for up to about
// two seconds while the rename fails because another program has one of
// the files open for a moment (ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION:
// a concurrent build reading the entry, a virus scanner, an indexer).
func Rename(from, to string) error {
	err := os.Rename(from, to)
	for wait := 10 * time.Millisecond; err != nil && busy(err) && wait < 2*time.Second; wait *= 2 {
		time.Sleep(wait)
		err = os.Rename(from, to)
	}
	return err
}

// busy reports a Windows error that a retry may clear.
func busy(err error) bool {
	var errno syscall.Errno
	return runtime.GOOS == "windows" && errors.As(err, &errno) && (errno == 5 || errno == 32)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Entry describes a stored entry for ls/du/prune.
type Entry struct {
	Kind    string // "blob" or "action"
	Digest  Digest
	Size    int64
	Used    time.Time // actions: last use (refreshed on hit); blobs: when stored
	Step    string    // action kind
	Label   string    // action label
	Outputs int       // action output count
}

// List returns every entry, actions first, newest first within each kind.
func (c *Cache) List() ([]Entry, error) {
	var out []Entry
	walk := func(root, kind string) error {
		return filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
			if err != nil && p == root && errors.Is(err, fs.ErrNotExist) {
				return nil // nothing stored yet
			}
			if err != nil || de.IsDir() {
				return err
			}
			info, err := de.Info()
			if err != nil {
				return nil
			}
			name := strings.TrimSuffix(de.Name(), ".json")
			e := Entry{Kind: kind, Digest: Digest(name), Size: info.Size(), Used: info.ModTime()}
			if kind == "action" {
				if data, err := os.ReadFile(p); err == nil {
					var af actionFile
					if json.Unmarshal(data, &af) == nil {
						e.Step, e.Label, e.Outputs = af.Action.Kind, af.Action.Label, len(af.Action.Outputs)
					}
				}
			}
			out = append(out, e)
			return nil
		})
	}
	if err := walk(filepath.Join(c.dir, "actions"), "action"); err != nil {
		return nil, err
	}
	if err := walk(filepath.Join(c.dir, "blobs", "sha256"), "blob"); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == "action"
		}
		if !out[i].Used.Equal(out[j].Used) {
			return out[i].Used.After(out[j].Used)
		}
		return out[i].Digest < out[j].Digest
	})
	return out, nil
}

// Bytes is the size of every entry, from a walk of the directory (cheaper
// than DiskUsage: no record is read).
func (c *Cache) Bytes() (int64, error) {
	var n int64
	for _, sub := range []string{"actions", filepath.Join("blobs", "sha256")} {
		err := filepath.WalkDir(filepath.Join(c.dir, sub), func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !de.IsDir() {
				if info, err := de.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Usage is the cache's disk use.
type Usage struct {
	Actions, Blobs   int
	Bytes, BlobBytes int64
}

// DiskUsage sums entry sizes.
func (c *Cache) DiskUsage() (Usage, error) {
	es, err := c.List()
	if err != nil {
		return Usage{}, err
	}
	var u Usage
	for _, e := range es {
		u.Bytes += e.Size
		if e.Kind == "action" {
			u.Actions++
		} else {
			u.Blobs++
			u.BlobBytes += e.Size
		}
	}
	return u, nil
}

// Grace is how long Prune leaves a blob no result names, and a temp file:
// a running build stores content (a files step, thousands of files) and
// writes its result record only when the step ends, so its blobs are
// unreferenced for as long as the step runs.
const Grace = time.Hour

// PruneOptions selects what Prune removes. With neither field set, Prune
// removes only unreferenced blobs and stray temp files.
type PruneOptions struct {
	// KeepBytes removes least recently used step results, with the blobs
	// only they name, until the cache holds at most this many bytes (0 = no
	// size limit; negative = remove all).
	KeepBytes int64
	// OlderThan removes entries not used for this long (0 = no age limit).
	OlderThan time.Duration
	// KeepUsedSince, when set, keeps every step result used at or after
	// it (a build trimming the cache keeps what it just used), even if
	// the cache then stays above KeepBytes.
	KeepUsedSince time.Time
	// Refs names the blobs a step result needs besides its outputs (for
	// the builder: the content its image-state manifest lists). Prune
	// keeps them while the result stays. Nil: outputs only.
	Refs func(Action) []Digest
}

// PruneResult reports what Prune removed.
type PruneResult struct {
	Removed      int
	RemovedBytes int64
	// Left is what the cache holds afterwards.
	Left int64
}

// Prune removes entries. Step results go least recently used first, each
// with the blobs no remaining result names; blobs no result names are
// removed too (unless younger than Grace: a concurrent build may be
// about to record them).
func (c *Cache) Prune(o PruneOptions) (PruneResult, error) {
	var res PruneResult
	// Stray temp files from killed writers (untouched for an hour: a
	// running build's file may wait a while before its first byte, e.g.
	// while an image is generated), and scratch directories of killed
	// --no-cache builds (older than a day: a running build's directory need
	// not change for a long time).
	if des, err := os.ReadDir(filepath.Join(c.dir, "tmp")); err == nil {
		for _, de := range des {
			p := filepath.Join(c.dir, "tmp", de.Name())
			info, err := de.Info()
			if err != nil || c.now().Sub(info.ModTime()) <= Grace ||
				de.IsDir() && c.now().Sub(info.ModTime()) <= 24*time.Hour {
				continue
			}
			size := info.Size()
			if de.IsDir() {
				size = 0
				filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						if fi, err := d.Info(); err == nil {
							size += fi.Size()
						}
					}
					return nil
				})
			}
			if os.RemoveAll(p) == nil {
				res.Removed++
				res.RemovedBytes += size
			}
		}
	}
	es, err := c.List()
	if err != nil {
		return res, err
	}
	remove := func(e Entry) {
		p := c.blobPath(e.Digest)
		if e.Kind == "action" {
			p = c.actionPath(e.Digest)
		}
		if os.Remove(p) == nil {
			res.Removed++
			res.RemovedBytes += e.Size
		}
	}
	// refs counts the results naming each blob; total is what the cache
	// will hold, counting a blob only while something keeps it.
	var actions []Entry
	outs := map[Digest][]Digest{}
	refs := map[Digest]int{}
	blobs := map[Digest]Entry{}
	for _, e := range es {
		switch e.Kind {
		case "action":
			actions = append(actions, e)
			if act, err := c.readAction(e.Digest); err == nil {
				seen := map[Digest]bool{}
				add := func(d Digest) {
					if !seen[d] {
						seen[d] = true
						outs[e.Digest] = append(outs[e.Digest], d)
						refs[d]++
					}
				}
				for _, out := range act.Outputs {
					add(out.Digest)
				}
				if o.Refs != nil {
					for _, d := range o.Refs(act) {
						add(d)
					}
				}
			}
		case "blob":
			blobs[e.Digest] = e
		}
	}
	// A young blob no result names may belong to a build still running
	// (stored, its result not yet written): it stays. Blobs that results
	// name go with their last result, however young: they are that
	// result's content, and keeping them would let --keep-bytes drop every
	// result of a fresh cache and free nothing.
	named := map[Digest]bool{}
	for d, n := range refs {
		named[d] = n > 0
	}
	young := func(e Entry) bool { return o.KeepBytes >= 0 && !named[e.Digest] && c.now().Sub(e.Used) < Grace }
	var total int64
	for _, e := range es {
		if e.Kind == "action" || refs[e.Digest] > 0 || young(e) {
			total += e.Size
		}
	}
	// Oldest first.
	sort.SliceStable(actions, func(i, j int) bool { return actions[i].Used.Before(actions[j].Used) })
	for _, a := range actions {
		if !o.KeepUsedSince.IsZero() && !a.Used.Before(o.KeepUsedSince) {
			continue
		}
		drop := o.KeepBytes < 0 ||
			(o.OlderThan > 0 && c.now().Sub(a.Used) > o.OlderThan) ||
			(o.KeepBytes > 0 && total > o.KeepBytes)
		if !drop {
			continue
		}
		remove(a)
		total -= a.Size
		for _, d := range outs[a.Digest] {
			if refs[d]--; refs[d] == 0 {
				if b, ok := blobs[d]; ok {
					total -= b.Size
				}
			}
		}
	}
	for d, e := range blobs {
		if refs[d] <= 0 && !young(e) {
			remove(e)
		}
	}
	// Hints naming blobs that are gone are dropped (they would only cost
	// a failed open); emptying the cache drops them all.
	hdir := filepath.Join(c.dir, "hints")
	if des, err := os.ReadDir(hdir); err == nil {
		for _, de := range des {
			p := filepath.Join(hdir, de.Name())
			if d, ok := readHint(p); o.KeepBytes < 0 || !ok || !c.HasBlob(d) {
				if info, err := de.Info(); err == nil && os.Remove(p) == nil {
					res.Removed++
					res.RemovedBytes += info.Size()
				}
			}
		}
	}
	res.Left = max(total, 0)
	return res, nil
}

func (c *Cache) readAction(key Digest) (Action, error) {
	data, err := os.ReadFile(c.actionPath(key))
	if err != nil {
		return Action{}, err
	}
	var af actionFile
	if err := json.Unmarshal(data, &af); err != nil {
		return Action{}, err
	}
	return af.Action, nil
}
