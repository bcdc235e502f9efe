package dsl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

func hclparseNew() *hclparse.Parser { return hclparse.NewParser() }

func mustLoad(t *testing.T, root string, files map[string]string, opts LoadOptions) *Recipe {
	t.Helper()
	if opts.Environ == nil {
		opts.Environ = cleanEnv
	}
	m := map[string][]byte{}
	for k, v := range files {
		m[filepath.Join(root, k)] = []byte(v)
	}
	r, diags := LoadSource(root, m, opts)
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	return r
}

func loadDiags(t *testing.T, root string, src string, opts LoadOptions) hcl.Diagnostics {
	t.Helper()
	if opts.Environ == nil {
		opts.Environ = cleanEnv
	}
	_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, opts)
	return diags
}

func TestFiveIndependentMistakes(t *testing.T) {
	_, diags := Load("../testdata/errors/five-mistakes.wb.hcl", LoadOptions{Environ: cleanEnv})
	var errs []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d.Summary)
		}
	}
	if len(errs) != 5 {
		t.Fatalf("want all 5 mistakes reported in one pass, got %d: %q", len(errs), errs)
	}
}

const quick = `
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  name = "Boot"
  file "/b.txt" {
    content = "b"
  }
  package "setup" {
    cab = "WinPE-Setup.cab"
  }
  delete = ["/x"]
  file "/a.txt" {
    content = "a"
  }
  scratch_space = 64
  registry "SYSTEM" {
    delete_key = ["K1"]
    set "K2" {
      type  = "dword"
      value = 1
    }
  }
}
image "capture" {
  from = image.boot
  capture {}
}
pxe "p" {
  images = [image.capture, image.boot]
}
`

func TestModelOrderRangesAndDeps(t *testing.T) {
	root := t.TempDir()
	r := mustLoad(t, root, map[string]string{"main.wb.hcl": quick}, LoadOptions{})
	boot := r.Images[0]
	var kinds []string
	for _, s := range boot.Steps {
		kinds = append(kinds, s.Kind())
	}
	if got := strings.Join(kinds, ","); got != "file,package,delete,file,scratch_space,registry" {
		t.Errorf("steps not in source order: %s", got)
	}
	if l := boot.Steps[1].StepRange().Start.Line; l != 11 {
		t.Errorf("package step range line = %d, want 11", l)
	}
	pkg := boot.Steps[1].(*PackageStep)
	if pkg.Cab.Abs != filepath.Join(root, "WinPE-Setup.cab") || pkg.Cab.Rel != "WinPE-Setup.cab" {
		t.Errorf("cab path = %+v", pkg.Cab)
	}
	reg := boot.Steps[5].(*RegistryStep)
	if len(reg.Ops) != 2 || reg.Ops[0].Op != RegDeleteKey || reg.Ops[1].Op != RegSet || reg.Ops[1].Integer != 1 {
		t.Errorf("registry ops = %+v", reg.Ops)
	}
	if boot.Metadata.Name.Value != "Boot" || boot.Metadata.Name.Range.Start.Line != 7 {
		t.Errorf("name = %+v", boot.Metadata.Name)
	}
	if r.Images[1].Arch.Value != "amd64" || r.Images[1].Capture == nil {
		t.Errorf("capture image: arch %q capture %v", r.Images[1].Arch.Value, r.Images[1].Capture)
	}
	var edges []string
	for _, e := range r.Deps {
		edges = append(edges, e.From.String()+">"+e.To.String())
	}
	want := "image.boot>source.sample.winpe image.capture>image.boot pxe.p>image.boot pxe.p>image.capture"
	if got := strings.Join(edges, " "); got != want {
		t.Errorf("deps = %s\nwant  %s", got, want)
	}
	if r.Output.Compression.Value != "lzx" || r.Output.Dir.Abs != filepath.Join(root, "out") {
		t.Errorf("output defaults = %+v", r.Output)
	}
}

func TestDigestIgnoresLocationAndFormatting(t *testing.T) {
	a := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": quick}, LoadOptions{})
	b := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": "# a comment\n" + strings.ReplaceAll(quick, "  ", "    ")}, LoadOptions{})
	if a.Digest != b.Digest {
		t.Errorf("digest changed with directory/formatting: %s vs %s", a.Digest, b.Digest)
	}
	c := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": strings.Replace(quick, `content = "a"`, `content = "A"`, 1)}, LoadOptions{})
	if c.Digest == a.Digest {
		t.Error("digest did not change when content changed")
	}
}

