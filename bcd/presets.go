package bcd

import (
	"fmt"
	"strings"
)

// Arch is a Windows PE architecture as the boot menus name it.
type Arch string

// Architectures.
const (
	ArchX86   Arch = "x86"
	ArchX64   Arch = "x64"
	ArchARM64 Arch = "arm64"
)

// ParseArch accepts x86/i386, x64/amd64, arm64 (any case).
func ParseArch(s string) (Arch, error) {
	switch strings.ToLower(s) {
	case "x86", "i386", "ia32":
		return ArchX86, nil
	case "x64", "amd64", "x86_64":
		return ArchX64, nil
	case "arm64", "aarch64":
		return ArchARM64, nil
	}
	return "", fmt.Errorf("%w: unknown architecture %q (want x86, x64 or arm64)", ErrBadArgs, s)
}

// Firmware is the client firmware a store serves.
type Firmware int

// Firmware kinds.
const (
	BIOS Firmware = iota // PC/AT BIOS: bootmgr, winload.exe
	UEFI                 // UEFI: bootmgfw.efi, winload.efi
)

func (f Firmware) String() string {
	if f == UEFI {
		return "uefi"
	}
	return "bios"
}

// ParseFirmware accepts bios/pcat/legacy and uefi/efi.
func ParseFirmware(s string) (Firmware, error) {
	switch strings.ToLower(s) {
	case "bios", "pcat", "legacy":
		return BIOS, nil
	case "uefi", "efi":
		return UEFI, nil
	}
	return 0, fmt.Errorf("%w: unknown firmware %q (want bios or uefi)", ErrBadArgs, s)
}

// winload returns the OS loader path for a firmware.
func winload(f Firmware) string {
	if f == UEFI {
		return `\windows\system32\boot\winload.efi`
	}
	return `\windows\system32\boot\winload.exe`
}

// MenuAllows reports whether a boot menu for clients of architecture menu
// and firmware fw may list a boot image of architecture img. The rule (from
// WDS): an x86 menu lists only x86 images; an x64 BIOS menu lists x64 and
// x86 images (x64 BIOS machines can run 32-bit Windows PE); every UEFI menu
// lists only images of its own architecture (UEFI loads only native
// loaders).
func MenuAllows(menu Arch, fw Firmware, img Arch) bool {
	if img == menu {
		return true
	}
	return fw == BIOS && menu == ArchX64 && img == ArchX86
}

// BootImage is one boot image offered in a menu.
type BootImage struct {
	// Name is the menu entry's description ("Windows PE (x64)").
	Name string
	// File is the image's path: for PXE stores the file name under
	// <ImageRoot>\<Arch>\Images (e.g. "boot.wim"); for media stores the
	// path on the medium (default \sources\boot.wim).
	File string
	// Arch is the image's architecture.
	Arch Arch
}

// MenuImages returns the images a menu for (menu, fw) may list, in order.
func MenuImages(menu Arch, fw Firmware, images []BootImage) []BootImage {
	var out []BootImage
	for _, im := range images {
		if MenuAllows(menu, fw, im.Arch) {
			out = append(out, im)
		}
	}
	return out
}

// menuImages applies the architecture rule: it refuses (or, with filter,
// drops) images a menu may not list, and rejects empty and duplicate lists.
func menuImages(menu Arch, fw Firmware, images []BootImage, filter bool) ([]BootImage, error) {
	if _, err := ParseArch(string(menu)); err != nil {
		return nil, err
	}
	var out []BootImage
	seen := map[string]bool{}
	for _, im := range images {
		if _, err := ParseArch(string(im.Arch)); err != nil {
			return nil, fmt.Errorf("image %q: %w", im.Name, err)
		}
		if !MenuAllows(menu, fw, im.Arch) {
			if filter {
				continue
			}
			return nil, fmt.Errorf("%w: %s image %q in a %s %s menu (x86 menus list only x86 images, x64 BIOS menus x64 and x86, UEFI menus only their own architecture)",
				ErrArchNotAllowed, im.Arch, im.Name, menu, fw)
		}
		if im.Name == "" || im.File == "" {
			return nil, fmt.Errorf("%w: boot image needs a name and a file", ErrBadArgs)
		}
		k := strings.ToLower(string(im.Arch) + "|" + im.File)
		if seen[k] {
			return nil, fmt.Errorf("%w: %s %s", ErrDuplicateImage, im.Arch, im.File)
		}
		seen[k] = true
		out = append(out, im)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w for a %s %s menu", ErrNoImages, menu, fw)
	}
	return out, nil
}

