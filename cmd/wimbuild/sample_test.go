package main

import (
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/wim"
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
