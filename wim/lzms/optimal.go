package lzms

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Near-optimal parsing. Binary-tree match finding supplies, at every
// position, the longest match for each length (smallest offset first). A
// forward dynamic program over a window of positions then picks the
// cheapest sequence of literals, repeat matches and explicit matches,
// pricing each choice with the code lengths and range-coder probabilities
// in force when the window starts and tracking, per position, the binary
// contexts and the repeat-offset queue (with its one-item delay) exactly as
// the coder will see them.

const (
	priceBits      = 6 // prices are in 1/64 bit
	priceScale     = 1 << priceBits
	optWindowMax   = 2048    // positions per parsing window (large chunks)
	optWindowSmall = 512     // positions per parsing window (chunks up to smallChunk)
	smallChunk     = 1 << 20 // chunks up to this size use the short window
	maxMatches     = 64      // matches recorded per position

	lenPriceMax      = 256 // lengths priced from a per-window table
	hash3Bits        = 16
	shortMatchMaxOff = 1 << 16 // farthest offset tried for 2-byte matches
	infCost          = math.MaxUint32
)

// bitPrices[p][b] is the cost of coding bit b with probability p/64 of 0.
var bitPrices [probMax][2]uint32

func init() {
	for p := 1; p < probMax; p++ {
		bitPrices[p][0] = uint32(math.Round(-math.Log2(float64(p)/probMax) * priceScale))
		bitPrices[p][1] = uint32(math.Round(-math.Log2(float64(probMax-p)/probMax) * priceScale))
	}
}

type match struct {
	length uint32
	off    uint32
}

// optState is the coder state a position is reached with.
type optState struct {
	reps    [numReps + 1]uint32
	pending uint32
	lastLZ  bool // the item that ended here was an LZ match (pending not yet due)
	main    uint8
	matchS  uint8
	lz      uint8
	lzRep   [numRepDecisions]uint8
}

// optNode is one position of the parsing window.
type optNode struct {
	cost uint32
	// Item that reaches this node from node from: length 0 = literal.
	from   int32
	length uint32
	off    uint32 // LZ offset, or raw offset of a delta match
	rep    int8
	power  int8 // delta match power, -1 for LZ
	// length2 != 0: the LZ match is followed by a literal and then a
	// repeat match of length2 at the same offset (which is rep0 by then).
	length2 uint32
}

type prices struct {
	main   [numMainStates][2]uint32
	match  [numMatchStates][2]uint32
	lz     [numLZStates][2]uint32
	lzRep  [numRepDecisions][numLZRepStates][2]uint32
	lit    [numLiteralSyms]uint32
	offset [maxOffsetSyms]uint32 // slot code length + extra bits
	length [numLengthSyms]uint32

	lenTab [lenPriceMax]uint32 // price by length for short lengths

	// Builds of the codes the prices above were taken from.
	litGen, offsetGen, lengthGen, deltaGen, deltaOffsetGen uint32

	deltaExplicit uint32 // match and delta decisions for an explicit delta match
	deltaPower    [numDeltaPowerSyms]uint32
	deltaOffset   [maxOffsetSyms]uint32
}

func probPrices(dst [][2]uint32, src []probEntry) {
	for i := range src {
		p := src[i].prob()
		dst[i] = bitPrices[p]
	}
}

func (c *Compressor) updatePrices() {
	e := &c.enc
	pr := &c.pr
	probPrices(pr.main[:], e.ctx.main[:])
	probPrices(pr.match[:], e.ctx.match[:])
	probPrices(pr.lz[:], e.ctx.lz[:])
	for i := range numRepDecisions {
		probPrices(pr.lzRep[i][:], e.ctx.lzRep[i][:])
	}
	// Code-length prices change only when a code is rebuilt.
	codePrices(pr.lit[:], &pr.litGen, &e.literal, nil)
	codePrices(pr.offset[:], &pr.offsetGen, &e.lzOffset, offsetExtraBits[:])
	if codePrices(pr.length[:], &pr.lengthGen, &e.length, lengthExtraBits[:]) {
		for l := 1; l < lenPriceMax; l++ {
			pr.lenTab[l] = pr.length[lengthSlotSmall[l]]
		}
	}
	if c.delta {
		pr.deltaExplicit = bitPrices[e.ctx.delta[e.ctx.deltaState].prob()][0]
		codePrices(pr.deltaPower[:], &pr.deltaGen, &e.deltaPower, nil)
		codePrices(pr.deltaOffset[:], &pr.deltaOffsetGen, &e.deltaOffset, offsetExtraBits[:])
	}
}

