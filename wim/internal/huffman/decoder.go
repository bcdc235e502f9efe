package huffman

import (
	"errors"
	"fmt"
)

// Errors returned by Decoder.Init.
var (
	// ErrOversubscribed: the lengths describe more codewords than fit in
	// the code space (Kraft sum > 1). No format allows this; the decoder
	// is unusable.
	ErrOversubscribed = errors.New("huffman: over-subscribed code lengths")
	// ErrIncomplete: the lengths leave part of the code space unused
	// (Kraft sum < 1) but are not all zero. The decoder is built and
	// usable: bits outside the code decode with length 0. Each format
	// decides whether this is acceptable.
	ErrIncomplete = errors.New("huffman: incomplete code")
	// ErrCodeLength: a length exceeds MaxCodeLen.
	ErrCodeLength = errors.New("huffman: code length too long")
)

// Entry layout of Decoder.table:
//
//	bits 0-4   codeword length (leaf) or subtable index bits (link)
//	bit  7     link flag: the entry points to a subtable
//	bits 8-31  symbol (leaf) or subtable start index (link)
//
// A zero entry is "not a codeword": symbol 0, length 0.
const (
	entryLenMask = 0x1f
	entryLink    = 0x80
	entryShift   = 8
)

// Decoder decodes canonical Huffman codewords with a lookup table. Init
// must be called before Decode; it (re)builds the table and reuses the
// decoder's memory, so one Decoder serves every block of a stream. After a
// failed Init every decode reports length 0.
type Decoder struct {
	table     []uint32
	shift     uint8 // 32 - tableBits
	tableBits uint8
	sorted    []uint16
}

