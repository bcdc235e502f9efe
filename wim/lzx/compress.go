package lzx

import (
	"encoding/binary"
	"math/bits"

	"github.com/wimbuild/wimbuild/wim/internal/huffman"
)

// params are the tuning knobs derived from the level.
type params struct {
	depth      int  // binary-tree nodes visited per position
	nice       int  // a match this long is taken without optimization
	passes     int  // optimization passes (cost model refined between passes)
	lightFirst bool // passes before the last evaluate only full match lengths
	sample     int  // passes before the last cover only sample/8 of the block (0 = all)
}

func levelParams(level int) params {
	switch {
	case level == 0, level >= 40 && level < 60:
		return params{depth: 12, nice: 20, passes: 2, lightFirst: true, sample: 4}
	case level < 20:
		return params{depth: 8, nice: 16, passes: 1}
	case level < 40:
		return params{depth: 8, nice: 20, passes: 2, lightFirst: true, sample: 4}
	case level < 80:
		return params{depth: 16, nice: 32, passes: 2, lightFirst: true}
	default:
		return params{depth: 32, nice: 64, passes: 3}
	}
}

// blockLen is the largest block the compressor emits (the size the 1-bit
// block-size flag denotes).
const blockLen = defaultBlockSize

const infCost = 1 << 31

// costRow is the length of a match-cost row: a power of two so that
// indexing with len&(costRow-1) needs no bounds check.
const costRow = 512

// Compressor compresses WIM LZX chunks. It is not safe for concurrent use;
// it reuses all its state from chunk to chunk.
type Compressor struct {
	maxChunk int
	order    uint
	numMain  int
	numSlots int
	p        params
	mf16     *bt16               // chunks below 64 KiB
	mf32     *matchFinder[int32] // larger chunks

	in     []byte // E8-translated chunk (c.n bytes used)
	n      int
	cache  []uint32         // matches of the current block: off<<9 | len
	cnt    *[parseLen]uint8 // matches per position of the block (index & parseMask)
	forced []int32          // positions whose longest match is taken directly
	// Optimal-parse graph, one entry per position (index & parseMask): the
	// cheapest known cost of reaching it with the last step of that way
	// (cost<<32 | step, step layout at stepShift; fo 0..2 = repeat
	// offset, else offset+2) and the recent offsets there (packed, see
	// packQueue).
	nodes *[parseLen]uint64
	qs    *[parseLen]uint64
	gaps  *[parseLen]uint32 // match before the gap of a gap step (fo<<9 | len)
	items []uint32          // parsed block: literal = byte<<9 | 1, match = fo<<9 | len
	rev   []uint32          // backtracking scratch

	// recent offsets at the start of the block being parsed / after it
	q0, q1, q2 uint32

	mainFreq  [maxMainSyms]uint32
	lenFreq   [numLenSyms]uint32
	alignFreq [numAlignedSyms]uint32
	mainLens  [maxMainSyms]uint8
	lenLens   [numLenSyms]uint8
	alignLens [numAlignedSyms]uint8
	prevMain  [maxMainSyms]uint8 // code lengths of the previous block
	prevLen   [numLenSyms]uint8
	mainCodes [maxMainSyms]uint32
	lenCodes  [numLenSyms]uint32
	alignCode [numAlignedSyms]uint32

	litCost   [numChars]uint32
	alignAdj  [numAlignedSyms]uint32        // per low 3 offset bits, added for slots >= 8
	matchCost *[maxSlotRows][costRow]uint64 // per slot, per length: cost<<32 | length (cost incl. footer bits)

	preItems []uint32 // pretree symbols: sym | extra<<8 | extraBits<<16
	preFreq  [numPretreeSyms]uint32
	preLens  [numPretreeSyms]uint8
	preCodes [numPretreeSyms]uint32

	bw     bitWriter
	outBuf []byte

	light     bool        // current pass evaluates fewer match lengths
	forceType int         // tests: force every block to this type (0 = choose)
	half      [2]symFreqs // counts of the halves of a block tried as two
	splits    int         // blocks written as two, for tests
	midSplits int         // of those, blocks with more of the chunk after them
}

