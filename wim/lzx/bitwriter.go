package lzx

// bitWriter writes the LZX bitstream: bits are packed MSB first into 16-bit
// words stored little-endian. out must have enough capacity; the encoder
// sizes blocks before writing them.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint // pending bits in the low n bits of acc
}

// put writes the k low bits of v (k <= 32).
func (w *bitWriter) put(v uint32, k uint) {
	w.acc = w.acc<<k | uint64(v)
	w.n += k
	if w.n >= 32 {
		w.n -= 16
		a := uint16(w.acc >> w.n)
		w.n -= 16
		b := uint16(w.acc >> w.n)
		w.out = append(w.out, byte(a), byte(a>>8), byte(b), byte(b>>8))
	}
}

// align16 pads with 1..16 zero bits up to the next 16-bit boundary and
// flushes every pending bit (the uncompressed-block alignment).
func (w *bitWriter) align16() {
	w.put(0, 16-w.n%16)
	w.flushWords()
}

// flush pads to a 16-bit boundary with 0..15 zero bits and writes out all
// pending words.
func (w *bitWriter) flush() {
	if w.n%16 != 0 {
		w.put(0, 16-w.n%16)
	}
	w.flushWords()
}

func (w *bitWriter) flushWords() {
	for w.n >= 16 {
		w.n -= 16
		a := uint16(w.acc >> w.n)
		w.out = append(w.out, byte(a), byte(a>>8))
	}
}

// bitLen is the number of bits written so far.
func (w *bitWriter) bitLen() int { return len(w.out)*8 + int(w.n) }
