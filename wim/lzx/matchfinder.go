package lzx

import (
	"encoding/binary"
	"math/bits"
)

// Binary-tree match finder over one chunk.
//
// Positions hashed on their first 4 bytes share a binary search tree whose
// nodes are earlier positions ordered by the bytes that follow them; the
// newest position becomes the root of its tree. Searching and inserting is
// one walk from the root: every node visited is compared with the current
// position, the match lengths found grow along the walk (a longer match is
// recorded only when it beats the best so far), and the walk re-links the
// visited nodes into the left (smaller) and right (greater) subtrees of the
// new root. Separate 2-byte and 3-byte tables supply the nearest length-2
// and length-3 matches.
//
// Tables store position+1 so that 0 means empty and a chunk resets them
// with clear(). The compressor uses this finder with int32 entries for
// chunks of 64 KiB and more; chunks below that go to bt16, the same
// algorithm on fixed-size arrays, and the uint16 form of this one is the
// reference its tests compare it with.

const (
	hash3Bits = 14
	hash3Size = 1 << hash3Bits
	hash2Bits = 12
	hash2Size = 1 << hash2Bits
	max2Off   = 256 // length-2 matches further away rarely pay
)

// hash2 indexes the small length-2 table (collisions are verified).
func hash2(b0, b1 byte) uint32 {
	return ((uint32(b0)<<8 | uint32(b1)) * 0x9E3779B1) >> (32 - hash2Bits)
}

// mfIndex is the type of a table entry: int32, or uint16 (chunks below
// 64 KiB; the tests' reference for bt16).
type mfIndex interface{ ~uint16 | ~int32 }

type matchFinder[T mfIndex] struct {
	hashBits uint
	head4    []T // tree roots by the first 4 bytes
	head3    []T // nearest position by the first 3 bytes
	head2    []T
	child    [][2]T // child[p] = {left (smaller), right (greater)}, +1 encoded
	maxOff   int    // largest encodable match offset (window - 3)
}

func newMatchFinder[T mfIndex](maxChunk int, maxOff int) *matchFinder[T] {
	hb := uint(14)
	for 1<<(hb+1) < maxChunk && hb < 18 {
		hb++
	}
	return &matchFinder[T]{
		hashBits: hb,
		head4:    make([]T, 1<<hb),
		head3:    make([]T, hash3Size),
		head2:    make([]T, hash2Size),
		child:    make([][2]T, maxChunk),
		maxOff:   maxOff,
	}
}

func (mf *matchFinder[T]) reset() {
	clear(mf.head4)
	clear(mf.head3)
	clear(mf.head2)
	// child entries are always written before they are read.
}

func hash3(in []byte, p int) uint32 {
	v := uint32(in[p]) | uint32(in[p+1])<<8 | uint32(in[p+2])<<16
	return (v * 0x9E3779B1) >> (32 - hash3Bits)
}

func (mf *matchFinder[T]) hash4(in []byte, p int) uint32 {
	return (binary.LittleEndian.Uint32(in[p:]) * 0x9E3779B1) >> (32 - mf.hashBits)
}

// matchLen returns the common prefix length of in[a:] and in[b:], at most
// max (b > a; in[b:b+max] must be in range).
func matchLen(in []byte, a, b, start, max int) int {
	l := start
	for l+8 <= max {
		x := binary.LittleEndian.Uint64(in[a+l:]) ^ binary.LittleEndian.Uint64(in[b+l:])
		if x != 0 {
			return l + bits.TrailingZeros64(x)>>3
		}
		l += 8
	}
	for l < max && in[a+l] == in[b+l] {
		l++
	}
	return l
}

// maxFound bounds the matches find records at one position: the
// length-2 and length-3 candidates and at most one per tree node visited
// (depth is capped at maxFound-2).
const maxFound = 64

