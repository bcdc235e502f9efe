package bcd

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestCreateStoreLikeBcdedit: an empty store exports in hivexregedit exactly
// like the one `bcdedit /createstore` made.
func TestCreateStoreLikeBcdedit(t *testing.T) {
	s := NewStore(StoreOptions{})
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	file := checkWithOracles(t, data)
	_, got := hivexTree(t, file)
	want, err := os.ReadFile(testutil.Fixture(t, "bcd", "bcdsys-BCD-NEW.hivexregedit.reg"))
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("empty store export:\n%s\nbcdedit's:\n%s", got, want)
	}
	if s.Hive().Root().Name() != "NewStoreRoot" || s.KeyName() != "BCD00000001" {
		t.Fatal("root name or KeyName differ from bcdedit's")
	}
	objs, err := s.Objects()
	if err != nil || len(objs) != 0 {
		t.Fatalf("%v %d", err, len(objs))
	}
	hivexshAddObject(t, file)
}

// TestEditSequence replays the bcdedit commands of Microsoft's "configure a
// PXE server to load Windows PE" recipe plus copy/delete/displayorder edits,
// and checks the result with the oracles and golden files.
func TestEditSequence(t *testing.T) {
	s := NewStore(StoreOptions{})
	s.Seed = "edit-sequence"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	id := func(a string) GUID {
		t.Helper()
		g, err := s.Resolve(a)
		must(err)
		return g
	}
	_, err := s.Create(CreateOptions{ID: IDRamdiskOptions, Description: "Ramdisk options"})
	must(err)
	must(s.Set(id("{ramdiskoptions}"), "ramdisksdidevice", "boot"))
	must(s.Set(id("{ramdiskoptions}"), "ramdisksdipath", `\boot\boot.sdi`))
	must(s.Set(id("{ramdiskoptions}"), "ramdisktftpblocksize", "16384"))
	must(s.Set(id("{ramdiskoptions}"), "ramdisktftpwindowsize", "32"))
	must(s.Set(id("{ramdiskoptions}"), "ramdisktftpvarwindow", "yes"))
	loader, err := s.Create(CreateOptions{Type: TypeOSLoader, Description: "winpe boot image"})
	must(err)
	if loader != DeriveGUID("edit-sequence", "create", TypeOSLoader.String(), "winpe boot image", "0") {
		t.Fatalf("create id %s is not the documented derivation", loader)
	}
	for _, kv := range [][2]string{
		{"device", `ramdisk=[boot]\Boot\boot.wim,{ramdiskoptions}`},
		{"path", `\windows\system32\boot\winload.exe`},
		{"osdevice", `ramdisk=[boot]\Boot\boot.wim,{ramdiskoptions}`},
		{"systemroot", `\windows`},
		{"detecthal", "Yes"},
		{"winpe", "on"},
		{"nx", "OptOut"},
		{"bootmenupolicy", "legacy"},
		{"locale", "en-US"},
	} {
		must(s.Set(loader, kv[0], kv[1]))
	}
	_, err = s.Create(CreateOptions{ID: IDBootMgr, Description: "boot manager"})
	must(err)
	must(s.SetTimeout(30))
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddLast, loader))
	must(s.SetDefault(loader))
	cp, err := s.Copy(loader, "winpe copy")
	must(err)
	must(s.Set(cp, "device", "locate"))
	must(s.Set(cp, "osdevice", "locate"))
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddFirst, cp))
	must(s.DeleteValue(cp, "nx"))
	must(s.Set(id("{bootmgr}"), "displayorder", "{default}", cp.String()))
	mem, err := s.Create(CreateOptions{ID: IDMemDiag})
	must(err)
	must(s.Set(mem, "device", "boot"))
	must(s.Set(mem, "path", `\boot\memtest.exe`))
	must(s.Set(mem, "passcount", "2"))
	must(s.Set(IDBootMgr, "toolsdisplayorder", "{memdiag}"))
	tmp, err := s.Create(CreateOptions{Type: TypeOSLoader, Description: "temporary"})
	must(err)
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddLast, tmp))
	must(s.Set(tmp, "recoverysequence", cp.String()))
	must(s.Delete(tmp, true)) // removed from displayorder too
	set, err := s.Create(CreateOptions{Type: TypeInheritOSLoader})
	must(err)
	must(s.Set(set, "custom:26000081", "true"))
	must(s.Set(loader, "inherit", set.String()))
	must(s.Set(set, "badmemorylist", "0x1000", "4096"))

	// Checks on the edits themselves.
	o, err := s.Object(IDBootMgr)
	must(err)
	e, _ := o.Element(ElemDisplayOrder)
	ids, _ := e.Objects()
	if len(ids) != 2 || ids[0] != loader || ids[1] != cp {
		t.Fatalf("displayorder = %v", ids)
	}
	if s.Has(tmp) {
		t.Fatal("deleted object still there")
	}
	if e, err := s.Element(loader, ElemNX); err != nil || !bytes.Equal(e.Data, []byte{1, 0, 0, 0, 0, 0, 0, 0}) {
		t.Fatalf("nx OptOut: %x %v", e.Data, err)
	}
	if _, err := s.Element(cp, ElemNX); !errors.Is(err, ErrNoElement) {
		t.Fatalf("deletevalue: %v", err)
	}
	checkStore(t, s, "edits")

	// Errors bcdedit also gives.
	for i, f := range []func() error{
		func() error { return s.Set(loader, "nosuchelement", "1") },
		func() error { return s.Set(loader, "detecthal", "maybe") },
		func() error { return s.Set(loader, "timeout", "x") },
		func() error { return s.Set(loader, "osdevice", "partition=C:") },
		func() error { return s.Set(loader, "default", "{current}") },
		func() error { return s.Set(MustGUID("{00000000-0000-0000-0000-000000000001}"), "path", `\x`) },
		func() error { return s.Set(loader, "path", "a", "b") },
		func() error { _, err := s.Create(CreateOptions{ID: IDBootMgr}); return err },
		func() error { _, err := s.Create(CreateOptions{ID: IDCurrent, Type: TypeOSLoader}); return err },
		func() error { _, err := s.Create(CreateOptions{Description: "no type"}); return err },
		func() error { return s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListRemove, IDMemDiag) },
		func() error {
			return s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddLast, MustGUID("{00000000-0000-0000-0000-000000000002}"))
		},
		func() error { return s.DeleteValue(loader, "ems") },
		func() error { return s.Delete(MustGUID("{00000000-0000-0000-0000-000000000003}"), true) },
	} {
		if f() == nil {
			t.Errorf("error case %d succeeded", i)
		}
	}
	if err := s.Set(loader, "osdevice", "partition=C:"); !errors.Is(err, ErrOfflineDevice) {
		t.Fatalf("partition=C: %v", err)
	}
	if _, err := s.Resolve("{current}"); !errors.Is(err, ErrVirtualID) {
		t.Fatalf("{current}: %v", err)
	}
}