// codePrices refreshes dst with each symbol's price (code length plus its
// extra bits, when extra is given) if code was rebuilt since *gen, and
// reports whether it did.
func codePrices(dst []uint32, gen *uint32, code *adaptiveCode, extra []uint8) bool {
	if *gen == code.gen {
		return false
	}
	*gen = code.gen
	for s := range code.numSyms {
		p := uint32(code.lens[s])
		if extra != nil {
			p += uint32(extra[s])
		}
		dst[s] = p * priceScale
	}
	return true
}

func (pr *prices) lengthPrice(l uint32) uint32 {
	if l < lenPriceMax {
		return pr.lenTab[l]
	}
	return pr.length[lengthSlot(l)]
}

// btFind inserts pos into the binary tree and, when ms is not nil, records
// the matches found there (increasing lengths). It returns the number of
// matches.
func (c *Compressor) btFind(buf []byte, pos int, ms []match) int {
	if c.small {
		return c.btFindSmall(buf, pos, ms)
	}
	n := len(buf)
	maxLen := n - pos
	if maxLen < 4 {
		return 0
	}
	nice := min(c.nice, maxLen)
	cur := buf[pos:]
	count := 0
	// Short matches: the latest position with the same 2 and 3 bytes.
	k2 := uint32(binary.LittleEndian.Uint16(cur))
	c2 := c.head2[k2]
	c.head2[k2] = uint32(pos + 1)
	k3 := (binary.LittleEndian.Uint32(cur) & 0xFFFFFF) * 0x9E3779B1 >> (32 - hash3Bits)
	c3 := c.head3[k3]
	c.head3[k3] = uint32(pos + 1)
	best := 3
	if ms != nil {
		if p := int(c2) - 1; p >= 0 && p < pos && pos-p <= shortMatchMaxOff && buf[p] == cur[0] && buf[p+1] == cur[1] {
			ms[0] = match{length: 2, off: uint32(pos - p)}
			count = 1
			if cur[2] == buf[p+2] {
				ms[0].length = 3
			}
		}
		if count == 0 || ms[0].length < 3 {
			p := int(c3) - 1
			if p >= 0 && p < pos && buf[p] == cur[0] && buf[p+1] == cur[1] && buf[p+2] == cur[2] {
				l := 3
				if c.treeKey5 && cur[3] == buf[p+3] {
					// The trees only hold positions that share
					// 5 bytes: take 4-byte matches from here.
					l = 4
					best = 4
				}
				ms[count] = match{length: uint32(l), off: uint32(pos - p)}
				count++
			}
		}
	}
	h := c.treeHash(buf, pos)
	cand := c.head[h]
	c.head[h] = uint32(pos + 1)
	child := c.child
	wm := c.wmask
	win := c.buf
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
			child[lp] = 0
			child[rp] = 0
			return count
		}
		pi := 2 * (p & wm)
		l := min(lenL, lenR)
		// Compare no further than nice: on long repetitions a full
		// comparison at every position would be quadratic. c.buf has
		// 8 bytes after the chunk, so 8-byte loads stay inside it.
		var smaller bool // candidate sorts before pos
		for {
			x := binary.LittleEndian.Uint64(win[p+l:])
			y := binary.LittleEndian.Uint64(win[pos+l:])
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
				child[lp] = child[pi]
				child[rp] = child[pi+1]
				return count
			}
		}
		if smaller { // l < nice here, so the bytes at l differ
			child[lp] = cand
			lp = pi + 1
			cand = child[lp]
			lenL = l
		} else {
			child[rp] = cand
			rp = pi
			cand = child[rp]
			lenR = l
		}
	}
}

