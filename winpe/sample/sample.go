package sample

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wimbuild/wimbuild/bcd"
	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe"
)

// Options choose what the sample base looks like.
type Options struct {
	// Arch is the architecture (default amd64).
	Arch winpe.Arch
	// Version is the WinPE version in the WIM XML and the SOFTWARE hive
	// (default 10.0.19041.1, Windows 10 2004: old enough for WDS-mode Setup).
	Version winpe.Version
	// Time is every timestamp in the image, as Unix seconds (default
	// 2024-01-01T00:00:00Z).
	Time int64
	// FillerBytes is the approximate size of filler content (default
	// 100 MiB; 0 uses the default, negative means none).
	FillerBytes int64
	// BCD, if set, returns the bytes of the BCD stores placed in
	// \Windows\Boot\DVD\PCAT\BCD (uefi false) and \Windows\Boot\DVD\EFI\BCD
	// (uefi true). When nil, the Windows PE media store of the bcd
	// package's media preset is used.
	BCD func(arch winpe.Arch, uefi bool) ([]byte, error)
	// Cancel, once closed, stops Build (which generates every file once to
	// hash it: a few seconds for the default filler); it returns
	// ErrCanceled.
	Cancel <-chan struct{}
}

// ErrCanceled is Build's error after Options.Cancel was closed.
var ErrCanceled = errors.New("sample: generation canceled")

// DefaultFillerBytes is the filler size of a default sample base.
const DefaultFillerBytes = 100 << 20

func (o *Options) defaults() error {
	if o.Arch == "" {
		o.Arch = winpe.ArchAMD64
	}
	if o.Arch.WIMArch() < 0 {
		return fmt.Errorf("sample: unsupported architecture %q", o.Arch)
	}
	if o.Version == (winpe.Version{}) {
		o.Version = winpe.Version{Major: 10, Minor: 0, Build: 19041, SPBuild: 1}
	}
	if o.Time == 0 {
		o.Time = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	}
	if o.FillerBytes == 0 {
		o.FillerBytes = DefaultFillerBytes
	}
	return nil
}

// Base is a generated base: two images sharing blobs, and the blobs.
type Base struct {
	Images    []*wim.Image
	Blobs     *wim.BlobSet
	BootIndex int
}

// FileTime converts Unix seconds to a Windows FILETIME.
func FileTime(unix int64) uint64 {
	return uint64(unix+11644473600) * 10000000
}

type builder struct {
	o     Options
	img   *wim.Image
	blobs *wim.BlobSet
	ft    uint64
	sd    int32
	seq   uint64
}

// Build generates the sample base.
func Build(o Options) (*Base, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	b := &builder{o: o, blobs: wim.NewBlobSet(), ft: FileTime(o.Time)}
	archName := map[winpe.Arch]string{winpe.ArchAMD64: "amd64", winpe.ArchX86: "x86", winpe.ArchARM64: "arm64"}[o.Arch]
	b.img = wim.NewImage(fmt.Sprintf("Microsoft Windows PE (%s)", archName))
	b.sd = b.img.AddSecurityDescriptor(defaultSD())
	root := b.img.Root.Inode
	root.SecurityID = b.sd
	root.CreationTime, root.LastAccessTime, root.LastWriteTime = b.ft, b.ft, b.ft
	if err := b.populate(); err != nil {
		return nil, err
	}
	pe := b.img
	if err := setInfo(&pe.Info, o, fmt.Sprintf("Microsoft Windows PE (%s)", archName), "9"); err != nil {
		return nil, err
	}
	// Image 2: the same tree plus Setup.
	setup := pe.Clone()
	b.img = setup
	for _, f := range []struct {
		path string
		size int64
	}{{`\sources\setup.exe`, 300 << 10}, {`\sources\setupprep.exe`, 120 << 10}, {`\sources\setuphost.exe`, 200 << 10}, {`\sources\wdsclient.dll`, 180 << 10}} {
		if err := b.addGen(f.path, kindPE, f.size); err != nil {
			return nil, err
		}
	}
	if err := b.addBytes(`\sources\lang.ini`, []byte("[Available UI Languages]\r\nen-US = 3\r\n\r\n[Fallback Languages]\r\nen-US = en-us\r\n")); err != nil {
		return nil, err
	}
	if err := setInfo(&setup.Info, o, fmt.Sprintf("Microsoft Windows Setup (%s)", archName), "2"); err != nil {
		return nil, err
	}
	return &Base{Images: []*wim.Image{pe, setup}, Blobs: b.blobs, BootIndex: 2}, nil
}

