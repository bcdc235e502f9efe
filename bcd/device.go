package bcd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Device element layout (REG_BINARY), all integers little-endian:
//
//	+0x00 GUID   options      associated options object ({ramdiskoptions}); zero if none
//	+0x10 u32    DeviceType   boot-library descriptor: 0 block, 5 boot, 6 partition, 8 locate
//	+0x14 u32    Flags        1 on ramdisk devices, else 0
//	+0x18 u32    Size         size of the descriptor from +0x10, including this header
//	+0x1c u32    Reserved     0
//	+0x20 ...    payload
//
// Payloads (offsets relative to the descriptor start):
//
//	boot (5)       56 zero bytes                               (Size 0x48)
//	partition (6)  +0x10 16 bytes  GPT partition GUID | MBR u64 byte offset + 8 zero
//	               +0x20 u32 0 (local hard disk) +0x24 u32 style (0 GPT, 1 MBR)
//	               +0x28 16 bytes  GPT disk GUID | MBR u32 signature + 12 zero
//	               +0x38 16 zero bytes                         (Size 0x48)
//	locate (8)     +0x10 u32 locate type (0: element), +0x14 u32 element code,
//	               +0x18 u32 offset of a parent descriptor (0 = none), +0x1c UTF-16 string + NUL,
//	               parent descriptor at the given offset up to Size
//	block (0)      +0x10 u32 local device type:
//	                 3 ramdisk: u64 image base, u64 image size, u32 image offset, file path
//	                 5 file:    file path
//	                 6 vhd:     20 reserved bytes, nested descriptor (a file device)
//	file path      u32 version (1), u32 length (from the version field to the end),
//	               u32 path type (5), parent descriptor, UTF-16 path + NUL
//
// Anything else — or any element whose structured form would not re-encode
// to the same bytes — is kept verbatim as DeviceUnknown.

// DeviceKind says which device form a Device holds.
type DeviceKind int

// Device kinds.
const (
	DeviceUnknown   DeviceKind = iota // kept as raw bytes
	DeviceBoot                        // the device the boot manager was loaded from ("boot")
	DevicePartition                   // a partition by disk signature/offset (MBR) or disk/partition GUID (GPT)
	DeviceRamdisk                     // a RAM disk loaded from a file on a parent device
	DeviceFile                        // a file on a parent device
	DeviceVHD                         // a virtual disk in a file (nested file device)
	DeviceLocate                      // found at boot: the partition holding another element's path
)

var deviceKindNames = [...]string{"unknown", "boot", "partition", "ramdisk", "file", "vhd", "locate"}

func (k DeviceKind) String() string {
	if k >= 0 && int(k) < len(deviceKindNames) {
		return deviceKindNames[k]
	}
	return fmt.Sprintf("kind%d", int(k))
}

// PartitionStyle is the partitioning scheme of a partition device.
type PartitionStyle uint32

// Partition styles as stored.
const (
	StyleGPT PartitionStyle = 0
	StyleMBR PartitionStyle = 1
)

// On-disk boot-library device types and local device types.
const (
	blBlock     = 0
	blBoot      = 5
	blPartition = 6
	blLocate    = 8

	localRamdisk = 3
	localFile    = 5
	localVHD     = 6

	descHeaderSize   = 16
	partitionDescLen = 0x48
	filePathHdrLen   = 12
	ramdiskInfoLen   = 20
	vhdInfoLen       = 20

	// MaxDeviceSize bounds a device element; real ones are < 1 KiB.
	MaxDeviceSize = 64 << 10
	// maxDeviceDepth bounds descriptor nesting (locate > vhd > file > partition is 4).
	maxDeviceDepth = 8
)

// Device is a decoded device element value.
type Device struct {
	Options GUID       // associated options object, zero if none (top level only)
	Kind    DeviceKind // which fields below are meaningful

	// DevicePartition.
	Style           PartitionStyle
	DiskSignature   uint32 // MBR
	PartitionOffset uint64 // MBR, in bytes
	DiskID          GUID   // GPT
	PartitionID     GUID   // GPT

	// DeviceRamdisk, DeviceFile, DeviceVHD: Path is the file on Parent.
	// DeviceLocate: Path is the locate string (usually empty) and Parent the
	// optional device to search (a VHD).
	Path   string
	Parent *Device

	// DeviceLocate.
	LocateType    uint32
	LocateElement ElementType

	// Stored header and descriptor fields kept for an exact round trip.
	Flags       uint32
	ImageBase   uint64 // ramdisk
	ImageSize   uint64 // ramdisk
	ImageOffset uint32 // ramdisk
	PathVersion uint32 // file path descriptor version (1)
	PathType    uint32 // file path descriptor type (5)

	// DeviceUnknown: the descriptor bytes (from DeviceType on) verbatim.
	Raw []byte
}

