package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
)

func init() {
	registerCommand(&cli.Command{
		Name:      "init",
		Usage:     "write a commented starter recipe",
		ArgsUsage: "[DIR]",
		Description: "Creates DIR (default \".\") if needed and writes DIR/main.wb.hcl: a commented recipe that builds a\n" +
			"boot image from the generated sample WinPE base, so `wimbuild validate DIR` and `wimbuild build DIR`\n" +
			"work at once. Existing files are never overwritten.\n\n" +
			"Examples:\n" +
			"   wimbuild init\n" +
			"   wimbuild init my-boot && wimbuild build my-boot",
		Action: runInit,
	})
}

// starterRecipe is what `wimbuild init` writes. It must validate with zero
// diagnostics and be in canonical format (tests check both).
const starterRecipe = `# wimbuild recipe: builds Windows PE boot media. Reference: docs/recipe.md
#
#   wimbuild validate .   check this file (every problem, with line numbers)
#   wimbuild build .      build the images into ./out
#   wimbuild fmt .        canonical formatting

wimbuild {
  required_version = ">= 0.1"
  # All timestamps written into outputs derive from this Unix time, so two
  # builds of the same recipe are byte-identical.
  source_date_epoch = 1735689600
}

# Inputs. Override with --var arch=x86, a *.auto.wbvars.hcl file, or the
# WIMBUILD_VAR_arch environment variable.
variable "arch" {
  type        = string
  default     = "amd64"
  description = "Architecture of the boot image: amd64, x86 or arm64."

  validation {
    condition     = contains(["amd64", "x86", "arm64"], var.arch)
    error_message = "The arch variable must be amd64, x86 or arm64."
  }
}

# The base image. "sample" is a generated WinPE-like image that needs no
# Microsoft media. For real media use a pinned WIM instead:
#
#   source "wim" "media" {
#     path   = "media/sources/boot.wim"
#     sha256 = "<sha256sum of the file>"
#     index  = 2
#   }
source "sample" "winpe" {
  arch = var.arch
}

# A boot image: the base plus ordered edits.
image "boot" {
  from        = source.sample.winpe
  name        = "WinPE ${var.arch}"
  description = "Boot image built by wimbuild"

  # Files: inline content, or source = "path/in/this/directory".
  file "/Windows/System32/startnet.cmd" {
    content = "wpeinit\r\n"
  }

  # WinPE RAM-disk scratch space in MB: 32, 64, 128, 256 or 512.
  scratch_space = 512
}

# A capture image derived from the boot image: boots into the WDS capture wizard.
image "capture" {
  from = image.boot
  name = "WinPE ${var.arch} capture"

  capture {
    exclusions = ["\\pagefile.sys", "\\hiberfil.sys"]
  }
}

output {
  dir         = "out"
  compression = "lzx"
}
`

func runInit(c *cli.Context) error {
	if c.NArg() > 1 {
		return usageErrorf("init takes at most one directory, got %d arguments", c.NArg())
	}
	dir := "."
	if c.NArg() == 1 {
		dir = c.Args().First()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	name := filepath.Join(dir, "main.wb.hcl")
	// Every *.wb.hcl / *.wb.json file of a directory is one recipe: a
	// second file beside an existing recipe would declare everything twice.
	for _, pat := range []string{"*.wb.hcl", "*.wb.json"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pat)); len(m) > 0 {
			return &exitError{code: exitFailure, err: fmt.Errorf("%s already holds a recipe (%s); init never adds to or overwrites one", dir, filepath.Base(m[0]))}
		}
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return &exitError{code: exitFailure, err: fmt.Errorf("%s already exists; init never overwrites a recipe", name)}
	}
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	if _, err := f.WriteString(starterRecipe); err != nil {
		f.Close()
		return &exitError{code: exitFailure, err: err}
	}
	if err := f.Close(); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	fmt.Fprintf(c.App.Writer, "Wrote %s. Next: wimbuild validate %s\n", name, dir)
	return nil
}