// NewCompressor returns a compressor for chunks of at most maxChunkSize
// bytes (1..2 MiB; the window order follows from it as for the
// decompressor). Levels follow wimlib's scale: 0 is the default (= 50);
// 1..19 parse once, 20..39 search less, 40..59 are the default, 60..79 and
// 80 and up search deeper and optimize more (smaller and slower).
func NewCompressor(maxChunkSize, level int) (*Compressor, error) {
	o, err := windowOrder(maxChunkSize)
	if err != nil {
		return nil, err
	}
	ns := numOffsetSlots[o-minWindowOrder]
	bl := min(blockLen, maxChunkSize)
	c := &Compressor{
		maxChunk:  maxChunkSize,
		order:     o,
		numMain:   numChars + ns*numLenHeaders,
		numSlots:  ns,
		p:         levelParams(level),
		cnt:       new([parseLen]uint8),
		nodes:     new([parseLen]uint64),
		qs:        new([parseLen]uint64),
		gaps:      new([parseLen]uint32),
		items:     make([]uint32, 0, bl),
		rev:       make([]uint32, 0, bl),
		matchCost: new([maxSlotRows][costRow]uint64),
		preItems:  make([]uint32, 0, maxMainSyms+numLenSyms),
		outBuf:    make([]byte, 0, 2*maxChunkSize+4096),
	}
	c.cache = make([]uint32, 0, bl*4)
	if maxChunkSize < 1<<16 {
		c.mf16 = newBT16(maxChunkSize, 1<<o-3)
		// bt16 reads the chunk through a fixed-size view of this buffer.
		c.in = make([]byte, maxChunkSize+8, max(maxChunkSize+8, bt16Window))
	} else {
		c.mf32 = newMatchFinder[int32](maxChunkSize, 1<<o-3)
		c.in = make([]byte, maxChunkSize+8)
	}
	return c, nil
}

// offsetSlot returns the offset slot of formatted offset fo.
func offsetSlot(fo uint32) uint32 {
	if fo < 4 {
		return fo
	}
	if fo >= 1<<18 {
		return 36 + (fo-1<<18)>>17
	}
	hb := uint32(bits.Len32(fo)) - 1
	return 2*hb + (fo>>(hb-1))&1
}

// repFrom is the shortest length a repeat match of length L is tried
// with: all lengths, or in a quick pass only the full one.
func repFrom(light bool, L int) int {
	if light {
		return L
	}
	return minMatch
}

// explicitSlot is offsetSlot for the formatted offset of an explicit
// match (fo >= 3), without the repeat-offset branch.
func explicitSlot(fo uint32) uint32 {
	if fo >= 1<<18 {
		return 36 + (fo-1<<18)>>17
	}
	hb := uint32(bits.Len32(fo)) - 1
	return 2*hb + (fo>>(hb-1))&1
}

// Compress compresses one chunk src into dst and returns the compressed
// size, or 0 when the result would not be smaller than src (the caller then
// stores the chunk raw). It never writes more than len(src)-1 bytes.
func (c *Compressor) Compress(dst, src []byte) int {
	n := len(src)
	if n == 0 || n > c.maxChunk {
		return 0
	}
	limit := min(n-1, len(dst))
	c.n = n
	in := c.in[:n]
	copy(in, src)
	e8Encode(in)
	c.resetMF()
	clear(c.prevMain[:])
	clear(c.prevLen[:])
	c.q0, c.q1, c.q2 = 1, 1, 1
	c.bw = bitWriter{out: c.outBuf[:0]}
	for bs := 0; bs < n; bs += blockLen {
		be := min(bs+blockLen, n)
		c.compressBlock(bs, be)
		if c.bw.bitLen() > limit*8 {
			return 0
		}
	}
	c.bw.flush()
	out := c.bw.out
	c.outBuf = out[:0]
	if len(out) > limit {
		return 0
	}
	return copy(dst, out)
}

// compressBlock finds matches for in[bs:be], parses and writes one block.
func (c *Compressor) compressBlock(bs, be int) {
	c.findMatches(bs, be)
	sq0, sq1, sq2 := c.q0, c.q1, c.q2
	if bs == 0 {
		c.initialCosts(bs, be)
	} else {
		c.costsFromLens()
	}
	for pass := 0; pass < c.p.passes; pass++ {
		c.q0, c.q1, c.q2 = sq0, sq1, sq2
		c.light = c.p.lightFirst && pass+1 < c.p.passes
		stop := be
		if pass+1 < c.p.passes && c.p.sample > 0 {
			stop = bs + (be-bs)*c.p.sample/8
		}
		c.parse(bs, be, stop)
		if pass+1 < c.p.passes {
			c.countFreqs()
			c.buildLens()
			c.costsFromLens()
			c.alignedCosts()
		}
	}
	c.alignAdj = [numAlignedSyms]uint32{}
	c.writeSplit(bs, be, sq0, sq1, sq2)
}

// minSplitLen is the shortest block that is tried as two blocks.
const minSplitLen = 8192

