package bcd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// Golden device elements. Each is the exact REG_BINARY value of an element
// in a store made by Microsoft tools (fixture, object, element named); the
// test below checks the bytes are really there.
var goldenDevices = []struct {
	name    string
	fixture string
	object  string
	element string
	hex     string
	build   func() *Device
	text    string
}{
	{
		name: "boot", fixture: "amidevous-wimboot-boot-bcd", object: "{7619dcc8-fafe-11d9-b411-000476eba25f}", element: "31000003",
		hex:   "00000000000000000000000000000000" + "05000000000000004800000000000000" + strings.Repeat("00", 56),
		build: BootDevice, text: "boot",
	},
	{
		name: "partition-mbr", fixture: "ntloader-utils-bcd", object: "{19260817-6666-8888-abcd-000000000002}", element: "11000001",
		hex: "00000000000000000000000000000000" + "06000000000000004800000000000000" +
			"0000501f000000000000000000000000" + "0000000001000000" + "b19ada43000000000000000000000000" + strings.Repeat("00", 16),
		build: func() *Device { return PartitionMBR(0x43da9ab1, 0x1f500000) },
		text:  "partition=mbr:0x43da9ab1:0x1f500000",
	},
	{
		name: "partition-gpt", fixture: "windeploy-BCD-efi", object: "{9dea862c-5cdd-4e70-acc1-f32b344d4795}", element: "11000001",
		hex: "00000000000000000000000000000000" + "06000000000000004800000000000000" +
			"af34c4856078b34985c3b70316081b7b" + "0000000000000000" + "7730ac20cdf7474c95d553fbf8b752b5" + strings.Repeat("00", 16),
		build: func() *Device {
			return PartitionGPT(MustGUID("{20ac3077-f7cd-4c47-95d5-53fbf8b752b5}"), MustGUID("{85c434af-7860-49b3-85c3-b70316081b7b}"))
		},
		text: "partition=gpt:{20ac3077-f7cd-4c47-95d5-53fbf8b752b5}:{85c434af-7860-49b3-85c3-b70316081b7b}",
	},
	{
		name: "ramdisk-boot", fixture: "amidevous-wimboot-boot-bcd", object: "{7619dcc9-fafe-11d9-b411-000476eba25f}", element: "21000001",
		hex: "c8dc1976fefad911b411000476eba25f" + "0000000001000000a000000000000000" +
			"03000000" + strings.Repeat("00", 20) + "0100000078000000" + "05000000" +
			"05000000000000004800000000000000" + strings.Repeat("00", 56) +
			"5c0073006f00750072006300650073005c0062006f006f0074002e00770069006d000000",
		build: func() *Device { return RamdiskDevice(BootDevice(), `\sources\boot.wim`, IDSetupRamdiskOptions) },
		text:  `ramdisk=[boot]\sources\boot.wim,{7619dcc8-fafe-11d9-b411-000476eba25f}`,
	},
	{
		name: "ramdisk-gpt", fixture: "regipy-BCD", object: "{733b62e6-f608-11eb-825c-c112f60133ab}", element: "11000001",
		hex: "e7623b7308f6eb11825cc112f60133ab" + "0000000001000000b800000000000000" +
			"03000000" + strings.Repeat("00", 20) + "0100000090000000" + "05000000" +
			"06000000000000004800000000000000" + "69cddf6c75de90448f995a84bf264917" + "0000000000000000" +
			"a994230b5e097d488d48719ecd4d78ca" + strings.Repeat("00", 16) +
			"5c005200650063006f0076006500720079005c00570069006e0064006f0077007300520045005c00570069006e00720065002e00770069006d000000",
		build: func() *Device {
			return RamdiskDevice(PartitionGPT(MustGUID("{0b2394a9-095e-487d-8d48-719ecd4d78ca}"), MustGUID("{6cdfcd69-de75-4490-8f99-5a84bf264917}")),
				`\Recovery\WindowsRE\Winre.wim`, MustGUID("{733b62e7-f608-11eb-825c-c112f60133ab}"))
		},
		text: `ramdisk=[gpt:{0b2394a9-095e-487d-8d48-719ecd4d78ca}:{6cdfcd69-de75-4490-8f99-5a84bf264917}]\Recovery\WindowsRE\Winre.wim,{733b62e7-f608-11eb-825c-c112f60133ab}`,
	},
	{
		name: "locate-path", fixture: "windeploy-BCD-efi", object: "{d65367c7-3fb7-11ec-8288-eab76d76405a}", element: "11000001",
		hex:   "00000000000000000000000000000000" + "08000000000000001e00000000000000" + "00000000" + "02000012" + "00000000" + "0000",
		build: func() *Device { return LocateDevice(ElemPath) },
		text:  "locate=custom:12000002",
	},
	{
		name: "locate-systemroot", fixture: "windeploy-BCD-efi", object: "{d65367c7-3fb7-11ec-8288-eab76d76405a}", element: "21000001",
		hex:   "00000000000000000000000000000000" + "08000000000000001e00000000000000" + "00000000" + "02000022" + "00000000" + "0000",
		build: func() *Device { return LocateDevice(ElemSystemRoot) },
		text:  "locate=custom:22000002",
	},
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenDevices(t *testing.T) {
	for _, g := range goldenDevices {
		t.Run(g.name, func(t *testing.T) {
			want := mustHex(t, g.hex)
			got, err := g.build().Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encode:\n got %x\nwant %x", got, want)
			}
			d, err := DecodeDevice(want)
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind == DeviceUnknown {
				t.Fatalf("decoded as unknown")
			}
			if s := d.String(); s != g.text {
				t.Fatalf("String = %q, want %q", s, g.text)
			}
			back, err := ParseDevice(g.text, ElementType(mustElem(t, g.element)))
			if err != nil {
				t.Fatal(err)
			}
			if !DevicesEqual(back, d) {
				b, _ := back.Encode()
				t.Fatalf("ParseDevice(%q) = %x", g.text, b)
			}
			// The vector is byte-for-byte the element in the Microsoft-made store.
			data, err := os.ReadFile(testutil.Fixture(t, "bcd", g.fixture))
			if err != nil {
				t.Fatal(err)
			}
			s, err := OpenStore(data)
			if err != nil {
				t.Fatal(err)
			}
			e, err := s.Element(MustGUID(g.object), ElementType(mustElem(t, g.element)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.Data, want) {
				t.Fatalf("fixture element:\n got %x\nwant %x", e.Data, want)
			}
		})
	}
}

func mustElem(t testing.TB, s string) ElementType {
	t.Helper()
	e, err := ParseElementKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestVHDDeviceFixture decodes the vhd=[partition]\…vhd element bcdedit wrote
// (a locate device around a virtual disk around a file device) and rebuilds
// it from its parts.
func TestVHDDeviceFixture(t *testing.T) {
	data, err := os.ReadFile(testutil.Fixture(t, "bcd", "ntloader-utils-bcd"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []ElementType{ElemDevice, ElemOSDevice} {
		e, err := s.Element(MustGUID("{19260817-6666-8888-abcd-000000000001}"), code)
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.Device()
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind != DeviceLocate || d.Parent == nil || d.Parent.Kind != DeviceVHD {
			t.Fatalf("%s: decoded %v", code, d.Kind)
		}
		path := d.Parent.Parent.Path
		if !strings.HasSuffix(path, ".vhd") || len(e.Data) != 700 {
			t.Fatalf("path %q len %d", path, len(e.Data))
		}
		loc, err := defaultLocate(code)
		if err != nil {
			t.Fatal(err)
		}
		built, err := VHDDevice(PartitionMBR(0x43da9ab1, 0x1f500000), path, loc).Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(built, e.Data) {
			t.Fatalf("%s: rebuilt vhd device differs\n got %x\nwant %x", code, built, e.Data)
		}
		p, err := ParseDevice(d.String(), code)
		if err != nil {
			t.Fatal(err)
		}
		if !DevicesEqual(p, d) {
			t.Fatalf("ParseDevice(%q) differs", d.String())
		}
	}
}

// TestOddRamdiskRoundTrip: an offline-made store has non-zero ramdisk image
// size/offset fields; they are decoded and re-encoded unchanged.
func TestOddRamdiskRoundTrip(t *testing.T) {
	data, err := os.ReadFile(testutil.Fixture(t, "bcd", "slkde-ipxe-boot-bcd"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := s.Objects()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range objs {
		for _, e := range o.Elements {
			if e.Type.Format() != FormatDevice {
				continue
			}
			d, err := e.Device()
			if err != nil {
				t.Fatal(err)
			}
			enc, err := d.Encode()
			if err != nil || !bytes.Equal(enc, e.Data) {
				t.Fatalf("%s %s: round trip differs", o.ID, e.Type)
			}
			if d.Kind == DeviceRamdisk && d.ImageSize == 0x8c && d.ImageOffset == 5 {
				found = true
			}
		}
	}
	if !found {
		t.Fatal("expected the ramdisk element with image size 0x8c and offset 5")
	}
}

func TestUnknownDeviceRoundTrip(t *testing.T) {
	cases := []string{
		// URI-like device type 9 with a payload.
		"00112233445566778899aabbccddeeff" + "09000000000000001c00000000000000" + "0102030405060708090a0b0c",
		// boot device with a non-zero payload byte.
		"00000000000000000000000000000000" + "05000000000000004800000000000000" + strings.Repeat("00", 55) + "01",
		// partition with an unknown style.
		"00000000000000000000000000000000" + "06000000000000004800000000000000" + strings.Repeat("00", 20) + "02000000" + strings.Repeat("00", 32),
		// reserved header field set.
		"00000000000000000000000000000000" + "050000000000000048000000ff000000" + strings.Repeat("00", 56),
		// block device, floppy (local type 1).
		"00000000000000000000000000000000" + "00000000000000001800000000000000" + "0100000000000000",
		// ramdisk path without its NUL terminator.
		"00000000000000000000000000000000" + "0000000001000000" + "80000000" + "00000000" +
			"03000000" + strings.Repeat("00", 20) + "01000000" + "58000000" + "05000000" +
			"05000000000000004800000000000000" + strings.Repeat("00", 56) + "5c004100",
	}
	for i, c := range cases {
		b := mustHex(t, c)
		d, err := DecodeDevice(b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if d.Kind != DeviceUnknown {
			t.Fatalf("case %d: kind %v, want unknown", i, d.Kind)
		}
		enc, err := d.Encode()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("case %d: round trip\n got %x\nwant %x", i, enc, b)
		}
		if d.String() != "unknown" {
			t.Fatalf("case %d: String %q", i, d.String())
		}
	}
}

// TestDeviceTruncation: every proper prefix of a valid element is rejected
// with a *FormatError (the header size no longer fits), never a panic.
func TestDeviceTruncation(t *testing.T) {
	for _, g := range goldenDevices {
		b := mustHex(t, g.hex)
		for n := 0; n < len(b); n++ {
			_, err := DecodeDevice(b[:n])
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrBadDevice) {
				t.Fatalf("%s prefix %d: err = %v, want *FormatError", g.name, n, err)
			}
		}
	}
}

func TestDeviceCorruptSizes(t *testing.T) {
	b := mustHex(t, goldenDevices[3].hex) // ramdisk
	// Inner parent descriptor claims to be larger than what is left.
	c := append([]byte(nil), b...)
	c[0x44+8] = 0xff
	if _, err := DecodeDevice(c); !errors.Is(err, ErrBadDevice) {
		t.Fatalf("err = %v", err)
	}
	var fe *FormatError
	if !errors.As(err2(DecodeDevice(c)), &fe) || fe.Offset != 0x4c {
		t.Fatalf("want offset 0x4c, got %+v", fe)
	}
	// Locate parent offset beyond the descriptor.
	l := mustHex(t, goldenDevices[5].hex)
	l[0x28] = 0x40
	if _, err := DecodeDevice(l); !errors.Is(err, ErrBadDevice) {
		t.Fatalf("locate: err = %v", err)
	}
	// Oversized element.
	if _, err := DecodeDevice(make([]byte, MaxDeviceSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: err = %v", err)
	}
}

func err2(_ *Device, err error) error { return err }

func TestDeviceNestingLimit(t *testing.T) {
	d := BootDevice()
	for i := 0; i < maxDeviceDepth+2; i++ {
		d = FileDevice(d, `\x`)
	}
	if _, err := d.Encode(); !errors.Is(err, ErrBadArgs) {
		t.Fatalf("encode: %v", err)
	}
	// Hand-build a deeper nesting than allowed and decode it.
	desc := mustHex(t, "05000000000000004800000000000000"+strings.Repeat("00", 56))
	for i := 0; i < maxDeviceDepth+2; i++ {
		p := append(le32b(nil, localFile), le32b(nil, 1)...)
		p = le32b(p, uint32(12+len(desc)+4))
		p = le32b(p, 5)
		p = append(p, desc...)
		p = append(p, 'x', 0, 0, 0)
		h := le32b(nil, 0)
		h = le32b(h, 0)
		h = le32b(h, uint32(16+len(p)))
		h = le32b(h, 0)
		desc = append(h, p...)
	}
	if _, err := DecodeDevice(append(make([]byte, 16), desc...)); !errors.Is(err, ErrBadDevice) {
		t.Fatalf("decode: %v", err)
	}
}

func TestParseDevice(t *testing.T) {
	for _, s := range []string{"partition=C:", "partition=c:", `ramdisk=[C:]\sources\boot.wim,{ramdiskoptions}`, `partition=\Device\HarddiskVolume1`} {
		if _, err := ParseDevice(s, ElemDevice); !errors.Is(err, ErrOfflineDevice) {
			t.Errorf("%q: err = %v, want ErrOfflineDevice", s, err)
		}
	}
	for _, s := range []string{"", "bogus", "boot=x", "partition=gpt:x:y", "partition=mbr:zz:1", "ramdisk=boot\\x.wim", `ramdisk=[boot]x.wim`,
		`ramdisk=[boot]\x.wim,{nosuch}`, "locate=\\x", "locate=custom:zz", `ramdisk=[locate]\x.wim`} {
		if _, err := ParseDevice(s, ElemDevice); err == nil {
			t.Errorf("%q: no error", s)
		}
	}
	if _, err := ParseDevice("locate", ElemRamdiskSDIDevice); err == nil {
		t.Error("bare locate for ramdisksdidevice accepted")
	}
	d, err := ParseDevice(`RAMDISK=[BOOT]\Boot\x64\Images\boot.wim,{RamdiskOptions}`, ElemOSDevice)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != DeviceRamdisk || d.Options != IDRamdiskOptions || d.Path != `\Boot\x64\Images\boot.wim` || d.Parent.Kind != DeviceBoot {
		t.Fatalf("%+v", d)
	}
	if got := d.String(); got != `ramdisk=[boot]\Boot\x64\Images\boot.wim,{ramdiskoptions}` {
		t.Fatal(got)
	}
	d, err = ParseDevice("locate", ElemOSDevice)
	if err != nil || d.LocateElement != ElemSystemRoot {
		t.Fatalf("%v %+v", err, d)
	}
	d, err = ParseDevice(`file=[mbr:1234:1048576]\boot\x.sdi`, ElemDevice)
	if err != nil || d.Parent.DiskSignature != 1234 || d.Parent.PartitionOffset != 1<<20 {
		t.Fatalf("%v %+v", err, d)
	}
	if s := d.String(); s != `file=[mbr:0x000004d2:0x100000]\boot\x.sdi` {
		t.Fatal(s)
	}
}

// TestParseDeviceNUL is the regression test for a fuzzer finding: a NUL in a
// path produced an element whose terminator came early, so it decoded as an
// unknown device.
func TestParseDeviceNUL(t *testing.T) {
	if _, err := ParseDevice("ramdisk=[boot]\\\x000", ElemOSDevice); !errors.Is(err, ErrDeviceSyntax) {
		t.Fatalf("err = %v", err)
	}
	if _, err := FileDevice(BootDevice(), "\\a\x00b").Encode(); !errors.Is(err, ErrBadArgs) {
		t.Fatalf("encode: %v", err)
	}
}
