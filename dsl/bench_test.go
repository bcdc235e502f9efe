package dsl

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoad measures parse + evaluation + checks of the full-language
// recipe (testdata/valid/full), the work `wimbuild validate` and every build
// do first.
func BenchmarkLoad(b *testing.B) {
	dir := "../testdata/valid/full"
	src, err := os.ReadFile(filepath.Join(dir, "main.wb.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	root, _ := filepath.Abs(dir)
	files := map[string][]byte{filepath.Join(root, "main.wb.hcl"): src}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := LoadSource(root, files, LoadOptions{Environ: []string{}}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
