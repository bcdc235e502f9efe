package lzms

// probEntry is the adaptive probability of one binary-decision context:
// the number of 0 bits among the last 64 bits coded with it.
type probEntry struct {
	zeros  uint32
	recent uint64
}

// prob returns the probability (in 1/64) that the next bit is 0, clamped to
// 1..63.
func (p *probEntry) prob() uint32 {
	z := p.zeros
	if z == 0 {
		return 1
	}
	if z == probMax {
		return probMax - 1
	}
	return z
}

// update shifts bit into the history; the bit leaving the 64-bit window
// adjusts the zero count.
func (p *probEntry) update(bit uint32) {
	p.zeros += uint32(p.recent>>63) - bit
	p.recent = p.recent<<1 | uint64(bit)
}

func resetProbs(p []probEntry) {
	for i := range p {
		p[i] = probEntry{zeros: initialZeroBits, recent: initialRecent}
	}
}

// contexts holds every binary-decision context with its bit history.
type contexts struct {
	mainState  uint32
	matchState uint32
	lzState    uint32
	deltaState uint32
	lzRepState [numRepDecisions]uint32
	dRepState  [numRepDecisions]uint32

	main     [numMainStates]probEntry
	match    [numMatchStates]probEntry
	lz       [numLZStates]probEntry
	delta    [numDeltaStates]probEntry
	lzRep    [numRepDecisions][numLZRepStates]probEntry
	deltaRep [numRepDecisions][numDeltaRepStates]probEntry
}

func (c *contexts) reset() {
	c.mainState, c.matchState, c.lzState, c.deltaState = 0, 0, 0, 0
	c.lzRepState = [numRepDecisions]uint32{}
	c.dRepState = [numRepDecisions]uint32{}
	resetProbs(c.main[:])
	resetProbs(c.match[:])
	resetProbs(c.lz[:])
	resetProbs(c.delta[:])
	for i := range c.lzRep {
		resetProbs(c.lzRep[i][:])
		resetProbs(c.deltaRep[i][:])
	}
}

// lruQueues are the repeat-offset queues. A newly used offset (or delta
// pair) is held in pending and enters the front of its queue only after the
// next item, so that a repeat match never names the match just before it.
// Slot 3 is overflow: it exists so a removal from the first three slots can
// shift an older entry back in.
type lruQueues struct {
	lz           [numReps + 1]uint32
	delta        [numReps + 1]uint64 // power<<32 | raw offset
	pendingLZ    uint32
	pendingDelta uint64
	lzPendAt     int // output position right after the match that set pendingLZ
	deltaPendAt  int
}

func (q *lruQueues) reset() {
	for i := range q.lz {
		q.lz[i] = uint32(i + 1)
		q.delta[i] = uint64(i + 1)
	}
	q.pendingLZ, q.pendingDelta = 0, 0
	q.lzPendAt, q.deltaPendAt = -1, -1
}

func (q *lruQueues) pushLZ(v uint32) {
	q.lz[3], q.lz[2], q.lz[1], q.lz[0] = q.lz[2], q.lz[1], q.lz[0], v
}

func (q *lruQueues) pushDelta(v uint64) {
	q.delta[3], q.delta[2], q.delta[1], q.delta[0] = q.delta[2], q.delta[1], q.delta[0], v
}

// beginLZ flushes a pending offset unless the previous item was the LZ match
// that set it.
func (q *lruQueues) beginLZ(pos int) {
	if q.pendingLZ != 0 && pos != q.lzPendAt {
		q.pushLZ(q.pendingLZ)
		q.pendingLZ = 0
	}
}

// takeLZ removes and returns repeat slot i.
func (q *lruQueues) takeLZ(i int) uint32 {
	v := q.lz[i]
	copy(q.lz[i:], q.lz[i+1:])
	return v
}

// endLZ makes off pending; a still-pending older offset enters the queue.
func (q *lruQueues) endLZ(off uint32, end int) {
	if q.pendingLZ != 0 {
		q.pushLZ(q.pendingLZ)
	}
	q.pendingLZ = off
	q.lzPendAt = end
}

func (q *lruQueues) beginDelta(pos int) {
	if q.pendingDelta != 0 && pos != q.deltaPendAt {
		q.pushDelta(q.pendingDelta)
		q.pendingDelta = 0
	}
}

func (q *lruQueues) takeDelta(i int) uint64 {
	v := q.delta[i]
	copy(q.delta[i:], q.delta[i+1:])
	return v
}

func (q *lruQueues) endDelta(pair uint64, end int) {
	if q.pendingDelta != 0 {
		q.pushDelta(q.pendingDelta)
	}
	q.pendingDelta = pair
	q.deltaPendAt = end
}
