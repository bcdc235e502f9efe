package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runCLI runs the app with captured output and returns the exit code.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errb
	err := app.Run(append([]string{"wimbuild"}, args...))
	code := 0
	if err != nil {
		code = exitCode(err)
		errb.WriteString(err.Error())
	}
	return code, out.String(), errb.String()
}

func TestValidateExamples(t *testing.T) {
	for _, ex := range []string{"quickstart", "capture"} {
		code, out, errs := runCLI(t, "validate", "--strict", "../../examples/"+ex)
		if code != 0 || !strings.Contains(out, "The recipe is valid") || errs != "" {
			t.Errorf("%s: exit %d\n%s\n%s", ex, code, out, errs)
		}
	}
	// discover and pxe build their images; media and PXE bundles are not
	// written yet, which validate says as build does.
	for ex, want := range map[string]string{"discover": "Bootable medium not built", "pxe": "PXE bundle not built"} {
		code, out, errs := runCLI(t, "validate", "--strict", "../../examples/"+ex)
		if code != 0 || !strings.Contains(out, "The recipe is valid (") || !strings.Contains(errs, want) {
			t.Errorf("%s: exit %d\n%s\n%s", ex, code, out, errs)
		}
	}
	// wds-boot is a correct recipe that this release cannot build: validate
	// says so (as build would), and nothing else is wrong with it.
	code, out, errs := runCLI(t, "validate", "--strict", "--json", "../../examples/wds-boot")
	var v jsonValidate
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != exitFailure || v.Valid || v.ErrorCount == 0 {
		t.Fatalf("wds-boot: exit %d %v\n%s\n%s", code, err, out, errs)
	}
	for _, d := range v.Diagnostics {
		if d.Summary != "Package servicing is not available yet" {
			t.Errorf("wds-boot: unexpected diagnostic %+v", d)
		}
	}
}

// TestValidateRunsBuilderChecks: what build refuses from the recipe alone
// (settings WDSCapture.inf cannot hold) is an error of validate too.
func TestValidateRunsBuilderChecks(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.wb.hcl"), []byte(`wimbuild {
  source_date_epoch = 1735689600
}
source "sample" "winpe" {
  arch = "amd64"
}
image "capture" {
  from = source.sample.winpe
  capture {
    exclusions = ["[WDS]"]
  }
}
`), 0o644)
	code, _, errs := runCLI(t, "validate", dir)
	if code != exitFailure || !strings.Contains(errs, "Invalid capture settings") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
}

func TestValidateReportsAllMistakesWithSnippets(t *testing.T) {
	code, _, errs := runCLI(t, "validate", "../../testdata/errors/five-mistakes.wb.hcl")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d", code, exitFailure)
	}
	// Five mistakes, plus what this release cannot build at all (the
	// package block), said along with them.
	if n := strings.Count(errs, "Error: "); n != 6 {
		t.Errorf("want 6 errors rendered, got %d:\n%s", n, errs)
	}
	for _, s := range []string{"scratch_space = 100", "on ../../testdata/errors/five-mistakes.wb.hcl line", "the recipe has 6 errors", "Package servicing is not available yet"} {
		if !strings.Contains(errs, s) {
			t.Errorf("output lacks %q:\n%s", s, errs)
		}
	}
}

func TestValidateJSON(t *testing.T) {
	code, out, _ := runCLI(t, "validate", "--json", "../../testdata/errors/five-mistakes.wb.hcl")
	if code != exitFailure {
		t.Fatalf("exit %d", code)
	}
	var v jsonValidate
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if v.Valid || v.ErrorCount != 6 || len(v.Diagnostics) != 7 || v.Digest != "" {
		t.Fatalf("unexpected: %+v", v)
	}
	d := v.Diagnostics[0]
	if d.Range == nil || d.Range.Start.Line == 0 || d.Snippet == "" || d.Severity != "error" {
		t.Errorf("diagnostic lacks location: %+v", d)
	}
	code, out, _ = runCLI(t, "validate", "--json", "../../examples/quickstart")
	if code != 0 || !strings.Contains(out, `"valid": true`) || !regexp.MustCompile(`"digest": "[0-9a-f]{64}"`).MatchString(out) {
		t.Errorf("valid recipe: exit %d\n%s", code, out)
	}
}

func TestValidateVarFlags(t *testing.T) {
	code, _, errs := runCLI(t, "validate", "--var", "arch=x64", "../../examples/quickstart")
	if code != exitFailure || !strings.Contains(errs, "The arch variable must be amd64, x86 or arm64.") {
		t.Errorf("validation rule not applied to --var: exit %d\n%s", code, errs)
	}
	vf := filepath.Join(t.TempDir(), "x86.hcl")
	if err := os.WriteFile(vf, []byte("arch = \"x86\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "inspect", "--var-file", vf, "../../examples/quickstart")
	if code != 0 || !strings.Contains(out, "arch x86") {
		t.Errorf("--var-file not applied: exit %d\n%s", code, out)
	}
	// Flags do not leak into the next run in the same process.
	code, out, _ = runCLI(t, "inspect", "../../examples/quickstart")
	if code != 0 || !strings.Contains(out, "arch amd64") {
		t.Errorf("flag values leaked between runs:\n%s", out)
	}
}

func TestInspectJSON(t *testing.T) {
	code, out, errs := runCLI(t, "inspect", "--json", "../../examples/pxe")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct {
		Digest    string `json:"digest"`
		Variables []struct{ Name, Value string }
		Recipe    struct {
			Images []struct {
				Name  string
				Steps []map[string]any
			}
		}
		Deps [][2]string `json:"dependencies"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Recipe.Images) != 2 || len(v.Deps) != 5 || v.Recipe.Images[0].Steps[0]["kind"] != "file" {
		t.Errorf("unexpected inspect output: %+v", v)
	}
}

