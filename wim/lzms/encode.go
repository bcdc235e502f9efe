package lzms

import "encoding/binary"

// encoder holds the output side shared by every parser: the range encoder
// writing 16-bit units forwards from the start of dst, the bit writer
// writing units backwards from the end of dst, the adaptive codes and
// contexts, and the repeat-offset queues. The two streams meet in the
// middle; if they would overlap the chunk is not compressible (overflow).
type encoder struct {
	dst      []byte
	overflow bool

	// Range encoder.
	fpos      int // next forward byte
	low       uint64
	rng       uint32
	cache     uint16
	haveCache bool
	ffs       int // pending 0xFFFF units after cache

	// Backward bit writer.
	bpos   int // lowest byte written so far (writing goes downwards)
	bitbuf uint64
	nbits  uint

	ctx contexts
	q   lruQueues

	literal     adaptiveCode
	lzOffset    adaptiveCode
	length      adaptiveCode
	deltaOffset adaptiveCode
	deltaPower  adaptiveCode
	scratch     buildScratch
}

func (e *encoder) initCodes() {
	e.literal = newAdaptiveCode(numLiteralSyms, literalRebuild, 0, false)
	e.lzOffset = newAdaptiveCode(maxOffsetSyms, lzOffsetRebuild, 0, false)
	e.length = newAdaptiveCode(numLengthSyms, lengthRebuild, 0, false)
	e.deltaOffset = newAdaptiveCode(maxOffsetSyms, deltaOffsetRebuild, 0, false)
	e.deltaPower = newAdaptiveCode(numDeltaPowerSyms, deltaPowerRebuild, 0, false)
}

// reset prepares for a chunk of n bytes written into dst.
func (e *encoder) reset(dst []byte, n int) {
	e.dst = dst
	e.overflow = false
	e.fpos = 0
	e.low = 0
	e.rng = 0xffffffff
	e.cache = 0
	e.haveCache = false
	e.ffs = 0
	e.bpos = len(dst)
	e.bitbuf = 0
	e.nbits = 0
	e.ctx.reset()
	e.q.reset()
	ns := numOffsetSlots(n)
	e.literal.reset(numLiteralSyms, &e.scratch)
	e.lzOffset.reset(ns, &e.scratch)
	e.length.reset(numLengthSyms, &e.scratch)
	e.deltaOffset.reset(ns, &e.scratch)
	e.deltaPower.reset(numDeltaPowerSyms, &e.scratch)
}

func (e *encoder) putForward(u uint16) {
	if e.fpos+2 > e.bpos {
		e.overflow = true
		return
	}
	binary.LittleEndian.PutUint16(e.dst[e.fpos:], u)
	e.fpos += 2
}

func (e *encoder) putBackward(u uint16) {
	if e.bpos-2 < e.fpos {
		e.overflow = true
		return
	}
	e.bpos -= 2
	binary.LittleEndian.PutUint16(e.dst[e.bpos:], u)
}

// shiftLow moves the top 16 bits of low out, resolving carries into the
// units still held back.
func (e *encoder) shiftLow() {
	if uint32(e.low) < 0xFFFF0000 || e.low>>32 != 0 {
		carry := uint16(e.low >> 32)
		if e.haveCache {
			e.putForward(e.cache + carry)
		}
		for ; e.ffs > 0; e.ffs-- {
			e.putForward(0xFFFF + carry)
		}
		e.cache = uint16(e.low >> 16)
		e.haveCache = true
	} else {
		e.ffs++
	}
	e.low = (e.low & 0xFFFF) << 16
}

// bit range-encodes b in the context selected by *state.
func (e *encoder) bit(b uint32, state *uint32, probs []probEntry) {
	if e.rng <= 0xffff {
		e.rng <<= 16
		e.shiftLow()
	}
	pe := &probs[*state]
	bound := (e.rng >> probBits) * pe.prob()
	if b == 0 {
		e.rng = bound
	} else {
		e.low += uint64(bound)
		e.rng -= bound
	}
	*state = (*state<<1 | b) & uint32(len(probs)-1)
	pe.update(b)
}

// bits appends n (0..30) verbatim bits to the backward stream.
func (e *encoder) bits(v uint32, n uint) {
	e.bitbuf = e.bitbuf<<n | uint64(v)
	e.nbits += n
	for e.nbits >= 16 {
		e.nbits -= 16
		e.putBackward(uint16(e.bitbuf >> e.nbits))
	}
}

// symbol writes sym with c's current code, counts it and rebuilds c on
// schedule (mirroring the decoder).
func (e *encoder) symbol(c *adaptiveCode, sym int) {
	e.bits(c.codewords[sym], uint(c.lens[sym]))
	c.freqs[sym]++
	c.countdown--
	if c.countdown == 0 {
		c.rebuildNow(&e.scratch)
	}
}

// finish flushes both streams and joins them; it returns the compressed
// size or 0 on overflow.
func (e *encoder) finish() int {
	// Three shifts push out every unit of low. Decoders that renormalise
	// once more after the last bit when the range is 0xFFFF or less (7-Zip
	// does, and requires the code to be 0 afterwards) then read one more
	// unit, which must be zero: write it in that case.
	flushes := 3
	if e.rng <= 0xffff {
		flushes = 4
	}
	for range flushes {
		e.shiftLow()
	}
	if e.nbits > 0 {
		e.putBackward(uint16(e.bitbuf << (16 - e.nbits)))
		e.nbits = 0
	}
	if e.overflow {
		return 0
	}
	// Some decoders (7-Zip) reject chunks under 8 bytes; zero units between
	// the two streams are never read, so pad up to that.
	for e.bpos-e.fpos > 0 && len(e.dst)-e.bpos+e.fpos < minCompressed {
		e.putForward(0)
	}
	if len(e.dst)-e.bpos+e.fpos < minCompressed {
		return 0
	}
	n := copy(e.dst[e.fpos:], e.dst[e.bpos:])
	return e.fpos + n
}

