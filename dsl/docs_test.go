package dsl

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestReferenceDocumentsEverything checks that docs/recipe.md names every
// block and attribute of the language, and that its HCL examples parse.
func TestReferenceDocumentsEverything(t *testing.T) {
	b, err := os.ReadFile("../docs/recipe.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	schemas := []*hcl.BodySchema{topSchema, settingsSchema, variableSchema, validationSchema, sourceWIMSchema,
		sourceSampleSchema, imageSchema, packageSchema, languageSchema, filesSchema, fileSchema, registrySchema,
		regSetSchema, regDeleteValueSchema, winpeshlSchema, appSchema, captureSchema, uploadSchema, discoverSchema,
		metadataSchema, pxeSchema, bcdSchema, mediaSchema, outputSchema}
	for _, s := range schemas {
		for _, a := range s.Attributes {
			if !strings.Contains(doc, "`"+a.Name) && !strings.Contains(doc, ", "+a.Name) {
				t.Errorf("attribute %q is not documented", a.Name)
			}
		}
		for _, bl := range s.Blocks {
			if !strings.Contains(doc, "`"+bl.Type) {
				t.Errorf("block %q is not documented", bl.Type)
			}
		}
	}
	for _, f := range FunctionNames() {
		if !regexp.MustCompile(`\b` + f + `\b`).MatchString(doc) {
			t.Errorf("function %q is not documented", f)
		}
	}
	fences := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(fences) < 20 {
		t.Errorf("only %d HCL examples in the reference", len(fences))
	}
	for _, m := range fences {
		if _, diags := hclsyntax.ParseConfig([]byte(m[1]), "recipe.md", hcl.InitialPos); diags.HasErrors() {
			t.Errorf("example does not parse: %v\n%s", diags, m[1])
		}
	}
}
