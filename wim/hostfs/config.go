package hostfs

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Capture configuration ("wimscript.ini").
//
// The file is INI-style. Recognised sections:
//
//	[ExclusionList]             globs of paths not captured (a matched directory drops its subtree)
//	[ExclusionException]        globs captured even when [ExclusionList] matches them or an ancestor
//	[CompressionExclusionList]  globs of files stored uncompressed
//	[PrepopulateList]           accepted and ignored (only meaningful for WIMBoot apply)
//
// A glob is a path of components separated by '/' or '\'. Components may use
// '*' (any run of characters within one component) and '?' (one character).
// A glob with no separator is relative and matches a file name in any
// directory; any other glob is anchored at the capture root. A leading drive
// letter ("C:") is ignored. Lines starting with '#' or ';' are comments;
// globs may be quoted with " or '. Matching is case-insensitive by default,
// like DISM (the images are consumed by Windows).

// Limits for configuration files (hostile input).
const (
	// MaxConfigSize is the largest capture configuration file accepted.
	MaxConfigSize = 1 << 20
	// MaxConfigPatterns is the largest number of globs accepted.
	MaxConfigPatterns = 10000
	// MaxGlobLength is the longest glob accepted, in bytes (matching is
	// O(len(glob) × len(name)), so this bounds the work per name).
	MaxGlobLength = 4096
	// maxPatternComponents bounds the components in one glob.
	maxPatternComponents = 1024
)

// ErrConfig is returned (wrapped in a *ConfigError) for an invalid capture
// configuration file.
var ErrConfig = errors.New("hostfs: invalid capture configuration")

// ConfigError describes an invalid line of a capture configuration file.
type ConfigError struct {
	Line   int // 1-based line number; 0 for whole-file problems
	Reason string
}

func (e *ConfigError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("hostfs: capture configuration: %s", e.Reason)
	}
	return fmt.Sprintf("hostfs: capture configuration line %d: %s", e.Line, e.Reason)
}

// Unwrap lets errors.Is(err, ErrConfig) match.
func (e *ConfigError) Unwrap() error { return ErrConfig }

// Config is a parsed capture configuration. The zero value (or nil) excludes
// nothing.
type Config struct {
	Exclusion            []Glob
	ExclusionException   []Glob
	CompressionExclusion []Glob
	Prepopulate          []Glob
	// CaseSensitive makes globs match case-sensitively (wimlib's default on
	// UNIX); the default is case-insensitive like DISM.
	CaseSensitive bool
	// Warnings lists non-fatal findings (unknown sections), one per line.
	Warnings []string
}

// Glob is one parsed path glob.
type Glob struct {
	// Text is the glob as written (after unquoting).
	Text string
	// Anchored globs are matched from the capture root; others match a
	// single file name anywhere.
	Anchored bool
	// Components are the glob's path components (one for unanchored globs).
	Components []string
}

// DefaultConfig returns the configuration wimlib and DISM use when none is
// given: it excludes the Windows paging, hibernation and recycle-bin files.
func DefaultConfig() *Config {
	c, err := ParseConfig([]byte(defaultConfigText))
	if err != nil {
		panic("hostfs: default configuration does not parse: " + err.Error())
	}
	return c
}

const defaultConfigText = `[ExclusionList]
\$ntfs.log
\hiberfil.sys
\pagefile.sys
\swapfile.sys
\System Volume Information
\RECYCLER
\$RECYCLE.BIN
\$Recycle.Bin
\Windows\CSC
`

// ParseConfig parses a capture configuration file. The file may be UTF-8
// (with or without BOM) or UTF-16LE (with BOM, or detected from NUL bytes).
func ParseConfig(data []byte) (*Config, error) {
	if len(data) > MaxConfigSize {
		return nil, &ConfigError{Reason: fmt.Sprintf("file is %d bytes, larger than the %d-byte limit", len(data), MaxConfigSize)}
	}
	text, err := decodeConfigText(data)
	if err != nil {
		return nil, err
	}
	c := &Config{}
	var section *[]Glob
	sectionName := ""
	n := 0
	for i, line := range strings.Split(text, "\n") {
		lineNo := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if line[len(line)-1] != ']' {
				return nil, &ConfigError{Line: lineNo, Reason: fmt.Sprintf("section header %q has no closing ']'", line)}
			}
			sectionName = strings.TrimSpace(line[1 : len(line)-1])
			switch strings.ToLower(sectionName) {
			case "exclusionlist":
				section = &c.Exclusion
			case "exclusionexception":
				section = &c.ExclusionException
			case "compressionexclusionlist":
				section = &c.CompressionExclusion
			case "prepopulatelist":
				section = &c.Prepopulate
			default:
				section = nil
				c.Warnings = append(c.Warnings, fmt.Sprintf("line %d: unknown section [%s] ignored", lineNo, sectionName))
			}
			continue
		}
		if sectionName == "" {
			return nil, &ConfigError{Line: lineNo, Reason: fmt.Sprintf("glob %q appears before any [section]", line)}
		}
		if section == nil {
			continue // inside an unknown section (already warned)
		}
		g, err := parseGlob(line)
		if err != nil {
			return nil, &ConfigError{Line: lineNo, Reason: err.Error()}
		}
		if g == nil {
			continue
		}
		n++
		if n > MaxConfigPatterns {
			return nil, &ConfigError{Line: lineNo, Reason: fmt.Sprintf("more than %d globs", MaxConfigPatterns)}
		}
		*section = append(*section, *g)
	}
	return c, nil
}

