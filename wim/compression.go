package wim

import (
	"fmt"
	"strings"
)

// Compression is a WIM compression format.
type Compression int

// Compression formats. The numeric values equal the format codes of solid
// resource headers.
const (
	None   Compression = 0
	XPRESS Compression = 1
	LZX    Compression = 2
	LZMS   Compression = 3
)

// String returns the lower-case name ("none", "xpress", "lzx", "lzms").
func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case XPRESS:
		return "xpress"
	case LZX:
		return "lzx"
	case LZMS:
		return "lzms"
	}
	return fmt.Sprintf("compression(%d)", int(c))
}

// ParseCompression accepts the names printed by String (any case) and the
// DISM/wimlib aliases "fast" (XPRESS), "maximum" (LZX) and "recovery" (LZMS).
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "uncompressed":
		return None, nil
	case "xpress", "fast":
		return XPRESS, nil
	case "lzx", "maximum":
		return LZX, nil
	case "lzms", "recovery":
		return LZMS, nil
	}
	return None, fmt.Errorf("wim: unknown compression %q (want none, xpress, lzx or lzms)", s)
}

// hdrFlag returns the header flags announcing c.
func (c Compression) hdrFlag() uint32 {
	switch c {
	case XPRESS:
		return HdrFlagCompression | HdrFlagCompressXPRESS
	case LZX:
		return HdrFlagCompression | HdrFlagCompressLZX
	case LZMS:
		return HdrFlagCompression | HdrFlagCompressLZMS
	}
	return 0
}

// validChunkSize reports whether chunkSize may be used to write c.
// Sizes follow wimlib's limits: XPRESS 4 KiB–64 KiB, LZX 32 KiB–2 MiB,
// LZMS 32 KiB–1 GiB (solid up to MaxSolidChunkSize here); powers of two.
func (c Compression) validChunkSize(chunkSize int, solid bool) error {
	lo, hi := 0, 0
	switch c {
	case None:
		return nil
	case XPRESS:
		lo, hi = 1<<12, 1<<16
	case LZX:
		lo, hi = 1<<15, 1<<21
	case LZMS:
		lo, hi = 1<<15, MaxChunkSize
		if solid {
			hi = MaxSolidChunkSize
		}
	default:
		return fmt.Errorf("%w: %v", ErrUnsupported, c)
	}
	if chunkSize < lo || chunkSize > hi || chunkSize&(chunkSize-1) != 0 {
		return fmt.Errorf("wim: chunk size %d invalid for %v (power of two in [%d, %d])", chunkSize, c, lo, hi)
	}
	return nil
}
