package bcd

import (
	"fmt"
	"strings"
)

// ObjectType is the REG_DWORD Objects\{id}\Description\Type:
//
//	bits 31..28 kind        (1 application, 2 inheritable settings, 3 device options)
//	application: bits 23..20 image type (1 firmware, 2 boot app, 3 legacy loader, 4 real mode),
//	             bits 19..0  application type (AppType)
//	inheritable: bits 23..20 class the settings apply to (1 library, 2 application, 3 device),
//	             bits 19..0  application type for class 2
type ObjectType uint32

// Object kinds (bits 31..28).
const (
	KindApplication = 1
	KindInherit     = 2
	KindDevice      = 3
)

// Image types of application objects (bits 23..20).
const (
	ImageFirmware = 1
	ImageBootApp  = 2
	ImageLegacy   = 3
	ImageRealMode = 4
)

// AppType is the application type in bits 19..0 of an object type.
type AppType uint32

// Application types.
const (
	AppFwBootMgr  AppType = 1
	AppBootMgr    AppType = 2
	AppOSLoader   AppType = 3
	AppResume     AppType = 4
	AppMemDiag    AppType = 5
	AppNTLDR      AppType = 6
	AppSetupLDR   AppType = 7
	AppBootSector AppType = 8
	AppStartup    AppType = 9
	AppBootApp    AppType = 10
)

// Object types used by wimbuild and seen in real stores.
const (
	TypeFwBootMgr        ObjectType = 0x10100001 // {fwbootmgr}
	TypeBootMgr          ObjectType = 0x10100002 // {bootmgr} on disks and media
	TypeBootMgrPXE       ObjectType = 0x10200002 // {bootmgr} in WDS stores (bootmgr loaded as a boot application)
	TypeOSLoader         ObjectType = 0x10200003 // Windows Boot Loader
	TypeResume           ObjectType = 0x10200004 // Resume from Hibernate
	TypeMemDiag          ObjectType = 0x10200005 // Windows Memory Tester
	TypeNTLDR            ObjectType = 0x10300006 // legacy NTLDR
	TypeSetupLDR         ObjectType = 0x10300007
	TypeBootSector       ObjectType = 0x10400008 // /application bootsector
	TypeStartup          ObjectType = 0x10400009 // /application startup
	TypeBootApp          ObjectType = 0x1040000a // /application bootapp
	TypeFirmwareEntry    ObjectType = 0x101fffff // UEFI boot entry mirrored into a system store
	TypeInheritLibrary   ObjectType = 0x20100000 // {globalsettings}, {dbgsettings}, ...
	TypeInheritOSLoader  ObjectType = 0x20200003 // {bootloadersettings}, {hypervisorsettings}
	TypeInheritResume    ObjectType = 0x20200004 // {resumeloadersettings}
	TypeInheritDevice    ObjectType = 0x20300000
	TypeDeviceOptions    ObjectType = 0x30000000 // {ramdiskoptions} and other device options
	typeKindMask                    = 0xf0000000
	typeImageMask                   = 0x00f00000
	typeAppMask                     = 0x000fffff
	maxAppType                      = typeAppMask
	typeInheritClassMask            = typeImageMask
)

// Kind returns bits 31..28.
func (t ObjectType) Kind() int { return int(t >> 28) }

// Image returns the image type of an application object (bits 23..20).
func (t ObjectType) Image() int { return int(t >> 20 & 0xf) }

// InheritClass returns the class an inheritable object applies to.
func (t ObjectType) InheritClass() int { return int(t >> 20 & 0xf) }

// App returns bits 19..0.
func (t ObjectType) App() AppType { return AppType(t & typeAppMask) }

func (t ObjectType) String() string { return fmt.Sprintf("0x%08x", uint32(t)) }

// Heading is the title bcdedit prints above an object in /enum.
func (t ObjectType) Heading() string {
	switch t.Kind() {
	case KindApplication:
		switch t.App() {
		case AppFwBootMgr:
			return "Firmware Boot Manager"
		case AppBootMgr:
			return "Windows Boot Manager"
		case AppOSLoader:
			return "Windows Boot Loader"
		case AppResume:
			return "Resume from Hibernate"
		case AppMemDiag:
			return "Windows Memory Tester"
		case AppNTLDR:
			return "Windows Legacy OS Loader"
		case AppSetupLDR:
			return "Windows Legacy Setup Loader"
		case AppBootSector:
			return "Real-mode Boot Sector"
		case AppStartup:
			return "Real-mode Application"
		case AppBootApp:
			return "Boot Application"
		}
		if t.Image() == ImageFirmware {
			return fmt.Sprintf("Firmware Application (%08x)", uint32(t))
		}
		return fmt.Sprintf("Application (%08x)", uint32(t))
	case KindInherit:
		return "Inheritable Settings"
	case KindDevice:
		return "Device options"
	}
	return fmt.Sprintf("Unknown Object (%08x)", uint32(t))
}