// treeHash returns the tree (hash bucket) of position pos (at least 4
// bytes before the end of buf).
func (c *Compressor) treeHash(buf []byte, pos int) uint32 {
	if c.treeKey5 {
		// c.buf holds 8 readable bytes past any position here.
		k := binary.LittleEndian.Uint64(c.buf[pos:]) << 24
		return uint32((k * 0x9E3779B97F4A7C15) >> (64 - c.cbits))
	}
	return c.hash(binary.LittleEndian.Uint32(buf[pos:]))
}

// repView returns the LZ queue a match at a node with state st would see.
func (st *optState) repView() [numReps + 1]uint32 {
	r := st.reps
	if st.pending != 0 && !st.lastLZ {
		r[3], r[2], r[1], r[0] = r[2], r[1], r[0], st.pending
	}
	return r
}

// advance changes s into the state following an item coded from it.
func (s *optState) advance(length uint32, off uint32, rep int8) {
	if length == 0 {
		s.main = (s.main << 1) & (numMainStates - 1)
		s.lastLZ = false
		return
	}
	s.main = (s.main<<1 | 1) & (numMainStates - 1)
	if rep == deltaItem {
		s.matchS = (s.matchS<<1 | 1) & (numMatchStates - 1)
		s.lastLZ = false
		return
	}
	s.matchS = (s.matchS << 1) & (numMatchStates - 1)
	if s.pending != 0 && !s.lastLZ {
		s.reps[3], s.reps[2], s.reps[1], s.reps[0] = s.reps[2], s.reps[1], s.reps[0], s.pending
		s.pending = 0
	}
	if rep < 0 {
		s.lz = (s.lz << 1) & (numLZStates - 1)
	} else {
		s.lz = (s.lz<<1 | 1) & (numLZStates - 1)
		for i := 0; i < numRepDecisions; i++ {
			if i == int(rep) {
				s.lzRep[i] = (s.lzRep[i] << 1) & (numLZRepStates - 1)
				break
			}
			s.lzRep[i] = (s.lzRep[i]<<1 | 1) & (numLZRepStates - 1)
		}
		copy(s.reps[rep:], s.reps[rep+1:])
	}
	if s.pending != 0 {
		s.reps[3], s.reps[2], s.reps[1], s.reps[0] = s.reps[2], s.reps[1], s.reps[0], s.pending
	}
	s.pending = off
	s.lastLZ = true
}

// after returns the state following an item coded from state st.
func (st *optState) after(length uint32, off uint32, rep int8) optState {
	s := *st
	s.advance(length, off, rep)
	return s
}

// deltaItem marks a delta match in optNode.rep / optState.after.
const deltaItem = -2

// currentState captures the encoder's state at pos.
func (c *Compressor) currentState(pos int) optState {
	e := &c.enc
	st := optState{
		reps:    e.q.lz,
		pending: e.q.pendingLZ,
		lastLZ:  e.q.pendingLZ != 0 && e.q.lzPendAt == pos,
		main:    uint8(e.ctx.mainState),
		matchS:  uint8(e.ctx.matchState),
		lz:      uint8(e.ctx.lzState),
	}
	for i := range numRepDecisions {
		st.lzRep[i] = uint8(e.ctx.lzRepState[i])
	}
	return st
}

// parseOptimal codes buf with windowed near-optimal parsing.
func (c *Compressor) parseOptimal(buf []byte) {
	clear(c.head[:1<<c.cbits])
	clear(c.dhead)
	// head2 and head3 are not cleared: their candidates are verified.
	e := &c.enc
	n := len(buf)
	pos := 0
	for pos < n {
		if e.overflow {
			return
		}
		pos = c.optimizeWindow(buf, pos)
	}
}