func TestFmtCheckDiffAndWrite(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "main.wb.hcl")
	messy := "image \"boot\" {\nfrom=source.sample.winpe\n    name = \"x\"\n}\n"
	if err := os.WriteFile(f, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "fmt", "-check", "-diff", dir)
	if code != exitFailure || !strings.Contains(out, "-from=source.sample.winpe") || !strings.Contains(out, "+  from = source.sample.winpe") {
		t.Fatalf("fmt -check -diff: exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(f); string(b) != messy {
		t.Fatal("-check modified the file")
	}
	if code, _, errs := runCLI(t, "fmt", dir); code != 0 {
		t.Fatalf("fmt: exit %d %s", code, errs)
	}
	b, _ := os.ReadFile(f)
	if string(b) != "image \"boot\" {\n  from = source.sample.winpe\n  name = \"x\"\n}\n" {
		t.Errorf("formatted:\n%s", b)
	}
	if code, out, _ := runCLI(t, "fmt", "-check", dir); code != 0 || out != "" {
		t.Errorf("second fmt -check: exit %d %q", code, out)
	}
	for _, ex := range []string{"quickstart", "wds-boot", "capture", "discover", "pxe"} {
		if code, out, _ := runCLI(t, "fmt", "-check", "-recursive", "../../examples/"+ex); code != 0 {
			t.Errorf("example %s not formatted:\n%s", ex, out)
		}
	}
}

func TestInitWritesAValidFormattedRecipe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	if code, _, errs := runCLI(t, "init", dir); code != 0 {
		t.Fatalf("init: exit %d %s", code, errs)
	}
	if code, out, errs := runCLI(t, "validate", "--strict", dir); code != 0 || errs != "" {
		t.Fatalf("starter recipe invalid: %s %s", out, errs)
	}
	if code, out, _ := runCLI(t, "fmt", "-check", dir); code != 0 {
		t.Fatalf("starter recipe not formatted: %s", out)
	}
	if code, _, errs := runCLI(t, "init", dir); code != exitFailure || !strings.Contains(errs, "already holds a recipe (main.wb.hcl)") {
		t.Fatalf("init overwrote: exit %d %s", code, errs)
	}
}

// TestFmtCheckRecursiveSuggestsRecursive: the fix fmt --check suggests
// formats what --check looked at (subdirectories with --recursive).
func TestFmtCheckRecursiveSuggestsRecursive(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub dir")
	os.MkdirAll(sub, 0o755)
	if err := os.WriteFile(filepath.Join(sub, "main.wb.hcl"), []byte("image \"boot\" {\nfrom=source.sample.winpe\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "fmt", "--check", "--recursive", dir)
	if code != exitFailure || !strings.Contains(errs, "run `wimbuild fmt --recursive "+dir+"`") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI(t, "fmt", "--recursive", dir); code != 0 {
		t.Fatalf("the suggested command: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "fmt", "--check", "--recursive", dir); code != 0 {
		t.Fatalf("after the suggested command: exit %d %s", code, errs)
	}
}

// TestRecipeCommandsHaveExamples: validate, fmt, init and inspect show
// examples in their help like the other commands.
func TestRecipeCommandsHaveExamples(t *testing.T) {
	for _, cmd := range []string{"validate", "fmt", "init", "build", "plan", "inspect"} {
		code, out, _ := runCLI(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "   wimbuild "+cmd+" ") {
			t.Errorf("%s --help: exit %d, no examples:\n%s", cmd, code, out)
		}
	}
}

// TestValidateCheckFilesChecksOverlayNames: with --check-files, validate
// reports overlay names the build would refuse (a ':' here).
func TestValidateCheckFilesChecksOverlayNames(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "overlay"), 0o755)
	os.WriteFile(filepath.Join(dir, "overlay", "a:b.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.wb.hcl"), []byte(`wimbuild {
  source_date_epoch = 1735689600
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  files {
    source      = "overlay/"
    destination = "/"
  }
}
`), 0o644)
	if code, _, errs := runCLI(t, "validate", dir); code != 0 {
		t.Fatalf("without --check-files: exit %d %s", code, errs)
	}
	code, _, errs := runCLI(t, "validate", "--check-files", dir)
	if code != exitFailure || !strings.Contains(errs, "File name not allowed in a Windows image") {
		t.Fatalf("--check-files: exit %d\n%s", code, errs)
	}
}
