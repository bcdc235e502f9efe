package lzx

import (
	"encoding/binary"
	"math/bits"
)

// bt16 is the match finder for chunks below 64 KiB, the WIM's usual case
// (32 KiB chunks). It keeps the same binary trees and hash tables as
// matchFinder, with the same results, but holds them, and reads the input,
// through fixed-size arrays indexed with masks: positions are below 2^16,
// so no index can leave its array and the walk needs no bounds checks,
// which leaves it enough registers to run without reloading its state at
// every node. The generic matchFinder serves larger chunks.
type bt16 struct {
	hashBits uint
	maxOff   int
	head4    [1 << bt16HashBits]uint16 // tree roots by the first 4 bytes
	head3    [hash3Size]uint16
	head2    [hash2Size]uint16
	child    [bt16Pos][2]uint16 // {left (smaller), right (greater)}, +1 encoded
}

const (
	bt16Pos      = 1 << 16       // positions of a chunk below 64 KiB
	bt16InLen    = 2 * bt16Pos   // input positions: chunk, slack and room for masks
	bt16InMask   = bt16InLen - 1 // masks indexes into the input window
	bt16Window   = bt16InLen + 8 // a masked index leaves room for an 8-byte load
	bt16HashBits = 15            // largest hashBits newMatchFinder picks below 64 KiB
)

// bt16Input is the fixed-size view of the compressor's input the 16-bit
// finder reads (the buffer is allocated at least this long).
type bt16Input = [bt16Window]byte

func newBT16(maxChunk, maxOff int) *bt16 {
	hb := uint(14)
	for 1<<(hb+1) < maxChunk && hb < bt16HashBits {
		hb++
	}
	return &bt16{hashBits: hb, maxOff: maxOff}
}

func (mf *bt16) reset() {
	clear(mf.head4[:])
	clear(mf.head3[:])
	clear(mf.head2[:])
	// child entries are always written before they are read.
}

// window returns the fixed-size view of in (its capacity is at least
// bt16Window).
func (mf *bt16) window(in []byte) *bt16Input {
	return (*bt16Input)(in[:bt16Window])
}

func (mf *bt16) hash4(in *bt16Input, p int) uint32 {
	return (binary.LittleEndian.Uint32(in[p&bt16InMask:]) * 0x9E3779B1) >> (32 - mf.hashBits)
}

// matchLen16 is matchLen on the input window.
func matchLen16(in *bt16Input, a, b, start, max int) int {
	l := start
	for l+8 <= max {
		x := binary.LittleEndian.Uint64(in[(a+l)&bt16InMask:]) ^ binary.LittleEndian.Uint64(in[(b+l)&bt16InMask:])
		if x != 0 {
			return l + bits.TrailingZeros64(x)>>3
		}
		l += 8
	}
	for l < max && in[(a+l)&bt16InMask] == in[(b+l)&bt16InMask] {
		l++
	}
	return l
}

