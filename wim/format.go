package wim

import (
	"encoding/binary"
	"fmt"
)

// On-disk layout constants. All integers are little-endian. Offsets in the
// comments are byte offsets inside the structure.

// Magic values at offset 0x00 of the header.
const (
	magic        = "MSWIM\x00\x00\x00"
	pipableMagic = "WLPWM\x00\x00\x00" // wimlib pipable WIMs (unsupported)
)

// Sizes of the fixed on-disk structures (pinned by TestFormatSizes).
const (
	HeaderSize          = 208 // WIMHEADER_V1_PACKED
	reshdrSize          = 24  // RESHDR_DISK_SHORT
	blobEntrySize       = 50  // reshdr + part number + refcount + SHA-1
	dentryFixedSize     = 102 // fixed part of a directory entry
	streamEntryFixed    = 38  // fixed part of an extra stream entry
	solidHeaderSize     = 16  // header of a solid resource
	integrityHeaderSize = 12  // size, num_entries, chunk_size
)

// Header field offsets.
const (
	offMagic       = 0x00 // 8 bytes "MSWIM\0\0\0"
	offHeaderSize  = 0x08 // u32, always 208
	offVersion     = 0x0C // u32
	offFlags       = 0x10 // u32
	offChunkSize   = 0x14 // u32, 0 when uncompressed
	offGUID        = 0x18 // 16 bytes
	offPartNumber  = 0x28 // u16, 1-based
	offTotalParts  = 0x2A // u16
	offImageCount  = 0x2C // u32
	offBlobTable   = 0x30 // reshdr
	offXMLData     = 0x48 // reshdr
	offBootMeta    = 0x60 // reshdr
	offBootIndex   = 0x78 // u32, 1-based, 0 = none
	offIntegrity   = 0x7C // reshdr (4-byte aligned: the header is packed)
	offUnused      = 0x94 // 60 zero bytes
	headerUnusedSz = HeaderSize - offUnused
)

// Header versions.
const (
	VersionDefault = 0x10D00 // every WIM without LZMS or solid resources
	VersionSolid   = 0x00E00 // WIMs with LZMS compression or solid resources
)

// Header flags (offset 0x10).
const (
	HdrFlagReserved        = 0x00000001
	HdrFlagCompression     = 0x00000002
	HdrFlagReadOnly        = 0x00000004
	HdrFlagSpanned         = 0x00000008
	HdrFlagResourceOnly    = 0x00000010
	HdrFlagMetadataOnly    = 0x00000020
	HdrFlagWriteInProgress = 0x00000040
	HdrFlagRPFix           = 0x00000080
	HdrFlagCompressReserve = 0x00010000
	HdrFlagCompressXPRESS  = 0x00020000
	HdrFlagCompressLZX     = 0x00040000
	HdrFlagCompressLZMS    = 0x00080000
	HdrFlagCompressXPRESS2 = 0x00200000
)

// Resource header flags (byte 7 of a reshdr).
const (
	ResFlagFree       = 0x01
	ResFlagMetadata   = 0x02
	ResFlagCompressed = 0x04
	ResFlagSpanned    = 0x08
	ResFlagSolid      = 0x10
)

// solidResourceMarker is the uncompressed size a blob-table entry carries
// when it describes a solid resource rather than a blob.
const solidResourceMarker = 0x100000000

// File attributes used by the tree (FILE_ATTRIBUTE_*).
const (
	AttrReadOnly          = 0x00000001
	AttrHidden            = 0x00000002
	AttrSystem            = 0x00000004
	AttrDirectory         = 0x00000010
	AttrArchive           = 0x00000020
	AttrDevice            = 0x00000040
	AttrNormal            = 0x00000080
	AttrTemporary         = 0x00000100
	AttrSparseFile        = 0x00000200
	AttrReparsePoint      = 0x00000400
	AttrCompressed        = 0x00000800
	AttrOffline           = 0x00001000
	AttrNotContentIndexed = 0x00002000
	AttrEncrypted         = 0x00004000
)

// Reparse tags and flags.
const (
	ReparseTagMountPoint = 0xA0000003
	ReparseTagSymlink    = 0xA000000C
	// ReparseFlagNotFixed (WIM_RP_FLAG_NOT_FIXED) marks a reparse point
	// whose absolute target was not rewritten on capture.
	ReparseFlagNotFixed = 0x0001
)

