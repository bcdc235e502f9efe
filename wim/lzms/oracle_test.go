package lzms

import (
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestDecodeWimlibOutput captures a generated tree with wimlib-imagex in
// several LZMS configurations and checks that every chunk decodes to the
// exact source bytes (blob SHA-1s from wimlib's blob table, then the files).
func TestDecodeWimlibOutput(t *testing.T) {
	testutil.RequireTool(t, "wimlib-imagex")
	tree := writeTestTree(t, false)
	cases := []struct {
		name  string
		args  []string
		solid bool
	}{
		{"lzms-128k", []string{"--compress=lzms"}, false},
		{"lzms-fast-32k", []string{"--compress=lzms:10", "--chunk-size=32768"}, false},
		{"lzms-max-1m", []string{"--compress=lzms:100", "--chunk-size=1048576"}, false},
		{"solid-256k", []string{"--solid", "--solid-chunk-size=262144"}, true},
		{"solid-64m", []string{"--solid"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := filepath.Join(t.TempDir(), "x.wim")
			args := append([]string{"capture", tree, w, "--threads=1"}, tc.args...)
			testutil.Run(t, "wimlib-imagex", args...)
			blobs, st := decodeWIM(t, w)
			files := checkTree(t, tree, blobs)
			if tc.solid && st.solidChunks == 0 {
				t.Fatal("no solid chunk decoded")
			}
			t.Logf("%d LZMS chunks (%d solid), %d files", st.chunks, st.solidChunks, files)
		})
	}
}
