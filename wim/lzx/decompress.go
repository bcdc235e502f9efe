package lzx

import (
	"encoding/binary"
	"errors"
	"math/bits"

	"github.com/wimbuild/wimbuild/wim/internal/huffman"
)

// Decode table widths (primary index bits) per code.
const (
	mainTableBits    = 11
	lenTableBits     = 10
	alignedTableBits = 7
	pretreeTableBits = 6
)

// Decompressor decodes WIM LZX chunks. It is not safe for concurrent use;
// reuse one per goroutine.
type Decompressor struct {
	maxChunk  int
	order     uint
	numMain   int
	mainLens  [maxMainSyms]uint8
	lenLens   [numLenSyms]uint8
	alignLens [numAlignedSyms]uint8
	preLens   [numPretreeSyms]uint8
	mainDec   huffman.Decoder
	lenDec    huffman.Decoder
	alignDec  huffman.Decoder
	preDec    huffman.Decoder
	reps      [numRepeatOffsets]uint32 // R0, R1, R2 while a block decodes
}

// initDecoder builds dec for lens. Incomplete codes are accepted (their
// unused bit patterns decode as invalid); over-subscribed ones are not.
func initDecoder(dec *huffman.Decoder, lens []uint8, tableBits int) bool {
	err := dec.Init(lens, tableBits)
	return err == nil || errors.Is(err, huffman.ErrIncomplete)
}

// NewDecompressor returns a decompressor for chunks of at most maxChunkSize
// bytes (1..2 MiB). The window order, and with it the number of offset
// slots and the size of the block-size field, follows from maxChunkSize, so
// it must be the resource's chunk size.
func NewDecompressor(maxChunkSize int) (*Decompressor, error) {
	o, err := windowOrder(maxChunkSize)
	if err != nil {
		return nil, err
	}
	nm := numChars + numOffsetSlots[o-minWindowOrder]*numLenHeaders
	return &Decompressor{maxChunk: maxChunkSize, order: o, numMain: nm}, nil
}

// bitReader reads the LZX bitstream: 16-bit little-endian words, each
// consumed from its most significant bit. buf holds n valid bits at its top.
// Past the end of src it supplies zero words (pos keeps counting) so that
// peeking ahead is always possible; consuming them is detected by overrun.
type bitReader struct {
	src   []byte
	pos   int // next byte to load (may exceed len(src) by a few words)
	buf   uint64
	n     uint
	limit int // bits that may be consumed (see init)
}

// readSlack is how far past the end of the input the reader may load zero
// words before the input is declared truncated.
const readSlack = 8

func (br *bitReader) init(src []byte, pos int) {
	br.src, br.pos, br.buf, br.n = src, pos, 0, 0
	// Only whole 16-bit words hold bits: an odd trailing byte is the low
	// half of a word whose high half, read first, is missing (a
	// truncated stream). A reader started at the very end (after an
	// unpadded final uncompressed block) has nothing to consume.
	br.limit = max(len(src)&^1, pos) * 8
}

// refill makes at least 32 bits available. It reports false when the
// stream is truncated beyond the read slack.
func (br *bitReader) refill() bool {
	if br.n >= 32 {
		return true
	}
	if br.pos+4 <= len(br.src) {
		v := bits.RotateLeft32(binary.LittleEndian.Uint32(br.src[br.pos:]), 16)
		br.buf |= uint64(v) << (32 - br.n)
		br.n += 32
		br.pos += 4
		return true
	}
	return br.refillSlow()
}

// words64 returns the four 16-bit little-endian words at b[0:8] as one
// MSB-first 64-bit value (first word in the top bits).
func words64(b []byte) uint64 {
	x := bits.ReverseBytes64(binary.LittleEndian.Uint64(b))
	return (x>>8)&0x00ff00ff00ff00ff | (x&0x00ff00ff00ff00ff)<<8
}

//go:noinline
func (br *bitReader) refillSlow() bool {
	for br.n < 32 {
		var w uint64
		if br.pos+2 <= len(br.src) {
			w = uint64(binary.LittleEndian.Uint16(br.src[br.pos:]))
		} else if br.pos+1 == len(br.src) {
			w = uint64(br.src[br.pos]) // odd trailing byte: low half of a word
		} else if br.pos > len(br.src)+readSlack {
			return false
		}
		br.buf |= w << (48 - br.n)
		br.n += 16
		br.pos += 2
	}
	return true
}

