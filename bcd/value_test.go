package bcd

import (
	"errors"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

func TestElementAccessors(t *testing.T) {
	// Short integers (Microsoft's offline tools) are zero-extended.
	e := Element{Type: ElemTimeout, RegType: regf.REG_BINARY, Data: []byte{0x00, 0xc2, 0x01}}
	if v, err := e.Integer(); err != nil || v != 115200 {
		t.Fatalf("%d %v", v, err)
	}
	for _, bad := range []Element{
		{Type: ElemTimeout, RegType: regf.REG_BINARY, Data: nil},
		{Type: ElemTimeout, RegType: regf.REG_BINARY, Data: make([]byte, 9)},
		{Type: ElemTimeout, RegType: regf.REG_SZ, Data: []byte{1, 0, 0, 0}},
	} {
		if _, err := bad.Integer(); !errors.Is(err, ErrElementFormat) {
			t.Errorf("Integer(%x): %v", bad.Data, err)
		}
	}
	if _, err := e.String(); !errors.Is(err, ErrElementFormat) {
		t.Fatalf("String of an integer element: %v", err)
	}
	b := Element{Type: ElemWinPE, RegType: regf.REG_BINARY, Data: []byte{0, 0, 2, 0}}
	if v, err := b.Boolean(); err != nil || !v {
		t.Fatalf("%v %v", v, err)
	}
	if _, err := (Element{Type: ElemWinPE, RegType: regf.REG_BINARY}).Boolean(); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	l := Element{Type: 0x1700000a, RegType: regf.REG_BINARY, Data: make([]byte, 12)}
	if _, err := l.Integers(); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	o := Element{Type: ElemDisplayOrder, RegType: regf.REG_MULTI_SZ, Data: regf.EncodeString("{not a guid}")}
	if _, err := o.Objects(); !errors.Is(err, ErrBadGUID) {
		t.Fatal(err)
	}
	if _, err := (Element{Type: ElemDefault, RegType: regf.REG_SZ, Data: regf.EncodeString("x")}).Object(); !errors.Is(err, ErrBadGUID) {
		t.Fatal(err)
	}
	if _, err := (Element{Type: ElemDevice, RegType: regf.REG_BINARY, Data: []byte{1, 2}}).Device(); !errors.Is(err, ErrBadDevice) {
		t.Fatal(err)
	}
}

func TestElementConstructors(t *testing.T) {
	if _, err := StringElement(ElemTimeout, "x"); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := IntegerElement(ElemDescription, 1); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := BooleanElement(ElemTimeout, true); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := ObjectElement(ElemDisplayOrder, IDBootMgr); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := ObjectListElement(ElemDefault, nil); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := IntegerListElement(ElemTimeout, nil); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := DeviceElement(ElemPath, BootDevice()); !errors.Is(err, ErrElementFormat) {
		t.Fatal(err)
	}
	if _, err := StringElement(ElemDescription, "a\x00b"); !errors.Is(err, ErrBadValue) {
		t.Fatal(err)
	}
	if _, err := StringElement(ElemDescription, strings.Repeat("x", MaxStringUnits+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	e, err := IntegerElement(ElemTimeout, 30)
	if err != nil || len(e.Data) != 8 || e.Data[0] != 30 || e.RegType != regf.REG_BINARY {
		t.Fatalf("%+v %v", e, err)
	}
	e, err = ObjectListElement(ElemDisplayOrder, []GUID{IDBootMgr, IDMemDiag})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := e.Objects()
	if err != nil || len(ids) != 2 || ids[1] != IDMemDiag {
		t.Fatalf("%v %v", ids, err)
	}
}

func TestParseBoolAndIntegers(t *testing.T) {
	for _, s := range []string{"yes", "ON", "True", "1"} {
		if v, err := ParseBool(s); err != nil || !v {
			t.Errorf("%s: %v %v", s, v, err)
		}
	}
	for _, s := range []string{"no", "Off", "FALSE", "0"} {
		if v, err := ParseBool(s); err != nil || v {
			t.Errorf("%s: %v %v", s, v, err)
		}
	}
	if _, err := ParseBool("y"); !errors.Is(err, ErrBadValue) {
		t.Fatal(err)
	}
	for s, want := range map[string]uint64{"0x5b0": 1456, "1456": 1456, "OptOut": 1, "alwayson": 3} {
		v, err := parseIntegerValue(TypeOSLoader, ElemNX, s)
		if s == "0x5b0" || s == "1456" {
			v, err = parseIntegerValue(TypeDeviceOptions, ElemRamdiskTFTPBlockSize, s)
		}
		if err != nil || v != want {
			t.Errorf("%s: %d %v", s, v, err)
		}
	}
	if _, err := parseIntegerValue(TypeOSLoader, ElemNX, "sometimes"); !errors.Is(err, ErrBadValue) {
		t.Fatal(err)
	}
}

func TestGUIDs(t *testing.T) {
	g := MustGUID("{9DEA862C-5CDD-4E70-ACC1-F32B344D4795}")
	if g != IDBootMgr || g.String() != "{9dea862c-5cdd-4e70-acc1-f32b344d4795}" {
		t.Fatal(g)
	}
	// bytes_le layout, as device elements store option GUIDs.
	if g[0] != 0x2c || g[3] != 0x9d || g[4] != 0xdd || g[8] != 0xac {
		t.Fatalf("% x", g[:])
	}
	for _, s := range []string{"", "{}", "9dea862c5cdd4e70acc1f32b344d4795", "{9dea862c-5cdd-4e70-acc1-f32b344d479g}"} {
		if _, err := ParseGUID(s); !errors.Is(err, ErrBadGUID) {
			t.Errorf("%q: %v", s, err)
		}
	}
	// RFC 9562 appendix A.4 (v5 of "www.example.com" in the DNS name space).
	dns := MustGUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	if got := NameGUID(dns, "www.example.com").String(); got != "{2ed6657d-e927-568b-95e1-2665a8aea6a2}" {
		t.Fatalf("UUIDv5 = %s", got)
	}
	if DeriveGUID("a", "b") == DeriveGUID("a", "c") || DeriveGUID("a", "b") != DeriveGUID("a", "b") {
		t.Fatal("DeriveGUID not a function of its inputs")
	}
	if _, err := ParseID("{current}"); !errors.Is(err, ErrVirtualID) {
		t.Fatal(err)
	}
	if id, err := ParseID("{Legacy}"); err != nil || id != IDNTLDR {
		t.Fatal(id, err)
	}
	if id, err := ParseID("ramdiskoptions"); err != nil || id != IDRamdiskOptions {
		t.Fatal(id, err)
	}
}

func TestElementNames(t *testing.T) {
	for _, c := range []struct {
		t    ObjectType
		code ElementType
		name string
	}{
		{TypeBootMgr, 0x23000003, "default"},
		{TypeOSLoader, 0x23000003, "resumeobject"},
		{TypeBootMgr, 0x23000006, "resumeobject"},
		{TypeFwBootMgr, 0x24000001, "displayorder"},
		{TypeInheritOSLoader, 0x250000f3, "hypervisordebugtype"},
		{TypeResume, 0x21000001, "filedevice"},
		{TypeMemDiag, 0x25000004, "testtofail"},
		{TypeBootMgr, 0x25000004, "timeout"},
		{TypeDeviceOptions, 0x35000007, "ramdisktftpblocksize"},
		{TypeInheritLibrary, 0x26000022, "custom:26000022"},
		{TypeOSLoader, 0x46000010, "custom:46000010"},
	} {
		if got := ElementName(c.t, c.code); got != c.name {
			t.Errorf("ElementName(%s, %s) = %s, want %s", c.t, c.code, got, c.name)
		}
	}
	for _, c := range []struct {
		t    ObjectType
		name string
		code ElementType
	}{
		{TypeOSLoader, "resumeobject", 0x23000003},
		{TypeBootMgr, "resumeobject", 0x23000006},
		{TypeResume, "bootmenupolicy", 0x25000008},
		{TypeOSLoader, "BootMenuPolicy", 0x250000c2},
		{TypeOSLoader, "custom:26000081", 0x26000081},
		{TypeInheritLibrary, "nx", 0x25000020}, // only one application has it
	} {
		got, err := LookupElement(c.t, c.name)
		if err != nil || got != c.code {
			t.Errorf("LookupElement(%s, %s) = %s %v, want %s", c.t, c.name, got, err, c.code)
		}
	}
	if _, err := LookupElement(TypeDeviceOptions, "bootmenupolicy"); !errors.Is(err, ErrUnknownElement) {
		t.Fatalf("ambiguous name: %v", err)
	}
	if len(ElementNames()) < 150 {
		t.Fatalf("only %d element names", len(ElementNames()))
	}
}
