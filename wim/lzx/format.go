package lzx

import (
	"errors"
	"fmt"
)

// Format constants of LZX as used in WIM resources ([MS-PATCH] §2 with the
// WIM differences listed in doc.go).
const (
	minMatch = 2   // shortest match
	maxMatch = 257 // longest match

	numChars         = 256 // literal symbols at the start of the main code
	numLenHeaders    = 8   // length headers per offset slot in the main code
	numPrimaryLens   = 7   // length headers 0..6 code lengths 2..8 directly
	numLenSyms       = 249 // length code: lengths 9..257
	numPretreeSyms   = 20  // pretree alphabet
	numAlignedSyms   = 8   // aligned-offset code alphabet
	maxCodeLen       = 16  // longest main/length codeword
	maxPretreeLen    = 15  // pretree lengths are 4-bit fields
	maxAlignedLen    = 7   // aligned lengths are 3-bit fields
	numRepeatOffsets = 3   // R0, R1, R2

	blockVerbatim     = 1
	blockAligned      = 2
	blockUncompressed = 3

	defaultBlockSize = 32768 // block size signalled by the 1-bit flag

	minWindowOrder = 15
	maxWindowOrder = 21
	// MaxChunkSize is the largest chunk (= window) the codec handles.
	MaxChunkSize = 1 << maxWindowOrder
	// DefaultChunkSize is the WIM default LZX chunk size.
	DefaultChunkSize = 1 << minWindowOrder

	// e8FileSize is the fixed E8 translation size of WIM LZX.
	e8FileSize = 12000000
	// e8Tail: no call translation starts in the last e8Tail bytes.
	e8Tail = 10

	maxOffsetSlots = 50
	maxMainSyms    = numChars + maxOffsetSlots*numLenHeaders
)

// numOffsetSlots[order-15] is the offset slot count for a window of
// 2^order bytes.
var numOffsetSlots = [...]int{30, 32, 34, 36, 38, 42, 50}

// slotBase and slotFooter give each offset slot's first formatted offset
// (match offset + 2) and its count of footer (extra) bits.
// (Sized 64 so that a 6-bit slot index needs no bounds check.)
var (
	slotBase   [64]uint32
	slotFooter [64]uint8
)

func init() {
	var base uint32
	for s := 0; s < maxOffsetSlots; s++ {
		var f uint8
		switch {
		case s < 4:
			f = 0
		case s < 36:
			f = uint8(s/2 - 1)
		default:
			f = 17
		}
		slotFooter[s] = f
		slotBase[s] = base
		base += 1 << f
	}
	slotBase[maxOffsetSlots] = base
}

// windowOrder returns the LZX window order used for chunks of at most
// maxChunk bytes: ceil(log2(maxChunk)), at least 15.
func windowOrder(maxChunk int) (uint, error) {
	if maxChunk < 1 || maxChunk > MaxChunkSize {
		return 0, fmt.Errorf("%w: %d (want 1..%d)", ErrChunkSize, maxChunk, MaxChunkSize)
	}
	o := uint(minWindowOrder)
	for 1<<o < maxChunk {
		o++
	}
	return o, nil
}

// Errors.
var (
	// ErrChunkSize reports an unsupported chunk size.
	ErrChunkSize = errors.New("lzx: unsupported chunk size")
	// ErrCorrupt is wrapped by every *CorruptError.
	ErrCorrupt = errors.New("lzx: corrupt input")
)

// CorruptError describes corrupt or truncated compressed input. Offset is
// the byte offset in the compressed chunk where decoding stopped.
type CorruptError struct {
	Offset int64
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("lzx: corrupt input at byte %d: %s", e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }
