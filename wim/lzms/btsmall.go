package lzms

import (
	"encoding/binary"
	"math/bits"
)

// btFindSmall is btFind for chunks of at most 128 KiB (the size WIM
// writers use for non-solid LZMS): the same trees, tables and results,
// read through fixed-size views of the buffers with masked indexes.
// Positions are below 2^17, so no masked index can leave its array, the
// walk needs no bounds checks, and the registers those checks took keep
// the walk's state. btFind serves larger chunks; a test and a fuzz target
// compare the two call by call.

const (
	smallPos     = 1 << 17              // positions of a chunk of at most 128 KiB
	smallWinMask = 2*smallPos - 1       // masks indexes into the input view
	smallWindow  = smallWinMask + 1 + 8 // a masked index leaves room for an 8-byte load
)

type (
	smallInput = [smallWindow]byte
	smallChild = [2 * smallPos]uint32
	smallHead2 = [1 << 16]uint32
	smallHead3 = [1 << hash3Bits]uint32
)

// useSmall reports whether the compressor's buffers are laid out for
// btFindSmall (see alloc).
func (c *Compressor) useSmall() bool {
	return c.optimal && !c.treeKey5 && c.wmask < smallPos
}

func (c *Compressor) btFindSmall(buf []byte, pos int, ms []match) int {
	n := len(buf)
	maxLen := n - pos
	if maxLen < 4 {
		return 0
	}
	nice := min(c.nice, maxLen)
	win := (*smallInput)(c.buf[:smallWindow])
	count := 0
	// Short matches: the latest position with the same 2 and 3 bytes.
	cw := binary.LittleEndian.Uint32(win[pos&smallWinMask:])
	head2 := (*smallHead2)(c.head2)
	head3 := (*smallHead3)(c.head3)
	k2 := cw & 0xFFFF
	c2 := head2[k2]
	head2[k2] = uint32(pos + 1)
	k3 := (cw & 0xFFFFFF) * 0x9E3779B1 >> (32 - hash3Bits)
	c3 := head3[k3&(1<<hash3Bits-1)]
	head3[k3&(1<<hash3Bits-1)] = uint32(pos + 1)
	best := 3
	if ms != nil {
		if p := int(c2) - 1; p >= 0 && p < pos && pos-p <= shortMatchMaxOff && uint16(binary.LittleEndian.Uint32(win[p&smallWinMask:])) == uint16(cw) {
			ms[0] = match{length: 2, off: uint32(pos - p)}
			count = 1
			if win[(p+2)&smallWinMask] == byte(cw>>16) {
				ms[0].length = 3
			}
		}
		if count == 0 || ms[0].length < 3 {
			p := int(c3) - 1
			if p >= 0 && p < pos && (binary.LittleEndian.Uint32(win[p&smallWinMask:])^cw)&0xFFFFFF == 0 {
				ms[count&(maxMatches-1)] = match{length: 3, off: uint32(pos - p)}
				count++
			}
		}
	}
	h := c.hash(cw)
	cand := c.head[h]
	c.head[h] = uint32(pos + 1)
	child := (*smallChild)(c.child[:2*smallPos])
	wm := c.wmask
	lp := 2 * (pos & wm) // slot that takes the next smaller candidate
	rp := lp + 1         // slot that takes the next larger candidate
	var lenL, lenR int
	depth := c.depth
	if ms == nil {
		depth = c.skipDepth
	}
	for d := depth; ; d-- {
		p := int(cand) - 1
		if cand == 0 || d == 0 || pos-p > wm {
			child[lp&(2*smallPos-1)] = 0
			child[rp&(2*smallPos-1)] = 0
			return count
		}
		pi := 2 * (p & wm)
		l := min(lenL, lenR)
		// Compare no further than nice (see btFind).
		var smaller bool // candidate sorts before pos
		for {
			x := binary.LittleEndian.Uint64(win[(p+l)&smallWinMask:])
			y := binary.LittleEndian.Uint64(win[(pos+l)&smallWinMask:])
			if x != y {
				k := bits.TrailingZeros64(x^y) &^ 7
				l += k >> 3
				smaller = byte(x>>k) < byte(y>>k)
				break
			}
			l += 8
			if l >= nice {
				break
			}
		}
		l = min(l, nice)
		if l > best {
			best = l
			if ms != nil && count < len(ms) {
				ms[count] = match{length: uint32(l), off: uint32(pos - p)}
				count++
			}
			if l >= nice {
				child[lp&(2*smallPos-1)] = child[pi&(2*smallPos-1)]
				child[rp&(2*smallPos-1)] = child[(pi+1)&(2*smallPos-1)]
				return count
			}
		}
		if smaller { // l < nice here, so the bytes at l differ
			child[lp&(2*smallPos-1)] = cand
			lp = pi + 1
			cand = child[lp&(2*smallPos-1)]
			lenL = l
		} else {
			child[rp&(2*smallPos-1)] = cand
			rp = pi
			cand = child[rp&(2*smallPos-1)]
			lenR = l
		}
	}
}