// optimizeWindow parses and codes one window starting at pos and returns
// the position after it.
//
// Items starting in the first c.window positions may run past them (up to
// windowSlack more): the window then ends where the longest of them ends,
// and items starting after c.window are cut there. Cutting every item at a
// fixed end would split matches, and the rest of a split match cannot use
// the offset as a repeat (it is still pending).
func (c *Compressor) optimizeWindow(buf []byte, pos int) int {
	pr := &c.pr
	n := len(buf)
	c.updatePrices()
	limit := min(c.window, n-pos)
	hard := min(c.window+c.windowSlack(), n-pos)
	nodes := c.nodes[:hard+1]
	for i := range nodes {
		nodes[i].cost = infCost
	}
	nodes[0].cost = 0
	states := c.states[:hard+1]
	states[0] = c.currentState(pos)
	end := limit
	processed := 0 // positions inserted into the match finder
	for i := 0; i < end; i++ {
		// Items from position i may reach at most node cap.
		cap := end
		if i < limit {
			cap = hard
		}
		nd := &nodes[i]
		if i > 0 {
			// Derive the state this node is reached with.
			s := &states[i]
			*s = states[nd.from]
			s.advance(nd.length, nd.off, nd.rep)
			if nd.length2 != 0 {
				s.advance(0, 0, 0)
				s.advance(nd.length2, nd.off, 0)
			}
		}
		p := pos + i
		ms := c.matches[:]
		nm := c.btFind(buf, p, ms)
		processed = i + 1
		st := &states[i]
		base := nd.cost
		// Literal.
		if cst := base + pr.main[st.main][0] + pr.lit[buf[p]]; cst < nodes[i+1].cost {
			nodes[i+1] = optNode{cost: cst, from: int32(i), length: 0, power: -1}
		}
		maxLen := n - p
		matchBase := base + pr.main[st.main][1] + pr.match[st.matchS][0]
		// Repeat matches.
		reps := st.repView()
		repBase := matchBase + pr.lz[st.lz][1]
		longRep := 0
		longRepIdx := 0
		for r := range numReps {
			off := int(reps[r])
			if off > p || buf[p-off] != buf[p] {
				continue
			}
			l := matchLen(buf[p-off:], buf[p:], maxLen)
			rp := repBase
			for k := 0; k < numRepDecisions; k++ {
				if k == r {
					rp += pr.lzRep[k][st.lzRep[k]][0]
					break
				}
				rp += pr.lzRep[k][st.lzRep[k]][1]
			}
			if l > longRep {
				longRep, longRepIdx = l, r
			}
			top := min(l, cap-i)
			end = max(end, i+top)
			for ll := 1; ll <= top; ll++ {
				cst := rp + pr.lengthPrice(uint32(ll))
				if cst < nodes[i+ll].cost {
					nodes[i+ll] = optNode{cost: cst, from: int32(i), length: uint32(ll), off: uint32(off), rep: int8(r), power: -1}
				}
			}
			if l == top && c.litRep && litRep0Possible(buf, p+l, off) {
				end = max(end, c.tryLitRep0(buf, p, i, cap, nodes, st, rp+pr.lengthPrice(uint32(l)), uint32(l), uint32(off), int8(r)))
			}
		}
		// A long repeat or explicit match ends the window right here.
		longest := 0
		if nm > 0 {
			longest = int(ms[nm-1].length)
		}
		if longRep >= c.nice || longest >= c.nice {
			var it optNode
			if longRep >= longest-1 {
				it = optNode{from: int32(i), length: uint32(longRep), off: reps[longRepIdx], rep: int8(longRepIdx), power: -1}
			} else {
				m := ms[nm-1]
				// The finder stops comparing at nice; extend once here.
				o := int(m.off)
				full := int(m.length) + matchLen(buf[p-o+int(m.length):], buf[p+int(m.length):], maxLen-int(m.length))
				it = optNode{from: int32(i), length: uint32(full), off: m.off, rep: -1, power: -1}
			}
			end = i + int(it.length)
			c.emitWindow(buf, pos, nodes, i, it)
			c.skip(buf, pos+processed, pos+end)
			return pos + end
		}
		// Explicit matches.
		expBase := matchBase + pr.lz[st.lz][0]
		ll := 2
		for k := 0; k < nm; k++ {
			m := ms[k]
			op := expBase + pr.offset[offsetSlot(m.off)]
			top := min(int(m.length), cap-i)
			end = max(end, i+top)
			for ; ll <= top; ll++ {
				cst := op + pr.lengthPrice(uint32(ll))
				if cst < nodes[i+ll].cost {
					nodes[i+ll] = optNode{cost: cst, from: int32(i), length: uint32(ll), off: m.off, rep: -1, power: -1}
				}
			}
		}
		if nm > 0 && c.litRep {
			m := ms[nm-1]
			if int(m.length) < cap-i && litRep0Possible(buf, p+int(m.length), int(m.off)) {
				end = max(end, c.tryLitRep0(buf, p, i, cap, nodes, st, expBase+pr.offset[offsetSlot(m.off)]+pr.lengthPrice(m.length), m.length, m.off, -1))
			}
		}
		// Delta matches pay off where there are no LZ matches (sampled
		// data); elsewhere the search costs about 8% of the time and
		// gained under 0.02% on binaries, text and audio.
		if c.delta && longest < deltaSkipLen && longRep < deltaSkipLen {
			end = max(end, c.deltaCandidates(buf, p, i, cap, nodes, matchBase))
		}
	}
	c.emitWindow(buf, pos, nodes, end, optNode{})
	c.skip(buf, pos+processed, pos+end)
	return pos + end
}

