package bcd

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ElementType is the 32-bit element code, stored as the 8-hex-digit name of
// the key Objects\{id}\Elements\<code>:
//
//	bits 31..28 class   (1 library, 2 application, 3 device, 4 template, 5 OEM)
//	bits 27..24 format  (see Format)
//	bits 23..0  subtype
type ElementType uint32

// Element classes.
const (
	ClassLibrary     = 1
	ClassApplication = 2
	ClassDevice      = 3
	ClassTemplate    = 4
	ClassOEM         = 5
)

// Format is how an element's value is stored (bits 27..24 of its code).
type Format uint8

// Element formats and the registry value type each is stored as.
const (
	FormatDevice      Format = 1 // REG_BINARY: options GUID + device descriptor (device.go)
	FormatString      Format = 2 // REG_SZ
	FormatObject      Format = 3 // REG_SZ "{guid}"
	FormatObjectList  Format = 4 // REG_MULTI_SZ of "{guid}"
	FormatInteger     Format = 5 // REG_BINARY little-endian, 1..8 bytes read, 8 written
	FormatBoolean     Format = 6 // REG_BINARY one byte 0/1 (longer values: any non-zero byte is true)
	FormatIntegerList Format = 7 // REG_BINARY, concatenated 8-byte little-endian integers
)

var formatNames = [...]string{1: "device", 2: "string", 3: "object", 4: "object list", 5: "integer", 6: "boolean", 7: "integer list"}

func (f Format) String() string {
	if int(f) < len(formatNames) && formatNames[f] != "" {
		return formatNames[f]
	}
	return fmt.Sprintf("format %d", uint8(f))
}

// Class returns bits 31..28 of the code.
func (t ElementType) Class() int { return int(t >> 28) }

// Format returns bits 27..24 of the code.
func (t ElementType) Format() Format { return Format(t >> 24 & 0xf) }

// KeyName is the element's key name: eight lower-case hex digits.
func (t ElementType) KeyName() string { return fmt.Sprintf("%08x", uint32(t)) }

func (t ElementType) String() string { return t.KeyName() }

// ParseElementKey parses an element key name (8 hex digits, any case).
func ParseElementKey(name string) (ElementType, error) {
	if len(name) != 8 {
		return 0, fmt.Errorf("bcd: element key %q is not 8 hex digits", name)
	}
	v, err := strconv.ParseUint(name, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bcd: element key %q is not 8 hex digits", name)
	}
	return ElementType(v), nil
}

// Frequently used element codes (bcdedit names in comments).
const (
	ElemDevice               ElementType = 0x11000001 // device
	ElemPath                 ElementType = 0x12000002 // path
	ElemDescription          ElementType = 0x12000004 // description
	ElemLocale               ElementType = 0x12000005 // locale
	ElemInherit              ElementType = 0x14000006 // inherit
	ElemRecoverySequence     ElementType = 0x14000008 // recoverysequence
	ElemBootDebug            ElementType = 0x16000010 // bootdebug
	ElemDebugType            ElementType = 0x15000011 // debugtype
	ElemDebugPort            ElementType = 0x15000013 // debugport
	ElemBaudRate             ElementType = 0x15000014 // baudrate
	ElemBootEMS              ElementType = 0x16000020 // bootems
	ElemFontPath             ElementType = 0x1200004a // fontpath
	ElemDisplayOrder         ElementType = 0x24000001 // displayorder ({bootmgr}, {fwbootmgr})
	ElemBootSequence         ElementType = 0x24000002 // bootsequence
	ElemDefault              ElementType = 0x23000003 // default ({bootmgr}); resumeobject on OS loaders
	ElemTimeout              ElementType = 0x25000004 // timeout
	ElemToolsDisplayOrder    ElementType = 0x24000010 // toolsdisplayorder
	ElemDisplayBootMenu      ElementType = 0x26000020 // displaybootmenu
	ElemOSDevice             ElementType = 0x21000001 // osdevice
	ElemSystemRoot           ElementType = 0x22000002 // systemroot
	ElemDetectHAL            ElementType = 0x26000010 // detecthal
	ElemNX                   ElementType = 0x25000020 // nx
	ElemWinPE                ElementType = 0x26000022 // winpe
	ElemEMS                  ElementType = 0x260000b0 // ems
	ElemBootMenuPolicy       ElementType = 0x250000c2 // bootmenupolicy
	ElemHypervisorDebugType  ElementType = 0x250000f3 // hypervisordebugtype
	ElemHypervisorDebugPort  ElementType = 0x250000f4 // hypervisordebugport
	ElemHypervisorBaudRate   ElementType = 0x250000f5 // hypervisorbaudrate
	ElemPXESoftReboot        ElementType = 0x26000001 // pxesoftreboot (startup applications)
	ElemRamdiskImageOffset   ElementType = 0x35000001 // ramdiskimageoffset
	ElemRamdiskTFTPPort      ElementType = 0x35000002 // ramdisktftpclientport
	ElemRamdiskSDIDevice     ElementType = 0x31000003 // ramdisksdidevice
	ElemRamdiskSDIPath       ElementType = 0x32000004 // ramdisksdipath
	ElemRamdiskImageLength   ElementType = 0x35000005 // ramdiskimagelength
	ElemExportAsCD           ElementType = 0x36000006 // exportascd
	ElemRamdiskTFTPBlockSize ElementType = 0x35000007 // ramdisktftpblocksize (Microsoft's documentation says 0x36000007; stores use 0x35000007)
	ElemRamdiskTFTPWindow    ElementType = 0x35000008 // ramdisktftpwindowsize (documented as 0x36000008; stores use 0x35000008)
	ElemRamdiskMCEnabled     ElementType = 0x36000009 // ramdiskmcenabled
	ElemRamdiskMCTFTPFallbk  ElementType = 0x3600000a // ramdiskmctftpfallback
	ElemRamdiskTFTPVarWindow ElementType = 0x3600000b // ramdisktftpvarwindow
)

