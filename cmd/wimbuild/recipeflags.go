package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/wimbuild/wimbuild/builder"
	"github.com/wimbuild/wimbuild/dsl"
)

// multiValue is a repeatable string flag that keeps commas (urfave's
// StringSliceFlag would split "--var list=a,b").
type multiValue struct{ vals []string }

func (m *multiValue) Set(s string) error { m.vals = append(m.vals, s); return nil }
func (m *multiValue) String() string     { return "" }

// take returns the collected values and resets the flag, so a command run
// twice in one process (tests) starts empty.
func (m *multiValue) take() []string {
	v := m.vals
	m.vals = nil
	return v
}

// varValue is the --var flag: a multiValue whose values must be
// NAME=VALUE, so a mistake is a usage error before anything is loaded.
type varValue struct{ multiValue }

func (v *varValue) Set(s string) error {
	if name, _, ok := strings.Cut(s, "="); !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want NAME=VALUE, e.g. --var arch=x86")
	}
	return v.multiValue.Set(s)
}

// resetMultiValues empties the repeatable flags of c's command, so values
// collected before a usage error do not reach the next run in the same
// process (tests).
func resetMultiValues(c *cli.Context) {
	if c.Command == nil {
		return
	}
	for _, f := range c.Command.Flags {
		if g, ok := f.(*cli.GenericFlag); ok {
			switch v := g.Value.(type) {
			case *multiValue:
				v.take()
			case *varValue:
				v.take()
			}
		}
	}
}

// recipeFlags returns the flags of every command that loads a recipe:
// --var NAME=VALUE, --var-file FILE (both repeatable, later wins) and
// --strict. Use it in a command's Flags and load with loadRecipe.
func recipeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "var", Value: &varValue{}, Usage: "set a recipe variable (`NAME=VALUE`; repeatable, later wins)"},
		&cli.GenericFlag{Name: "var-file", Value: &multiValue{}, Usage: "read variable values from an HCL `FILE` (repeatable, later wins)"},
		&cli.BoolFlag{Name: "strict", Usage: "treat unpinned inputs (no sha256) as errors"},
	}
}

// recipePath returns the recipe argument of c (default ".").
func recipePath(c *cli.Context) (string, error) {
	switch c.NArg() {
	case 0:
		return ".", nil
	case 1:
		return c.Args().First(), nil
	}
	resetMultiValues(c)
	// Flags after the path are not parsed (urfave/cli stops at the first
	// argument): suggest the same command line with them moved before it.
	args := c.Args().Slice()
	var moved, extra []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			extra = append(extra, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := findFlag(c.Command.Flags, name)
		if f == nil {
			return "", commandUsageErrorf(c, "unknown flag %s", a)
		}
		moved = append(moved, a)
		if _, isBool := f.(*cli.BoolFlag); !isBool && !hasValue {
			if i+1 >= len(args) {
				return "", commandUsageErrorf(c, "flag %s needs a value", a)
			}
			i++
			moved = append(moved, args[i])
		}
	}
	if len(extra) > 0 {
		return "", usageErrorf("%s takes at most one recipe path, got %d: %s", commandPath(c), 1+len(extra), shellJoin(append(args[:1:1], extra...)))
	}
	// The command line as given: the flags before the path are in the
	// parent's arguments, between the command name and the path.
	var before []string
	if l := c.Lineage(); len(l) > 1 {
		if raw := l[1].Args().Slice(); len(raw) > len(args) {
			before = raw[1 : len(raw)-len(args)]
		}
	}
	line := append(append(append([]string{"wimbuild", commandPath(c)}, before...), moved...), args[0])
	return "", usageErrorf("flags go before the recipe path: %s", shellJoin(line))
}