// writeSplit writes the parsed block in[bs:be] as one block or as two
// blocks split near the middle, whichever is smaller: two Huffman codes
// pay where the data changes character within a chunk (code and tables
// in an executable). The parse is the same either way; only the codes
// differ, and their sizes are computed exactly before anything is
// written. Blocks shorter than minSplitLen, and every block when tests
// force a block type, are written whole.
func (c *Compressor) writeSplit(bs, be int, sq0, sq1, sq2 uint32) {
	all := c.items
	// The split: the first item boundary at or past the middle.
	pos, k := bs, 0
	q := packQueue(sq0, sq1, sq2)
	if c.forceType == 0 && be-bs >= minSplitLen {
		mid := bs + (be-bs)/2
		for k < len(all) && pos < mid {
			it := all[k]
			q = nextQueue(q, it)
			pos += int(it & 511)
			k++
		}
	}
	if k > 0 && k < len(all) {
		m := pos
		// Count each half once; the whole block's counts are their sum.
		c.countFreqsOf(all[:k])
		f1 := c.saveFreqs(&c.half[0])
		c.countFreqsOf(all[k:])
		f2 := c.saveFreqs(&c.half[1])
		c.loadFreqs(f1)
		h1 := c.codeBits(m-bs, c.prevMain[:], c.prevLen[:])
		firstMain, firstLen := c.mainLens, c.lenLens
		c.loadFreqs(f2)
		h2 := c.codeBits(be-m, firstMain[:], firstLen[:])
		secondMain, secondLen := c.mainLens, c.lenLens
		c.loadFreqs(f1)
		c.addFreqs(f2)
		one := c.codeBits(be-bs, c.prevMain[:], c.prevLen[:])
		if h1+h2 < one {
			// An uncompressed first half must leave the offsets the
			// second half was parsed with; the block's own end offsets
			// stay the compressor's.
			eq0, eq1, eq2 := c.q0, c.q1, c.q2
			mq0, mq1, mq2 := uint32(q&qMask), uint32(q>>qBits&qMask), uint32(q>>(2*qBits))
			c.items = all[:k]
			c.loadFreqs(f1)
			c.mainLens, c.lenLens = firstMain, firstLen
			c.writeBlock(bs, m, mq0, mq1, mq2)
			c.q0, c.q1, c.q2 = eq0, eq1, eq2
			c.items = all[k:]
			c.loadFreqs(f2)
			c.mainLens, c.lenLens = secondMain, secondLen
			c.writeBlock(m, be, mq0, mq1, mq2)
			c.items = all
			c.splits++
			if be < c.n {
				c.midSplits++
			}
			return
		}
		// The whole block's codes are the ones just built.
		c.writeBlock(bs, be, sq0, sq1, sq2)
		return
	}
	c.countFreqs()
	c.buildLens()
	c.writeBlock(bs, be, sq0, sq1, sq2)
}

// symFreqs are the symbol counts of a block (the active ones live in
// Compressor.mainFreq, lenFreq and alignFreq).
type symFreqs struct {
	main  [maxMainSyms]uint32
	len   [numLenSyms]uint32
	align [numAlignedSyms]uint32
}

// saveFreqs copies the active counts to f and returns f.
func (c *Compressor) saveFreqs(f *symFreqs) *symFreqs {
	f.main, f.len, f.align = c.mainFreq, c.lenFreq, c.alignFreq
	return f
}

// loadFreqs makes f the active counts.
func (c *Compressor) loadFreqs(f *symFreqs) {
	c.mainFreq, c.lenFreq, c.alignFreq = f.main, f.len, f.align
}

// addFreqs adds f to the active counts.
func (c *Compressor) addFreqs(f *symFreqs) {
	for i, v := range f.main[:c.numMain] {
		c.mainFreq[i] += v
	}
	for i, v := range f.len {
		c.lenFreq[i] += v
	}
	for i, v := range f.align {
		c.alignFreq[i] += v
	}
}

// codeBits builds the codes for the active counts (a block of size
// bytes) into c.mainLens and c.lenLens and returns what the block would
// take in bits beyond the footer bits every offset needs anyway: header,
// code lengths (delta-coded against prevMain, prevLen) and symbols, and
// the aligned offset part at its cheaper coding.
func (c *Compressor) codeBits(size int, prevMain, prevLen []uint8) int {
	c.buildLens()
	bits := 4
	if size != defaultBlockSize {
		bits += 24
	}
	bits += c.planLens(prevMain[:numChars], c.mainLens[:numChars])
	bits += c.planLens(prevMain[numChars:c.numMain], c.mainLens[numChars:c.numMain])
	bits += c.planLens(prevLen, c.lenLens[:])
	for i, f := range c.mainFreq[:c.numMain] {
		bits += int(f) * int(c.mainLens[i])
	}
	for i, f := range c.lenFreq {
		bits += int(f) * int(c.lenLens[i])
	}
	huffman.BuildLengths(c.alignLens[:], c.alignFreq[:], maxAlignedLen)
	verb, alig := 0, 3*numAlignedSyms
	for i, f := range c.alignFreq {
		verb += 3 * int(f)
		alig += int(f) * int(c.alignLens[i])
	}
	return bits + min(verb, alig)
}

// resetMF empties the match finder for a new chunk.
func (c *Compressor) resetMF() {
	if c.mf16 != nil {
		c.mf16.reset()
	} else {
		c.mf32.reset()
	}
}

// findMatches fills the match cache for in[bs:be].
func (c *Compressor) findMatches(bs, be int) {
	if c.mf16 != nil {
		findMatches(c, c.mf16, bs, be)
	} else {
		findMatches(c, c.mf32, bs, be)
	}
}

// finder is a match finder: bt16, or matchFinder for larger chunks.
type finder interface {
	find(in []byte, cur, maxLen, nice, depth int, out *[maxFound]uint32) (int, int)
	skip(in []byte, cur, maxLen, nice, depth int)
}

