package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/dsl"
)

const sensitiveRecipe = `wimbuild {
  source_date_epoch = 1735689600
}
variable "pw" {
  type      = string
  sensitive = true
  default   = "hunter2"
}
variable "mb" {
  type      = number
  sensitive = true
  default   = 256
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from          = source.sample.winpe
  description   = "pw is ${var.pw}"
  delete        = ["/${var.pw}.txt"]
  scratch_space = var.mb
  file "/a.txt" {
    content = "pw=${var.pw}"
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
  discover { server = var.pw }
}
`

// TestInspectMasksSensitiveValues: neither text nor JSON inspect shows a
// sensitive variable or a value computed from one.
func TestInspectMasksSensitiveValues(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.wb.hcl"), []byte(sensitiveRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	const secret = "supersecretpassword"
	for _, args := range [][]string{
		{"inspect", "--json", "--var", "pw=" + secret, "--var", "mb=512", dir},
		{"inspect", "--var", "pw=" + secret, "--var", "mb=512", dir},
	} {
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if strings.Contains(out+errs, secret) {
			t.Errorf("%v shows a sensitive value:\n%s%s", args, out, errs)
		}
		if !strings.Contains(out, dsl.SensitiveValue) {
			t.Errorf("%v does not say values are masked:\n%s", args, out)
		}
		if args[1] != "--json" && !strings.Contains(out, "scratch_space "+dsl.SensitiveValue+" MB") {
			t.Errorf("text inspect shows the sensitive scratch space:\n%s", out)
		}
	}
	code, out, errs := runCLI(t, "inspect", "--json", "--var", "pw="+secret, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct {
		Variables []struct {
			Name, Value string
			Sensitive   bool
		}
		Recipe struct {
			Images []struct {
				Name     string
				Metadata map[string]any
				Discover map[string]any
				Steps    []map[string]any
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Variables) != 2 || !v.Variables[0].Sensitive || v.Variables[0].Value != dsl.SensitiveValue {
		t.Errorf("variables: %+v", v.Variables)
	}
	if len(v.Recipe.Images) != 2 || v.Recipe.Images[0].Metadata["description"] != dsl.SensitiveValue || v.Recipe.Images[1].Discover["server"] != dsl.SensitiveValue {
		t.Fatalf("images: %+v", v.Recipe.Images)
	}
	for _, st := range v.Recipe.Images[0].Steps {
		if st["kind"] == "scratch_space" && st["mb"] != dsl.SensitiveValue {
			t.Errorf("JSON inspect shows the sensitive scratch space: %v", st)
		}
	}
}

// TestInspectRelativeRecipeFile: a recipe file given relative to the
// working directory is listed under its real absolute path.
func TestInspectRelativeRecipeFile(t *testing.T) {
	base := t.TempDir()
	if err := os.Mkdir(filepath.Join(base, "rb"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(base, "rb", "main.wb.hcl")
	if err := os.WriteFile(file, []byte("source \"sample\" \"s\" {\n  arch = \"x86\"\n}\nimage \"i\" {\n  from = source.sample.s\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(base)
	code, out, errs := runCLI(t, "inspect", "--json", filepath.Join("rb", "main.wb.hcl"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var v struct{ Files []string }
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Files) != 1 || v.Files[0] != file {
		t.Errorf("files = %q, want [%q]", v.Files, file)
	}
}

// TestInspectShowsMetadata: inspect's text lists every metadata field an
// image sets (it showed only name; description, display name and flags
// were in --json only) and each registry operation (it showed a count).
func TestInspectShowsMetadata(t *testing.T) {
	code, out, errs := runCLI(t, "inspect", "../../examples/wds-boot")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{`description: "Boot image for WDS with Setup in WDS mode"`, `display_name: "Contoso WinPE (amd64)"`, `flags: "9"`,
		`registry SYSTEM: set ControlSet001\Services\Tcpip\Parameters [EnableICMPRedirect] (dword)`} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect lacks %s:\n%s", want, out)
		}
	}
}
