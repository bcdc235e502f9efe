package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// regRun runs `wimbuild reg ...` and returns its exit code and stdout.
func regRun(t *testing.T, args ...string) (int, string) {
	t.Helper()
	app := newApp()
	var out bytes.Buffer
	app.Writer = &out
	app.ErrWriter = &out
	err := app.Run(append([]string{"wimbuild", "reg"}, args...))
	code := 0
	if err != nil {
		code = exitCode(err)
		out.WriteString("error: " + err.Error())
	}
	return code, out.String()
}

func TestRegCommands(t *testing.T) {
	src, err := os.ReadFile(testutil.Fixture(t, "bcd", "windeploy-BCD"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(testutil.Fixture(t, "bcd", "windeploy-BCD.hivexregedit.reg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hive := filepath.Join(dir, "BCD")
	if err := os.WriteFile(hive, src, 0o600); err != nil {
		t.Fatal(err)
	}
	ok := func(args ...string) string {
		t.Helper()
		code, out := regRun(t, args...)
		if code != 0 {
			t.Fatalf("reg %v: exit %d\n%s", args, code, out)
		}
		return out
	}
	if out := ok("export", hive); out != string(want) {
		t.Fatal("reg export differs from hivexregedit's export")
	}
	if out := ok("get", hive, "Description", "KeyName"); out != "BCD00000000\n" {
		t.Fatalf("reg get: %q", out)
	}
	ok("set", hive, `Test\Sub`, "Count", "--type", "REG_DWORD", "0x2a")
	ok("set", hive, `Test\Sub`, "@", "--type", "REG_SZ", "hello")
	ok("set", hive, `Test\Sub`, "List", "--type", "REG_MULTI_SZ", "a", "b")
	ok("set", hive, `Test\Sub`, "Blob", "-t", "REG_BINARY", "--", "00,ff,10")
	if out := ok("get", hive, `test\SUB`); out != "\"Count\" REG_DWORD 42\n@ REG_SZ hello\n\"List\" REG_MULTI_SZ a\\0b\n\"Blob\" REG_BINARY 00,ff,10\n" {
		t.Fatalf("reg get key: %q", out)
	}
	// an independent reader sees the edits
	if got := strings.TrimSpace(testutil.Run(t, "hivexget", hive, `\Test\Sub`, "Count")); got != "42" {
		t.Fatalf("hivexget Count = %q", got)
	}
	if fi, err := os.Stat(hive); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("permissions not kept: %v %v", fi.Mode(), err)
	}
	ok("validate", hive)
	ok("delete", hive, `Test\Sub`, "Count")
	if code, _ := regRun(t, "delete", hive, `Test\Sub`, "Count"); code != exitFailure {
		t.Fatalf("deleting a missing value: exit %d", code)
	}
	ok("delete", hive, "Test")
	if out := ok("export", hive); out != string(want) {
		t.Fatal("after deleting what was added, export differs from the original")
	}
	if code, _ := regRun(t, "get", hive, "Nope"); code != exitFailure {
		t.Fatalf("missing key: exit %d", code)
	}
	if code, _ := regRun(t, "set", hive, "K", "V", "--type", "REG_NOPE", "1"); code != exitUsage {
		t.Fatalf("bad type: exit %d", code)
	}
	if code, _ := regRun(t, "get", hive); code != exitUsage {
		t.Fatalf("missing argument: exit %d", code)
	}

	// import: a .reg made with a prefix recreates the store from nothing
	regText := filepath.Join(dir, "bcd.reg")
	if err := os.WriteFile(regText, []byte(ok("export", hive, "--prefix", `HKEY_LOCAL_MACHINE\BCD00000000`)), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh")
	ok("import", fresh, regText, "--create", "--prefix", `HKEY_LOCAL_MACHINE\BCD00000000`, "--minor", "3", "--root-name", "NewStoreRoot")
	if out := ok("export", fresh); out != string(want) {
		t.Fatal("hive created by import exports differently")
	}
	if code, _ := regRun(t, "import", fresh, regText, "--create"); code != exitFailure {
		t.Fatalf("--create over an existing file: exit %d", code)
	}
	edit := filepath.Join(dir, "edit.reg")
	os.WriteFile(edit, []byte("Windows Registry Editor Version 5.00\r\n\r\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\Objects]\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Description]\r\n\"KeyName\"=-\r\n\"New\"=dword:00000005\r\n"), 0o644)
	ok("import", fresh, edit, "--prefix", `HKEY_LOCAL_MACHINE\SYSTEM`)
	if out := ok("export", fresh); out != "Windows Registry Editor Version 5.00\n\n[\\]\n\n[\\Description]\n\"New\"=dword:00000005\n\"System\"=dword:00000001\n\n" {
		t.Fatalf("after import edit: %q", out)
	}
	ok("validate", fresh)

	// a corrupt file fails validation with exit code 1
	bad := append([]byte(nil), src...)
	bad[8]++ // secondary sequence number
	badPath := filepath.Join(dir, "dirty")
	os.WriteFile(badPath, bad, 0o644)
	if code, out := regRun(t, "validate", badPath); code != exitFailure || !strings.Contains(out, "checksum") {
		t.Fatalf("validate of a damaged hive: exit %d\n%s", code, out)
	}
	if code, out := regRun(t, "get", badPath, "Description"); code != exitFailure || !strings.Contains(out, "allow-dirty") {
		t.Fatalf("get on a dirty hive: exit %d\n%s", code, out)
	}
	ok("get", badPath, "Description", "--allow-dirty")
}

// TestRegImportRegeditExportNeedsPrefix: an ordinary regedit export
// ([HKEY_LOCAL_MACHINE\SYSTEM\Foo]) imported without --prefix is refused
// with the --prefix to use, instead of creating a subkey named
// HKEY_LOCAL_MACHINE; with that --prefix it imports under the hive root.
func TestRegImportRegeditExportNeedsPrefix(t *testing.T) {
	dir := t.TempDir()
	text := "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Foo]\r\n\"a\"=\"b\"\r\n"
	utf8Reg := filepath.Join(dir, "p.reg")
	utf16Reg := filepath.Join(dir, "p16.reg")
	u := []byte{0xFF, 0xFE}
	for _, r := range text {
		u = append(u, byte(r), byte(r>>8))
	}
	if err := os.WriteFile(utf8Reg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(utf16Reg, u, 0o644); err != nil {
		t.Fatal(err)
	}
	hive := filepath.Join(dir, "SYS")
	if code, out := regRun(t, "import", hive, filepath.Join(dir, "p.reg"), "--create", "--root-name", "ROOT"); code != exitUsage ||
		!strings.Contains(out, `--prefix 'HKEY_LOCAL_MACHINE\SYSTEM'`) || !strings.Contains(out, "line 3") {
		t.Fatalf("import without --prefix: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(hive); err == nil {
		t.Fatal("a refused import created the hive")
	}
	if code, out := regRun(t, "import", hive, utf8Reg, "--create", "--prefix", `HKEY_LOCAL_MACHINE\SYSTEM`); code != 0 {
		t.Fatalf("import with --prefix: exit %d\n%s", code, out)
	}
	if code, out := regRun(t, "get", hive, "Foo", "a"); code != 0 || out != "b\n" {
		t.Fatalf("reg get: exit %d %q", code, out)
	}
	// regedit's own UTF-16 export, into an existing hive: refused, unchanged.
	before, _ := os.ReadFile(hive)
	if code, out := regRun(t, "import", hive, utf16Reg); code != exitUsage || !strings.Contains(out, `--prefix 'HKEY_LOCAL_MACHINE\SYSTEM'`) {
		t.Fatalf("UTF-16 import without --prefix: exit %d\n%s", code, out)
	}
	if after, _ := os.ReadFile(hive); !bytes.Equal(before, after) {
		t.Fatal("a refused import changed the hive")
	}
	if code, out := regRun(t, "get", hive, ""); code != 0 || strings.Contains(out, "HKEY_LOCAL_MACHINE") {
		t.Fatalf("root: exit %d %q", code, out)
	}
	// Paths relative to the root still import without --prefix.
	rel := filepath.Join(dir, "rel.reg")
	os.WriteFile(rel, []byte("Windows Registry Editor Version 5.00\n\n[\\Bar]\n\"x\"=dword:00000001\n"), 0o644)
	if code, out := regRun(t, "import", hive, rel); code != 0 {
		t.Fatalf("relative import: exit %d\n%s", code, out)
	}
	if code, out := regRun(t, "get", hive, "Bar", "x"); code != 0 || out != "1\n" {
		t.Fatalf("reg get Bar x: exit %d %q", code, out)
	}
}
