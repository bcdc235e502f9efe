package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wimbuild/wimbuild/builder"
	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/internal/testutil"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

// e2eRecipe copies builder/testdata/e2e into a temp dir with a small base.
func e2eRecipe(t *testing.T) string {
	t.Helper()
	src := filepath.Join(testutil.RepoRoot(t), "builder", "testdata", "e2e")
	dst := t.TempDir()
	filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, _ := os.ReadFile(p)
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err := sample.WriteFile(filepath.Join(dst, "base.wim"), sample.Options{FillerBytes: 1 << 20}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
		t.Fatal(err)
	}
	return dst
}

func runCapture(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	app := newApp()
	var out, errb bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errb
	err := app.Run(append([]string{"wimbuild"}, args...))
	code := 0
	if err != nil {
		code = exitCode(err)
		errb.WriteString(err.Error())
	}
	return code, out.String(), errb.String()
}

func TestBuildAndPlanCommands(t *testing.T) {
	dir := e2eRecipe(t)
	cacheDir := t.TempDir()
	code, out, errs := runCapture(t, "plan", "--cache-dir", cacheDir, dir)
	if code != 0 || !strings.Contains(out, "16 steps: 0 cached, 16 to run") {
		t.Fatalf("plan exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "json", dir)
	if code != 0 || !strings.Contains(out, "built 16 steps, 0 cached") {
		t.Fatalf("build exit %d\n%s\n%s", code, out, errs)
	}
	// JSON progress: one valid object per line, with done events.
	sc := bufio.NewScanner(strings.NewReader(errs))
	done := 0
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var ev jsonEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("bad JSON event %q: %v", line, err)
		}
		if ev.Status == "done" {
			done++
		}
	}
	if done != 16 {
		t.Fatalf("%d done events, want 16\n%s", done, errs)
	}
	code, out, _ = runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "plain", dir)
	if code != 0 || !strings.Contains(out, "built 0 steps, 16 cached") {
		t.Fatalf("rebuild exit %d\n%s", code, out)
	}
	code, out, _ = runCapture(t, "plan", "--cache-dir", cacheDir, "--format", "json", dir)
	var pj struct {
		Steps []planStep `json:"steps"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &pj) != nil || len(pj.Steps) != 16 || !pj.Steps[0].Cached {
		t.Fatalf("plan json exit %d\n%s", code, out)
	}
	code, out, _ = runCapture(t, "plan", "--cache-dir", cacheDir, "--format", "dot", "--target", "image.capture", dir)
	if code != 0 || !strings.HasPrefix(out, "digraph") || strings.Contains(out, "discover") {
		t.Fatalf("plan dot exit %d\n%s", code, out)
	}
	// Usage and recipe errors.
	if code, _, _ := runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "fancy", dir); code != exitUsage {
		t.Errorf("bad --progress exit %d", code)
	}
	if code, _, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--target", "image.nope", dir); code != exitFailure || !strings.Contains(errs, "Unknown target") {
		t.Errorf("unknown target exit %d: %s", code, errs)
	}
}

func TestBuildErrorPointsAtRecipe(t *testing.T) {
	dir := e2eRecipe(t)
	// Writing a file over a directory fails at build time, located.
	rp := filepath.Join(dir, "recipe.wb.hcl")
	b, _ := os.ReadFile(rp)
	os.WriteFile(rp, bytes.Replace(b, []byte(`file "/Windows/System32/hello.txt"`), []byte(`file "/Windows/System32/drivers"`), 1), 0o644)
	code, _, errs := runCapture(t, "build", "--cache-dir", t.TempDir(), "--progress", "plain", dir)
	if code != exitFailure || !strings.Contains(errs, "recipe.wb.hcl:") || !strings.Contains(errs, "is a directory") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "boot.wim")); err == nil {
		t.Fatal("a failed build left boot.wim")
	}
}

// TestBuildTrimsCache: a build that stores new results trims a cache above
// --cache-max, oldest first, keeping everything it used itself.
func TestBuildTrimsCache(t *testing.T) {
	dir := e2eRecipe(t)
	cacheDir := t.TempDir()
	if code, out, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "plain", dir); code != 0 {
		t.Fatalf("build exit %d\n%s\n%s", code, out, errs)
	}
	var first builder.Manifest
	b, _ := os.ReadFile(filepath.Join(dir, "out", "artifacts.json"))
	if err := json.Unmarshal(b, &first); err != nil || len(first.Artifacts) == 0 {
		t.Fatalf("artifacts.json: %v", err)
	}
	// That generation is a day old now.
	old := time.Now().Add(-24 * time.Hour)
	filepath.Walk(cacheDir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	recipe := filepath.Join(dir, "recipe.wb.hcl")
	b, _ = os.ReadFile(recipe)
	os.WriteFile(recipe, bytes.Replace(b, []byte(`description = "`), []byte(`description = "Second: `), 1), 0o644)

	if code, _, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--cache-max", "lots", dir); code != exitUsage {
		t.Fatalf("bad --cache-max: exit %d %s", code, errs)
	}
	code, out, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "plain", "--cache-max", "1K", dir)
	if code != 0 || !strings.Contains(out, "cache: ") || !strings.Contains(out, "above --cache-max 1.0 KiB") {
		t.Fatalf("build exit %d\n%s\n%s", code, out, errs)
	}
	cc, _ := cache.Open(cacheDir)
	for _, a := range first.Artifacts {
		if cc.HasBlob(cache.Digest(a.SHA256)) {
			t.Errorf("the first build's %s (a day old, not used since) survived the trim", a.Path)
		}
	}
	// What the second build used is all still there.
	if code, out, _ := runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "plain", "--cache-max", "1K", dir); code != 0 || !strings.Contains(out, "built 0 steps, 16 cached") {
		t.Fatalf("rebuild after the trim: exit %d\n%s", code, out)
	}
}

// TestNoCacheStoresNothing: --no-cache runs every step and leaves nothing
// in the cache (its blobs live in a scratch cache removed afterwards);
// plan --no-cache shows every step as to run.
func TestNoCacheStoresNothing(t *testing.T) {
	dir := e2eRecipe(t)
	cacheDir := t.TempDir()
	cc, _ := cache.Open(cacheDir)
	before, _ := cc.Bytes()
	code, out, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--no-cache", "--progress", "plain", dir)
	if code != 0 || !strings.Contains(out, "built 16 steps, 0 cached") {
		t.Fatalf("--no-cache build exit %d\n%s\n%s", code, out, errs)
	}
	if after, _ := cc.Bytes(); after != before {
		t.Errorf("--no-cache changed the cache: %d bytes before, %d after", before, after)
	}
	if left, _ := os.ReadDir(filepath.Join(cacheDir, "tmp")); len(left) != 0 {
		t.Errorf("--no-cache left %d entries in the cache's tmp/", len(left))
	}
	testutil.Run(t, "wimlib-imagex", "verify", filepath.Join(dir, "out", "boot.wim"))
	if code, out, _ := runCapture(t, "plan", "--cache-dir", cacheDir, "--no-cache", dir); code != 0 || !strings.Contains(out, "0 cached, 16 to run") {
		t.Errorf("plan --no-cache exit %d\n%s", code, out)
	}
}

// TestCacheVerifyFindsSilentDamage: damage that keeps a blob's size and
// time (here: an output edited in place through its hard link, its time
// put back) escapes a build's cheap checks; cache verify finds and removes
// it, and the next build puts the true output back.
func TestCacheVerifyFindsSilentDamage(t *testing.T) {
	dir := e2eRecipe(t)
	cacheDir := t.TempDir()
	if code, out, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "plain", dir); code != 0 {
		t.Fatalf("build exit %d\n%s\n%s", code, out, errs)
	}
	out := filepath.Join(dir, "out", "boot.wim")
	want := fileSHA256(t, out)
	fi, _ := os.Stat(out)
	os.Chmod(out, 0o644)
	f, err := os.OpenFile(out, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("rot"), 5000)
	f.Close()
	os.Chtimes(out, fi.ModTime(), fi.ModTime())

	code, stdout, errs := runCapture(t, "cache", "verify", "--cache-dir", cacheDir)
	if code != exitFailure || !strings.Contains(errs, "damaged, removed: blob "+want) || !strings.Contains(stdout, ": 1 damaged") {
		t.Fatalf("cache verify: exit %d\n%s\n%s", code, stdout, errs)
	}
	if code, out, errs := runCapture(t, "build", "--cache-dir", cacheDir, "--progress", "plain", dir); code != 0 || strings.Contains(out, "built 0 steps") {
		t.Fatalf("rebuild exit %d\n%s\n%s", code, out, errs)
	}
	if got := fileSHA256(t, out); got != want {
		t.Fatalf("boot.wim after verify and rebuild: %s, want %s", got, want)
	}
	if code, stdout, _ := runCapture(t, "cache", "verify", "--cache-dir", cacheDir); code != 0 || !strings.Contains(stdout, ": 0 damaged") {
		t.Fatalf("second verify: exit %d %s", code, stdout)
	}
}

func fileSHA256(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(cache.DigestBytes(b))
}

// TestJSONProgressIsAllJSON: under --progress json every stderr line is a
// JSON event: recipe warnings are "diagnostic" events and a failed build
// ends with an "error" event instead of a line of text (a machine reading
// events.jsonl line by line choked on both).
func TestJSONProgressIsAllJSON(t *testing.T) {
	dir := e2eRecipe(t) // its base is not pinned: a warning
	cacheDir := t.TempDir()
	runStderr := func(args ...string) (int, []map[string]any) {
		t.Helper()
		f, err := os.CreateTemp(t.TempDir(), "stderr")
		if err != nil {
			t.Fatal(err)
		}
		saved := os.Stderr
		os.Stderr = f
		code := run(append([]string{"wimbuild"}, args...))
		os.Stderr = saved
		f.Close()
		b, _ := os.ReadFile(f.Name())
		var events []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var ev map[string]any
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("%v: stderr line is not JSON: %q", args, line)
			}
			events = append(events, ev)
		}
		return code, events
	}
	code, events := runStderr("build", "--cache-dir", cacheDir, "--progress", "json", dir)
	if code != 0 {
		t.Fatalf("build exit %d: %v", code, events)
	}
	if events[0]["status"] != "diagnostic" || events[0]["severity"] != "warning" || events[0]["range"] == nil {
		t.Errorf("first event %v, want the unpinned-base warning as a diagnostic", events[0])
	}
	for _, ev := range events {
		if ev["status"] == "done" {
			if _, ok := ev["duration_ms"]; !ok {
				t.Errorf("done event without duration_ms: %v", ev)
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "recipe.wb.hcl"))
	os.WriteFile(filepath.Join(dir, "recipe.wb.hcl"), []byte(strings.Replace(string(b), "index = 2", "index = 9", 1)), 0o644)
	code, events = runStderr("build", "--cache-dir", cacheDir, "--progress", "json", dir)
	last := events[len(events)-1]
	if code != exitFailure || last["status"] != "error" || !strings.Contains(fmt.Sprint(last["error"]), "index 9 does not exist") || last["exit_code"] != float64(exitFailure) {
		t.Errorf("failed build: exit %d, last event %v; want an error event", code, last)
	}
}

// TestPlainProgressNotesLongSteps: --progress plain (CI logs) shows a
// running step's progress now and then, so a long step does not look hung.
func TestPlainProgressNotesLongSteps(t *testing.T) {
	saved := plainProgressEvery
	plainProgressEvery = 0
	defer func() { plainProgressEvery = saved }()
	var buf bytes.Buffer
	r := newEventRenderer(&buf, "plain")
	s := &builder.Step{ID: "image.boot/export", Label: "image.boot: write boot.wim (lzx)"}
	r.observe(builder.Event{Step: s, Status: builder.StatusStarted})
	for _, done := range []int64{10 << 20, 60 << 20, 100 << 20} {
		r.observe(builder.Event{Step: s, Status: builder.StatusStarted, Done: done, Total: 200 << 20})
	}
	out := buf.String()
	if !strings.Contains(out, "[run]    image.boot: write boot.wim (lzx)\n") || !strings.Contains(out, "image.boot: write boot.wim (lzx): 50% (100.0 MiB of 200.0 MiB)") {
		t.Errorf("plain output:\n%s", out)
	}
}

// TestNegativeJobsIsAUsageError: --jobs -3 was taken as the CPU count.
func TestNegativeJobsIsAUsageError(t *testing.T) {
	for _, args := range [][]string{{"build", "--jobs", "-3", "."}, {"plan", "--threads", "-1", "."}} {
		if code, _, errs := runCapture(t, args...); code != exitUsage || !strings.Contains(errs, "must be 1 or more") {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, errs)
		}
	}
}

// TestTTYBarShowsParallelSteps: on a terminal, two steps reporting
// progress at once share one bar naming both (they replaced each other's
// bar on every event); when one ends, the bar goes on for the other.
func TestTTYBarShowsParallelSteps(t *testing.T) {
	var buf bytes.Buffer
	r := newEventRenderer(&buf, "tty")
	a := &builder.Step{ID: "image.boot/export", Label: "image.boot: write boot.wim"}
	b := &builder.Step{ID: "image.capture/export", Label: "image.capture: write capture.wim"}
	for _, s := range []*builder.Step{a, b} {
		r.observe(builder.Event{Step: s, Status: builder.StatusStarted})
	}
	for i := int64(1); i <= 4; i++ {
		r.observe(builder.Event{Step: a, Status: builder.StatusStarted, Done: i << 20, Total: 8 << 20})
		r.observe(builder.Event{Step: b, Status: builder.StatusStarted, Done: i << 20, Total: 8 << 20})
	}
	if len(r.running) != 2 || r.bar == nil {
		t.Fatalf("%d running steps shown", len(r.running))
	}
	if !strings.Contains(buf.String(), "image.boot: write boot.wim | image.capture: write capture.wim") {
		t.Errorf("bar does not name both steps:\n%q", buf.String())
	}
	r.observe(builder.Event{Step: a, Status: builder.StatusDone, Duration: time.Second})
	if len(r.running) != 1 || r.running[0].step != b || r.bar == nil {
		t.Fatalf("after one step ended: %d running, bar %v", len(r.running), r.bar != nil)
	}
	if !strings.Contains(buf.String(), "[done]   image.boot: write boot.wim") {
		t.Errorf("no done line:\n%q", buf.String())
	}
	r.observe(builder.Event{Step: b, Status: builder.StatusDone, Duration: time.Second})
	if r.bar != nil || len(r.running) != 0 {
		t.Error("bar left after every step ended")
	}
}

// TestJSONProgressPerStep: JSON progress is throttled per step, so a step
// running beside a busier one still reports (one global throttle let the
// first step's events hide the second's).
func TestJSONProgressPerStep(t *testing.T) {
	var buf bytes.Buffer
	r := newEventRenderer(&buf, "json")
	a := &builder.Step{ID: "a", Label: "a"}
	b := &builder.Step{ID: "b", Label: "b"}
	r.observe(builder.Event{Step: a, Status: builder.StatusStarted, Done: 1, Total: 10})
	r.observe(builder.Event{Step: b, Status: builder.StatusStarted, Done: 1, Total: 10})
	r.observe(builder.Event{Step: a, Status: builder.StatusStarted, Done: 2, Total: 10}) // throttled
	if n := strings.Count(buf.String(), `"status":"progress"`); n != 2 || !strings.Contains(buf.String(), `"step":"b"`) {
		t.Errorf("%d progress events:\n%s", n, buf.String())
	}
}