func findMatches[F finder](c *Compressor, mf F, bs, be int) {
	// Matches never reach past the chunk end, so the bytes after it (left
	// from earlier chunks) never decide anything.
	in := c.in[:c.n]
	c.cache = c.cache[:0]
	c.forced = c.forced[:0]
	nice, depth := c.p.nice, c.p.depth
	for i := bs; i < be; {
		limit := min(maxMatch, be-i)
		maxLen := min(maxMatch, len(in)-i)
		if limit < 3 {
			c.cnt[i&parseMask] = 0
			if maxLen >= 3 {
				mf.skip(in, i, maxLen, nice, depth)
			}
			i++
			continue
		}
		at := len(c.cache)
		if cap(c.cache)-at < maxFound {
			c.cache = append(c.cache[:cap(c.cache)], make([]uint32, maxFound+cap(c.cache)/2)...)[:at]
		}
		out := (*[maxFound]uint32)(c.cache[at : at+maxFound])
		k, best := mf.find(in, i, maxLen, nice, depth, out)
		if limit < maxLen {
			k, best = capMatches(out[:k], limit, best)
		}
		c.cache = c.cache[:at+k]
		c.cnt[i&parseMask] = uint8(k)
		if best >= nice || (best == limit && best >= 3) {
			c.forced = append(c.forced, int32(i))
			for j := i + 1; j < i+best; j++ {
				c.cnt[j&parseMask] = 0
				if ml := min(maxMatch, len(in)-j); ml >= 3 {
					mf.skip(in, j, ml, nice, depth)
				}
			}
			i += best
			continue
		}
		i++
	}
}

// initialCosts sets the first cost model of a chunk: literal costs from the
// block's byte histogram, match costs from the prior code lengths.
func (c *Compressor) initialCosts(bs, be int) {
	var hist [256]uint32
	for _, b := range c.in[bs:be] {
		hist[b]++
	}
	total := uint32(be - bs)
	for b, h := range hist {
		cost := uint32(12)
		if h != 0 {
			cost = uint32(bits.Len32(total/h)) + 1
		}
		c.litCost[b] = min(cost, 15)
	}
	for s := 0; s < c.numSlots; s++ {
		f := uint32(slotFooter[s])
		mc := &c.matchCost[s]
		ps := min(s, 29) * numLenHeaders // slots past 29 reuse the last prior row
		for h := 0; h < numPrimaryLens; h++ {
			mc[minMatch+h] = matchNode(uint32(priorMatch[ps+h])+f, minMatch+h)
		}
		for k := 0; k < numLenSyms; k++ {
			l := minMatch + numPrimaryLens + k
			mc[l] = matchNode(uint32(priorMatch[ps+numPrimaryLens])+f+uint32(priorLen[k]), l)
		}
	}
}

// matchNode is a match-cost table entry: cost<<32 | lenKey(length).
func matchNode(cost uint32, l int) uint64 { return uint64(cost)<<32 | lenKey(l) }

// costsFromLens turns the current code lengths into parse costs.
func (c *Compressor) costsFromLens() {
	// Costs of symbols the last pass did not use.
	const unusedMain, unusedLen = 11, 12
	for b := 0; b < numChars; b++ {
		l := uint32(c.mainLens[b])
		if l == 0 {
			l = unusedMain
		}
		c.litCost[b] = l
	}
	var lenCost [numLenSyms]uint32
	for i, l := range c.lenLens {
		lenCost[i] = uint32(l)
		if l == 0 {
			lenCost[i] = unusedLen
		}
	}
	for s := 0; s < c.numSlots; s++ {
		f := uint32(slotFooter[s])
		mc := &c.matchCost[s]
		base := numChars + s*numLenHeaders
		for h := 0; h < numLenHeaders; h++ {
			l := uint32(c.mainLens[base+h])
			if l == 0 {
				l = unusedMain
			}
			if h < numPrimaryLens {
				mc[h+minMatch] = matchNode(l+f, h+minMatch)
				continue
			}
			for k := 0; k < numLenSyms; k++ {
				ml := minMatch + numPrimaryLens + k
				mc[ml] = matchNode(l+f+lenCost[k], ml)
			}
		}
	}
}

// parse runs the optimal parse over in[bs:be] with the current costs and
// leaves the result in c.items and the symbol counts in the frequencies.
func (c *Compressor) parse(bs, be, stop int) {
	c.items = c.items[:0]
	ptr := 0
	s := bs
	fi := 0
	for s < stop {
		e := stop
		if fi < len(c.forced) && int(c.forced[fi]) < stop {
			e = int(c.forced[fi])
		}
		ptr = c.parseSegment(s, e, ptr)
		if e == stop {
			break
		}
		// The forced long match at e: the last (longest) match found there.
		k := int(c.cnt[e&parseMask])
		m := c.cache[ptr+k-1]
		ptr += k
		l := m & 511
		off := m >> 9
		var fo uint32
		switch off {
		case c.q0:
			fo = 0
		case c.q1:
			fo = 1
			c.q0, c.q1 = c.q1, c.q0
		case c.q2:
			fo = 2
			c.q0, c.q2 = c.q2, c.q0
		default:
			fo = off + 2
			c.q0, c.q1, c.q2 = off, c.q0, c.q1
		}
		c.items = append(c.items, fo<<9|l)
		s = e + int(l)
		fi++
	}
}

