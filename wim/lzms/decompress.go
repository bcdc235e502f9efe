package lzms

import (
	"encoding/binary"
	"fmt"
)

// maxOverread is how many 16-bit units past the end of the input either
// reader may consume (reading zeros) before the input counts as truncated.
// Valid streams need at most two.
const maxOverread = 8

// Decompressor decodes LZMS chunks. It is not safe for concurrent use; reuse
// it for every chunk of a stream. Its memory is fixed (about 300 KiB)
// whatever the chunk size.
type Decompressor struct {
	maxChunk int

	src []byte

	// Forward stream: range decoder.
	fpos  int // byte offset of the next forward unit
	rng   uint32
	code  uint32
	fover int

	// Backward stream: Huffman codes and verbatim bits, MSB-first.
	bpos     int // byte offset just past the next backward unit
	bitbuf   uint64
	bitsleft uint
	bover    int

	ctx contexts
	q   lruQueues

	literal     adaptiveCode
	lzOffset    adaptiveCode
	length      adaptiveCode
	deltaOffset adaptiveCode
	deltaPower  adaptiveCode
	scratch     buildScratch

	x86 x86Memory
}

// NewDecompressor returns a decompressor for chunks of up to maxChunkSize
// bytes (1..MaxChunkSize).
func NewDecompressor(maxChunkSize int) (*Decompressor, error) {
	if maxChunkSize < 1 || maxChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("%w: %d", ErrChunkSize, maxChunkSize)
	}
	return &Decompressor{
		maxChunk:    maxChunkSize,
		literal:     newAdaptiveCode(numLiteralSyms, literalRebuild, 10, true),
		lzOffset:    newAdaptiveCode(maxOffsetSyms, lzOffsetRebuild, 10, true),
		length:      newAdaptiveCode(numLengthSyms, lengthRebuild, 10, true),
		deltaOffset: newAdaptiveCode(maxOffsetSyms, deltaOffsetRebuild, 10, true),
		deltaPower:  newAdaptiveCode(numDeltaPowerSyms, deltaPowerRebuild, 7, true),
	}, nil
}

func (d *Decompressor) corrupt(out int, reason string) error {
	return &CorruptError{Offset: int64(d.fpos), Out: int64(out), Reason: reason}
}

// Decompress decodes src into dst, which must have the chunk's exact
// uncompressed length.
func (d *Decompressor) Decompress(dst, src []byte) error {
	if len(dst) > d.maxChunk {
		return fmt.Errorf("%w: output of %d bytes exceeds the configured %d", ErrChunkSize, len(dst), d.maxChunk)
	}
	if len(dst) == 0 {
		if len(src) != 0 {
			return d.corrupt(0, "data for an empty chunk")
		}
		return nil
	}
	if len(src) < 4 || len(src)%2 != 0 {
		return &CorruptError{Offset: int64(len(src)), Reason: "compressed size must be even and at least 4 bytes"}
	}
	d.init(src, len(dst))
	err := d.decodeItems(dst)
	d.src = nil
	if err != nil {
		return err
	}
	// The forward stream and the backward stream share the chunk, so
	// together they cannot have used more than its length (give or take
	// the readers' look-ahead).
	if d.fover > maxOverread || d.bover > maxOverread || d.fpos > d.bpos+2*maxOverread {
		return &CorruptError{Offset: int64(d.fpos), Out: int64(len(dst)), Reason: "compressed data ends early (forward and backward streams overlap)"}
	}
	x86Filter(dst, &d.x86, true)
	return nil
}

func (d *Decompressor) init(src []byte, outLen int) {
	d.src = src
	d.rng = 0xffffffff
	d.code = uint32(binary.LittleEndian.Uint16(src))<<16 | uint32(binary.LittleEndian.Uint16(src[2:]))
	d.fpos = 4
	d.fover = 0
	d.bpos = len(src)
	d.bitbuf = 0
	d.bitsleft = 0
	d.bover = 0
	d.ctx.reset()
	d.q.reset()
	ns := numOffsetSlots(outLen)
	d.literal.reset(numLiteralSyms, &d.scratch)
	d.lzOffset.reset(ns, &d.scratch)
	d.length.reset(numLengthSyms, &d.scratch)
	d.deltaOffset.reset(ns, &d.scratch)
	d.deltaPower.reset(numDeltaPowerSyms, &d.scratch)
}

