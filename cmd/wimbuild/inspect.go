package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/dsl"
)

func init() {
	registerCommand(&cli.Command{
		Name:      "inspect",
		Usage:     "show a recipe's variables, sources, images, outputs and dependencies",
		ArgsUsage: "[PATH]",
		Description: "Loads the recipe at PATH (default \".\") and prints what it declares after evaluation: variables\n" +
			"with their final values and where they came from (sensitive values masked), locals, sources, images\n" +
			"with their ordered steps, PXE bundles, media, the output settings and the dependency edges.\n\n" +
			"Examples:\n" +
			"   wimbuild inspect examples/quickstart\n" +
			"   wimbuild inspect --json --var arch=arm64 . > recipe.json",
		Flags:  append(recipeFlags(), &cli.BoolFlag{Name: "json", Usage: "print machine-readable JSON"}),
		Action: runInspect,
	})
}

type inspectVar struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Value       string `json:"value"`
	Source      string `json:"source"`
	Sensitive   bool   `json:"sensitive"`
	Description string `json:"description,omitempty"`
}

type inspectJSON struct {
	Files     []string          `json:"files"`
	Digest    string            `json:"digest"`
	Variables []inspectVar      `json:"variables"`
	Locals    map[string]string `json:"locals"`
	Recipe    *dsl.Recipe       `json:"recipe"`
	OutputDir string            `json:"output_dir"`
	Deps      [][2]string       `json:"dependencies"`
}

