package regf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// seedHives adds every fixture hive and a few generated ones to a corpus.
func seedHives(f *testing.F) {
	for _, p := range fixtureHives(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(smallHive(f, 3))
	f.Add(smallHive(f, 5))
}

// FuzzParse: Parse and Validate must never panic; whatever parses must
// marshal into a hive that validates and parses back to the same tree.
func FuzzParse(f *testing.F) {
	seedHives(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Validate(data)
		h, err := Parse(data, AllowDirty())
		if err != nil {
			return
		}
		var a bytes.Buffer
		if err := h.ExportReg(&a, "", ""); err != nil {
			t.Fatal(err)
		}
		out, err := h.Marshal()
		if err != nil {
			return // e.g. a tree beyond a limit
		}
		if err := Validate(out); err != nil {
			t.Fatalf("Marshal output fails Validate: %v", err)
		}
		h2, err := Parse(out)
		if err != nil {
			t.Fatalf("Marshal output does not parse: %v", err)
		}
		if d := diffTrees(h.Root(), h2.Root()); len(d) > 0 {
			t.Fatalf("round trip changed the tree: %v", d[0])
		}
		out2, err := h2.Marshal()
		if err != nil || !bytes.Equal(out2[baseBlockSize:], out[baseBlockSize:]) {
			t.Fatalf("re-marshal differs (%v)", err)
		}
	})
}

// FuzzImportReg: the .reg importer must never panic; what it builds must
// marshal, parse back, and export identically.
func FuzzImportReg(f *testing.F) {
	matches, _ := filepath.Glob(filepath.Join(testutil.Fixture(f, "bcd"), "*.hivexregedit.reg"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 12000 {
			f.Add(b)
		}
	}
	f.Add([]byte("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\X\\A]\r\n\"v\"=hex:01,02,\\\r\n  03\r\n@=\"d\"\r\n\"s\"=str(2):\"%x%\"\r\n[-HKEY_LOCAL_MACHINE\\X\\A]\r\n"))
	f.Add([]byte("REGEDIT4\n[\\K]\n\"a\"=dword:1\n\"a\"=-\n@=-\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		h := New()
		prefix := ""
		if bytes.Contains(text, []byte("HKEY_LOCAL_MACHINE\\X")) {
			prefix = `HKEY_LOCAL_MACHINE\X`
		}
		if err := h.ImportReg(bytes.NewReader(text), prefix); err != nil {
			return
		}
		out, err := h.Marshal()
		if err != nil {
			t.Fatalf("Marshal after import: %v", err)
		}
		if err := Validate(out); err != nil {
			t.Fatalf("imported hive fails Validate: %v", err)
		}
		h2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		var a, b bytes.Buffer
		mustDo(t, h.ExportReg(&a, "", ""))
		mustDo(t, h2.ExportReg(&b, "", ""))
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("export changed across Marshal/Parse")
		}
		// Our export imports back to the same tree. Names with bytes >= 0x80
		// are skipped: a Latin-1 line that is also valid UTF-8 is ambiguous.
		if bytes.ContainsFunc(a.Bytes(), func(r rune) bool { return r >= 0x80 }) {
			return
		}
		h3 := New()
		if err := h3.ImportReg(bytes.NewReader(a.Bytes()), ""); err != nil {
			t.Fatalf("re-importing our own export: %v", err)
		}
		if d := diffTrees(h.Root(), h3.Root()); len(d) > 0 {
			t.Fatalf("export/import round trip: %v", d[0])
		}
	})
}