// bit decodes one range-coded bit in the context selected by *state.
func (d *Decompressor) bit(state *uint32, probs []probEntry) uint32 {
	if d.rng <= 0xffff {
		d.normalize()
	}
	pe := &probs[*state]
	bound := (d.rng >> probBits) * pe.prob()
	b := uint32(0)
	if d.code >= bound {
		d.rng -= bound
		d.code -= bound
		b = 1
	} else {
		d.rng = bound
	}
	*state = (*state<<1 | b) & uint32(len(probs)-1)
	pe.zeros += uint32(pe.recent>>63) - b
	pe.recent = pe.recent<<1 | uint64(b)
	return b
}

func (d *Decompressor) normalize() {
	d.rng <<= 16
	d.code <<= 16
	if d.fpos+2 <= len(d.src) {
		d.code |= uint32(binary.LittleEndian.Uint16(d.src[d.fpos:]))
		d.fpos += 2
	} else {
		d.fover++
	}
}

// refill tops the bit buffer up to at least 48 bits, reading units from the
// end of the input towards the front (zeros once exhausted).
func (d *Decompressor) refill() {
	for d.bitsleft <= 48 {
		var u uint64
		if d.bpos >= 2 {
			d.bpos -= 2
			u = uint64(binary.LittleEndian.Uint16(d.src[d.bpos:]))
		} else {
			d.bover++
		}
		d.bitbuf |= u << (48 - d.bitsleft)
		d.bitsleft += 16
	}
}

// bits reads n (0..30) verbatim bits.
func (d *Decompressor) bits(n uint) uint32 {
	if n == 0 {
		return 0
	}
	if d.bitsleft < n {
		d.refill()
	}
	v := uint32(d.bitbuf >> (64 - n))
	d.bitbuf <<= n
	d.bitsleft -= n
	return v
}

// symbol decodes one symbol of c, counts it and rebuilds c on schedule.
// It returns -1 for a codeword that does not exist.
func (d *Decompressor) symbol(c *adaptiveCode) int {
	if d.bitsleft < maxCodewordLen {
		d.refill()
	}
	e := c.table[d.bitbuf>>(64-c.tableBits)]
	var sym uint32
	if l := uint(e & 15); l != 0 {
		sym = uint32(e >> 4)
		d.bitbuf <<= l
		d.bitsleft -= l
	} else {
		var l uint
		sym, l = c.slowDecode(uint32(d.bitbuf >> (64 - maxCodewordLen)))
		if l == 0 {
			return -1
		}
		d.bitbuf <<= l
		d.bitsleft -= l
	}
	c.freqs[sym]++
	c.countdown--
	if c.countdown == 0 {
		c.rebuildNow(&d.scratch)
	}
	return int(sym)
}

func (d *Decompressor) offsetValue(c *adaptiveCode) (uint32, bool) {
	if c.numSyms == 0 {
		return 0, false
	}
	s := d.symbol(c)
	if s < 0 {
		return 0, false
	}
	return offsetSlotBase[s] + d.bits(uint(offsetExtraBits[s])), true
}

func (d *Decompressor) lengthValue() (int, bool) {
	s := d.symbol(&d.length)
	if s < 0 {
		return 0, false
	}
	return int(lengthSlotBase[s] + d.bits(uint(lengthExtraBits[s]))), true
}

