package cache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func newCache(t *testing.T) *Cache {
	t.Helper()
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readAll(t *testing.T, c *Cache, d Digest) ([]byte, error) {
	t.Helper()
	r, err := c.OpenBlob(d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestBlobRoundTrip(t *testing.T) {
	c := newCache(t)
	data := []byte("hello, cache")
	d, err := c.PutBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if d != DigestBytes(data) || !d.Valid() {
		t.Fatalf("digest %s", d)
	}
	got, err := readAll(t, c, d)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %q %v", got, err)
	}
	// Storing again is a no-op with the same digest.
	if d2, err := c.PutBytes(data); err != nil || d2 != d {
		t.Fatalf("second put %s %v", d2, err)
	}
	if _, err := c.OpenBlob(DigestBytes([]byte("absent"))); !errors.Is(err, ErrMiss) {
		t.Fatalf("absent blob err = %v", err)
	}
	if _, err := c.OpenBlob("../../etc/passwd"); !errors.Is(err, ErrBadKey) {
		t.Fatalf("bad digest err = %v", err)
	}
}

func TestWriterFileModeRehashes(t *testing.T) {
	c := newCache(t)
	w, err := c.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	f := w.File()
	f.Write([]byte("XXXXworld"))
	f.WriteAt([]byte("helo"), 0)
	d, n, err := w.Commit()
	if err != nil || n != 9 || d != DigestBytes([]byte("heloworld")) {
		t.Fatalf("commit %s %d %v", d, n, err)
	}
}

// HashedFile takes the caller's digest (no read-back); a caller that feeds
// it wrong bytes gets an entry that fails its read check, never passes.
func TestWriterHashedFile(t *testing.T) {
	c := newCache(t)
	w, err := c.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	f, h := w.HashedFile()
	f.WriteAt([]byte("heloworld"), 0)
	h.Write([]byte("heloworld"))
	d, n, err := w.Commit()
	if err != nil || n != 9 || d != DigestBytes([]byte("heloworld")) {
		t.Fatalf("commit %s %d %v", d, n, err)
	}
	if got, err := readAll(t, c, d); err != nil || string(got) != "heloworld" {
		t.Fatalf("read %q %v", got, err)
	}
	w, err = c.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	f, h = w.HashedFile()
	f.WriteAt([]byte("what is on disk"), 0)
	h.Write([]byte("what was claimed"))
	d, _, err = w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, c, d); err == nil {
		t.Fatal("a blob whose claimed digest differs from its bytes was served")
	}
}

func TestCorruptBlobIsDetectedAndRemoved(t *testing.T) {
	c := newCache(t)
	d, _ := c.PutBytes(bytes.Repeat([]byte("abc"), 1000))
	p, _ := c.BlobPath(d)
	os.Chmod(p, 0o644)
	b, _ := os.ReadFile(p)
	b[100] ^= 1
	os.WriteFile(p, b, 0o444)
	if _, err := readAll(t, c, d); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("corrupt read err = %v", err)
	}
	if c.HasBlob(d) {
		t.Fatal("corrupt blob was not removed")
	}
}

func TestActions(t *testing.T) {
	c := newCache(t)
	key := NewKey("files", 1).String("dest", "/x").Sum()
	if _, err := c.GetAction(key); !errors.Is(err, ErrMiss) {
		t.Fatalf("empty cache err = %v", err)
	}
	d, _ := c.PutBytes([]byte("tree"))
	a := Action{Kind: "files", Label: "image.boot files", Outputs: map[string]Output{"tree": {Digest: d, Size: 4}}, Meta: map[string]string{"n": "1"}}
	if err := c.PutAction(key, a); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetAction(key)
	if err != nil || got.Outputs["tree"].Digest != d || got.Meta["n"] != "1" {
		t.Fatalf("get %+v %v", got, err)
	}
	// An action naming a blob that is not stored is refused.
	bad := Action{Outputs: map[string]Output{"x": {Digest: DigestBytes([]byte("nope")), Size: 4}}}
	if err := c.PutAction(NewKey("x", 1).Sum(), bad); err == nil {
		t.Fatal("action with missing blob accepted")
	}
	// Deleting an output blob turns the action into a miss.
	p, _ := c.BlobPath(d)
	os.Remove(p)
	if _, err := c.GetAction(key); !errors.Is(err, ErrMiss) {
		t.Fatalf("action with deleted blob err = %v", err)
	}
}