// windowSlack is how far past c.window the items of a window may reach:
// matches and delta matches shorter than nice, or a match, a literal and
// a repeat match each shorter than nice.
func (c *Compressor) windowSlack() int { return 2*c.nice + 2 }

// emitWindow codes the cheapest path to node last, then item tail (if its
// length is not 0) starting at node last.
func (c *Compressor) emitWindow(buf []byte, pos int, nodes []optNode, last int, tail optNode) {
	// Reverse the path into c.path.
	path := c.path[:0]
	for i := last; i > 0; i = int(nodes[i].from) {
		path = append(path, int32(i))
	}
	e := &c.enc
	for k := len(path) - 1; k >= 0; k-- {
		nd := &nodes[path[k]]
		at := pos + int(nd.from)
		switch {
		case nd.length == 0:
			e.literalItem(buf[at])
		case nd.power >= 0:
			c.emitDelta(at, uint32(nd.power), nd.off, nd.length)
		default:
			c.emitMatch(at, nd.off, nd.length)
			if nd.length2 != 0 {
				lit := at + int(nd.length)
				e.literalItem(buf[lit])
				c.emitMatch(lit+1, nd.off, nd.length2)
			}
		}
	}
	c.path = path
	if tail.length != 0 {
		c.emitMatch(pos+last, tail.off, tail.length)
	}
}

func (c *Compressor) emitMatch(at int, off, length uint32) {
	e := &c.enc
	reps := e.q.lzReps(at)
	rep := -1
	for r := range numReps {
		if reps[r] == off {
			rep = r
			break
		}
	}
	e.lzItem(at, off, length, rep)
}

// skip inserts positions [from, to) into the match finder.
func (c *Compressor) skip(buf []byte, from, to int) {
	for p := from; p < to; p++ {
		c.btFind(buf, p, nil)
	}
}

func (c *Compressor) emitDelta(at int, power, raw, length uint32) {
	e := &c.enc
	reps := e.q.deltaReps(at)
	pair := uint64(power)<<32 | uint64(raw)
	rep := -1
	for r := range numReps {
		if reps[r] == pair {
			rep = r
			break
		}
	}
	e.deltaItem(at, power, raw, length, rep)
}

const (
	// Shorter delta matches look cheaper than literals to the price
	// model but made real output larger (they dilute the delta codes and
	// contexts); 8 measured best on binaries.
	minDeltaLen   = 8
	deltaMinPower = 0
	deltaSkipLen  = 4  // delta matches are sought only where LZ matches are shorter
	deltaHashBits = 15 // small on purpose: the table stays in cache
	deltaHashK    = 0x9E3779B1
)

