package xpress

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/wimbuild/wimbuild/wim/internal/huffman"
)

// Compression levels.
const (
	MinLevel     = 1
	MaxLevel     = 9
	DefaultLevel = 5
)

const (
	hash4Bits = 16
	hash3Bits = 12
	// near3 is the largest offset at which a 3-byte match is considered;
	// farther ones rarely beat three literals.
	near3 = 4096
	// The lazy parser's limits for 3- and 4-byte matches: it pays more for
	// taking a short match (the next position is not searched again), so
	// it wants them nearer.
	lazyNear3 = 512
	lazyNear4 = 2048
)

// params tune the match finder and parser for one level.
type params struct {
	depth   int  // hash chain candidates examined per position
	nice    int  // stop searching at a match this long
	lazy    bool // try the next position before taking a match
	maxLazy int  // take a match at least this long without a lazy step
	good    int  // search goodDepth deep for a lazy step beating this
	// lazyDepth and goodDepth are the chain candidates examined for a
	// lazy step (below and from good).
	lazyDepth, goodDepth int
	optimal              bool // near-optimal parse (levels 7-9)
	// maxInsert bounds the positions inserted inside one match.
	maxInsert int
	use3      bool // greedy parser: look for 3-byte matches at small offsets (the lazy parser always does)
	passes    int  // near-optimal passes
}

var levels = [MaxLevel + 1]params{
	1: {depth: 4, nice: 16, maxInsert: 16},
	2: {depth: 8, nice: 32, maxInsert: 32},
	3: {depth: 4, nice: 24, lazy: true, maxLazy: 8, good: 6, lazyDepth: 1, goodDepth: 1, use3: true, maxInsert: 32},
	4: {depth: 8, nice: 32, lazy: true, maxLazy: 16, good: 4, lazyDepth: 3, goodDepth: 1, use3: true, maxInsert: 64},
	5: {depth: 16, nice: 64, lazy: true, maxLazy: 32, good: 4, lazyDepth: 4, goodDepth: 1, use3: true, maxInsert: 65536},
	6: {depth: 64, nice: 192, lazy: true, maxLazy: 96, good: 32, lazyDepth: 64, goodDepth: 16, use3: true, maxInsert: 256},
	7: {depth: 16, nice: 64, optimal: true, goodDepth: 4, use3: true, maxInsert: 65536, passes: 1},
	8: {depth: 32, nice: 128, optimal: true, goodDepth: 8, use3: true, maxInsert: 65536, passes: 2},
	9: {depth: 48, nice: 258, optimal: true, goodDepth: 12, use3: true, maxInsert: 65536, passes: 2},
}

// tables are the match finder's hash heads and chains.
type tables struct {
	head4 [1 << hash4Bits]int32
	head3 [1 << hash3Bits]int32
	prev  [MaxChunkSize]uint16 // indexed by uint16 positions
	// win holds a copy of the chunk, indexed by uint16 positions; the
	// padding lets 8-byte loads start at any position. Bytes at and past
	// the chunk's end are never compared.
	win [MaxChunkSize + 8]byte
	// out is where write builds the stream (always shorter than the chunk).
	out [MaxChunkSize + 8]byte
}

// seq is a run of literals followed by one match.
type seq struct {
	lits   uint32 // literals before the match
	length uint32
	offset uint16
	sym    uint16 // the match's Huffman symbol
}

// Compressor compresses XPRESS chunks. It allocates its state once and
// reuses it for every chunk; it is not safe for concurrent use.
type Compressor struct {
	maxChunk int
	p        params

	t     *tables  // the match finder's tables, as arrays (no bounds checks in the hot loop)
	head4 []int32  // t.head4: hash4 -> latest absolute position
	head3 []int32  // t.head3: hash3 -> latest absolute position
	prev  []uint16 // chunk position -> distance back to the previous position with the same hash4 (0: none)
	base  int32    // absolute position of this chunk's byte 0

	seqs []seq
	// extraBits and rawBytes are the offset bits and the extra length
	// bytes of the matches in seqs.
	extraBits, rawBytes int
	freqs               [numSymbols]uint32
	lens                [numSymbols]uint8
	codes               [numSymbols]uint32
	enc                 [numSymbols]uint32 // codeword<<5 | length, for write

	opt optState
}