// applicationNames maps bcdedit's /create /application and /inherit type
// names to application types.
var applicationNames = map[string]AppType{
	"fwbootmgr": AppFwBootMgr, "bootmgr": AppBootMgr, "osloader": AppOSLoader,
	"resume": AppResume, "memdiag": AppMemDiag, "ntldr": AppNTLDR,
	"bootsector": AppBootSector, "startup": AppStartup, "bootapp": AppBootApp,
}

// ApplicationType returns the object type `bcdedit /create /application NAME`
// gives a new object: bootsector, osloader, resume, startup, bootapp, memdiag,
// bootmgr, fwbootmgr or ntldr.
func ApplicationType(name string) (ObjectType, error) {
	switch strings.ToLower(name) {
	case "osloader":
		return TypeOSLoader, nil
	case "resume":
		return TypeResume, nil
	case "memdiag":
		return TypeMemDiag, nil
	case "bootsector":
		return TypeBootSector, nil
	case "startup":
		return TypeStartup, nil
	case "bootapp":
		return TypeBootApp, nil
	case "bootmgr":
		return TypeBootMgr, nil
	case "fwbootmgr":
		return TypeFwBootMgr, nil
	case "ntldr":
		return TypeNTLDR, nil
	}
	return 0, fmt.Errorf("%w: unknown application type %q (want osloader, resume, memdiag, bootsector, startup, bootapp, bootmgr, fwbootmgr or ntldr)", ErrBadObjectType, name)
}

// InheritType returns the object type `bcdedit /create /inherit NAME` gives:
// "" means library settings, "device" device settings, otherwise an
// application type name (osloader, resume, bootmgr, ...).
func InheritType(name string) (ObjectType, error) {
	n := strings.ToLower(name)
	switch n {
	case "", "library":
		return TypeInheritLibrary, nil
	case "device":
		return TypeInheritDevice, nil
	}
	if a, ok := applicationNames[n]; ok {
		return ObjectType(0x20200000 | uint32(a)), nil
	}
	return 0, fmt.Errorf("%w: unknown inherit type %q", ErrBadObjectType, name)
}

// Well-known object identifiers.
var (
	IDBootMgr              = MustGUID("{9dea862c-5cdd-4e70-acc1-f32b344d4795}")
	IDFwBootMgr            = MustGUID("{a5a30fa2-3d06-4e9f-b5f4-a01df9d1fcba}")
	IDMemDiag              = MustGUID("{b2721d73-1db4-4c62-bf78-c548a880142d}")
	IDNTLDR                = MustGUID("{466f5a88-0af2-4f76-9038-095b170dc21c}")
	IDCurrent              = MustGUID("{fa926493-6f1c-4193-a414-58f0b2456d1e}")
	IDDefault              = MustGUID("{1cae1eb7-a0df-4d4d-9851-4860e34ef535}")
	IDRamdiskOptions       = MustGUID("{ae5534e0-a924-466c-b836-758539a3ee3a}")
	IDGlobalSettings       = MustGUID("{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}")
	IDDbgSettings          = MustGUID("{4636856e-540f-4170-a130-a84776f4c654}")
	IDEMSSettings          = MustGUID("{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}")
	IDBadMemory            = MustGUID("{5189b25c-5558-4bf2-bca4-289b11bd29e2}")
	IDBootLoaderSettings   = MustGUID("{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}")
	IDResumeLoaderSettings = MustGUID("{1afa9c49-16ab-4a5c-901b-212802da9460}")
	IDHypervisorSettings   = MustGUID("{7ff607e0-4395-11db-b0de-0800200c9a66}")
	IDKernelDbgSettings    = MustGUID("{313e8eed-7098-4586-a9bf-309c61f8d449}")

	// IDSetupRamdiskOptions and IDSetupLoader are the ramdisk options and
	// OS loader of Microsoft's install and WinPE media stores.
	IDSetupRamdiskOptions = MustGUID("{7619dcc8-fafe-11d9-b411-000476eba25f}")
	IDSetupLoader         = MustGUID("{7619dcc9-fafe-11d9-b411-000476eba25f}")
	// IDWDSRamdiskOptions is the ramdisk options object of WDS default.bcd.
	IDWDSRamdiskOptions = MustGUID("{68d9e51c-a129-4ee1-9725-2ab00a957daf}")
)

