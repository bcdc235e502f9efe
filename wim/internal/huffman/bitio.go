package huffman

import "encoding/binary"

// BitWriter writes bits most-significant first into 16-bit little-endian
// words, the bit order of XPRESS and LZX. It never writes past the end of
// its buffer: once the buffer is full further output is dropped and
// Overflow reports true (a compressor then stores the chunk raw).
type BitWriter struct {
	dst      []byte
	pos      int
	acc      uint64 // pending bits, right-aligned
	n        uint   // number of pending bits (< 16 between calls)
	overflow bool
}

// Reset makes w write into dst from its start.
func (w *BitWriter) Reset(dst []byte) {
	*w = BitWriter{dst: dst}
}

// WriteBits writes the low n bits of v (n <= 32), most-significant first.
func (w *BitWriter) WriteBits(v uint32, n uint) {
	w.acc = w.acc<<n | uint64(v)&(1<<n-1)
	w.n += n
	for w.n >= 16 {
		w.n -= 16
		w.putWord(uint16(w.acc >> w.n))
	}
}

func (w *BitWriter) putWord(v uint16) {
	if w.pos+2 > len(w.dst) {
		w.overflow = true
		return
	}
	binary.LittleEndian.PutUint16(w.dst[w.pos:], v)
	w.pos += 2
}

// Align pads the pending bits with zeros to a word boundary. It writes
// nothing when already aligned.
func (w *BitWriter) Align() {
	if w.n != 0 {
		w.WriteBits(0, 16-w.n)
	}
}

// WriteBytes aligns to a word boundary and copies p verbatim (as LZX
// uncompressed blocks do). Callers that need 16-bit padding after odd
// lengths add it themselves.
func (w *BitWriter) WriteBytes(p []byte) {
	w.Align()
	if w.pos+len(p) > len(w.dst) {
		w.overflow = true
		return
	}
	w.pos += copy(w.dst[w.pos:], p)
}

// Flush aligns to a word boundary and returns the number of bytes written.
func (w *BitWriter) Flush() int {
	w.Align()
	return w.pos
}

// Overflow reports whether output was dropped because dst was full.
func (w *BitWriter) Overflow() bool { return w.overflow }

// BitReader reads bits most-significant first from 16-bit little-endian
// words. Reading past the end of the data yields zero bits (so a decoder
// may look ahead freely); Overrun reports whether any such bit was
// consumed, which a decoder must treat as truncated input.
type BitReader struct {
	src []byte
	pos int    // next byte to load; may pass len(src) by the padding loaded
	buf uint64 // MSB-aligned bits
	n   uint   // valid bits in buf
	pad uint   // zero bits loaded from beyond the end of src
}

// Reset makes r read src from its start.
func (r *BitReader) Reset(src []byte) {
	*r = BitReader{src: src}
}

// Refill loads words until at least 48 bits are buffered.
func (r *BitReader) Refill() {
	for r.n <= 48 {
		var v uint64
		if r.pos+2 <= len(r.src) {
			v = uint64(binary.LittleEndian.Uint16(r.src[r.pos:]))
		} else {
			r.pad += 16 // past the end (a lone trailing byte is no word)
		}
		r.pos += 2
		r.buf |= v << (48 - r.n)
		r.n += 16
	}
}

// Window returns the next 32 bits, MSB-aligned, for Decoder.Decode. The
// caller must have called Refill after consuming more than 16 bits.
func (r *BitReader) Window() uint32 { return uint32(r.buf >> 32) }

// Buffered returns the number of bits buffered and not yet consumed.
func (r *BitReader) Buffered() uint { return r.n }

// Consume discards n bits; n must not exceed Buffered().
func (r *BitReader) Consume(n uint) {
	r.buf <<= n
	r.n -= n
}

// ReadBits reads n bits (n <= 32).
func (r *BitReader) ReadBits(n uint) uint32 {
	if n == 0 {
		return 0
	}
	if r.n < n {
		r.Refill()
	}
	v := uint32(r.buf >> (64 - n))
	r.Consume(n)
	return v
}

// Align discards bits up to the next word boundary.
func (r *BitReader) Align() {
	r.Consume(r.n % 16)
}

// Overrun reports whether bits from beyond the end of the data have been
// consumed.
func (r *BitReader) Overrun() bool { return r.n < r.pad }

// BytePos returns the offset in src of the first byte not yet consumed.
// It is exact only at a word boundary (after Align), and may exceed
// len(src) after an overrun.
func (r *BitReader) BytePos() int { return r.pos - int(r.n/8) }

// Seek continues reading at byte offset pos of the same data, dropping the
// buffered bits (for formats that interleave raw bytes with the words).
func (r *BitReader) Seek(pos int) {
	r.pos, r.buf, r.n, r.pad = pos, 0, 0, 0
}