// elementDef is one row of the element name table.
type elementDef struct {
	code ElementType
	name string   // bcdedit's name
	app  AppType  // class-2 elements: the application they belong to; 0 otherwise
	enum []string // integer elements shown by name (index = value)
}

var (
	debugTypes   = []string{"Serial", "1394", "USB", "NET", "Local"}
	displayMsgs  = []string{"Default", "Resume", "HyperV", "Recovery", "StartupRepair", "SystemImageRecovery", "CommandPrompt", "SystemRestore", "PushButtonReset"}
	menuPolicies = []string{"Legacy", "Standard"}
	defaultForce = []string{"Default", "ForceDisable"}
)

// elementTable lists the elements bcdedit names. Sources: bcdedit's
// "/? TYPES" pages, Microsoft's BcdLibraryElementTypes/BcdOSLoaderElementTypes/
// BcdBootMgrElementTypes/BcdDeviceObjectElementTypes/BcdResumeElementTypes/
// BcdMemDiagElementTypes enumerations (with the ramdisk TFTP codes corrected
// from real WDS stores), and the element codes seen in the reference stores.
var elementTable = []elementDef{
	// Library (class 1): valid on every application and inheritable object.
	{code: 0x11000001, name: "device"},
	{code: 0x12000002, name: "path"},
	{code: 0x12000004, name: "description"},
	{code: 0x12000005, name: "locale"},
	{code: 0x14000006, name: "inherit"},
	{code: 0x15000007, name: "truncatememory"},
	{code: 0x14000008, name: "recoverysequence"},
	{code: 0x16000009, name: "recoveryenabled"},
	{code: 0x1700000a, name: "badmemorylist"},
	{code: 0x1600000b, name: "badmemoryaccess"},
	{code: 0x1500000c, name: "firstmegabytepolicy", enum: []string{"UseNone", "UseAll", "UsePrivate"}},
	{code: 0x1500000d, name: "relocatephysical"},
	{code: 0x1500000e, name: "avoidlowmemory"},
	{code: 0x1600000f, name: "traditionalkseg"},
	{code: 0x16000010, name: "bootdebug"},
	{code: 0x15000011, name: "debugtype", enum: debugTypes},
	{code: 0x15000012, name: "debugaddress"},
	{code: 0x15000013, name: "debugport"},
	{code: 0x15000014, name: "baudrate"},
	{code: 0x15000015, name: "channel"},
	{code: 0x12000016, name: "targetname"},
	{code: 0x16000017, name: "noumex"},
	{code: 0x15000018, name: "debugstart", enum: []string{"Active", "AutoEnable", "Disable"}},
	{code: 0x12000019, name: "busparams"},
	{code: 0x1500001a, name: "hostip"},
	{code: 0x1500001b, name: "port"},
	{code: 0x1600001c, name: "dhcp"},
	{code: 0x1200001d, name: "key"},
	{code: 0x1600001e, name: "vm"},
	{code: 0x16000020, name: "bootems"},
	{code: 0x15000022, name: "emsport"},
	{code: 0x15000023, name: "emsbaudrate"},
	{code: 0x12000030, name: "loadoptions"},
	{code: 0x16000040, name: "advancedoptions"},
	{code: 0x16000041, name: "optionsedit"},
	{code: 0x15000042, name: "keyringaddress"},
	{code: 0x11000043, name: "bootstatdevice"},
	{code: 0x12000044, name: "bootstatfilepath"},
	{code: 0x16000045, name: "preservebootstat"},
	{code: 0x16000046, name: "graphicsmodedisabled"},
	{code: 0x15000047, name: "configaccesspolicy", enum: []string{"Default", "DisallowMmConfig"}},
	{code: 0x16000048, name: "nointegritychecks"},
	{code: 0x16000049, name: "testsigning"},
	{code: 0x1200004a, name: "fontpath"},
	{code: 0x1500004b, name: "integrityservices"},
	{code: 0x1500004c, name: "volumebandid"},
	{code: 0x16000050, name: "extendedinput"},
	{code: 0x15000051, name: "initialconsoleinput"},
	{code: 0x15000052, name: "graphicsresolution", enum: []string{"1024x768", "800x600", "1024x600"}},
	{code: 0x16000053, name: "restartonfailure"},
	{code: 0x16000054, name: "highestmode"},
	{code: 0x16000060, name: "isolatedcontext"},
	{code: 0x15000065, name: "displaymessage", enum: displayMsgs},
	{code: 0x15000066, name: "displaymessageoverride", enum: displayMsgs},
	{code: 0x16000068, name: "nobootuxtext"},
	{code: 0x16000069, name: "nobootuxprogress"},
	{code: 0x1600006a, name: "nobootuxfade"},
	{code: 0x1600006b, name: "bootuxreservepooldebug"},
	{code: 0x1600006c, name: "bootuxdisabled"},
	{code: 0x1500006d, name: "bootuxfadeframes"},
	{code: 0x1600006e, name: "bootuxdumpstats"},
	{code: 0x1600006f, name: "bootuxshowstats"},
	{code: 0x16000071, name: "multibootsystem"},
	{code: 0x16000072, name: "nokeyboard"},
	{code: 0x15000073, name: "aliaswindowskey"},
	{code: 0x16000074, name: "bootshutdowndisabled"},
	{code: 0x15000075, name: "performancefrequency"},
	{code: 0x15000076, name: "securebootrawpolicy"},
	{code: 0x17000077, name: "allowedinmemorysettings"},
	{code: 0x16000079, name: "forcefipscrypto"},
	{code: 0x1500007d, name: "booterrorux"},
	{code: 0x1600007e, name: "flightsigning"},
	{code: 0x1500007f, name: "measuredbootlogformat"},
	{code: 0x15000080, name: "displayrotation"},
	{code: 0x15000081, name: "logcontrol"},
	{code: 0x16000082, name: "nofirmwaresync"},
	{code: 0x11000084, name: "windowssyspart"},
	{code: 0x16000087, name: "numlock"},

	// Windows Boot Manager and firmware boot manager.
	{code: 0x24000001, name: "displayorder", app: AppBootMgr},
	{code: 0x24000002, name: "bootsequence", app: AppBootMgr},
	{code: 0x23000003, name: "default", app: AppBootMgr},
	{code: 0x25000004, name: "timeout", app: AppBootMgr},
	{code: 0x26000005, name: "resume", app: AppBootMgr},
	{code: 0x23000006, name: "resumeobject", app: AppBootMgr},
	{code: 0x24000007, name: "startupsequence", app: AppBootMgr},
	{code: 0x24000010, name: "toolsdisplayorder", app: AppBootMgr},
	{code: 0x26000020, name: "displaybootmenu", app: AppBootMgr},
	{code: 0x26000021, name: "noerrordisplay", app: AppBootMgr},
	{code: 0x21000022, name: "bcddevice", app: AppBootMgr},
	{code: 0x22000023, name: "bcdfilepath", app: AppBootMgr},
	{code: 0x26000024, name: "hormenabled", app: AppBootMgr},
	{code: 0x26000025, name: "hiberboot", app: AppBootMgr},
	{code: 0x22000026, name: "passwordoverride", app: AppBootMgr},
	{code: 0x22000027, name: "pinpassphraseoverride", app: AppBootMgr},
	{code: 0x26000028, name: "processcustomactionsfirst", app: AppBootMgr},
	{code: 0x27000030, name: "customactions", app: AppBootMgr},
	{code: 0x26000031, name: "persistbootsequence", app: AppBootMgr},
	{code: 0x26000032, name: "skipstartupsequence", app: AppBootMgr},

	// Windows Boot Loader (winload) and its inheritable settings.
	{code: 0x21000001, name: "osdevice", app: AppOSLoader},
	{code: 0x22000002, name: "systemroot", app: AppOSLoader},
	{code: 0x23000003, name: "resumeobject", app: AppOSLoader},
	{code: 0x26000010, name: "detecthal", app: AppOSLoader},
	{code: 0x22000011, name: "kernel", app: AppOSLoader},
	{code: 0x22000012, name: "hal", app: AppOSLoader},
	{code: 0x22000013, name: "dbgtransport", app: AppOSLoader},
	{code: 0x25000020, name: "nx", app: AppOSLoader, enum: []string{"OptIn", "OptOut", "AlwaysOff", "AlwaysOn"}},
	{code: 0x25000021, name: "pae", app: AppOSLoader, enum: []string{"Default", "ForceEnable", "ForceDisable"}},
	{code: 0x26000022, name: "winpe", app: AppOSLoader},
	{code: 0x26000024, name: "nocrashautoreboot", app: AppOSLoader},
	{code: 0x26000025, name: "lastknowngood", app: AppOSLoader},
	{code: 0x26000026, name: "oslnointegritychecks", app: AppOSLoader},
	{code: 0x26000027, name: "osltestsigning", app: AppOSLoader},
	{code: 0x26000030, name: "nolowmem", app: AppOSLoader},
	{code: 0x25000031, name: "removememory", app: AppOSLoader},
	{code: 0x25000032, name: "increaseuserva", app: AppOSLoader},
	{code: 0x25000033, name: "perfmem", app: AppOSLoader},
	{code: 0x26000040, name: "vga", app: AppOSLoader},
	{code: 0x26000041, name: "quietboot", app: AppOSLoader},
	{code: 0x26000042, name: "novesa", app: AppOSLoader},
	{code: 0x26000043, name: "novga", app: AppOSLoader},
	{code: 0x25000050, name: "clustermodeaddressing", app: AppOSLoader},
	{code: 0x26000051, name: "usephysicaldestination", app: AppOSLoader},
	{code: 0x25000052, name: "restrictapiccluster", app: AppOSLoader},
	{code: 0x22000053, name: "evstore", app: AppOSLoader},
	{code: 0x26000054, name: "uselegacyapicmode", app: AppOSLoader},
	{code: 0x25000055, name: "x2apicpolicy", app: AppOSLoader, enum: []string{"Default", "Disable", "Enable"}},
	{code: 0x26000060, name: "onecpu", app: AppOSLoader},
	{code: 0x25000061, name: "numproc", app: AppOSLoader},
	{code: 0x26000062, name: "maxproc", app: AppOSLoader},
	{code: 0x25000063, name: "configflags", app: AppOSLoader},
	{code: 0x26000064, name: "maxgroup", app: AppOSLoader},
	{code: 0x26000065, name: "groupaware", app: AppOSLoader},
	{code: 0x25000066, name: "groupsize", app: AppOSLoader},
	{code: 0x26000070, name: "usefirmwarepcisettings", app: AppOSLoader},
	{code: 0x25000071, name: "msi", app: AppOSLoader, enum: defaultForce},
	{code: 0x25000072, name: "pciexpress", app: AppOSLoader, enum: defaultForce},
	{code: 0x25000080, name: "safeboot", app: AppOSLoader, enum: []string{"Minimal", "Network", "DsRepair"}},
	{code: 0x26000081, name: "safebootalternateshell", app: AppOSLoader},
	{code: 0x26000090, name: "bootlog", app: AppOSLoader},
	{code: 0x26000091, name: "sos", app: AppOSLoader},
	{code: 0x260000a0, name: "debug", app: AppOSLoader},
	{code: 0x260000a1, name: "halbreakpoint", app: AppOSLoader},
	{code: 0x260000a2, name: "useplatformclock", app: AppOSLoader},
	{code: 0x260000a3, name: "forcelegacyplatform", app: AppOSLoader},
	{code: 0x260000a4, name: "useplatformtick", app: AppOSLoader},
	{code: 0x260000a5, name: "disabledynamictick", app: AppOSLoader},
	{code: 0x250000a6, name: "tscsyncpolicy", app: AppOSLoader, enum: []string{"Default", "Legacy", "Enhanced"}},
	{code: 0x260000b0, name: "ems", app: AppOSLoader},
	{code: 0x250000c0, name: "forcefailure", app: AppOSLoader},
	{code: 0x250000c1, name: "driverloadfailurepolicy", app: AppOSLoader, enum: []string{"Fatal", "UseErrorControl"}},
	{code: 0x250000c2, name: "bootmenupolicy", app: AppOSLoader, enum: menuPolicies},
	{code: 0x260000c3, name: "onetimeadvancedoptions", app: AppOSLoader},
	{code: 0x260000c4, name: "onetimeoptionsedit", app: AppOSLoader},
	{code: 0x250000e0, name: "bootstatuspolicy", app: AppOSLoader, enum: []string{"DisplayAllFailures", "IgnoreAllFailures", "IgnoreShutdownFailures", "IgnoreBootFailures", "IgnoreCheckpointFailures", "DisplayShutdownFailures", "DisplayBootFailures", "DisplayCheckpointFailures"}},
	{code: 0x260000e1, name: "disableelamdrivers", app: AppOSLoader},
	{code: 0x250000f0, name: "hypervisorlaunchtype", app: AppOSLoader, enum: []string{"Off", "Auto"}},
	{code: 0x220000f1, name: "hypervisorpath", app: AppOSLoader},
	{code: 0x260000f2, name: "hypervisordebug", app: AppOSLoader},
	{code: 0x250000f3, name: "hypervisordebugtype", app: AppOSLoader, enum: []string{"Serial", "1394", "NET"}},
	{code: 0x250000f4, name: "hypervisordebugport", app: AppOSLoader},
	{code: 0x250000f5, name: "hypervisorbaudrate", app: AppOSLoader},
	{code: 0x250000f6, name: "hypervisorchannel", app: AppOSLoader},
	{code: 0x250000f7, name: "bootux", app: AppOSLoader, enum: []string{"Disabled", "Basic", "Standard"}},
	{code: 0x260000f8, name: "hypervisordisableslat", app: AppOSLoader},
	{code: 0x220000f9, name: "hypervisorbusparams", app: AppOSLoader},
	{code: 0x250000fa, name: "hypervisornumproc", app: AppOSLoader},
	{code: 0x250000fb, name: "hypervisorrootprocpernode", app: AppOSLoader},
	{code: 0x260000fc, name: "hypervisoruselargevtlb", app: AppOSLoader},
	{code: 0x250000fd, name: "hypervisorhostip", app: AppOSLoader},
	{code: 0x250000fe, name: "hypervisorhostport", app: AppOSLoader},
	{code: 0x250000ff, name: "hypervisordebugpages", app: AppOSLoader},
	{code: 0x25000100, name: "tpmbootentropy", app: AppOSLoader},
	{code: 0x22000110, name: "hypervisorusekey", app: AppOSLoader},
	{code: 0x22000112, name: "hypervisorproductskutype", app: AppOSLoader},
	{code: 0x25000113, name: "hypervisorrootproc", app: AppOSLoader},
	{code: 0x26000114, name: "hypervisordhcp", app: AppOSLoader},
	{code: 0x25000115, name: "hypervisoriommupolicy", app: AppOSLoader, enum: []string{"Default", "Enable", "Disable"}},
	{code: 0x26000116, name: "hypervisorusevapic", app: AppOSLoader},
	{code: 0x22000117, name: "hypervisorloadoptions", app: AppOSLoader},
	{code: 0x25000118, name: "hypervisormsrfilterpolicy", app: AppOSLoader},
	{code: 0x25000119, name: "hypervisormmionxpolicy", app: AppOSLoader},
	{code: 0x2500011a, name: "hypervisorschedulertype", app: AppOSLoader},
	{code: 0x25000120, name: "xsavepolicy", app: AppOSLoader},
	{code: 0x2500012b, name: "xsavedisable", app: AppOSLoader},
	{code: 0x25000142, name: "vsmlaunchtype", app: AppOSLoader, enum: []string{"Off", "Auto"}},

	// Resume from hibernate (winresume).
	{code: 0x21000001, name: "filedevice", app: AppResume},
	{code: 0x22000002, name: "filepath", app: AppResume},
	{code: 0x26000003, name: "customsettings", app: AppResume},
	{code: 0x26000004, name: "pae", app: AppResume},
	{code: 0x21000005, name: "associatedosdevice", app: AppResume},
	{code: 0x26000006, name: "debugoptionenabled", app: AppResume},
	{code: 0x25000007, name: "bootux", app: AppResume, enum: []string{"Disabled", "Basic", "Standard"}},
	{code: 0x25000008, name: "bootmenupolicy", app: AppResume, enum: menuPolicies},
	{code: 0x26000024, name: "hormenabled", app: AppResume},

	// Windows Memory Tester.
	{code: 0x25000001, name: "passcount", app: AppMemDiag},
	{code: 0x25000002, name: "testmix", app: AppMemDiag},
	{code: 0x25000003, name: "failurecount", app: AppMemDiag},
	{code: 0x25000004, name: "testtofail", app: AppMemDiag},

	// Real-mode startup applications (WDS startrom).
	{code: 0x26000001, name: "pxesoftreboot", app: AppStartup},
	{code: 0x22000002, name: "applicationname", app: AppStartup},

	// Device objects (ramdisk options).
	{code: 0x35000001, name: "ramdiskimageoffset"},
	{code: 0x35000002, name: "ramdisktftpclientport"},
	{code: 0x31000003, name: "ramdisksdidevice"},
	{code: 0x32000004, name: "ramdisksdipath"},
	{code: 0x35000005, name: "ramdiskimagelength"},
	{code: 0x36000006, name: "exportascd"},
	{code: 0x35000007, name: "ramdisktftpblocksize"},
	{code: 0x35000008, name: "ramdisktftpwindowsize"},
	{code: 0x36000009, name: "ramdiskmcenabled"},
	{code: 0x3600000a, name: "ramdiskmctftpfallback"},
	{code: 0x3600000b, name: "ramdisktftpvarwindow"},
}

