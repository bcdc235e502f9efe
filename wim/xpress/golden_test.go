package xpress

import (
	"path/filepath"

	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestDecompressWimlibFixtures decodes every XPRESS chunk of the shared
// fixtures made by wimlib-imagex 1.13.5 (32 KiB and WIMBoot-style 4 KiB
// chunks) and checks the blob SHA-1s and the source files.
func TestDecompressWimlibFixtures(t *testing.T) {
	for _, name := range []string{"basic-xpress.wim", "basic-xpress4k.wim"} {
		t.Run(name, func(t *testing.T) {
			blobs, chunks := decodeWIM(t, testutil.Fixture(t, "wim", name))
			if chunks < 3 {
				t.Fatalf("only %d compressed chunks decoded", chunks)
			}
			if n := checkTree(t, testutil.Fixture(t, "wim", "src"), blobs); n < 6 {
				t.Fatalf("only %d source files checked", n)
			}
		})
	}
}

// TestDecompressWimlibCapture captures a generated tree with
// wimlib-imagex at several chunk sizes and levels and decodes every XPRESS
// chunk it wrote.
func TestDecompressWimlibCapture(t *testing.T) {
	testutil.RequireTool(t, "wimlib-imagex")
	src := t.TempDir()
	writeTree(t, src, testInputs())
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"4k", []string{"--chunk-size=4096"}},
		{"64k", []string{"--chunk-size=65536"}},
		{"level100", []string{"--compress=xpress:100"}},
		{"level1", []string{"--compress=xpress:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wim := filepath.Join(t.TempDir(), "x.wim")
			args := append([]string{"capture", src, wim, "--compress=xpress", "--threads=1", "--no-acls"}, tc.args...)
			testutil.Run(t, "wimlib-imagex", args...)
			blobs, chunks := decodeWIM(t, wim)
			if chunks < 10 {
				t.Fatalf("only %d compressed chunks", chunks)
			}
			if n := checkTree(t, src, blobs); n < 20 {
				t.Fatalf("only %d files checked", n)
			}
		})
	}
}
