package lzx

// Table-driven canonical Huffman decoding.
//
// A decode table has 1<<bits primary entries indexed by the next `bits`
// bits of the stream. Codes longer than `bits` continue in a subtable that
// the primary entry points to. Entry layout (uint32):
//
//	direct:   symbol<<8 | length            (length 1..16, bit 7 clear)
//	subtable: start<<8  | 0x80 | subBits    (index = start + next subBits bits)
//	invalid:  0 (length 0: bit pattern not assigned to any symbol)

const (
	entrySub     = 0x80
	entryLenMask = 0x1f
)

// decodeTable is a reusable decode table for one code.
type decodeTable struct {
	bits    uint8
	entries []uint32
	// scratch, sized once
	count [maxCodeLen + 1]uint16
	start [maxCodeLen + 2]uint16
	order []uint16 // symbols in canonical order
	codes []uint32 // their codewords
	clens []uint8  // their lengths
}

func newDecodeTable(bits uint8, numSyms int) *decodeTable {
	// Subtables: at most one per long symbol, each at most
	// 1<<(maxCodeLen-bits) entries.
	n := 1<<bits + numSyms<<(maxCodeLen-bits)
	return &decodeTable{
		bits:    bits,
		entries: make([]uint32, n),
		order:   make([]uint16, numSyms),
		codes:   make([]uint32, numSyms),
		clens:   make([]uint8, numSyms),
	}
}

// build fills the table for the code lengths lens (each 0..maxLen). It
// reports false for an over-subscribed code. Incomplete codes are accepted:
// unassigned patterns decode as invalid (length 0). An empty code (all
// zero) gives a table where every pattern is invalid.
func (t *decodeTable) build(lens []uint8, maxLen int) bool {
	t.count = [maxCodeLen + 1]uint16{}
	for _, l := range lens {
		if int(l) > maxLen {
			return false
		}
		t.count[l]++
	}
	left := 1
	for l := 1; l <= maxLen; l++ {
		left = left<<1 - int(t.count[l])
		if left < 0 {
			return false
		}
	}
	t.start[1] = 0
	for l := 1; l <= maxLen; l++ {
		t.start[l+1] = t.start[l] + t.count[l]
	}
	n := int(t.start[maxLen+1])
	next := t.start
	for s, l := range lens {
		if l != 0 {
			t.order[next[l]] = uint16(s)
			next[l]++
		}
	}
	code := uint32(0)
	idx := 0
	for l := 1; l <= maxLen; l++ {
		for k := 0; k < int(t.count[l]); k++ {
			t.codes[idx] = code
			t.clens[idx] = uint8(l)
			idx++
			code++
		}
		code <<= 1
	}

	tb := uint(t.bits)
	primary := t.entries[:1<<tb]
	clear(primary)
	subNext := uint32(1 << tb)
	for i := 0; i < n; {
		l := uint(t.clens[i])
		sym := uint32(t.order[i])
		c := t.codes[i]
		if l <= tb {
			s := c << (tb - l)
			e := sym<<8 | uint32(l)
			for j := s; j < s+1<<(tb-l); j++ {
				primary[j] = e
			}
			i++
			continue
		}
		// Codes i..j-1 share this tb-bit prefix; the last is the longest.
		prefix := c >> (l - tb)
		j := i + 1
		for j < n && t.codes[j]>>(uint(t.clens[j])-tb) == prefix {
			j++
		}
		subBits := uint(t.clens[j-1]) - tb
		subStart := subNext
		subNext += 1 << subBits
		sub := t.entries[subStart:subNext]
		clear(sub)
		primary[prefix] = subStart<<8 | entrySub | uint32(subBits)
		for ; i < j; i++ {
			rest := uint(t.clens[i]) - tb
			low := t.codes[i] & (1<<rest - 1)
			s := low << (subBits - rest)
			e := uint32(t.order[i])<<8 | uint32(rest)
			for k := s; k < s+1<<(subBits-rest); k++ {
				sub[k] = e
			}
		}
	}
	return true
}
