package lzms

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Compressor compresses LZMS chunks. It is not safe for concurrent use;
// keep one per worker and reuse it: its buffers are allocated on the first
// chunk and reused, so steady-state chunks allocate nothing.
//
// Memory per Compressor at levels 30 and up is about 9 bytes per byte of
// maxChunkSize (a filtered copy of the chunk plus binary-tree links) plus
// under 6 MiB of tables: about 3 MiB for 128 KiB chunks, about 585 MiB for
// 64 MiB solid chunks. Lower levels use about 5 bytes per byte.
type Compressor struct {
	maxChunk int
	level    int

	// Parser settings derived from level.
	depth     int // hash-chain candidates examined per position
	skipDepth int // tree nodes examined when inserting a position inside a chosen match
	// Positions per optimal-parsing window. Prices are fixed for a
	// window, so short windows follow the adaptive codes more closely
	// (which pays on small chunks, whose codes start flat); long ones cut
	// fewer matches at window ends (which pays on large chunks).
	window int
	// treeKey5: the binary trees are keyed on 5 bytes rather than 4
	// (large chunks: a quarter fewer nodes visited, each of them a cache
	// miss; 4-byte matches then come from the 3-byte table).
	treeKey5 bool
	nice     int // stop searching at this match length
	lazy     bool
	delta    bool     // look for delta matches
	wmask    int      // match-finder window - 1 (a power of two minus one)
	hbits    uint     // hash table size (log2) for the largest chunk
	cbits    uint     // hash bits used for the current chunk
	buf      []byte   // x86-filtered copy of the chunk
	head     []uint32 // hash heads: position+1, 0 = empty
	prev     []uint32 // hash chains: position+1 of the previous occurrence
	dhead    []uint32 // delta-match hash heads
	child    []uint32 // binary trees: 2 slots per position
	head2    []uint32 // latest position of each 2-byte string
	head3    []uint32 // latest position of each (hashed) 3-byte string
	optimal  bool
	small    bool // btFind runs as btFindSmall (chunks of at most 128 KiB)
	litRep   bool // try match + literal + repeat-match sequences
	pr       prices
	nodes    []optNode
	states   []optState
	matches  [maxMatches]match
	path     []int32
	x86      x86Memory
	enc      encoder
	started  bool
}

// maxWindowBits caps the match finder's window (64 MiB). A variable so
// tests can exercise a window smaller than the chunk.
var maxWindowBits = 26

// DefaultLevel is the level used when 0 is passed to NewCompressor.
const DefaultLevel = 50

// NewCompressor returns a compressor for chunks of up to maxChunkSize bytes
// (1..MaxChunkSize). level 1..100 trades speed for ratio (0 = DefaultLevel).
func NewCompressor(maxChunkSize, level int) (*Compressor, error) {
	if maxChunkSize < 1 || maxChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("%w: %d", ErrChunkSize, maxChunkSize)
	}
	if level == 0 {
		level = DefaultLevel
	}
	if level < 1 || level > 100 {
		return nil, fmt.Errorf("lzms: compression level %d outside 1..100", level)
	}
	c := &Compressor{maxChunk: maxChunkSize, level: level}
	c.depth = 4 + level*level/25 // 1: 4, 50: 104, 100: 404
	c.nice = 32 + level*2
	c.lazy = level >= 10
	c.optimal = level >= 30
	c.delta = level >= 40
	c.litRep = level >= 40
	switch {
	case level >= 40:
		c.depth = 8 + level/2
		c.nice = 16 + level*3/4
	case c.optimal:
		// The quicker optimal levels: shallow search, no delta matches
		// and no match+literal+repeat sequences.
		c.depth = 8
		c.nice = 24
	}
	// The match finder looks back at most maxWindow bytes, which bounds
	// its memory for chunks above 64 MiB; smaller chunks are covered
	// whole.
	c.skipDepth = c.depth
	c.window = optWindowMax
	if maxChunkSize <= smallChunk {
		c.window = optWindowSmall
	}
	c.treeKey5 = maxChunkSize > smallChunk
	c.wmask = 1<<min(bits.Len(uint(maxChunkSize-1)), maxWindowBits) - 1
	hb := uint(bits.Len(uint(maxChunkSize)))
	c.hbits = min(max(hb, 12), 18)
	if c.treeKey5 && c.optimal {
		c.hbits = min(hb, 20)
	}
	c.enc.initCodes()
	return c, nil
}

func (c *Compressor) alloc() {
	c.small = c.useSmall()
	nbuf, nchild := c.maxChunk+8, 2*(c.wmask+1)
	if c.small { // btFindSmall reads through fixed-size views of these
		nbuf, nchild = smallWindow, 2*smallPos
	}
	c.buf = make([]byte, c.maxChunk+8, nbuf)
	c.head = make([]uint32, 1<<c.hbits)
	if c.optimal {
		c.child = make([]uint32, nchild)
		c.head2 = make([]uint32, 1<<16)
		c.head3 = make([]uint32, 1<<hash3Bits)
		c.nodes = make([]optNode, c.window+c.windowSlack()+1)
		c.states = make([]optState, c.window+c.windowSlack()+1)
		c.path = make([]int32, 0, c.window+c.windowSlack())
	} else {
		c.prev = make([]uint32, c.wmask+1)
	}
	c.dhead = make([]uint32, 1<<deltaHashBits)
	c.started = true
}

