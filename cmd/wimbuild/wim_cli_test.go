package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

// TestWimDeleteAllIsRefusedClearly: `wim delete WIM all` says that a WIM
// keeps at least one image (not `no image named "all"`) and leaves the WIM
// as it is.
func TestWimDeleteAllIsRefusedClearly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "two.wim")
	if err := sample.WriteFile(p, sample.Options{FillerBytes: -1}, wim.WriteOptions{Compression: wim.None}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	code, _, errs := runCapture(t, "wim", "delete", p, "all")
	if code != exitUsage || !strings.Contains(errs, "at least one") || strings.Contains(errs, "no image named") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if after, _ := os.ReadFile(p); string(after) != string(before) {
		t.Fatal("the WIM changed")
	}
}

// TestWimSolidWithoutCompressionIsAUsageError: --solid stores file data
// with LZMS, so --compress none --solid contradicts itself.
func TestWimSolidWithoutCompressionIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "tree")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "a.txt"), []byte("hello"), 0o644)
	out := filepath.Join(dir, "x.wim")
	code, _, errs := runCapture(t, "wim", "capture", src, out, "--compress", "none", "--solid")
	if code != exitUsage || !strings.Contains(errs, "--solid") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a WIM was written")
	}
	if code, _, errs := runCapture(t, "wim", "capture", src, out, "--solid"); code != 0 {
		t.Fatalf("--solid alone: exit %d %s", code, errs)
	}
}