// decodeConfigText turns the raw file into a Go string.
func decodeConfigText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16LE(data[2:])
	case len(data) >= 2 && data[1] == 0 && data[0] != 0:
		// UTF-16LE without BOM: ASCII text has every odd byte zero.
		return decodeUTF16LE(data)
	}
	if !utf8.Valid(data) {
		return "", &ConfigError{Reason: "file is neither valid UTF-8 nor UTF-16LE"}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", &ConfigError{Reason: fmt.Sprintf("NUL byte at offset %d", bytes.IndexByte(data, 0))}
	}
	return string(data), nil
}

func decodeUTF16LE(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", &ConfigError{Reason: fmt.Sprintf("UTF-16LE text has an odd length (%d bytes)", len(b))}
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		if u[i] == 0 {
			return "", &ConfigError{Reason: fmt.Sprintf("NUL character at offset %d", 2*i)}
		}
	}
	return string(utf16.Decode(u)), nil
}

// parseGlob parses one glob line; it returns nil for a line that names the
// root itself (nothing to match).
func parseGlob(s string) (*Glob, error) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	text := s
	if len(s) > MaxGlobLength {
		return nil, fmt.Errorf("glob of %d bytes is longer than %d", len(s), MaxGlobLength)
	}
	// Drive letters are ignored: "C:\x" is "\x".
	if len(s) >= 2 && s[1] == ':' && isASCIILetter(s[0]) {
		s = s[2:]
		if s == "" {
			return nil, fmt.Errorf("glob %q names only a drive", text)
		}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, fmt.Errorf("glob %q contains a NUL character", text)
	}
	if strings.ContainsRune(s, ':') {
		return nil, fmt.Errorf("glob %q contains ':' (named streams and drive letters inside a path are not supported)", text)
	}
	s = strings.ReplaceAll(s, "\\", "/")
	hasSep := strings.Contains(s, "/")
	var comps []string
	for _, c := range strings.Split(s, "/") {
		switch c {
		case "", ".":
			continue
		case "..":
			return nil, fmt.Errorf("glob %q contains '..'", text)
		}
		comps = append(comps, c)
	}
	if len(comps) == 0 {
		if hasSep {
			return nil, fmt.Errorf("glob %q matches the capture root itself", text)
		}
		return nil, nil
	}
	if len(comps) > maxPatternComponents {
		return nil, fmt.Errorf("glob %q has more than %d components", text, maxPatternComponents)
	}
	return &Glob{Text: text, Anchored: hasSep, Components: comps}, nil
}

func isASCIILetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// matchSelfOrAncestor reports whether g matches p or one of its ancestors.
func (g *Glob) matchSelfOrAncestor(p []string, fold bool) bool {
	if !g.Anchored {
		for _, c := range p {
			if matchComponent(g.Components[0], c, fold) {
				return true
			}
		}
		return false
	}
	if len(p) < len(g.Components) {
		return false
	}
	return matchPrefix(g.Components, p[:len(g.Components)], fold)
}

// matchDescendant reports whether g could match a path strictly below p.
func (g *Glob) matchDescendant(p []string, fold bool) bool {
	if !g.Anchored || len(p) >= len(g.Components) {
		return false
	}
	return matchPrefix(g.Components[:len(p)], p, fold)
}

func matchPrefix(globs, p []string, fold bool) bool {
	for i := range globs {
		if !matchComponent(globs[i], p[i], fold) {
			return false
		}
	}
	return true
}

// matchComponent matches one name against a glob component with '*' and
// '?'. It runs in O(len(glob)*len(name)) time (no backtracking blow-up).
func matchComponent(glob, name string, fold bool) bool {
	g := []rune(glob)
	n := []rune(name)
	// Classic two-pointer wildcard match with a single backtrack point.
	gi, ni := 0, 0
	star, mark := -1, 0
	for ni < len(n) {
		switch {
		case gi < len(g) && g[gi] == '*':
			star, mark = gi, ni
			gi++
		case gi < len(g) && (g[gi] == '?' || runeEqual(g[gi], n[ni], fold)):
			gi++
			ni++
		case star >= 0:
			gi = star + 1
			mark++
			ni = mark
		default:
			return false
		}
	}
	for gi < len(g) && g[gi] == '*' {
		gi++
	}
	return gi == len(g)
}

func runeEqual(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	return unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}

// splitPath splits a slash-separated path relative to the capture root.
func splitPath(rel string) []string {
	rel = strings.Trim(rel, "/")
	if rel == "" {
		return nil
	}
	return strings.Split(rel, "/")
}

// Excluded reports whether the path (relative to the capture root,
// '/'-separated) is left out of the capture: it or an ancestor matches
// [ExclusionList] and neither it, an ancestor nor (for directories holding
// an exception) a descendant matches [ExclusionException].
func (c *Config) Excluded(rel string) bool {
	if c == nil || len(c.Exclusion) == 0 {
		return false
	}
	p := splitPath(rel)
	if len(p) == 0 {
		return false
	}
	fold := !c.CaseSensitive
	excluded := false
	for i := range c.Exclusion {
		if c.Exclusion[i].matchSelfOrAncestor(p, fold) {
			excluded = true
			break
		}
	}
	if !excluded {
		return false
	}
	for i := range c.ExclusionException {
		g := &c.ExclusionException[i]
		if g.matchSelfOrAncestor(p, fold) || g.matchDescendant(p, fold) {
			return false
		}
	}
	return true
}

// NoCompress reports whether the file's data should be stored uncompressed
// ([CompressionExclusionList] matches it or an ancestor).
func (c *Config) NoCompress(rel string) bool {
	if c == nil {
		return false
	}
	p := splitPath(rel)
	fold := !c.CaseSensitive
	for i := range c.CompressionExclusion {
		if c.CompressionExclusion[i].matchSelfOrAncestor(p, fold) {
			return true
		}
	}
	return false
}
