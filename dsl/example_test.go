package dsl_test

import (
	"fmt"

	"github.com/wimbuild/wimbuild/dsl"
)

func ExampleLoad() {
	r, diags := dsl.Load("../examples/quickstart", dsl.LoadOptions{Vars: []string{"arch=x86"}, Environ: []string{}})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	for _, img := range r.Images {
		fmt.Printf("image.%s from %s (%s): %q\n", img.Name, img.From, img.Arch.Value, img.Metadata.Name.Value)
		for _, st := range img.Steps {
			fmt.Printf("  %s at line %d\n", st.Kind(), st.StepRange().Start.Line)
		}
	}
	for _, e := range r.Deps {
		fmt.Println(e.From, "needs", e.To)
	}
	// Output:
	// image.boot from source.sample.winpe (x86): "Quickstart WinPE (x86)"
	//   file at line 33
	//   registry at line 37
	//   scratch_space at line 45
	// image.boot needs source.sample.winpe
}