// BootDevice returns the "boot" device.
func BootDevice() *Device { return &Device{Kind: DeviceBoot} }

// PartitionGPT returns a partition on a GPT disk.
func PartitionGPT(disk, partition GUID) *Device {
	return &Device{Kind: DevicePartition, Style: StyleGPT, DiskID: disk, PartitionID: partition}
}

// PartitionMBR returns a partition on an MBR disk, by disk signature and the
// partition's start offset in bytes.
func PartitionMBR(signature uint32, offset uint64) *Device {
	return &Device{Kind: DevicePartition, Style: StyleMBR, DiskSignature: signature, PartitionOffset: offset}
}

// RamdiskDevice returns ramdisk=[parent]path,options — a WIM (or other
// image) on parent booted as a RAM disk whose settings live in options.
func RamdiskDevice(parent *Device, path string, options GUID) *Device {
	return &Device{Kind: DeviceRamdisk, Options: options, Parent: parent, Path: normPath(path),
		Flags: 1, PathVersion: 1, PathType: 5}
}

// FileDevice returns file=[parent]path.
func FileDevice(parent *Device, path string) *Device {
	return &Device{Kind: DeviceFile, Parent: parent, Path: normPath(path), PathVersion: 1, PathType: 5}
}

// LocateDevice returns a device found at boot time: the partition that holds
// the file named by element elem of the same object (e.g. ElemPath for
// "device", ElemSystemRoot for "osdevice").
func LocateDevice(elem ElementType) *Device {
	return &Device{Kind: DeviceLocate, LocateElement: elem}
}

// VHDDevice returns vhd=[parent]path as bcdedit stores it for element elem:
// a locate device (searching for the element's path, see LocateDevice)
// inside a virtual disk file on parent.
func VHDDevice(parent *Device, path string, elem ElementType) *Device {
	vhd := &Device{Kind: DeviceVHD, Parent: FileDevice(parent, path)}
	return &Device{Kind: DeviceLocate, LocateElement: elem, Parent: vhd}
}

