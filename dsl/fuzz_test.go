package dsl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad runs the parser and the whole evaluator (variables, locals,
// functions, decoding, cross-block checks, digest) and the formatter on
// arbitrary input. It must never panic, hang or allocate without bound, and
// a recipe that loads without errors must have a digest.
func FuzzLoad(f *testing.F) {
	var seeds []string
	for _, dir := range []string{"../examples", "../testdata/valid", "../testdata/errors"} {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".hcl") || strings.HasSuffix(p, ".json")) {
				seeds = append(seeds, p)
			}
			return nil
		})
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if strings.HasSuffix(p, ".json") {
			b = append([]byte{'J'}, b...)
		} else {
			b = append([]byte{'H'}, b...)
		}
		f.Add(b)
	}
	// Sensitive values flow through every kind of model value.
	f.Add([]byte("H" + `variable "pw" {
  type      = string
  sensitive = true
  default   = "s3cret"
}
variable "n" {
  sensitive = true
  default   = 64
}
locals {
  d = "/${var.pw}"
}
source "sample" "s" {
  arch = "amd64"
}
image "i" {
  from          = source.sample.s
  description   = var.pw
  delete        = [local.d]
  scratch_space = var.n
  registry "SYSTEM" {
    set "Setup" {
      name  = "x"
      type  = "dword"
      value = var.n
    }
  }
  winpeshl {
    app {
      path = "x.exe"
      args = var.pw
    }
  }
}
`))
	root := f.TempDir()
	if err := os.WriteFile(filepath.Join(root, "startnet.cmd"), []byte("wpeinit\r\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		// The first byte selects the syntax: 'J' JSON, anything else native.
		if len(src) == 0 {
			return
		}
		isJSON := src[0] == 'J'
		src = src[1:]
		name := filepath.Join(root, "fuzz.wb.hcl")
		if isJSON {
			name = filepath.Join(root, "fuzz.wb.json")
		}
		r, diags := LoadSource(root, map[string][]byte{name: src}, LoadOptions{Environ: []string{}, Strict: true})
		if !diags.HasErrors() && (r == nil || len(r.Digest) != 64) {
			t.Fatalf("recipe without errors has no digest: %+v", r)
		}
		if diags.HasErrors() && r != nil {
			t.Fatal("recipe returned despite errors")
		}
		if r != nil {
			// Redact copies: the recipe and its digest stay as they were.
			before, err := CanonicalJSON(r)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := json.Marshal(Redact(r)); err != nil {
				t.Fatalf("redacted recipe does not encode: %v", err)
			}
			if after, _ := CanonicalJSON(r); string(after) != string(before) || digest(Redact(r)) != r.Digest {
				t.Fatal("Redact changed the recipe it copied")
			}
		}
		for _, d := range diags {
			if d.Summary == "" {
				t.Fatalf("diagnostic without summary: %+v", d)
			}
		}
		if !isJSON {
			if out, ds := Format(src, name); !ds.HasErrors() {
				if _, ds2 := Format(out, name); ds2.HasErrors() {
					t.Fatalf("formatted output does not parse: %v\n%s", ds2, out)
				}
			}
		}
	})
}

// TestTruncatedRecipes loads every prefix of real recipes: each must give
// diagnostics or a recipe, never a panic.
func TestTruncatedRecipes(t *testing.T) {
	for _, p := range []string{"../examples/quickstart/main.wb.hcl", "../testdata/valid/json-recipe.wb.json"} {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		name := filepath.Join(root, filepath.Base(p))
		step := 1
		if len(src) > 1500 {
			step = 3
		}
		for n := 0; n < len(src); n += step {
			r, diags := LoadSource(root, map[string][]byte{name: src[:n]}, LoadOptions{Environ: []string{}})
			if r == nil && !diags.HasErrors() {
				t.Fatalf("prefix %d: no recipe and no error", n)
			}
		}
	}
}

// FuzzExpression puts an arbitrary expression into every kind of attribute
// position of a valid recipe, so the evaluator, the type conversions and the
// attribute checks see far more inputs than whole-file mutation reaches.
func FuzzExpression(f *testing.F) {
	for _, s := range []string{
		`"x"`, `512`, `var.arch`, `local.a`, `["a", "b"]`, `format("%s-%d", "a", 1)`, `upper(var.arch)`,
		`file("startnet.cmd")`, `filesha256("startnet.cmd")`, `[for i in range(3) : i * 2]`, `{ a = 1 }`,
		`jsondecode("{\"a\":[1,2]}")`, `image.boot`, `source.sample.winpe`, `null`, `true ? 1 : "a"`,
		`"/Windows/System32/x"`, `"ControlSet001\\Services\\X"`, `"\\\\server"`, `1e400`, `-1`, `"${var.arch}%{ if true }x%{ endif }"`,
		`var.secret`, `"/${var.secret}"`, `lower(var.secret)`, `file(var.secret)`, `[var.secret]`, `tonumber(var.secret)`,
	} {
		f.Add(s)
	}
	root := f.TempDir()
	if err := os.WriteFile(filepath.Join(root, "startnet.cmd"), []byte("wpeinit\r\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	const tmpl = `
variable "arch" {
  default = "amd64"
}
variable "secret" {
  default   = "Qx9z:Secret"
  sensitive = true
}
locals {
  a = EXPR
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from          = source.sample.winpe
  name          = EXPR
  scratch_space = EXPR
  delete        = EXPR
  file "/a" {
    content = EXPR
  }
  registry "SYSTEM" {
    set "K" {
      type  = "dword"
      value = EXPR
    }
    set "K" {
      type  = "multi_string"
      value = EXPR
    }
    set "K" {
      type  = "binary"
      value = EXPR
    }
    delete_key = EXPR
  }
  winpeshl {
    app {
      path = EXPR
      args = EXPR
    }
  }
}
image "d" {
  from = EXPR
  discover {
    server = EXPR
  }
}
pxe "p" {
  images = EXPR
  bcd {
    timeout = EXPR
    default = EXPR
  }
}
media "m" {
  image    = image.boot
  format   = EXPR
  firmware = EXPR
}
output {
  dir         = EXPR
  compression = EXPR
}
`
	f.Fuzz(func(t *testing.T, expr string) {
		if strings.ContainsAny(expr, "\n\r") {
			return // one expression, one line
		}
		src := strings.ReplaceAll(tmpl, "EXPR", expr)
		name := filepath.Join(root, "fuzz.wb.hcl")
		r, diags := LoadSource(root, map[string][]byte{name: []byte(src)}, LoadOptions{Environ: []string{}})
		if !diags.HasErrors() && (r == nil || len(r.Digest) != 64) {
			t.Fatal("recipe without errors has no digest")
		}
		// The sensitive default never appears in a message, unless the
		// expression writes it itself.
		if !strings.Contains(strings.ToLower(expr), "qx9z") {
			for _, d := range diags {
				if strings.Contains(d.Summary+d.Detail, "Qx9z:Secret") {
					t.Fatalf("sensitive value in a diagnostic: %s: %s", d.Summary, d.Detail)
				}
			}
		}
	})
}