// bits reads k <= 32 bits (after refill k <= n must hold).
func (br *bitReader) bits(k uint) uint32 {
	if k == 0 {
		return 0
	}
	v := uint32(br.buf >> (64 - k))
	br.buf <<= k
	br.n -= k
	return v
}

// consumed returns the number of bits consumed so far from the start of src.
func (br *bitReader) consumed() int { return br.pos*8 - int(br.n) }

// overrun reports whether more bits were consumed than src holds.
func (br *bitReader) overrun() bool { return br.consumed() > br.limit }

// decode reads one symbol with dec. ok is false for an invalid code.
func (br *bitReader) decode(dec *huffman.Decoder) (uint32, bool) {
	sym, l := dec.Decode(uint32(br.buf >> 32))
	if l == 0 {
		return 0, false
	}
	br.buf <<= l
	br.n -= l
	return uint32(sym), true
}

func (d *Decompressor) corrupt(br *bitReader, reason string) error {
	off := br.consumed() / 8
	if off > len(br.src) {
		off = len(br.src)
	}
	return &CorruptError{Offset: int64(off), Reason: reason}
}

// readPretree reads the 20 4-bit pretree lengths and builds its table.
func (d *Decompressor) readPretree(br *bitReader) error {
	for i := range d.preLens {
		if !br.refill() {
			return d.corrupt(br, "truncated pretree")
		}
		d.preLens[i] = uint8(br.bits(4))
	}
	if !initDecoder(&d.preDec, d.preLens[:], pretreeTableBits) {
		return d.corrupt(br, "invalid pretree")
	}
	return nil
}

// readLens reads code lengths lens (delta-coded against their previous
// values, which lens holds on entry) with a fresh pretree.
func (d *Decompressor) readLens(br *bitReader, lens []uint8) error {
	if err := d.readPretree(br); err != nil {
		return err
	}
	for i := 0; i < len(lens); {
		if !br.refill() {
			return d.corrupt(br, "truncated code lengths")
		}
		sym, ok := br.decode(&d.preDec)
		if !ok {
			return d.corrupt(br, "invalid pretree symbol")
		}
		var run int
		var val uint8
		switch {
		case sym <= 16:
			lens[i] = uint8((int(lens[i]) - int(sym) + 17) % 17)
			i++
			continue
		case sym == 17:
			run, val = 4+int(br.bits(4)), 0
		case sym == 18:
			run, val = 20+int(br.bits(5)), 0
		default: // 19
			run = 4 + int(br.bits(1))
			s2, ok := br.decode(&d.preDec)
			if !ok || s2 > 16 {
				return d.corrupt(br, "invalid pretree run symbol")
			}
			val = uint8((int(lens[i]) - int(s2) + 17) % 17)
		}
		if run > len(lens)-i {
			return d.corrupt(br, "code length run overflows the code")
		}
		for k := 0; k < run; k++ {
			lens[i+k] = val
		}
		i += run
	}
	if br.overrun() {
		return d.corrupt(br, "truncated code lengths")
	}
	return nil
}

