package main

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/builder"
)

func init() {
	registerCommand(&cli.Command{
		Name:      "validate",
		Usage:     "check a recipe and report every problem with its source location",
		ArgsUsage: "[PATH]",
		Description: "Loads the recipe at PATH (a recipe file, or a directory of *.wb.hcl and *.wb.json files;\n" +
			"default \".\"), evaluates its variables and expressions, and checks every rule that needs only the\n" +
			"recipe — including what this release cannot build yet (package, language and UI-language\n" +
			"blocks) — so a valid recipe is one `wimbuild build` takes. Rules that need the base image's\n" +
			"contents (a program Winpeshl.ini starts must be in the image, setup.exe for WDS modes, the\n" +
			"WinPE version) are checked when it builds. All problems are reported in one run. Exit code 1\n" +
			"when there are errors.\n" +
			"--json prints the diagnostics as JSON for CI annotations.\n\n" +
			"Examples:\n" +
			"   wimbuild validate examples/quickstart\n" +
			"   wimbuild validate --strict --check-files --var arch=arm64 .\n" +
			"   wimbuild validate --json recipes/boot > diagnostics.json",
		Flags: append(recipeFlags(),
			&cli.BoolFlag{Name: "json", Usage: "print diagnostics as JSON on stdout"},
			&cli.BoolFlag{Name: "check-files", Usage: "also report host files (WIMs, cabs, overlays) that do not exist, and overlay file names a Windows image cannot hold"},
		),
		Action: runValidate,
	})
}

// jsonPos and friends are the --json diagnostic format.
type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiag struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *jsonRange `json:"range,omitempty"`
	Snippet  string     `json:"snippet,omitempty"`
}

type jsonValidate struct {
	Valid        bool       `json:"valid"`
	ErrorCount   int        `json:"error_count"`
	WarningCount int        `json:"warning_count"`
	Digest       string     `json:"digest,omitempty"`
	Diagnostics  []jsonDiag `json:"diagnostics"`
}

func toJSONDiags(files map[string]*hcl.File, diags hcl.Diagnostics) ([]jsonDiag, int, int) {
	out := []jsonDiag{}
	var e, w int
	for _, d := range diags {
		jd := jsonDiag{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagError {
			e++
		} else {
			w++
			jd.Severity = "warning"
		}
		if d.Subject != nil {
			s := d.Subject
			jd.Range = &jsonRange{Filename: s.Filename,
				Start: jsonPos{s.Start.Line, s.Start.Column, s.Start.Byte},
				End:   jsonPos{s.End.Line, s.End.Column, s.End.Byte}}
			if f := files[s.Filename]; f != nil {
				jd.Snippet = lineOf(f.Bytes, s.Start.Byte)
			}
		}
		out = append(out, jd)
	}
	return out, e, w
}

// lineOf returns the source line holding byte offset off.
func lineOf(src []byte, off int) string {
	if off < 0 || off > len(src) {
		return ""
	}
	start, end := off, off
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	for end < len(src) && src[end] != '\n' && src[end] != '\r' {
		end++
	}
	return string(src[start:end])
}

func runValidate(c *cli.Context) error {
	opts := recipeOptions(c)
	opts.CheckFiles = c.Bool("check-files")
	opts.Partial = true // see the case r != nil below
	r, diags, files, err := loadRecipeWith(c, opts)
	if err != nil {
		return err
	}
	switch {
	case r != nil && !diags.HasErrors():
		// What the builder of this release refuses or leaves out, so
		// that "valid" means "builds".
		diags = append(diags, builder.Check(r)...)
		if opts.CheckFiles {
			diags = append(diags, builder.CheckFiles(r)...)
		}
	case r != nil:
		// With other errors, still say what cannot be built at all.
		diags = append(diags, builder.Unbuildable(r)...)
	}
	if c.Bool("json") {
		jd, e, w := toJSONDiags(files, diags)
		out := jsonValidate{Valid: e == 0, ErrorCount: e, WarningCount: w, Diagnostics: jd}
		if r != nil && e == 0 {
			out.Digest = r.Digest
		}
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		if e > 0 {
			return &exitError{code: exitFailure, err: fmt.Errorf("the recipe has %s", countDiags(diags))}
		}
		return nil
	}
	writeDiagnostics(c.App.ErrWriter, files, diags)
	if diags.HasErrors() {
		return &exitError{code: exitFailure, err: fmt.Errorf("the recipe has %s", countDiags(diags))}
	}
	msg := "The recipe is valid"
	if len(diags) > 0 {
		msg += " (" + countDiags(diags)[len("0 errors and "):] + ")"
	}
	fmt.Fprintf(c.App.Writer, "%s: %s, %s, %s, %d media; digest sha256:%s\n", msg,
		plural(len(r.Sources), "source"), plural(len(r.Images), "image"), plural(len(r.PXE), "PXE bundle"), len(r.Media), r.Digest)
	return nil
}
