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
	src []byte
	pos int // next byte to load (may exceed len(src) by a few words)
	buf uint64
	n   uint
}

// readSlack is how far past the end of the input the reader may load zero
// words before the input is declared truncated.
const readSlack = 8

func (br *bitReader) init(src []byte, pos int) {
	br.src, br.pos, br.buf, br.n = src, pos, 0, 0
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
func (br *bitReader) overrun() bool { return br.consumed() > len(br.src)*8 }

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
			out, r0, r1, r2, err = d.decodeBlock(&br, dst, out, out+size, btype == blockAligned, r0, r1, r2)
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
// dst[out:end]. The bit reader state lives in locals here (the hot loop);
// it is written back on return.
func (d *Decompressor) decodeBlock(br *bitReader, dst []byte, out, end int, aligned bool, r0, r1, r2 uint32) (int, uint32, uint32, uint32, error) {
	mainDec, lenDec, alignDec := &d.mainDec, &d.lenDec, &d.alignDec
	full := dst // writes past end (and past a match) are overwritten later
	dst = dst[:end]
	src := br.src
	buf, n, pos := br.buf, br.n, br.pos
	var reason string
	for out < end {
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
		s, l := mainDec.Decode(uint32(buf >> 32))
		if l == 0 {
			reason = "invalid main symbol"
			goto fail
		}
		buf <<= l
		n -= l
		if s < numChars {
			dst[out] = byte(s)
			out++
			// Enough bits for another codeword: try a second literal.
			if n >= maxCodeLen && out < end {
				s2, l2 := mainDec.Decode(uint32(buf >> 32))
				if s2 < numChars && l2 != 0 {
					buf <<= l2
					n -= l2
					dst[out] = byte(s2)
					out++
				}
			}
			continue
		}
		sym := uint32(s) - numChars
		length := int(sym&7) + minMatch
		slot := sym >> 3
		if sym&7 == numPrimaryLens {
			ls, l := lenDec.Decode(uint32(buf >> 32))
			if l == 0 {
				reason = "invalid length symbol"
				goto fail
			}
			buf <<= l
			n -= l
			length += ls
		}
		var off uint32
		switch slot {
		case 0:
			off = r0
		case 1:
			off = r1
			r1 = r0
			r0 = off
		case 2:
			off = r2
			r2 = r0
			r0 = off
		default:
			if n < 32 {
				if pos+8 <= len(src) {
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
			f := uint(slotFooter[slot&63])
			off = slotBase[slot&63] - 2
			if aligned && f >= 3 {
				if f > 3 {
					off += uint32(buf>>(64-(f-3))) << 3
					buf <<= f - 3
					n -= f - 3
				}
				as, l := alignDec.Decode(uint32(buf >> 32))
				if l == 0 {
					reason = "invalid aligned symbol"
					goto fail
				}
				buf <<= l
				n -= l
				off += uint32(as)
			} else if f > 0 {
				off += uint32(buf >> (64 - f))
				buf <<= f
				n -= f
			}
			r2 = r1
			r1 = r0
			r0 = off
		}
		if off == 0 || int64(off) > int64(out) {
			reason = "match offset before the chunk start"
			goto fail
		}
		if length > end-out {
			reason = "match runs past the block end"
			goto fail
		}
		from := out - int(off)
		if off >= 8 && length <= 16 && out+16 <= len(full) {
			// Short match, no overlap within a word: two word copies.
			binary.LittleEndian.PutUint64(full[out:], binary.LittleEndian.Uint64(full[from:]))
			binary.LittleEndian.PutUint64(full[out+8:], binary.LittleEndian.Uint64(full[from+8:]))
			out += length
		} else if int(off) >= length {
			copy(dst[out:out+length], dst[from:from+length])
			out += length
		} else if off == 1 {
			b := dst[from]
			s := dst[out : out+length]
			for i := range s {
				s[i] = b
			}
			out += length
		} else {
			for length > 0 {
				k := copy(dst[out:out+length], dst[from:out])
				out += k
				length -= k
			}
		}
	}
	br.buf, br.n, br.pos = buf, n, pos
	if br.overrun() {
		return out, r0, r1, r2, d.corrupt(br, "truncated block")
	}
	return out, r0, r1, r2, nil
fail:
	br.buf, br.n, br.pos = buf, n, pos
	return out, r0, r1, r2, d.corrupt(br, reason)
}
