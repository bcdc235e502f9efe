package bcd

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file (run go test -update after checking the change):\n%s", name, firstDiff(string(got), string(want)))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + al[i] + "\nwant: " + bl[i]
		}
	}
	return "length differs"
}

var presetImages = []BootImage{
	{Name: "Windows PE (x64)", File: "boot.wim", Arch: ArchX64},
	{Name: "Capture (x64)", File: "capture.wim", Arch: ArchX64},
	{Name: "Windows PE (x86)", File: "boot.wim", Arch: ArchX86},
	{Name: "Windows PE (arm64)", File: "boot.wim", Arch: ArchARM64},
}

// checkStore runs the oracles over a store we made: hivexregedit and reged
// must read exactly our tree, hivexsh must be able to add an object key that
// our reader then reads, and the hivexregedit export and enum listing must
// match the golden files.
func checkStore(t *testing.T, s *Store, name string) {
	t.Helper()
	data, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := validateHive(data); err != nil {
		t.Fatal(err)
	}
	again, err := s.Marshal()
	if err != nil || !bytes.Equal(again, data) {
		t.Fatal("Marshal is not deterministic")
	}
	file := checkWithOracles(t, data)
	_, export := hivexTree(t, file)
	golden(t, name+".reg", []byte(export))
	var buf bytes.Buffer
	if err := s.Enum(&buf, EnumOptions{Filter: "all"}); err != nil {
		t.Fatal(err)
	}
	golden(t, name+".enum.txt", buf.Bytes())
	hivexshAddObject(t, file)
}

// hivexshAddObject adds an OS loader object with hivexsh -w (an independent
// writer) and requires our reader to see it next to the existing objects.
func hivexshAddObject(t *testing.T, file string) {
	t.Helper()
	before, _ := os.ReadFile(file)
	s0, err := OpenStore(before)
	if err != nil {
		t.Fatal(err)
	}
	objs0, _ := s0.Objects()
	id := "{0f0e0d0c-0b0a-4908-8706-050403020100}"
	script := strings.Join([]string{
		`cd \Objects`, "add " + id, "cd " + id, "add Description", "add Elements", "cd Description",
		"setval 1", "Type", "dword:0x10200003", "cd ..", `cd Elements`, "add 12000004", "cd 12000004",
		"setval 1", "Element", "string:Added by hivexsh", "commit", "",
	}, "\n")
	cmd := exec.Command(testutil.RequireTool(t, "hivexsh"), "-w", file)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hivexsh: %v\n%s", err, out)
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(after)
	if err != nil {
		t.Fatalf("reading the hivexsh-modified store: %v", err)
	}
	objs, err := s.Objects()
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(objs0)+1 {
		t.Fatalf("%d objects after hivexsh, want %d", len(objs), len(objs0)+1)
	}
	o, err := s.Object(MustGUID(id))
	if err != nil || o.Type != TypeOSLoader {
		t.Fatalf("added object: %v %+v", err, o)
	}
	e, ok := o.Element(ElemDescription)
	if !ok {
		t.Fatal("added description missing")
	}
	if d, err := e.String(); err != nil || d != "Added by hivexsh" {
		t.Fatalf("description %q %v", d, err)
	}
	// And the rest is intact.
	for _, a := range objs0 {
		b, err := s.Object(a.ID)
		if err != nil || len(b.Elements) != len(a.Elements) {
			t.Fatalf("object %s changed: %v", a.ID, err)
		}
	}
}

