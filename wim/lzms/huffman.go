package lzms

import "slices"

// LZMS uses adaptive canonical Huffman codes. Encoder and decoder must build
// exactly the same code from the same frequencies, so the construction is
// fully specified: symbols are ordered by (frequency, symbol value); the tree
// is built by repeatedly joining the two lowest-weight nodes, taking a leaf
// before an internal node when their weights tie; leaf depths are then handed
// out longest-first along that order. A depth past maxCodewordLen (which the
// frequency schedule keeps from happening) is folded onto the deepest length
// that still has a codeword to split, as the reference encoder does.

// buildScratch is reusable working memory for code construction.
type buildScratch struct {
	keys      [maxOffsetSyms]uint32 // freq<<10 | sym, sorted
	tmp       [maxOffsetSyms]uint32
	nodeFreq  [maxOffsetSyms]uint32
	parent    [maxOffsetSyms]uint16
	depth     [maxOffsetSyms]uint8
	lenCounts [maxCodewordLen + 2]uint32
}

const symBits = 10

// buildLengths computes codeword lengths for freqs (every entry >= 1).
func (s *buildScratch) buildLengths(freqs []uint32, lens []uint8) {
	n := len(freqs)
	if n == 0 {
		return
	}
	keys := s.keys[:n]
	sorted := true
	prev := uint32(0)
	for i, f := range freqs {
		k := f<<symBits | uint32(i)
		keys[i] = k
		if k < prev {
			sorted = false
		}
		prev = k
	}
	if !sorted {
		s.sortKeys(keys)
	}
	if n == 1 {
		lens[0] = 1
		return
	}
	// Two-queue Huffman construction over the sorted leaves. Internal
	// nodes are created in non-decreasing weight order.
	nodeFreq := s.nodeFreq[:n-1]
	parent := s.parent[:n-1]
	leaf, next, made := 0, 0, 0
	for made < n-1 {
		var w uint32
		for range 2 {
			if leaf < n && (next == made || keys[leaf]>>symBits <= nodeFreq[next]) {
				w += keys[leaf] >> symBits
				leaf++
			} else {
				w += nodeFreq[next]
				parent[next] = uint16(made)
				next++
			}
		}
		nodeFreq[made] = w
		made++
	}
	// Depths of internal nodes (root = n-2) and the number of leaves at
	// each length.
	lc := &s.lenCounts
	*lc = [maxCodewordLen + 2]uint32{}
	lc[1] = 2
	depth := s.depth[:n-1]
	depth[n-2] = 0
	for node := n - 3; node >= 0; node-- {
		d := depth[parent[node]] + 1
		depth[node] = d
		l := int(d)
		if l >= maxCodewordLen {
			l = maxCodewordLen - 1
			for lc[l] == 0 {
				l--
			}
		}
		lc[l]--
		lc[l+1] += 2
	}
	i := 0
	for l := maxCodewordLen; l >= 1; l-- {
		for c := lc[l]; c > 0; c-- {
			lens[keys[i]&(1<<symBits-1)] = uint8(l)
			i++
		}
	}
}

