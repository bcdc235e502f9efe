// Package bcd models Boot Configuration Data stores (objects, elements,
// devices) and implements bcdedit-equivalent operations on top of the regf
// registry hive engine, plus preset stores for PXE servers and Windows PE
// media.
//
// # Model
//
// A BCD store is a registry hive (package regf). Store is a view over a
// parsed hive that edits it in place, so everything it does not touch —
// unknown values, firmware variables, odd integer widths, unknown devices —
// is written back byte for byte:
//
//	<root>                       NewStoreRoot (bcdedit) | System (offline media)
//	  Description                KeyName = "BCD00000001" [System = 1, TreatAsSystem = 1]
//	  Objects
//	    {guid}                   Object: ID GUID
//	      Description            Type = REG_DWORD ObjectType  (kind | image/class | application)
//	      Elements
//	        12000004             Element = REG_SZ        string       (description)
//	        23000003             Element = REG_SZ        "{guid}"     (default)
//	        24000001             Element = REG_MULTI_SZ  "{guid}"...  (displayorder)
//	        25000004             Element = REG_BINARY    integer, 1-8 bytes LE read, 8 written (timeout)
//	        26000022             Element = REG_BINARY    boolean, 1 byte (winpe)
//	        1700000a             Element = REG_BINARY    8-byte integers (badmemorylist)
//	        21000001             Element = REG_BINARY    device (osdevice)
//
// An ElementType is class(4 bits) | format(4 bits) | subtype(24 bits); the
// format fixes the registry type and encoding (Format). Element keeps the
// stored registry type and bytes; String, Object, Objects, Integer,
// Boolean, Integers and Device decode them on demand, and StringElement,
// IntegerElement, ... build new ones as bcdedit writes them.
//
// A device element is an options GUID followed by a boot-library device
// descriptor (see device.go for the byte layout). DecodeDevice understands
// boot, partition (MBR: disk signature + byte offset; GPT: disk and
// partition GUIDs), ramdisk (image file on a parent device, with the options
// object holding boot.sdi and TFTP settings), file, vhd and locate devices,
// and keeps any other descriptor — or any element whose structured form
// would not re-encode identically — as raw bytes. Golden vectors in the
// tests are the exact bytes of elements in Microsoft-made stores.
//
// # Operations
//
// NewStore (bcdedit /createstore), Create (/create with /application,
// /inherit, /device or a well-known identifier), Copy (/copy), Delete
// (/delete with bcdedit's default /cleanup), Set and ParseValue (/set with
// bcdedit's element names and value syntax), DeleteValue (/deletevalue),
// SetDefault (/default), SetTimeout (/timeout), DisplayOrder (/displayorder
// with /addfirst, /addlast, /remove), Enum and Entries (/enum with the same
// headings, identifiers, element names and value spellings; JSON through
// Entries), Verify (BCD-level checks on top of regf.Validate: keys, value
// types per element format, decodable values, dangling references as
// warnings). Identifiers are GUIDs or aliases ({bootmgr}, {ramdiskoptions},
// {globalsettings}, ...); {default} resolves through {bootmgr}'s default
// element; {current} names a running system and is refused.
//
// Identifiers the package invents are never random: they are RFC 9562
// version-5 (SHA-1, name-based) UUIDs in the name space Namespace, over a
// caller seed and the operation's inputs (DeriveGUID). Create uses
// (seed, "create", type, description, n), Copy (seed, "copy", source,
// description, n) with the smallest n not yet in use, the presets
// (seed, "pxe"|"media", architecture, firmware, image). The same commands
// therefore always give byte-identical stores.
//
// # Presets
//
// PXEStore writes what WDS serves from RemoteInstall\Boot\<arch>: {bootmgr}
// (type 0x10200002, fontpath, inherit {dbgsettings}, timeout, displayorder,
// default), {dbgsettings}, a ramdisk options object (boot.sdi, TFTP block
// size 1456, window size 4, variable window) and one OS loader per boot
// image booting ramdisk=[boot]\Boot\<arch>\Images\<file>; PXEMenus builds
// every per-architecture/firmware store of a PXE tree (Boot\<arch>\default.bcd
// for BIOS, Boot\<arch>uefi\default.bcd for UEFI). MediaStore writes
// the \boot\bcd (BIOS) or \efi\microsoft\boot\bcd (UEFI) store of Windows PE
// media, object for object like Microsoft's install media. Both enforce the
// menu rule (MenuAllows): x86 menus list only x86 images, x64 BIOS menus
// x64 and x86, UEFI menus only their own architecture; FilterImages drops
// images instead of failing.
//
// # Sources
//
// Store layout, object types, element codes and device layouts follow the
// project's research notes (shared/research/bcd.md), which were checked
// against real stores: Microsoft's BcdLibraryElementTypes,
// BcdOSLoaderElementTypes, BcdBootMgrElementTypes, BcdDeviceObjectElementTypes,
// BcdResumeElementTypes and BcdMemDiagElementTypes enumerations for codes,
// bcdedit's "/? TYPES" help for names, with the ramdisk TFTP block and
// window size codes taken from real WDS stores (0x35000007/0x35000008, not
// the documented 0x36…). Element names bcdedit does not have print as
// custom:xxxxxxxx, as bcdedit prints them.
//
// # Not supported
//
//   - Drive letters and volume paths (partition=C:, ramdisk=[C:]...): they
//     name volumes of a running system. Offline stores use
//     partition=gpt:{disk}:{partition}, partition=mbr:SIGNATURE:OFFSET, boot
//     or locate.
//   - {current}, /enum firmware variables, /sysstore, /bootsequence one-time
//     semantics, /import and /export (the store file is the export).
//   - locate=PATH and [locate] parents, URI, composite, VMBus and
//     qualified-partition devices: read and kept byte-exact as unknown
//     devices, but not built from text.
//   - Enum headings of inheritable objects without a well-known identifier
//     ("Inheritable Settings") and of some rare application types are this
//     package's wording; bcdedit's own wording may differ.
//   - The final check that only Windows can give — bcdedit /enum all /v on
//     the written file and a real PXE or media boot — is outside the tests;
//     hivexregedit, hivexsh and reged are the independent readers.
package bcd
