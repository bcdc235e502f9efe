package xpress

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/wimbuild/wimbuild/wim/internal/huffman"
)

// decodeTableBits is the primary lookup width: codes up to this long decode
// with one lookup. Smaller tables build faster, which matters for 4 KiB
// chunks.
const decodeTableBits = 10

// Decompressor decodes XPRESS chunks. It keeps its Huffman table between
// calls; it is not safe for concurrent use.
type Decompressor struct {
	maxChunk int
	lens     [numSymbols]uint8
	dec      huffman.Decoder
}

// NewDecompressor returns a decompressor for chunks of up to maxChunkSize
// (1..MaxChunkSize) uncompressed bytes.
func NewDecompressor(maxChunkSize int) (*Decompressor, error) {
	if maxChunkSize < 1 || maxChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("%w: %d (want 1..%d)", ErrChunkSize, maxChunkSize, MaxChunkSize)
	}
	return &Decompressor{maxChunk: maxChunkSize}, nil
}

// Decompress decodes the compressed chunk src into dst, whose length is the
// chunk's uncompressed size. Decoding stops when dst is full; a trailing
// end-of-data symbol is not required. Corrupt or truncated input returns a
// *CorruptError.
func (d *Decompressor) Decompress(dst, src []byte) error {
	if len(dst) > d.maxChunk {
		return fmt.Errorf("xpress: output of %d bytes exceeds the chunk size %d", len(dst), d.maxChunk)
	}
	if len(dst) == 0 {
		return nil
	}
	if len(src) < tableBytes {
		return corrupt(len(src), "truncated code-length table")
	}
	for i, b := range src[:tableBytes] {
		d.lens[2*i] = b & 15
		d.lens[2*i+1] = b >> 4
	}
	if err := d.dec.Init(d.lens[:], decodeTableBits); err != nil && !errors.Is(err, huffman.ErrIncomplete) {
		return corrupt(0, "invalid code-length table: "+err.Error())
	}
	return d.decode(dst, src)
}

// decode runs the LZ77+Huffman loop. The bit buffer holds up to 64 bits
// loaded ahead of the format's own reader, which keeps only 16..31 bits
// after each step ([MS-XCA] §2.2.4). Raw length bytes sit right after the
// words that reader has loaded, so before reading one the look-ahead is
// given back (see rewind below).
func (d *Decompressor) decode(dst, src []byte) error {
	dec := &d.dec
	pos := tableBytes // next byte to load
	var buf uint64    // MSB-aligned bits
	var n uint        // valid bits in buf
	var pad uint      // zero bits loaded from beyond the end of src
	op := 0
	for op < len(dst) {
		if n < 32 {
			if pos+4 <= len(src) {
				// Two words at once (n <= 31, so 32 more bits fit).
				w := binary.LittleEndian.Uint32(src[pos:])
				buf |= (uint64(w&0xffff)<<16 | uint64(w>>16)) << (32 - n)
				pos += 4
				n += 32
			}
			for n <= 48 {
				if pos+2 <= len(src) {
					buf |= uint64(binary.LittleEndian.Uint16(src[pos:])) << (48 - n)
				} else {
					if n < pad {
						// Bits from past the end were consumed.
						return corrupt(len(src), "truncated bit stream")
					}
					pad += 16
				}
				pos += 2
				n += 16
			}
		}
		sym, l := dec.Decode(uint32(buf >> 32))
		if l == 0 {
			return corrupt(min(pos-int(n/8), len(src)), "invalid Huffman codeword")
		}
		buf <<= l
		n -= l
		if sym < 256 {
			dst[op] = byte(sym)
			op++
			continue
		}
		sym -= 256
		length := sym & 15
		obits := uint(sym >> 4)
		if length == lenHeaderMax {
			// Give back look-ahead so that the reader holds what the
			// format's reader holds: 16 + n%16 bits (n >= 17 here).
			excess := n - (16 + n%16)
			pos -= int(excess / 8)
			n -= excess
			buf = buf >> (64 - n) << (64 - n)
			if excess >= pad {
				pad = 0
			} else {
				pad -= excess
			}
			if pos >= len(src) {
				return corrupt(len(src), "truncated match length byte")
			}
			length += int(src[pos])
			pos++
			if length == lenHeaderMax+lenByteMax {
				if pos+2 > len(src) {
					return corrupt(pos, "truncated match length")
				}
				length = int(binary.LittleEndian.Uint16(src[pos:]))
				pos += 2
			}
		}
		length += minMatch
		offset := 1<<obits | int(buf>>(64-obits)) // obits == 0: shift gives 0
		buf <<= obits
		n -= obits
		if offset > op {
			return corrupt(min(pos-int(n/8), len(src)), fmt.Sprintf("match offset %d before the start of the chunk (at output byte %d)", offset, op))
		}
		if length > len(dst)-op {
			return corrupt(min(pos-int(n/8), len(src)), fmt.Sprintf("match length %d runs past the end of the chunk (at output byte %d of %d)", length, op, len(dst)))
		}
		if offset >= 8 && op+length+8 <= len(dst) {
			// Common case: whole 8-byte words, overshoot rewritten later.
			for i := 0; i < length; i += 8 {
				binary.LittleEndian.PutUint64(dst[op+i:], binary.LittleEndian.Uint64(dst[op-offset+i:]))
			}
		} else {
			copyMatch(dst, op, offset, length)
		}
		op += length
	}
	if n < pad {
		return corrupt(len(src), "truncated bit stream")
	}
	return nil
}

// copyMatch copies length bytes from offset bytes back, overlapping
// copies repeating the pattern. The caller has checked both bounds.
func copyMatch(dst []byte, op, offset, length int) {
	from := op - offset
	if offset >= length {
		copy(dst[op:op+length], dst[from:])
		return
	}
	if offset == 1 {
		b := dst[from]
		s := dst[op : op+length]
		for i := range s {
			s[i] = b
		}
		return
	}
	// Overlapping: copy in doubling steps of the repeating period.
	end := op + length
	for op < end {
		k := copy(dst[op:end], dst[from:op])
		op += k
	}
}