// PXEOptions describe a WDS-style network boot store
// (RemoteInstall\Boot\<arch>\default.bcd plus one loader per boot image).
type PXEOptions struct {
	Arch     Arch     // architecture of the clients this store serves
	Firmware Firmware // BIOS (winload.exe) or UEFI (winload.efi)
	Images   []BootImage
	// FilterImages drops images the menu may not list (see MenuAllows)
	// instead of failing with ErrArchNotAllowed.
	FilterImages bool
	// Default is the index (in the listed images) of the default entry.
	Default int
	// Timeout is the menu timeout in seconds; 0 means 30 (the WDS value),
	// a negative value 0 (boot the default at once).
	Timeout int
	// ImageRoot is the TFTP directory holding <arch>\Images (default \Boot).
	ImageRoot string
	// SDIPath is the boot.sdi path (default \Boot\boot.sdi).
	SDIPath string
	// TFTPBlockSize, TFTPWindowSize: ramdisk TFTP options (default 1456 and
	// 4, as WDS writes); NoVarWindow turns off ramdisktftpvarwindow.
	TFTPBlockSize  uint64
	TFTPWindowSize uint64
	NoVarWindow    bool
	// RamdiskOptions is the options object (default {ramdiskoptions}; WDS
	// itself uses IDWDSRamdiskOptions).
	RamdiskOptions GUID
	// Seed feeds the loader identifiers: DeriveGUID(seed, "pxe", arch,
	// firmware, image arch, image file).
	Seed string
}