// Recent-offset queues of the parse graph are packed into one uint64:
// R0 in bits 0..20, R1 in 21..41, R2 in 42..62 (offsets are below 2^21).
const (
	qBits = 21
	qMask = 1<<qBits - 1
)

func packQueue(r0, r1, r2 uint32) uint64 {
	return uint64(r0) | uint64(r1)<<qBits | uint64(r2)<<(2*qBits)
}

// nextQueue returns the queue after step it (fo<<9 | len) taken with
// queue q.
func nextQueue(q uint64, it uint32) uint64 {
	if it&511 == 1 {
		return q
	}
	switch fo := it >> 9; fo {
	case 0:
		return q
	case 1:
		d := (q ^ q>>qBits) & qMask
		return q ^ (d | d<<qBits)
	case 2:
		d := (q ^ q>>(2*qBits)) & qMask
		return q ^ (d | d<<(2*qBits))
	default:
		return (q<<qBits)&(1<<(3*qBits)-1) | uint64(fo-2)
	}
}

// Parse steps: fo in bits 0..21, 511-len in bits 22..30 (so that among
// equal costs the longer step wins), bit 31 set for a gap step: a match,
// a literal and an R0 match, whose step holds the R0 length and gaps[k]
// the match (fo<<9 | len).
const (
	gapStep   = 1 << 31
	stepShift = 22
	foMask    = 1<<stepShift - 1
)

// stepLen returns the length of step st (of its R0 part for a gap step).
func stepLen(st uint32) int { return 511 - int(st>>stepShift&511) }

// stepItem returns (non-gap) step st as an item, fo<<9 | len.
func stepItem(st uint32) uint32 { return (st&foMask)<<9 | uint32(stepLen(st)) }

// lenKey is the step bits of length l.
func lenKey(l int) uint64 { return uint64(511-l) << stepShift }

// Parse nodes are cost<<32 | step: comparing two nodes compares their
// costs first, so a relaxation is one min() (equal costs keep the smaller
// step). A match candidate is base + mc[l] with base = cost<<32 | fo
// and mc[l] = matchCost<<32 | lenKey(l).
const infNode = uint64(infCost) << 32

// Per-position parse arrays are indexed by chunk position & parseMask: a
// block spans at most blockLen+1 positions, fewer than parseLen, so the
// positions of one block never share a slot, and masked indexes need no
// bounds checks.
const (
	parseLen  = 1 << 16
	parseMask = parseLen - 1
)

// maxSlotRows is a power of two above the largest offset slot count.
const maxSlotRows = 64

// gapQueue returns the recent offsets after the gap step into position i.
func (c *Compressor) gapQueue(i int) uint64 {
	st := uint32(c.nodes[i&parseMask])
	g := c.gaps[i&parseMask]
	p := i - stepLen(st) - 1 - int(g&511)
	return nextQueue(c.qs[p&parseMask], g)
}

// queueAt returns the recent offsets after the step into position i.
func (c *Compressor) queueAt(i int) uint64 {
	st := uint32(c.nodes[i&parseMask])
	if st&gapStep != 0 {
		return c.gapQueue(i)
	}
	it := stepItem(st)
	return nextQueue(c.qs[(i-int(it&511))&parseMask], it)
}

// parseSegment finds the cheapest parse of in[s:e] (no match crosses e),
// appends it to c.items and updates the recent offsets. ptr indexes the
// match cache at position s; the index at e is returned.
//
// Forward pass: nodes[i] holds the cheapest known cost of reaching
// position i and the last step of that way. When the pass arrives at a
// position its way is final, so the recent-offset queue there is derived
// once from the predecessor's queue and kept in qs. The start node is a
// zero-length repeat step, whose queue is the segment's own.
func (c *Compressor) parseSegment(s, e, ptr int) int {
	nodes := c.nodes
	nodes[s&parseMask] = lenKey(0)
	for i := s + 1; i <= e; i++ {
		nodes[i&parseMask] = infNode
	}
	c.qs[s&parseMask] = packQueue(c.q0, c.q1, c.q2)
	ptr = c.forward(s, e, ptr)
	q := c.queueAt(e)
	c.q0, c.q1, c.q2 = uint32(q&qMask), uint32(q>>qBits&qMask), uint32(q>>(2*qBits))
	// Walk back from e and append the path in order.
	in := c.in[:e]
	c.rev = c.rev[:0]
	for i := e; i > s; {
		st := uint32(nodes[i&parseMask])
		if st&gapStep != 0 {
			l2 := stepLen(st)
			g := c.gaps[i&parseMask]
			c.rev = append(c.rev, uint32(l2), uint32(in[i-l2-1])<<9|1, g)
			i -= l2 + 1 + int(g&511)
			continue
		}
		it := stepItem(st)
		l := int(it & 511)
		if l == 1 {
			it = uint32(in[i-1])<<9 | 1
		}
		c.rev = append(c.rev, it)
		i -= l
	}
	for j := len(c.rev) - 1; j >= 0; j-- {
		c.items = append(c.items, c.rev[j])
	}
	return ptr
}

