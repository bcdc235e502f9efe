package dsl

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeRecipes: every HCL recipe block in README.md and docs/recipe.md
// that declares an image loads without errors (the README's main recipe
// had a one-line block with two arguments, which HCL refuses). The
// placeholder sha256 "…" is replaced by a digest; host files are not
// checked.
func TestReadmeRecipes(t *testing.T) {
	block := regexp.MustCompile("(?s)```hcl\n(.*?)```")
	n := 0
	for _, doc := range []string{"../README.md", "../docs/recipe.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range block.FindAllStringSubmatch(string(b), -1) {
			src := m[1]
			if !strings.Contains(src, "image \"") || !strings.Contains(src, "source \"") {
				continue // a fragment, not a whole recipe
			}
			n++
			src = strings.ReplaceAll(src, `"…"`, `"`+strings.Repeat("ab", 32)+`"`)
			root := t.TempDir()
			_, diags := LoadSource(root, map[string][]byte{filepath.Join(root, "main.wb.hcl"): []byte(src)}, LoadOptions{Environ: []string{}})
			if diags.HasErrors() {
				t.Errorf("%s: a recipe block does not load: %s\n%s", doc, diags.Error(), src)
			}
		}
	}
	if n == 0 {
		t.Fatal("no recipe blocks found in the docs")
	}
}
