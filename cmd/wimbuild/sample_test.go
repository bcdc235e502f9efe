package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

func TestSampleBaseCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "boot.wim")
	if code := run([]string{"wimbuild", "sample-base", "--compress", "none", "--filler-mb", "0", "--arch", "x86", out}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	w, err := wim.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.ImageCount() != 2 || w.BootIndex() != 2 {
		t.Fatalf("images %d boot %d", w.ImageCount(), w.BootIndex())
	}
	if code := run([]string{"wimbuild", "sample-base", "--arch", "ia64", out}); code != exitUsage {
		t.Fatalf("bad arch exit %d", code)
	}
	if code := run([]string{"wimbuild", "sample-base"}); code != exitUsage {
		t.Fatalf("missing arg exit %d", code)
	}
}

// TestSampleBaseTimeAndFiller: --time takes Unix seconds or RFC 3339 (as
// wim capture --source-date-epoch does), its help shows the real default
// once, and a negative --filler-mb is a usage error.
func TestSampleBaseTimeAndFiller(t *testing.T) {
	out := filepath.Join(t.TempDir(), "boot.wim")
	for _, tm := range []string{"2025-01-01T00:00:00Z", "1735689600"} {
		if code, _, errs := runCapture(t, "sample-base", "--compress", "none", "--filler-mb", "0", "--time", tm, out); code != 0 {
			t.Fatalf("--time %s: exit %d %s", tm, code, errs)
		}
		w, err := wim.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		got := w.Info().Images[0].CreationTime
		w.Close()
		if want := sample.FileTime(1735689600); got != want {
			t.Errorf("--time %s: image time %d, want %d", tm, got, want)
		}
	}
	for _, args := range [][]string{
		{"--time", "yesterday"},
		{"--time", "1969-01-01T00:00:00Z"},
		{"--filler-mb", "-5"},
	} {
		if code, _, errs := runCapture(t, append(append([]string{"sample-base"}, args...), out)...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d: %s", args, code, exitUsage, errs)
		}
	}
	_, help, _ := runCapture(t, "sample-base", "--help")
	if !strings.Contains(help, "(default: 2024-01-01T00:00:00Z)") || strings.Contains(help, "(default: 0)") || strings.Contains(help, "(default 2024") {
		t.Errorf("sample-base help:\n%s", help)
	}
}
