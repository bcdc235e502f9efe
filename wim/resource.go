package wim

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
)

// resource is one stored resource: either a non-solid resource holding one
// blob (uncompressed, or a chunk table followed by chunks), or a solid
// resource holding the concatenated data of several blobs.
//
// Non-solid compressed layout (ResHdr.Offset points here):
//
//	u32|u64 offsets of chunks 1..N-1, relative to the end of this table
//	        (u64 when the uncompressed size exceeds 0xFFFFFFFF)
//	chunk 0 | chunk 1 | ... | chunk N-1   (a chunk stored with its full
//	                                       uncompressed size is raw)
//
// Solid layout:
//
//	u64 uncompressed size | u32 chunk size | u32 compression
//	u32 stored size of chunks 0..N-1
//	chunk 0 | ... | chunk N-1
type resource struct {
	w         *WIM
	hdr       ResHdr      // location in the file
	comp      Compression // None when stored uncompressed
	chunkSize int64
	usize     int64 // uncompressed size
	solid     bool

	once     sync.Once
	initErr  error
	dataOff  int64   // file offset of chunk 0
	chunkOff []int64 // solid: offsets of chunks relative to dataOff, len N+1

	// A solid resource shares one decompressed chunk among its readers
	// (blobs of a solid resource are usually read in order).
	mu       sync.Mutex
	cacheIdx int64
	cache    []byte
}

func (r *resource) numChunks() int64 {
	if r.chunkSize == 0 {
		return 1
	}
	return (r.usize + r.chunkSize - 1) / r.chunkSize
}

// chunkLen returns the uncompressed length of chunk k.
func (r *resource) chunkLen(k int64) int64 {
	if r.comp == None {
		return r.usize
	}
	if k == r.numChunks()-1 {
		return r.usize - k*r.chunkSize
	}
	return r.chunkSize
}

// init reads the solid header and chunk size table (solid) or computes the
// chunk table geometry (non-solid). It validates everything against the
// resource size.
func (r *resource) init() error {
	r.once.Do(func() { r.initErr = r.doInit() })
	return r.initErr
}

func (r *resource) doInit() error {
	r.cacheIdx = -1
	if !r.solid {
		if r.comp == None {
			r.dataOff = r.hdr.Offset
			return nil
		}
		n := r.numChunks()
		width := int64(4)
		if r.usize > 0xFFFFFFFF {
			width = 8
		}
		tbl := (n - 1) * width
		if n < 1 || tbl >= r.hdr.SizeInWIM {
			return formatErr(r.hdr.Offset, fmt.Sprintf("chunk table of %d entries does not fit the %d-byte resource", n-1, r.hdr.SizeInWIM), ErrCorrupt)
		}
		r.dataOff = r.hdr.Offset + tbl
		return nil
	}
	var h [solidHeaderSize]byte
	if r.hdr.SizeInWIM < solidHeaderSize {
		return formatErr(r.hdr.Offset, "solid resource header", ErrTruncated)
	}
	if _, err := r.w.ra.ReadAt(h[:], r.hdr.Offset); err != nil {
		return formatErr(r.hdr.Offset, "solid resource header", ioErr(err))
	}
	usize := int64(binary.LittleEndian.Uint64(h[0:]))
	cs := int64(binary.LittleEndian.Uint32(h[8:]))
	format := binary.LittleEndian.Uint32(h[12:])
	if usize < 0 {
		return formatErr(r.hdr.Offset, fmt.Sprintf("solid resource size %d", usize), ErrCorrupt)
	}
	if cs < minChunkSize || cs > MaxSolidChunkSize || cs&(cs-1) != 0 {
		return formatErr(r.hdr.Offset+8, fmt.Sprintf("solid chunk size %d", cs), ErrUnsupported)
	}
	if format > uint32(LZMS) {
		return formatErr(r.hdr.Offset+12, fmt.Sprintf("solid compression format %d", format), ErrUnsupported)
	}
	r.usize, r.chunkSize, r.comp = usize, cs, Compression(format)
	n := r.numChunks()
	if n*4 > r.hdr.SizeInWIM-solidHeaderSize {
		return formatErr(r.hdr.Offset, fmt.Sprintf("solid chunk table of %d entries does not fit the %d-byte resource", n, r.hdr.SizeInWIM), ErrCorrupt)
	}
	tbl := make([]byte, n*4)
	if _, err := r.w.ra.ReadAt(tbl, r.hdr.Offset+solidHeaderSize); err != nil {
		return formatErr(r.hdr.Offset+solidHeaderSize, "solid chunk table", ioErr(err))
	}
	r.dataOff = r.hdr.Offset + solidHeaderSize + n*4
	avail := r.hdr.Offset + r.hdr.SizeInWIM - r.dataOff
	r.chunkOff = make([]int64, n+1)
	for k := int64(0); k < n; k++ {
		sz := int64(binary.LittleEndian.Uint32(tbl[4*k:]))
		if sz == 0 || sz > r.chunkLen(k) || (r.comp == None && sz != r.chunkLen(k)) {
			return formatErr(r.hdr.Offset+solidHeaderSize+4*k, fmt.Sprintf("solid chunk %d stored size %d (uncompressed %d)", k, sz, r.chunkLen(k)), ErrCorrupt)
		}
		r.chunkOff[k+1] = r.chunkOff[k] + sz
		if r.chunkOff[k+1] > avail {
			return formatErr(r.hdr.Offset+solidHeaderSize+4*k, "solid chunks overrun the resource", ErrCorrupt)
		}
	}
	return nil
}