// NewCompressor returns a compressor for chunks of up to maxChunkSize
// (1..MaxChunkSize) bytes at the given level (MinLevel..MaxLevel; 0 means
// DefaultLevel). Higher levels compress better and more slowly.
func NewCompressor(maxChunkSize, level int) (*Compressor, error) {
	if maxChunkSize < 1 || maxChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("%w: %d (want 1..%d)", ErrChunkSize, maxChunkSize, MaxChunkSize)
	}
	if level == 0 {
		level = DefaultLevel
	}
	if level < MinLevel || level > MaxLevel {
		return nil, fmt.Errorf("%w: %d (want %d..%d, or 0 for %d)", ErrLevel, level, MinLevel, MaxLevel, DefaultLevel)
	}
	t := new(tables)
	c := &Compressor{
		maxChunk: maxChunkSize,
		p:        levels[level],
		t:        t,
		head4:    t.head4[:],
		head3:    t.head3[:],
		prev:     t.prev[:],
		base:     1, // zeroed heads (0) are then "before this chunk"
		seqs:     make([]seq, 0, maxChunkSize/minMatch+1),
	}
	if c.p.optimal {
		c.opt.init(maxChunkSize, c.p.passes)
	}
	return c, nil
}

// Compress compresses src (1..maxChunkSize bytes) into dst and returns the
// compressed length, or 0 when the result would not be smaller than src
// (the caller stores the chunk raw). It writes at most len(src)-1 bytes.
func (c *Compressor) Compress(dst, src []byte) int {
	if len(src) > c.maxChunk {
		panic("xpress: Compress input exceeds the chunk size")
	}
	limit := min(len(dst), len(src)-1)
	if limit < minOutput+2 {
		return 0
	}
	c.startChunk(len(src))
	copy(c.t.win[:], src)
	c.freqs = [numSymbols]uint32{}
	c.seqs = c.seqs[:0]
	c.extraBits, c.rawBytes = 0, 0
	var tail int
	switch {
	case c.p.optimal:
		tail = c.parseOptimal(src)
	case c.p.lazy:
		tail = c.parseLazy(src)
	default:
		tail = c.parseGreedy(src)
	}
	c.freqs[endOfData]++
	huffman.BuildLengths(c.lens[:], c.freqs[:], maxCodeLen)
	size := c.outputSize()
	if size > limit {
		return 0
	}
	huffman.Codewords(c.codes[:], c.lens[:])
	return c.write(dst[:size], src, tail)
}

// startChunk advances the absolute position base past the previous chunk
// so stale hash entries read as "before this chunk", clearing the tables
// only when positions would overflow.
func (c *Compressor) startChunk(n int) {
	if int64(c.base)+2*MaxChunkSize+int64(n) >= 1<<31-1 {
		clear(c.head4)
		clear(c.head3)
		c.base = 1
	}
	c.base += int32(c.maxChunk) + 1
}

func hash4(v uint32) uint32 { return (v * 2654435761) >> (32 - hash4Bits) }
func hash3(v uint32) uint32 { return ((v << 8) * 2654435761) >> (32 - hash3Bits) }