// b2u is 1 for true and 0 for false (compiled to a flag set, no branch).
func b2u(b bool) uint {
	if b {
		return 1
	}
	return 0
}

// load16 returns the two bytes at in[p:] (as one load; no slice is made,
// so the caller's slice capacity need not stay live).
func load16(in []byte, p int) uint16 {
	return uint16(in[p]) | uint16(in[p+1])<<8
}

// forward is the forward pass of parseSegment over in[s:e]. It keeps few
// values live across positions (the arrays are reached through fixed-size
// pointers with masked indexes) so that the loop runs from registers.
func (c *Compressor) forward(s, e, ptr int) int {
	in := c.in[:e:e]
	nodes, qs, cnt := c.nodes, c.qs, c.cnt
	mcs := c.matchCost
	light := c.light
	for i := s; i < len(in); i++ {
		k := i & parseMask
		c0 := nodes[k] &^ (1<<32 - 1) // cost<<32
		// Recent offsets here, from the final step into i and the queue
		// of its predecessor.
		var q uint64
		if st := uint32(nodes[k]); st&gapStep == 0 {
			it := stepItem(st)
			q = nextQueue(qs[(i-int(it&511))&parseMask], it)
		} else {
			// gapQueue, written out: a call here makes the loop spill its
			// state (+0.3 % instructions, +2 % mispredicts measured).
			g := c.gaps[k]
			p := i - stepLen(st) - 1 - int(g&511)
			q = nextQueue(qs[p&parseMask], g)
		}
		qs[k] = q
		// Literal.
		k1 := (i + 1) & parseMask
		nodes[k1] = min(nodes[k1], c0+uint64(c.litCost[in[i]])<<32|lenKey(1))
		nm := int(cnt[k])
		maxL := min(maxMatch, len(in)-i)
		if maxL < minMatch {
			ptr += nm
			continue
		}
		w := load16(in, i)
		// Repeat offsets: every length of each (which one is best depends
		// on the later queue too). Explicit offsets then only for lengths
		// past the longest repeat match, each length with the nearest
		// match that reaches it.
		repMax := 0
		if r0 := int(q & qMask); r0 <= i && load16(in, i-r0) == w {
			L := matchLen(in, i-r0, i, 2, maxL)
			for l := repFrom(light, L); l <= L; l++ {
				t := (i + l) & parseMask
				nodes[t] = min(nodes[t], c0+mcs[0][l&(costRow-1)])
			}
			repMax = L
		}
		if r1 := int(q >> qBits & qMask); r1 <= i && load16(in, i-r1) == w {
			L := matchLen(in, i-r1, i, 2, maxL)
			b := c0 | 1
			for l := repFrom(light, L); l <= L; l++ {
				t := (i + l) & parseMask
				nodes[t] = min(nodes[t], b+mcs[1][l&(costRow-1)])
			}
			repMax = max(repMax, L)
		}
		if r2 := int(q >> (2 * qBits)); r2 <= i && load16(in, i-r2) == w {
			L := matchLen(in, i-r2, i, 2, maxL)
			b := c0 | 2
			for l := repFrom(light, L); l <= L; l++ {
				t := (i + l) & parseMask
				nodes[t] = min(nodes[t], b+mcs[2][l&(costRow-1)])
			}
			repMax = max(repMax, L)
		}
		if nm == 0 {
			continue
		}
		ms := c.cache[ptr : ptr+nm]
		ptr += nm
		// Explicit offsets.
		if light {
			// Quick pass: only the full length of each match.
			for _, m := range ms {
				L := min(int(m&511), maxL)
				fo := m>>9 + 2
				t := (i + L) & parseMask
				nodes[t] = min(nodes[t], c0|uint64(fo)+mcs[explicitSlot(fo)&(maxSlotRows-1)][L&(costRow-1)])
			}
			continue
		}
		prev := max(minMatch-1, repMax)
		for _, m := range ms {
			L := min(int(m&511), maxL)
			fo := m>>9 + 2
			slot := explicitSlot(fo)
			mc := &mcs[slot&(maxSlotRows-1)]
			adj := uint64(c.alignAdj[fo&7]) << 32
			if slot < 8 { // not a branch: a conditional move
				adj = 0
			}
			b := c0 | uint64(fo) + adj
			for l := prev + 1; l <= L; l++ {
				t := (i + l) & parseMask
				nodes[t] = min(nodes[t], b+mc[l&(costRow-1)])
			}
			prev = max(prev, L)
		}
		// Gap step: the longest match, one literal, then a repeat of the
		// same offset (R0 after the match).
		m := ms[len(ms)-1]
		L := min(int(m&511), maxL)
		if rem := len(in) - i - L; rem >= 3 {
			off := int(m >> 9)
			g := i + L + 1
			if load16(in, g) == load16(in, g-off) {
				l2 := matchLen(in, g-off, g, 2, min(rem-1, maxMatch))
				fo := uint32(off) + 2
				slot := explicitSlot(fo)
				cost := uint32(c0>>32) + uint32(mcs[slot&(maxSlotRows-1)][L&(costRow-1)]>>32) + c.litCost[in[g-1]] + uint32(mcs[0][l2&(costRow-1)]>>32)
				if slot >= 8 {
					cost += c.alignAdj[fo&7]
				}
				if t := (g + l2) & parseMask; uint64(cost)<<32 < nodes[t]&^(1<<32-1) {
					nodes[t] = uint64(cost)<<32 | gapStep | lenKey(l2)
					c.gaps[t] = fo<<9 | uint32(L)
				}
			}
		}
	}
	return ptr
}

