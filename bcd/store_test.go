package bcd

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/internal/testutil"
)

// fixtureStores lists the real stores in ../shared/fixtures/bcd.
func fixtureStores(t testing.TB) []string {
	t.Helper()
	dir := filepath.Dir(testutil.Fixture(t, "bcd", "PROVENANCE.md"))
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasSuffix(n, ".txt") || strings.HasSuffix(n, ".reg") || strings.HasSuffix(n, ".md") {
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	if len(out) < 12 {
		t.Fatalf("found only %d fixture stores in %s", len(out), dir)
	}
	return out
}

func openFile(t testing.TB, path string) (*Store, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(data)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return s, data
}

// decodedElement is one element line of a *.decoded.txt dump.
type decodedElement struct {
	object, code, kind, value string
}

// readDecoded parses the `"Element"=KIND:value` lines of a decoded dump and
// the object types.
func readDecoded(t testing.TB, path string) ([]decodedElement, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []decodedElement
	types := map[string]string{}
	var obj, code string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, `[\Objects\`) {
			parts := strings.Split(strings.Trim(l, `[]`), `\`)
			obj, code = "", ""
			if len(parts) >= 3 {
				obj = parts[2]
			}
			if len(parts) == 5 && parts[3] == "Elements" {
				code = parts[4]
			}
			continue
		}
		if v, ok := strings.CutPrefix(l, `"Type"=dword:`); ok && obj != "" {
			types[obj] = v
		}
		if v, ok := strings.CutPrefix(l, `"Element"=`); ok && code != "" {
			kind, val, _ := strings.Cut(v, ":")
			out = append(out, decodedElement{obj, code, kind, val})
		}
	}
	return out, types
}

// TestFixtureStoresRead reads every real store and checks each element's
// decoded meaning against the independent dump (*.decoded.txt).
func TestFixtureStoresRead(t *testing.T) {
	for _, path := range fixtureStores(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			s, _ := openFile(t, path)
			objs, err := s.Objects()
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]*Object{}
			nElems := 0
			for _, o := range objs {
				byID[o.ID.String()] = o
				nElems += len(o.Elements)
			}
			want, types := readDecoded(t, path+".decoded.txt")
			if len(want) != nElems || len(types) != len(objs) {
				t.Fatalf("dump has %d objects/%d elements, we read %d/%d", len(types), len(want), len(objs), nElems)
			}
			for id, ty := range types {
				o := byID[id]
				if o == nil || o.Type.String() != "0x"+ty {
					t.Fatalf("object %s: type %v, dump says %s", id, o, ty)
				}
			}
			for _, w := range want {
				o := byID[w.object]
				e, ok := o.Element(mustElem(t, w.code))
				if !ok {
					t.Fatalf("%s %s missing", w.object, w.code)
				}
				checkDecoded(t, o, e, w)
			}
			// enum lists every object once, with a name for every element.
			var buf bytes.Buffer
			if err := s.Enum(&buf, EnumOptions{Filter: "all"}); err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(buf.String(), "\nidentifier "); got != len(objs) {
				t.Fatalf("enum lists %d objects, want %d", got, len(objs))
			}
			ents, err := s.Entries(EnumOptions{Filter: "all", Verbose: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, ent := range ents {
				for _, v := range ent.Elements {
					if v.Error != "" {
						t.Errorf("%s %s: %s", ent.ID, v.Code, v.Error)
					}
				}
			}
			if _, err := json.Marshal(ents); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func checkDecoded(t *testing.T, o *Object, e Element, w decodedElement) {
	t.Helper()
	where := w.object + " " + w.code
	unq := func(s string) string { return strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`) }
	switch {
	case w.kind == "SZ":
		if e.Type.Format() == FormatObject {
			g, err := e.Object()
			if err != nil || g.String() != unq(w.value) {
				t.Fatalf("%s: object %v %v, dump %s", where, g, err, w.value)
			}
			return
		}
		s, err := e.String()
		if err != nil || s != unq(w.value) {
			t.Fatalf("%s: string %q %v, dump %s", where, s, err, w.value)
		}
	case w.kind == "MULTI_SZ":
		ids, err := e.Objects()
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		var ss []string
		for _, g := range ids {
			ss = append(ss, g.String())
		}
		if strings.Join(ss, " | ") != unq(w.value) {
			t.Fatalf("%s: objects %v, dump %s", where, ss, w.value)
		}
	case strings.HasPrefix(w.kind, "BIN["):
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(w.kind, "BIN["), "]"))
		v, err := strconv.ParseUint(strings.TrimPrefix(w.value, "0x"), 16, 64)
		if err != nil || len(e.Data) != n {
			t.Fatalf("%s: %d bytes, dump %s %s", where, len(e.Data), w.kind, w.value)
		}
		switch e.Type.Format() {
		case FormatInteger:
			got, err := e.Integer()
			if err != nil || got != v {
				t.Fatalf("%s: integer %d %v, dump %s", where, got, err, w.value)
			}
		case FormatBoolean:
			got, err := e.Boolean()
			if err != nil || got != (v != 0) {
				t.Fatalf("%s: boolean %v %v, dump %s", where, got, err, w.value)
			}
		case FormatIntegerList:
			got, err := e.Integers()
			if err != nil || len(got) != n/8 || got[0] != v {
				t.Fatalf("%s: integer list %v %v, dump %s", where, got, err, w.value)
			}
		default:
			t.Fatalf("%s: BIN value for format %v", where, e.Type.Format())
		}
	case strings.HasPrefix(w.kind, "DEVICE-BIN["):
		b, err := hex.DecodeString(w.value)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, e.Data) {
			t.Fatalf("%s: device bytes differ", where)
		}
		d, err := e.Device()
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if d.Kind == DeviceUnknown {
			t.Fatalf("%s: device not decoded", where)
		}
		enc, _ := d.Encode()
		if !bytes.Equal(enc, b) {
			t.Fatalf("%s: device re-encodes differently", where)
		}
	default:
		t.Fatalf("%s: unexpected dump kind %s", where, w.kind)
	}
}

