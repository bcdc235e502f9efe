package regf

// On-disk layout (all little-endian). Offsets inside the hive bins ("cell
// offsets") are relative to the first hive bin, i.e. file offset - 4096;
// 0xFFFFFFFF means "none".

const (
	baseBlockSize  = 4096
	hbinHeaderSize = 32
	hbinAlign      = 4096
	cellAlign      = 8
	noCell         = 0xFFFFFFFF

	// base block field offsets
	bbSignature  = 0x00 // "regf"
	bbSeq1       = 0x04 // primary sequence number
	bbSeq2       = 0x08 // secondary sequence number
	bbTimestamp  = 0x0C // FILETIME
	bbMajor      = 0x14 // 1
	bbMinor      = 0x18 // 3..6
	bbFileType   = 0x1C // 0 = primary
	bbFileFormat = 0x20 // 1 = direct memory load
	bbRootCell   = 0x24 // cell offset of the root nk
	bbHbinsSize  = 0x28 // total size of the hive bins
	bbCluster    = 0x2C // clustering factor (1)
	bbFileName   = 0x30 // 64 bytes UTF-16LE
	bbFileNameSz = 64
	bbChecksum   = 0x1FC // XOR of the 127 dwords before it

	// hbin header
	hbSignature = 0x00 // "hbin"
	hbOffset    = 0x04 // offset of this bin from the first bin
	hbSize      = 0x08 // size of this bin
	hbTimestamp = 0x14 // FILETIME, first bin only

	// nk (offsets inside the cell data, after the 4-byte size)
	nkFlags        = 0x02
	nkLastWrite    = 0x04
	nkAccess       = 0x0C
	nkParent       = 0x10
	nkNumSubkeys   = 0x14
	nkNumVolatile  = 0x18
	nkSubkeyList   = 0x1C
	nkVolatileList = 0x20
	nkNumValues    = 0x24
	nkValueList    = 0x28
	nkSecurity     = 0x2C
	nkClass        = 0x30
	nkMaxNameLen   = 0x34 // low 16 bits; high 16: virtualization/user flags, debug
	nkMaxClassLen  = 0x38
	nkMaxValueName = 0x3C
	nkMaxValueData = 0x40
	nkWorkVar      = 0x44
	nkNameLen      = 0x48
	nkClassLen     = 0x4A
	nkName         = 0x4C
	nkFixedSize    = 0x4C

	// nk flags
	nkVolatile  = 0x0001
	nkHiveExit  = 0x0002
	nkHiveEntry = 0x0004
	nkNoDelete  = 0x0008
	nkSymLink   = 0x0010
	nkCompName  = 0x0020
	nkPredef    = 0x0040
	// nkRecomputed are the flag bits Marshal derives itself; all others are
	// preserved from the parsed file.
	nkRecomputed = nkVolatile | nkHiveExit | nkHiveEntry | nkNoDelete | nkCompName | nkPredef

	// vk
	vkNameLen   = 0x02
	vkDataSize  = 0x04 // bit 31: data inline in vkData
	vkData      = 0x08
	vkType      = 0x0C
	vkFlags     = 0x10
	vkName      = 0x14
	vkFixedSize = 0x14
	vkCompName  = 0x0001
	vkInline    = 0x80000000

	// sk
	skFlink     = 0x04
	skBlink     = 0x08
	skRefCount  = 0x0C
	skSDSize    = 0x10
	skSD        = 0x14
	skFixedSize = 0x14

	// db (big data)
	dbNumSegments = 0x02
	dbSegmentList = 0x04
	dbFixedSize   = 0x08
	// bigDataSegment is the largest data segment of a big data record and
	// the largest value stored in a single cell.
	bigDataSegment = 16344

	// subkey lists: 2-byte signature, 2-byte count, then elements
	listHeader = 4
)

// Named maxima: Parse rejects hives beyond them, tree operations refuse to
// grow beyond them.
const (
	MaxHiveSize     = 0x7FFFE000              // largest hive bins size accepted (the limit bootmgr enforces)
	MaxDepth        = 512                     // deepest key nesting (Windows allows 512 levels)
	MaxSubkeys      = 1 << 20                 // subkeys of one key
	MaxValues       = 1 << 20                 // values of one key
	MaxKeys         = 1 << 24                 // keys of one hive
	MaxValueSize    = 0xFFFF * bigDataSegment // largest value: a big data record of 65535 segments
	MaxClassLen     = 0x7FFF                  // class name, UTF-16 units
	MaxSecuritySize = 1 << 16                 // largest security descriptor
)
