package lzms

import (
	"errors"
	"fmt"
)

// Format constants. Names follow the prose in doc.go.
const (
	// MaxChunkSize is the largest chunk this package accepts (1 GiB, the
	// largest solid-resource chunk size a WIM may declare).
	MaxChunkSize = 1 << 30

	maxMatchLen    = 1073809578 // largest length a length slot can express
	maxMatchOffset = 1180427428 // largest offset an offset slot can express

	numLiteralSyms    = 256
	numLengthSyms     = 54
	numDeltaPowerSyms = 8
	maxOffsetSyms     = 799
	maxCodewordLen    = 15

	literalRebuild     = 1024
	lzOffsetRebuild    = 1024
	lengthRebuild      = 512
	deltaOffsetRebuild = 1024
	deltaPowerRebuild  = 512

	// Binary decision contexts: the number of recent bits of history that
	// select the probability entry.
	numMainStates     = 16
	numMatchStates    = 32
	numLZStates       = 64
	numDeltaStates    = 64
	numLZRepStates    = 64
	numDeltaRepStates = 64
	numRepDecisions   = 2 // three repeat slots need two binary decisions

	probBits        = 6
	probMax         = 1 << probBits
	initialZeroBits = 48
	initialRecent   = 0x0000000055555555

	numReps = 3 // repeat offsets addressable by a match

	// x86 address translation.
	x86IDWindow       = 65535
	x86MaxTransOffset = 1023
)

// Slot tables. Each table is described by runs of (extra bits, slot count);
// slot bases follow from them: base[0] = 1, base[i+1] = base[i] + 1<<extra[i].
var (
	offsetSlotRuns = [][2]int{
		{0, 8}, {2, 9}, {3, 7}, {4, 10}, {5, 15}, {6, 15}, {7, 20}, {8, 20},
		{9, 30}, {10, 33}, {11, 40}, {12, 42}, {13, 45}, {14, 60}, {15, 73},
		{16, 80}, {17, 85}, {18, 95}, {19, 105}, {20, 6}, {30, 1},
	}
	lengthSlotRuns = [][2]int{
		{0, 26}, {1, 4}, {2, 6}, {3, 4}, {4, 5}, {5, 2}, {6, 1}, {7, 1},
		{8, 1}, {9, 1}, {10, 1}, {16, 1}, {30, 1},
	}

	offsetSlotBase  [maxOffsetSyms + 1]uint32
	offsetExtraBits [maxOffsetSyms]uint8
	lengthSlotBase  [numLengthSyms + 1]uint32
	lengthExtraBits [numLengthSyms]uint8
)

func init() {
	buildSlots(offsetSlotRuns, offsetSlotBase[:], offsetExtraBits[:])
	buildSlots(lengthSlotRuns, lengthSlotBase[:], lengthExtraBits[:])
	initSmallSlots()
}

func buildSlots(runs [][2]int, base []uint32, extra []uint8) {
	slot := 0
	b := uint32(1)
	for _, r := range runs {
		for range r[1] {
			base[slot] = b
			extra[slot] = uint8(r[0])
			b += 1 << r[0]
			slot++
		}
	}
	if slot != len(extra) {
		panic("lzms: slot table size mismatch")
	}
	base[slot] = b
}

// slotFor returns the slot whose range holds v (v >= 1) in a base table with
// a trailing sentinel entry.
func slotFor(base []uint32, v uint32) int {
	lo, hi := 0, len(base)-2
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if base[mid] <= v {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// numOffsetSlots is the size of the offset alphabets for a chunk of n bytes:
// enough slots for every offset that can occur (at most n-1).
func numOffsetSlots(n int) int {
	if n < 2 {
		return 0
	}
	return 1 + slotFor(offsetSlotBase[:], uint32(n-1))
}

// Errors.
var (
	// ErrCorrupt is matched (errors.Is) by every *CorruptError.
	ErrCorrupt = errors.New("lzms: corrupt compressed data")
	// ErrChunkSize reports a chunk size outside 1..MaxChunkSize, or a
	// buffer larger than the size the codec was created for.
	ErrChunkSize = errors.New("lzms: invalid chunk size")
)

// CorruptError describes invalid compressed input: Offset is the byte offset
// in the compressed chunk where the forward (range-coded) reader stood, Out
// the number of bytes decoded so far.
type CorruptError struct {
	Offset int64
	Out    int64
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("lzms: corrupt compressed data at byte %d (output byte %d): %s", e.Offset, e.Out, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