func setInfo(in *wim.ImageInfo, o Options, name, flags string) error {
	in.Name = name
	in.Description = name
	in.Flags = flags
	in.CreationTime = FileTime(o.Time)
	in.LastModificationTime = FileTime(o.Time)
	v := o.Version
	props := [][2]string{
		{"WINDOWS/ARCH", strconv.Itoa(o.Arch.WIMArch())},
		{"WINDOWS/PRODUCTNAME", "Microsoft\u00ae Windows\u00ae Operating System"},
		{"WINDOWS/EDITIONID", "WindowsPE"},
		{"WINDOWS/INSTALLATIONTYPE", "WindowsPE"},
		{"WINDOWS/PRODUCTTYPE", "WinNT"},
		{"WINDOWS/PRODUCTSUITE", "Terminal Server"},
		{"WINDOWS/LANGUAGES/LANGUAGE", "en-US"},
		{"WINDOWS/LANGUAGES/DEFAULT", "en-US"},
		{"WINDOWS/VERSION/MAJOR", strconv.Itoa(v.Major)},
		{"WINDOWS/VERSION/MINOR", strconv.Itoa(v.Minor)},
		{"WINDOWS/VERSION/BUILD", strconv.Itoa(v.Build)},
		{"WINDOWS/VERSION/SPBUILD", strconv.Itoa(v.SPBuild)},
		{"WINDOWS/VERSION/SPLEVEL", "0"},
		{"WINDOWS/SYSTEMROOT", "WINDOWS"},
	}
	for _, p := range props {
		if err := in.SetProperty(p[0], p[1]); err != nil {
			return fmt.Errorf("sample: %s: %w", p[0], err)
		}
	}
	return nil
}

// defaultSD is a self-relative security descriptor: owner Administrators,
// group SYSTEM, DACL granting full control to Administrators and SYSTEM
// and read/execute to Everyone, inherited by children.
func defaultSD() []byte {
	sid := func(auth byte, subs ...uint32) []byte {
		b := []byte{1, byte(len(subs)), 0, 0, 0, 0, 0, auth}
		for _, s := range subs {
			b = binary.LittleEndian.AppendUint32(b, s)
		}
		return b
	}
	admins := sid(5, 32, 544)
	system := sid(5, 18)
	everyone := sid(1, 0)
	ace := func(mask uint32, s []byte) []byte {
		b := []byte{0 /* ACCESS_ALLOWED */, 0x03 /* OI|CI */}
		b = binary.LittleEndian.AppendUint16(b, uint16(8+len(s)))
		b = binary.LittleEndian.AppendUint32(b, mask)
		return append(b, s...)
	}
	aces := append(append(ace(0x001F01FF, admins), ace(0x001F01FF, system)...), ace(0x001200A9, everyone)...)
	acl := []byte{2, 0}
	acl = binary.LittleEndian.AppendUint16(acl, uint16(8+len(aces)))
	acl = binary.LittleEndian.AppendUint16(acl, 3)
	acl = append(acl, 0, 0)
	acl = append(acl, aces...)
	const hdr = 20
	sd := []byte{1, 0}
	sd = binary.LittleEndian.AppendUint16(sd, 0x8004)                              // SE_SELF_RELATIVE | SE_DACL_PRESENT
	sd = binary.LittleEndian.AppendUint32(sd, hdr)                                 // owner
	sd = binary.LittleEndian.AppendUint32(sd, uint32(hdr+len(admins)))             // group
	sd = binary.LittleEndian.AppendUint32(sd, 0)                                   // no SACL
	sd = binary.LittleEndian.AppendUint32(sd, uint32(hdr+len(admins)+len(system))) // DACL
	sd = append(sd, admins...)
	sd = append(sd, system...)
	return append(sd, acl...)
}

func (b *builder) inode(attrs uint32) *wim.Inode {
	return &wim.Inode{Attributes: attrs, SecurityID: b.sd, CreationTime: b.ft, LastAccessTime: b.ft, LastWriteTime: b.ft}
}

func (b *builder) mkdir(path string) error {
	_, err := b.img.MkdirAll(path)
	return err
}

