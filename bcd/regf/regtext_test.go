package regf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

// regeditText is what regedit.exe writes: UTF-16LE with a BOM, CRLF, hex
// lines wrapped with a trailing backslash, "string" values.
const regeditText = "Windows Registry Editor Version 5.00\r\n\r\n" +
	"[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager]\r\n" +
	"\"BootExecute\"=hex(7):61,00,75,00,74,00,6f,00,63,00,68,00,65,00,63,00,6b,00,\\\r\n" +
	"  20,00,2a,00,00,00,00,00\r\n" +
	"\"CriticalSectionTimeout\"=dword:00278d00\r\n" +
	"@=\"default \\\"quoted\\\" C:\\\\path\"\r\n" +
	"\"Bin\"=hex:01,02,03\r\n" +
	"\"Expand\"=hex(2):25,00,00,00\r\n" +
	"\"Q\"=hex(b):01,00,00,00,00,00,00,00\r\n" +
	"; a comment\r\n" +
	"\r\n" +
	"[HKEY_LOCAL_MACHINE\\SYSTEM\\Setup]\r\n" +
	"\"CmdLine\"=str(2):\"%SystemRoot%\\\\x.exe\"\r\n" +
	"\"Gone\"=dword:00000001\r\n" +
	"\"Gone\"=-\r\n" +
	"\r\n" +
	"[HKEY_LOCAL_MACHINE\\SYSTEM\\Obsolete\\Deep]\r\n" +
	"\r\n" +
	"[-HKEY_LOCAL_MACHINE\\SYSTEM\\Obsolete]\r\n" +
	"[-HKEY_LOCAL_MACHINE\\SYSTEM\\NeverExisted]\r\n"

func utf16File(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func TestImportRegeditUTF16(t *testing.T) {
	h := New()
	if err := h.ImportReg(bytes.NewReader(utf16File(regeditText)), `hkey_local_machine\system`); err != nil {
		t.Fatal(err)
	}
	k, err := h.Key(`ControlSet001\Control\Session Manager`)
	if err != nil {
		t.Fatal(err)
	}
	if ss, err := k.Value("BootExecute").MultiString(); err != nil || len(ss) != 1 || ss[0] != "autocheck *" {
		t.Fatalf("BootExecute %q %v", ss, err)
	}
	if n, err := k.Value("CriticalSectionTimeout").DWORD(); err != nil || n != 0x278d00 {
		t.Fatalf("dword %x %v", n, err)
	}
	if s, err := k.Value("").String(); err != nil || s != `default "quoted" C:\path` {
		t.Fatalf("default %q %v", s, err)
	}
	if v := k.Value("Bin"); v.Type != REG_BINARY || !bytes.Equal(v.Data, []byte{1, 2, 3}) {
		t.Fatalf("Bin %v", v)
	}
	if q, err := k.Value("q").QWORD(); err != nil || q != 1 {
		t.Fatalf("qword %v %v", q, err)
	}
	s, _ := h.Key("Setup")
	if v := s.Value("CmdLine"); v.Type != REG_EXPAND_SZ {
		t.Fatalf("str(2) gave %v", v.Type)
	} else if str, _ := v.String(); str != `%SystemRoot%\x.exe` {
		t.Fatalf("CmdLine %q", str)
	}
	if s.Value("Gone") != nil {
		t.Fatal(`"Gone"=- did not delete the value`)
	}
	if _, err := h.Key("Obsolete"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("[-KEY] did not delete: %v", err)
	}
}

func TestImportErrors(t *testing.T) {
	for _, tc := range []struct{ text, prefix, want string }{
		{"[HKEY_CURRENT_USER\\X]\n", `HKEY_LOCAL_MACHINE\SYSTEM`, "line 1: key"},
		{"\"a\"=dword:1\n", "", "line 1: value line outside"},
		{"[\\K]\n\"a\"=dword:123456789\n", "", "line 2: dword"},
		{"[\\K]\n\n\n\"a\"=hex:1,2\n", "", "line 4: value line outside"},
		{"[\\K]\n\"a\"=hex:zz\n", "", "line 2: bad hex byte"},
		{"[\\K]\n\"a\"=hex(x):00\n", "", "line 2: bad type"},
		{"[\\K]\n\"a=1\n", "", "line 2: unterminated"},
		{"[\\K]\n\"a\"=\"x\" y\n", "", "line 2: unexpected text"},
		{"[\\K]\nbogus\n", "", "line 2: unexpected text"},
		{"[-\\]\n", "", "line 1: cannot delete the root"},
		// A regedit export needs its prefix: no key named HKEY_LOCAL_MACHINE.
		{"[HKEY_LOCAL_MACHINE\\SYSTEM\\Foo]\n\"a\"=\"b\"\n", "", "line 1: key \"HKEY_LOCAL_MACHINE\\\\SYSTEM\\\\Foo\" starts with the registry root"},
		{"[hklm\\Software]\n", "", "registry root HKLM"},
	} {
		err := New().ImportReg(strings.NewReader(tc.text), tc.prefix)
		var se *SyntaxError
		if !errors.Is(err, ErrSyntax) || !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want a SyntaxError containing %q", tc.text, err, tc.want)
		}
	}
	// a tree error carries the line number too
	err := New().ImportReg(strings.NewReader("[\\"+strings.Repeat("x", 300)+"]\n"), "")
	if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("long key name: %v", err)
	}
}

// TestExportImportRoundTrip: every fixture's export imports into an empty
// hive giving the same export.
func TestExportImportRoundTrip(t *testing.T) {
	for _, f := range fixtureHives(t) {
		h := parseFile(t, f)
		var a bytes.Buffer
		mustDo(t, h.ExportReg(&a, "", `HKEY_LOCAL_MACHINE\X`))
		back := New(WithRootName(h.Root().Name()))
		if err := back.ImportReg(bytes.NewReader(a.Bytes()), `HKEY_LOCAL_MACHINE\X`); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if d := diffTrees(h.Root(), back.Root()); len(d) > 0 {
			t.Fatalf("%s: %v", f, d)
		}
	}
}