// Init builds the decoder for the code lengths lens (0 = unused symbol,
// at most MaxCodeLen, at most 1<<16 symbols) with a primary table indexed
// by tableBits bits (1..MaxCodeLen; about 10 suits most alphabets).
//
// It returns nil for a complete code and for the empty code (all lengths
// zero: every decode then reports length 0); ErrIncomplete, with a usable
// decoder, when code space is left unused; ErrOversubscribed or
// ErrCodeLength, with an unusable decoder, otherwise.
func (d *Decoder) Init(lens []uint8, tableBits int) error {
	if tableBits < 1 || tableBits > MaxCodeLen {
		return fmt.Errorf("huffman: table bits %d outside 1..%d", tableBits, MaxCodeLen)
	}
	if len(lens) > 1<<16 {
		return fmt.Errorf("huffman: %d symbols exceed the limit of %d", len(lens), 1<<16)
	}
	d.shift = uint8(32 - tableBits)
	d.tableBits = uint8(tableBits)
	tb := tableBits
	size := 1 << tb
	if cap(d.table) < size {
		d.table = make([]uint32, size, 2*size)
	}
	d.table = d.table[:size]

	var count [256]int
	var longest uint8
	for _, l := range lens {
		count[l]++
		longest = max(longest, l)
	}
	if longest > MaxCodeLen {
		clear(d.table)
		return fmt.Errorf("%w: %d", ErrCodeLength, longest)
	}
	count[0] = 0
	left := 1
	maxLen := 0
	for l := 1; l <= MaxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			clear(d.table)
			return ErrOversubscribed
		}
		if count[l] != 0 {
			maxLen = l
		}
	}
	if left != 0 {
		// Incomplete or empty: the slots no codeword fills must read
		// as "not a codeword". (A complete code writes every slot.)
		clear(d.table)
	}
	if maxLen == 0 {
		return nil // empty code
	}

	// Canonical codes: each length's codes follow the previous length's,
	// in symbol order. next[l] is the next unused code of length l.
	var first, next [MaxCodeLen + 1]uint32
	code := uint32(0)
	for l := 1; l <= MaxCodeLen; l++ {
		code = (code + uint32(count[l-1])) << 1
		first[l], next[l] = code, code
	}

	// Codewords no longer than the primary table: one pass in symbol
	// order, each filling its run of 1<<(tb-l) consecutive entries.
	t := d.table[:size]
	for s, l8 := range lens {
		l := int(l8)
		if l == 0 || l > tb {
			continue
		}
		c := next[l]
		next[l]++
		start := int(c) << (tb - l)
		fill(t[start:start+1<<(tb-l)], uint32(s)<<entryShift|uint32(l))
	}
	if maxLen <= tb {
		if left != 0 {
			return ErrIncomplete
		}
		return nil
	}

	// Longer codewords, in canonical order (by length, then symbol), go
	// to subtables hanging off primary entries.
	var offs [MaxCodeLen + 2]int
	for l := tb + 1; l <= MaxCodeLen; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	total := offs[MaxCodeLen+1]
	if cap(d.sorted) < total {
		d.sorted = make([]uint16, total)
	}
	sorted := d.sorted[:total]
	for s, l := range lens {
		if int(l) > tb {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	subPrefix, subStart, subBits := -1, 0, 0
	for _, sym := range sorted {
		l := int(lens[sym])
		c := next[l]
		next[l]++
		placed := int(c-first[l]) + 1 // codes of this length placed, this one included
		leaf := uint32(sym)<<entryShift | uint32(l)
		prefix := int(c >> uint(l-tb))
		if prefix != subPrefix {
			// New subtable: make it just wide enough for the longest
			// codeword sharing this prefix. rem counts codes of the
			// current length still to place, this one included.
			sb := l - tb
			room := 1 << sb
			rem := count[l] - placed + 1
			for ln := l; ; {
				room -= rem
				if room <= 0 || ln == maxLen {
					break
				}
				ln++
				sb++
				room <<= 1
				rem = count[ln]
			}
			subPrefix, subStart, subBits = prefix, len(d.table), sb
			d.table = append(d.table, make([]uint32, 1<<sb)...)
			d.table[prefix] = uint32(subStart)<<entryShift | entryLink | uint32(sb)
		}
		low := int(c) & (1<<(l-tb) - 1)
		start := subStart + low<<(subBits-(l-tb))
		fill(d.table[start:start+1<<(subBits-(l-tb))], leaf)
	}
	if left != 0 {
		return ErrIncomplete
	}
	return nil
}

func fill(s []uint32, v uint32) {
	for i := range s {
		s[i] = v
	}
}

// Decode decodes one symbol from window, which holds the next bits of the
// stream MSB-aligned (bit 31 is the next bit; at least the next
// MaxCodeLen bits must be present, bits past the end of the data may be
// anything). It returns the symbol and the codeword length to consume; a
// length of 0 means the bits are not a codeword of this code (corrupt
// input).
func (d *Decoder) Decode(window uint32) (sym int, n uint) {
	e := d.table[window>>d.shift]
	if e&entryLink != 0 {
		e = d.table[e>>entryShift+(window<<d.tableBits)>>(32-e&entryLenMask)]
	}
	return int(e >> entryShift), uint(e & entryLenMask)
}

// TableBits returns the primary table width Init was given (0 before
// Init).
func (d *Decoder) TableBits() int { return int(d.tableBits) }

// Exported entry layout of Table, for decoders that inline the lookup in
// their own loop (see the layout comment above).
const (
	EntryLenMask = entryLenMask // codeword length (leaf) or subtable bits (link)
	EntryLink    = entryLink    // the entry points to a subtable
	EntryShift   = entryShift   // symbol (leaf) or subtable start above this bit
)

// Table returns the table Init built: 1<<TableBits() primary entries
// indexed by the next TableBits bits, then the subtables. A leaf is
// symbol<<EntryShift | length; a link is start<<EntryShift | EntryLink |
// bits, resolved as Table()[start + next bits after the primary ones,
// taking bits of them]; a zero entry is not a codeword. The slice is the
// decoder's own (valid until the next Init); Decode is the reference
// lookup.
func (d *Decoder) Table() []uint32 { return d.table }