// Decompress decodes one LZX chunk src into dst, which must have exactly the
// chunk's uncompressed length.
func (d *Decompressor) Decompress(dst, src []byte) error {
	if len(dst) > d.maxChunk {
		return ErrChunkSize
	}
	clear(d.mainLens[:])
	clear(d.lenLens[:])
	var br bitReader
	br.init(src, 0)
	r0, r1, r2 := uint32(1), uint32(1), uint32(1)
	out := 0
	for out < len(dst) {
		if !br.refill() {
			return d.corrupt(&br, "truncated block header")
		}
		btype := br.bits(3)
		var size int
		if br.bits(1) == 1 {
			size = defaultBlockSize
		} else {
			size = int(br.bits(16))
			if d.order >= 16 {
				if !br.refill() {
					return d.corrupt(&br, "truncated block header")
				}
				size = size<<8 | int(br.bits(8))
			}
		}
		if br.overrun() {
			return d.corrupt(&br, "truncated block header")
		}
		if size == 0 || size > len(dst)-out {
			return d.corrupt(&br, "block size exceeds the chunk")
		}
		switch btype {
		case blockVerbatim, blockAligned:
			if btype == blockAligned {
				if !br.refill() {
					return d.corrupt(&br, "truncated aligned code")
				}
				for i := range d.alignLens {
					d.alignLens[i] = uint8(br.bits(3))
					if i == 3 && !br.refill() {
						return d.corrupt(&br, "truncated aligned code")
					}
				}
				if !initDecoder(&d.alignDec, d.alignLens[:], alignedTableBits) {
					return d.corrupt(&br, "invalid aligned code")
				}
			}
			if err := d.readLens(&br, d.mainLens[:numChars]); err != nil {
				return err
			}
			if err := d.readLens(&br, d.mainLens[numChars:d.numMain]); err != nil {
				return err
			}
			if err := d.readLens(&br, d.lenLens[:]); err != nil {
				return err
			}
			if !initDecoder(&d.mainDec, d.mainLens[:d.numMain], mainTableBits) {
				return d.corrupt(&br, "invalid main code")
			}
			if !initDecoder(&d.lenDec, d.lenLens[:], lenTableBits) {
				return d.corrupt(&br, "invalid length code")
			}
			var err error
			d.reps = [numRepeatOffsets]uint32{r0, r1, r2}
			out, err = d.decodeBlock(&br, dst[:out+size:len(dst)], out, btype == blockAligned)
			r0, r1, r2 = d.reps[0], d.reps[1], d.reps[2]
			if err != nil {
				return err
			}
		case blockUncompressed:
			// 1..16 bits of padding up to the next 16-bit boundary, then a
			// byte stream: R0, R1, R2 (u32 LE), the bytes, a pad byte if odd.
			c := br.consumed()
			p := (c/16 + 1) * 2
			if p+12 > len(src) {
				return &CorruptError{Offset: int64(min(p, len(src))), Reason: "truncated uncompressed block"}
			}
			r0 = binary.LittleEndian.Uint32(src[p:])
			r1 = binary.LittleEndian.Uint32(src[p+4:])
			r2 = binary.LittleEndian.Uint32(src[p+8:])
			p += 12
			if size > len(src)-p {
				return &CorruptError{Offset: int64(p), Reason: "truncated uncompressed block"}
			}
			copy(dst[out:out+size], src[p:p+size])
			out += size
			p += size + size&1
			if p > len(src) {
				if out < len(dst) {
					return &CorruptError{Offset: int64(len(src)), Reason: "truncated uncompressed block padding"}
				}
				p = len(src)
			}
			br.init(src, p)
		default:
			return d.corrupt(&br, "invalid block type")
		}
	}
	if br.overrun() {
		return d.corrupt(&br, "truncated input")
	}
	if len(dst) > e8Tail {
		e8Decode(dst)
	}
	return nil
}

