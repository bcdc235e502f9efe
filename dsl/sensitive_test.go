package dsl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// leaks reports the forms of secret found in the summaries and details of
// diags and in their rendering with source snippets.
func leaks(rendered string, diags hcl.Diagnostics, secret string) []string {
	var text strings.Builder
	text.WriteString(rendered)
	for _, d := range diags {
		text.WriteString(d.Summary + "\n" + d.Detail + "\n")
	}
	var found []string
	for _, form := range []string{secret, strings.ToLower(secret), strings.ToUpper(secret)} {
		if strings.Contains(text.String(), form) {
			found = append(found, form)
		}
	}
	return found
}

// TestSensitiveValuesStayOutOfDiagnostics: the reported recipe, where
// diagnostics quoted values computed from a sensitive variable.
func TestSensitiveValuesStayOutOfDiagnostics(t *testing.T) {
	root := t.TempDir()
	src := `wimbuild {
  source_date_epoch = 1735689600
}
variable "pw" {
  type      = string
  sensitive = true
  default   = "hunter2:secret"
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from        = source.sample.winpe
  description = "pw is ${var.pw}"
  delete      = ["/${var.pw}"]
  discover { server = var.pw }
}
`
	parser := hclparseNew()
	_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{Environ: cleanEnv, Parser: parser})
	got := strings.Join(diagLines(diags), "\n")
	if want := "line 15: ERROR: Invalid image path\nline 16: ERROR: Invalid server name"; got != want {
		t.Fatalf("diagnostics:\n%s\nwant:\n%s", got, want)
	}
	rendered := renderDiags(parser, diags)
	// The default is written in the recipe, so a snippet of line 7 may show
	// it; the messages must not.
	if l := leaks("", diags, "hunter2"); len(l) > 0 {
		t.Errorf("sensitive value in diagnostics: %v\n%s", l, rendered)
	}
	if !strings.Contains(rendered, SensitiveValue) {
		t.Errorf("diagnostics do not say the value is sensitive:\n%s", rendered)
	}
	// From the command line the value appears nowhere, snippets included.
	parser = hclparseNew()
	_, diags = LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{Environ: cleanEnv, Parser: parser, Vars: []string{"pw=Zq7:Secret"}})
	if l := leaks(renderDiags(parser, diags), diags, "Zq7:Secret"); len(l) > 0 {
		t.Errorf("sensitive value in diagnostics: %v\n%s", l, renderDiags(parser, diags))
	}
}

// TestSensitiveValuesInEveryCheck puts a value computed from a sensitive
// variable into every attribute whose check quotes the value, in forms the
// secret's text does not appear in verbatim (lower case, a host name
// label), and checks that no diagnostic shows it.
func TestSensitiveValuesInEveryCheck(t *testing.T) {
	const secret = "Zq7Secret"
	root := t.TempDir()
	src := `variable "pw" {
  type      = string
  sensitive = true
}
variable "n" {
  type      = number
  sensitive = true
}
source "wim" "media" {
  path       = "${var.pw}.wim"
  sha256     = var.pw
  arch       = var.pw
  index      = var.n
}
image "boot" {
  from            = source.wim.media
  install_version = var.pw
  scratch_space   = var.n
  ui_language     = "${lower(var.pw)}-x"
  package "setup" {
    cab = "../${var.pw}/WinPE-Setup.cab"
  }
  language "de-de" {
    dir      = "lang/${var.pw}"
    packages = [var.pw]
  }
  file "/a.txt" {
    content = file("${var.pw}.txt")
  }
  registry "SYSTEM" {
    delete_key = ["HKLM\\${var.pw}"]
    set "Setup" {
      name  = "x"
      type  = lower(var.pw)
      value = "x"
    }
    set "Setup" {
      name  = "y"
      type  = "binary"
      value = var.pw
    }
    set "Setup" {
      name  = "z"
      type  = "dword"
      value = -var.n
    }
  }
  metadata {
    flags = "<${var.pw}>"
  }
  winpeshl {
    launch_app = "${var.pw},x"
  }
}
image "cap" {
  from = image.boot
  capture {
    volume = var.pw
    upload {
      server = "${lower(var.pw)}_x.example.com"
    }
  }
}
image "app" {
  from = image.boot
  winpeshl {
    launch = lower(var.pw)
  }
}
image "app2" {
  from = image.boot
  winpeshl {
    app {
      path = "${var.pw},x.exe"
    }
  }
}
output {
  compression = lower(var.pw)
}
pxe "net" {
  layout = lower(var.pw)
  images = [image.boot]
  bcd {
    timeout = var.n
    tftp_block_size = var.n
  }
}
media "iso" {
  image    = image.boot
  format   = lower(var.pw)
  label    = var.pw
  firmware = [lower(var.pw)]
}
`
	if err := os.MkdirAll(filepath.Join(root, "lang", secret), 0o755); err != nil {
		t.Fatal(err)
	}
	parser := hclparseNew()
	_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{
		Environ: cleanEnv, Parser: parser, CheckFiles: true,
		Vars: []string{"pw=" + secret, "n=70001"},
	})
	rendered := renderDiags(parser, diags)
	if l := leaks(rendered, diags, secret); len(l) > 0 {
		t.Errorf("sensitive value in diagnostics: %v\n%s", l, rendered)
	}
	if strings.Contains(rendered, "70001") {
		t.Errorf("sensitive number in diagnostics:\n%s", rendered)
	}
	// Every check above fires (the test would pass vacuously otherwise).
	for _, s := range []string{
		"Invalid sha256", "Invalid architecture", "Invalid install version", "Invalid scratch space",
		"Invalid language tag", "Path escapes the recipe directory", "Invalid function argument",
		"Invalid registry key", "Invalid registry value type", "Invalid registry value",
		"Registry value out of range", "Invalid flags", "Arguments in launch_app", "Invalid volume",
		"Invalid compression", "Invalid server name", "Unknown launch preset", "Comma in app path",
		"Invalid PXE layout", "Invalid timeout", "Invalid TFTP block size", "Invalid media format",
		"Invalid volume label", "Invalid firmware",
	} {
		found := false
		for _, d := range diags {
			found = found || d.Summary == s
		}
		if !found {
			t.Errorf("no %q diagnostic", s)
		}
	}
	if t.Failed() {
		t.Logf("diagnostics:\n%s", rendered)
	}
}