type appCode struct {
	app  AppType
	code ElementType
}

var (
	defByCode = map[appCode]*elementDef{}
	defByName = map[string][]*elementDef{}
)

func init() {
	for i := range elementTable {
		d := &elementTable[i]
		k := appCode{d.app, d.code}
		if defByCode[k] != nil {
			panic("bcd: duplicate element table entry " + d.code.KeyName())
		}
		defByCode[k] = d
		defByName[d.name] = append(defByName[d.name], d)
	}
}

// elementApp is the application whose class-2 elements apply to an object
// of type t: the application type of an application object, of an
// application-class inheritable object, or 0.
func elementApp(t ObjectType) AppType {
	switch {
	case t.Kind() == KindApplication:
		a := t.App()
		if a == AppFwBootMgr {
			return AppBootMgr
		}
		return a
	case t.Kind() == KindInherit && t.InheritClass() == ClassApplication:
		return t.App()
	}
	return 0
}

// lookupDef finds the table row for code in an object of type t.
func lookupDef(t ObjectType, code ElementType) *elementDef {
	if code.Class() == ClassApplication {
		return defByCode[appCode{elementApp(t), code}]
	}
	return defByCode[appCode{0, code}]
}

// ElementName returns bcdedit's name for code in an object of type t, or
// "custom:xxxxxxxx" when bcdedit has no name for it there.
func ElementName(t ObjectType, code ElementType) string {
	if d := lookupDef(t, code); d != nil {
		return d.name
	}
	return "custom:" + code.KeyName()
}

// LookupElement resolves an element name as bcdedit does for an object of
// type t: bcdedit's names (case-insensitive), "custom:xxxxxxxx", or an
// 8-digit hex code. Application elements are looked up for t's application
// first; a name that belongs to exactly one other application is accepted.
func LookupElement(t ObjectType, name string) (ElementType, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if c, ok := strings.CutPrefix(n, "custom:"); ok {
		return ParseElementKey(c)
	}
	defs := defByName[n]
	if len(defs) == 0 {
		if code, err := ParseElementKey(n); err == nil {
			return code, nil
		}
		return 0, fmt.Errorf("%w: %q", ErrUnknownElement, name)
	}
	app := elementApp(t)
	for _, d := range defs {
		if d.app == 0 || d.app == app {
			return d.code, nil
		}
	}
	if len(defs) == 1 {
		return defs[0].code, nil
	}
	return 0, fmt.Errorf("%w: %q is not valid for %s objects", ErrUnknownElement, name, t)
}

// ElementNames returns every element name bcdedit knows, sorted.
func ElementNames() []string {
	out := make([]string, 0, len(defByName))
	for n := range defByName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
