package bcd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

func TestVerifyFixturesAndPresets(t *testing.T) {
	for _, p := range fixtureStores(t) {
		s, _ := openFile(t, p)
		for _, i := range s.Verify() {
			if !i.Warning {
				t.Errorf("%s: %s", filepath.Base(p), i)
			}
		}
	}
	menus, err := PXEMenus(presetImages, PXEOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := MediaStore(MediaOptions{Arch: ArchX64, Firmware: UEFI})
	if err != nil {
		t.Fatal(err)
	}
	stores := []*Store{m}
	for _, x := range menus {
		stores = append(stores, x.Store)
	}
	for _, s := range stores {
		if issues := s.Verify(); len(issues) != 0 {
			t.Fatalf("preset has issues: %v", issues)
		}
	}
}

func TestVerifyFindsProblems(t *testing.T) {
	s, err := PXEStore(PXEOptions{Arch: ArchX86, Firmware: BIOS, Images: presetImages[2:3]})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Hive()
	set := func(path string, typ regf.ValueType, data []byte) {
		k, err := h.CreateKey(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.SetValue("Element", typ, data); err != nil {
			t.Fatal(err)
		}
	}
	bm := `Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Elements\`
	set(bm+"25000004", regf.REG_BINARY, make([]byte, 9))                             // integer too long
	set(bm+"26000020", regf.REG_SZ, regf.EncodeString("yes"))                        // boolean stored as a string
	set(bm+"11000001", regf.REG_BINARY, []byte{1, 2, 3})                             // device too short
	set(bm+"24000010", regf.REG_MULTI_SZ, []byte("{\x00x\x00}\x00\x00\x00\x00\x00")) // bad GUID
	if _, err := h.CreateKey(`Objects\{00000000-0000-0000-0000-00000000000a}\Description`); err != nil {
		t.Fatal(err)
	}
	issues := s.Verify()
	var errs []string
	for _, i := range issues {
		if !i.Warning {
			errs = append(errs, i.String())
		}
	}
	if len(errs) != 5 {
		t.Fatalf("%d errors, want 5:\n%s", len(errs), strings.Join(errs, "\n"))
	}
	if err := s.DeleteElement(IDBootMgr, 0x24000010); err != nil {
		t.Fatal(err)
	}
	// Like bcdedit, Set takes any identifier; Verify warns about the dangling one.
	if err := s.Set(IDBootMgr, "toolsdisplayorder", "{memdiag}"); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, i := range s.Verify() {
		found = found || (i.Warning && i.Element == "toolsdisplayorder" && strings.Contains(i.Problem, "{memdiag}"))
	}
	if !found {
		t.Fatal("no warning for a reference to a missing object")
	}
}