// find records the matches at position cur into out as (length, offset)
// pairs packed off<<9|len, with strictly increasing lengths, and inserts
// cur. maxLen (>= 3) is the longest match the data allows (the same rule
// for every position, which keeps the trees consistent), nice (<= maxLen
// after clamping) stops the search once reached, depth bounds the nodes
// visited. It returns the number of matches recorded and the longest
// recorded length (2 if none longer).
//
// The walk keeps few values live: lengths are compared only up to nice
// inside it (a node matching that far ends the walk, and only then is the
// match extended towards maxLen), and the output is a fixed-size buffer.
func (mf *matchFinder[T]) find(in []byte, cur, maxLen, nice, depth int, out *[maxFound]uint32) (int, int) {
	n, best := 0, 2 // the tree records matches of 3 or more
	// Length-2 match from the nearest earlier occurrence of these 2 bytes.
	b0, b1 := in[cur], in[cur+1]
	h2 := hash2(b0, b1)
	if c := int(mf.head2[h2]) - 1; c >= 0 && cur-c <= max2Off && in[c] == b0 && in[c+1] == b1 {
		out[0] = uint32(cur-c)<<9 | 2
		n = 1
	}
	mf.head2[h2] = T(cur + 1)
	// Length-3 match from the nearest earlier occurrence of these 3 bytes.
	h3 := hash3(in, cur)
	if c := int(mf.head3[h3]) - 1; c >= 0 && cur-c <= mf.maxOff && in[c] == b0 && in[c+1] == b1 && in[c+2] == in[cur+2] {
		best = 3
		out[n&(maxFound-1)] = uint32(cur-c)<<9 | 3
		n++
	}
	mf.head3[h3] = T(cur + 1)
	if maxLen < 4 {
		return n, best
	}

	h := mf.hash4(in, cur)
	node := int(mf.head4[h]) - 1
	mf.head4[h] = T(cur + 1)
	child := mf.child
	lt := &child[cur][0] // where to link the next smaller node
	gt := &child[cur][1] // where to link the next greater node
	lenLt, lenGt := 0, 0
	nice = min(nice, maxLen)
	depth = min(depth, maxFound-2)
	for ; node >= 0 && depth > 0; depth-- {
		l := min(lenLt, lenGt)
		if in[node+l] == in[cur+l] {
			l = matchLen(in, node, cur, l+1, nice)
			if l >= nice {
				// Long enough: take its full length, and drop node from
				// the tree (cur replaces it; the two are equal as far as
				// the tree compares).
				l = matchLen(in, node, cur, l, maxLen)
				if off := cur - node; off <= mf.maxOff {
					best = l
					out[n&(maxFound-1)] = uint32(off)<<9 | uint32(l)
					n++
				}
				*lt = child[node][0]
				*gt = child[node][1]
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
		ch := &child[node]
		if in[node+l] < in[cur+l] {
			*lt = T(node + 1)
			lt = &ch[1]
			node = int(ch[1]) - 1
			lenLt = l
		} else {
			*gt = T(node + 1)
			gt = &ch[0]
			node = int(ch[0]) - 1
			lenGt = l
		}
	}
	*lt = 0
	*gt = 0
	return n, best
}

// capMatches limits the matches ms (strictly increasing lengths) to
// limit: the first reaching it is cut to limit and the rest dropped. It
// returns how many remain and the longest length.
func capMatches(ms []uint32, limit int, best int) (int, int) {
	for k, m := range ms {
		if int(m&511) >= limit {
			ms[k] = m&^511 | uint32(limit)
			return k + 1, limit
		}
	}
	return len(ms), best
}

// skip inserts position cur without recording matches.
func (mf *matchFinder[T]) skip(in []byte, cur, maxLen, nice, depth int) {
	mf.head2[hash2(in[cur], in[cur+1])] = T(cur + 1)
	mf.head3[hash3(in, cur)] = T(cur + 1)
	if maxLen < 4 {
		return
	}
	h := mf.hash4(in, cur)
	node := int(mf.head4[h]) - 1
	mf.head4[h] = T(cur + 1)
	child := mf.child
	lt := &child[cur][0]
	gt := &child[cur][1]
	lenLt, lenGt := 0, 0
	if nice > maxLen {
		nice = maxLen
	}
	for ; node >= 0 && depth > 0; depth-- {
		l := min(lenLt, lenGt)
		if in[node+l] == in[cur+l] {
			// Only whether the match reaches nice matters here, so the
			// comparison stops there (in a long run it would otherwise
			// compare up to maxLen bytes at every position).
			l = matchLen(in, node, cur, l+1, nice)
			if l >= nice {
				*lt = child[node][0]
				*gt = child[node][1]
				return
			}
		}
		ch := &child[node]
		if in[node+l] < in[cur+l] {
			*lt = T(node + 1)
			lt = &ch[1]
			node = int(ch[1]) - 1
			lenLt = l
		} else {
			*gt = T(node + 1)
			gt = &ch[0]
			node = int(ch[0]) - 1
			lenGt = l
		}
	}
	*lt = 0
	*gt = 0
}