// deltaCandidates looks for delta matches at p (window index i): for each
// span 1<<k that divides p, the latest earlier span-aligned position whose
// next three byte differences (at that span) hash alike. Found matches are
// priced into the window.
//
// It returns the furthest node reached (0 if none).
func (c *Compressor) deltaCandidates(buf []byte, p, i, limit int, nodes []optNode, matchBase uint32) int {
	pr := &c.pr
	n := len(buf)
	if p+3 > n {
		return 0
	}
	reach := 0
	nice := min(c.nice, n-p)
	base := matchBase + pr.deltaExplicit
	for k := deltaMinPower; k < numDeltaPowerSyms; k++ {
		s := 1 << k
		if p&(s-1) != 0 || p < s {
			break
		}
		d0 := buf[p] - buf[p-s]
		d1 := buf[p+1] - buf[p+1-s]
		d2 := buf[p+2] - buf[p+2-s]
		h := (uint32(d0) | uint32(d1)<<8 | uint32(d2)<<16 | uint32(k)<<24) * deltaHashK >> (32 - deltaHashBits)
		q := int(c.dhead[h]) - 1
		c.dhead[h] = uint32(p + 1)
		if q < s || q >= p || (p-q)&(s-1) != 0 {
			continue
		}
		// A candidate shorter than minDeltaLen is of no use: test its
		// last byte first.
		if t := minDeltaLen - 1; p+t >= n || buf[p+t]-buf[p+t-s] != buf[q+t]-buf[q+t-s] {
			continue
		}
		l := 0
		for l < nice && buf[p+l]-buf[p+l-s] == buf[q+l]-buf[q+l-s] {
			l++
		}
		if l < minDeltaLen {
			continue
		}
		raw := uint32(p-q) >> k
		cost := base + pr.deltaPower[k] + pr.deltaOffset[offsetSlot(raw)]
		top := min(l, limit-i)
		reach = max(reach, i+top)
		for ll := minDeltaLen; ll <= top; ll++ {
			cst := cost + pr.lengthPrice(uint32(ll))
			if cst < nodes[i+ll].cost {
				nodes[i+ll] = optNode{cost: cst, from: int32(i), length: uint32(ll), off: raw, rep: deltaItem, power: int8(k)}
			}
		}
	}
	return reach
}

// litRep0Possible is the quick test for tryLitRep0 with the literal at j:
// it differs from the byte off back, and the two bytes after it match.
func litRep0Possible(buf []byte, j, off int) bool {
	return j+2 < len(buf) && buf[j] != buf[j-off] && buf[j+1] == buf[j+1-off] && buf[j+2] == buf[j+2-off]
}

// tryLitRep0 prices "match (cost so far cst, ending at p+length) + literal
// + repeat of the same offset" from window index i.
// It returns the node reached (0 if none).
func (c *Compressor) tryLitRep0(buf []byte, p, i, limit int, nodes []optNode, st *optState, cst, length, off uint32, rep int8) int {
	pr := &c.pr
	j := p + int(length) // the literal
	o := int(off)
	if j+2 >= len(buf) || buf[j] == buf[j-o] {
		return 0
	}
	l2 := matchLen(buf[j+1-o:], buf[j+1:], min(len(buf)-j-1, c.nice))
	if l2 < 2 {
		return 0
	}
	t := i + int(length) + 1 + l2
	if t > limit {
		return 0
	}
	s1 := st.after(length, off, rep)
	cst += pr.main[s1.main][0] + pr.lit[buf[j]]
	s1.main = (s1.main << 1) & (numMainStates - 1)
	cst += pr.main[s1.main][1] + pr.match[s1.matchS][0] + pr.lz[s1.lz][1] + pr.lzRep[0][s1.lzRep[0]][0] + pr.lengthPrice(uint32(l2))
	if cst < nodes[t].cost {
		nodes[t] = optNode{cost: cst, from: int32(i), length: length, off: off, rep: rep, power: -1, length2: uint32(l2)}
	}
	return t
}
