package dsl

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCaptureCompressionIsRefused: WDSCapture.inf has no compression key,
// so a capture block's compression could only be ignored; it is an error
// at the attribute instead.
func TestCaptureCompressionIsRefused(t *testing.T) {
	root := t.TempDir()
	src := `wimbuild {
  source_date_epoch = 1735689600
}
source "sample" "winpe" {
  arch = "amd64"
}
image "capture" {
  from = source.sample.winpe
  capture {
    compression = "lzx"
  }
}
`
	_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{Environ: []string{}})
	if !diags.HasErrors() || len(diags) != 1 || diags[0].Summary != "Capture compression cannot be set" ||
		diags[0].Subject == nil || diags[0].Subject.Start.Line != 10 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if !strings.Contains(diags[0].Detail, "WDSCapture.inf") {
		t.Fatalf("detail: %s", diags[0].Detail)
	}
}
