package hostfs

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs/hostfstest"
)

// TestApplyMatchesWimlib applies the fixtures wimlib-imagex captured and
// compares the result with what wimlib-imagex apply writes for the same
// WIM: names, contents, hard-link groups, symlink targets, mtimes.
func TestApplyMatchesWimlib(t *testing.T) {
	wimlib := testutil.RequireTool(t, "wimlib-imagex")
	for _, tc := range []struct {
		file string
		comp wim.Compression
	}{
		{"basic-none.wim", wim.None},
		{"basic-xpress.wim", wim.XPRESS},
		{"basic-xpress4k.wim", wim.XPRESS},
		{"basic-lzx.wim", wim.LZX},
		{"basic-lzms.wim", wim.LZMS},
		{"basic-solid.wim", wim.LZMS},
		{"reparse-none.wim", wim.None},
		{"reparse-lzx.wim", wim.LZX},
		{"updated-lzx.wim", wim.LZX},
	} {
		t.Run(tc.file, func(t *testing.T) {
			if !wim.CodecAvailable(tc.comp) {
				t.Fatalf("%s decompression is not available in package wim", tc.comp)
			}
			path := testutil.Fixture(t, "wim", tc.file)
			ref := filepath.Join(t.TempDir(), "wimlib")
			if out, err := exec.Command(wimlib, "apply", path, "1", ref).CombinedOutput(); err != nil {
				t.Fatalf("wimlib-imagex apply: %v\n%s", err, out)
			}
			w, err := wim.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			img, err := w.Image(1)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(t.TempDir(), "out")
			sum, err := Apply(img, w, dst, &ApplyOptions{RPFix: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Warnings) != 0 {
				t.Errorf("warnings: %v", sum.Warnings)
			}
			if sum.HardLinks != 1 {
				t.Errorf("hard links = %d, want 1", sum.HardLinks)
			}
			want, got := hostfstest.List(t, ref), hostfstest.List(t, dst)
			hostfstest.Compare(t, want, got, true, true)
			if got["hello.txt"].LinkID == 0 {
				t.Error("hello.txt is not hard-linked after apply")
			}
		})
	}
}