func runInspect(c *cli.Context) error {
	r, err := loadRecipe(c)
	if err != nil {
		return err
	}
	// Everything below prints: values computed from sensitive variables
	// are masked in the copy (the digest is of the real recipe).
	r = dsl.Redact(r)
	if c.Bool("json") {
		out := inspectJSON{Files: r.Files, Digest: r.Digest, Recipe: r, Locals: map[string]string{}, OutputDir: r.Output.Dir.Abs, Deps: [][2]string{}}
		for _, v := range r.Variables {
			out.Variables = append(out.Variables, inspectVar{v.Name, v.Type, v.Value, v.ValueSource, v.Sensitive, v.Description})
		}
		for _, l := range r.Locals {
			out.Locals[l.Name] = l.Value
		}
		for _, e := range r.Deps {
			out.Deps = append(out.Deps, [2]string{e.From.String(), e.To.String()})
		}
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	writeInspect(c.App.Writer, r)
	return nil
}

// writeInspect prints r as text; r is a dsl.Redact copy.
func writeInspect(w io.Writer, r *dsl.Recipe) {
	fmt.Fprintf(w, "Recipe %s (%s), digest sha256:%s\n", r.Root, plural(len(r.Files), "file"), r.Digest)
	fmt.Fprintf(w, "  source_date_epoch = %s\n", r.Settings.SourceDateEpoch.Display())
	for _, p := range r.Settings.AllowPaths {
		fmt.Fprintf(w, "  allow_paths: %s\n", p.Abs)
	}
	if len(r.Variables) > 0 {
		fmt.Fprintln(w, "\nVariables:")
		for _, v := range r.Variables {
			desc := ""
			if v.Description != "" {
				desc = "  # " + v.Description
			}
			fmt.Fprintf(w, "  var.%s (%s) = %s  [%s]%s\n", v.Name, v.Type, v.Value, v.ValueSource, desc)
		}
	}
	if len(r.Locals) > 0 {
		fmt.Fprintln(w, "\nLocals:")
		for _, l := range r.Locals {
			fmt.Fprintf(w, "  local.%s = %s\n", l.Name, l.Value)
		}
	}
	fmt.Fprintln(w, "\nSources:")
	for _, s := range r.Sources {
		fmt.Fprintf(w, "  %s", s.Ref())
		if s.Path.Rel != "" {
			fmt.Fprintf(w, "  path=%s", s.Path.Rel)
			if s.SHA256.Value != "" {
				fmt.Fprintf(w, " sha256=%s", s.SHA256.Value)
			} else {
				fmt.Fprint(w, " (unpinned)")
			}
		}
		if s.Index.Value != 0 || s.Index.Sensitive {
			fmt.Fprintf(w, " index=%s", s.Index.Display())
		}
		if s.ImageName.Value != "" {
			fmt.Fprintf(w, " image_name=%q", s.ImageName.Value)
		}
		if s.Arch.Value != "" {
			fmt.Fprintf(w, " arch=%s", s.Arch.Value)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nImages:")
	for _, img := range r.Images {
		arch := img.Arch.Value
		if arch == "" {
			arch = "(from base WIM)"
		}
		fmt.Fprintf(w, "  image.%s  from %s  arch %s\n", img.Name, img.From, arch)
		m := img.Metadata
		for _, f := range []struct{ k, v string }{
			{"name", m.Name.Value}, {"description", m.Description.Value}, {"display_name", m.DisplayName.Value},
			{"display_description", m.DisplayDescription.Value}, {"flags", m.Flags.Value}, {"install_version", img.InstallVersion.Value},
		} {
			if f.v != "" {
				fmt.Fprintf(w, "    %s: %q\n", f.k, f.v)
			}
		}
		for i, st := range img.Steps {
			fmt.Fprintf(w, "    %2d. %s\n", i+1, describeStep(st))
		}
		switch {
		case img.Winpeshl != nil:
			if img.Winpeshl.LaunchApp.Value != "" {
				fmt.Fprintf(w, "    winpeshl [LaunchApp] %s\n", img.Winpeshl.LaunchApp.Value)
			}
			for _, a := range img.Winpeshl.Apps {
				fmt.Fprintf(w, "    winpeshl [LaunchApps] %s\n", a.Line)
			}
		case img.Capture != nil:
			fmt.Fprintf(w, "    capture image: [LaunchApps] %s", dsl.CaptureAppPath)
			if img.Capture.Upload != nil {
				fmt.Fprintf(w, ", uploads to %s", img.Capture.Upload.Server.Value)
			}
			fmt.Fprintln(w)
		case img.Discover != nil:
			fmt.Fprintf(w, "    discover image: [LaunchApps] %s\n", img.Discover.Line())
		}
	}
	if len(r.PXE) > 0 {
		fmt.Fprintln(w, "\nPXE bundles:")
		for _, p := range r.PXE {
			var names []string
			for _, i := range p.Images {
				names = append(names, i.String())
			}
			fmt.Fprintf(w, "  pxe.%s  layout %s  images %s  timeout %ss\n", p.Name, p.Layout.Value, strings.Join(names, ", "), p.BCD.Timeout.Display())
		}
	}
	if len(r.Media) > 0 {
		fmt.Fprintln(w, "\nMedia:")
		for _, m := range r.Media {
			var fw []string
			for _, f := range m.Firmware {
				fw = append(fw, f.Value)
			}
			fmt.Fprintf(w, "  media.%s  %s of %s  label %s  firmware %s\n", m.Name, m.Format.Value, m.Image, m.Label.Value, strings.Join(fw, "+"))
		}
	}
	fmt.Fprintf(w, "\nOutput: %s (compression %s)\n", r.Output.Dir.Abs, r.Output.Compression.Value)
	if len(r.Deps) > 0 {
		fmt.Fprintln(w, "\nDependencies:")
		for _, e := range r.Deps {
			fmt.Fprintf(w, "  %s -> %s\n", e.From, e.To)
		}
	}
}

func describeStep(st dsl.Step) string {
	switch st := st.(type) {
	case *dsl.PackageStep:
		return fmt.Sprintf("package %s  %s", st.Name, st.Cab.Rel)
	case *dsl.LanguageStep:
		var p []string
		for _, s := range st.Packages {
			p = append(p, s.Value)
		}
		return fmt.Sprintf("language %s  %s  packages [%s]", st.Tag.Value, st.LP.Rel, strings.Join(p, ", "))
	case *dsl.FilesStep:
		return fmt.Sprintf("files %s -> %s", st.Source.Rel, st.Destination.Value)
	case *dsl.FileStep:
		if st.Source != nil {
			return fmt.Sprintf("file %s <- %s", st.Path.Value, st.Source.Rel)
		}
		if st.Content.Sensitive {
			return fmt.Sprintf("file %s (inline, %s)", st.Path.Value, dsl.SensitiveValue)
		}
		return fmt.Sprintf("file %s (%d bytes inline)", st.Path.Value, len(st.Content.Value))
	case *dsl.DeleteStep:
		var p []string
		for _, s := range st.Paths {
			p = append(p, s.Value)
		}
		return "delete " + strings.Join(p, ", ")
	case *dsl.RegistryStep:
		// Each operation, without its data (shown by --json).
		var ops []string
		for _, op := range st.Ops {
			switch op.Op {
			case dsl.RegSet:
				ops = append(ops, fmt.Sprintf("set %s [%s] (%s)", op.Key.Display(), op.Name.Display(), op.Type.Value))
			case dsl.RegDeleteValue:
				ops = append(ops, fmt.Sprintf("delete_value %s [%s]", op.Key.Display(), op.Name.Display()))
			default:
				ops = append(ops, fmt.Sprintf("%s %s", op.Op, op.Key.Display()))
			}
		}
		return fmt.Sprintf("registry %s: %s", st.Hive.Value, strings.Join(ops, "; "))
	case *dsl.ScratchSpaceStep:
		return fmt.Sprintf("scratch_space %s MB", st.MB.Display())
	case *dsl.UILanguageStep:
		return "ui_language " + st.Tag.Value
	}
	return st.Kind()
}