func TestPXEPresets(t *testing.T) {
	cases := []struct {
		name  string
		arch  Arch
		fw    Firmware
		count int
	}{
		{"pxe-x86-bios", ArchX86, BIOS, 1},
		{"pxe-x64-bios", ArchX64, BIOS, 3},
		{"pxe-x64-uefi", ArchX64, UEFI, 2},
		{"pxe-arm64-uefi", ArchARM64, UEFI, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := PXEStore(PXEOptions{Arch: c.arch, Firmware: c.fw, Images: presetImages, FilterImages: true, Seed: "test"})
			if err != nil {
				t.Fatal(err)
			}
			e, err := s.Element(IDBootMgr, ElemDisplayOrder)
			if err != nil {
				t.Fatal(err)
			}
			ids, _ := e.Objects()
			if len(ids) != c.count {
				t.Fatalf("%d entries, want %d", len(ids), c.count)
			}
			wantPath := winload(c.fw)
			for _, id := range ids {
				o, err := s.Object(id)
				if err != nil {
					t.Fatal(err)
				}
				p, _ := o.Element(ElemPath)
				ps, _ := p.String()
				dev, _ := o.Element(ElemOSDevice)
				d, err := dev.Device()
				if err != nil || ps != wantPath || d.Kind != DeviceRamdisk || d.Options != IDRamdiskOptions ||
					!strings.HasPrefix(d.Path, `\Boot\`) || !strings.HasSuffix(d.Path, ".wim") {
					t.Fatalf("loader %s: path %q device %v %v", id, ps, d, err)
				}
				arch := strings.Split(d.Path, `\`)[2]
				if !MenuAllows(c.arch, c.fw, Arch(arch)) {
					t.Fatalf("%s menu lists a %s image", c.name, arch)
				}
			}
			checkStore(t, s, c.name)
		})
	}
}

func TestPXEPresetArchRule(t *testing.T) {
	_, err := PXEStore(PXEOptions{Arch: ArchX64, Firmware: UEFI, Images: presetImages})
	if !errors.Is(err, ErrArchNotAllowed) {
		t.Fatalf("x86 image in x64 UEFI menu: %v", err)
	}
	_, err = PXEStore(PXEOptions{Arch: ArchX86, Firmware: BIOS, Images: presetImages[:2]})
	if !errors.Is(err, ErrArchNotAllowed) {
		t.Fatalf("x64 image in x86 menu: %v", err)
	}
	_, err = PXEStore(PXEOptions{Arch: ArchX86, Firmware: BIOS, Images: presetImages[:2], FilterImages: true})
	if !errors.Is(err, ErrNoImages) {
		t.Fatalf("empty menu: %v", err)
	}
	_, err = PXEStore(PXEOptions{Arch: ArchX64, Firmware: BIOS, Images: []BootImage{presetImages[0], presetImages[0]}})
	if !errors.Is(err, ErrDuplicateImage) {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = PXEStore(PXEOptions{Arch: ArchX64, Firmware: BIOS, Images: presetImages[:1], Default: 1})
	if !errors.Is(err, ErrBadArgs) {
		t.Fatalf("default out of range: %v", err)
	}
	if got := MenuImages(ArchX64, BIOS, presetImages); len(got) != 3 {
		t.Fatalf("MenuImages x64 BIOS = %d", len(got))
	}
	for _, c := range []struct {
		menu Arch
		fw   Firmware
		img  Arch
		ok   bool
	}{
		{ArchX86, BIOS, ArchX86, true}, {ArchX86, BIOS, ArchX64, false}, {ArchX86, UEFI, ArchX64, false},
		{ArchX64, BIOS, ArchX86, true}, {ArchX64, UEFI, ArchX86, false}, {ArchX64, UEFI, ArchX64, true},
		{ArchARM64, UEFI, ArchX64, false}, {ArchARM64, BIOS, ArchX86, false},
	} {
		if MenuAllows(c.menu, c.fw, c.img) != c.ok {
			t.Errorf("MenuAllows(%s,%s,%s) != %v", c.menu, c.fw, c.img, c.ok)
		}
	}
}

// TestPXEPresetLikeWDS compares the preset's shared objects with the real WDS
// default.bcd: same {bootmgr} type and elements, same {dbgsettings}, and
// the same ramdisk option elements (WDS's own options identifier).
func TestPXEPresetLikeWDS(t *testing.T) {
	wds, _ := openFile(t, testutil.Fixture(t, "bcd", "pbxg33k-x64-default.bcd"))
	s, err := PXEStore(PXEOptions{Arch: ArchX64, Firmware: BIOS, Images: presetImages[:1], RamdiskOptions: IDWDSRamdiskOptions})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []GUID{IDBootMgr, IDDbgSettings, IDWDSRamdiskOptions} {
		w, err := wds.Object(id)
		if err != nil {
			t.Fatal(err)
		}
		o, err := s.Object(id)
		if err != nil {
			t.Fatal(err)
		}
		if w.Type != o.Type {
			t.Fatalf("%s: type %s, WDS %s", Alias(id), o.Type, w.Type)
		}
		for _, we := range w.Elements {
			oe, ok := o.Element(we.Type)
			if !ok {
				t.Fatalf("%s: missing %s", Alias(id), ElementName(w.Type, we.Type))
			}
			if we.Type == ElemRamdiskSDIPath { // WDS spells it \Boot\Boot.SDI
				a, _ := we.String()
				b, _ := oe.String()
				if !strings.EqualFold(a, b) {
					t.Fatalf("sdipath %q vs %q", b, a)
				}
				continue
			}
			if !bytes.Equal(we.Data, oe.Data) || we.RegType != oe.RegType {
				t.Fatalf("%s %s: %x, WDS %x", Alias(id), ElementName(w.Type, we.Type), oe.Data, we.Data)
			}
		}
	}
}

func TestMediaPresets(t *testing.T) {
	cases := []struct {
		name string
		o    MediaOptions
	}{
		{"media-x64-bios", MediaOptions{Arch: ArchX64, Firmware: BIOS}},
		{"media-x64-uefi", MediaOptions{Arch: ArchX64, Firmware: UEFI}},
		{"media-x64-bios-multi", MediaOptions{Arch: ArchX64, Firmware: BIOS, Seed: "test", Timeout: 10, Images: []BootImage{
			{Name: "Windows PE (x64)", File: `\sources\boot.wim`, Arch: ArchX64},
			{Name: "Windows PE (x86)", File: `\sources\boot_x86.wim`, Arch: ArchX86},
		}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := MediaStore(c.o)
			if err != nil {
				t.Fatal(err)
			}
			checkStore(t, s, c.name)
		})
	}
	if _, err := MediaStore(MediaOptions{Arch: ArchX64, Firmware: UEFI, Images: []BootImage{{Name: "x", File: `\x.wim`, Arch: ArchX86}}}); !errors.Is(err, ErrArchNotAllowed) {
		t.Fatalf("x86 image on x64 UEFI media: %v", err)
	}
}

// TestMediaPresetLikeMicrosoft compares the BIOS media preset with
// Microsoft's install-media store element by element (values equal; the
// Microsoft store's short integers compare by value).
func TestMediaPresetLikeMicrosoft(t *testing.T) {
	for _, c := range []struct {
		fixture string
		fw      Firmware
	}{{"amidevous-wimboot-boot-bcd", BIOS}} {
		ms, _ := openFile(t, testutil.Fixture(t, "bcd", c.fixture))
		s, err := MediaStore(MediaOptions{Arch: ArchX64, Firmware: c.fw, Images: []BootImage{{Name: "Windows Setup", File: `\sources\boot.wim`, Arch: ArchX64}}})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ms.Objects()
		got, _ := s.Objects()
		if len(want) != len(got) {
			t.Fatalf("%d objects, Microsoft %d", len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.ID != w.ID || g.Type != w.Type || len(g.Elements) != len(w.Elements) {
				t.Fatalf("object %s/%s: %d elements, Microsoft %d", g.ID, w.ID, len(g.Elements), len(w.Elements))
			}
			for j, we := range w.Elements {
				ge := g.Elements[j]
				a := describeElement(w.Type, we, Alias)
				b := describeElement(g.Type, ge, Alias)
				if a.Text != b.Text || a.Code != b.Code {
					t.Fatalf("%s %s: %q, Microsoft %q", Alias(w.ID), a.Name, b.Text, a.Text)
				}
			}
		}
	}
}

func TestPresetsDeterministic(t *testing.T) {
	a, _ := PXEStore(PXEOptions{Arch: ArchX64, Firmware: BIOS, Images: presetImages, FilterImages: true, Seed: "s"})
	b, _ := PXEStore(PXEOptions{Arch: ArchX64, Firmware: BIOS, Images: presetImages, FilterImages: true, Seed: "s"})
	c, _ := PXEStore(PXEOptions{Arch: ArchX64, Firmware: BIOS, Images: presetImages, FilterImages: true, Seed: "other"})
	x, _ := a.Marshal()
	y, _ := b.Marshal()
	z, _ := c.Marshal()
	if !bytes.Equal(x, y) {
		t.Fatal("same inputs gave different stores")
	}
	if bytes.Equal(x, z) {
		t.Fatal("the seed does not change loader identifiers")
	}
}

func TestPXEMenus(t *testing.T) {
	menus, err := PXEMenus(presetImages, PXEOptions{Seed: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range menus {
		got[m.Path] = len(m.Images)
		for _, im := range m.Images {
			if !MenuAllows(m.Arch, m.Firmware, im.Arch) {
				t.Fatalf("%s lists %s", m.Path, im.Arch)
			}
		}
		e, err := m.Store.Element(IDBootMgr, ElemDisplayOrder)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := e.Objects()
		if len(ids) != len(m.Images) {
			t.Fatalf("%s: %d entries for %d images", m.Path, len(ids), len(m.Images))
		}
	}
	want := map[string]int{`Boot\x86\default.bcd`: 1, `Boot\x64\default.bcd`: 3, `Boot\x86uefi\default.bcd`: 1,
		`Boot\x64uefi\default.bcd`: 2, `Boot\arm64uefi\default.bcd`: 1}
	if len(got) != len(want) {
		t.Fatalf("menus %v, want %v", got, want)
	}
	for p, n := range want {
		if got[p] != n {
			t.Fatalf("menus %v, want %v", got, want)
		}
	}
	if _, err := PXEMenus(nil, PXEOptions{}); !errors.Is(err, ErrNoImages) {
		t.Fatal(err)
	}
}