func TestDamagedActionIsAMiss(t *testing.T) {
	c := newCache(t)
	d, _ := c.PutBytes([]byte("x"))
	key := NewKey("k", 1).Sum()
	c.PutAction(key, Action{Outputs: map[string]Output{"o": {Digest: d, Size: 1}}})
	p := c.actionPath(key)
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { return b[:len(b)/2] },
		func(b []byte) []byte { return bytes.Replace(b, []byte(`"size": 1`), []byte(`"size": 2`), 1) },
	} {
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, damage(b), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetAction(key); !errors.Is(err, ErrMiss) {
			t.Fatalf("damaged action err = %v", err)
		}
		if _, err := os.Stat(p); err == nil {
			t.Fatal("damaged action record not removed")
		}
		c.PutAction(key, Action{Outputs: map[string]Output{"o": {Digest: d, Size: 1}}})
	}
}

func TestKeyEncodingIsUnambiguous(t *testing.T) {
	keys := map[Digest]string{}
	add := func(name string, d Digest) {
		if prev, ok := keys[d]; ok {
			t.Errorf("%s and %s collide", prev, name)
		}
		keys[d] = name
	}
	add("a|bc", NewKey("k", 1).String("a", "bc").Sum())
	add("ab|c", NewKey("k", 1).String("ab", "c").Sum())
	add("list a,b", NewKey("k", 1).Strings("l", []string{"a", "b"}).Sum())
	add("list ab", NewKey("k", 1).Strings("l", []string{"ab"}).Sum())
	add("v2", NewKey("k", 2).String("a", "bc").Sum())
	add("kind", NewKey("kk", 1).String("a", "bc").Sum())
	add("int", NewKey("k", 1).Int("a", 1).Sum())
	add("bool", NewKey("k", 1).Bool("a", true).Sum())
	// Same content, same key; map order does not matter.
	m1 := NewKey("k", 1).Map("m", map[string]string{"x": "1", "y": "2"}).Sum()
	m2 := NewKey("k", 1).Map("m", map[string]string{"y": "2", "x": "1"}).Sum()
	if m1 != m2 {
		t.Error("map order changed the key")
	}
}

func TestConcurrentWritersOfTheSameBlob(t *testing.T) {
	c := newCache(t)
	data := bytes.Repeat([]byte("concurrent"), 100000)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PutBytes(data)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := c.VerifyBlob(DigestBytes(data)); err != nil {
		t.Fatal(err)
	}
}

