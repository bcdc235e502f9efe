package bcd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"testing"

	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/internal/testutil"
)

// deviceSeeds returns every device element of the fixtures plus the golden
// vectors.
func deviceSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, g := range goldenDevices {
		b, _ := hex.DecodeString(g.hex)
		out = append(out, b)
	}
	for _, path := range fixtureStores(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := OpenStore(data)
		if err != nil {
			t.Fatal(err)
		}
		objs, _ := s.Objects()
		for _, o := range objs {
			for _, e := range o.Elements {
				if e.Type.Format() == FormatDevice {
					out = append(out, e.Data)
				}
			}
		}
	}
	return out
}

// FuzzDecodeDevice: the device decoder never panics, reports framing errors
// as *FormatError, and whatever it decodes re-encodes to the same bytes.
func FuzzDecodeDevice(f *testing.F) {
	for _, b := range deviceSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDevice(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FormatError: %v", err)
			}
			return
		}
		enc, err := d.Encode()
		if err != nil {
			t.Fatalf("decoded device does not encode: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("round trip differs:\n in  %x\n out %x", b, enc)
		}
		_ = d.String()
	})
}

// FuzzParseDevice: any device string ParseDevice accepts encodes, decodes
// back to an equal device and prints a string that parses to it again.
func FuzzParseDevice(f *testing.F) {
	for _, g := range goldenDevices {
		f.Add(g.text)
	}
	for _, s := range []string{"boot", "locate", `vhd=[boot]\a.vhdx`, `file=[mbr:1:2]\x`, "partition=C:", `ramdisk=[boot]\x,{default}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDevice(s, ElemOSDevice)
		if err != nil {
			return
		}
		b, err := d.Encode()
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return
			}
			t.Fatalf("%q: encode: %v", s, err)
		}
		back, err := DecodeDevice(b)
		if err != nil {
			t.Fatalf("%q: decode: %v", s, err)
		}
		if !DevicesEqual(back, d) {
			t.Fatalf("%q: decode differs", s)
		}
		again, err := ParseDevice(back.String(), ElemOSDevice)
		if err != nil {
			t.Fatalf("%q: printed as %q which does not parse: %v", s, back.String(), err)
		}
		if !DevicesEqual(again, d) {
			t.Fatalf("%q: printed form %q parses to a different device", s, back.String())
		}
	})
}

// maxFuzzStore bounds fuzzed hive inputs.
const maxFuzzStore = 1 << 20

// FuzzStore reads arbitrary hive bytes as a store: objects, elements,
// devices, the enum listing and Verify never panic; a store that reads also
// re-serializes and reads back to the same objects.
func FuzzStore(f *testing.F) {
	for _, name := range []string{"bcdsys-BCD-NEW", "pbxg33k-x64-default.bcd", "stevenmlocke-default.bcd", "windeploy-BCD-efi", "amidevous-wimboot-boot-bcd"} {
		data, err := os.ReadFile(testutil.Fixture(f, "bcd", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzStore {
			return
		}
		s, err := OpenStore(data)
		if err != nil {
			return
		}
		objs, err := s.Objects()
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Objects error is not a *FormatError: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := s.Enum(&buf, EnumOptions{Filter: "all"}); err != nil {
			t.Fatalf("enum: %v", err)
		}
		_ = s.Verify()
		out, err := s.Marshal()
		if err != nil {
			return // e.g. names the writer refuses
		}
		s2, err := OpenStore(out)
		if err != nil {
			t.Fatalf("re-serialized store does not read: %v", err)
		}
		objs2, err := s2.Objects()
		if err != nil || len(objs2) != len(objs) {
			t.Fatalf("re-serialized store reads differently: %v", err)
		}
		for i := range objs {
			if objs[i].ID != objs2[i].ID || objs[i].Type != objs2[i].Type || len(objs[i].Elements) != len(objs2[i].Elements) {
				t.Fatalf("object %d differs after re-serialization", i)
			}
			for j, e := range objs[i].Elements {
				if !bytes.Equal(e.Data, objs2[i].Elements[j].Data) {
					t.Fatalf("element %s differs after re-serialization", e.Type)
				}
			}
		}
	})
}

// FuzzElement decodes arbitrary element bytes with every format and
// registry type, as the enum listing does.
func FuzzElement(f *testing.F) {
	f.Add(uint32(0x25000004), uint32(3), []byte{0x1e})
	f.Add(uint32(0x24000001), uint32(7), []byte("{\x00}\x00\x00\x00"))
	f.Add(uint32(0x12000004), uint32(1), []byte("a\x00b\x00\x00\x00"))
	f.Add(uint32(0x11000001), uint32(3), make([]byte, 88))
	f.Add(uint32(0x1700000a), uint32(3), make([]byte, 16))
	f.Fuzz(func(t *testing.T, code, regType uint32, data []byte) {
		if len(data) > maxFuzzStore {
			return
		}
		e := Element{Type: ElementType(code), RegType: regf.ValueType(regType), Data: data}
		v := describeElement(TypeOSLoader, e, Alias)
		if v.Name == "" || v.Code == "" {
			t.Fatal("element without name or code")
		}
	})
}

// TestStoreTruncation: every prefix of a real store fails cleanly.
func TestStoreTruncation(t *testing.T) {
	data, err := os.ReadFile(testutil.Fixture(t, "bcd", "pbxg33k-x64-default.bcd"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(data); n += 7 {
		if _, err := OpenStore(data[:n]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
	}
}
