package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/dsl"
)

func init() {
	registerCommand(&cli.Command{
		Name:      "fmt",
		Usage:     "rewrite recipe files in the canonical format",
		ArgsUsage: "[PATH]",
		Description: "Formats *.wb.hcl and *.wbvars.hcl files at PATH (a file or directory; default \".\"; \"-\" reads\n" +
			"stdin and writes stdout) with HCL's canonical style: indentation, aligned equals signs, spacing.\n" +
			"-check writes nothing and exits 1 when a file is not formatted; -diff prints the changes.\n\n" +
			"Examples:\n" +
			"   wimbuild fmt .\n" +
			"   wimbuild fmt --recursive recipes/\n" +
			"   wimbuild fmt --check --diff --recursive .      (CI: fail on unformatted files)\n" +
			"   cat main.wb.hcl | wimbuild fmt -",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 1 and list the files that are not formatted"},
			&cli.BoolFlag{Name: "diff", Usage: "print a unified diff of the changes"},
			&cli.BoolFlag{Name: "recursive", Usage: "also format subdirectories"},
			&cli.BoolFlag{Name: "write", Value: true, Usage: "write the result back to the files (-write=false to only list them)"},
		},
		Action: runFmt,
	})
}

// isFormattable reports whether fmt handles a file name.
func isFormattable(name string) bool {
	return strings.HasSuffix(name, dsl.RecipeSuffix) || strings.HasSuffix(name, ".wbvars.hcl")
}

func runFmt(c *cli.Context) error {
	path, err := recipePath(c)
	if err != nil {
		return err
	}
	out := c.App.Writer
	if path == "-" {
		src, err := io.ReadAll(io.LimitReader(os.Stdin, 16<<20))
		if err != nil {
			return err
		}
		res, diags := dsl.Format(src, "<stdin>")
		if diags.HasErrors() {
			p := hclparse.NewParser()
			p.ParseHCL(src, "<stdin>")
			writeDiagnostics(c.App.ErrWriter, p.Files(), diags)
			return &exitError{code: exitFailure, err: fmt.Errorf("cannot format stdin: %s", countDiags(diags))}
		}
		if c.Bool("check") {
			if !bytes.Equal(res, src) {
				return &exitError{code: exitFailure, err: fmt.Errorf("stdin is not formatted")}
			}
			return nil
		}
		_, err = out.Write(res)
		return err
	}
	files, err := fmtFiles(path, c.Bool("recursive"))
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	var changed []string
	var diags hcl.Diagnostics
	parser := hclparse.NewParser()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return &exitError{code: exitFailure, err: err}
		}
		res, ds := dsl.Format(src, f)
		if ds.HasErrors() {
			parser.ParseHCL(src, f)
			diags = append(diags, ds...)
			continue
		}
		if bytes.Equal(res, src) {
			continue
		}
		changed = append(changed, f)
		if c.Bool("diff") {
			fmt.Fprint(out, unifiedDiff(f, string(src), string(res)))
		} else {
			fmt.Fprintln(out, f)
		}
		if !c.Bool("check") && c.Bool("write") {
			if err := replaceFile(f, res); err != nil {
				return &exitError{code: exitFailure, err: err}
			}
		}
	}
	if len(diags) > 0 {
		writeDiagnostics(c.App.ErrWriter, parser.Files(), diags)
		return &exitError{code: exitFailure, err: fmt.Errorf("cannot format files with syntax errors: %s", countDiags(diags))}
	}
	if c.Bool("check") && len(changed) > 0 {
		fix := []string{"wimbuild", "fmt"}
		if c.Bool("recursive") {
			fix = append(fix, "--recursive")
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("%s not formatted; run `%s`", plural(len(changed), "file"), shellJoin(append(fix, path)))}
	}
	return nil
}

// fmtFiles lists the files fmt handles at path.
func fmtFiles(path string, recursive bool) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if isFormattable(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// unifiedDiff renders a unified diff (3 lines of context) of a -> b.
func unifiedDiff(name, a, b string) string {
	al, bl := splitLines(a), splitLines(b)
	n, m := len(al), len(bl)
	type op struct {
		kind byte // ' ', '-', '+'
		text string
	}
	var ops []op
	if n*m > 16<<20 {
		for _, s := range al {
			ops = append(ops, op{'-', s})
		}
		for _, s := range bl {
			ops = append(ops, op{'+', s})
		}
	} else {
		// LCS table from the end.
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if al[i] == bl[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && al[i] == bl[j]:
				ops = append(ops, op{' ', al[i]})
				i++
				j++
			case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
				ops = append(ops, op{'+', bl[j]})
				j++
			default:
				ops = append(ops, op{'-', al[i]})
				i++
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s (formatted)\n", name, name)
	const ctx = 3
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start := max(k-ctx, 0)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run-end > 2*ctx || run == len(ops) {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		aStart, bStart, aLen, bLen := 1, 1, 0, 0
		for _, o := range ops[:start] {
			if o.kind != '+' {
				aStart++
			}
			if o.kind != '-' {
				bStart++
			}
		}
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				aLen++
			}
			if o.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&sb, "@@ -%d,%d +%d,%d @@\n", aStart, aLen, bStart, bLen)
		for _, o := range ops[start:end] {
			sb.WriteByte(o.kind)
			sb.WriteString(o.text)
			sb.WriteByte('\n')
		}
		k = end
	}
	return sb.String()
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