// Dentry field offsets (fixed 102-byte part).
const (
	dOffLength       = 0x00 // u64, 8-aligned total length excluding stream entries
	dOffAttributes   = 0x08 // u32
	dOffSecurityID   = 0x0C // s32, -1 = none
	dOffSubdir       = 0x10 // u64, offset of the child list, 0 for non-directories
	dOffUnused1      = 0x18 // u64
	dOffUnused2      = 0x20 // u64
	dOffCreation     = 0x28 // FILETIME
	dOffLastAccess   = 0x30 // FILETIME
	dOffLastWrite    = 0x38 // FILETIME
	dOffMainHash     = 0x40 // SHA-1
	dOffUnknown54    = 0x54 // u32
	dOffReparseTag   = 0x58 // u32 (reparse points) | u64 hard link group id
	dOffReparseRes   = 0x5C // u16
	dOffReparseFlags = 0x5E // u16
	dOffNumStreams   = 0x60 // u16
	dOffShortNameLen = 0x62 // u16 bytes
	dOffNameLen      = 0x64 // u16 bytes
	dOffName         = 0x66 // name UTF-16LE + NUL, short name + NUL, pad, tagged items
)

// Limits that bound what a reader allocates for hostile input.
const (
	MaxImages            = 1 << 16   // images in one WIM
	MaxMetadataSize      = 512 << 20 // uncompressed metadata resource bytes
	MaxXMLSize           = 64 << 20  // XML data bytes
	MaxBlobTableSize     = 1 << 30   // blob table bytes (≈21 M entries)
	MaxDentryDepth       = 16384     // directory nesting
	MaxNameBytes         = 0xFFFE    // name length in UTF-16 bytes (u16 field)
	MaxChunkSize         = 1 << 26   // non-solid chunk size accepted on read (64 MiB)
	MaxSolidChunkSize    = 1 << 26   // solid chunk size (64 MiB, the largest Microsoft's tools accept)
	MaxSecurityDescs     = 1 << 20   // entries in the security data block
	minChunkSize         = 1 << 9    // smallest chunk size accepted on read
	defaultIntegrityUnit = 10 << 20  // wimlib's integrity chunk size
	minIntegrityUnit     = 4 << 10
	maxIntegrityUnit     = 128 << 20
)

// Default chunk sizes.
const (
	DefaultChunkSize     = 32768   // XPRESS and LZX
	DefaultLZMSChunkSize = 131072  // non-solid LZMS
	DefaultSolidChunk    = 1 << 26 // solid LZMS (64 MiB)
)

// ResHdr is a resource header ("reshdr"): where a resource lives in the
// file and how big it is.
//
//	0x00  7  size in WIM (stored bytes, incl. a chunk table)
//	0x07  1  flags (ResFlag*)
//	0x08  8  offset in WIM (absolute; inside a solid run for solid blobs)
//	0x10  8  uncompressed size
type ResHdr struct {
	SizeInWIM        int64
	Flags            uint8
	Offset           int64
	UncompressedSize int64
}

func (r ResHdr) isZero() bool { return r == ResHdr{} }

// parseResHdr decodes 24 bytes. It does not validate the values.
func parseResHdr(b []byte) ResHdr {
	v := binary.LittleEndian.Uint64(b[0:8])
	return ResHdr{
		SizeInWIM:        int64(v & 0x00FFFFFFFFFFFFFF),
		Flags:            uint8(v >> 56),
		Offset:           int64(binary.LittleEndian.Uint64(b[8:16])),
		UncompressedSize: int64(binary.LittleEndian.Uint64(b[16:24])),
	}
}

// put encodes r into 24 bytes of b.
func (r ResHdr) put(b []byte) {
	binary.LittleEndian.PutUint64(b[0:8], uint64(r.SizeInWIM)&0x00FFFFFFFFFFFFFF|uint64(r.Flags)<<56)
	binary.LittleEndian.PutUint64(b[8:16], uint64(r.Offset))
	binary.LittleEndian.PutUint64(b[16:24], uint64(r.UncompressedSize))
}

// Header is the decoded 208-byte WIM header.
type Header struct {
	Version    uint32
	Flags      uint32
	ChunkSize  uint32
	GUID       [16]byte
	PartNumber uint16
	TotalParts uint16
	ImageCount uint32
	BlobTable  ResHdr
	XMLData    ResHdr
	BootMeta   ResHdr
	BootIndex  uint32
	Integrity  ResHdr
}

// Compression returns the compression named by the header flags.
func (h *Header) Compression() Compression {
	if h.Flags&HdrFlagCompression == 0 {
		return None
	}
	switch {
	case h.Flags&HdrFlagCompressXPRESS != 0:
		return XPRESS
	case h.Flags&HdrFlagCompressLZX != 0:
		return LZX
	case h.Flags&HdrFlagCompressLZMS != 0:
		return LZMS
	}
	return None
}