// TestFixtureStoresReserialize writes every real store back through regf and
// requires hivexregedit to export the result exactly as it exports the
// original (the committed dump), and our reader to read the same objects.
func TestFixtureStoresReserialize(t *testing.T) {
	testutil.RequireTool(t, "hivexregedit")
	for _, path := range fixtureStores(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			s, _ := openFile(t, path)
			out, err := s.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if err := validateHive(out); err != nil {
				t.Fatalf("re-serialized store fails validation: %v", err)
			}
			s2, err := OpenStore(out)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := s.Objects()
			b, _ := s2.Objects()
			if !reflect.DeepEqual(a, b) {
				t.Fatal("objects differ after re-serialization")
			}
			file := checkWithOracles(t, out) // hivexregedit and reged read our tree
			_, got := hivexTree(t, file)
			want, err := os.ReadFile(path + ".hivexregedit.reg")
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Fatalf("hivexregedit export of the re-serialized store differs from the original's")
			}
		})
	}
}

// validateHive runs the hive engine's strict structural checks (sorted
// lists, hints, sequence numbers, checksums, security cells, ...).
func validateHive(b []byte) error { return regf.Validate(b) }

func TestOpenStoreErrors(t *testing.T) {
	h := regf.New()
	if _, err := h.CreateKey("Description"); err != nil {
		t.Fatal(err)
	}
	if _, err := FromHive(h); err != ErrNotBCD {
		t.Fatalf("no Objects: %v", err)
	}
	if _, err := OpenStore([]byte("regf")); err == nil {
		t.Fatal("garbage accepted")
	}
	bad := []func(*regf.Hive){
		func(h *regf.Hive) { _, _ = h.CreateKey(`Objects\not-a-guid`) },
		func(h *regf.Hive) { _, _ = h.CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}`) },
		func(h *regf.Hive) {
			k, _ := h.CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Description`)
			_ = k.SetString("Type", "x")
		},
		func(h *regf.Hive) {
			k, _ := h.CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Description`)
			_ = k.SetDWORD("Type", uint32(TypeBootMgr))
			_, _ = h.CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Elements\xyz`)
		},
		func(h *regf.Hive) {
			k, _ := h.CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Description`)
			_ = k.SetDWORD("Type", uint32(TypeBootMgr))
			_, _ = h.CreateKey(`Objects\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\Elements\25000004`)
		},
	}
	for i, f := range bad {
		h := regf.New()
		_, _ = h.CreateKey("Objects")
		f(h)
		s, err := FromHive(h)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Objects()
		var fe *FormatError
		if err == nil || !errorsAs(err, &fe) || fe.Path == "" {
			t.Errorf("case %d: err = %v, want *FormatError with a path", i, err)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
