package huffman

import (
	"math/bits"
	"slices"
)

// MaxCodeLen is the longest codeword this package builds or decodes.
const MaxCodeLen = 16

// stackSymbols is the alphabet size up to which BuildLengths works in stack
// scratch space (no allocation). Every WIM alphabet is smaller.
const stackSymbols = 1024

// BuildLengths sets lens[i] to the code length of symbol i for a prefix code
// over len(freqs) symbols with the given frequencies, no length exceeding
// maxLen. Symbols with frequency 0 get length 0. The lengths are optimal
// when no length limit is hit; when the limit is hit the longest codes are
// clamped and the Kraft sum is repaired by lengthening the deepest codes
// that can absorb it, which stays within a fraction of a percent of the
// optimal limited code in practice.
//
// Whenever two or more symbols are used the resulting code is complete
// (Kraft sum exactly 1), which decoders that reject incomplete codes need.
// When exactly one symbol is used it gets length 1 and, so the code still
// has two codewords and stays complete, the lowest-numbered other symbol
// (0, or 1 if the used symbol is 0) also gets length 1. When no symbol is
// used every length is 0.
//
// It panics if len(lens) < len(freqs), if maxLen is outside
// 1..MaxCodeLen, or if more than 1<<maxLen symbols are used (no code of
// that length exists): all are programming errors.
func BuildLengths(lens []uint8, freqs []uint32, maxLen int) {
	if maxLen < 1 || maxLen > MaxCodeLen {
		panic("huffman: BuildLengths maxLen out of range")
	}
	n := len(freqs)
	lens = lens[:n]

	var keyBuf [stackSymbols]uint64
	var depBuf [stackSymbols]uint32
	keys, dep := keyBuf[:0], depBuf[:]
	if n > stackSymbols {
		keys = make([]uint64, 0, n)
		dep = make([]uint32, n)
	}
	for s, f := range freqs {
		lens[s] = 0
		if f != 0 {
			keys = append(keys, uint64(f)<<32|uint64(s))
		}
	}
	used := len(keys)
	switch used {
	case 0:
		return
	case 1:
		s := int(uint32(keys[0]))
		lens[s] = 1
		if n > 1 {
			if s == 0 {
				lens[1] = 1
			} else {
				lens[0] = 1
			}
		}
		return
	}
	if used > 1<<maxLen {
		panic("huffman: BuildLengths: too many used symbols for maxLen")
	}
	slices.Sort(keys)
	a := dep[:used]
	for i, k := range keys {
		a[i] = uint32(k >> 32)
	}
	optimalDepths(a)

	// a[i] is now the depth of the i-th least frequent symbol, and depths
	// never increase with i. Count codes per length, clamping to maxLen.
	var count [MaxCodeLen + 1]int
	for _, d := range a {
		if int(d) > maxLen {
			d = uint32(maxLen)
		}
		count[d]++
	}
	if int(a[0]) > maxLen {
		repairKraft(&count, maxLen)
	}

	// Longest codes go to the least frequent symbols.
	i := 0
	for l := maxLen; l >= 1; l-- {
		for c := count[l]; c > 0; c-- {
			lens[uint32(keys[i])] = uint8(l)
			i++
		}
	}
}

// optimalDepths replaces the nondecreasing weights in a (len(a) >= 2) with
// the depths of an optimal prefix code, computed in place with the
// Moffat–Katajainen method ("In-place calculation of minimum-redundancy
// codes", 1995): a[0], the smallest weight, gets the largest depth.
func optimalDepths(a []uint32) {
	n := len(a)
	// Phase 1: build the tree bottom-up. Internal node i's weight is kept
	// in a[i] until it becomes a child, then a[i] holds its parent index.
	a[0] += a[1]
	root, leaf := 0, 2
	for next := 1; next < n-1; next++ {
		if leaf >= n || a[root] < a[leaf] {
			a[next] = a[root]
			a[root] = uint32(next)
			root++
		} else {
			a[next] = a[leaf]
			leaf++
		}
		if leaf >= n || (root < next && a[root] < a[leaf]) {
			a[next] += a[root]
			a[root] = uint32(next)
			root++
		} else {
			a[next] += a[leaf]
			leaf++
		}
	}
	// Phase 2: parent indices to internal node depths.
	a[n-2] = 0
	for next := n - 3; next >= 0; next-- {
		a[next] = a[a[next]] + 1
	}
	// Phase 3: internal node depths to leaf depths.
	avail, usedNodes, depth := 1, 0, uint32(0)
	r, next := n-2, n-1
	for avail > 0 {
		for r >= 0 && a[r] == depth {
			usedNodes++
			r--
		}
		for avail > usedNodes {
			a[next] = depth
			next--
			avail--
		}
		avail = 2 * usedNodes
		depth++
		usedNodes = 0
	}
}

// repairKraft makes the per-length counts of a code whose lengths were
// clamped to maxLen satisfy the Kraft equality again. Units are
// 2^-maxLen of code space.
func repairKraft(count *[MaxCodeLen + 1]int, maxLen int) {
	capacity := 1 << maxLen
	total := 0
	for l := 1; l <= maxLen; l++ {
		total += count[l] << (maxLen - l)
	}
	// Over-full: push the deepest shorter codes one level down.
	for total > capacity {
		l := maxLen - 1
		for count[l] == 0 {
			l--
		}
		count[l]--
		count[l+1]++
		total -= 1 << (maxLen - l - 1)
	}
	// Under-full after an overshoot: pull the deepest codes up, largest
	// step that still fits first.
	for total < capacity {
		deficit := capacity - total
		l := maxLen
		for l > 1 && (count[l] == 0 || 1<<(maxLen-l) > deficit) {
			l--
		}
		// The deficit is a multiple of the step of the deepest used level
		// D, and D >= 2 because two or more symbols are used, so the
		// search always stops at a level with a code to move.
		count[l]--
		count[l-1]++
		total += 1 << (maxLen - l)
	}
}

// Codewords sets codes[i] to the canonical codeword of symbol i (the low
// lens[i] bits, to be written most-significant bit first) for the lengths
// in lens. Unused symbols get 0. The lengths must not be over-subscribed.
func Codewords(codes []uint32, lens []uint8) {
	var count [MaxCodeLen + 1]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [MaxCodeLen + 1]uint32
	code := uint32(0)
	for l := 1; l <= MaxCodeLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	codes = codes[:len(lens)]
	for s, l := range lens {
		if l == 0 {
			codes[s] = 0
			continue
		}
		codes[s] = next[l]
		next[l]++
	}
}

// ReversedCodewords is Codewords with each codeword's bits reversed, for
// writers that emit the least-significant bit first.
func ReversedCodewords(codes []uint32, lens []uint8) {
	Codewords(codes, lens)
	for s, l := range lens {
		if l != 0 {
			codes[s] = bits.Reverse32(codes[s]) >> (32 - l)
		}
	}
}