// shellJoin writes args as a POSIX shell command line, quoting what needs
// it.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if a == "" || strings.ContainsFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
		}) {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// recipeOptions builds dsl.LoadOptions from the recipe flags of c.
func recipeOptions(c *cli.Context) dsl.LoadOptions {
	opts := dsl.LoadOptions{Strict: c.Bool("strict"), Parser: hclparse.NewParser()}
	if vv, ok := c.Generic("var").(*varValue); ok {
		opts.Vars = vv.take()
	}
	if mv, ok := c.Generic("var-file").(*multiValue); ok {
		opts.VarFiles = mv.take()
	}
	return opts
}

// loadRecipeWith loads the recipe named by c's argument with opts and
// returns the diagnostics without printing them.
func loadRecipeWith(c *cli.Context, opts dsl.LoadOptions) (*dsl.Recipe, hcl.Diagnostics, map[string]*hcl.File, error) {
	path, err := recipePath(c)
	if err != nil {
		return nil, nil, nil, err
	}
	if opts.Parser == nil {
		opts.Parser = hclparse.NewParser()
	}
	r, diags := dsl.Load(path, opts)
	return r, diags, opts.Parser.Files(), nil
}

// loadRecipe loads the recipe named by c's argument (default ".") with the
// recipe flags, prints warnings and errors with source snippets to stderr,
// and returns an exit error (code 1) when the recipe has errors. Commands
// that build or plan call this first.
func loadRecipe(c *cli.Context) (*dsl.Recipe, error) {
	return loadRecipeOpts(c, recipeOptions(c))
}

// loadRecipeOpts is loadRecipe with explicit options (e.g. CheckFiles).
func loadRecipeOpts(c *cli.Context, opts dsl.LoadOptions) (*dsl.Recipe, error) {
	opts.Partial = true // for Unbuildable below; never returned with errors
	r, diags, files, err := loadRecipeWith(c, opts)
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() && r != nil {
		// Say what cannot be built at all along with the other errors.
		diags = append(diags, builder.Unbuildable(r)...)
	}
	reportDiagnostics(c, files, diags)
	if diags.HasErrors() {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("the recipe has %s", countDiags(diags))}
	}
	return r, nil
}

// writeDiagnostics renders diagnostics with source snippets.
// reportDiagnostics writes diags for the command being run: as JSON event
// lines under `build --progress json` (whose stderr a machine reads line
// by line), else as text with source snippets.
func reportDiagnostics(c *cli.Context, files map[string]*hcl.File, diags hcl.Diagnostics) {
	if !jsonProgress(c) {
		writeDiagnostics(c.App.ErrWriter, files, diags)
		return
	}
	jds, _, _ := toJSONDiags(files, diags)
	for _, jd := range jds {
		writeJSONEvent(c.App.ErrWriter, jsonDiagEvent{Time: eventTime(), Status: "diagnostic", jsonDiag: jd})
	}
}

// jsonDiagEvent is a diagnostic in the --progress json event stream: the
// fields of validate --json's diagnostics.
type jsonDiagEvent struct {
	Time   string `json:"time"`
	Status string `json:"status"`
	jsonDiag
}

// writeDiagnostics writes diags as text with source snippets.
func writeDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if w == nil {
		w = os.Stderr
	}
	width, color := uint(100), false
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		color = os.Getenv("NO_COLOR") == "" && os.Getenv("CI") != "true"
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			width = uint(cols)
		}
	}
	dw := hcl.NewDiagnosticTextWriter(w, files, width, color)
	_ = dw.WriteDiagnostics(diags)
}

// countDiags renders "2 errors and 1 warning".
func countDiags(diags hcl.Diagnostics) string {
	var e, w int
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			e++
		} else {
			w++
		}
	}
	parts := []string{plural(e, "error")}
	if w > 0 {
		parts = append(parts, plural(w, "warning"))
	}
	return strings.Join(parts, " and ")
}

func plural(n int, s string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", s)
	}
	return fmt.Sprintf("%d %ss", n, s)
}

// pluralOf is plural for nouns with their own plural form:
// pluralOf(2, "directory", "directories").
func pluralOf(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
