package dsl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Errors from host path resolution.
var (
	errEmptyPath  = errors.New("dsl: empty path")
	errNULInPath  = errors.New("dsl: path contains a NUL byte")
	errPathEscape = errors.New("dsl: path escapes the recipe directory")
)

// pathChecker resolves host paths written in a recipe. Relative paths are
// relative to the recipe directory; "/" and "\" both separate components so
// a recipe means the same on every host. Every resolved path must lie inside
// the recipe directory or an allow_paths directory, both lexically and after
// following the symbolic links that exist.
type pathChecker struct {
	root    string
	allowed []string
	real    map[string]string // realPath cache for root and allowed dirs
}

// resolve returns the absolute, cleaned host path for s.
func (pc *pathChecker) resolve(s string) (string, error) {
	if s == "" {
		return "", errEmptyPath
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", errNULInPath
	}
	p := filepath.FromSlash(strings.ReplaceAll(s, `\`, "/"))
	if !filepath.IsAbs(p) {
		p = filepath.Join(pc.root, p)
	}
	p = filepath.Clean(p)
	if !pc.inside(p, false) {
		return p, errPathEscape
	}
	if !pc.inside(realPath(p), true) {
		return p, errPathEscape
	}
	return p, nil
}

func (pc *pathChecker) inside(p string, real bool) bool {
	dirs := append([]string{pc.root}, pc.allowed...)
	for _, d := range dirs {
		if real {
			if pc.real == nil {
				pc.real = map[string]string{}
			}
			r, ok := pc.real[d]
			if !ok {
				r = realPath(d)
				pc.real[d] = r
			}
			d = r
		}
		if Within(d, p) {
			return true
		}
	}
	return false
}

// Within reports whether p is dir or below it (both clean and absolute).
func Within(dir, p string) bool {
	if p == dir {
		return true
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// realPath follows the symbolic links of the longest existing prefix of p.
func realPath(p string) string {
	rest := ""
	cur := p
	for i := 0; i < 256; i++ {
		if _, err := os.Lstat(cur); err == nil {
			r, err := filepath.EvalSymlinks(cur)
			if err != nil {
				return p
			}
			if rest == "" {
				return r
			}
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		if rest == "" {
			rest = filepath.Base(cur)
		} else {
			rest = filepath.Join(filepath.Base(cur), rest)
		}
		cur = parent
	}
	return p
}

// rel renders abs for digests and cache keys: relative to the root with
// forward slashes, or absolute when no relative form exists.
func (pc *pathChecker) rel(abs string) string {
	r, err := filepath.Rel(pc.root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}

// path turns a string value into a checked Path, reporting problems at rng.
// A sensitive value is not quoted in the diagnostics, and the Path is
// marked Sensitive.
func (pc *pathChecker) path(s string, rng hcl.Range, what string, sensitive bool) (Path, hcl.Diagnostics) {
	abs, err := pc.resolve(s)
	switch {
	case errors.Is(err, errEmptyPath):
		return Path{}, hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Empty path", Subject: rng.Ptr(),
			Detail: fmt.Sprintf("The %s is an empty string. Give a path relative to the recipe directory.", what),
		}}
	case errors.Is(err, errNULInPath):
		return Path{}, hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Invalid path", Subject: rng.Ptr(),
			Detail: fmt.Sprintf("The %s contains a NUL character, which no file system allows. Remove it.", what),
		}}
	case errors.Is(err, errPathEscape):
		return Path{}, hcl.Diagnostics{{
			Severity: hcl.DiagError, Summary: "Path escapes the recipe directory", Subject: rng.Ptr(),
			Detail: fmt.Sprintf("The %s %s resolves to %s, which is outside the recipe directory %s. "+
				"Recipes may only read files below their own directory, so a reviewed recipe cannot pull in arbitrary host files. "+
				"Move the file into the recipe directory, or declare the directory that holds it in `wimbuild { allow_paths = [...] }`.",
				what, maskIf(sensitive, strconv.Quote(s)), maskIf(sensitive, abs), pc.root),
		}}
	}
	return Path{Abs: abs, Rel: pc.rel(abs), Range: rng, Sensitive: sensitive}, nil
}

func fromRecipePath(s string) string { return filepath.FromSlash(strings.ReplaceAll(s, `\`, "/")) }
func isAbs(p string) bool            { return filepath.IsAbs(p) }
func joinPath(a, b string) string    { return filepath.Join(a, b) }
func cleanPath(p string) string      { return filepath.Clean(p) }