func TestDisplayOrderModes(t *testing.T) {
	s := NewStore(StoreOptions{})
	var ids []GUID
	for i := 0; i < 3; i++ {
		g, err := s.Create(CreateOptions{Type: TypeOSLoader, Description: "entry"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g)
	}
	if ids[0] == ids[1] {
		t.Fatal("same description gave the same identifier twice")
	}
	if _, err := s.Create(CreateOptions{ID: IDBootMgr}); err != nil {
		t.Fatal(err)
	}
	get := func() []GUID {
		e, err := s.Element(IDBootMgr, ElemDisplayOrder)
		if errors.Is(err, ErrNoElement) {
			return nil
		}
		g, _ := e.Objects()
		return g
	}
	eq := func(want ...GUID) {
		t.Helper()
		got := get()
		if len(got) != len(want) {
			t.Fatalf("got %v want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %v want %v", got, want)
			}
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListSet, ids[0], ids[1], ids[0]))
	eq(ids[0], ids[1])
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddLast, ids[0]))
	eq(ids[1], ids[0])
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddFirst, ids[2]))
	eq(ids[2], ids[1], ids[0])
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListRemove, ids[1], ids[2]))
	eq(ids[0])
	must(s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListRemove, ids[0]))
	eq()
	if err := s.DisplayOrder(IDBootMgr, ElemDisplayOrder, ListAddFirst, ids[0], ids[1]); !errors.Is(err, ErrBadArgs) {
		t.Fatal(err)
	}
	if err := s.DisplayOrder(IDBootMgr, ElemTimeout, ListSet, ids[0]); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
}

func TestEnumFilters(t *testing.T) {
	s, _ := openFile(t, testutil.Fixture(t, "bcd", "bitpixie-Boot-BCD"))
	count := func(f string) int {
		ents, err := s.Entries(EnumOptions{Filter: f})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		return len(ents)
	}
	for f, want := range map[string]int{"all": 14, "active": 3, "firmware": 3, "osloader": 1, "resume": 1, "inherit": 7,
		"bootmgr": 1, "{default}": 1, "{memdiag}": 1, "{e9f88ef2-fa6f-11eb-a962-ef6fc553cae8}": 1} {
		if got := count(f); got != want {
			t.Errorf("filter %s: %d objects, want %d", f, got, want)
		}
	}
	if _, err := s.Entries(EnumOptions{Filter: "{nosuch}"}); !errors.Is(err, ErrUnknownAlias) {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Enum(&buf, EnumOptions{Filter: "{default}", Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "identifier              {51a01e6c") && !strings.Contains(buf.String(), "identifier              {") {
		t.Fatal(buf.String())
	}
	if strings.Contains(buf.String(), "{default}") || strings.Contains(buf.String(), "{bootloadersettings}") {
		t.Fatalf("verbose listing uses aliases:\n%s", buf.String())
	}
}

// TestStoreWriteReadFile exercises a full save/load cycle through a file.
func TestStoreWriteReadFile(t *testing.T) {
	s, err := PXEStore(PXEOptions{Arch: ArchX86, Firmware: BIOS, Images: presetImages[2:3]})
	if err != nil {
		t.Fatal(err)
	}
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "default.bcd")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s2, _ := openFile(t, p)
	var a, b bytes.Buffer
	_ = s.Enum(&a, EnumOptions{Filter: "all"})
	_ = s2.Enum(&b, EnumOptions{Filter: "all"})
	if a.String() != b.String() {
		t.Fatal("listing differs after save and load")
	}
}