// Compress compresses src into dst and returns the compressed size, or 0
// when the result would not be smaller than src (the caller stores the chunk
// raw). It never writes past len(src)-1 bytes of dst.
func (c *Compressor) Compress(dst, src []byte) int {
	n := len(src)
	if n > c.maxChunk || n <= minCompressed {
		return 0
	}
	limit := min(len(dst), n-1) &^ 1
	if limit < minCompressed {
		return 0
	}
	if !c.started {
		c.alloc()
	}
	buf := c.buf[:n]
	copy(buf, src)
	clear(c.buf[n : n+8])
	x86Filter(buf, &c.x86, false)
	c.enc.reset(dst[:limit], n)
	// Smaller chunks use (and clear) a smaller part of the hash tables.
	c.cbits = min(max(uint(bits.Len(uint(n)))-2, 12), c.hbits)
	if c.optimal {
		c.parseOptimal(buf)
	} else {
		c.parseLazy(buf)
	}
	return c.enc.finish()
}

func (c *Compressor) hash(u uint32) uint32 {
	return (u * 0x9E3779B1) >> (32 - c.cbits)
}

// matchLen returns the common prefix length of a and b, up to max.
func matchLen(a, b []byte, max int) int {
	n := 0
	for n+8 <= max {
		x := binary.LittleEndian.Uint64(a[n:]) ^ binary.LittleEndian.Uint64(b[n:])
		if x != 0 {
			return n + bits.TrailingZeros64(x)>>3
		}
		n += 8
	}
	for n < max && a[n] == b[n] {
		n++
	}
	return n
}

// Approximate costs in 1/16 bit used by the greedy/lazy parser to compare
// candidates: what a match saves relative to coding its bytes as literals.
func explicitGain(length, off int) int {
	extra := int(offsetExtraBits[offsetSlot(uint32(off))])
	return length*16*6 - (extra*16 + 14*16)
}

func repGain(length int) int {
	return length*16*6 - 9*16
}

// candidate is one way of coding the bytes at a position.
type candidate struct {
	length int
	off    int
	rep    int // repeat slot, -1 explicit
	gain   int
}

// best finds the best LZ candidate at pos (repeat offsets first, then the
// hash chain), inserting pos into the chain.
func (c *Compressor) best(buf []byte, pos int, reps *[numReps + 1]uint32) candidate {
	n := len(buf)
	maxLen := n - pos
	var bc candidate
	bc.rep = -1
	cur := buf[pos:]
	for i := range numReps {
		off := int(reps[i])
		if off > pos {
			continue
		}
		if buf[pos-off] != cur[0] {
			continue
		}
		l := matchLen(buf[pos-off:], cur, maxLen)
		if l >= 1 {
			if g := repGain(l); g > bc.gain {
				bc = candidate{length: l, off: off, rep: i, gain: g}
			}
		}
	}
	if maxLen < 4 {
		return bc
	}
	h := c.hash(binary.LittleEndian.Uint32(cur))
	cand := c.head[h]
	c.head[h] = uint32(pos + 1)
	c.prev[pos&c.wmask] = cand
	if bc.length >= c.nice {
		return bc
	}
	first := binary.LittleEndian.Uint32(cur)
	bestLen := 3
	bestOff := 0
	for d := c.depth; d > 0 && cand != 0; d-- {
		p := int(cand - 1)
		if pos-p > c.wmask {
			break
		}
		cand = c.prev[p&c.wmask]
		if buf[p+bestLen] != cur[bestLen] || binary.LittleEndian.Uint32(buf[p:]) != first {
			continue
		}
		l := matchLen(buf[p:], cur, maxLen)
		if l > bestLen {
			bestLen, bestOff = l, pos-p
			if l >= c.nice || l >= maxLen {
				break
			}
		}
	}
	if bestOff != 0 {
		if g := explicitGain(bestLen, bestOff); g > bc.gain {
			bc = candidate{length: bestLen, off: bestOff, rep: -1, gain: g}
		}
	}
	return bc
}

// insert adds pos to the hash chains without searching.
func (c *Compressor) insert(buf []byte, pos int) {
	if pos+4 > len(buf) {
		return
	}
	h := c.hash(binary.LittleEndian.Uint32(buf[pos:]))
	c.prev[pos&c.wmask] = c.head[h]
	c.head[h] = uint32(pos + 1)
}

// parseLazy codes buf with one-step lazy matching.
func (c *Compressor) parseLazy(buf []byte) {
	clear(c.head[:1<<c.cbits])
	e := &c.enc
	n := len(buf)
	pos := 0
	var pending candidate
	havePending := false
	for pos < n {
		if e.overflow {
			return
		}
		var cur candidate
		lookedAhead := false
		if havePending {
			cur = pending
			havePending = false
		} else {
			reps := e.q.lzReps(pos)
			cur = c.best(buf, pos, &reps)
		}
		if cur.gain <= 0 {
			e.literalItem(buf[pos])
			pos++
			continue
		}
		if c.lazy && pos+1 < n && cur.length < c.nice {
			// The queue a match at pos+1 would see after a literal.
			reps := e.q.lzReps(pos + 1)
			next := c.best(buf, pos+1, &reps)
			lookedAhead = true
			if next.gain > cur.gain+6*16 {
				e.literalItem(buf[pos])
				pos++
				pending = next
				havePending = true
				continue
			}
		}
		reps := e.q.lzReps(pos)
		rep := -1
		for i := range numReps {
			if int(reps[i]) == cur.off {
				rep = i
				break
			}
		}
		e.lzItem(pos, uint32(cur.off), uint32(cur.length), rep)
		start := pos + 1
		if lookedAhead {
			start++ // pos+1 was already inserted by the lazy look-ahead
		}
		pos += cur.length
		for p := start; p < pos; p++ {
			c.insert(buf, p)
		}
	}
}