func (b *builder) addStream(path string, h wim.Hash, size int64) (*wim.Inode, error) {
	in := b.inode(wim.AttrArchive)
	in.Data = wim.Stream{Hash: h, Size: size}
	if _, err := b.img.AddFile(path, in); err != nil {
		return nil, fmt.Errorf("sample: %s: %w", path, err)
	}
	return in, nil
}

func (b *builder) addBytes(path string, data []byte) error {
	var h wim.Hash
	if len(data) > 0 {
		h = b.blobs.AddBytes(data)
	}
	_, err := b.addStream(path, h, int64(len(data)))
	return err
}

// addGen adds a generated file; the seed derives from the path, so content
// does not depend on generation order.
func (b *builder) addGen(path string, k kind, size int64) error {
	_, err := b.addGenInode(path, k, size)
	return err
}

func (b *builder) addGenInode(path string, k kind, size int64) (*wim.Inode, error) {
	seed := uint64(1469598103934665603)
	for _, c := range strings.ToLower(path) + string(b.o.Arch) {
		seed = (seed ^ uint64(c)) * 1099511628211
	}
	head := []byte{}
	switch k {
	case kindPE:
		head = append([]byte("MZ\x90\x00"), placeholder+": "+path+"\r\n"...)
	case kindFont:
		head = append([]byte{0, 1, 0, 0}, placeholder...)
	case kindText:
		head = []byte("; " + placeholder + "\r\n")
	case kindMUI:
		head = []byte("MZ\x90\x00" + placeholder + "\r\n")
	}
	if int64(len(head)) > size {
		size = int64(len(head))
	}
	select {
	case <-b.o.Cancel:
		return nil, ErrCanceled
	default:
	}
	g := &genBlob{seed: seed, kind: k, size: size, head: head}
	h := g.hash()
	b.blobs.Add(h, g)
	return b.addStream(path, h, size)
}

// Hive returns the generated hive named name ("SYSTEM", "SOFTWARE" or
// "DEFAULT") for o, serialized.
func Hive(name string, o Options) ([]byte, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	h := regf.New(regf.WithRootName(hiveRoot(name)), regf.WithTime(FileTime(o.Time)))
	set := func(key string, f func(k *regf.Key) error) error {
		k, err := h.CreateKey(key)
		if err != nil {
			return err
		}
		return f(k)
	}
	var err error
	v := o.Version
	switch name {
	case "SYSTEM":
		err = errors.Join(
			set(`Select`, func(k *regf.Key) error {
				return errors.Join(k.SetDWORD("Current", 1), k.SetDWORD("Default", 1), k.SetDWORD("Failed", 0), k.SetDWORD("LastKnownGood", 1))
			}),
			set(`ControlSet001\Control\ComputerName\ComputerName`, func(k *regf.Key) error { return k.SetString("ComputerName", "MINWINPC") }),
			set(`ControlSet001\Control\MiniNT`, func(k *regf.Key) error { return nil }),
			set(`ControlSet001\Control\Nls\Language`, func(k *regf.Key) error {
				return errors.Join(k.SetString("Default", "0409"), k.SetString("InstallLanguage", "0409"))
			}),
			set(`ControlSet001\Services\FBWF`, func(k *regf.Key) error {
				return errors.Join(k.SetDWORD("Start", 0), k.SetDWORD("Type", 2), k.SetDWORD(winpe.ScratchSpaceValue, 32))
			}),
			set(`ControlSet001\Services\Tcpip\Parameters`, func(k *regf.Key) error { return k.SetString("Hostname", "minint") }),
			set(`Setup`, func(k *regf.Key) error {
				return errors.Join(k.SetString("CmdLine", "winpeshl.exe"), k.SetDWORD("SystemSetupInProgress", 1), k.SetDWORD("SetupType", 2))
			}),
		)
	case "SOFTWARE":
		err = set(`Microsoft\Windows NT\CurrentVersion`, func(k *regf.Key) error {
			return errors.Join(
				k.SetString("ProductName", "Microsoft Windows PE"),
				k.SetString("EditionID", "WindowsPE"),
				k.SetString("InstallationType", "WindowsPE"),
				k.SetString("CurrentBuild", strconv.Itoa(v.Build)),
				k.SetString("CurrentBuildNumber", strconv.Itoa(v.Build)),
				k.SetDWORD("CurrentMajorVersionNumber", uint32(v.Major)),
				k.SetDWORD("CurrentMinorVersionNumber", uint32(v.Minor)),
				k.SetDWORD("UBR", uint32(v.SPBuild)),
				k.SetString("CurrentVersion", "6.3"),
				k.SetExpandString("SystemRoot", `X:\windows`),
				k.SetString("PathName", `X:\windows`),
			)
		})
	case "DEFAULT":
		err = errors.Join(
			set(`Control Panel\International`, func(k *regf.Key) error {
				return errors.Join(k.SetString("LocaleName", "en-US"), k.SetString("sLanguage", "ENU"), k.SetString("Locale", "00000409"))
			}),
			set(`Control Panel\Desktop`, func(k *regf.Key) error { return k.SetString("Wallpaper", `X:\windows\system32\winpe.jpg`) }),
		)
	default:
		return nil, fmt.Errorf("sample: unknown hive %q", name)
	}
	if err != nil {
		return nil, fmt.Errorf("sample: building %s hive: %w", name, err)
	}
	return h.Marshal()
}

