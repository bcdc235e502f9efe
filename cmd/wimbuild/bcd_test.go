package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/bcd"
	"github.com/wimbuild/wimbuild/internal/testutil"
)

func TestBCDCommands(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "BCD")
	ok := func(args ...string) {
		t.Helper()
		if code := run(append([]string{"wimbuild", "bcd"}, args...)); code != 0 {
			t.Fatalf("wimbuild bcd %v: exit %d", args, code)
		}
	}
	fails := func(want int, args ...string) {
		t.Helper()
		if code := run(append([]string{"wimbuild", "bcd"}, args...)); code != want {
			t.Fatalf("wimbuild bcd %v: exit %d, want %d", args, code, want)
		}
	}
	ok("createstore", store)
	fails(exitFailure, "createstore", store) // exists
	ok("create", store, "{bootmgr}", "--d", "Windows Boot Manager")
	ok("create", store, "{ramdiskoptions}", "--d", "Ramdisk Options")
	ok("set", store, "{ramdiskoptions}", "ramdisksdidevice", "boot")
	ok("set", store, "{ramdiskoptions}", "ramdisksdipath", `\boot\boot.sdi`)
	ok("create", "--d", "WinPE", "--application", "osloader", "--seed", "t", store)
	s := bcdTestOpen(t, store)
	loader := bcd.DeriveGUID("t", "create", bcd.TypeOSLoader.String(), "WinPE", "0").String()
	if !s.Has(bcd.MustGUID(loader)) {
		t.Fatalf("loader %s not created", loader)
	}
	ok("set", store, loader, "device", `ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}`)
	ok("set", store, loader, "osdevice", `ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}`)
	ok("set", store, loader, "path", `\windows\system32\boot\winload.exe`)
	ok("set", store, loader, "systemroot", `\windows`)
	ok("set", store, loader, "detecthal", "yes")
	ok("set", store, loader, "winpe", "yes")
	ok("displayorder", store, loader, "--addlast")
	ok("default", store, loader)
	ok("timeout", store, "5")
	ok("copy", store, "{default}", "--d", "copy")
	ok("deletevalue", store, "{default}", "winpe")
	ok("enum", store, "all")
	ok("enum", "--json", store, "{default}")
	fails(exitFailure, "set", store, loader, "osdevice", "partition=C:")
	fails(exitFailure, "set", store, "{current}", "path", `\x`)
	fails(exitFailure, "set", store, loader, "nosuchelement", "1")
	fails(exitUsage, "set", store, loader)
	fails(exitUsage, "timeout", store, "soon")
	fails(exitUsage, "create", store, "--bogus")
	fails(exitFailure, "enum", filepath.Join(dir, "missing"))
	ok("verify", store)
	bad := filepath.Join(dir, "bad")
	bs := bcdTestOpen(t, store)
	k, err := bs.Hive().CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Elements\25000004`)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.SetString("Element", "thirty"); err != nil { // timeout stored as a string
		t.Fatal(err)
	}
	data, err := bs.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fails(exitFailure, "verify", bad)
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}

	s = bcdTestOpen(t, store)
	def, ok2 := s.DefaultID()
	if !ok2 || def.String() != loader {
		t.Fatalf("default = %v", def)
	}
	if _, err := s.Element(def, bcd.ElemWinPE); err == nil {
		t.Fatal("deletevalue did not delete winpe")
	}
	e, err := s.Element(def, bcd.ElemOSDevice)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Device()
	if err != nil || d.String() != `ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}` {
		t.Fatalf("osdevice %v %v", d, err)
	}
	objs, _ := s.Objects()
	if len(objs) != 4 {
		t.Fatalf("%d objects, want 4", len(objs))
	}
	// No temporary files are left beside the store.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("directory holds %d entries", len(ents))
	}
	// hivex reads what the CLI wrote.
	testutil.Run(t, "hivexregedit", "--export", "--prefix", "", store, `\`)
}

func TestBCDPresetCommands(t *testing.T) {
	dir := t.TempDir()
	pxe := filepath.Join(dir, "Boot", "x64", "default.bcd")
	if code := run([]string{"wimbuild", "bcd", "preset", "pxe", "--arch", "x64", "--image", "x64:boot.wim:Windows PE (x64)",
		"--image", "x86:boot.wim:Windows PE (x86)", pxe}); code != 0 {
		t.Fatalf("preset pxe: exit %d", code)
	}
	s := bcdTestOpen(t, pxe)
	e, err := s.Element(bcd.IDBootMgr, bcd.ElemDisplayOrder)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := e.Objects()
	if len(ids) != 2 {
		t.Fatalf("%d entries", len(ids))
	}
	uefi := filepath.Join(dir, "uefi.bcd")
	if code := run([]string{"wimbuild", "bcd", "preset", "pxe", "--arch", "x64", "--firmware", "uefi", "--image", "x86:boot.wim:Windows PE (x86)", uefi}); code != exitFailure {
		t.Fatalf("x86 image in x64 UEFI menu: exit %d", code)
	}
	if code := run([]string{"wimbuild", "bcd", "preset", "pxe", "--image", "x64:boot.wim:PE", uefi}); code != exitUsage {
		t.Fatalf("missing --arch: exit %d", code)
	}
	tree := filepath.Join(dir, "tree")
	if code := run([]string{"wimbuild", "bcd", "preset", "pxe", "--image", "x64:boot.wim:Windows PE (x64)",
		"--image", "x86:boot.wim:Windows PE (x86)", "--all", tree}); code != 0 {
		t.Fatalf("preset pxe --all: exit %d", code)
	}
	for _, p := range []string{"Boot/x86/default.bcd", "Boot/x64/default.bcd", "Boot/x86uefi/default.bcd", "Boot/x64uefi/default.bcd"} {
		bcdTestOpen(t, filepath.Join(tree, filepath.FromSlash(p)))
	}
	if _, err := os.Stat(filepath.Join(tree, "Boot", "arm64uefi")); err == nil {
		t.Fatal("arm64 menu written without arm64 images")
	}
	if code := run([]string{"wimbuild", "bcd", "preset", "pxe", "--arch", "x64", "--image", "x64:boot.wim:PE", "--all", tree}); code != exitUsage {
		t.Fatalf("--all with --arch: exit %d", code)
	}
	// --all where one menu already exists writes nothing (it wrote the
	// menus before the existing one, then stopped).
	tree2 := filepath.Join(dir, "tree2")
	os.MkdirAll(filepath.Join(tree2, "Boot", "x64"), 0o755)
	os.WriteFile(filepath.Join(tree2, "Boot", "x64", "default.bcd"), []byte("mine"), 0o644)
	if code := run([]string{"wimbuild", "bcd", "preset", "pxe", "--image", "x64:boot.wim:Windows PE (x64)",
		"--image", "x86:boot.wim:Windows PE (x86)", "--all", tree2}); code != exitFailure {
		t.Fatalf("preset pxe --all over an existing menu: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(tree2, "Boot", "x86", "default.bcd")); err == nil {
		t.Error("--all wrote a menu although another already existed")
	}
	media := filepath.Join(dir, "efi", "microsoft", "boot", "bcd")
	if code := run([]string{"wimbuild", "bcd", "preset", "media", "--arch", "x64", "--firmware", "uefi", media}); code != 0 {
		t.Fatalf("preset media: exit %d", code)
	}
	s = bcdTestOpen(t, media)
	p, err := s.Element(bcd.IDSetupLoader, bcd.ElemPath)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := p.String(); v != `\windows\system32\boot\winload.efi` {
		t.Fatalf("path %q", v)
	}
	if code := run([]string{"wimbuild", "bcd", "preset", "media", "--arch", "x64", media}); code != exitFailure {
		t.Fatalf("overwrite without --force: exit %d", code)
	}
	for _, args := range [][]string{{"bcd", "--help"}, {"bcd", "set", "--help"}, {"bcd", "preset", "pxe", "--help"}} {
		if code := run(append([]string{"wimbuild"}, args...)); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
	}
}

func bcdTestOpen(t *testing.T, path string) *bcd.Store {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := bcd.OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBCDSlashOptionsPointToDashes: bcdedit's /addlast and /displayorder
// spellings are usage errors that name the wimbuild spelling, not
// "unknown identifier alias" or "unknown command".
func TestBCDSlashOptionsPointToDashes(t *testing.T) {
	store := filepath.Join(t.TempDir(), "BCD")
	if code, _, errs := runCapture(t, "bcd", "createstore", store); code != 0 {
		t.Fatalf("createstore: exit %d %s", code, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bcd", "displayorder", store, "{memdiag}", "/addlast"}, "--addlast"},
		{[]string{"bcd", "displayorder", store, "{memdiag}", "/ADDLAST"}, "--addlast"},
		{[]string{"bcd", "/displayorder", store, "{memdiag}"}, "displayorder"},
	} {
		code, _, errs := runCapture(t, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Contains(errs, "alias") {
			t.Errorf("%q: exit %d %q, want %d and %q", tc.args, code, errs, exitUsage, tc.want)
		}
	}
}
