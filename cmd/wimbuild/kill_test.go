package main

import (
	"bytes"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

// TestKilledBuildsLeaveNothingCorrupt kills `wimbuild build` with SIGKILL
// at random moments, 20 times, and checks after each kill that every cache
// entry is intact and no output file under its final name is partial; then
// a normal build succeeds and equals a build from a clean cache.
func TestKilledBuildsLeaveNothingCorrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 20 builds (runs in the full suite)")
	}
	bin := buildBinary(t)
	dir := e2eRecipe(t)
	// A larger base makes each build long enough to be interrupted.
	if err := sample.WriteFile(filepath.Join(dir, "base.wim"), sample.Options{FillerBytes: 24 << 20}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
		t.Fatal(err)
	}
	cacheDir := t.TempDir()

	// Reference outputs from a clean, uninterrupted build elsewhere.
	refDir := e2eRecipe(t)
	copyFile(t, filepath.Join(dir, "base.wim"), filepath.Join(refDir, "base.wim"))
	refStart := time.Now()
	if out, err := exec.Command(bin, "build", "--cache-dir", t.TempDir(), "--progress", "plain", refDir).CombinedOutput(); err != nil {
		t.Fatalf("reference build: %v\n%s", err, out)
	}
	// Kill delays fall inside a clean build's duration, so they land in
	// every step whatever the machine's speed.
	span := time.Since(refStart)
	ref := map[string][]byte{}
	for _, f := range []string{"boot.wim", "capture.wim", "discover.wim", "artifacts.json"} {
		ref[f], _ = os.ReadFile(filepath.Join(refDir, "out", f))
	}

	rng := rand.New(rand.NewSource(7))
	killedMidway := 0
	for trial := 0; trial < 20; trial++ {
		// Most trials start from an empty cache, so kills land in every
		// step; every third resumes from what the killed build cached.
		if trial%3 != 2 {
			os.RemoveAll(cacheDir)
			os.RemoveAll(filepath.Join(dir, "out"))
		}
		cmd := exec.Command(bin, "build", "--cache-dir", cacheDir, "--progress", "plain", "--jobs", "2", dir)
		cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := span/20 + time.Duration(rng.Int63n(int64(span)*8/10))
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(delay):
			cmd.Process.Kill()
			<-exited
			killedMidway++
		}
		checkCache(t, cacheDir)
		checkOutputs(t, filepath.Join(dir, "out"), ref)
	}
	t.Logf("%d of 20 builds were killed midway", killedMidway)
	if killedMidway < 10 {
		t.Fatalf("only %d of 20 builds were killed midway; the test did not exercise interruption", killedMidway)
	}
	out, err := exec.Command(bin, "build", "--cache-dir", cacheDir, "--progress", "plain", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("build after kills: %v\n%s", err, out)
	}
	for f, want := range ref {
		got, _ := os.ReadFile(filepath.Join(dir, "out", f))
		if !bytes.Equal(got, want) {
			t.Errorf("%s after interrupted builds differs from a clean build", f)
		}
	}
}

// buildBinary builds the wimbuild command into a temp directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wimbuild")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func copyFile(t *testing.T, src, dst string) {
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dst, b, 0o644)
}

func checkCache(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		return
	}
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	es, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		switch e.Kind {
		case "blob":
			if err := c.VerifyBlob(e.Digest); err != nil {
				t.Fatalf("corrupt cache blob after kill: %v", err)
			}
		case "action":
			if _, err := c.GetAction(e.Digest); err != nil {
				t.Fatalf("unusable cache action after kill: %v", err)
			}
		}
	}
}

// checkOutputs: every visible file in out/ is complete (equal to the
// reference); temp files are hidden dot-files.
func checkOutputs(t *testing.T, out string, ref map[string][]byte) {
	t.Helper()
	des, _ := os.ReadDir(out)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		want, known := ref[de.Name()]
		if !known {
			t.Fatalf("unexpected output %s", de.Name())
		}
		got, _ := os.ReadFile(filepath.Join(out, de.Name()))
		if de.Name() == "artifacts.json" {
			continue // may list a subset while an earlier complete build's files stay
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("partial or wrong %s under its final name after a kill", de.Name())
		}
	}
}

// TestInterruptedWritesLeaveNothing interrupts commands that write a WIM
// (sample-base while it generates and while it writes, wim export while it
// compresses): each exits 130 saying so, and leaves no temporary file and
// no output behind.
func TestInterruptedWritesLeaveNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs long writes (runs in the full suite)")
	}
	bin := buildBinary(t)
	src := filepath.Join(t.TempDir(), "src.wim")
	if err := sample.WriteFile(src, sample.Options{FillerBytes: 48 << 20}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		when string // interrupt once stderr shows this ("" = after 300 ms)
	}{
		{"sample-base generating", []string{"sample-base", "--compress", "lzx"}, ""},
		{"sample-base writing", []string{"sample-base", "--compress", "lzx"}, "writing WIM ..."},
		{"wim export writing", []string{"wim", "export", src, "all", "--compress", "lzx"}, "writing WIM ..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(bin, append(tc.args, filepath.Join(dir, "out.wim"))...)
			cmd.Env = append(os.Environ(), "CI=true")
			stderr := &syncBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			deadline := time.Now().Add(300 * time.Millisecond)
			for tc.when != "" || time.Now().Before(deadline) {
				if tc.when != "" && strings.Contains(stderr.String(), tc.when) {
					break
				}
				select {
				case err := <-exited:
					t.Fatalf("finished before the interrupt (%v); stderr:\n%s", err, stderr.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			time.Sleep(50 * time.Millisecond)
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 30 s after the interrupt; stderr:\n%s", stderr.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Fatalf("exit code %d (%v), want %d; stderr:\n%s", code, err, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted; nothing was written to") {
				t.Errorf("stderr does not say the write was interrupted:\n%s", stderr.String())
			}
			if strings.Contains(stderr.String(), "writing WIM: done") {
				t.Errorf("progress claims the interrupted write was done:\n%s", stderr.String())
			}
			left, _ := os.ReadDir(dir)
			for _, e := range left {
				t.Errorf("left behind: %s", e.Name())
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