// chunkBounds returns the file offset and stored size of chunk k. tbl is
// a caller-owned cache of non-solid chunk table entries.
func (r *resource) chunkBounds(k int64, tbl *chunkTableCache) (int64, int64, error) {
	if r.comp == None {
		return r.dataOff, r.usize, nil
	}
	if r.solid {
		return r.dataOff + r.chunkOff[k], r.chunkOff[k+1] - r.chunkOff[k], nil
	}
	n := r.numChunks()
	end := r.hdr.Offset + r.hdr.SizeInWIM - r.dataOff
	var start, stop int64
	var err error
	if k > 0 {
		if start, err = tbl.entry(r, k-1); err != nil {
			return 0, 0, err
		}
	}
	stop = end
	if k < n-1 {
		if stop, err = tbl.entry(r, k); err != nil {
			return 0, 0, err
		}
	}
	if start < 0 || stop <= start || stop > end || stop-start > r.chunkLen(k) {
		return 0, 0, formatErr(r.hdr.Offset, fmt.Sprintf("chunk table: chunk %d spans [%d, %d) of %d bytes (uncompressed %d)", k, start, stop, end, r.chunkLen(k)), ErrCorrupt)
	}
	return r.dataOff + start, stop - start, nil
}

// checkChunks checks the resource's layout without decompressing it: the
// chunk table fits, and every chunk lies inside the resource, after the one
// before, no larger than its uncompressed length. Raw copies run it, so a
// damaged source is refused instead of copied into a new WIM.
func (r *resource) checkChunks() error {
	if err := r.init(); err != nil {
		return err
	}
	if r.solid || r.comp == None {
		return nil // solid: init checked the table; stored: nothing to check
	}
	var tbl chunkTableCache
	for k := int64(0); k < r.numChunks(); k++ {
		if _, _, err := r.chunkBounds(k, &tbl); err != nil {
			return err
		}
	}
	return nil
}

// chunkTableCache holds a window of a non-solid chunk table.
type chunkTableCache struct {
	first int64 // index of the first cached entry
	ents  []int64
	buf   []byte
}

const chunkTableWindow = 1024

func (c *chunkTableCache) entry(r *resource, i int64) (int64, error) {
	if i >= c.first && i < c.first+int64(len(c.ents)) {
		return c.ents[i-c.first], nil
	}
	width := int64(4)
	if r.usize > 0xFFFFFFFF {
		width = 8
	}
	total := r.numChunks() - 1
	first := i
	if first > 0 {
		first-- // keep the previous entry too: chunk k needs k-1 and k
	}
	cnt := min(int64(chunkTableWindow), total-first)
	if cap(c.buf) < int(cnt*width) {
		c.buf = make([]byte, cnt*width)
	}
	b := c.buf[:cnt*width]
	if _, err := r.w.ra.ReadAt(b, r.hdr.Offset+first*width); err != nil {
		return 0, formatErr(r.hdr.Offset+first*width, "chunk table", ioErr(err))
	}
	c.ents = c.ents[:0]
	for j := int64(0); j < cnt; j++ {
		var v int64
		if width == 4 {
			v = int64(binary.LittleEndian.Uint32(b[4*j:]))
		} else {
			v = int64(binary.LittleEndian.Uint64(b[8*j:]))
		}
		c.ents = append(c.ents, v)
	}
	c.first = first
	return c.ents[i-first], nil
}