// TestSensitiveCommandLineValue: a --var value for a sensitive variable
// that does not parse is not repeated in the error.
func TestSensitiveCommandLineValue(t *testing.T) {
	src := "variable \"n\" {\n  type      = number\n  sensitive = true\n}\n"
	diags := loadDiags(t, t.TempDir(), src, LoadOptions{Vars: []string{"n=Zq7Secret("}})
	if !diags.HasErrors() {
		t.Fatal("no error")
	}
	if l := leaks("", diags, "Zq7Secret"); len(l) > 0 {
		t.Errorf("sensitive value in diagnostics: %v: %v", l, diags)
	}
}

// TestSensitiveValuesBuildAndRedact: the model keeps the real values (the
// builder uses them; so do the digest and cache keys) and flags them;
// Redact masks them in a copy.
func TestSensitiveValuesBuildAndRedact(t *testing.T) {
	src := `variable "pw" {
  type      = string
  sensitive = true
  default   = "hunter2"
}
variable "n" {
  type      = number
  sensitive = true
  default   = 128
}
locals {
  server = "wds-${var.pw}"
}
source "sample" "s" {
  arch = "amd64"
}
image "boot" {
  from          = source.sample.s
  name          = "plain"
  description   = "pw is ${var.pw}"
  delete        = ["/${var.pw}.txt", "/Windows/x.txt"]
  scratch_space = var.n
  file "/a.txt" {
    content = var.pw
  }
  registry "SYSTEM" {
    set "Setup" {
      name  = "pw"
      type  = "string"
      value = var.pw
    }
  }
  winpeshl {
    app {
      path = "x.exe"
      args = "/p:${var.pw}"
    }
  }
}
image "disc" {
  from = image.boot
  discover {
    server = local.server
  }
}
`
	root := t.TempDir()
	r := mustLoad(t, root, map[string]string{"main.wb.hcl": src}, LoadOptions{})
	boot := r.Image("boot")
	if d := boot.Metadata.Description; d.Value != "pw is hunter2" || !d.Sensitive {
		t.Errorf("description = %+v, want the real value flagged sensitive", d)
	}
	if n := boot.Metadata.Name; n.Sensitive {
		t.Errorf("name %+v flagged sensitive", n)
	}
	if s := r.Image("disc").Discover.Server; s.Value != "wds-hunter2" || !s.Sensitive {
		t.Errorf("server through a local = %+v", s)
	}
	real, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(real), "hunter2") {
		t.Error("the canonical encoding (digest, cache keys) lost the real value")
	}
	// The recipe digest is shown and uploaded (artifacts.json): it must
	// not be a hash over the secret, which would let anyone test guesses.
	r2 := mustLoad(t, root, map[string]string{"main.wb.hcl": src}, LoadOptions{Vars: []string{"pw=other"}})
	if r2.Digest != r.Digest {
		t.Error("the recipe digest depends on the sensitive value")
	}

	red := Redact(r)
	b, err := json.Marshal(red)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "128") {
		t.Errorf("Redact left a sensitive value:\n%s", b)
	}
	for _, want := range []string{`"plain"`, `"/Windows/x.txt"`, `"x.exe"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Redact masked a plain value %s:\n%s", want, b)
		}
	}
	rb := red.Image("boot")
	if rb.Metadata.Description.Value != SensitiveValue || rb.Winpeshl.Apps[0].Line != "x.exe, "+SensitiveValue {
		t.Errorf("redacted description %q, app line %q", rb.Metadata.Description.Value, rb.Winpeshl.Apps[0].Line)
	}
	for _, st := range rb.Steps {
		if ss, ok := st.(*ScratchSpaceStep); ok && ss.MB.Display() != SensitiveValue {
			t.Errorf("redacted scratch space shows %s", ss.MB.Display())
		}
	}
	// The original is untouched.
	if boot.Metadata.Description.Value != "pw is hunter2" || boot.Winpeshl.Apps[0].Line != "x.exe, /p:hunter2" {
		t.Error("Redact changed the recipe it copied")
	}
	for _, v := range append(red.Variables, r.Variables...) {
		if v.Value != SensitiveValue {
			t.Errorf("variable %s shows %q", v.Name, v.Value)
		}
	}
	for _, l := range r.Locals {
		if l.Value != SensitiveValue {
			t.Errorf("local %s shows %q", l.Name, l.Value)
		}
	}
}
