package dsl

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// cleanEnv keeps tests independent of the caller's environment.
var cleanEnv = []string{}

// recipeEntries lists the recipes in dir: *.wb.hcl / *.wb.json files and
// subdirectories (multi-file recipes).
func recipeEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasSuffix(n, RecipeSuffix) || strings.HasSuffix(n, RecipeJSONSuffix) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no recipes in %s", dir)
	}
	return out
}

func renderDiags(p *hclparse.Parser, diags hcl.Diagnostics) string {
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, p.Files(), 120, false)
	_ = w.WriteDiagnostics(diags)
	return buf.String()
}

func TestExamplesAndValidRecipes(t *testing.T) {
	var paths []string
	paths = append(paths, recipeEntries(t, "../examples")...)
	paths = append(paths, recipeEntries(t, "../testdata/valid")...)
	for _, p := range paths {
		t.Run(filepath.ToSlash(p), func(t *testing.T) {
			parser := hclparse.NewParser()
			r, diags := Load(p, LoadOptions{Strict: true, Environ: cleanEnv, Parser: parser})
			if len(diags) > 0 {
				t.Fatalf("want zero diagnostics, got %d:\n%s", len(diags), renderDiags(parser, diags))
			}
			if r == nil || len(r.Images) == 0 || len(r.Digest) != 64 {
				t.Fatalf("incomplete recipe: %+v", r)
			}
		})
	}
}

func TestExamplesList(t *testing.T) {
	for _, name := range []string{"quickstart", "wds-boot", "capture", "discover", "pxe"} {
		r, diags := Load("../examples/"+name, LoadOptions{Environ: cleanEnv})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags)
		}
		if name == "quickstart" && r.Sources[0].Type != SourceSample {
			t.Errorf("quickstart must build from the sample source, got %s", r.Sources[0].Type)
		}
	}
}

var errorMarker = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

type expectedDiag struct {
	line     int
	severity string
	summary  string
}

func (e expectedDiag) String() string {
	return fmt.Sprintf("line %d: %s: %s", e.line, e.severity, e.summary)
}

// TestErrorFixtures loads every recipe in testdata/errors (strict mode) and
// checks that the diagnostics are exactly the ones marked with
// "# ERROR: <summary>" (or "# WARNING: <summary>") on the offending line.
func TestErrorFixtures(t *testing.T) {
	entries := recipeEntries(t, "../testdata/errors")
	distinct := map[string]bool{}
	for _, p := range entries {
		t.Run(filepath.Base(p), func(t *testing.T) {
			want := markers(t, p)
			if len(want) == 0 {
				t.Fatalf("%s has no # ERROR: markers", p)
			}
			parser := hclparse.NewParser()
			opts := LoadOptions{Strict: true, Environ: cleanEnv, Parser: parser}
			if strings.Contains(p, "checkfiles") {
				opts.CheckFiles = true
			}
			_, diags := Load(p, opts)
			var got []expectedDiag
			for _, d := range diags {
				line := 0
				if d.Subject != nil {
					line = d.Subject.Start.Line
				}
				sev := "ERROR"
				if d.Severity == hcl.DiagWarning {
					sev = "WARNING"
				}
				got = append(got, expectedDiag{line, sev, d.Summary})
				if d.Detail == "" || !strings.HasSuffix(strings.TrimSpace(d.Detail), ".") && !strings.HasSuffix(strings.TrimSpace(d.Detail), "?") {
					t.Errorf("diagnostic %q has a detail that is not full sentences: %q", d.Summary, d.Detail)
				}
			}
			sortDiags(want)
			sortDiags(got)
			if fmt.Sprint(want) != fmt.Sprint(got) {
				t.Errorf("diagnostics differ\nwant: %v\ngot:  %v\n%s", want, got, renderDiags(parser, diags))
			}
		})
		distinct[filepath.Base(p)] = true
	}
	if len(distinct) < 40 {
		t.Errorf("only %d error cases, want at least 40", len(distinct))
	}
}

func markers(t *testing.T, p string) []expectedDiag {
	var files []string
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		ents, _ := os.ReadDir(p)
		for _, e := range ents {
			files = append(files, filepath.Join(p, e.Name()))
		}
	} else {
		files = []string{p}
	}
	var out []expectedDiag
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			if m := errorMarker.FindStringSubmatch(sc.Text()); m != nil {
				for _, s := range strings.Split(m[2], " | ") {
					out = append(out, expectedDiag{n, m[1], s})
				}
			}
		}
	}
	return out
}

func sortDiags(d []expectedDiag) {
	sort.Slice(d, func(i, j int) bool {
		if d[i].line != d[j].line {
			return d[i].line < d[j].line
		}
		return d[i].summary < d[j].summary
	})
}
