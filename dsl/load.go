package dsl

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
)

// Recipe file name suffixes.
const (
	RecipeSuffix     = ".wb.hcl"           // native syntax recipe file
	RecipeJSONSuffix = ".wb.json"          // JSON syntax recipe file
	AutoVarsSuffix   = ".auto.wbvars.hcl"  // variable values loaded automatically
	AutoVarsJSON     = ".auto.wbvars.json" // same, JSON syntax
	// EnvVarPrefix prefixes environment variables that set recipe
	// variables: WIMBUILD_VAR_arch=x86 sets var.arch.
	EnvVarPrefix = "WIMBUILD_VAR_"
	// maxRecipeFileSize bounds every file Load reads.
	maxRecipeFileSize = 4 << 20
)

// LoadOptions tune Load.
type LoadOptions struct {
	// Vars are `--var name=value` settings, in command-line order.
	Vars []string
	// VarFiles are `--var-file` paths (relative to the working directory),
	// in command-line order.
	VarFiles []string
	// Environ is the environment (KEY=VALUE) searched for WIMBUILD_VAR_*
	// and SOURCE_DATE_EPOCH. Nil means os.Environ().
	Environ []string
	// Strict turns warnings about unpinned inputs into errors.
	Strict bool
	// CheckFiles reports host paths that do not exist. Validation for
	// review (CI without the Windows media) leaves it off; builds turn it on.
	CheckFiles bool
	// Partial returns the recipe as far as it was understood even when
	// there are errors (for reporting more about it, e.g. what cannot be
	// built at all); such a recipe must not be built. Without it, a recipe
	// with errors is nil.
	Partial bool
	// Parser, when set, is used to parse every file, so the caller can
	// render diagnostics with source snippets from Parser.Files().
	Parser *hclparse.Parser
}

// Load reads the recipe at path (a recipe file, or a directory of *.wb.hcl
// and *.wb.json files), evaluates it with the variables from opts, and
// checks it. It reports every problem it finds in one pass. The Recipe is
// nil when the diagnostics contain errors.
func Load(path string, opts LoadOptions) (*Recipe, hcl.Diagnostics) {
	if opts.Parser == nil {
		opts.Parser = hclparse.NewParser()
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Recipe not found",
			Detail:   fmt.Sprintf("Cannot read the recipe at %q: %v. Give a recipe file or a directory holding *%s files.", path, err, RecipeSuffix),
		}}
	}
	var names []string
	dir := path
	if st.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read recipe directory", Detail: fmt.Sprintf("Reading %q failed: %v.", path, err)}}
		}
		for _, e := range ents {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, RecipeSuffix) || strings.HasSuffix(n, RecipeJSONSuffix)) {
				names = append(names, filepath.Join(path, n))
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			hint := fmt.Sprintf(" Run `wimbuild init %s` to create a starter recipe.", path)
			if m, _ := filepath.Glob(filepath.Join(path, "*.hcl")); len(m) > 0 {
				hint = fmt.Sprintf(" %s is not read: recipe files are named *%s (rename it, e.g. to %s).", filepath.Base(m[0]), RecipeSuffix, strings.TrimSuffix(filepath.Base(m[0]), ".hcl")+RecipeSuffix)
			}
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No recipe files",
				Detail:   fmt.Sprintf("The directory %q holds no *%s or *%s files.%s", path, RecipeSuffix, RecipeJSONSuffix, hint),
			}}
		}
	} else {
		names = []string{path}
		dir = filepath.Dir(path)
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot resolve recipe directory", Detail: err.Error()}}
	}
	var srcs []sourceFile
	var diags hcl.Diagnostics
	for _, n := range names {
		b, d := readLimited(n)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		abs, err := filepath.Abs(n)
		if err != nil {
			abs = n
		}
		srcs = append(srcs, sourceFile{name: n, abs: abs, src: b})
	}
	// Variable files loaded automatically, lexical order.
	ents, _ := os.ReadDir(dir)
	var auto []string
	for _, e := range ents {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, AutoVarsSuffix) || strings.HasSuffix(n, AutoVarsJSON)) {
			auto = append(auto, filepath.Join(dir, n))
		}
	}
	sort.Strings(auto)
	var varFiles []sourceFile
	for _, n := range append(auto, opts.VarFiles...) {
		b, d := readLimited(n)
		diags = append(diags, d...)
		if !d.HasErrors() {
			varFiles = append(varFiles, sourceFile{name: n, src: b})
		}
	}
	r, d := loadSources(root, srcs, varFiles, opts)
	diags = append(diags, d...)
	if diags.HasErrors() && (!opts.Partial || r == nil) {
		return nil, diags
	}
	return r, diags
}

type sourceFile struct {
	name string // as given: diagnostics name the file this way
	abs  string // absolute path; "" means name relative to the recipe root
	src  []byte
}

func readLimited(name string) ([]byte, hcl.Diagnostics) {
	f, err := os.Open(name)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read file", Detail: fmt.Sprintf("Reading %q failed: %v.", name, err)}}
	}
	defer f.Close()
	st, err := f.Stat()
	if err == nil && st.Size() > maxRecipeFileSize {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "File too large", Detail: fmt.Sprintf("%q is %d bytes; recipe and variable files are limited to %d bytes.", name, st.Size(), maxRecipeFileSize)}}
	}
	b := make([]byte, 0, 4096)
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		b = append(b, buf[:n]...)
		if len(b) > maxRecipeFileSize {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "File too large", Detail: fmt.Sprintf("%q exceeds %d bytes.", name, maxRecipeFileSize)}}
		}
		if err != nil {
			break
		}
	}
	return b, nil
}

// LoadSource evaluates a recipe given as in-memory files (name -> content)
// rooted at the directory root. Names ending in .json use the JSON syntax.
// It is Load without the file system discovery; tests and fuzzing use it.
func LoadSource(root string, files map[string][]byte, opts LoadOptions) (*Recipe, hcl.Diagnostics) {
	if opts.Parser == nil {
		opts.Parser = hclparse.NewParser()
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var srcs []sourceFile
	for _, n := range names {
		srcs = append(srcs, sourceFile{name: n, src: files[n]})
	}
	var vfs []sourceFile
	for _, n := range opts.VarFiles {
		b, d := readLimited(n)
		if d.HasErrors() {
			return nil, d
		}
		vfs = append(vfs, sourceFile{name: n, src: b})
	}
	r, diags := loadSources(root, srcs, vfs, opts)
	if diags.HasErrors() && (!opts.Partial || r == nil) {
		return nil, diags
	}
	return r, diags
}

func parseFile(p *hclparse.Parser, sf sourceFile) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(sf.name, ".json") {
		return p.ParseJSON(sf.src, sf.name)
	}
	return p.ParseHCL(sf.src, sf.name)
}