// parseHeader decodes and validates the header in b (at least HeaderSize
// bytes) for a file of fileSize bytes.
func parseHeader(b []byte, fileSize int64) (*Header, error) {
	if len(b) < HeaderSize {
		return nil, formatErr(0, "header", ErrTruncated)
	}
	switch string(b[:8]) {
	case magic:
	case pipableMagic:
		return nil, formatErr(0, "pipable WIM (wimlib-only format)", ErrUnsupported)
	default:
		return nil, formatErr(0, "magic", ErrBadMagic)
	}
	le := binary.LittleEndian
	if n := le.Uint32(b[offHeaderSize:]); n != HeaderSize {
		return nil, formatErr(offHeaderSize, fmt.Sprintf("header size %d (want %d)", n, HeaderSize), ErrCorrupt)
	}
	h := &Header{
		Version:    le.Uint32(b[offVersion:]),
		Flags:      le.Uint32(b[offFlags:]),
		ChunkSize:  le.Uint32(b[offChunkSize:]),
		PartNumber: le.Uint16(b[offPartNumber:]),
		TotalParts: le.Uint16(b[offTotalParts:]),
		ImageCount: le.Uint32(b[offImageCount:]),
		BlobTable:  parseResHdr(b[offBlobTable:]),
		XMLData:    parseResHdr(b[offXMLData:]),
		BootMeta:   parseResHdr(b[offBootMeta:]),
		BootIndex:  le.Uint32(b[offBootIndex:]),
		Integrity:  parseResHdr(b[offIntegrity:]),
	}
	copy(h.GUID[:], b[offGUID:offGUID+16])
	if h.Version != VersionDefault && h.Version != VersionSolid {
		return nil, formatErr(offVersion, fmt.Sprintf("version 0x%x", h.Version), ErrUnsupported)
	}
	if h.TotalParts != 1 || h.PartNumber != 1 || h.Flags&HdrFlagSpanned != 0 {
		return nil, formatErr(offPartNumber, fmt.Sprintf("split WIM part %d/%d", h.PartNumber, h.TotalParts), ErrUnsupported)
	}
	if h.ImageCount > MaxImages {
		return nil, formatErr(offImageCount, fmt.Sprintf("image count %d exceeds %d", h.ImageCount, MaxImages), ErrCorrupt)
	}
	if h.Flags&HdrFlagCompression != 0 {
		n := 0
		for _, f := range []uint32{HdrFlagCompressXPRESS, HdrFlagCompressLZX, HdrFlagCompressLZMS} {
			if h.Flags&f != 0 {
				n++
			}
		}
		if n != 1 {
			return nil, formatErr(offFlags, fmt.Sprintf("flags 0x%x: compression flag without exactly one compression type", h.Flags), ErrUnsupported)
		}
		if h.Flags&HdrFlagCompressLZMS != 0 && h.Version != VersionSolid {
			return nil, formatErr(offFlags, "LZMS compression in a version 0x10D00 WIM", ErrCorrupt)
		}
		cs := h.ChunkSize
		hi := uint32(MaxChunkSize)
		switch h.Compression() {
		case XPRESS:
			hi = 1 << 16
		case LZX:
			hi = 1 << 21
		}
		if cs < minChunkSize || cs > hi || cs&(cs-1) != 0 {
			return nil, formatErr(offChunkSize, fmt.Sprintf("chunk size %d", cs), ErrUnsupported)
		}
	}
	for _, r := range []struct {
		off int64
		h   ResHdr
		n   string
	}{{offBlobTable, h.BlobTable, "blob table"}, {offXMLData, h.XMLData, "XML data"}, {offBootMeta, h.BootMeta, "boot metadata"}, {offIntegrity, h.Integrity, "integrity table"}} {
		if r.h.isZero() {
			continue
		}
		if err := checkRange(r.h.Offset, r.h.SizeInWIM, fileSize); err != nil {
			return nil, formatErr(r.off, r.n+" resource header", err)
		}
	}
	return h, nil
}

// put encodes h into b (HeaderSize bytes).
func (h *Header) put(b []byte) {
	clear(b[:HeaderSize])
	le := binary.LittleEndian
	copy(b, magic)
	le.PutUint32(b[offHeaderSize:], HeaderSize)
	le.PutUint32(b[offVersion:], h.Version)
	le.PutUint32(b[offFlags:], h.Flags)
	le.PutUint32(b[offChunkSize:], h.ChunkSize)
	copy(b[offGUID:], h.GUID[:])
	le.PutUint16(b[offPartNumber:], h.PartNumber)
	le.PutUint16(b[offTotalParts:], h.TotalParts)
	le.PutUint32(b[offImageCount:], h.ImageCount)
	h.BlobTable.put(b[offBlobTable:])
	h.XMLData.put(b[offXMLData:])
	h.BootMeta.put(b[offBootMeta:])
	le.PutUint32(b[offBootIndex:], h.BootIndex)
	h.Integrity.put(b[offIntegrity:])
}

// checkRange reports whether [off, off+n) lies inside [0, size).
func checkRange(off, n, size int64) error {
	if off < 0 || n < 0 || off > size || n > size-off {
		return fmt.Errorf("range [%d, +%d) outside the %d-byte file: %w", off, n, size, ErrTruncated)
	}
	return nil
}

func align8(n int64) int64 { return (n + 7) &^ 7 }