// PXEStore builds a network boot store the way WDS serves one: {bootmgr}
// (type 0x10200002, fontpath \boot\fonts, inherit {dbgsettings}, timeout,
// displayorder of one loader per image, default), {dbgsettings} as in WDS
// default.bcd, the ramdisk options object (ramdisksdidevice boot,
// ramdisksdipath, TFTP block size, window size, variable window), and per
// image an OS loader with device = osdevice =
// ramdisk=[boot]<ImageRoot>\<arch>\Images\<file>,{options}, path winload.exe
// or winload.efi, systemroot \windows, detecthal and winpe.
func PXEStore(o PXEOptions) (*Store, error) {
	images, err := menuImages(o.Arch, o.Firmware, o.Images, o.FilterImages)
	if err != nil {
		return nil, err
	}
	if o.Default < 0 || o.Default >= len(images) {
		return nil, fmt.Errorf("%w: default entry %d out of %d images", ErrBadArgs, o.Default, len(images))
	}
	root := strings.TrimRight(defaultStr(o.ImageRoot, `\Boot`), `\`)
	opts := o.RamdiskOptions
	if opts.IsNil() {
		opts = IDRamdiskOptions
	}
	s := NewStore(StoreOptions{KeyName: "BCD00000002"})
	s.Seed = o.Seed
	b := &builder{s: s}

	b.create(IDDbgSettings, ObjectType(0x20100001)) // as in WDS default.bcd
	b.integer(IDDbgSettings, ElemDebugType, 0)      // Serial
	b.integer(IDDbgSettings, ElemDebugPort, 1)
	b.integer(IDDbgSettings, ElemBaudRate, 115200)

	b.create(opts, TypeDeviceOptions)
	b.str(opts, ElemDescription, "Ramdisk Options")
	b.device(opts, ElemRamdiskSDIDevice, BootDevice())
	b.str(opts, ElemRamdiskSDIPath, normPath(defaultStr(o.SDIPath, root+`\boot.sdi`)))
	b.integer(opts, ElemRamdiskTFTPBlockSize, defaultU64(o.TFTPBlockSize, 1456))
	b.integer(opts, ElemRamdiskTFTPWindow, defaultU64(o.TFTPWindowSize, 4))
	b.boolean(opts, ElemRamdiskTFTPVarWindow, !o.NoVarWindow)

	var loaders []GUID
	for _, im := range images {
		id := DeriveGUID(s.seed(), "pxe", string(o.Arch), o.Firmware.String(), string(im.Arch), strings.ToLower(im.File))
		file := strings.TrimLeft(strings.ReplaceAll(im.File, "/", `\`), `\`)
		dev := RamdiskDevice(BootDevice(), root+`\`+string(im.Arch)+`\Images\`+file, opts)
		b.create(id, TypeOSLoader)
		b.device(id, ElemDevice, dev)
		b.str(id, ElemPath, winload(o.Firmware))
		b.str(id, ElemDescription, im.Name)
		b.device(id, ElemOSDevice, dev)
		b.str(id, ElemSystemRoot, `\windows`)
		b.boolean(id, ElemDetectHAL, true)
		b.boolean(id, ElemWinPE, true)
		loaders = append(loaders, id)
	}

	b.create(IDBootMgr, TypeBootMgrPXE)
	b.str(IDBootMgr, ElemDescription, "Windows Boot Manager")
	b.str(IDBootMgr, ElemFontPath, `\boot\fonts`)
	b.list(IDBootMgr, ElemInherit, IDDbgSettings)
	b.object(IDBootMgr, ElemDefault, loaders[o.Default])
	b.list(IDBootMgr, ElemDisplayOrder, loaders...)
	b.integer(IDBootMgr, ElemTimeout, timeout(o.Timeout))
	if b.err != nil {
		return nil, b.err
	}
	return s, nil
}

// MediaOptions describe a Windows PE media store: \boot\bcd (BIOS) or
// \efi\microsoft\boot\bcd (UEFI) on an ISO or USB stick.
type MediaOptions struct {
	Arch     Arch // architecture of the machines the medium boots
	Firmware Firmware
	// Images default to one "Windows PE" image at \sources\boot.wim of Arch.
	Images       []BootImage
	FilterImages bool
	Default      int
	// Timeout in seconds; 0 means 30, negative 0.
	Timeout int
	// Locale of the menus (default en-US).
	Locale string
	// LegacyMenu selects the text boot menu (bootmenupolicy Legacy) instead
	// of the graphical one (Standard, what Microsoft's media use).
	LegacyMenu bool
	// NoMemDiag leaves out the Windows Memory Diagnostic tool entry.
	NoMemDiag bool
	// SDIPath is the boot.sdi path (default \boot\boot.sdi).
	SDIPath string
	// Seed feeds the identifiers of the second and later loaders:
	// DeriveGUID(seed, "media", firmware, image arch, image file). The first
	// loader is {7619dcc9-fafe-11d9-b411-000476eba25f}, as on Microsoft media.
	Seed string
}

// MediaStore builds a media store the way Microsoft's install and Windows PE
// media have it: {bootmgr} (description, locale, inherit {globalsettings},
// default, displayorder, toolsdisplayorder {memdiag}, timeout), one OS
// loader per image (device = osdevice = ramdisk=[boot]<file>,{7619dcc8-…},
// winload.exe or .efi, systemroot, detecthal, winpe, ems off,
// bootmenupolicy, inherit {bootloadersettings}), the ramdisk options
// {7619dcc8-…}, {memdiag} (\boot\memtest.exe or
// \EFI\Microsoft\Boot\memtest.efi) and the settings objects
// {globalsettings}, {dbgsettings}, {emssettings}, {bootloadersettings},
// {hypervisorsettings}.
func MediaStore(o MediaOptions) (*Store, error) {
	in := o.Images
	if len(in) == 0 {
		in = []BootImage{{Name: "Windows PE", File: `\sources\boot.wim`, Arch: o.Arch}}
	}
	images, err := menuImages(o.Arch, o.Firmware, in, o.FilterImages)
	if err != nil {
		return nil, err
	}
	if o.Default < 0 || o.Default >= len(images) {
		return nil, fmt.Errorf("%w: default entry %d out of %d images", ErrBadArgs, o.Default, len(images))
	}
	locale := defaultStr(o.Locale, "en-US")
	s := NewStore(StoreOptions{KeyName: "BCD00000000"})
	s.Seed = o.Seed
	b := &builder{s: s}

	b.create(IDEMSSettings, TypeInheritLibrary)
	b.boolean(IDEMSSettings, ElemBootEMS, false)
	b.create(IDDbgSettings, TypeInheritLibrary)
	b.integer(IDDbgSettings, ElemDebugType, 0)
	b.integer(IDDbgSettings, ElemDebugPort, 1)
	b.integer(IDDbgSettings, ElemBaudRate, 115200)
	b.create(IDGlobalSettings, TypeInheritLibrary)
	b.list(IDGlobalSettings, ElemInherit, IDDbgSettings, IDEMSSettings)
	b.create(IDBootLoaderSettings, TypeInheritOSLoader)
	b.list(IDBootLoaderSettings, ElemInherit, IDGlobalSettings, IDHypervisorSettings)
	b.create(IDHypervisorSettings, TypeInheritOSLoader)
	b.str(IDHypervisorSettings, ElemDescription, "Hypervisor Settings")
	b.integer(IDHypervisorSettings, ElemHypervisorDebugType, 0)
	b.integer(IDHypervisorSettings, ElemHypervisorDebugPort, 1)
	b.integer(IDHypervisorSettings, ElemHypervisorBaudRate, 115200)

	opts := IDSetupRamdiskOptions
	b.create(opts, TypeDeviceOptions)
	b.device(opts, ElemRamdiskSDIDevice, BootDevice())
	b.str(opts, ElemRamdiskSDIPath, normPath(defaultStr(o.SDIPath, `\boot\boot.sdi`)))

	policy := uint64(1)
	if o.LegacyMenu {
		policy = 0
	}
	var loaders []GUID
	for i, im := range images {
		id := IDSetupLoader
		if i > 0 {
			id = DeriveGUID(s.seed(), "media", o.Firmware.String(), string(im.Arch), strings.ToLower(im.File))
		}
		dev := RamdiskDevice(BootDevice(), im.File, opts)
		b.create(id, TypeOSLoader)
		b.device(id, ElemDevice, dev)
		b.str(id, ElemPath, winload(o.Firmware))
		b.str(id, ElemDescription, im.Name)
		b.str(id, ElemLocale, locale)
		b.list(id, ElemInherit, IDBootLoaderSettings)
		b.device(id, ElemOSDevice, dev)
		b.str(id, ElemSystemRoot, `\windows`)
		b.integer(id, ElemBootMenuPolicy, policy)
		b.boolean(id, ElemDetectHAL, true)
		b.boolean(id, ElemWinPE, true)
		b.boolean(id, ElemEMS, false)
		loaders = append(loaders, id)
	}

	if !o.NoMemDiag {
		memtest := `\boot\memtest.exe`
		if o.Firmware == UEFI {
			memtest = `\EFI\Microsoft\Boot\memtest.efi`
		}
		b.create(IDMemDiag, TypeMemDiag)
		b.device(IDMemDiag, ElemDevice, BootDevice())
		b.str(IDMemDiag, ElemPath, memtest)
		b.str(IDMemDiag, ElemDescription, "Windows Memory Diagnostic")
		b.str(IDMemDiag, ElemLocale, locale)
		b.list(IDMemDiag, ElemInherit, IDGlobalSettings)
	}

	b.create(IDBootMgr, TypeBootMgr)
	b.str(IDBootMgr, ElemDescription, "Windows Boot Manager")
	b.str(IDBootMgr, ElemLocale, locale)
	b.list(IDBootMgr, ElemInherit, IDGlobalSettings)
	b.object(IDBootMgr, ElemDefault, loaders[o.Default])
	b.list(IDBootMgr, ElemDisplayOrder, loaders...)
	if !o.NoMemDiag {
		b.list(IDBootMgr, ElemToolsDisplayOrder, IDMemDiag)
	}
	b.integer(IDBootMgr, ElemTimeout, timeout(o.Timeout))
	if b.err != nil {
		return nil, b.err
	}
	return s, nil
}

// builder applies a sequence of edits and keeps the first error.
type builder struct {
	s   *Store
	err error
}

func (b *builder) set(id GUID, e Element, err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
	if b.err == nil {
		b.err = b.s.SetElement(id, e)
	}
}

func (b *builder) create(id GUID, t ObjectType) {
	if b.err == nil {
		b.err = b.s.CreateObject(id, t)
	}
}

func (b *builder) str(id GUID, t ElementType, v string) {
	e, err := StringElement(t, v)
	b.set(id, e, err)
}

func (b *builder) integer(id GUID, t ElementType, v uint64) {
	e, err := IntegerElement(t, v)
	b.set(id, e, err)
}

func (b *builder) boolean(id GUID, t ElementType, v bool) {
	e, err := BooleanElement(t, v)
	b.set(id, e, err)
}

func (b *builder) object(id GUID, t ElementType, v GUID) {
	e, err := ObjectElement(t, v)
	b.set(id, e, err)
}

func (b *builder) list(id GUID, t ElementType, v ...GUID) {
	e, err := ObjectListElement(t, v)
	b.set(id, e, err)
}

func (b *builder) device(id GUID, t ElementType, d *Device) {
	e, err := DeviceElement(t, d)
	b.set(id, e, err)
}

func defaultStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func defaultU64(v, def uint64) uint64 {
	if v == 0 {
		return def
	}
	return v
}

func timeout(t int) uint64 {
	switch {
	case t == 0:
		return 30
	case t < 0:
		return 0
	}
	return uint64(t)
}

// PXEMenu is one architecture- and firmware-specific store of a PXE tree.
type PXEMenu struct {
	// Path is the store's path relative to the TFTP root:
	// Boot\<arch>\default.bcd for BIOS clients (WDS's name) and
	// Boot\<arch>uefi\default.bcd for UEFI clients (after WDS's
	// <arch>uefi naming of its UEFI stores).
	Path     string
	Arch     Arch
	Firmware Firmware
	Images   []BootImage // the images this menu lists, in order
	Store    *Store
}

// PXEMenus builds every menu the images allow: for each of x86, x64 and
// arm64 with BIOS (not arm64) and UEFI firmware, a PXEStore listing the
// images MenuAllows, skipping menus with no image. o supplies the shared
// options; its Arch, Firmware, Images, FilterImages and Default are
// ignored (each menu's default is its first image).
func PXEMenus(images []BootImage, o PXEOptions) ([]PXEMenu, error) {
	if len(images) == 0 {
		return nil, ErrNoImages
	}
	for _, im := range images {
		if _, err := ParseArch(string(im.Arch)); err != nil {
			return nil, fmt.Errorf("image %q: %w", im.Name, err)
		}
	}
	var out []PXEMenu
	for _, fw := range []Firmware{BIOS, UEFI} {
		for _, arch := range []Arch{ArchX86, ArchX64, ArchARM64} {
			if arch == ArchARM64 && fw == BIOS {
				continue
			}
			list := MenuImages(arch, fw, images)
			if len(list) == 0 {
				continue
			}
			mo := o
			mo.Arch, mo.Firmware, mo.Images, mo.FilterImages, mo.Default = arch, fw, list, false, 0
			s, err := PXEStore(mo)
			if err != nil {
				return nil, fmt.Errorf("%s %s menu: %w", arch, fw, err)
			}
			dir := string(arch)
			if fw == UEFI {
				dir += "uefi"
			}
			out = append(out, PXEMenu{Path: `Boot\` + dir + `\default.bcd`, Arch: arch, Firmware: fw, Images: list, Store: s})
		}
	}
	return out, nil
}
