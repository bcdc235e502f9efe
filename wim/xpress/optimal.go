package xpress

import (
	"encoding/binary"
	"math/bits"

	"github.com/wimbuild/wimbuild/wim/internal/huffman"
)

// The near-optimal parser (levels 7-9) finds, for every position, the
// cheapest way to encode the chunk up to there under a cost model taken
// from the Huffman code of a previous parse of the same chunk: a lazy parse
// first, then each optimal pass feeds the next. Costs are in bits.
//
//	cost[i+1] = min(cost[i+1], cost[i] + lit(src[i]))
//	cost[i+L] = min(cost[i+L], cost[i] + match(L, off))   for each match at i

const (
	// unusedCost is the assumed cost of a symbol the model's code lacks.
	unusedCost = 13
	// relaxSpan bounds the lengths tried per match beyond the previous
	// candidate's length; the full length is always tried.
	relaxSpan = 24
)

type match struct {
	length, offset int32
}

// optState is the near-optimal parser's working memory.
type optState struct {
	cost    []uint32 // cost[i]: bits to encode src[:i]
	mlen    []uint32 // length of the match ending at i (0: literal)
	moff    []uint32 // its offset
	matches []match
	litCost [256]uint32
	symCost [numSymbols - 256]uint32
	passes  int
}

func (o *optState) init(maxChunk, passes int) {
	o.cost = make([]uint32, maxChunk+1)
	o.mlen = make([]uint32, maxChunk+1)
	o.moff = make([]uint32, maxChunk+1)
	o.matches = make([]match, 0, 64)
	o.passes = passes
}

// setModel derives symbol costs from the frequencies in c.freqs.
func (c *Compressor) setModel() {
	o := &c.opt
	huffman.BuildLengths(c.lens[:], c.freqs[:], maxCodeLen)
	for i := range o.litCost {
		o.litCost[i] = lenCost(c.lens[i])
	}
	for i := range o.symCost {
		o.symCost[i] = lenCost(c.lens[256+i])
	}
}

func lenCost(l uint8) uint32 {
	if l == 0 {
		return unusedCost
	}
	return uint32(l)
}

// matchCost is the cost in bits of a match under the current model.
func (o *optState) matchCost(length, offset int) uint32 {
	ob := bits.Len(uint(offset)) - 1
	l := length - minMatch
	hdr := min(l, lenHeaderMax)
	cost := o.symCost[ob<<4|hdr] + uint32(ob)
	if l >= lenHeaderMax {
		cost += 8
		if l-lenHeaderMax >= lenByteMax {
			cost += 16
		}
	}
	return cost
}

// findAll inserts pos into the hash tables and appends to o.matches the
// matches at pos of increasing length (a near 3-byte match first, if
// any), stopping at one of at least nice bytes.
func (c *Compressor) findAll(src []byte, pos int) []match {
	ms := c.opt.matches[:0]
	if pos+4 > len(src) {
		return ms
	}
	head4, prev, base := c.head4, c.prev, c.base
	v := binary.LittleEndian.Uint32(src[pos:])
	abs := base + int32(pos)
	h3 := hash3(v)
	cand3 := c.head3[h3]
	c.head3[h3] = abs
	if cand3 >= base && abs-cand3 <= near3 {
		cp := int(cand3 - base)
		if binary.LittleEndian.Uint32(src[cp:])&0xffffff == v&0xffffff {
			ms = append(ms, match{minMatch, abs - cand3})
		}
	}
	h := hash4(v)
	cand := head4[h]
	head4[h] = abs
	if cand < base {
		prev[pos] = 0
		return ms
	}
	prev[pos] = uint16(abs - cand)
	maxLen := len(src) - pos
	nice := min(c.p.nice, maxLen)
	best := 3
	depth := c.p.depth
	cp := int(cand - base)
	for best < nice {
		if src[cp+best] == src[pos+best] && binary.LittleEndian.Uint32(src[cp:]) == v {
			if l := 4 + matchLen(src, cp+4, pos+4, maxLen-4); l > best {
				best = l
				ms = append(ms, match{int32(l), int32(pos - cp)})
			}
		}
		depth--
		d := int(prev[cp])
		if d == 0 || depth <= 0 {
			break
		}
		cp -= d
	}
	return ms
}

// parseOptimal fills c.seqs and c.freqs with a near-optimal parse and
// returns the start of the trailing literals.
func (c *Compressor) parseOptimal(src []byte) int {
	o := &c.opt
	n := len(src)
	tail := c.parseLazy(src)
	for pass := 0; pass < o.passes; pass++ {
		c.freqs[endOfData]++
		c.setModel()
		c.startChunk(n)

		cost, mlen, moff := o.cost[:n+1], o.mlen[:n+1], o.moff[:n+1]
		for i := range cost {
			cost[i] = ^uint32(0)
		}
		cost[0] = 0
		jumpEnd := 0 // positions before this are inside a long match
		for i := 0; i < n; i++ {
			ci := cost[i]
			if c := ci + o.litCost[src[i]]; c < cost[i+1] {
				cost[i+1], mlen[i+1] = c, 0
			}
			if i < jumpEnd {
				if i+4 <= n {
					c.insertRange(src, i, i+1)
				}
				continue
			}
			ms := c.findAll(src, i)
			prevLen := minMatch - 1
			for _, m := range ms {
				l, off := int(m.length), int(m.offset)
				for k := prevLen + 1; k <= l; k++ {
					if k > prevLen+relaxSpan && k < l {
						k = l
					}
					if c := ci + o.matchCost(k, off); c < cost[i+k] {
						cost[i+k], mlen[i+k], moff[i+k] = c, uint32(k), uint32(off)
					}
				}
				prevLen = l
			}
			if prevLen >= c.p.nice {
				jumpEnd = i + prevLen
			}
		}

		// Walk back from the end marking where chosen matches start
		// (cost is free now: start[j] = length<<16 | offset), then emit
		// the choices in order.
		start := cost
		clear(start)
		for i := n; i > 0; {
			if l := mlen[i]; l != 0 {
				i -= int(l)
				start[i] = l<<16 | moff[i+int(l)]
			} else {
				i--
			}
		}
		c.freqs = [numSymbols]uint32{}
		c.seqs = c.seqs[:0]
		c.extraBits, c.rawBytes = 0, 0
		lit := 0
		for i := 0; i < n; {
			m := start[i]
			if m == 0 {
				i++
				continue
			}
			l, off := int(m>>16), int(m&0xffff)
			c.addLits(src, lit, i)
			c.addMatch(i-lit, l, off)
			i += l
			lit = i
		}
		c.addLits(src, lit, n)
		tail = lit
	}
	return tail
}