// countFreqs counts the symbols of c.items.
func (c *Compressor) countFreqs() { c.countFreqsOf(c.items) }

// countFreqsOf counts the symbols of items.
func (c *Compressor) countFreqsOf(items []uint32) {
	clear(c.mainFreq[:])
	clear(c.lenFreq[:])
	clear(c.alignFreq[:])
	for _, it := range items {
		l := it & 511
		if l == 1 {
			c.mainFreq[it>>9]++
			continue
		}
		fo := it >> 9
		slot := offsetSlot(fo)
		h := min(l-minMatch, numPrimaryLens)
		c.mainFreq[numChars+slot*numLenHeaders+h]++
		if h == numPrimaryLens {
			c.lenFreq[l-minMatch-numPrimaryLens]++
		}
		if slotFooter[slot] >= 3 {
			c.alignFreq[fo&7]++
		}
	}
}

// alignedCosts prepares the next pass for an aligned-offset block when the
// last pass's offsets make one cheaper: the low 3 footer bits of offsets in
// slots 8 and up then cost their aligned codeword instead of 3 bits.
func (c *Compressor) alignedCosts() {
	c.alignAdj = [numAlignedSyms]uint32{}
	huffman.BuildLengths(c.alignLens[:], c.alignFreq[:], maxAlignedLen)
	var verb, alig uint32 = 0, 3 * numAlignedSyms
	for s, f := range c.alignFreq {
		verb += 3 * f
		alig += f * uint32(c.alignLens[s])
	}
	if alig >= verb {
		return
	}
	for s, l := range c.alignLens {
		if l == 0 {
			l = maxAlignedLen
		}
		c.alignAdj[s] = uint32(l) - 3 // may wrap: added modulo 2^32
	}
}

// buildLens builds main and length code lengths from the frequencies.
func (c *Compressor) buildLens() {
	huffman.BuildLengths(c.mainLens[:c.numMain], c.mainFreq[:c.numMain], maxCodeLen)
	huffman.BuildLengths(c.lenLens[:], c.lenFreq[:], maxCodeLen)
}

// writeBlock writes the parsed block in[bs:be] as the cheapest of an
// aligned-offset, verbatim or uncompressed block. sq* are the recent
// offsets at the block start.
func (c *Compressor) writeBlock(bs, be int, sq0, sq1, sq2 uint32) {
	// Aligned or verbatim: compare the cost of the low 3 footer bits.
	huffman.BuildLengths(c.alignLens[:], c.alignFreq[:], maxAlignedLen)
	var verb, alig uint32 = 0, 3 * numAlignedSyms
	for s, f := range c.alignFreq {
		verb += 3 * f
		alig += f * uint32(c.alignLens[s])
	}
	btype := blockVerbatim
	if alig < verb {
		btype = blockAligned
	}
	if c.forceType != 0 {
		btype = c.forceType
	}
	size := be - bs
	mark := c.bw
	markLen := len(c.bw.out)
	if btype != blockUncompressed {
		savedMain, savedLen := c.prevMain, c.prevLen
		c.writeCompressed(btype, size)
		// Fall back to an uncompressed block when that is smaller.
		raw := 4 + 16 + 16 + 8 + (12+size+size&1)*8
		if c.forceType == 0 && c.bw.bitLen()-mark.bitLen() <= raw {
			return
		}
		if c.forceType != 0 {
			return
		}
		c.bw = mark
		c.bw.out = c.bw.out[:markLen]
		c.prevMain, c.prevLen = savedMain, savedLen
	}
	c.writeUncompressed(bs, be, sq0, sq1, sq2)
}

func (c *Compressor) writeHeader(btype, size int) {
	w := &c.bw
	w.put(uint32(btype), 3)
	if size == defaultBlockSize {
		w.put(1, 1)
		return
	}
	w.put(0, 1)
	if c.order >= 16 {
		w.put(uint32(size>>8), 16)
		w.put(uint32(size&0xff), 8)
	} else {
		w.put(uint32(size), 16)
	}
}

