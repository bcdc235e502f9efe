package regf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestTreeOperations(t *testing.T) {
	h := New(WithRootName("NewStoreRoot"), WithTime(0x01d0000000000000))
	if h.Root().Name() != "NewStoreRoot" {
		t.Fatalf("root name %q", h.Root().Name())
	}
	k, err := h.CreateKey(`Objects\{abc}\Elements`)
	if err != nil {
		t.Fatal(err)
	}
	if k.Path() != `\Objects\{abc}\Elements` {
		t.Fatalf("path %q", k.Path())
	}
	if k.LastWrite() != 0x01d0000000000000 {
		t.Fatalf("time %x", k.LastWrite())
	}
	k2, err := h.Key(`\OBJECTS\{ABC}\elements\`)
	if err != nil || k2 != k {
		t.Fatalf("case-insensitive lookup: %v %v", k2, err)
	}
	if _, err := h.Key(`Objects\nope`); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	root := h.Root()
	for _, n := range []string{"b", "A", "c", "_x", "a1"} {
		if _, err := root.CreateSubkey(n); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for _, s := range root.Subkeys() {
		names = append(names, s.Name())
	}
	want := []string{"A", "a1", "b", "c", "Objects", "_x"}
	if len(names) != len(want) {
		t.Fatalf("subkeys %v", names)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("subkeys %v, want %v", names, want)
		}
	}
	if err := k.SetDWORD("Type", 0x10200003); err != nil {
		t.Fatal(err)
	}
	if err := k.SetString("", "default"); err != nil {
		t.Fatal(err)
	}
	if err := k.SetMultiString("List", []string{"a", "bc"}); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Value("TYPE").DWORD(); err != nil || v != 0x10200003 {
		t.Fatalf("DWORD %x %v", v, err)
	}
	if s, err := k.Value("").String(); err != nil || s != "default" {
		t.Fatalf("default %q %v", s, err)
	}
	if l, err := k.Value("list").MultiString(); err != nil || len(l) != 2 || l[1] != "bc" {
		t.Fatalf("multi %q %v", l, err)
	}
	if _, err := k.Value("list").DWORD(); !errors.Is(err, ErrType) {
		t.Fatalf("typed accessor on wrong type: %v", err)
	}
	if !k.DeleteValue("type") || k.Value("Type") != nil || k.DeleteValue("Type") {
		t.Fatal("DeleteValue")
	}
	if err := h.DeleteKey(`objects`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Key(`Objects\{abc}`); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted key still found: %v", err)
	}
	if err := h.DeleteKey(``); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("delete root: %v", err)
	}
	if _, err := root.CreateSubkey(`a\b`); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("backslash name: %v", err)
	}
}

func TestValueTypeString(t *testing.T) {
	for i := ValueType(0); i <= REG_QWORD+1; i++ {
		p, err := ParseValueType(i.String())
		if err != nil || p != i {
			t.Fatalf("%d: %q -> %d %v", i, i.String(), p, err)
		}
	}
	if REG_QWORD.String() != "REG_QWORD" || ValueType(0x20).String() != "REG_0x20" {
		t.Fatal("String")
	}
}

func TestDepthLimit(t *testing.T) {
	h := New()
	k := h.Root()
	var err error
	for i := 0; i < MaxDepth; i++ {
		if k, err = k.CreateSubkey("d"); err != nil {
			t.Fatalf("depth %d: %v", i+1, err)
		}
	}
	if _, err := k.CreateSubkey("d"); !errors.Is(err, ErrLimit) {
		t.Fatalf("key deeper than MaxDepth: %v", err)
	}
	out, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(out); err != nil {
		t.Fatal(err)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Key(strings.Repeat(`d\`, MaxDepth)); err != nil {
		t.Fatal(err)
	}
}

// TestValueIndexManyValues: a key with many values (indexed lookups) finds
// them case-insensitively, keeps the first spelling on replace, and stays
// right across deletes and re-adds.
func TestValueIndexManyValues(t *testing.T) {
	k, _ := New().CreateKey("A")
	const n = 500
	for i := 0; i < n; i++ {
		if err := k.SetDWORD(fmt.Sprintf("Value%d", i), uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i += 7 {
		v := k.Value(fmt.Sprintf("VALUE%d", i))
		if d, err := v.DWORD(); v == nil || err != nil || d != uint32(i) {
			t.Fatalf("VALUE%d: %v %v", i, v, err)
		}
	}
	k.SetDWORD("value10", 99) // replace: keeps "Value10" and its place
	if v := k.Values()[10]; v.Name != "Value10" {
		t.Fatalf("replaced value renamed to %q", v.Name)
	}
	for i := 0; i < n; i += 2 {
		if !k.DeleteValue(fmt.Sprintf("value%d", i)) {
			t.Fatalf("delete value%d: not found", i)
		}
	}
	if len(k.Values()) != n/2 || k.Value("Value4") != nil || k.Value("Value5") == nil {
		t.Fatalf("after deletes: %d values", len(k.Values()))
	}
	k.SetString("Value4", "back")
	if v := k.Value("VALUE4"); v == nil || k.Values()[len(k.Values())-1] != v {
		t.Fatal("re-added value not found at the end")
	}
	if k.Value("nosuch") != nil {
		t.Fatal("found a value that does not exist")
	}
}
