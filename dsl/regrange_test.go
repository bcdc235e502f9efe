package dsl

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestRegistryRangeMessages: the out-of-range advice fits the type (a
// qword's -1 is 18446744073709551615, not a dword's 4294967295), and a
// fraction is told it is not a whole number rather than given
// two's-complement advice.
func TestRegistryRangeMessages(t *testing.T) {
	for _, tc := range []struct{ typ, value, want, not string }{
		{"qword", "-1", "18446744073709551615 for -1", "4294967295"},
		{"dword", "-1", "4294967295 for -1", "18446744073709551615"},
		{"dword", "1.5", "is not a whole number", "two's complement"},
		// A NUL inside a string would cut it short in Windows' reading.
		{"string", `"a\u0000b"`, "cannot hold a NUL character", "\x00"},
		{"expand_string", `"%SystemRoot%\u0000x"`, "cannot hold a NUL character", "\x00"},
		{"multi_string", `["a", "b\u0000c"]`, "NUL separates the elements", "\x00"},
	} {
		src := `wimbuild {
  source_date_epoch = 1735689600
}
source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    set "ControlSet001\\Foo" {
      name  = "v"
      type  = "` + tc.typ + `"
      value = ` + tc.value + `
    }
  }
}
`
		diags := loadText(t, src)
		msg := diags.Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.not) {
			t.Errorf("%s %s: %s", tc.typ, tc.value, msg)
		}
	}
}

// TestImagePathDeviceNames: validate refuses image paths with a Windows
// device name component, as the build does (validate said "valid" and the
// build then failed).
func TestImagePathDeviceNames(t *testing.T) {
	for _, p := range []string{"/Windows/CON", "/aux.txt", "/Tools/COM1/x.exe", "/nul"} {
		src := `source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  file "` + p + `" {
    content = "x"
  }
}
`
		diags := loadText(t, src)
		if msg := diags.Error(); !diags.HasErrors() || !strings.Contains(msg, "reserved Windows device name") {
			t.Errorf("%s: %s", p, msg)
		}
	}
}

// TestRegistryKeyDotComponents: "..\\x" in a registry key is refused (a
// key literally named ".." would be created).
func TestRegistryKeyDotComponents(t *testing.T) {
	for _, key := range []string{`..\\..\\x`, `ControlSet001\\.\\Foo`} {
		src := `source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    delete_key = ["` + key + `"]
  }
}
`
		diags := loadText(t, src)
		if msg := diags.Error(); !diags.HasErrors() || !strings.Contains(msg, "parent references") {
			t.Errorf("%s: %s", key, msg)
		}
	}
}

// TestRegistryValueNameNUL: a value name holding NUL is refused (Windows
// reads the name only up to it).
func TestRegistryValueNameNUL(t *testing.T) {
	src := `source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  registry "SYSTEM" {
    set "ControlSet001\\Foo" {
      name  = "a\u0000b"
      type  = "dword"
      value = 1
    }
  }
}
`
	diags := loadText(t, src)
	if msg := diags.Error(); !diags.HasErrors() || !strings.Contains(msg, "A value name cannot hold a NUL") {
		t.Errorf("%s", msg)
	}
}

// loadText loads one recipe file's text (in a temp directory) and returns
// its diagnostics.
func loadText(t *testing.T, src string) hcl.Diagnostics {
	t.Helper()
	root := t.TempDir()
	_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{Environ: []string{}})
	return diags
}

// TestMisspelledSourceTypeReportedOnce: a source block with an unknown
// type is reported there (with a did-you-mean), not again at the images
// built from it ("Declare it with a source … block" named the very block).
func TestMisspelledSourceTypeReportedOnce(t *testing.T) {
	diags := loadText(t, `source "sampel" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sampel.winpe
}
`)
	if len(diags.Errs()) != 1 || !strings.Contains(diags.Error(), `Did you mean "sample"?`) {
		t.Errorf("%d errors: %s", len(diags.Errs()), diags.Error())
	}
}

// TestMisspelledRequiredArgumentOneError: a misspelled required argument
// is one error with a did-you-mean, not also "Missing required argument".
func TestMisspelledRequiredArgumentOneError(t *testing.T) {
	diags := loadText(t, `source "sample" "winpe" {
  arch = "amd64"
}
image "boot" {
  from = source.sample.winpe
  files {
    source     = "overlay/"
    destinaton = "/"
  }
}
`)
	msg := diags.Error()
	if !strings.Contains(msg, `Did you mean "destination"?`) || strings.Contains(msg, "Missing required argument") {
		t.Errorf("%d errors: %s", len(diags.Errs()), msg)
	}
}