func TestVariablePrecedence(t *testing.T) {
	root := t.TempDir()
	src := `
variable "a" {
  default = "default"
}
variable "b" {
  default = "default"
}
variable "c" {
  default = "default"
}
variable "d" {
  default = "default"
}
variable "e" {
  default = "default"
}
variable "n" {
  type    = number
  default = 1
}
source "sample" "s" {
  arch = "x86"
}
image "i" {
  from = source.sample.s
  name = join(",", [var.a, var.b, var.c, var.d, var.e, tostring(var.n)])
}
`
	if err := os.WriteFile(filepath.Join(root, "main.wb.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "x.auto.wbvars.hcl"), []byte("b = \"auto\"\nc = \"auto\"\nd = \"auto\"\ne = \"auto\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vf := filepath.Join(t.TempDir(), "site.hcl")
	if err := os.WriteFile(vf, []byte("c = \"file\"\nd = \"file\"\ne = \"file\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, diags := Load(root, LoadOptions{
		VarFiles: []string{vf},
		Environ:  []string{"WIMBUILD_VAR_d=env", "WIMBUILD_VAR_e=env", "WIMBUILD_VAR_n=42", "WIMBUILD_VAR_unknown=x"},
		Vars:     []string{"e=cli,with=comma"},
	})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := r.Images[0].Metadata.Name.Value; got != "default,auto,file,env,cli,with=comma,42" {
		t.Errorf("precedence result = %q", got)
	}
	src2 := map[string]string{}
	for _, v := range r.Variables {
		src2[v.Name] = v.ValueSource
	}
	if src2["a"] != "default" || src2["d"] != "environment variable WIMBUILD_VAR_d" || src2["e"] != "--var e" {
		t.Errorf("value sources = %v", src2)
	}
	_, diags = Load(root, LoadOptions{Environ: cleanEnv, Vars: []string{"nope=1"}})
	if !diags.HasErrors() || diags[0].Summary != "Undeclared variable" {
		t.Errorf("--var of an undeclared variable: %v", diags)
	}
	_, diags = Load(root, LoadOptions{Environ: cleanEnv, Vars: []string{"n=abc"}})
	if !diags.HasErrors() || diags[0].Summary != "Invalid value for variable" {
		t.Errorf("--var n=abc: %v", diags)
	}
}

func TestSourceDateEpochFromEnvironment(t *testing.T) {
	r := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": quick}, LoadOptions{Environ: []string{"SOURCE_DATE_EPOCH=1700000000"}})
	if r.Settings.SourceDateEpoch.Value != 1700000000 {
		t.Errorf("epoch = %d", r.Settings.SourceDateEpoch.Value)
	}
	withSetting := "wimbuild {\n  source_date_epoch = 5\n}\n" + quick
	r = mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": withSetting}, LoadOptions{Environ: []string{"SOURCE_DATE_EPOCH=1700000000"}})
	if r.Settings.SourceDateEpoch.Value != 5 {
		t.Errorf("recipe setting must win, epoch = %d", r.Settings.SourceDateEpoch.Value)
	}
}

func TestSymlinkEscapeIsRejected(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	src := `
source "sample" "s" {
  arch = "x86"
}
image "i" {
  from = source.sample.s
  file "/a" {
    source = "link/secret.txt"
  }
}
`
	diags := loadDiags(t, root, src, LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "Path escapes the recipe directory" {
		t.Fatalf("symlink escape not rejected: %v", diags)
	}
	// Declared in allow_paths it is fine.
	diags = loadDiags(t, root, "wimbuild {\n  allow_paths = [\""+filepath.ToSlash(outside)+"\"]\n}\n"+src, LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("allow_paths did not allow: %v", diags)
	}
	// file() is confined the same way.
	diags = loadDiags(t, root, strings.Replace(src, `source = "link/secret.txt"`, `content = file("link/secret.txt")`, 1), LoadOptions{})
	if !diags.HasErrors() {
		t.Fatal("file() through an escaping symlink was allowed")
	}
}

func TestJSONAndNativeSyntaxAgree(t *testing.T) {
	jr, diags := Load("../testdata/valid/json-recipe.wb.json", LoadOptions{Environ: cleanEnv})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	native := `
wimbuild {
  required_version  = ">= 0.1"
  source_date_epoch = 1735689600
}
variable "arch" {
  type    = string
  default = "amd64"
}
locals {
  title = "Generated WinPE ${var.arch}"
}
source "sample" "winpe" {
  arch = var.arch
}
image "boot" {
  from          = source.sample.winpe
  name          = local.title
  scratch_space = 512
  file "/Windows/System32/startnet.cmd" {
    content = "wpeinit\r\n"
  }
  registry "SYSTEM" {
    set "ControlSet001\\Services\\FBWF" {
      name  = "WinPECacheThreshold"
      type  = "dword"
      value = 512
    }
  }
}
image "capture" {
  from = image.boot
  capture {
    exclusions = ["\\pagefile.sys"]
  }
}
pxe "wds" {
  images = [image.boot, image.capture]
  bcd {
    timeout = 10
    default = image.boot
  }
}
output {
  compression = "lzx"
}
`
	nr := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": native}, LoadOptions{})
	a, _ := CanonicalJSON(jr)
	b, _ := CanonicalJSON(nr)
	if string(a) != string(b) {
		t.Errorf("JSON and native recipes differ:\n%s\n%s", a, b)
	}
}

func TestFormatRoundTripsExamples(t *testing.T) {
	var files []string
	for _, dir := range []string{"../examples", "../testdata/valid"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, RecipeSuffix) {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 6 {
		t.Fatalf("found only %d recipe files", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, diags := Format(src, f)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", f, diags)
		}
		if string(out) != string(src) {
			t.Errorf("%s is not in canonical format (run wimbuild fmt)", f)
		}
		again, _ := Format(out, f)
		if string(again) != string(out) {
			t.Errorf("%s: formatting is not idempotent", f)
		}
		// Formatting a messy version gives the canonical one back, and the
		// recipe means the same.
		messy := strings.ReplaceAll(strings.ReplaceAll(string(src), "  ", "\t "), " = ", "=")
		back, diags := Format([]byte(messy), f)
		if diags.HasErrors() {
			t.Fatalf("%s messy: %v", f, diags)
		}
		if string(back) != string(src) {
			t.Errorf("%s: formatting a re-indented copy does not round-trip", f)
		}
	}
}

func TestCheckFiles(t *testing.T) {
	root := t.TempDir()
	src := `
source "wim" "m" {
  path   = "boot.wim"
  sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
}
image "i" {
  from = source.wim.m
  package "setup" {
    cab = "WinPE-Setup.cab"
  }
  language "de-de" {
    dir      = "de-de"
    packages = ["setup"]
  }
}
`
	if diags := loadDiags(t, root, src, LoadOptions{}); len(diags) != 0 {
		t.Fatalf("without CheckFiles: %v", diags)
	}
	diags := loadDiags(t, root, src, LoadOptions{CheckFiles: true})
	if len(diags) != 4 {
		t.Fatalf("want 4 missing files (wim, cab, lp.cab, WinPE-Setup_de-de.cab), got %v", diags)
	}
	for _, n := range []string{"boot.wim", "WinPE-Setup.cab", "de-de/lp.cab", "de-de/WinPE-Setup_de-de.cab"} {
		p := filepath.Join(root, filepath.FromSlash(n))
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, nil, 0o644)
	}
	if diags := loadDiags(t, root, src, LoadOptions{CheckFiles: true}); len(diags) != 0 {
		t.Fatalf("with files present: %v", diags)
	}
}

func TestVersionConstraints(t *testing.T) {
	for _, c := range []struct {
		cons string
		ok   bool
	}{
		{">= 0.1", true}, {"> 0.1", false}, {"> 0.0.9", true}, {"< 0.1", false}, {"= 0.1.0", true}, {"0.1", true},
		{"~> 0.1", true}, {"~> 0.2", false}, {">= 0.1, < 1.0", true}, {"!= 0.1.0", false}, {"~> 0.1.0", true},
	} {
		ok, err := versionAllowed(c.cons, "0.1.0")
		if err != nil || ok != c.ok {
			t.Errorf("%q: got %v, %v; want %v", c.cons, ok, err, c.ok)
		}
	}
	for _, bad := range []string{"", "newest", ">= a.b", "~> 1", "1.2.3.4"} {
		if _, err := versionAllowed(bad, "0.1.0"); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestLookupHelpers(t *testing.T) {
	src := `
source "sample" "s" {
  arch = "x86"
}
image "c" {
  from = image.b
}
image "b" {
  from = image.a
}
image "a" {
  from = source.sample.s
}
`
	r := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": src}, LoadOptions{})
	var names []string
	for _, img := range r.ImageOrder() {
		names = append(names, img.Name)
	}
	if strings.Join(names, "") != "abc" {
		t.Errorf("ImageOrder = %v", names)
	}
	s, chain := r.Base(r.Image("c"))
	if s == nil || s.Name != "s" || len(chain) != 3 || chain[0].Name != "a" || chain[2].Name != "c" {
		t.Errorf("Base = %v %v", s, chain)
	}
	if r.Image("c").Arch.Value != "x86" {
		t.Errorf("arch not inherited along the chain: %q", r.Image("c").Arch.Value)
	}
}

func TestSensitiveValuesAreNotPrinted(t *testing.T) {
	root := t.TempDir()
	src := `
variable "password" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
locals {
  pw  = "x-${var.password}"
  bad = lower(var.password) + 1
}
source "sample" "s" {
  arch = "x86"
}
image "i" {
  from = source.sample.s
  name = local.pw
}
`
	parser := hclparseNew()
	_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{Environ: cleanEnv, Parser: parser})
	if !diags.HasErrors() {
		t.Fatal("want the arithmetic error")
	}
	out := renderDiags(parser, diags)
	if strings.Contains(out, "hunter2") {
		t.Errorf("sensitive value printed:\n%s", out)
	}
	r := mustLoad(t, root, map[string]string{"main.wb.hcl": strings.Replace(src, "  bad = lower(var.password) + 1\n", "", 1)}, LoadOptions{})
	for _, l := range r.Locals {
		if strings.Contains(l.Value, "hunter2") {
			t.Errorf("local %s shows the sensitive value", l.Name)
		}
	}
	if r.Images[0].Metadata.Name.Value != "x-hunter2" {
		t.Errorf("value lost: %q", r.Images[0].Metadata.Name.Value)
	}
}

func TestFunctionsRefuseHugeResults(t *testing.T) {
	for _, expr := range []string{`format("%999999999d", 1)`, `formatlist("%.99999999s", ["a"])`, `indent(999999999, "a\nb")`, `format("%[1]99999d", 1)`} {
		src := "source \"sample\" \"s\" {\n  arch = \"x86\"\n}\nimage \"i\" {\n  from = source.sample.s\n  name = " + expr + "\n}\n"
		diags := loadDiags(t, t.TempDir(), src, LoadOptions{})
		if !diags.HasErrors() {
			t.Errorf("%s: accepted", expr)
		}
	}
	src := "source \"sample\" \"s\" {\n  arch = \"x86\"\n}\nimage \"i\" {\n  from = source.sample.s\n  name = format(\"%05d-%s-%.2f\", 7, indent(2, \"x\"), 1.5)\n}\n"
	r := mustLoad(t, t.TempDir(), map[string]string{"main.wb.hcl": src}, LoadOptions{})
	if got := r.Images[0].Metadata.Name.Value; got != "00007-x-1.50" {
		t.Errorf("format = %q", got)
	}
}

func TestVarFiles(t *testing.T) {
	root := t.TempDir()
	src := `
variable "langs" {
  type = list(string)
}
source "sample" "s" {
  arch = "x86"
}
image "i" {
  from = source.sample.s
  name = join("+", var.langs)
}
`
	if err := os.WriteFile(filepath.Join(root, "main.wb.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "v.json")
	hclFile := filepath.Join(dir, "v.hcl")
	_ = os.WriteFile(jsonFile, []byte(`{"langs": ["de-de", "fr-fr"], "extra": 1}`), 0o644)
	_ = os.WriteFile(hclFile, []byte("langs = [\"ja-jp\"]\nvariable \"x\" {}\n"), 0o644)
	r, diags := Load(root, LoadOptions{Environ: cleanEnv, VarFiles: []string{jsonFile}})
	if diags.HasErrors() || r.Images[0].Metadata.Name.Value != "de-de+fr-fr" {
		t.Fatalf("JSON var file: %v %v", diags, r)
	}
	if len(diags) != 1 || diags[0].Summary != "Undeclared variable" || diags[0].Severity != hcl.DiagWarning {
		t.Errorf("want one warning for the undeclared name, got %v", diags)
	}
	_, diags = Load(root, LoadOptions{Environ: cleanEnv, VarFiles: []string{hclFile}})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "name = value") {
		t.Errorf("a block in a var file must be an error with a hint: %v", diags)
	}
	r, diags = Load(root, LoadOptions{Environ: []string{`WIMBUILD_VAR_langs=["en-us"]`}})
	if diags.HasErrors() || r.Images[0].Metadata.Name.Value != "en-us" {
		t.Errorf("list from the environment: %v", diags)
	}
}
