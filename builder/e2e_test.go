package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/dsl"
	"github.com/wimbuild/wimbuild/internal/testutil"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

var (
	baseOnce sync.Once
	baseWIM  string
	baseErr  error
)

// smallBase writes (once per test binary) a sample base with little filler.
func smallBase(t *testing.T) string {
	t.Helper()
	baseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wimbuild-base-")
		if err != nil {
			baseErr = err
			return
		}
		baseWIM = filepath.Join(dir, "base.wim")
		baseErr = sample.WriteFile(baseWIM, sample.Options{FillerBytes: 2 << 20}, wim.WriteOptions{Compression: wim.XPRESS})
	})
	if baseErr != nil {
		t.Fatal(baseErr)
	}
	return baseWIM
}

// e2eDir copies testdata/e2e and the small base into a fresh directory.
func e2eDir(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk("testdata/e2e", func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/e2e", p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(smallBase(t))
	os.WriteFile(filepath.Join(dst, "base.wim"), b, 0o644)
	return dst
}

type counter struct {
	mu   sync.Mutex
	runs map[string]int
}

func (c *counter) observe(e Event) {
	if e.Status == StatusDone {
		c.mu.Lock()
		c.runs[e.Step.Kind]++
		c.mu.Unlock()
	}
}

func build(t *testing.T, dir string, c *cache.Cache, ctr *counter) *BuildResult {
	t.Helper()
	r := loadE2E(t, dir)
	o := Options{Cache: c, Jobs: 2}
	if ctr != nil {
		o.Observe = ctr.observe
	}
	p, diags := NewPlan(r, o)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func extract(t *testing.T, wimPath, imgPath string) []byte {
	t.Helper()
	dest := t.TempDir()
	testutil.Run(t, "wimlib-imagex", "extract", wimPath, "1", imgPath, "--dest-dir="+dest, "--no-acls")
	b, err := os.ReadFile(filepath.Join(dest, filepath.Base(imgPath)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuildEndToEnd(t *testing.T) {
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	ctr := &counter{runs: map[string]int{}}
	res := build(t, dir, c, ctr)
	out := filepath.Join(dir, "out")
	for _, name := range []string{"boot", "capture", "discover"} {
		p := filepath.Join(out, name+".wim")
		testutil.Run(t, "wimlib-imagex", "verify", p)
		info := testutil.Run(t, "wimlib-imagex", "info", p)
		for _, want := range []string{"Image Count:    1", "Boot Index:     1", "Compression:    XPRESS"} {
			if !strings.Contains(info, want) {
				t.Errorf("%s: info lacks %q\n%s", name, want, info)
			}
		}
	}
	boot := filepath.Join(out, "boot.wim")
	if got := string(extract(t, boot, "/Windows/System32/startnet.cmd")); got != "wpeinit\r\necho overlay\r\n" {
		t.Errorf("startnet.cmd = %q", got)
	}
	if got := string(extract(t, boot, "/contoso.txt")); got != "contoso tools\r\n" {
		t.Errorf("contoso.txt = %q", got)
	}
	if got := string(extract(t, boot, "/Windows/System32/hello.txt")); got != "hello\r\n" {
		t.Errorf("hello.txt = %q", got)
	}
	golden(t, "winpeshl-wds-setup.ini", extract(t, boot, "/Windows/System32/Winpeshl.ini"))
	golden(t, "winpeshl-discover-server.ini", extract(t, filepath.Join(out, "discover.wim"), "/Windows/System32/Winpeshl.ini"))
	golden(t, "winpeshl-capture.ini", extract(t, filepath.Join(out, "capture.wim"), "/Windows/System32/Winpeshl.ini"))
	golden(t, "e2e-wdscapture.inf", extract(t, filepath.Join(out, "capture.wim"), "/Windows/System32/WDSCapture.inf"))
	if list := testutil.Run(t, "wimlib-imagex", "dir", boot, "1"); strings.Contains(list, "winpeshl.exe") || !strings.Contains(list, "/sources/setup.exe") {
		t.Error("delete step or base selection wrong")
	}
	// Registry edits, read by hivex.
	sys := extract(t, boot, "/Windows/System32/config/SYSTEM")
	hp := filepath.Join(t.TempDir(), "SYSTEM")
	os.WriteFile(hp, sys, 0o644)
	get := func(key, val string) string {
		b, err := exec.Command(testutil.RequireTool(t, "hivexget"), hp, key, val).CombinedOutput()
		if err != nil {
			t.Fatalf("hivexget %s %s: %v %s", key, val, err, b)
		}
		return strings.TrimSpace(string(b))
	}
	if v := get(`ControlSet001\Control\Session Manager\Environment`, "CONTOSO"); v != "yes" {
		t.Errorf("registry value = %q", v)
	}
	if v := get(`ControlSet001\Services\FBWF`, "WinPECacheThreshold"); v != "256" {
		t.Errorf("scratch space = %q", v)
	}
	if info := testutil.Run(t, "wimlib-imagex", "info", boot); !strings.Contains(info, "Contoso WinPE (amd64)") || !strings.Contains(info, "Boot image for WDS") {
		t.Errorf("metadata not updated:\n%s", info)
	}
	// artifacts.json
	var man Manifest
	b, _ := os.ReadFile(filepath.Join(out, "artifacts.json"))
	if err := json.Unmarshal(b, &man); err != nil || len(man.Artifacts) != 3 || man.RecipeDigest == "" {
		t.Fatalf("artifacts.json: %v %s", err, b)
	}
	for _, a := range man.Artifacts {
		data, _ := os.ReadFile(filepath.Join(out, a.Path))
		if cache.DigestBytes(data) != cache.Digest(a.SHA256) || int64(len(data)) != a.Size || a.Arch != "amd64" || a.WinPEVersion == "" {
			t.Errorf("artifact %+v does not describe its file", a)
		}
	}
	if res.Executed == 0 {
		t.Fatal("nothing executed")
	}

	// Build twice: zero executions the second time, for every step kind.
	ctr2 := &counter{runs: map[string]int{}}
	res2 := build(t, dir, c, ctr2)
	if res2.Executed != 0 || len(ctr2.runs) != 0 {
		t.Fatalf("second build executed %d steps: %v", res2.Executed, ctr2.runs)
	}
	for _, kind := range []string{"source-wim", "open", "files", "file", "delete", "registry", "scratch_space", "launch", "metadata", "export"} {
		if ctr.runs[kind] == 0 {
			t.Errorf("step kind %s never ran in the first build", kind)
		}
	}

	// Touch one overlay file: only steps downstream of it re-run.
	os.WriteFile(filepath.Join(dir, "overlay", "contoso.txt"), []byte("contoso tools v2\r\n"), 0o644)
	ctr3 := &counter{runs: map[string]int{}}
	build(t, dir, c, ctr3)
	if ctr3.runs["source-wim"] != 0 || ctr3.runs["open"] != 0 {
		t.Errorf("steps upstream of the overlay re-ran: %v", ctr3.runs)
	}
	if ctr3.runs["files"] != 1 || ctr3.runs["export"] != 3 {
		t.Errorf("downstream steps: %v", ctr3.runs)
	}
	if got := string(extract(t, boot, "/contoso.txt")); got != "contoso tools v2\r\n" {
		t.Errorf("after change contoso.txt = %q", got)
	}
	// That rebuild borrowed metadata chunks from each image's previous
	// output (one hint per image); its outputs are still exactly what a
	// cold build of the changed recipe writes.
	if hs, _ := os.ReadDir(filepath.Join(c.Dir(), "hints")); len(hs) != 3 {
		t.Errorf("%d previous-output hints, want one per image (3)", len(hs))
	}
	cold := t.TempDir()
	if err := os.CopyFS(cold, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(cold, "out"))
	c2, _ := cache.Open(t.TempDir())
	build(t, cold, c2, nil)
	for _, f := range []string{"boot.wim", "capture.wim", "discover.wim"} {
		a, _ := os.ReadFile(filepath.Join(dir, "out", f))
		b, _ := os.ReadFile(filepath.Join(cold, "out", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s after an incremental rebuild differs from a cold build", f)
		}
	}
}

func TestTwoColdBuildsAreIdentical(t *testing.T) {
	var outs [2]string
	for i := range outs {
		dir := e2eDir(t)
		c, _ := cache.Open(t.TempDir())
		build(t, dir, c, nil)
		outs[i] = filepath.Join(dir, "out")
	}
	for _, f := range []string{"boot.wim", "capture.wim", "discover.wim", "artifacts.json"} {
		a, _ := os.ReadFile(filepath.Join(outs[0], f))
		b, _ := os.ReadFile(filepath.Join(outs[1], f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two cold builds in different directories", f)
		}
	}
}

func TestInstallVersionRule(t *testing.T) {
	dir := e2eDir(t)
	rp := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(rp)
	// The sample base is WinPE 10.0.19041: deploying 10.0.22621 must fail,
	// 10.0.19041 and older must pass.
	for _, c := range []struct {
		v  string
		ok bool
	}{{"10.0.22621", false}, {"10.0.19041", true}, {"6.3.9600", true}} {
		os.WriteFile(rp, bytes.Replace(b, []byte(`description = "Boot image for WDS"`),
			[]byte(`description = "Boot image for WDS"`+"\n  install_version = \""+c.v+"\""), 1), 0o644)
		r, diags := dsl.Load(dir, dsl.LoadOptions{Environ: []string{}})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		c2, _ := cache.Open(t.TempDir())
		p, diags := NewPlan(r, Options{Cache: c2, Targets: []string{"image.boot"}})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		_, err := p.Build(context.Background())
		if c.ok && err != nil {
			t.Errorf("install_version %s: %v", c.v, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "older than the install image") || !strings.Contains(err.Error(), "recipe.wb.hcl:")) {
			t.Errorf("install_version %s: err = %v", c.v, err)
		}
	}
}

// TestOutputEditedInPlaceIsRebuilt: out/*.wim are hard links to cache
// blobs. Editing one in place (as root, or after chmod) must not poison the
// cache: the next build re-runs the export, puts the true output back and
// lists its real digest. artifacts.json is readable by everyone (CI uploads
// it from another user's job).
func TestOutputEditedInPlaceIsRebuilt(t *testing.T) {
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	first := build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	want := sha256File(t, out)
	if fi, err := os.Stat(filepath.Join(dir, "out", "artifacts.json")); err != nil || fi.Mode().Perm()&0o044 != 0o044 {
		t.Fatalf("artifacts.json mode: %v %v", fi.Mode(), err)
	}

	os.Chmod(out, 0o644)
	f, err := os.OpenFile(out, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("hand edit"), 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if sha256File(t, out) == want {
		t.Fatal("the edit did not change the file")
	}

	ctr := &counter{runs: map[string]int{}}
	res := build(t, dir, c, ctr)
	if ctr.runs["export"] != 1 {
		t.Errorf("exports re-run after boot.wim was edited in place: %d, want 1 (runs %v)", ctr.runs["export"], ctr.runs)
	}
	if got := sha256File(t, out); got != want {
		t.Errorf("boot.wim after the rebuild: sha256 %s, want %s", got, want)
	}
	for i, a := range res.Manifest.Artifacts {
		if a != first.Manifest.Artifacts[i] {
			t.Errorf("artifact %d: %+v, want %+v", i, a, first.Manifest.Artifacts[i])
		}
	}
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(cache.DigestBytes(b))
}

// TestPruneKeepsContentOfCachedSteps: a files step's content is named only
// inside its state manifest. Pruning (by default, and by size with room to
// spare) must keep it, so a later build that re-runs only the export still
// finds it.
func TestPruneKeepsContentOfCachedSteps(t *testing.T) {
	dir := e2eDir(t)
	cdir := t.TempDir()
	c, _ := cache.Open(cdir)
	build(t, dir, c, nil)
	// Age every blob past Prune's one-minute grace for concurrent builds.
	old := time.Now().Add(-2 * time.Hour)
	filepath.Walk(filepath.Join(cdir, "blobs"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	for _, o := range []cache.PruneOptions{{}, {KeepBytes: 1 << 40}} {
		o.Refs = CacheRefs(c)
		if r, err := c.Prune(o); err != nil || r.Removed != 0 {
			t.Fatalf("prune %+v removed %d entries (%v); nothing was unreferenced", o, r.Removed, err)
		}
	}
	// Only the image metadata changes: the files steps stay cached and the
	// exports read their content from the cache.
	recipe := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(recipe)
	b2 := bytes.Replace(b, []byte(`description = "`), []byte(`description = "Pruned: `), 1)
	if bytes.Equal(b, b2) {
		t.Fatal("test recipe has no description to change")
	}
	os.WriteFile(recipe, b2, 0o644)
	ctr := &counter{runs: map[string]int{}}
	build(t, dir, c, ctr)
	if ctr.runs["export"] == 0 || ctr.runs["files"] != 0 {
		t.Fatalf("runs after the metadata change: %v", ctr.runs)
	}
}

// TestLostContentIsRebuilt: when content a cached state names is gone from
// the cache (deleted by hand, or pruned by a version that did not follow
// manifests), the steps that stored it run again instead of the build
// failing with a cache miss.
func TestLostContentIsRebuilt(t *testing.T) {
	dir := e2eDir(t)
	cdir := t.TempDir()
	c, _ := cache.Open(cdir)
	build(t, dir, c, nil)
	content, err := os.ReadFile(filepath.Join(dir, "overlay", "contoso.txt"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.BlobPath(cache.DigestBytes(content))
	if err != nil {
		t.Fatalf("overlay content not in the cache: %v", err)
	}
	os.Remove(p)
	editRecipe(t, dir, `description = "`, `description = "Lost: `)
	ctr := &counter{runs: map[string]int{}}
	build(t, dir, c, ctr)
	if ctr.runs["files"] == 0 || ctr.runs["export"] == 0 {
		t.Fatalf("runs after losing overlay content: %v", ctr.runs)
	}
	if got := extract(t, filepath.Join(dir, "out", "boot.wim"), "/contoso.txt"); !bytes.Equal(got, content) {
		t.Fatalf("contoso.txt in the rebuilt image: %q", got)
	}
	if !c.HasBlob(cache.DigestBytes(content)) {
		t.Fatal("the lost content was not stored again")
	}
}

// TestPublishByCopy: where outputs cannot be hard links (another volume),
// they are copies; a no-op rebuild must leave them alone (not copy hundreds
// of megabytes again), and a copy edited in place is replaced.
func TestPublishByCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("three builds (runs in the full suite)")
	}
	linkFile = func(string, string) error { return errors.New("cross-device link") }
	defer func() { linkFile = os.Link }()
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	fi1, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256File(t, out)
	if blob, _ := c.BlobPath(cache.Digest(want)); blob == "" {
		t.Fatal("output is not the cache blob's bytes")
	} else if bi, _ := os.Stat(blob); os.SameFile(fi1, bi) {
		t.Fatal("output is a hard link although links fail")
	}
	build(t, dir, c, nil)
	if fi2, _ := os.Stat(out); !os.SameFile(fi1, fi2) {
		t.Error("a no-op rebuild copied the output again")
	}
	f, _ := os.OpenFile(out, os.O_WRONLY, 0)
	f.WriteAt([]byte("edited"), 4096)
	f.Close()
	build(t, dir, c, nil)
	if got := sha256File(t, out); got != want {
		t.Errorf("edited copy not replaced: sha256 %s, want %s", got, want)
	}
}

// TestFilesSourceContainingOutputs: a files source that holds the output
// directory or the cache would copy earlier outputs into the image; the
// plan refuses it at the files block.
func TestFilesSourceContainingOutputs(t *testing.T) {
	dir := e2eDir(t)
	recipe := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(recipe)
	b2 := bytes.Replace(b, []byte(`source      = "overlay/"`), []byte(`source      = "./"`), 1)
	if bytes.Equal(b, b2) {
		t.Fatal("test recipe has no overlay files block")
	}
	os.WriteFile(recipe, b2, 0o644)
	r := loadE2E(t, dir)
	for _, tc := range []struct {
		name, cacheDir, outDir, want string
	}{
		{"out beside the recipe", t.TempDir(), "", "contains the output directory"},
		{"cache in the recipe dir", filepath.Join(dir, ".cache"), t.TempDir(), "contains the build cache"},
		{"both elsewhere", t.TempDir(), t.TempDir(), ""},
	} {
		c, err := cache.Open(tc.cacheDir)
		if err != nil {
			t.Fatal(err)
		}
		_, diags := NewPlan(r, Options{Cache: c, OutDir: tc.outDir})
		switch {
		case tc.want == "" && diags.HasErrors():
			t.Errorf("%s: %s", tc.name, diags.Error())
		case tc.want != "" && !strings.Contains(diags.Error(), tc.want):
			t.Errorf("%s: diagnostics %q, want %q", tc.name, diags.Error(), tc.want)
		case tc.want != "" && !strings.Contains(diags.Error(), "recipe.wb.hcl:22"):
			t.Errorf("%s: diagnostic not at the files block: %q", tc.name, diags.Error())
		}
		if tc.want != "" {
			if _, err := os.Stat(filepath.Join(dir, ".cache")); err == nil {
				t.Errorf("%s: the refused plan created the cache directory inside the files source", tc.name)
			}
		}
		os.RemoveAll(filepath.Join(dir, ".cache"))
	}
}

// TestConcurrentBuildsOfTheSameRecipe: two builds of one recipe, sharing
// the cache and the output directory, run at the same time (cold, then
// after a change); both succeed and the outputs are the built bytes.
func TestConcurrentBuildsOfTheSameRecipe(t *testing.T) {
	// Hold each published link a moment before it is renamed into place,
	// so the two builds' publishing overlaps every round.
	linkFile = func(src, dst string) error {
		err := os.Link(src, dst)
		time.Sleep(20 * time.Millisecond)
		return err
	}
	defer func() { linkFile = os.Link }()
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	recipe := filepath.Join(dir, "recipe.wb.hcl")
	orig, _ := os.ReadFile(recipe)
	for round := 0; round < 3; round++ {
		if round > 0 {
			os.WriteFile(recipe, bytes.Replace(orig, []byte(`description = "`), []byte(fmt.Sprintf(`description = "Round %d: `, round)), 1), 0o644)
		}
		r, diags := dsl.Load(dir, dsl.LoadOptions{CheckFiles: true, Environ: []string{}})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		for i, err := range buildConcurrently(r, Options{Cache: c, Jobs: 2}, Options{Cache: c, Jobs: 2}) {
			if err != nil {
				t.Fatalf("round %d, build %d: %v", round, i, err)
			}
		}
		var man Manifest
		b, _ := os.ReadFile(filepath.Join(dir, "out", "artifacts.json"))
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatalf("round %d: artifacts.json: %v", round, err)
		}
		for _, a := range man.Artifacts {
			if got := sha256File(t, filepath.Join(dir, "out", a.Path)); got != a.SHA256 {
				t.Errorf("round %d: %s has sha256 %s, artifacts.json says %s", round, a.Path, got, a.SHA256)
			}
		}
	}
}

// TestRepublishOverReadOnlyOutput: Windows will not rename a file over a
// read-only one, and a published output is a link to a read-only cache
// blob. With renames following that rule, a rebuild that changes the
// output still replaces it.
func TestRepublishOverReadOnlyOutput(t *testing.T) {
	renameFile = func(from, to string) error {
		if fi, err := os.Lstat(to); err == nil && fi.Mode().Perm()&0o200 == 0 {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: errors.New("Access is denied.")}
		}
		return os.Rename(from, to)
	}
	readOnlyBlocksRename = true
	defer func() { renameFile, readOnlyBlocksRename = cache.Rename, runtime.GOOS == "windows" }()
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	before := sha256File(t, out)
	editRecipe(t, dir, `description = "`, `description = "Windows: `)
	res := build(t, dir, c, nil)
	got := sha256File(t, out)
	if got == before {
		t.Fatal("the output was not replaced")
	}
	for _, a := range res.Manifest.Artifacts {
		if a.Path == "boot.wim" && a.SHA256 != got {
			t.Fatalf("boot.wim is %s, artifacts.json says %s", got, a.SHA256)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "out", ".*.tmp*")); len(left) != 0 {
		t.Fatalf("temp files left in out/: %v", left)
	}
}

// TestEmptyFiles: empty files — written by a file block, from an overlay,
// or from a host file — are empty files in the image (an empty stream
// names no blob; storing one broke the export).
func TestEmptyFiles(t *testing.T) {
	dir := e2eDir(t)
	os.WriteFile(filepath.Join(dir, "overlay", "empty.dat"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "empty.src"), nil, 0o644)
	recipe := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(recipe)
	anchor := []byte(`  file "/Windows/System32/hello.txt" {`)
	if !bytes.Contains(b, anchor) {
		t.Fatal("test recipe changed")
	}
	b = bytes.Replace(b, anchor, append([]byte("  file \"/marker.txt\" {\n    content = \"\"\n  }\n  file \"/from-host.txt\" {\n    source = \"empty.src\"\n  }\n"), anchor...), 1)
	os.WriteFile(recipe, b, 0o644)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	testutil.Run(t, "wimlib-imagex", "verify", out)
	for _, p := range []string{"/marker.txt", "/from-host.txt", "/empty.dat"} {
		if got := extract(t, out, p); len(got) != 0 {
			t.Errorf("%s: %d bytes, want an empty file", p, len(got))
		}
	}
}

// TestOverlayNamesAreWindowsNames: host names a Windows image cannot hold
// (':', a backslash, a trailing dot or space, device names), and two names
// that differ only in case, are refused at the files block — not put in
// the image, where a backslash became a directory and one of two
// case-twins silently vanished.
func TestOverlayNamesAreWindowsNames(t *testing.T) {
	if testing.Short() {
		t.Skip("eight plans (runs in the full suite)")
	}
	for _, tc := range []struct{ names []string }{
		{[]string{"a:b.txt"}}, {[]string{`back\slash.txt`}}, {[]string{"trail."}}, {[]string{"sp "}},
		{[]string{"NUL.txt"}}, {[]string{"com1"}}, {[]string{"Case.txt", "case.TXT"}}, {[]string{"tab\there"}},
	} {
		dir := e2eDir(t)
		for _, n := range tc.names {
			if err := os.WriteFile(filepath.Join(dir, "overlay", n), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r, diags := dsl.Load(dir, dsl.LoadOptions{CheckFiles: true, Environ: []string{}})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		c, _ := cache.Open(t.TempDir())
		_, diags = NewPlan(r, Options{Cache: c})
		msg := diags.Error()
		if !diags.HasErrors() || !strings.Contains(msg, "recipe.wb.hcl:22") ||
			!strings.Contains(msg, "File name not allowed") && !strings.Contains(msg, "Two files with one Windows name") {
			t.Errorf("overlay names %q: diagnostics %q, want an error at the files block", tc.names, diags.Error())
		}
	}
	// Ordinary names, including ones that merely look odd, are fine.
	for _, n := range []string{"CONFIG.SYS", "COM10", "LPT10.log", ".hidden", "a b.txt", "ü.txt"} {
		if err := windowsName(n); err != nil {
			t.Errorf("windowsName(%q) = %v", n, err)
		}
	}
}

// TestWinpeshlProgramsMustExist: a program Winpeshl.ini starts from the
// image must be in it, however its path is spelled (%SYSTEMDRIVE%\, X:\,
// \, %SYSTEMROOT%\); Setup in WDS mode is recognised in every spelling, so
// the Windows 11 rule cannot be sidestepped by writing X:\sources\setup.exe.
func TestWinpeshlProgramsMustExist(t *testing.T) {
	if testing.Short() {
		t.Skip("eight builds (runs in the full suite)")
	}
	for _, tc := range []struct {
		win11      bool
		path, args string
		want       string // "" = builds
	}{
		{false, `X:\\sources\\setup.exe`, "/WDS /wdsdiscover", ""},
		{true, `X:\\sources\\setup.exe`, "/WDS /wdsdiscover", "Windows 11 or later"},
		{true, `\\Sources\\SETUP.EXE`, "/wds", "Windows 11 or later"},
		{true, `x:/sources/setup.exe`, "", ""}, // not WDS mode: allowed
		{false, `%SYSTEMROOT%\\System32\\nosuch.exe`, "", `recipe.wb.hcl:44:14: image.boot: write Winpeshl.ini: Winpeshl.ini starts \Windows\System32\nosuch.exe, but the image has no such file`},
		{false, `X:\\Tools\\deploy.exe`, "", `\Tools\deploy.exe, but the image has no such file`},
		{false, `D:\\Tools\\deploy.exe`, "", ""}, // another drive: not checked
		{false, `\\\\server\\share\\deploy.exe`, "", ""},
	} {
		dir := e2eDir(t)
		if tc.win11 {
			if err := sample.WriteFile(filepath.Join(dir, "base.wim"), sample.Options{FillerBytes: -1, Version: winpe.Version{Major: 10, Build: 22621, SPBuild: 1}}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
				t.Fatal(err)
			}
		}
		recipe := filepath.Join(dir, "recipe.wb.hcl")
		b, _ := os.ReadFile(recipe)
		old := []byte("  winpeshl {\n    launch = \"wds-setup\"\n  }\n")
		if !bytes.Contains(b, old) {
			t.Fatal("test recipe changed")
		}
		app := fmt.Sprintf("  winpeshl {\n    app {\n      path = %q\n      args = %q\n    }\n  }\n", strings.ReplaceAll(tc.path, `\\`, `\`), tc.args)
		b = bytes.Replace(b, old, []byte(app), 1)
		// Only the boot image: capture and discover have their own rules.
		b = b[:bytes.Index(b, []byte(`image "capture"`))]
		os.WriteFile(recipe, b, 0o644)
		r, diags := dsl.Load(dir, dsl.LoadOptions{CheckFiles: true, Environ: []string{}})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", tc.path, diags.Error())
		}
		c, _ := cache.Open(t.TempDir())
		p, diags := NewPlan(r, Options{Cache: c})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", tc.path, diags.Error())
		}
		_, err := p.Build(context.Background())
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %s: %v", tc.path, tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %s: err %v, want %q", tc.path, tc.args, err, tc.want)
		}
	}
}

// TestFailedSourceHasNoKnockOnErrors: a source that cannot be built (here,
// a base whose sha256 does not match its pin) is reported once; the images
// built from it, directly or through other images, add no errors of their
// own.
func TestFailedSourceHasNoKnockOnErrors(t *testing.T) {
	dir := e2eDir(t)
	editRecipe(t, dir, "  path  = \"base.wim\"\n", "  path  = \"base.wim\"\n  sha256 = \""+strings.Repeat("ab", 32)+"\"\n")
	r := loadE2E(t, dir)
	c, _ := cache.Open(t.TempDir())
	_, diags := NewPlan(r, Options{Cache: c})
	var errs []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d.Summary)
		}
	}
	if len(errs) != 1 || errs[0] != "Base image does not match its sha256" {
		t.Fatalf("errors %q, want only the sha256 mismatch", errs)
	}
}

// TestStaleOutputsAreRemoved: out/ holds what artifacts.json lists. An image
// left out by --target, or renamed, loses its old output; a file of the
// user's in out/ is left alone.
func TestStaleOutputsAreRemoved(t *testing.T) {
	if testing.Short() {
		t.Skip("three builds (runs in the full suite)")
	}
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out")
	os.WriteFile(filepath.Join(out, "notes.wim"), []byte("the user's own file"), 0o644)
	r := loadE2E(t, dir)
	p, diags := NewPlan(r, Options{Cache: c, Targets: []string{"image.capture"}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	var names []string
	des, _ := os.ReadDir(out)
	for _, de := range des {
		if de.Name() != lockName {
			names = append(names, de.Name())
		}
	}
	if strings.Join(names, " ") != "artifacts.json capture.wim notes.wim" {
		t.Fatalf("out/ after --target image.capture: %v", names)
	}
	// Renaming an image replaces its output.
	editRecipe(t, dir, `image "capture"`, `image "cap2"`)
	build(t, dir, c, nil)
	names = nil
	des, _ = os.ReadDir(out)
	for _, de := range des {
		if de.Name() != lockName {
			names = append(names, de.Name())
		}
	}
	if strings.Join(names, " ") != "artifacts.json boot.wim cap2.wim discover.wim notes.wim" {
		t.Fatalf("out/ after renaming capture to cap2: %v", names)
	}
}

// TestCancelDuringExport: Ctrl-C while an image is being compressed stops
// the build promptly (the export used to run to its end first) and leaves
// no output.
func TestCancelDuringExport(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses a 48 MB base (runs in the full suite)")
	}
	dir := e2eDir(t)
	// An uncompressed base and LZX output: the export compresses it all.
	if err := sample.WriteFile(filepath.Join(dir, "base.wim"), sample.Options{FillerBytes: 48 << 20}, wim.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	editRecipe(t, dir, `compression = "xpress"`, `compression = "lzx"`)
	r := loadE2E(t, dir)
	c, _ := cache.Open(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	var canceledAt time.Time
	p, diags := NewPlan(r, Options{Cache: c, Jobs: 2, Targets: []string{"image.boot"}, Observe: func(e Event) {
		if e.Step.Kind == "export" && e.Status == StatusStarted {
			once.Do(func() {
				go func() {
					time.Sleep(200 * time.Millisecond) // into the compression
					canceledAt = time.Now()
					cancel()
				}()
			})
		}
	}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, err := p.Build(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if canceledAt.IsZero() {
		t.Fatal("the export never started")
	}
	if d := time.Since(canceledAt); d > time.Second {
		t.Errorf("the build took %v to stop after the cancel", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "boot.wim")); err == nil {
		t.Error("a canceled build published boot.wim")
	}
}

// TestBaseThatIsNotAWIM: a source "wim" file that is no WIM fails at the
// open step naming the user's file, not its copy in the cache.
func TestBaseThatIsNotAWIM(t *testing.T) {
	dir := e2eDir(t)
	os.WriteFile(filepath.Join(dir, "base.wim"), bytes.Repeat([]byte("not a wim "), 100), 0o644)
	r := loadE2E(t, dir)
	cdir := t.TempDir()
	c, _ := cache.Open(cdir)
	p, diags := NewPlan(r, Options{Cache: c})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, err := p.Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "base.wim") || strings.Contains(err.Error(), cdir) {
		t.Fatalf("err = %v; want it to name base.wim and not the cache", err)
	}
}

// TestSensitiveValuesStayOutOfBuildOutput: a value computed from a
// sensitive variable appears in no plan diagnostic, step label, progress
// event or build error.
func TestSensitiveValuesStayOutOfBuildOutput(t *testing.T) {
	dir := e2eDir(t)
	recipe := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(recipe)
	old := []byte("  winpeshl {\n    launch = \"wds-setup\"\n  }\n")
	if !bytes.Contains(b, old) {
		t.Fatal("test recipe changed")
	}
	// A program that is not in the image: the launch step fails, naming it.
	b = bytes.Replace(b, old, []byte("  winpeshl {\n    app {\n      path = \"X:\\\\Tools\\\\${var.tool}.exe\"\n    }\n  }\n"), 1)
	b = b[:bytes.Index(b, []byte(`image "capture"`))]
	b = append(b, []byte("variable \"tool\" {\n  type      = string\n  sensitive = true\n  default   = \"hunter2-tool\"\n}\n")...)
	os.WriteFile(recipe, b, 0o644)
	r, diags := dsl.Load(dir, dsl.LoadOptions{CheckFiles: true, Environ: []string{}})
	if diags.HasErrors() {
		for _, d := range diags {
			t.Log(d)
		}
		t.FailNow()
	}
	var seen []string
	var mu sync.Mutex // events come from the steps' goroutines
	c, _ := cache.Open(t.TempDir())
	p, diags := NewPlan(r, Options{Cache: c, Observe: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, e.Step.Label)
		if e.Err != nil {
			seen = append(seen, e.Err.Error())
		}
	}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, err := p.Build(context.Background())
	if err == nil {
		t.Fatal("the build did not fail")
	}
	seen = append(seen, err.Error())
	for _, s := range seen {
		if strings.Contains(s, "hunter2") {
			t.Fatalf("sensitive value shown: %q", s)
		}
	}
	if !strings.Contains(err.Error(), dsl.SensitiveValue) {
		t.Fatalf("error %q does not say a sensitive value was masked", err)
	}
}

// editRecipe replaces the first old in dir's recipe with new; the test
// fails if the recipe has no old.
func editRecipe(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, "recipe.wb.hcl")
	b, err := os.ReadFile(p)
	if err != nil || !bytes.Contains(b, []byte(old)) {
		t.Fatalf("test recipe has no %q (%v)", old, err)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// buildErr plans the recipe in dir (failing the test on diagnostics) and
// returns the build's error, with a fresh cache.
func buildErr(t *testing.T, dir string) error {
	t.Helper()
	c, _ := cache.Open(t.TempDir())
	pl, diags := NewPlan(loadE2E(t, dir), Options{Cache: c})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, err := pl.Build(context.Background())
	return err
}

// loadE2E loads the recipe in dir, failing the test on errors.
func loadE2E(t *testing.T, dir string) *dsl.Recipe {
	t.Helper()
	r, diags := dsl.Load(dir, dsl.LoadOptions{CheckFiles: true, Environ: []string{}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return r
}

// TestOutputsNeverOverwriteInputs: an output directory that is the recipe
// directory, or one where <image>.wim is the base image the recipe reads
// (sources/boot.wim built into sources/), is refused before anything is
// written.
func TestOutputsNeverOverwriteInputs(t *testing.T) {
	dir := e2eDir(t)
	os.MkdirAll(filepath.Join(dir, "media"), 0o755)
	if err := os.Rename(filepath.Join(dir, "base.wim"), filepath.Join(dir, "media", "boot.wim")); err != nil {
		t.Fatal(err)
	}
	editRecipe(t, dir, `path  = "base.wim"`, `path  = "media/boot.wim"`)
	r := loadE2E(t, dir)
	before := sha256File(t, filepath.Join(dir, "media", "boot.wim"))
	for out, want := range map[string]string{
		filepath.Join(dir, "media"): "Output would overwrite an input",
		dir:                         "Output directory is the recipe directory",
	} {
		c, _ := cache.Open(t.TempDir())
		_, diags := NewPlan(r, Options{Cache: c, OutDir: out})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), want) {
			t.Errorf("--out %s: %v, want %q", out, diags, want)
		}
	}
	if sha256File(t, filepath.Join(dir, "media", "boot.wim")) != before {
		t.Fatal("the base image changed")
	}
}

// TestConcurrentBuildsOfOneOutputDirectory: builds of different targets or
// variables sharing an output directory each publish and write their
// manifest under its lock, so whichever finishes last leaves out/ exactly
// as its artifacts.json says (the two used to interleave: a manifest
// listing a file the other build had just removed, or another build's
// bytes); a killed build's temp file is cleared by the next.
func TestConcurrentBuildsOfOneOutputDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("many builds (runs in the full suite)")
	}
	linkFile = func(src, dst string) error {
		err := os.Link(src, dst)
		time.Sleep(10 * time.Millisecond) // widen the publishing window
		return err
	}
	defer func() { linkFile = os.Link }()
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	r := loadE2E(t, dir)
	out := filepath.Join(dir, "out")
	os.MkdirAll(out, 0o755)
	os.WriteFile(filepath.Join(out, ".boot.wim.tmp-0123456789ab-1-1"), []byte("left by a killed build"), 0o644)
	for round := 0; round < 4; round++ {
		for i, err := range buildConcurrently(r, Options{Cache: c, Targets: []string{"image.boot"}}, Options{Cache: c, Targets: []string{"image.capture"}}) {
			if err != nil {
				t.Fatalf("round %d, build %d: %v", round, i, err)
			}
		}
		var man Manifest
		b, _ := os.ReadFile(filepath.Join(out, "artifacts.json"))
		if err := json.Unmarshal(b, &man); err != nil || len(man.Artifacts) != 1 {
			t.Fatalf("round %d: artifacts.json %s (%v)", round, b, err)
		}
		a := man.Artifacts[0]
		if got := sha256File(t, filepath.Join(out, a.Path)); got != a.SHA256 {
			t.Fatalf("round %d: %s is %s, artifacts.json says %s", round, a.Path, got, a.SHA256)
		}
		des, _ := os.ReadDir(out)
		for _, de := range des {
			if n := de.Name(); n != lockName && n != "artifacts.json" && n != a.Path {
				t.Fatalf("round %d: out/ holds %s, which artifacts.json does not list", round, n)
			}
		}
	}
}

// TestCancelWhilePublishing: Ctrl-C while outputs are being copied into
// place (no hard links) stops the build as interrupted and keeps the
// previous outputs and manifest; it used to finish and report success.
func TestCancelWhilePublishing(t *testing.T) {
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out")
	before, _ := os.ReadFile(filepath.Join(out, "artifacts.json"))
	editRecipe(t, dir, `description = "`, `description = "Canceled: `)
	ctx, cancel := context.WithCancel(context.Background())
	linkFile = func(string, string) error { cancel(); return errors.New("cross-device link") }
	defer func() { linkFile = os.Link }()
	p, diags := NewPlan(loadE2E(t, dir), Options{Cache: c})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if _, err := p.Build(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "artifacts.json")); !bytes.Equal(after, before) {
		t.Fatal("artifacts.json changed")
	}
	var man Manifest
	json.Unmarshal(before, &man)
	for _, a := range man.Artifacts {
		if got := sha256File(t, filepath.Join(out, a.Path)); got != a.SHA256 {
			t.Errorf("%s changed", a.Path)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".*.tmp*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// TestDamagedCopyInOutIsRelinked: where outputs can be hard links, an
// output that is some other file — even one with the blob's size and time
// (a damaged copy put back with its time restored) — is replaced by the
// link; only when links are impossible is a same-size, same-time copy
// trusted.
func TestDamagedCopyInOutIsRelinked(t *testing.T) {
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	want := sha256File(t, out)
	fi, _ := os.Stat(out)
	b, _ := os.ReadFile(out)
	b[7000] ^= 0xff
	os.Remove(out)
	os.WriteFile(out, b, 0o444)
	os.Chtimes(out, fi.ModTime(), fi.ModTime())
	build(t, dir, c, nil)
	if got := sha256File(t, out); got != want {
		t.Fatalf("boot.wim %s, want %s", got, want)
	}
}

// buildConcurrently plans and builds r once per options, all at the same
// time, and returns each build's error.
func buildConcurrently(r *dsl.Recipe, opts ...Options) []error {
	var wg sync.WaitGroup
	errs := make([]error, len(opts))
	for i, o := range opts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, diags := NewPlan(r, o)
			if diags.HasErrors() {
				errs[i] = diags
				return
			}
			_, errs[i] = p.Build(context.Background())
		}()
	}
	wg.Wait()
	return errs
}

// TestEditsKeepNamesAndStampBuildTime: a file replaced under another
// letter case keeps the image's spelling of its name, as Windows does;
// directories and registry keys the build creates (and the edited hive)
// carry source_date_epoch like the files, not their parent's times or 0.
func TestEditsKeepNamesAndStampBuildTime(t *testing.T) {
	dir := e2eDir(t)
	editRecipe(t, dir, `  file "/Windows/System32/hello.txt" {`, `  file "/WINDOWS/SYSTEM32/CMD.EXE" {
    content = "replaced"
  }
  file "/New/Deep/x.txt" {
    content = "x"
  }
  files {
    source      = "overlay/"
    destination = "/Other/Tree"
  }
  registry "SOFTWARE" {
    set "Contoso\\Deploy" {
      name  = "Stage"
      type  = "dword"
      value = 1
    }
  }
  file "/Windows/System32/hello.txt" {`)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	w, err := wim.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	img, err := w.Image(1)
	if err != nil {
		t.Fatal(err)
	}
	ft := sample.FileTime(1735689600)
	if d, err := img.Lookup(`\Windows\System32\cmd.exe`); err != nil || d.Name != "cmd.exe" {
		t.Errorf("replaced cmd.exe: %v, name %q; want the image's name cmd.exe kept", err, d.Name)
	}
	if got := extract(t, out, "/Windows/System32/cmd.exe"); string(got) != "replaced" {
		t.Errorf("cmd.exe holds %q", got)
	}
	for _, p := range []string{`\New`, `\New\Deep`, `\New\Deep\x.txt`, `\Other`, `\Other\Tree`, `\Other\Tree\Windows\System32`} {
		d, err := img.Lookup(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if in := d.Inode; in.CreationTime != ft || in.LastWriteTime != ft || in.LastAccessTime != ft {
			t.Errorf("%s: times %d/%d/%d, want source_date_epoch %d", p, in.CreationTime, in.LastWriteTime, in.LastAccessTime, ft)
		}
	}
	h, err := regf.Parse(extract(t, out, "/Windows/System32/config/SOFTWARE"))
	if err != nil {
		t.Fatal(err)
	}
	if h.Timestamp != ft {
		t.Errorf("SOFTWARE hive timestamp %d, want %d", h.Timestamp, ft)
	}
	for _, p := range []string{`Contoso`, `Contoso\Deploy`} {
		k, err := h.Key(p)
		if err != nil {
			t.Fatalf("SOFTWARE\\%s: %v", p, err)
		}
		if k.LastWrite() != ft {
			t.Errorf("SOFTWARE\\%s: last write %d, want %d", p, k.LastWrite(), ft)
		}
	}
}

// TestSingleFileIntoNewDirectory: a files block with a single-file source
// and a destination ending in "/" puts the file, under its own name, into
// that directory, created when missing; without the "/" the destination
// is the file's own path.
func TestSingleFileIntoNewDirectory(t *testing.T) {
	dir := e2eDir(t)
	editRecipe(t, dir, `  file "/Windows/System32/hello.txt" {`, `  files {
    source      = "overlay/contoso.txt"
    destination = "/NewDir/"
  }
  files {
    source      = "overlay/contoso.txt"
    destination = "/Renamed.txt"
  }
  file "/Windows/System32/hello.txt" {`)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	out := filepath.Join(dir, "out", "boot.wim")
	want, _ := os.ReadFile(filepath.Join(dir, "overlay", "contoso.txt"))
	for _, p := range []string{"/NewDir/contoso.txt", "/Renamed.txt"} {
		if got := extract(t, out, p); !bytes.Equal(got, want) {
			t.Errorf("%s holds %q, want %q", p, got, want)
		}
	}
}

// TestDerivedImagesKeepLaunchRules: an image built from another keeps its
// Winpeshl.ini, so what that Winpeshl.ini starts must still be in it: a
// derived image deleting setup.exe fails, at its own block, naming where
// the inherited configuration came from; one that also writes its own
// Winpeshl.ini is fine.
func TestDerivedImagesKeepLaunchRules(t *testing.T) {
	if testing.Short() {
		t.Skip("three builds (runs in the full suite)")
	}
	for _, tc := range []struct {
		steps string
		want  string // "" = builds
	}{
		{`delete = ["/sources/setup.exe"]`, `recipe.wb.hcl:70:1: image.derived: set image name, description and flags: a Winpeshl.ini (from image.boot at `},
		{"delete = [\"/sources/setup.exe\"]\n  file \"/Windows/System32/Winpeshl.ini\" {\n    content = \"[LaunchApps]\\r\\n%SYSTEMROOT%\\\\System32\\\\cmd.exe\\r\\n\"\n  }", ""},
		{`delete = ["/contoso.txt"]`, ""},
	} {
		dir := e2eDir(t)
		p := filepath.Join(dir, "recipe.wb.hcl")
		b, _ := os.ReadFile(p)
		b = append(b, []byte("\nimage \"derived\" {\n  from = image.boot\n  "+tc.steps+"\n}\n")...)
		os.WriteFile(p, b, 0o644)
		err := buildErr(t, dir)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.steps, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s:\n got %v\nwant %s", tc.steps, err, tc.want)
		}
	}
}

// TestSourceErrorsPointAtTheAttribute: build-time failures caused by one
// attribute (an index the base does not have, an install_version the
// image does not match) are reported at that attribute, not at the image.
func TestSourceErrorsPointAtTheAttribute(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{"  index = 2\n", "  index = 7\n", "recipe.wb.hcl:13:11: image.boot: open source.wim.base: the base WIM has 2 images; index 7 does not exist"},
		{"  description = \"Boot image for WDS\"\n", "  description = \"Boot image for WDS\"\n  install_version = \"10.0.26100.1\"\n", "recipe.wb.hcl:20:21: image.boot: set image name"},
	} {
		dir := e2eDir(t)
		editRecipe(t, dir, tc.old, tc.new)
		err := buildErr(t, dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", strings.TrimSpace(tc.new), err, tc.want)
		}
	}
}

// TestRegistryDeletesOfMissingAreSkipped: delete_key and delete_value of
// keys and values the hive does not have are skipped, like delete of image
// paths (they failed the build), while present ones are deleted.
func TestRegistryDeletesOfMissingAreSkipped(t *testing.T) {
	dir := e2eDir(t)
	editRecipe(t, dir, "  scratch_space = 256\n", `  registry "SYSTEM" {
    delete_key = ["NoSuchKey", "ControlSet001\\Services\\NoSuchService"]
    delete_value "NoSuchKey\\Sub" {
      name = "x"
    }
    delete_value "Select" {
      name = "NoSuchValue"
    }
    set "ControlSet001\\Services\\Gone" {
      name  = "v"
      type  = "dword"
      value = 1
    }
  }
  registry "SYSTEM" {
    delete_key = ["ControlSet001\\Services\\Gone"]
  }

  scratch_space = 256
`)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	h, err := regf.Parse(extract(t, filepath.Join(dir, "out", "boot.wim"), "/Windows/System32/config/SYSTEM"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Key(`ControlSet001\Services\Gone`); !errors.Is(err, regf.ErrNotFound) {
		t.Errorf("deleted key is still there (%v)", err)
	}
	if k, err := h.Key("Select"); err != nil || k.Value("Current") == nil {
		t.Errorf("Select\\Current is gone (%v)", err)
	}
}

// TestFileBlockAndLaunchBlockConflict: a file block writing Winpeshl.ini in
// an image whose winpeshl block writes it too is refused at the file block
// (the file block's content was silently replaced).
func TestFileBlockAndLaunchBlockConflict(t *testing.T) {
	dir := e2eDir(t)
	editRecipe(t, dir, `  file "/Windows/System32/hello.txt" {`, `  file "/windows/system32/WINPESHL.INI" {
    content = "[LaunchApps]\r\ncmd.exe\r\n"
  }
  file "/Windows/System32/hello.txt" {`)
	r := loadE2E(t, dir)
	c, _ := cache.Open(t.TempDir())
	_, diags := NewPlan(r, Options{Cache: c})
	if msg := diags.Error(); !diags.HasErrors() || !strings.Contains(msg, "File written twice") || !strings.Contains(msg, "recipe.wb.hcl:26,8") {
		t.Fatalf("diagnostics %q, want File written twice at the file block", msg)
	}
	// validate says so too (Check), and validate --check-files lists every
	// bad overlay name, not only a block's first.
	if d := Check(r); !strings.Contains(d.Error(), "File written twice") {
		t.Errorf("Check: %q", d.Error())
	}
	for _, n := range []string{"a:b.txt", "trail.", "NUL.txt"} {
		os.WriteFile(filepath.Join(dir, "overlay", n), []byte("x"), 0o644)
	}
	if d := CheckFiles(r); len(d) != 3 {
		t.Errorf("CheckFiles found %d problems, want 3: %s", len(d), d.Error())
	}
	// An overlay bringing Winpeshl.ini is refused at its files block too.
	dir2 := e2eDir(t)
	os.WriteFile(filepath.Join(dir2, "overlay", "Windows", "System32", "winpeshl.INI"), []byte("[LaunchApps]\r\ncmd.exe\r\n"), 0o644)
	_, diags = NewPlan(loadE2E(t, dir2), Options{Cache: c})
	if msg := diags.Error(); !diags.HasErrors() || !strings.Contains(msg, "overlay brings \\Windows\\System32\\Winpeshl.ini") {
		t.Errorf("overlay with Winpeshl.ini: %q", msg)
	}
}

// TestDamagedBaseIsRefused: a base WIM whose compressed data is damaged is
// refused when it is imported (every blob's SHA-1 is checked once per base
// content): export copies unchanged chunks raw, so the damage reached the
// outputs with exit 0.
func TestDamagedBaseIsRefused(t *testing.T) {
	dir := e2eDir(t)
	p := filepath.Join(dir, "base.wim")
	w, err := wim.OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var big *wim.WIMBlob
	for _, b := range w.Blobs() {
		if big == nil || b.Entry().SizeInWIM > big.Entry().SizeInWIM {
			big = b
		}
	}
	w.Close()
	e := big.Entry()
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11, 0x22}, e.Offset+e.SizeInWIM-64)
	f.Close()
	err = buildErr(t, dir)
	if err == nil || !strings.Contains(err.Error(), "base.wim is damaged") || !strings.Contains(err.Error(), "recipe.wb.hcl:11:1") {
		t.Fatalf("build of a damaged base: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "boot.wim")); err == nil {
		t.Error("an output was written from a damaged base")
	}
}

// TestOneFileChangeStoresOnlyIt: when one overlay file changes, the files
// step re-runs but does not read or store the unchanged files again (each
// cost a cache write and two fsyncs: with 50,000 files the rebuild took
// longer than the cold build); the image still holds every file right.
func TestOneFileChangeStoresOnlyIt(t *testing.T) {
	dir := e2eDir(t)
	ov := filepath.Join(dir, "overlay")
	old := time.Now().Add(-time.Hour) // outside the memo's racy window
	for _, n := range []string{"a.txt", "b.txt", "c.txt"} {
		p := filepath.Join(ov, n)
		os.WriteFile(p, []byte("content of "+n), 0o644)
		os.Chtimes(p, old, old)
	}
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	blobOf := func(content string) os.FileInfo {
		p, err := c.BlobPath(cache.DigestBytes([]byte(content)))
		if err != nil {
			t.Fatalf("%q not in the cache: %v", content, err)
		}
		fi, _ := os.Stat(p)
		return fi
	}
	before := blobOf("content of a.txt")
	os.WriteFile(filepath.Join(ov, "b.txt"), []byte("changed b"), 0o644)
	build(t, dir, c, nil)
	if after := blobOf("content of a.txt"); !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("an unchanged overlay file was stored again")
	}
	out := filepath.Join(dir, "out", "boot.wim")
	for n, want := range map[string]string{"/a.txt": "content of a.txt", "/b.txt": "changed b", "/c.txt": "content of c.txt"} {
		if got := extract(t, out, n); string(got) != want {
			t.Errorf("%s holds %q, want %q", n, got, want)
		}
	}
}

// TestCacheWriteFailureNamesTheCache: when the cache cannot store an
// overlay file's content, the error says so (it said "reading" the
// overlay file, which was fine).
func TestCacheWriteFailureNamesTheCache(t *testing.T) {
	dir := e2eDir(t)
	cdir := t.TempDir()
	c, _ := cache.Open(cdir)
	build(t, dir, c, nil)
	os.RemoveAll(filepath.Join(cdir, "tmp"))
	os.WriteFile(filepath.Join(cdir, "tmp"), nil, 0o644) // temp files cannot be made
	os.WriteFile(filepath.Join(dir, "overlay", "contoso.txt"), []byte("changed"), 0o644)
	pl, diags := NewPlan(loadE2E(t, dir), Options{Cache: c})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	_, err := pl.Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "in the cache "+cdir) || strings.Contains(err.Error(), "reading ") {
		t.Fatalf("build with an unwritable cache: %v", err)
	}
}

// TestSharedStepsAreThePlanned: of steps with equal keys, the build runs
// the one plan lists first and reports the others as shared — the same
// steps plan marks (it named whichever goroutine came first).
func TestSharedStepsAreThePlanned(t *testing.T) {
	dir := e2eDir(t)
	p := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(p)
	b = append(b, []byte("\nimage \"twin\" {\n  from = source.wim.base\n  name = \"Twin\"\n  files {\n    source      = \"overlay/\"\n    destination = \"/\"\n  }\n}\n")...)
	os.WriteFile(p, b, 0o644)
	for round := 0; round < 3; round++ {
		c, _ := cache.Open(t.TempDir())
		var mu sync.Mutex
		shared := map[string]bool{}
		pl, diags := NewPlan(loadE2E(t, dir), Options{Cache: c, Jobs: 4, Observe: func(e Event) {
			if e.Status == StatusShared {
				mu.Lock()
				shared[e.Step.ID] = true
				mu.Unlock()
			}
		}})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		want := map[string]bool{}
		first := map[cache.Digest]bool{}
		for _, s := range pl.Steps {
			if first[s.Key] {
				want[s.ID] = true
			}
			first[s.Key] = true
		}
		if len(want) == 0 {
			t.Fatal("the test recipe has no steps with equal keys")
		}
		if _, err := pl.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(shared) != fmt.Sprint(want) {
			t.Fatalf("round %d: shared %v, plan order says %v", round, shared, want)
		}
	}
}