// readChunk reads chunk k into dst (len = chunkLen(k)), decompressing, and
// returns the chunk as stored: dst itself when it is stored raw, else its
// compressed bytes (in *scratch, valid until the next call).
func (r *resource) readChunk(k int64, dst []byte, tbl *chunkTableCache, scratch *[]byte) ([]byte, error) {
	off, stored, err := r.chunkBounds(k, tbl)
	if err != nil {
		return nil, err
	}
	if stored == int64(len(dst)) {
		if _, err := r.w.ra.ReadAt(dst, off); err != nil {
			return nil, formatErr(off, fmt.Sprintf("chunk %d", k), ioErr(err))
		}
		return dst, nil
	}
	if cap(*scratch) < int(stored) {
		*scratch = make([]byte, stored)
	}
	src := (*scratch)[:stored]
	if _, err := r.w.ra.ReadAt(src, off); err != nil {
		return nil, formatErr(off, fmt.Sprintf("chunk %d", k), ioErr(err))
	}
	d, err := r.w.getDecompressor(r.comp, int(r.chunkSize))
	if err != nil {
		return nil, err
	}
	err = d.Decompress(dst, src)
	r.w.putDecompressor(r.comp, int(r.chunkSize), d)
	if err != nil {
		return nil, formatErr(off, fmt.Sprintf("%v chunk %d", r.comp, k), fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	return src, nil
}

func ioErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	return err
}

// BlobReader reads the uncompressed bytes of a blob stored in a WIM. It
// decompresses one chunk at a time (random access through the chunk table)
// and implements io.Reader, io.ReaderAt, io.Seeker and io.WriterTo.
type BlobReader struct {
	res  *resource
	base int64 // offset of the blob inside the resource's uncompressed data
	size int64
	pos  int64

	tbl      chunkTableCache
	chunkIdx int64
	chunk    []byte
	scratch  []byte
}

func newBlobReader(res *resource, base, size int64) *BlobReader {
	return &BlobReader{res: res, base: base, size: size, chunkIdx: -1}
}

// reuse points br at another blob, keeping its buffers. A blob of the
// same resource keeps the decompressed chunk too (the next blob of a solid
// resource usually starts in the chunk the previous one ended in; chunks
// of solid resources are up to 64 MiB).
func (br *BlobReader) reuse(res *resource, base, size int64) {
	if res != br.res {
		br.chunkIdx = -1
		br.tbl.ents, br.tbl.first = br.tbl.ents[:0], 0
	}
	br.res, br.base, br.size, br.pos = res, base, size, 0
}

// Size returns the blob's uncompressed size.
func (br *BlobReader) Size() int64 { return br.size }

// Read implements io.Reader.
func (br *BlobReader) Read(p []byte) (int, error) {
	if br.pos >= br.size {
		return 0, io.EOF
	}
	n, err := br.ReadAt(p, br.pos)
	br.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek implements io.Seeker.
func (br *BlobReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += br.pos
	case io.SeekEnd:
		off += br.size
	}
	if off < 0 {
		return 0, fmt.Errorf("wim: negative seek position")
	}
	br.pos = off
	return off, nil
}

// Close releases the reader's buffers.
func (br *BlobReader) Close() error {
	br.chunk, br.scratch, br.chunkIdx = nil, nil, -1
	return nil
}

// ReadAt implements io.ReaderAt.
func (br *BlobReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("wim: negative offset")
	}
	if err := br.res.init(); err != nil {
		return 0, err
	}
	if br.res.comp == None {
		// Uncompressed: read straight from the file.
		if off >= br.size {
			return 0, io.EOF
		}
		m := min(int64(len(p)), br.size-off)
		if _, err := br.res.w.ra.ReadAt(p[:m], br.res.dataOff+br.base+off); err != nil {
			return 0, formatErr(br.res.dataOff+br.base+off, "resource data", ioErr(err))
		}
		if m < int64(len(p)) {
			return int(m), io.EOF
		}
		return int(m), nil
	}
	n := 0
	for len(p) > 0 && off < br.size {
		if !br.res.solid && br.base == 0 && off%br.res.chunkSize == 0 {
			// A whole chunk that fits in p is decompressed straight
			// into it (a non-solid blob is its resource: base is 0).
			k := off / br.res.chunkSize
			if cl := br.res.chunkLen(k); int64(len(p)) >= cl && off+cl <= br.size && k != br.chunkIdx {
				if _, err := br.res.readChunk(k, p[:cl], &br.tbl, &br.scratch); err != nil {
					return n, err
				}
				p = p[cl:]
				n += int(cl)
				off += cl
				continue
			}
		}
		data, start, err := br.chunkAt(br.base + off)
		if err != nil {
			return n, err
		}
		c := copy(p, data[br.base+off-start:])
		if rem := br.size - off; int64(c) > rem {
			c = int(rem)
		}
		p = p[c:]
		n += c
		off += int64(c)
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// chunkAt returns the decompressed chunk holding resource offset uoff and
// the chunk's start offset.
func (br *BlobReader) chunkAt(uoff int64) ([]byte, int64, error) {
	r := br.res
	k := uoff / r.chunkSize
	start := k * r.chunkSize
	if k == br.chunkIdx {
		return br.chunk, start, nil
	}
	n := r.chunkLen(k)
	if cap(br.chunk) < int(n) {
		br.chunk = make([]byte, n)
	}
	br.chunk = br.chunk[:n]
	br.chunkIdx = -1
	if r.solid {
		r.mu.Lock()
		if r.cacheIdx == k {
			copy(br.chunk, r.cache)
			r.mu.Unlock()
			br.chunkIdx = k
			return br.chunk, start, nil
		}
		r.mu.Unlock()
	}
	if _, err := r.readChunk(k, br.chunk, &br.tbl, &br.scratch); err != nil {
		return nil, 0, err
	}
	br.chunkIdx = k
	if r.solid {
		r.mu.Lock()
		r.cache = append(r.cache[:0], br.chunk...)
		r.cacheIdx = k
		r.mu.Unlock()
	}
	return br.chunk, start, nil
}

// WriteTo implements io.WriterTo.
func (br *BlobReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	buf := make([]byte, 1<<16)
	for br.pos < br.size {
		n, err := br.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err != nil {
			if err == io.EOF {
				break
			}
			return total, err
		}
	}
	return total, nil
}