// WellKnown describes an object with a fixed identifier.
type WellKnown struct {
	Alias   string     // "{bootmgr}"
	ID      GUID       // identifier
	Type    ObjectType // type bcdedit gives it on /create (0 for virtual aliases)
	Heading string     // bcdedit's heading for inheritable settings objects
	Virtual bool       // resolved by bcdedit, never stored ({current}, {default})
}

// wellKnown is ordered as bcdedit documents the aliases.
var wellKnown = []WellKnown{
	{Alias: "{bootmgr}", ID: IDBootMgr, Type: TypeBootMgr},
	{Alias: "{fwbootmgr}", ID: IDFwBootMgr, Type: TypeFwBootMgr},
	{Alias: "{memdiag}", ID: IDMemDiag, Type: TypeMemDiag},
	{Alias: "{ntldr}", ID: IDNTLDR, Type: TypeNTLDR},
	{Alias: "{current}", ID: IDCurrent, Virtual: true},
	{Alias: "{default}", ID: IDDefault, Virtual: true},
	{Alias: "{ramdiskoptions}", ID: IDRamdiskOptions, Type: TypeDeviceOptions},
	{Alias: "{globalsettings}", ID: IDGlobalSettings, Type: TypeInheritLibrary, Heading: "Global Settings"},
	{Alias: "{dbgsettings}", ID: IDDbgSettings, Type: TypeInheritLibrary, Heading: "Debugger Settings"},
	{Alias: "{emssettings}", ID: IDEMSSettings, Type: TypeInheritLibrary, Heading: "EMS Settings"},
	{Alias: "{badmemory}", ID: IDBadMemory, Type: TypeInheritLibrary, Heading: "RAM Defects"},
	{Alias: "{bootloadersettings}", ID: IDBootLoaderSettings, Type: TypeInheritOSLoader, Heading: "Boot Loader Settings"},
	{Alias: "{resumeloadersettings}", ID: IDResumeLoaderSettings, Type: TypeInheritResume, Heading: "Resume Loader Settings"},
	{Alias: "{hypervisorsettings}", ID: IDHypervisorSettings, Type: TypeInheritOSLoader, Heading: "Hypervisor Settings"},
	{Alias: "{kerneldbgsettings}", ID: IDKernelDbgSettings, Type: TypeInheritOSLoader, Heading: "Kernel Debugger Settings"},
}

// Extra alias spellings bcdedit accepts.
var aliasSynonyms = map[string]string{"{legacy}": "{ntldr}", "{eventsettings}": "{dbgsettings}"}

// WellKnownObjects returns the table of well-known identifiers.
func WellKnownObjects() []WellKnown { return append([]WellKnown(nil), wellKnown...) }

// LookupAlias returns the well-known entry for an alias such as "{bootmgr}"
// (case-insensitive, braces optional).
func LookupAlias(alias string) (WellKnown, bool) {
	a := strings.ToLower(strings.TrimSpace(alias))
	if !strings.HasPrefix(a, "{") {
		a = "{" + a + "}"
	}
	if s, ok := aliasSynonyms[a]; ok {
		a = s
	}
	for _, w := range wellKnown {
		if w.Alias == a {
			return w, true
		}
	}
	return WellKnown{}, false
}

// wellKnownByID returns the entry for a stored well-known identifier.
func wellKnownByID(id GUID) (WellKnown, bool) {
	for _, w := range wellKnown {
		if w.ID == id && !w.Virtual {
			return w, true
		}
	}
	return WellKnown{}, false
}

// Alias returns the alias of a stored well-known identifier ("{bootmgr}") or
// the braced GUID.
func Alias(id GUID) string {
	if w, ok := wellKnownByID(id); ok {
		return w.Alias
	}
	return id.String()
}

// ParseID parses an identifier given as a GUID or a stored alias. The
// virtual aliases {current} and {default} are refused here; Store.Resolve
// resolves {default} through {bootmgr}.
func ParseID(s string) (GUID, error) {
	if g, err := ParseGUID(s); err == nil {
		return g, nil
	}
	w, ok := LookupAlias(s)
	if !ok {
		return Nil, fmt.Errorf("%w: %q", ErrUnknownAlias, s)
	}
	if w.Virtual {
		return Nil, fmt.Errorf("%w: %s", ErrVirtualID, w.Alias)
	}
	return w.ID, nil
}