func TestPrune(t *testing.T) {
	c := newCache(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	var keys []Digest
	for i := 0; i < 4; i++ {
		d, _ := c.PutBytes(bytes.Repeat([]byte{byte(i)}, 1000))
		k := NewKey("k", 1).Int("i", int64(i)).Sum()
		c.PutAction(k, Action{Outputs: map[string]Output{"o": {Digest: d, Size: 1000}}})
		keys = append(keys, k)
		now = now.Add(time.Hour)
	}
	orphan, _ := c.PutBytes([]byte("orphan"))
	now = now.Add(time.Hour)
	// Default prune removes only unreferenced blobs.
	if _, err := c.Prune(PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if c.HasBlob(orphan) {
		t.Fatal("orphan blob survived")
	}
	for _, k := range keys {
		if _, err := c.GetAction(k); err != nil {
			t.Fatalf("default prune removed an action: %v", err)
		}
	}
	// GetAction refreshed every use time to "now"; age the first two.
	os.Chtimes(c.actionPath(keys[0]), now.Add(-48*time.Hour), now.Add(-48*time.Hour))
	os.Chtimes(c.actionPath(keys[1]), now.Add(-48*time.Hour), now.Add(-48*time.Hour))
	if _, err := c.Prune(PruneOptions{OlderThan: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		_, err := c.GetAction(k)
		if (i < 2) != errors.Is(err, ErrMiss) {
			t.Fatalf("after age prune, action %d err = %v", i, err)
		}
	}
	if _, err := c.Prune(PruneOptions{KeepBytes: -1}); err != nil {
		t.Fatal(err)
	}
	u, _ := c.DiskUsage()
	if u.Actions != 0 || u.Blobs != 0 {
		t.Fatalf("prune all left %+v", u)
	}
}

// TestKilledWritersLeaveNoCorruptEntry kills a child process that writes
// blobs and actions in a loop at random moments, then checks that every
// entry in the cache is intact and the cache keeps working.
func TestKilledWritersLeaveNoCorruptEntry(t *testing.T) {
	if dir := os.Getenv("WIMBUILD_CACHE_CHILD"); dir != "" {
		childWriter(dir)
		return
	}
	if testing.Short() {
		t.Skip("subprocess kill test is not run with -short (it runs in the full suite)")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 10; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWritersLeaveNoCorruptEntry$")
		cmd.Env = append(os.Environ(), "WIMBUILD_CACHE_CHILD="+dir, "WIMBUILD_CACHE_SEED="+strconv.Itoa(trial))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.Intn(150)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	es, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	blobs := 0
	for _, e := range es {
		switch e.Kind {
		case "blob":
			blobs++
			if err := c.VerifyBlob(e.Digest); err != nil {
				t.Errorf("blob %s: %v", e.Digest.Short(), err)
			}
		case "action":
			if _, err := c.GetAction(e.Digest); err != nil {
				t.Errorf("action %s: %v", e.Digest.Short(), err)
			}
		}
	}
	if blobs == 0 {
		t.Fatal("children wrote nothing; test proves nothing")
	}
	if _, err := c.PutBytes([]byte("still works")); err != nil {
		t.Fatal(err)
	}
}

func childWriter(dir string) {
	c, err := Open(dir)
	if err != nil {
		os.Exit(3)
	}
	seed, _ := strconv.Atoi(os.Getenv("WIMBUILD_CACHE_SEED"))
	rng := rand.New(rand.NewSource(int64(seed)))
	buf := make([]byte, 1<<20)
	for i := 0; ; i++ {
		rng.Read(buf[:rng.Intn(len(buf))+1])
		n := rng.Intn(len(buf)) + 1
		d, err := c.PutBytes(buf[:n])
		if err != nil {
			os.Exit(4)
		}
		c.PutAction(NewKey("child", 1).String("i", fmt.Sprint(seed, i)).Sum(),
			Action{Kind: "child", Outputs: map[string]Output{"o": {Digest: d, Size: int64(n)}}})
	}
}

// Hints read back what was set, survive prunes while their blob exists and
// go with it; a damaged hint reads as none.
func TestHints(t *testing.T) {
	c := newCache(t)
	if _, ok := c.Hint("image boot"); ok {
		t.Fatal("hint before any was set")
	}
	d, _ := c.PutBytes([]byte("previous output"))
	k := NewKey("k", 1).Sum()
	c.PutAction(k, Action{Outputs: map[string]Output{"o": {Digest: d, Size: 15}}})
	if err := c.SetHint("image boot", d); err != nil {
		t.Fatal(err)
	}
	if err := c.SetHint("bad", "nothex"); err == nil {
		t.Fatal("SetHint took an invalid digest")
	}
	if got, ok := c.Hint("image boot"); !ok || got != d {
		t.Fatalf("Hint = %q, %v; want %q", got, ok, d)
	}
	os.WriteFile(c.hintPath("damaged"), []byte("zz\n"), 0o644)
	if _, ok := c.Hint("damaged"); ok {
		t.Fatal("a damaged hint was returned")
	}
	if _, err := c.Prune(PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Hint("image boot"); !ok {
		t.Fatal("prune dropped a hint whose blob is kept")
	}
	if _, err := os.Stat(c.hintPath("damaged")); err == nil {
		t.Fatal("prune kept a damaged hint")
	}
	if _, err := c.Prune(PruneOptions{KeepBytes: -1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Hint("image boot"); ok {
		t.Fatal("emptying the cache kept a hint")
	}
}

// TestOutputWrittenInPlaceIsAMiss: a published output is a hard link to its
// blob, so editing it in place (root ignores the read-only mode) rewrites
// the blob. The action must then miss and the damaged blob go, even when
// the edit kept the size; a blob whose time changed but whose bytes did not
// stays a hit and is restamped.
func TestOutputWrittenInPlaceIsAMiss(t *testing.T) {
	c := newCache(t)
	data := bytes.Repeat([]byte("wim!"), 4096)
	d, _ := c.PutBytes(data)
	key := NewKey("export", 1).Sum()
	if err := c.PutAction(key, Action{Outputs: map[string]Output{"wim": {Digest: d, Size: int64(len(data))}}}); err != nil {
		t.Fatal(err)
	}
	p, _ := c.BlobPath(d)
	st0, _ := os.Stat(p)
	// Reading a blob does not change its time (the stamp stays valid).
	if _, err := readAll(t, c, d); err != nil {
		t.Fatal(err)
	}
	if a, err := c.GetAction(key); err != nil || a.Outputs["wim"] != (Output{Digest: d, Size: int64(len(data))}) {
		t.Fatalf("intact output: %+v %v", a, err)
	}
	if af, err := c.readAction(key); err != nil || af.Outputs["wim"].Stamp != st0.ModTime().UnixNano() {
		t.Fatalf("recorded stamp: %+v %v (blob time %v)", af, err, st0.ModTime())
	}

	// Same bytes, new time: still a hit, and the record takes the new time.
	later := st0.ModTime().Add(time.Hour)
	os.Chtimes(p, later, later)
	if _, err := c.GetAction(key); err != nil {
		t.Fatalf("touched but intact output: %v", err)
	}
	af, err := c.readAction(key)
	if err != nil || af.Outputs["wim"].Stamp != later.UnixNano() {
		t.Fatalf("record not restamped: %+v %v", af, err)
	}

	// Edited in place through another link, same size: a miss, blob removed.
	link := filepath.Join(t.TempDir(), "boot.wim")
	if err := os.Link(p, link); err != nil {
		t.Fatal(err)
	}
	os.Chmod(link, 0o644)
	f, err := os.OpenFile(link, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("EDIT"), 100)
	f.Close()
	if _, err := c.GetAction(key); !errors.Is(err, ErrMiss) {
		t.Fatalf("output edited in place: err = %v, want a miss", err)
	}
	if c.HasBlob(d) {
		t.Fatal("the edited blob is still in the cache")
	}
	// Stored again, it is a new file; the edited link is left alone.
	if d2, _ := c.PutBytes(data); d2 != d {
		t.Fatal("digest changed")
	}
	if b, _ := os.ReadFile(link); bytes.Equal(b, data) {
		t.Fatal("re-storing the blob rewrote the edited file")
	}
}

// TestPruneKeepBytes: a size limit drops the oldest results with the blobs
// only they name — and no more than needed; shared blobs stay while a kept
// result names them; KeepUsedSince protects recent results even above the
// limit.
func TestPruneKeepBytes(t *testing.T) {
	c := newCache(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	shared, _ := c.PutBytes(bytes.Repeat([]byte("s"), 10000))
	var keys []Digest
	var own []Digest
	for i := 0; i < 4; i++ { // four "builds": 100 kB of their own + the shared 10 kB
		d, _ := c.PutBytes(bytes.Repeat([]byte{byte(i)}, 100000))
		k := NewKey("k", 1).Int("i", int64(i)).Sum()
		c.PutAction(k, Action{Outputs: map[string]Output{"o": {Digest: d, Size: 100000}, "s": {Digest: shared, Size: 10000}}})
		keys, own = append(keys, k), append(own, d)
		now = now.Add(time.Hour)
	}
	check := func(what string, wantKept ...bool) {
		t.Helper()
		for i, k := range keys {
			_, err := c.readAction(k)
			if (err == nil) != wantKept[i] || c.HasBlob(own[i]) != wantKept[i] {
				t.Fatalf("%s: build %d kept=%v (action err %v), want %v", what, i, c.HasBlob(own[i]), err, wantKept[i])
			}
		}
		if !c.HasBlob(shared) {
			t.Fatalf("%s: the shared blob is gone", what)
		}
	}
	// 4 x 100 kB + 10 kB + actions: room for two builds drops the two oldest.
	r, err := c.Prune(PruneOptions{KeepBytes: 250000})
	if err != nil {
		t.Fatal(err)
	}
	check("keep 250 kB", false, false, true, true)
	if r.Left > 250000 || r.Left < 210000 {
		t.Fatalf("left %d bytes", r.Left)
	}
	// The newest two are protected: a limit below them removes nothing.
	r, _ = c.Prune(PruneOptions{KeepBytes: 50000, KeepUsedSince: now.Add(-2 * time.Hour)})
	check("protected", false, false, true, true)
	if r.Left < 210000 {
		t.Fatalf("protected prune left %d bytes", r.Left)
	}
	// Only the newest protected: the older one goes.
	c.Prune(PruneOptions{KeepBytes: 50000, KeepUsedSince: now.Add(-time.Hour)})
	check("one protected", false, false, false, true)
}

// TestPruneFollowsRefs: blobs a kept result needs through Refs (content
// listed inside its manifest) survive; they go with the last result naming
// them.
func TestPruneFollowsRefs(t *testing.T) {
	c := newCache(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	content, _ := c.PutBytes([]byte("overlay file"))
	man, _ := c.PutBytes([]byte("manifest naming the overlay file"))
	k := NewKey("files", 1).Sum()
	c.PutAction(k, Action{Outputs: map[string]Output{"blobs": {Digest: man, Size: 32}}})
	now = now.Add(time.Hour)
	refs := func(a Action) []Digest {
		if a.Outputs["blobs"].Digest == man {
			return []Digest{content}
		}
		return nil
	}
	if _, err := c.Prune(PruneOptions{Refs: refs}); err != nil {
		t.Fatal(err)
	}
	if !c.HasBlob(content) || !c.HasBlob(man) {
		t.Fatal("prune removed a blob a kept result needs")
	}
	if _, err := c.Prune(PruneOptions{OlderThan: time.Minute, Refs: refs}); err != nil {
		t.Fatal(err)
	}
	if c.HasBlob(content) || c.HasBlob(man) {
		t.Fatal("blobs of a removed result survived")
	}
}

// TestCommitReplacesDamagedBlob: a blob committed again replaces the file
// under its name, which may have been damaged without changing size (a
// step that re-runs repairs its output instead of keeping the bad copy).
func TestCommitReplacesDamagedBlob(t *testing.T) {
	c := newCache(t)
	data := bytes.Repeat([]byte("output"), 1000)
	d, _ := c.PutBytes(data)
	p, _ := c.BlobPath(d)
	os.Chmod(p, 0o644)
	bad := append([]byte(nil), data...)
	bad[10] ^= 1
	os.WriteFile(p, bad, 0o444)
	w, err := c.NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if d2, _, err := w.Commit(); err != nil || d2 != d {
		t.Fatalf("commit: %s %v", d2, err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
		t.Fatal("the damaged blob was kept")
	}
}

// TestPruneKeepBytesFreshCache: in a cache whose content is all young (a
// CI job's cache, pruned before it is saved), --keep-bytes drops the
// oldest results with their blobs until it fits; it dropped every result
// and freed nothing, keeping young blobs no result named any more. A young
// blob no result names (a running build's) still stays.
func TestPruneKeepBytesFreshCache(t *testing.T) {
	c := newCache(t)
	now := time.Now()
	c.now = func() time.Time { return now }
	var keys, own []Digest
	for i := 0; i < 4; i++ {
		d, _ := c.PutBytes(bytes.Repeat([]byte{byte(i)}, 100000))
		k := NewKey("k", 1).Int("i", int64(i)).Sum()
		c.PutAction(k, Action{Outputs: map[string]Output{"o": {Digest: d, Size: 100000}}})
		keys, own = append(keys, k), append(own, d)
		now = now.Add(time.Minute)
	}
	orphan, _ := c.PutBytes(bytes.Repeat([]byte("o"), 1000)) // a running build's
	r, err := c.Prune(PruneOptions{KeepBytes: 250000})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		_, err := c.readAction(k)
		want := i >= 2
		if (err == nil) != want || c.HasBlob(own[i]) != want {
			t.Errorf("result %d: kept %v, blob kept %v; want %v", i, err == nil, c.HasBlob(own[i]), want)
		}
	}
	if !c.HasBlob(orphan) {
		t.Error("a young blob no result names was removed")
	}
	if r.Left > 250000 || r.RemovedBytes < 200000 {
		t.Errorf("left %d bytes, removed %d", r.Left, r.RemovedBytes)
	}
}

// TestOpenExplainsBadSymlinks: a cache directory that is a dangling
// symbolic link, or a link loop, is reported as what it is (a loop was
// called a link to a target "which does not exist").
func TestOpenExplainsBadSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "dangling"))
	os.Symlink(b, a)
	os.Symlink(a, b)
	if _, err := Open(filepath.Join(dir, "dangling")); err == nil || !strings.Contains(err.Error(), "which does not exist") {
		t.Errorf("dangling link: %v", err)
	}
	if _, err := Open(a); err == nil || !strings.Contains(err.Error(), "cannot be followed") {
		t.Errorf("link loop: %v", err)
	}
}