// find is matchFinder.find for chunks below 64 KiB: the same matches in
// the same order, and the same tree updates. in is the chunk (len(in) =
// chunk size, capacity at least bt16Window).
func (mf *bt16) find(buf []byte, cur, maxLen, nice, depth int, out *[maxFound]uint32) (int, int) {
	in := mf.window(buf)
	n, best := 0, 2
	// The nearest length-2 and length-3 candidates are recorded without
	// branches (their tests are as good as random): each is written, and
	// counted only if it holds.
	w4 := binary.LittleEndian.Uint32(in[cur&bt16InMask:])
	h2 := hash2(byte(w4), byte(w4>>8)) & (hash2Size - 1)
	e2 := int(mf.head2[h2])
	c2 := e2 - 1
	out[0] = uint32(cur-c2)<<9 | 2
	n = int(b2u(e2 != 0) & b2u(cur-c2 <= max2Off) & b2u(uint16(binary.LittleEndian.Uint32(in[c2&bt16InMask:])) == uint16(w4)))
	mf.head2[h2] = uint16(cur + 1)
	h3 := hash3(buf, cur) & (hash3Size - 1)
	e3 := int(mf.head3[h3])
	c3 := e3 - 1
	out[n] = uint32(cur-c3)<<9 | 3
	ok3 := int(b2u(e3 != 0) & b2u(cur-c3 <= mf.maxOff) & b2u((binary.LittleEndian.Uint32(in[c3&bt16InMask:])^w4)&0xFFFFFF == 0))
	n += ok3
	best += ok3
	mf.head3[h3] = uint16(cur + 1)
	if maxLen < 4 {
		return n, best
	}

	h := mf.hash4(in, cur) & (1<<bt16HashBits - 1)
	node := int(mf.head4[h]) - 1
	mf.head4[h] = uint16(cur + 1)
	child := &mf.child
	lt := &child[cur&(bt16Pos-1)][0]
	gt := &child[cur&(bt16Pos-1)][1]
	lenLt, lenGt := 0, 0
	nice = min(nice, maxLen)
	depth = min(depth, maxFound-2)
	for ; node >= 0 && depth > 0; depth-- {
		l := min(lenLt, lenGt)
		if in[(node+l)&bt16InMask] == in[(cur+l)&bt16InMask] {
			l = matchLen16(in, node, cur, l+1, nice)
			if l >= nice {
				l = matchLen16(in, node, cur, l, maxLen)
				if off := cur - node; off <= mf.maxOff {
					best = l
					out[n&(maxFound-1)] = uint32(off)<<9 | uint32(l)
					n++
				}
				ch := &child[node&(bt16Pos-1)]
				*lt = ch[0]
				*gt = ch[1]
				return n, best
			}
			if l > best {
				if off := cur - node; off <= mf.maxOff {
					best = l
					out[n&(maxFound-1)] = uint32(off)<<9 | uint32(l)
					n++
				}
			}
		}
		ch := &child[node&(bt16Pos-1)]
		if in[(node+l)&bt16InMask] < in[(cur+l)&bt16InMask] {
			*lt = uint16(node + 1)
			lt = &ch[1]
			node = int(ch[1]) - 1
			lenLt = l
		} else {
			*gt = uint16(node + 1)
			gt = &ch[0]
			node = int(ch[0]) - 1
			lenGt = l
		}
	}
	*lt = 0
	*gt = 0
	return n, best
}

// skip is matchFinder.skip for chunks below 64 KiB.
func (mf *bt16) skip(buf []byte, cur, maxLen, nice, depth int) {
	in := mf.window(buf)
	mf.head2[hash2(in[cur&bt16InMask], in[(cur+1)&bt16InMask])&(hash2Size-1)] = uint16(cur + 1)
	mf.head3[hash3(buf, cur)&(hash3Size-1)] = uint16(cur + 1)
	if maxLen < 4 {
		return
	}
	h := mf.hash4(in, cur) & (1<<bt16HashBits - 1)
	node := int(mf.head4[h]) - 1
	mf.head4[h] = uint16(cur + 1)
	child := &mf.child
	lt := &child[cur&(bt16Pos-1)][0]
	gt := &child[cur&(bt16Pos-1)][1]
	lenLt, lenGt := 0, 0
	nice = min(nice, maxLen)
	for ; node >= 0 && depth > 0; depth-- {
		l := min(lenLt, lenGt)
		if in[(node+l)&bt16InMask] == in[(cur+l)&bt16InMask] {
			l = matchLen16(in, node, cur, l+1, nice)
			if l >= nice {
				ch := &child[node&(bt16Pos-1)]
				*lt = ch[0]
				*gt = ch[1]
				return
			}
		}
		ch := &child[node&(bt16Pos-1)]
		if in[(node+l)&bt16InMask] < in[(cur+l)&bt16InMask] {
			*lt = uint16(node + 1)
			lt = &ch[1]
			node = int(ch[1]) - 1
			lenLt = l
		} else {
			*gt = uint16(node + 1)
			gt = &ch[0]
			node = int(ch[0]) - 1
			lenGt = l
		}
	}
	*lt = 0
	*gt = 0
}