// decodeBlock decodes a verbatim or aligned-offset block's symbols into
// dst[out:len(dst)]; cap(dst) is the end of the chunk (bytes between the two
// may be written: later blocks overwrite them). R0..R2 are in d.reps.
//
// The hot loop keeps only the bit reader state, the output position and
// the main table in locals (fewer values than registers): the Huffman
// lookups are inlined, primary tables viewed as fixed-size arrays indexed
// by the top bits of the bit buffer (no bounds checks); subtables, the
// length and aligned codes and the repeat offsets are reached through d.
func (d *Decompressor) decodeBlock(br *bitReader, dst []byte, out int, aligned bool) (int, error) {
	const (
		lenMask = huffman.EntryLenMask
		link    = huffman.EntryLink
		shift   = huffman.EntryShift
	)
	mainP := (*[1 << mainTableBits]uint32)(d.mainDec.Table())
	src := br.src
	buf, n, pos := br.buf, br.n, br.pos
	var reason string
	for out < len(dst) {
		if n < 32 {
			if pos+8 <= len(src) {
				// Top up with whole words: a partial last word lands below
				// the valid bits and is rewritten identically next time.
				buf |= words64(src[pos:]) >> n
				k := (64 - n) >> 4
				n += k << 4
				pos += int(k) << 1
			} else {
				br.buf, br.n, br.pos = buf, n, pos
				if !br.refillSlow() {
					reason = "truncated block"
					goto fail
				}
				buf, n, pos = br.buf, br.n, br.pos
			}
		}
		// Main symbol.
		e := mainP[buf>>(64-mainTableBits)]
		if e&link != 0 {
			e = subEntry(&d.mainDec, e, buf, mainTableBits)
		}
		l := uint(e & lenMask)
		if l == 0 {
			reason = "invalid main symbol"
			goto fail
		}
		buf <<= l
		n -= l
		if e < numChars<<shift {
			dst[out] = byte(e >> shift)
			out++
			continue
		}
		sym := e>>shift - numChars
		length := int(sym&7) + minMatch
		slot := sym >> 3
		if sym&7 == numPrimaryLens {
			e := (*[1 << lenTableBits]uint32)(d.lenDec.Table())[buf>>(64-lenTableBits)]
			if e&link != 0 {
				e = subEntry(&d.lenDec, e, buf, lenTableBits)
			}
			l := uint(e & lenMask)
			if l == 0 {
				reason = "invalid length symbol"
				goto fail
			}
			buf <<= l
			n -= l
			length += int(e >> shift)
		}
		var off uint32
		reps := &d.reps
		switch slot {
		case 0:
			off = reps[0]
		case 1:
			off = reps[1]
			reps[1] = reps[0]
			reps[0] = off
		case 2:
			off = reps[2]
			reps[2] = reps[0]
			reps[0] = off
		default:
			// Top up without testing n first (whether n < 32 here is
			// hard to predict): with n > 48, k is 0 and the bits ORed in
			// below the valid ones are the stream's next bits anyway.
			if pos+8 <= len(src) {
				buf |= words64(src[pos:]) >> n
				k := (64 - n) >> 4
				n += k << 4
				pos += int(k) << 1
			} else if n < 32 {
				br.buf, br.n, br.pos = buf, n, pos
				if !br.refillSlow() {
					reason = "truncated block"
					goto fail
				}
				buf, n, pos = br.buf, br.n, br.pos
			}
			f := uint(slotFooter[slot&63])
			off = slotBase[slot&63] - 2
			if aligned && f >= 3 {
				if f > 3 {
					off += uint32(buf>>(64-(f-3))) << 3
					buf <<= f - 3
					n -= f - 3
				}
				// Aligned codes have no subtables (lengths <= 7 bits).
				e := (*[1 << alignedTableBits]uint32)(d.alignDec.Table())[buf>>(64-alignedTableBits)]
				l := uint(e & lenMask)
				if l == 0 {
					reason = "invalid aligned symbol"
					goto fail
				}
				buf <<= l
				n -= l
				off += e >> shift
			} else if f > 0 {
				off += uint32(buf >> (64 - f))
				buf <<= f
				n -= f
			}
			reps[2] = reps[1]
			reps[1] = reps[0]
			reps[0] = off
		}
		if off == 0 || int64(off) > int64(out) {
			reason = "match offset before the chunk start"
			goto fail
		}
		if length > len(dst)-out {
			reason = "match runs past the block end"
			goto fail
		}
		from := out - int(off)
		if off >= 8 && out+length+8 <= cap(dst) {
			// Eight bytes at a time: each load ends at or before the
			// store (off >= 8), so overlapping matches copy correctly;
			// up to 7 bytes past the match are overwritten later.
			w := dst[out : out+length+8]
			r := dst[from : from+length+8]
			binary.LittleEndian.PutUint64(w, binary.LittleEndian.Uint64(r))
			if length > 8 {
				binary.LittleEndian.PutUint64(w[8:], binary.LittleEndian.Uint64(r[8:]))
				for i := 16; i < length; i += 8 {
					binary.LittleEndian.PutUint64(w[i:], binary.LittleEndian.Uint64(r[i:]))
				}
			}
		} else if off == 1 {
			b := dst[from]
			s := dst[out : out+length]
			for i := range s {
				s[i] = b
			}
		} else {
			s := dst[from : out+length]
			for i := int(off); i < len(s); i++ {
				s[i] = s[i-int(off)]
			}
		}
		out += length
	}
	br.buf, br.n, br.pos = buf, n, pos
	if br.overrun() {
		return out, d.corrupt(br, "truncated block")
	}
	return out, nil
fail:
	br.buf, br.n, br.pos = buf, n, pos
	return out, d.corrupt(br, reason)
}

// subEntry resolves a link entry e of dec's primary table (tableBits wide)
// with the bits after the primary ones in buf.
//
//go:noinline
func subEntry(dec *huffman.Decoder, e uint32, buf uint64, tableBits uint) uint32 {
	t := dec.Table()
	i := int(e>>huffman.EntryShift) + int(buf<<tableBits>>(64-e&huffman.EntryLenMask))
	if i >= len(t) {
		return 0
	}
	return t[i]
}