// matchLen returns the length of the common prefix of src[a:] and
// src[b:], a < b, at most max bytes (b+max <= len(src)).
func matchLen(src []byte, a, b, max int) int {
	n := 0
	for n+8 <= max {
		x := binary.LittleEndian.Uint64(src[a+n:]) ^ binary.LittleEndian.Uint64(src[b+n:])
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < max && src[a+n] == src[b+n] {
		n++
	}
	return n
}

// matchLenW is matchLen on the window w (a < b < MaxChunkSize).
func matchLenW(w *[MaxChunkSize + 8]byte, a, b, max int) int {
	n := 0
	for n+8 <= max {
		x := binary.LittleEndian.Uint64(w[uint16(a+n):]) ^ binary.LittleEndian.Uint64(w[uint16(b+n):])
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < max && w[uint16(a+n)] == w[uint16(b+n)] {
		n++
	}
	return n
}

// find inserts pos into the hash tables and returns the longest match
// there longer than best (pass minMatch-1 for any match), examining at
// most depth hash chain candidates. It returns length 0 when there is
// none.
func (c *Compressor) find(src []byte, pos, depth, best int) (length, offset int) {
	if pos+4 > len(src) {
		return 0, 0
	}
	head4, prev := c.head4, c.prev
	base := c.base
	v := binary.LittleEndian.Uint32(src[pos:])
	abs := base + int32(pos)
	h := hash4(v)
	cand := head4[h]
	head4[h] = abs
	maxLen := len(src) - pos
	start := max(best, 3) // the chains give matches of 4 or more
	best = start
	if cand < base {
		prev[pos] = 0
	} else {
		prev[pos] = uint16(abs - cand)
		nice := min(c.p.nice, maxLen)
		cp := int(cand - base)
		var next byte // the byte a longer match must repeat
		if best < nice {
			next = src[pos+best]
		}
		for best < nice {
			if src[cp+best] == next && binary.LittleEndian.Uint32(src[cp:]) == v {
				if l := 4 + matchLen(src, cp+4, pos+4, maxLen-4); l > best {
					best, offset = l, pos-cp
					if best < nice {
						next = src[pos+best]
					}
				}
			}
			depth--
			d := int(prev[cp])
			if d == 0 || depth <= 0 {
				break
			}
			cp -= d
		}
	}
	if best > start {
		if c.p.use3 {
			c.head3[hash3(v)] = abs
		}
		return best, offset
	}
	if start == 3 {
		return c.find3(src, pos, v, abs)
	}
	if c.p.use3 {
		c.head3[hash3(v)] = abs
	}
	return 0, 0
}

// find3 looks for a near 3-byte match at pos (when the chains found
// nothing longer) and inserts pos in the 3-byte table.
func (c *Compressor) find3(src []byte, pos int, v uint32, abs int32) (length, offset int) {
	if !c.p.use3 {
		return 0, 0
	}
	h3 := hash3(v)
	cand := c.head3[h3]
	c.head3[h3] = abs
	if cand < c.base || cand >= abs || abs-cand > near3 {
		return 0, 0
	}
	cp := int(cand - c.base)
	if binary.LittleEndian.Uint32(src[cp:])&0xffffff != v&0xffffff {
		return 0, 0
	}
	return minMatch, pos - cp
}

func (c *Compressor) addLits(src []byte, from, to int) {
	for _, b := range src[from:to] {
		c.freqs[b]++
	}
}

// addLits counts the literals [from, to) of the window copy.
func (t *tables) addLits(freqs *[numSymbols]uint32, from, to int) {
	for i := from; i < to; i++ {
		freqs[t.win[uint16(i)]]++
	}
}

// addMatch records a match (offset 1..maxOffset) after lits literals.
func (c *Compressor) addMatch(lits, length, offset int) {
	ob := bits.Len(uint(offset)) - 1
	l := length - minMatch
	sym := (256 + ob<<4 | min(l, lenHeaderMax)) & (numSymbols - 1) // offset < 1<<16: no-op mask
	c.seqs = append(c.seqs, seq{lits: uint32(lits), length: uint32(length), offset: uint16(offset), sym: uint16(sym)})
	c.freqs[sym]++
	c.extraBits += ob
	if l >= lenHeaderMax {
		c.rawBytes++
		if l-lenHeaderMax >= lenByteMax {
			c.rawBytes += 2
		}
	}
}

// skip inserts positions [from, to) that a match covers. Inside long
// matches (runs, repeated blocks) only the first and last positions are
// inserted: the ones skipped would mostly find the same match again.
func (c *Compressor) skip(src []byte, from, to int) {
	to = min(to, len(src)-3)
	if to-from > c.p.maxInsert {
		c.insertRange(src, from, from+c.p.maxInsert/2)
		from = max(from, to-c.p.maxInsert/2)
	}
	c.insertRange(src, from, to)
}

// insertRange inserts positions [from, to) in the hash tables.
func (c *Compressor) insertRange(src []byte, from, to int) {
	if from >= to {
		return
	}
	head4 := (*[1 << hash4Bits]int32)(c.head4)
	prev := (*[MaxChunkSize]uint16)(c.prev)
	base := c.base
	s := src[from : to+3]
	abs := base + int32(from)
	use3 := c.p.use3
	head3 := (*[1 << hash3Bits]int32)(c.head3)
	for i := range len(s) - 3 {
		v := uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
		h := hash4(v)
		d := uint16(abs - head4[h])
		if head4[h] < base {
			d = 0
		}
		head4[h] = abs
		prev[uint16(from+i)] = d
		if use3 {
			head3[hash3(v)] = abs
		}
		abs++
	}
}

// insert inserts positions [from, to) of the window copy in the hash
// tables (insertRange for the lazy parser).
func (t *tables) insert(from, to int, base int32) {
	abs := base + int32(from)
	for i := from; i < to; i++ {
		v := binary.LittleEndian.Uint32(t.win[uint16(i):])
		h := hash4(v)
		d := int(abs - t.head4[h]) // cand < base: before this chunk
		if d > i {
			d = 0
		}
		t.head4[h] = abs
		t.prev[uint16(i)] = uint16(d)
		t.head3[hash3(v)] = abs
		abs++
	}
}

// parseGreedy takes the longest match at each position. It returns the
// start of the trailing literals.
func (c *Compressor) parseGreedy(src []byte) int {
	lit := 0
	for pos := 0; pos < len(src); {
		l, off := c.find(src, pos, c.p.depth, minMatch-1)
		if l == 0 {
			pos++
			continue
		}
		c.addLits(src, lit, pos)
		c.addMatch(pos-lit, l, off)
		c.skip(src, pos+1, pos+l)
		pos += l
		lit = pos
	}
	c.addLits(src, lit, len(src))
	return lit
}

// better reports whether match (l2, o2) found one byte later is worth
// emitting a literal for instead of taking (l1, o1) now.
func better(l2, o2, l1, o1 int) bool {
	// A byte more length is worth about two offset bits (what a byte costs
	// in a well compressed stream); the switch must also pay for the
	// literal it emits.
	return l2 >= minMatch && l2*2-bits.Len(uint(o2)) > l1*2-bits.Len(uint(o1))+4
}

// walk follows the hash chain from cp, an earlier position whose 4 bytes
// hash like those at q (v), for at most depth candidates and returns the
// longest match there longer than best (best < lim), up to lim bytes, with
// its position (or best and -1). It is the compressor's innermost loop and
// kept small so its few values stay in registers.
//
//go:noinline
func (t *tables) walk(q, cp, best, lim, depth int, v uint32) (int, int) {
	w := &t.win
	bcp := -1
	next := w[uint16(q+best)] // the byte a longer match must repeat
	for {
		if w[uint16(cp+best)] == next && binary.LittleEndian.Uint32(w[uint16(cp):]) == v {
			if l := 4 + matchLenW(w, cp+4, q+4, lim-4); l > best {
				best, bcp = l, cp
				if best >= lim {
					break
				}
				next = w[uint16(q+best)]
			}
		}
		d := int(t.prev[uint16(cp)])
		depth--
		if d == 0 || depth == 0 {
			break
		}
		cp -= d
	}
	return best, bcp
}

// scan searches positions q, q+1, ... of the window copy of the chunk (n
// bytes) for the start of a match while no match is pending, inserting
// every position it searches. It returns that position and the match, or
// n and length 0 when no match is left. It is parseLazy's search without
// a pending match, as a small loop of its own.
func (c *Compressor) scan(q, n int) (pos, length, offset int) {
	t := c.t
	base := c.base
	for ; q+4 <= n; q++ {
		v := binary.LittleEndian.Uint32(t.win[uint16(q):])
		abs := base + int32(q)
		h := hash4(v)
		cand := t.head4[h]
		t.head4[h] = abs
		h3 := hash3(v)
		cand3 := t.head3[h3]
		t.head3[h3] = abs
		d := int(abs - cand) // cand < base: before this chunk
		if d > q {
			d = 0
		}
		t.prev[uint16(q)] = uint16(d)
		if d != 0 {
			maxLen := n - q
			if lim := min(c.p.nice, maxLen); lim > 3 {
				if best, cp := t.walk(q, q-d, 3, lim, c.p.depth, v); best > 3 && (best > 4 || q-cp <= lazyNear4) {
					if best == lim {
						best += matchLenW(&t.win, cp+best, q+best, maxLen-best)
					}
					return q, best, q - cp
				}
			}
		}
		if d3 := int(abs - cand3); d3 <= lazyNear3 && d3 <= q {
			if binary.LittleEndian.Uint32(t.win[uint16(q-d3):])&0xffffff == v&0xffffff {
				return q, minMatch, d3
			}
		}
	}
	return n, 0, 0
}

// parseLazy is greedy parsing that defers a match by one byte while the
// next position has a better one. It returns the start of the trailing
// literals.
//
// The match finder is inlined here and in scan (it is the compressor's hot
// loop): scan finds the next match start, then q is the position of each
// lazy step and (pl, poff) at ppos the match waiting for it (pl == 0:
// none). Every searched position is inserted in the hash tables; the
// positions a taken match covers after q are inserted by skip.
func (c *Compressor) parseLazy(src []byte) int {
	n := len(src)
	t := c.t
	base := c.base
	lit := 0
	pl, poff, ppos := 0, 0, 0
	for q := 0; q < n; {
		if pl == 0 {
			var l, o int
			q, l, o = c.scan(q, n)
			if l == 0 {
				break
			}
			pl, poff, ppos = l, o, q
		} else {
			// Lazy step: search q for a match longer than pl-1.
			l2, o2 := 0, 0
			if q+4 <= n {
				v := binary.LittleEndian.Uint32(t.win[uint16(q):])
				abs := base + int32(q)
				h := hash4(v)
				cand := t.head4[h]
				t.head4[h] = abs
				h3 := hash3(v)
				cand3 := t.head3[h3]
				t.head3[h3] = abs
				d := int(abs - cand)
				if d > q {
					d = 0
				}
				t.prev[uint16(q)] = uint16(d)
				start := max(pl-1, 3) // the chains give matches of 4 or more
				if d != 0 {
					maxLen := n - q
					if lim := min(c.p.nice, maxLen); lim > start {
						depth := c.p.lazyDepth
						if pl >= c.p.good {
							depth = c.p.goodDepth
						}
						best, cp := start, q-d
						if depth == 1 {
							// One candidate: check it here.
							if t.win[uint16(cp+start)] == t.win[uint16(q+start)] && binary.LittleEndian.Uint32(t.win[uint16(cp):]) == v {
								best = max(best, 4+matchLenW(&t.win, cp+4, q+4, lim-4))
							}
						} else {
							best, cp = t.walk(q, cp, start, lim, depth, v)
						}
						if best > start && (best > 4 || q-cp <= lazyNear4) {
							if best == lim {
								best += matchLenW(&t.win, cp+best, q+best, maxLen-best)
							}
							l2, o2 = best, q-cp
						}
					}
				}
				if start == 3 && l2 == 0 {
					if d3 := int(abs - cand3); d3 <= lazyNear3 && d3 <= q {
						if binary.LittleEndian.Uint32(t.win[uint16(q-d3):])&0xffffff == v&0xffffff {
							l2, o2 = minMatch, d3
						}
					}
				}
			}
			if !better(l2, o2, pl, poff) {
				goto emit
			}
			pl, poff, ppos = l2, o2, q
		}
		if pl < c.p.maxLazy && ppos+1 < n {
			q = ppos + 1
			continue
		}
	emit:
		t.addLits(&c.freqs, lit, ppos)
		c.addMatch(ppos-lit, pl, poff)
		if end := ppos + pl; end-q-1 <= c.p.maxInsert {
			t.insert(q+1, min(end, n-3), base)
		} else {
			c.skip(src, q+1, end)
		}
		q = ppos + pl
		lit = q
		pl = 0
	}
	t.addLits(&c.freqs, lit, n)
	return lit
}

// outputSize returns the exact stream size for the parse and code.
func (c *Compressor) outputSize() int {
	nbits := 0
	for s, f := range c.freqs {
		nbits += int(f) * int(c.lens[s])
	}
	nbits += c.extraBits
	// Every started word plus the word slot reserved after it.
	return tableBytes + 2*((nbits+15)/16+1) + c.rawBytes
}

// write emits the stream into out, which has exactly outputSize bytes.
//
// Bits go MSB-first into 16-bit little-endian words with raw length bytes
// interleaved. Slots w1 (the word being filled) and w2 (the next word)
// are always reserved and raw bytes go to bp, after both. A word is stored
// only when more than 16 bits are pending, so at every point a raw byte
// lands exactly where a decoder that keeps 16..31 bits loaded reads it.
func (c *Compressor) write(out, src []byte, tail int) int {
	// The stream is built in the window-sized buffer c.t.out, indexed by
	// uint16 offsets (every offset is below len(src) <= MaxChunkSize, so
	// no bounds checks), then copied to out.
	o := &c.t.out
	for i := range tableBytes {
		o[i] = c.lens[2*i] | c.lens[2*i+1]<<4
	}
	// enc[s] = codeword<<5 | length: one load per symbol.
	enc := &c.enc
	for s, l := range c.lens {
		enc[s] = c.codes[s]<<5 | uint32(l)
	}
	w1, w2, bp := tableBytes, tableBytes+2, tableBytes+4
	var acc uint64
	n := 0 // pending bits in acc, at most 16 between symbols
	pos := 0
	for _, s := range c.seqs {
		for i, end := pos, pos+int(s.lits); i < end; i++ {
			e := enc[c.t.win[uint16(i)]]
			acc = acc<<(e&31) | uint64(e>>5)
			n += int(e & 31)
			binary.LittleEndian.PutUint16(o[uint16(w1):], uint16(acc>>(uint(n-16)&63)))
			m := (16 - n) >> 63
			w1, w2, bp, n = w1+(w2-w1)&m, w2+(bp-w2)&m, bp+2&m, n-16&m
		}
		pos += int(s.lits)
		length, offset := int(s.length), int(s.offset)
		e := enc[s.sym&(numSymbols-1)]
		acc = acc<<(e&31) | uint64(e>>5)
		n += int(e & 31)
		binary.LittleEndian.PutUint16(o[uint16(w1):], uint16(acc>>(uint(n-16)&63)))
		m := (16 - n) >> 63
		w1, w2, bp, n = w1+(w2-w1)&m, w2+(bp-w2)&m, bp+2&m, n-16&m
		if l := length - minMatch; l >= lenHeaderMax {
			if l-lenHeaderMax < lenByteMax {
				o[uint16(bp)] = byte(l - lenHeaderMax)
				bp++
			} else {
				o[uint16(bp)] = lenByteMax
				binary.LittleEndian.PutUint16(o[uint16(bp+1):], uint16(l))
				bp += 3
			}
		}
		ob := int(s.sym>>4) & 15
		acc = acc<<ob | uint64(offset)&(1<<ob-1)
		n += ob
		binary.LittleEndian.PutUint16(o[uint16(w1):], uint16(acc>>(uint(n-16)&63)))
		m = (16 - n) >> 63
		w1, w2, bp, n = w1+(w2-w1)&m, w2+(bp-w2)&m, bp+2&m, n-16&m
		pos += length
	}
	for i := tail; i < len(src); i++ {
		e := enc[c.t.win[uint16(i)]]
		acc = acc<<(e&31) | uint64(e>>5)
		n += int(e & 31)
		binary.LittleEndian.PutUint16(o[uint16(w1):], uint16(acc>>(uint(n-16)&63)))
		m := (16 - n) >> 63
		w1, w2, bp, n = w1+(w2-w1)&m, w2+(bp-w2)&m, bp+2&m, n-16&m
	}
	e := enc[endOfData]
	acc = acc<<(e&31) | uint64(e>>5)
	n += int(e & 31)
	binary.LittleEndian.PutUint16(o[uint16(w1):], uint16(acc>>(uint(n-16)&63)))
	m := (16 - n) >> 63
	w1, w2, bp, n = w1+(w2-w1)&m, w2+(bp-w2)&m, bp+2&m, n-16&m
	binary.LittleEndian.PutUint16(o[uint16(w1):], uint16(acc<<uint(16-n)))
	binary.LittleEndian.PutUint16(o[uint16(w2):], 0)
	return copy(out, o[:bp])
}
