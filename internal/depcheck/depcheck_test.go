// Package depcheck enforces the import graph: format packages (wim, bcd,
// winpe and the codecs under wim/) are leaves. They import only the standard
// library and each other (plus dependency-free internal helpers), never dsl,
// builder, cmd, or any third-party module such as hcl, cli or progressbar.
package depcheck

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

const module = "github.com/wimbuild/wimbuild"

var leafRoots = []string{"wim", "bcd", "winpe"}

// allowedInternal may be imported by leaves: they import nothing but the
// standard library themselves (checked below too, since they are listed).
var allowedInternal = []string{"internal/progress"}

type pkg struct {
	ImportPath string
	Standard   bool
	Deps       []string
}

func TestFormatPackagesAreLeaves(t *testing.T) {
	root := testutil.RepoRoot(t)
	var patterns []string
	for _, r := range leafRoots {
		patterns = append(patterns, "./"+r+"/...")
	}
	for _, a := range allowedInternal {
		patterns = append(patterns, "./"+a)
	}
	cmd := exec.Command("go", append([]string{"list", "-e", "-json=ImportPath,Deps,Standard"}, patterns...)...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		n++
		for _, d := range p.Deps {
			if why := forbidden(d); why != "" {
				t.Errorf("format package %s imports %s: %s", p.ImportPath, d, why)
			}
		}
	}
	if n == 0 {
		t.Fatal("go list found no format packages")
	}
}

// forbidden says why a dependency of a leaf package is not allowed, or "".
func forbidden(dep string) string {
	if !strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
		return "" // standard library
	}
	if !strings.HasPrefix(dep, module+"/") {
		return "third-party modules are not allowed in format packages"
	}
	rel := strings.TrimPrefix(dep, module+"/")
	for _, r := range leafRoots {
		if rel == r || strings.HasPrefix(rel, r+"/") {
			return ""
		}
	}
	for _, a := range allowedInternal {
		if rel == a {
			return ""
		}
	}
	return "format packages must not import " + rel
}

func TestForbiddenClassifier(t *testing.T) {
	cases := map[string]bool{
		"fmt":                               false,
		"encoding/binary":                   false,
		module + "/wim/xpress":              false,
		module + "/bcd/regf":                false,
		module + "/internal/progress":       false,
		module + "/dsl":                     true,
		module + "/builder":                 true,
		module + "/cmd/wimbuild":            true,
		"github.com/hashicorp/hcl/v2":       true,
		"github.com/urfave/cli/v2":          true,
		"github.com/schollz/progressbar/v3": true,
		"golang.org/x/sync/errgroup":        true,
		module + "/internal/testutil":       true,
	}
	for dep, want := range cases {
		if got := forbidden(dep) != ""; got != want {
			t.Errorf("forbidden(%q) = %v, want %v", dep, got, want)
		}
	}
}