func normPath(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	if !strings.HasPrefix(p, `\`) {
		p = `\` + p
	}
	return p
}

// DecodeDevice decodes a device element. Known forms are decoded when they
// re-encode to exactly the same bytes; every other well-framed descriptor is
// returned as DeviceUnknown with its bytes. Malformed framing (short data,
// sizes that overrun the element, excessive nesting) is a *FormatError.
func DecodeDevice(b []byte) (*Device, error) {
	if len(b) > MaxDeviceSize {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("device element of %d bytes exceeds %d", len(b), MaxDeviceSize), Err: ErrTooLarge}
	}
	if len(b) < 16+descHeaderSize {
		return nil, devErr(len(b), "device element of %d bytes is shorter than its %d-byte header", len(b), 16+descHeaderSize)
	}
	var opts GUID
	copy(opts[:], b)
	d, n, err := decodeDescriptor(b[16:], 16, 0)
	if err != nil {
		return nil, err
	}
	d.Options = opts
	if n == len(b)-16 {
		if enc, err := d.Encode(); err == nil && bytes.Equal(enc, b) {
			return d, nil
		}
	}
	return &Device{Kind: DeviceUnknown, Options: opts, Raw: append([]byte(nil), b[16:]...)}, nil
}

// decodeDescriptor decodes one descriptor at the start of b (base is its
// offset in the element, for errors) and returns it with its size.
func decodeDescriptor(b []byte, base, depth int) (*Device, int, error) {
	if depth > maxDeviceDepth {
		return nil, 0, devErr(base, "device descriptors nested deeper than %d", maxDeviceDepth)
	}
	if len(b) < descHeaderSize {
		return nil, 0, devErr(base, "descriptor header needs %d bytes, %d left", descHeaderSize, len(b))
	}
	typ := le32(b[0:])
	flags := le32(b[4:])
	size := int(le32(b[8:]))
	if size < descHeaderSize || size > len(b) {
		return nil, 0, devErr(base+8, "descriptor size %d outside [%d, %d]", size, descHeaderSize, len(b))
	}
	raw := &Device{Kind: DeviceUnknown, Raw: append([]byte(nil), b[:size]...)}
	if le32(b[12:]) != 0 {
		return raw, size, nil
	}
	p := b[descHeaderSize:size]
	var d *Device
	var err error
	switch typ {
	case blBoot:
		if size == partitionDescLen && allZero(p) {
			d = &Device{Kind: DeviceBoot}
		}
	case blPartition:
		d = decodePartition(p)
	case blLocate:
		d, err = decodeLocate(b[:size], base, depth)
	case blBlock:
		d, err = decodeBlock(p, base+descHeaderSize, depth)
	}
	if err != nil {
		return nil, 0, err
	}
	if d == nil {
		return raw, size, nil
	}
	d.Flags = flags
	return d, size, nil
}

func decodePartition(p []byte) *Device {
	if len(p) != partitionDescLen-descHeaderSize || le32(p[16:]) != 0 || !allZero(p[40:56]) {
		return nil
	}
	switch PartitionStyle(le32(p[20:])) {
	case StyleGPT:
		d := &Device{Kind: DevicePartition, Style: StyleGPT}
		copy(d.PartitionID[:], p[0:16])
		copy(d.DiskID[:], p[24:40])
		return d
	case StyleMBR:
		if !allZero(p[8:16]) || !allZero(p[28:40]) {
			return nil
		}
		return &Device{Kind: DevicePartition, Style: StyleMBR,
			PartitionOffset: binary.LittleEndian.Uint64(p[0:]), DiskSignature: le32(p[24:])}
	}
	return nil
}

// decodeLocate decodes a locate descriptor; desc includes the header.
func decodeLocate(desc []byte, base, depth int) (*Device, error) {
	const strOff = descHeaderSize + 12
	if len(desc) < strOff+2 {
		return nil, nil
	}
	d := &Device{Kind: DeviceLocate, LocateType: le32(desc[16:]), LocateElement: ElementType(le32(desc[20:]))}
	parentOff := int(le32(desc[24:]))
	strEnd := len(desc)
	if parentOff != 0 {
		if parentOff < strOff+2 || parentOff > len(desc)-descHeaderSize {
			return nil, devErr(base+24, "locate parent offset 0x%x outside the descriptor (size 0x%x)", parentOff, len(desc))
		}
		strEnd = parentOff
		parent, n, err := decodeDescriptor(desc[parentOff:], base+parentOff, depth+1)
		if err != nil {
			return nil, err
		}
		if parentOff+n != len(desc) {
			return nil, nil
		}
		d.Parent = parent
	}
	s, ok := utf16z(desc[strOff:strEnd])
	if !ok {
		return nil, nil
	}
	d.Path = s
	return d, nil
}

// decodeBlock decodes the payload of a block (type 0) descriptor.
func decodeBlock(p []byte, base, depth int) (*Device, error) {
	if len(p) < 4 {
		return nil, nil
	}
	switch le32(p) {
	case localRamdisk:
		if len(p) < 4+ramdiskInfoLen {
			return nil, nil
		}
		d := &Device{Kind: DeviceRamdisk, ImageBase: binary.LittleEndian.Uint64(p[4:]),
			ImageSize: binary.LittleEndian.Uint64(p[12:]), ImageOffset: le32(p[20:])}
		ok, err := decodeFilePath(d, p[4+ramdiskInfoLen:], base+4+ramdiskInfoLen, depth)
		if err != nil || !ok {
			return nil, err
		}
		return d, nil
	case localFile:
		d := &Device{Kind: DeviceFile}
		ok, err := decodeFilePath(d, p[4:], base+4, depth)
		if err != nil || !ok {
			return nil, err
		}
		return d, nil
	case localVHD:
		if len(p) < 4+vhdInfoLen+descHeaderSize || !allZero(p[4:4+vhdInfoLen]) {
			return nil, nil
		}
		inner, n, err := decodeDescriptor(p[4+vhdInfoLen:], base+4+vhdInfoLen, depth+1)
		if err != nil {
			return nil, err
		}
		if 4+vhdInfoLen+n != len(p) {
			return nil, nil
		}
		return &Device{Kind: DeviceVHD, Parent: inner}, nil
	}
	return nil, nil
}

// decodeFilePath fills Path, Parent, PathVersion and PathType from a file
// path descriptor that must span fp exactly.
func decodeFilePath(d *Device, fp []byte, base, depth int) (bool, error) {
	if len(fp) < filePathHdrLen+descHeaderSize {
		return false, nil
	}
	if int(le32(fp[4:])) != len(fp) {
		return false, nil
	}
	d.PathVersion, d.PathType = le32(fp), le32(fp[8:])
	parent, n, err := decodeDescriptor(fp[filePathHdrLen:], base+filePathHdrLen, depth+1)
	if err != nil {
		return false, err
	}
	s, ok := utf16z(fp[filePathHdrLen+n:])
	if !ok {
		return false, nil
	}
	d.Parent, d.Path = parent, s
	return true, nil
}

// Encode returns the element bytes of d.
func (d *Device) Encode() ([]byte, error) {
	desc, err := d.encodeDescriptor(0)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 16, 16+len(desc))
	copy(out, d.Options[:])
	out = append(out, desc...)
	if len(out) > MaxDeviceSize {
		return nil, fmt.Errorf("%w: device element of %d bytes", ErrTooLarge, len(out))
	}
	return out, nil
}

func (d *Device) encodeDescriptor(depth int) ([]byte, error) {
	if depth > maxDeviceDepth {
		return nil, fmt.Errorf("%w: devices nested deeper than %d", ErrBadArgs, maxDeviceDepth)
	}
	if strings.ContainsRune(d.Path, 0) {
		return nil, fmt.Errorf("%w: device path contains NUL", ErrBadArgs)
	}
	var typ uint32
	var p []byte
	switch d.Kind {
	case DeviceUnknown:
		if len(d.Raw) < descHeaderSize {
			return nil, fmt.Errorf("%w: unknown device has %d raw bytes", ErrBadArgs, len(d.Raw))
		}
		return append([]byte(nil), d.Raw...), nil
	case DeviceBoot:
		typ, p = blBoot, make([]byte, partitionDescLen-descHeaderSize)
	case DevicePartition:
		typ, p = blPartition, make([]byte, partitionDescLen-descHeaderSize)
		binary.LittleEndian.PutUint32(p[20:], uint32(d.Style))
		switch d.Style {
		case StyleGPT:
			copy(p[0:16], d.PartitionID[:])
			copy(p[24:40], d.DiskID[:])
		case StyleMBR:
			binary.LittleEndian.PutUint64(p[0:], d.PartitionOffset)
			binary.LittleEndian.PutUint32(p[24:], d.DiskSignature)
		default:
			return nil, fmt.Errorf("%w: partition style %d", ErrBadArgs, d.Style)
		}
	case DeviceLocate:
		typ = blLocate
		p = le32b(nil, d.LocateType)
		p = le32b(p, uint32(d.LocateElement))
		str := utf16zBytes(d.Path)
		if d.Parent != nil {
			par, err := d.Parent.encodeDescriptor(depth + 1)
			if err != nil {
				return nil, err
			}
			p = le32b(p, uint32(descHeaderSize+12+len(str)))
			p = append(p, str...)
			p = append(p, par...)
		} else {
			p = le32b(p, 0)
			p = append(p, str...)
		}
	case DeviceRamdisk, DeviceFile:
		if d.Parent == nil {
			return nil, fmt.Errorf("%w: %s device needs a parent device", ErrBadArgs, d.Kind)
		}
		par, err := d.Parent.encodeDescriptor(depth + 1)
		if err != nil {
			return nil, err
		}
		str := utf16zBytes(d.Path)
		if d.Kind == DeviceRamdisk {
			p = le32b(nil, localRamdisk)
			p = binary.LittleEndian.AppendUint64(p, d.ImageBase)
			p = binary.LittleEndian.AppendUint64(p, d.ImageSize)
			p = le32b(p, d.ImageOffset)
		} else {
			p = le32b(nil, localFile)
		}
		p = le32b(p, d.PathVersion)
		p = le32b(p, uint32(filePathHdrLen+len(par)+len(str)))
		p = le32b(p, d.PathType)
		p = append(p, par...)
		p = append(p, str...)
	case DeviceVHD:
		if d.Parent == nil {
			return nil, fmt.Errorf("%w: vhd device needs a file device", ErrBadArgs)
		}
		inner, err := d.Parent.encodeDescriptor(depth + 1)
		if err != nil {
			return nil, err
		}
		p = le32b(nil, localVHD)
		p = append(p, make([]byte, vhdInfoLen)...)
		p = append(p, inner...)
	default:
		return nil, fmt.Errorf("%w: device kind %d", ErrBadArgs, int(d.Kind))
	}
	h := le32b(nil, typ)
	h = le32b(h, d.Flags)
	h = le32b(h, uint32(descHeaderSize+len(p)))
	h = le32b(h, 0)
	return append(h, p...), nil
}

// String renders the device the way bcdedit /enum does where that is
// possible offline: "boot", "ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}",
// "locate=custom:12000002", "vhd=[…]\x.vhdx", "file=[…]\x". Partitions have no
// drive letter offline and print as "partition=gpt:{disk}:{partition}" or
// "partition=mbr:0xSIGNATURE:0xOFFSET"; ParseDevice accepts the same forms.
func (d *Device) String() string { return d.Text(Alias) }

// Text is String with a caller's rendering of the options identifier (for
// example GUIDs instead of aliases, as bcdedit /v prints them).
func (d *Device) Text(ident func(GUID) string) string {
	switch d.Kind {
	case DeviceBoot:
		return "boot"
	case DevicePartition:
		return "partition=" + d.partitionRef()
	case DeviceRamdisk:
		s := "ramdisk=[" + d.Parent.parentRef() + "]" + d.Path
		if !d.Options.IsNil() {
			s += "," + ident(d.Options)
		}
		return s
	case DeviceFile:
		return "file=[" + d.Parent.parentRef() + "]" + d.Path
	case DeviceVHD:
		if d.Parent != nil && d.Parent.Kind == DeviceFile {
			return "vhd=[" + d.Parent.Parent.parentRef() + "]" + d.Parent.Path
		}
		return "vhd"
	case DeviceLocate:
		if d.Parent != nil && d.Parent.Kind == DeviceVHD && d.LocateType == 0 && d.Path == "" {
			return d.Parent.Text(ident)
		}
		if d.LocateType == 0 && d.Path == "" {
			return "locate=custom:" + d.LocateElement.KeyName()
		}
		return "locate=" + d.Path
	}
	return "unknown"
}

func (d *Device) partitionRef() string {
	if d.Style == StyleGPT {
		return "gpt:" + d.DiskID.String() + ":" + d.PartitionID.String()
	}
	return fmt.Sprintf("mbr:0x%08x:0x%x", d.DiskSignature, d.PartitionOffset)
}

// parentRef is the text inside the brackets of ramdisk=[…] and file=[…].
func (d *Device) parentRef() string {
	if d == nil {
		return "?"
	}
	switch d.Kind {
	case DeviceBoot:
		return "boot"
	case DevicePartition:
		return d.partitionRef()
	case DeviceLocate:
		return "locate"
	}
	return d.String()
}

// ParseDevice parses a device value as `bcdedit /set` takes it. elem is the
// element being set (it picks what a bare "locate" or a "vhd=" searches for).
// Accepted forms:
//
//	boot
//	partition=gpt:{disk-guid}:{partition-guid}
//	partition=mbr:SIGNATURE:OFFSET            (hex with 0x, or decimal; offset in bytes)
//	ramdisk=[PARENT]\path\boot.wim,{options}  (PARENT: boot, gpt:…, mbr:…)
//	file=[PARENT]\path
//	vhd=[PARENT]\path\disk.vhdx
//	locate | locate=custom:XXXXXXXX
//
// Drive letters (partition=C:, [C:]) name volumes of a running system and are
// refused with ErrOfflineDevice.
func ParseDevice(s string, elem ElementType) (*Device, error) {
	t := strings.TrimSpace(s)
	key, val, hasVal := strings.Cut(t, "=")
	switch strings.ToLower(key) {
	case "boot":
		if hasVal {
			break
		}
		return BootDevice(), nil
	case "partition":
		return parsePartitionRef(val)
	case "locate":
		if !hasVal || val == "" {
			e, err := defaultLocate(elem)
			if err != nil {
				return nil, err
			}
			return LocateDevice(e), nil
		}
		if c, ok := strings.CutPrefix(strings.ToLower(val), "custom:"); ok {
			e, err := ParseElementKey(c)
			if err != nil {
				return nil, fmt.Errorf("%w: %q: %v", ErrDeviceSyntax, s, err)
			}
			return LocateDevice(e), nil
		}
		return nil, fmt.Errorf("%w: %q: only locate and locate=custom:XXXXXXXX are supported", ErrDeviceSyntax, s)
	case "ramdisk", "file", "vhd":
		parent, rest, err := parseBracketParent(val)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		path := rest
		opts := Nil
		key = strings.ToLower(key)
		if key == "ramdisk" {
			if i := strings.LastIndex(rest, ","); i >= 0 {
				path = rest[:i]
				opts, err = ParseID(strings.TrimSpace(rest[i+1:]))
				if err != nil {
					return nil, fmt.Errorf("%w: %q: options object: %v", ErrDeviceSyntax, s, err)
				}
			}
		}
		if strings.ContainsRune(path, 0) {
			return nil, fmt.Errorf("%w: %q: path contains NUL", ErrDeviceSyntax, s)
		}
		if path == "" || !strings.HasPrefix(path, `\`) {
			return nil, fmt.Errorf("%w: %q: the path after [device] must start with \\", ErrDeviceSyntax, s)
		}
		switch key {
		case "ramdisk":
			return RamdiskDevice(parent, path, opts), nil
		case "file":
			return FileDevice(parent, path), nil
		default:
			e, err := defaultLocate(elem)
			if err != nil {
				return nil, err
			}
			return VHDDevice(parent, path, e), nil
		}
	}
	return nil, fmt.Errorf("%w: %q (want boot, partition=gpt:…|mbr:…, ramdisk=[…]\\path,{options}, file=[…]\\path, vhd=[…]\\path or locate)", ErrDeviceSyntax, s)
}

// defaultLocate is the element a bare "locate" searches for.
func defaultLocate(elem ElementType) (ElementType, error) {
	switch elem {
	case ElemDevice:
		return ElemPath, nil
	case ElemOSDevice:
		return ElemSystemRoot, nil
	}
	return 0, fmt.Errorf("%w: locate for element %s needs locate=custom:XXXXXXXX", ErrDeviceSyntax, elem)
}

func parseBracketParent(v string) (*Device, string, error) {
	if !strings.HasPrefix(v, "[") {
		return nil, "", fmt.Errorf("%w: expected [device] before the path", ErrDeviceSyntax)
	}
	end := strings.Index(v, "]")
	if end < 0 {
		return nil, "", fmt.Errorf("%w: missing ]", ErrDeviceSyntax)
	}
	ref, rest := v[1:end], v[end+1:]
	switch {
	case strings.EqualFold(ref, "boot"):
		return BootDevice(), rest, nil
	case strings.EqualFold(ref, "locate"):
		return nil, "", fmt.Errorf("%w: [locate] parents are not supported", ErrDeviceSyntax)
	}
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "partition="), "PARTITION=")
	d, err := parsePartitionRef(ref)
	return d, rest, err
}

func parsePartitionRef(v string) (*Device, error) {
	if len(v) == 2 && v[1] == ':' || strings.HasPrefix(v, `\Device\`) || strings.HasPrefix(v, `\\?\`) {
		return nil, fmt.Errorf("%w: %q names a volume of the running system; an offline store needs partition=gpt:{disk-guid}:{partition-guid}, partition=mbr:SIGNATURE:OFFSET, boot or locate", ErrOfflineDevice, v)
	}
	style, rest, ok := strings.Cut(v, ":")
	if !ok {
		return nil, fmt.Errorf("%w: partition %q: want gpt:{disk}:{partition} or mbr:SIGNATURE:OFFSET", ErrDeviceSyntax, v)
	}
	a, b, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, fmt.Errorf("%w: partition %q: want gpt:{disk}:{partition} or mbr:SIGNATURE:OFFSET", ErrDeviceSyntax, v)
	}
	switch strings.ToLower(style) {
	case "gpt":
		disk, err1 := ParseGUID(a)
		part, err2 := ParseGUID(b)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: partition %q: bad GUID", ErrDeviceSyntax, v)
		}
		return PartitionGPT(disk, part), nil
	case "mbr":
		sig, err1 := parseUint(a, 32)
		off, err2 := parseUint(b, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: partition %q: bad signature or offset", ErrDeviceSyntax, v)
		}
		return PartitionMBR(uint32(sig), off), nil
	}
	return nil, fmt.Errorf("%w: partition %q: style must be gpt or mbr", ErrDeviceSyntax, v)
}

// DevicesEqual reports whether two devices encode to the same bytes.
func DevicesEqual(a, b *Device) bool {
	x, err1 := a.Encode()
	y, err2 := b.Encode()
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

func le32b(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// utf16z decodes a UTF-16LE string that ends with exactly one NUL at the end
// of b. It reports false for odd lengths, missing or early terminators.
func utf16z(b []byte) (string, bool) {
	if len(b) < 2 || len(b)%2 != 0 {
		return "", false
	}
	n := len(b)/2 - 1
	if b[2*n] != 0 || b[2*n+1] != 0 {
		return "", false
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
		if u[i] == 0 {
			return "", false
		}
	}
	return string(utf16.Decode(u)), true
}

func utf16zBytes(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return append(b, 0, 0)
}
