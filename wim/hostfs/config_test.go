package hostfs

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

const sampleConfig = `; DISM-style capture configuration
[ExclusionList]
\pagefile.sys
"\System Volume Information"
*.tmp
C:\Windows\CSC
/cache

[ExclusionException]
\cache\keep.txt

[CompressionExclusionList]
*.cab
'\Windows\inf\*.pnf'

[PrepopulateList]
\Windows\System32\*.dll
`

func TestParseConfigSections(t *testing.T) {
	c, err := ParseConfig([]byte(sampleConfig))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Exclusion); got != 5 {
		t.Fatalf("exclusion globs = %d, want 5", got)
	}
	if g := c.Exclusion[1]; !g.Anchored || g.Components[0] != "System Volume Information" {
		t.Errorf("quoted glob = %+v", g)
	}
	if g := c.Exclusion[2]; g.Anchored || g.Components[0] != "*.tmp" {
		t.Errorf("relative glob = %+v", g)
	}
	if g := c.Exclusion[3]; !g.Anchored || strings.Join(g.Components, "/") != "Windows/CSC" {
		t.Errorf("drive glob = %+v", g)
	}
	if len(c.ExclusionException) != 1 || len(c.CompressionExclusion) != 2 || len(c.Prepopulate) != 1 {
		t.Errorf("sections: %d exceptions, %d no-compress, %d prepopulate", len(c.ExclusionException), len(c.CompressionExclusion), len(c.Prepopulate))
	}
}

func TestConfigMatching(t *testing.T) {
	c, err := ParseConfig([]byte(sampleConfig))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"pagefile.sys", true},
		{"PAGEFILE.SYS", true}, // case-insensitive by default
		{"sub/pagefile.sys", false},
		{"System Volume Information", true},
		{"System Volume Information/x/y", true}, // descendants of an excluded dir
		{"a/b/c.tmp", true},
		{"a.tmp/inner", true}, // relative globs match any component
		{"a/b/c.tmpx", false},
		{"Windows/CSC", true},
		{"Windows/CSCx", false},
		{"Windows", false},
		{"cache", false},          // holds an exception below it
		{"cache/keep.txt", false}, // the exception itself
		{"cache/other.txt", true},
		{"cache/sub", true},
		{"", false},
	} {
		if got := c.Excluded(tc.path); got != tc.want {
			t.Errorf("Excluded(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"x.cab", true},
		{"deep/dir/X.CAB", true},
		{"Windows/inf/a.pnf", true},
		{"Windows/inf/sub/a.pnf", false},
		{"Windows/inf/a.inf", false},
	} {
		if got := c.NoCompress(tc.path); got != tc.want {
			t.Errorf("NoCompress(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
	c.CaseSensitive = true
	if c.Excluded("PAGEFILE.SYS") {
		t.Error("case-sensitive config matched PAGEFILE.SYS")
	}
	var nilConfig *Config
	if nilConfig.Excluded("a") || nilConfig.NoCompress("a") {
		t.Error("nil config matched")
	}
}

func TestParseConfigUTF16(t *testing.T) {
	u := utf16.Encode([]rune("[ExclusionList]\r\n\\pägefile.sys\r\n"))
	b := []byte{0xFF, 0xFE}
	for _, x := range u {
		b = append(b, byte(x), byte(x>>8))
	}
	c, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Exclusion) != 1 || c.Exclusion[0].Components[0] != "pägefile.sys" {
		t.Fatalf("UTF-16 config = %+v", c.Exclusion)
	}
	// Without BOM.
	c, err = ParseConfig(b[2:])
	if err != nil || len(c.Exclusion) != 1 {
		t.Fatalf("UTF-16 without BOM: %v %+v", err, c)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		line int
	}{
		{"*.tmp\n", 1},
		{"[ExclusionList\n", 1},
		{"[ExclusionList]\n\\a\\..\\b\n", 2},
		{"[ExclusionList]\nfile:stream\n", 2},
		{"[ExclusionList]\n\\\n", 2},
		{"\xff\xfe\x00", 0},
		{"[ExclusionList]\n\xff\n", 0},
		{"[ExclusionList]\n" + strings.Repeat("*a", MaxGlobLength) + "\n", 2},
	} {
		_, err := ParseConfig([]byte(tc.text))
		var ce *ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
			t.Errorf("ParseConfig(%q) = %v, want *ConfigError", tc.text, err)
			continue
		}
		if ce.Line != tc.line {
			t.Errorf("ParseConfig(%q) line = %d, want %d (%v)", tc.text, ce.Line, tc.line, err)
		}
	}
	c, err := ParseConfig([]byte("[Mystery]\nx\n[ExclusionList]\ny\n"))
	if err != nil || len(c.Warnings) != 1 || len(c.Exclusion) != 1 {
		t.Errorf("unknown section: %v %+v", err, c)
	}
	if _, err := ParseConfig(make([]byte, MaxConfigSize+1)); !errors.Is(err, ErrConfig) {
		t.Errorf("oversized config: %v", err)
	}
}

func TestDefaultConfig(t *testing.T) {
	c := DefaultConfig()
	if !c.Excluded("pagefile.sys") || !c.Excluded("$Recycle.Bin/x") || c.Excluded("Windows/System32") {
		t.Error("default configuration does not exclude the documented paths")
	}
}

func TestMatchComponent(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"*", "", true},
		{"*", "abc", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*.*", "file", false},
		{"*a*a*a*a*b", strings.Repeat("a", 200), false},
		{"ÜNÏ*", "ünïcödé", true},
	} {
		if got := matchComponent(tc.glob, tc.name, true); got != tc.want {
			t.Errorf("matchComponent(%q, %q) = %v, want %v", tc.glob, tc.name, got, tc.want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(sampleConfig))
	f.Add([]byte(defaultConfigText))
	f.Add([]byte("\xff\xfe[\x00E\x00]\x00"))
	f.Add([]byte("[ExclusionList]\n'*?*?*'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
			return
		}
		for _, list := range [][]Glob{c.Exclusion, c.ExclusionException, c.CompressionExclusion} {
			for _, g := range list {
				if len(g.Components) == 0 {
					t.Fatalf("glob %q has no components", g.Text)
				}
				for _, comp := range g.Components {
					if comp == "" || comp == ".." || strings.ContainsAny(comp, "/\\\x00") {
						t.Fatalf("glob %q has bad component %q", g.Text, comp)
					}
				}
			}
		}
		// Matching never panics.
		c.Excluded("a/b/c.tmp")
		c.NoCompress("Windows/inf/x.pnf")
	})
}

// TestParseConfigPrefixes: every prefix of a valid file (UTF-8 and UTF-16)
// parses or fails with a *ConfigError; none panics.
func TestParseConfigPrefixes(t *testing.T) {
	u := utf16.Encode([]rune(sampleConfig))
	wide := []byte{0xFF, 0xFE}
	for _, x := range u {
		wide = append(wide, byte(x), byte(x>>8))
	}
	for _, data := range [][]byte{[]byte(sampleConfig), wide} {
		for i := range data {
			if _, err := ParseConfig(data[:i]); err != nil {
				var ce *ConfigError
				if !errors.As(err, &ce) {
					t.Fatalf("prefix %d: %v is not a *ConfigError", i, err)
				}
			}
		}
	}
}