// sortKeys sorts keys (freq<<symBits | sym, built in symbol order) by
// frequency and then symbol: insertion sort for a few keys, otherwise a
// stable radix sort on the frequency bytes (frequencies stay far below
// 1<<16 because every rebuild halves them).
func (s *buildScratch) sortKeys(keys []uint32) {
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			k := keys[i]
			j := i
			for j > 0 && keys[j-1] > k {
				keys[j] = keys[j-1]
				j--
			}
			keys[j] = k
		}
		return
	}
	maxKey := uint32(0)
	for _, k := range keys {
		maxKey = max(maxKey, k)
	}
	if maxKey>>symBits >= 1<<16 {
		slices.Sort(keys)
		return
	}
	src, dst := keys, s.tmp[:len(keys)]
	for shift := uint(symBits); shift < symBits+16 && maxKey>>shift != 0; shift += 8 {
		var count [257]uint32
		for _, k := range src {
			count[(k>>shift)&0xFF+1]++
		}
		for i := 1; i < 257; i++ {
			count[i] += count[i-1]
		}
		for _, k := range src {
			b := (k >> shift) & 0xFF
			dst[count[b]] = k
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// canonicalCodewords assigns canonical codewords (MSB-first, right-aligned)
// for lens.
func canonicalCodewords(lens []uint8, codewords []uint32) {
	var count [maxCodewordLen + 1]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [maxCodewordLen + 1]uint32
	code := uint32(0)
	for l := 1; l <= maxCodewordLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for s, l := range lens {
		codewords[s] = next[l]
		next[l]++
	}
}

// adaptiveCode is one adaptive Huffman code: its frequencies, the rebuild
// countdown, and either encoder codewords or decoder tables.
type adaptiveCode struct {
	numSyms   int
	rebuild   int
	countdown int
	freqs     []uint32
	lens      []uint8
	gen       uint32 // counts builds, so users can tell when lens changed

	// Encoder side.
	codewords []uint32

	// Decoder side: a primary table indexed by the next tableBits bits
	// (entry = sym<<4 | len, len 0 = longer codeword) and canonical
	// ranges for the longer codewords.
	tableBits uint
	table     []uint16
	first     [maxCodewordLen + 1]uint32 // first codeword of each length
	count     [maxCodewordLen + 1]uint32
	start     [maxCodewordLen + 1]uint32 // index in sorted of that first codeword
	sorted    []uint16                   // symbols ordered by (len, sym)
}

func newAdaptiveCode(maxSyms, rebuild int, tableBits uint, decoder bool) adaptiveCode {
	c := adaptiveCode{
		rebuild: rebuild,
		freqs:   make([]uint32, maxSyms),
		lens:    make([]uint8, maxSyms),
	}
	if decoder {
		c.tableBits = tableBits
		c.table = make([]uint16, 1<<tableBits)
		c.sorted = make([]uint16, maxSyms)
	} else {
		c.codewords = make([]uint32, maxSyms)
	}
	return c
}

// reset starts the code over for numSyms symbols, all with frequency 1.
func (c *adaptiveCode) reset(numSyms int, s *buildScratch) {
	c.numSyms = numSyms
	f := c.freqs[:numSyms]
	for i := range f {
		f[i] = 1
	}
	c.build(s)
}

// build makes the code from the current frequencies and restarts the
// countdown.
func (c *adaptiveCode) build(s *buildScratch) {
	c.gen++
	c.countdown = c.rebuild
	n := c.numSyms
	if n == 0 {
		return
	}
	lens := c.lens[:n]
	s.buildLengths(c.freqs[:n], lens)
	if c.codewords != nil {
		canonicalCodewords(lens, c.codewords[:n])
		return
	}
	c.buildTable()
}

// rebuildNow rebuilds the code and then halves the frequencies (keeping
// each at least 1), which is what happens every c.rebuild symbols.
func (c *adaptiveCode) rebuildNow(s *buildScratch) {
	c.build(s)
	f := c.freqs[:c.numSyms]
	for i := range f {
		f[i] = f[i]>>1 + 1
	}
}

func (c *adaptiveCode) buildTable() {
	n := c.numSyms
	lens := c.lens[:n]
	var count [maxCodewordLen + 1]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	// Canonical layout: first codeword and sorted-array start per length.
	code := uint32(0)
	idx := uint32(0)
	for l := 1; l <= maxCodewordLen; l++ {
		code = (code + count[l-1]) << 1
		c.first[l] = code
		c.count[l] = count[l]
		c.start[l] = idx
		idx += count[l]
	}
	var pos [maxCodewordLen + 1]uint32
	copy(pos[:], c.start[:])
	for s, l := range lens {
		if l != 0 {
			c.sorted[pos[l]] = uint16(s)
			pos[l]++
		}
	}
	tb := c.tableBits
	t := c.table
	for i := range t {
		t[i] = 0
	}
	for l := uint(1); l <= tb; l++ {
		cw := c.first[l]
		for _, s := range c.sorted[c.start[l] : c.start[l]+c.count[l]] {
			e := s<<4 | uint16(l)
			lo := cw << (tb - l)
			hi := (cw + 1) << (tb - l)
			for j := lo; j < hi; j++ {
				t[j] = e
			}
			cw++
		}
	}
}

// slowDecode resolves a codeword longer than the table: v holds the next 15
// bits. It returns the symbol and length, or length 0 when no codeword
// matches (only possible for the degenerate one-symbol code).
func (c *adaptiveCode) slowDecode(v uint32) (uint32, uint) {
	for l := c.tableBits + 1; l <= maxCodewordLen; l++ {
		cw := v >> (maxCodewordLen - l)
		if d := cw - c.first[l]; d < c.count[l] {
			return uint32(c.sorted[c.start[l]+d]), l
		}
	}
	return 0, 0
}
