package dsl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// diagLines renders diagnostics as "line N: SEVERITY: summary" for
// comparison.
func diagLines(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		sev := "ERROR"
		if d.Severity == hcl.DiagWarning {
			sev = "WARNING"
		}
		out = append(out, expectedDiag{line, sev, d.Summary}.String())
	}
	return out
}

func TestAppArgsLineBreakPointsAtArgs(t *testing.T) {
	src := `source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  winpeshl {
    app {
      path = "x.exe"
      args = "a\r\n[LaunchApp]"
    }
  }
}
`
	diags := loadDiags(t, t.TempDir(), src, LoadOptions{})
	got := strings.Join(diagLines(diags), "\n")
	if want := "line 9: ERROR: Invalid app args"; got != want {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(diags[0].Detail, "args") {
		t.Errorf("detail does not speak of args: %q", diags[0].Detail)
	}
	// A line break in the path still points at the path.
	src = strings.Replace(src, `path = "x.exe"`, `path = "x\n.exe"`, 1)
	src = strings.Replace(src, `args = "a\r\n[LaunchApp]"`, `args = "/s"`, 1)
	got = strings.Join(diagLines(loadDiags(t, t.TempDir(), src, LoadOptions{})), "\n")
	if want := "line 8: ERROR: Invalid app path"; got != want {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
}

func TestVariableTypeHints(t *testing.T) {
	for _, tc := range []struct{ ty, want string }{
		{`String`, `Did you mean "string"?`},
		{`NUMBER`, `Did you mean "number"?`},
		{`List(string)`, `Did you mean "list"?`},
		{`strng`, `Did you mean "string"?`},
		{`"string"`, `Did you mean string, without quotes?`},
		{`list(String)`, `Did you mean "string"?`},
		{`map(list(Bool))`, `Did you mean "bool"?`},
	} {
		src := "variable \"v\" {\n  type = " + tc.ty + "\n}\n"
		diags := loadDiags(t, t.TempDir(), src, LoadOptions{})
		var d *hcl.Diagnostic
		for _, x := range diags {
			if x.Summary == "Invalid type" {
				d = x
			}
		}
		if d == nil {
			t.Errorf("type = %s: no Invalid type diagnostic: %v", tc.ty, diags)
			continue
		}
		if !strings.Contains(d.Detail, tc.want) {
			t.Errorf("type = %s: detail %q lacks %q", tc.ty, d.Detail, tc.want)
		}
		if d.Subject == nil || d.Subject.Start.Line != 2 {
			t.Errorf("type = %s: subject %v, want line 2", tc.ty, d.Subject)
		}
	}
}

// TestFilesAreAbsolute loads one recipe as a relative file path, a
// relative directory and an absolute path; Recipe.Files must name the real
// file each time (a relative file path once gave root/rb/rb/main.wb.hcl).
func TestFilesAreAbsolute(t *testing.T) {
	base := t.TempDir()
	if err := os.Mkdir(filepath.Join(base, "rb"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := "source \"sample\" \"s\" {\n  arch = \"x86\"\n}\nimage \"i\" {\n  from = source.sample.s\n}\n"
	file := filepath.Join(base, "rb", "main.wb.hcl")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(base)
	for _, p := range []string{filepath.Join("rb", "main.wb.hcl"), "rb", file, filepath.Join(base, "rb")} {
		r, diags := Load(p, LoadOptions{Environ: cleanEnv})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", p, diags)
		}
		if len(r.Files) != 1 || r.Files[0] != file {
			t.Errorf("Load(%q).Files = %q, want [%q]", p, r.Files, file)
		}
		if r.Root != filepath.Dir(file) {
			t.Errorf("Load(%q).Root = %q, want %q", p, r.Root, filepath.Dir(file))
		}
	}
}

// TestNoKnockOnErrorsAfterBrokenStructure: a file that does not parse, or
// a misspelled top-level block, is reported once, without "No images",
// "Unused source" or a second report of the same parse error.
func TestNoKnockOnErrorsAfterBrokenStructure(t *testing.T) {
	const sample = "source \"sample\" \"winpe\" {\n  arch = \"amd64\"\n}\n"
	for _, tc := range []struct {
		name, file, src string
		want            []string
	}{
		{"unclosed-json", "main.wb.json",
			"{\"source\": {\"sample\": {\"winpe\": {\"arch\": \"amd64\"}}},\n \"image\": {\"boot\": {\"from\": \"source.sample.winpe\"}\n",
			[]string{"line 2: ERROR: Unclosed object"}},
		{"truncated-json", "main.wb.json",
			"{\"image\": {\"boot\": {\"from\": \"source.sample.winpe\"",
			[]string{"line 1: ERROR: Unclosed object"}},
		{"trailing-comma-json", "main.wb.json",
			"{\"source\": {\"sample\": {\"winpe\": {\"arch\": \"amd64\",}}}}\n",
			[]string{"line 1: ERROR: Trailing comma in object"}},
		{"misspelled-block", "main.wb.hcl",
			sample + "imgae \"boot\" {\n  from = source.sample.winpe\n}\n",
			[]string{"line 4: ERROR: Unsupported block type"}},
		{"syntax-error-in-image-header", "main.wb.hcl",
			sample + "image \"boot {\n  from = source.sample.winpe\n}\n",
			nil},
		{"unclosed-image", "main.wb.hcl",
			sample + "image \"boot\" {\n  from = source.sample.winpe\n",
			[]string{"line 4: ERROR: Unclosed configuration block"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, tc.file): []byte(tc.src)}, LoadOptions{Environ: cleanEnv})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			got := diagLines(diags)
			seen := map[string]bool{}
			for _, g := range got {
				if strings.Contains(g, "No images") || strings.Contains(g, "Unused source") || strings.Contains(g, "Root value must be object") {
					t.Errorf("knock-on diagnostic %s", g)
				}
				if seen[g] {
					t.Errorf("reported twice: %s", g)
				}
				seen[g] = true
			}
			if tc.want != nil && strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
