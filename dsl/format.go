package dsl

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src (native syntax) in canonical form, as `wimbuild fmt`
// writes it: hclwrite's token-level formatting (indentation, aligned "=",
// spacing). Files with syntax errors are not formatted; the errors are
// returned instead. Formatting is idempotent and never changes meaning.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	_, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}