func hiveRoot(name string) string {
	if name == "DEFAULT" {
		return `.DEFAULT`
	}
	return name
}

// mediaBCD is the store Windows PE media carry (\boot\bcd for BIOS,
// \efi\microsoft\boot\bcd for UEFI), made by the bcd package's media preset.
func mediaBCD(arch winpe.Arch, uefi bool) ([]byte, error) {
	a := bcd.ArchX64
	switch arch {
	case winpe.ArchX86:
		a = bcd.ArchX86
	case winpe.ArchARM64:
		a = bcd.ArchARM64
	}
	fw := bcd.BIOS
	if uefi {
		fw = bcd.UEFI
	}
	st, err := bcd.MediaStore(bcd.MediaOptions{Arch: a, Firmware: fw, Seed: "wimbuild-sample"})
	if err != nil {
		return nil, err
	}
	return st.Marshal()
}

func (b *builder) populate() error {
	o := b.o
	for _, d := range []string{`\Windows\System32\config`, `\Windows\System32\drivers`, `\Windows\System32\en-US`,
		`\Windows\Boot\PXE`, `\Windows\Boot\DVD\PCAT`, `\Windows\Boot\DVD\EFI`, `\Windows\Boot\EFI`, `\Windows\Boot\Fonts`,
		`\Windows\Fonts`, `\Windows\inf`, `\Windows\WinSxS`, `\Windows\Temp`, `\Program Files`, `\Users\Default`, `\sources`} {
		if err := b.mkdir(d); err != nil {
			return err
		}
	}
	for _, name := range []string{"SYSTEM", "SOFTWARE", "DEFAULT"} {
		hive, err := Hive(name, o)
		if err != nil {
			return err
		}
		if err := b.addBytes(`\Windows\System32\config\`+name, hive); err != nil {
			return err
		}
	}
	for _, uefi := range []bool{false, true} {
		var store []byte
		var err error
		if o.BCD != nil {
			store, err = o.BCD(o.Arch, uefi)
		} else {
			store, err = mediaBCD(o.Arch, uefi)
		}
		if err != nil {
			return fmt.Errorf("sample: BCD store: %w", err)
		}
		p := `\Windows\Boot\DVD\PCAT\BCD`
		if uefi {
			p = `\Windows\Boot\DVD\EFI\BCD`
		}
		if err := b.addBytes(p, store); err != nil {
			return err
		}
	}
	if err := b.addBytes(`\Windows\System32\startnet.cmd`, []byte(winpe.DefaultStartnet)); err != nil {
		return err
	}
	pe := []struct {
		path string
		size int64
	}{
		{`\Windows\System32\winpeshl.exe`, 60 << 10}, {`\Windows\System32\wpeinit.exe`, 80 << 10},
		{`\Windows\System32\wdscapture.exe`, 400 << 10}, {`\Windows\System32\cmd.exe`, 280 << 10},
		{`\Windows\System32\winload.exe`, 1500 << 10}, {`\Windows\System32\winload.efi`, 1700 << 10},
		{`\Windows\System32\ntoskrnl.exe`, 2 << 20}, {`\Windows\System32\hal.dll`, 100 << 10},
		{`\Windows\System32\drivers\fbwf.sys`, 60 << 10},
		{`\Windows\Boot\PXE\pxeboot.com`, 25 << 10}, {`\Windows\Boot\PXE\pxeboot.n12`, 25 << 10},
		{`\Windows\Boot\PXE\bootmgr.exe`, 1200 << 10}, {`\Windows\Boot\PXE\wdsnbp.com`, 30 << 10},
		{`\Windows\Boot\PXE\abortpxe.com`, 1 << 10}, {`\Windows\Boot\PXE\wdsmgfw.efi`, 1400 << 10},
		{`\Windows\Boot\DVD\PCAT\etfsboot.com`, 4 << 10}, {`\Windows\Boot\DVD\EFI\efisys.bin`, 1440 << 10},
		{`\Windows\Boot\DVD\EFI\efisys_noprompt.bin`, 1440 << 10},
		{`\Windows\Boot\EFI\bootmgfw.efi`, 1900 << 10}, {`\Windows\Boot\EFI\bootmgr.efi`, 1900 << 10},
		{`\Windows\Boot\PCAT\bootmgr`, 400 << 10},
	}
	for _, f := range pe {
		if err := b.addGen(f.path, kindPE, f.size); err != nil {
			return err
		}
	}
	for _, p := range []string{`\Windows\Boot\DVD\PCAT\boot.sdi`, `\Windows\Boot\DVD\EFI\boot.sdi`} {
		// boot.sdi is a System Deployment Image ("$SDI0001" magic).
		head := append([]byte("$SDI0001"), placeholder...)
		if err := b.addBytes(p, append(head, make([]byte, 3<<20-len(head))...)); err != nil {
			return err
		}
	}
	for _, f := range []string{"wgl4_boot.ttf", "segmono_boot.ttf", "segoe_slboot.ttf"} {
		if err := b.addGen(`\Windows\Boot\Fonts\`+f, kindFont, 50<<10); err != nil {
			return err
		}
	}
	return b.filler()
}

// filler adds files shaped like a WinPE image until FillerBytes is reached.
func (b *builder) filler() error {
	if b.o.FillerBytes < 0 {
		return nil
	}
	r := &rng{s: uint64(b.o.FillerBytes)*31 + uint64(b.o.Arch.WIMArch())}
	var total int64
	for i := 0; total < b.o.FillerBytes; i++ {
		var size int64
		switch x := r.intn(100); {
		case x < 78:
			size = int64(256 + r.intn(16<<10))
		case x < 97:
			size = int64(16<<10 + r.intn(184<<10))
		default:
			size = int64(200<<10 + r.intn(1300<<10))
		}
		if rem := b.o.FillerBytes - total; size > rem {
			size = rem
		}
		var path string
		var k kind
		switch x := r.intn(100); {
		case x < 55:
			path, k = fmt.Sprintf(`\Windows\System32\wbsample%04d.dll`, i), kindPE
		case x < 65:
			path, k = fmt.Sprintf(`\Windows\System32\drivers\wbsmpl%04d.sys`, i), kindPE
		case x < 85:
			path, k = fmt.Sprintf(`\Windows\System32\en-US\wbsample%04d.dll.mui`, i), kindMUI
			size /= 4
		case x < 95:
			path, k = fmt.Sprintf(`\Windows\inf\wbsmpl%04d.inf`, i), kindText
			size /= 8
		default:
			path, k = fmt.Sprintf(`\Windows\Fonts\wbsmpl%04d.ttf`, i), kindFont
		}
		if size < 1 {
			size = 1
		}
		in, err := b.addGenInode(path, k, size)
		if err != nil {
			return err
		}
		total += size
		// Every 16th DLL also lives in WinSxS, as a hard link (same inode).
		if k == kindPE && i%16 == 0 {
			dir := fmt.Sprintf(`\Windows\WinSxS\%s_microsoft-windows-wbsample%04d_31bf3856ad364e35_%s_none`, sxsArch(b.o.Arch), i, b.o.Version)
			if err := b.mkdir(dir); err != nil {
				return err
			}
			name := path[strings.LastIndex(path, `\`)+1:]
			if _, err := b.img.AddFile(dir+`\`+name, in); err != nil {
				return err
			}
		}
	}
	return nil
}

func sxsArch(a winpe.Arch) string {
	if a == winpe.ArchX86 {
		return "x86"
	}
	return string(a)
}