func (c *Compressor) writeUncompressed(bs, be int, r0, r1, r2 uint32) {
	size := be - bs
	c.writeHeader(blockUncompressed, size)
	c.bw.align16()
	o := c.bw.out
	o = binary.LittleEndian.AppendUint32(o, r0)
	o = binary.LittleEndian.AppendUint32(o, r1)
	o = binary.LittleEndian.AppendUint32(o, r2)
	o = append(o, c.in[bs:be]...)
	if size&1 != 0 {
		o = append(o, 0)
	}
	c.bw.out = o
	// The decoder takes R0..R2 from the block.
	c.q0, c.q1, c.q2 = r0, r1, r2
}

func (c *Compressor) writeCompressed(btype, size int) {
	w := &c.bw
	c.writeHeader(btype, size)
	aligned := btype == blockAligned
	if aligned {
		if c.alignLens == [numAlignedSyms]uint8{} {
			// No offset uses the aligned code; still send a complete one
			// (7-Zip rejects an empty aligned code).
			c.alignLens = [numAlignedSyms]uint8{3, 3, 3, 3, 3, 3, 3, 3}
		}
		for _, l := range c.alignLens {
			w.put(uint32(l), 3)
		}
		huffman.Codewords(c.alignCode[:], c.alignLens[:])
	}
	c.writeLens(c.prevMain[:numChars], c.mainLens[:numChars])
	c.writeLens(c.prevMain[numChars:c.numMain], c.mainLens[numChars:c.numMain])
	c.writeLens(c.prevLen[:], c.lenLens[:])
	copy(c.prevMain[:], c.mainLens[:])
	copy(c.prevLen[:], c.lenLens[:])
	huffman.Codewords(c.mainCodes[:], c.mainLens[:c.numMain])
	huffman.Codewords(c.lenCodes[:], c.lenLens[:])
	for _, it := range c.items {
		l := it & 511
		if l == 1 {
			b := it >> 9
			w.put(c.mainCodes[b], uint(c.mainLens[b]))
			continue
		}
		fo := it >> 9
		slot := offsetSlot(fo)
		h := min(l-minMatch, numPrimaryLens)
		sym := numChars + slot*numLenHeaders + h
		w.put(c.mainCodes[sym], uint(c.mainLens[sym]))
		if h == numPrimaryLens {
			ls := l - minMatch - numPrimaryLens
			w.put(c.lenCodes[ls], uint(c.lenLens[ls]))
		}
		f := uint(slotFooter[slot])
		if f == 0 {
			continue
		}
		v := fo - slotBase[slot]
		if aligned && f >= 3 {
			w.put(v>>3, f-3)
			w.put(c.alignCode[v&7], uint(c.alignLens[v&7]))
		} else {
			w.put(v, f)
		}
	}
}

// writeLens writes code lengths cur, delta-coded against prev, with a
// pretree.
func (c *Compressor) writeLens(prev, cur []uint8) {
	c.planLens(prev, cur)
	huffman.Codewords(c.preCodes[:], c.preLens[:])
	w := &c.bw
	for _, l := range c.preLens {
		w.put(uint32(l), 4)
	}
	for _, it := range c.preItems {
		s := it & 0xff
		w.put(c.preCodes[s], uint(c.preLens[s]))
		if eb := it >> 16; eb != 0 {
			w.put(it>>8&0xff, uint(eb))
		}
	}
}

// planLens chooses the pretree items and code for coding lengths cur
// against prev (c.preItems, c.preLens) and returns their size in bits.
func (c *Compressor) planLens(prev, cur []uint8) int {
	items := c.preItems[:0]
	delta := func(i int) uint32 { return uint32((int(prev[i]) - int(cur[i]) + 17) % 17) }
	n := len(cur)
	for i := 0; i < n; {
		v := cur[i]
		run := 1
		for i+run < n && cur[i+run] == v {
			run++
		}
		if v == 0 && run >= 4 {
			for run >= 20 {
				r := min(run, 51)
				items = append(items, 18|uint32(r-20)<<8|5<<16)
				i += r
				run -= r
			}
			if run >= 4 {
				items = append(items, 17|uint32(run-4)<<8|4<<16)
				i += run
				run = 0
			}
		} else if run >= 4 {
			for run >= 4 {
				r := min(run, 5)
				items = append(items, 19|uint32(r-4)<<8|1<<16, delta(i))
				i += r
				run -= r
			}
		}
		for ; run > 0; run-- {
			items = append(items, delta(i))
			i++
		}
	}
	c.preItems = items
	clear(c.preFreq[:])
	for _, it := range items {
		c.preFreq[it&0xff]++
	}
	huffman.BuildLengths(c.preLens[:], c.preFreq[:], maxPretreeLen)
	bits := 4 * numPretreeSyms
	for _, it := range items {
		bits += int(c.preLens[it&0xff]) + int(it>>16)
	}
	return bits
}