// minCompressed is the smallest compressed chunk written.
const minCompressed = 8

// Items.

func (e *encoder) literalItem(b byte) {
	c := &e.ctx
	e.bit(0, &c.mainState, c.main[:])
	e.symbol(&e.literal, int(b))
}

func (e *encoder) lengthValue(l uint32) {
	s := lengthSlot(l)
	e.symbol(&e.length, s)
	if x := lengthExtraBits[s]; x != 0 {
		e.bits(l-lengthSlotBase[s], uint(x))
	}
}

func (e *encoder) offsetValue(c *adaptiveCode, off uint32) {
	s := offsetSlot(off)
	e.symbol(c, s)
	if x := offsetExtraBits[s]; x != 0 {
		e.bits(off-offsetSlotBase[s], uint(x))
	}
}

// lzItem encodes an LZ match at pos. rep is the repeat slot (0..2) holding
// off in the queue as seen after lzReps, or -1 for an explicit offset.
func (e *encoder) lzItem(pos int, off uint32, length uint32, rep int) {
	c := &e.ctx
	q := &e.q
	e.bit(1, &c.mainState, c.main[:])
	e.bit(0, &c.matchState, c.match[:])
	q.beginLZ(pos)
	if rep < 0 {
		e.bit(0, &c.lzState, c.lz[:])
		e.offsetValue(&e.lzOffset, off)
	} else {
		e.bit(1, &c.lzState, c.lz[:])
		for i := 0; i < numRepDecisions; i++ {
			if i == rep {
				e.bit(0, &c.lzRepState[i], c.lzRep[i][:])
				break
			}
			e.bit(1, &c.lzRepState[i], c.lzRep[i][:])
		}
		q.takeLZ(rep)
	}
	q.endLZ(off, pos+int(length))
	e.lengthValue(length)
}

// deltaItem encodes a delta match at pos (rep as in lzItem, for the pair
// queue).
func (e *encoder) deltaItem(pos int, power, raw uint32, length uint32, rep int) {
	c := &e.ctx
	q := &e.q
	e.bit(1, &c.mainState, c.main[:])
	e.bit(1, &c.matchState, c.match[:])
	q.beginDelta(pos)
	if rep < 0 {
		e.bit(0, &c.deltaState, c.delta[:])
		e.symbol(&e.deltaPower, int(power))
		e.offsetValue(&e.deltaOffset, raw)
	} else {
		e.bit(1, &c.deltaState, c.delta[:])
		for i := 0; i < numRepDecisions; i++ {
			if i == rep {
				e.bit(0, &c.dRepState[i], c.deltaRep[i][:])
				break
			}
			e.bit(1, &c.dRepState[i], c.deltaRep[i][:])
		}
		q.takeDelta(rep)
	}
	q.endDelta(uint64(power)<<32|uint64(raw), pos+int(length))
	e.lengthValue(length)
}

// lzReps returns the LZ queue as a match starting at pos would see it.
func (q *lruQueues) lzReps(pos int) [numReps + 1]uint32 {
	r := q.lz
	if q.pendingLZ != 0 && pos != q.lzPendAt {
		r[3], r[2], r[1], r[0] = r[2], r[1], r[0], q.pendingLZ
	}
	return r
}

// deltaReps returns the delta-pair queue as a delta match at pos would see
// it.
func (q *lruQueues) deltaReps(pos int) [numReps + 1]uint64 {
	r := q.delta
	if q.pendingDelta != 0 && pos != q.deltaPendAt {
		r[3], r[2], r[1], r[0] = r[2], r[1], r[0], q.pendingDelta
	}
	return r
}

// Slot lookup tables for the common small values.
var (
	lengthSlotSmall [256]uint8
	offsetSlotSmall [1 << 16]uint16
	// offsetSlotHigh[o>>16] is the slot of offset o&^0xFFFF (o >= 1<<16).
	offsetSlotHigh [maxMatchOffset>>16 + 2]uint16
)

// initSmallSlots runs after the slot tables exist (called from format.go's
// init, since init order across files follows file names).
func initSmallSlots() {
	for l := 1; l < len(lengthSlotSmall); l++ {
		lengthSlotSmall[l] = uint8(slotFor(lengthSlotBase[:], uint32(l)))
	}
	for o := 1; o < len(offsetSlotSmall); o++ {
		offsetSlotSmall[o] = uint16(slotFor(offsetSlotBase[:], uint32(o)))
	}
	for i := 1; i < len(offsetSlotHigh); i++ {
		offsetSlotHigh[i] = uint16(slotFor(offsetSlotBase[:], uint32(i)<<16))
	}
}

func lengthSlot(l uint32) int {
	if l < uint32(len(lengthSlotSmall)) {
		return int(lengthSlotSmall[l])
	}
	return slotFor(lengthSlotBase[:], l)
}

func offsetSlot(o uint32) int {
	if o < uint32(len(offsetSlotSmall)) {
		return int(offsetSlotSmall[o])
	}
	return offsetSlotLarge(o)
}

// offsetSlotLarge is offsetSlot for o >= 1<<16 (kept apart so that
// offsetSlot stays small enough to inline).
func offsetSlotLarge(o uint32) int {
	if i := o >> 16; i+1 < uint32(len(offsetSlotHigh)) {
		// The slot lies between those of the 64 KiB steps around o.
		lo, hi := int(offsetSlotHigh[i]), int(offsetSlotHigh[i+1])
		return lo + slotFor(offsetSlotBase[lo:hi+2], o)
	}
	return slotFor(offsetSlotBase[:], o)
}
