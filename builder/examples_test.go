package builder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/dsl"
	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestExamplesBuild builds every recipe in examples/ (outputs in a temp
// dir, one shared cache so the sample base is generated once) and checks
// each output with wimlib-imagex verify. A recipe that needs what this
// release cannot do (package servicing, Microsoft media) must say so with
// the documented diagnostic instead.
func TestExamplesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the examples from a 100 MiB sample base (runs in the full suite)")
	}
	root := filepath.Join(testutil.RepoRoot(t), "examples")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := cache.Open(t.TempDir())
	built := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			r, diags := dsl.Load(dir, dsl.LoadOptions{Environ: []string{}})
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			p, diags := NewPlan(r, Options{Cache: c, OutDir: t.TempDir()})
			if diags.HasErrors() {
				msg := diags.Error()
				if strings.Contains(msg, "Package servicing is not available yet") || strings.Contains(msg, "Cannot read the base image") {
					t.Logf("not buildable in this release, as documented: %s", msg)
					return
				}
				t.Fatal(msg)
			}
			res, err := p.Build(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Manifest.Artifacts) == 0 {
				t.Fatal("no artifacts")
			}
			for _, a := range res.Manifest.Artifacts {
				testutil.Run(t, "wimlib-imagex", "verify", filepath.Join(res.OutDir, a.Path))
			}
			// Build twice: the second build executes nothing (this covers
			// the sample source step kind too).
			p2, _ := NewPlan(r, Options{Cache: c, OutDir: res.OutDir})
			res2, err := p2.Build(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res2.Executed != 0 {
				t.Fatalf("second build executed %d steps", res2.Executed)
			}
			built++
		})
	}
	if built < 4 {
		t.Fatalf("only %d examples built", built)
	}
}
