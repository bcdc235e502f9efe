package lzx

import "slices"

// Length-limited Huffman code construction for the encoder.

// lenBuilder builds code lengths; its scratch is reused.
type lenBuilder struct {
	sorted []uint64 // freq<<16 | symbol, ascending
	a      []uint32
	count  [40]int
}

// build sets lens[s] to the code length of symbol s for frequencies freqs,
// limited to maxLen. Unused symbols get 0. A code with one used symbol gets
// a second, dummy symbol so that the code is complete; an unused code stays
// all zero.
func (b *lenBuilder) build(freqs []uint32, lens []uint8, maxLen int) {
	b.sorted = b.sorted[:0]
	for s, f := range freqs {
		lens[s] = 0
		if f != 0 {
			b.sorted = append(b.sorted, uint64(f)<<16|uint64(s))
		}
	}
	n := len(b.sorted)
	switch n {
	case 0:
		return
	case 1:
		s := int(b.sorted[0] & 0xffff)
		lens[s] = 1
		if s == 0 {
			lens[1] = 1
		} else {
			lens[0] = 1
		}
		return
	}
	slices.Sort(b.sorted)
	if cap(b.a) < n {
		b.a = make([]uint32, n)
	}
	a := b.a[:n]
	for i, v := range b.sorted {
		a[i] = uint32(v >> 16)
	}
	minRedundancy(a)
	// a[i] is now the length of the i-th symbol in ascending frequency
	// order (non-increasing lengths). Limit to maxLen via the counts.
	b.count = [40]int{}
	maxSeen := 0
	for _, l := range a {
		b.count[l]++
		if int(l) > maxSeen {
			maxSeen = int(l)
		}
	}
	if maxSeen > maxLen {
		for i := maxSeen; i > maxLen; i-- {
			for b.count[i] > 0 {
				j := i - 2
				for b.count[j] == 0 {
					j--
				}
				b.count[i] -= 2
				b.count[i-1]++
				b.count[j+1] += 2
				b.count[j]--
			}
		}
		maxSeen = maxLen
	}
	// Longest lengths go to the least frequent symbols.
	i := 0
	for l := maxSeen; l >= 1; l-- {
		for k := 0; k < b.count[l]; k++ {
			lens[b.sorted[i]&0xffff] = uint8(l)
			i++
		}
	}
}

// minRedundancy turns a (frequencies sorted ascending, n >= 2) into code
// lengths in place (Moffat & Katajainen, "In-place calculation of
// minimum-redundancy codes", 1995).
func minRedundancy(a []uint32) {
	n := len(a)
	a[0] += a[1]
	root, leaf := 0, 2
	for next := 1; next < n-1; next++ {
		if leaf >= n || a[root] < a[leaf] {
			a[next] = a[root]
			a[root] = uint32(next)
			root++
		} else {
			a[next] = a[leaf]
			leaf++
		}
		if leaf >= n || (root < next && a[root] < a[leaf]) {
			a[next] += a[root]
			a[root] = uint32(next)
			root++
		} else {
			a[next] += a[leaf]
			leaf++
		}
	}
	a[n-2] = 0
	for next := n - 3; next >= 0; next-- {
		a[next] = a[a[next]] + 1
	}
	avail, used, depth := 1, 0, uint32(0)
	root = n - 2
	next := n - 1
	for avail > 0 {
		for root >= 0 && a[root] == depth {
			used++
			root--
		}
		for avail > used {
			a[next] = depth
			next--
			avail--
		}
		avail = 2 * used
		depth++
		used = 0
	}
}

// canonicalCodes assigns canonical codewords (shorter first, then by
// symbol) for lens into codes.
func canonicalCodes(lens []uint8, codes []uint32) {
	var count [maxCodeLen + 2]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [maxCodeLen + 2]uint32
	code := uint32(0)
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for s, l := range lens {
		if l != 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
}