func (d *Decompressor) decodeItems(dst []byte) error {
	out := 0
	n := len(dst)
	c := &d.ctx
	q := &d.q
	lit := &d.literal
	for out < n {
		// The literal-or-match decision and the literal itself are the
		// hot path; they are written out here instead of calling bit and
		// symbol.
		if d.rng <= 0xffff {
			d.normalize()
		}
		pe := &c.main[c.mainState&(numMainStates-1)]
		bound := (d.rng >> probBits) * pe.prob()
		if d.code < bound {
			d.rng = bound
			c.mainState = (c.mainState << 1) & (numMainStates - 1)
			pe.zeros += uint32(pe.recent >> 63)
			pe.recent <<= 1
			if d.bitsleft < maxCodewordLen {
				d.refill()
			}
			e := lit.table[d.bitbuf>>(64-lit.tableBits)]
			if l := uint(e & 15); l != 0 {
				sym := e >> 4
				d.bitbuf <<= l
				d.bitsleft -= l
				lit.freqs[sym&(numLiteralSyms-1)]++
				lit.countdown--
				if lit.countdown == 0 {
					lit.rebuildNow(&d.scratch)
				}
				dst[out] = byte(sym)
				out++
				continue
			}
			s := d.symbol(lit)
			if s < 0 {
				return d.corrupt(out, "invalid literal codeword")
			}
			dst[out] = byte(s)
			out++
			continue
		}
		d.rng -= bound
		d.code -= bound
		c.mainState = (c.mainState<<1 | 1) & (numMainStates - 1)
		pe.zeros--
		pe.zeros += uint32(pe.recent >> 63)
		pe.recent = pe.recent<<1 | 1
		if d.bit(&c.matchState, c.match[:]) == 0 {
			// LZ match.
			q.beginLZ(out)
			var off uint32
			if d.bit(&c.lzState, c.lz[:]) == 0 {
				var ok bool
				if off, ok = d.offsetValue(&d.lzOffset); !ok {
					return d.corrupt(out, "invalid offset codeword")
				}
			} else {
				i := 0
				for i < numRepDecisions && d.bit(&c.lzRepState[i], c.lzRep[i][:]) != 0 {
					i++
				}
				off = q.takeLZ(i)
			}
			q.endLZ(off, -1)
			length, ok := d.lengthValue()
			if !ok {
				return d.corrupt(out, "invalid length codeword")
			}
			if length > n-out {
				return d.corrupt(out, fmt.Sprintf("match of length %d runs past the end of the chunk", length))
			}
			if int(off) > out {
				return d.corrupt(out, fmt.Sprintf("match offset %d points before the chunk", off))
			}
			o := int(off)
			if o >= length {
				copy(dst[out:out+length], dst[out-o:])
			} else {
				for j := out; j < out+length; j++ {
					dst[j] = dst[j-o]
				}
			}
			out += length
			q.lzPendAt = out
			continue
		}
		// Delta match.
		q.beginDelta(out)
		var power, raw uint32
		if d.bit(&c.deltaState, c.delta[:]) == 0 {
			p := d.symbol(&d.deltaPower)
			if p < 0 {
				return d.corrupt(out, "invalid delta power codeword")
			}
			power = uint32(p)
			var ok bool
			if raw, ok = d.offsetValue(&d.deltaOffset); !ok {
				return d.corrupt(out, "invalid delta offset codeword")
			}
		} else {
			i := 0
			for i < numRepDecisions && d.bit(&c.dRepState[i], c.deltaRep[i][:]) != 0 {
				i++
			}
			v := q.takeDelta(i)
			power, raw = uint32(v>>32), uint32(v)
		}
		q.endDelta(uint64(power)<<32|uint64(raw), -1)
		length, ok := d.lengthValue()
		if !ok {
			return d.corrupt(out, "invalid length codeword")
		}
		span := 1 << power
		off := int(raw) << power
		if off+span > out {
			return d.corrupt(out, fmt.Sprintf("delta match (offset %d, span %d) points before the chunk", off, span))
		}
		if length > n-out {
			return d.corrupt(out, fmt.Sprintf("delta match of length %d runs past the end of the chunk", length))
		}
		for j := out; j < out+length; j++ {
			dst[j] = dst[j-off] + dst[j-span] - dst[j-off-span]
		}
		out += length
		q.deltaPendAt = out
	}
	return nil
}
