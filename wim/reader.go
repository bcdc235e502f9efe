package wim

import (
	"bufio"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// WIM is an opened WIM file. Its methods are safe for concurrent use.
type WIM struct {
	ra     io.ReaderAt
	size   int64
	closer io.Closer
	hdr    Header

	blobs    map[Hash]*WIMBlob
	blobList []*WIMBlob // table order, metadata excluded
	metas    []*WIMBlob // metadata resources in image order
	xmlRaw   []byte
	info     *WIMInfo

	poolMu sync.Mutex
	pools  map[poolKey]*sync.Pool
}

type poolKey struct {
	c  Compression
	cs int
}

// WIMBlob is a blob stored in an opened WIM. It implements Blob; the writer
// copies its compressed resource as-is when the output uses the same
// compression and chunk size.
type WIMBlob struct {
	w        *WIM
	hash     Hash
	size     int64
	refCount uint32
	res      *resource
	off      int64 // offset inside res's uncompressed data (solid blobs)
	entry    ResHdr
}

// Hash returns the blob's SHA-1.
func (b *WIMBlob) Hash() Hash { return b.hash }

// Size implements Blob.
func (b *WIMBlob) Size() int64 { return b.size }

// RefCount returns the reference count recorded in the blob table.
func (b *WIMBlob) RefCount() uint32 { return b.refCount }

// Entry returns the blob-table resource header as stored.
func (b *WIMBlob) Entry() ResHdr { return b.entry }

// Solid reports whether the blob lives in a solid resource.
func (b *WIMBlob) Solid() bool { return b.res.solid }

// Compression returns how the blob's resource is compressed.
func (b *WIMBlob) Compression() Compression {
	if b.res.solid {
		if err := b.res.init(); err != nil {
			return None
		}
	}
	return b.res.comp
}

// Open implements Blob; the reader is a *BlobReader.
func (b *WIMBlob) Open() (io.ReadCloser, error) { return b.Reader(), nil }

// Reader returns a reader with random access over the blob's bytes.
func (b *WIMBlob) Reader() *BlobReader { return newBlobReader(b.res, b.off, b.size) }

// ReuseReader returns a reader of the blob's bytes like Reader, reusing
// br's buffers (br may be nil; it must not be in use any more). Reading many
// blobs one after another through one reader allocates nothing per blob.
func (b *WIMBlob) ReuseReader(br *BlobReader) *BlobReader {
	if br == nil {
		return b.Reader()
	}
	br.reuse(b.res, b.off, b.size)
	return br
}

// Open reads the WIM in r (size bytes). It reads and checks the header,
// blob table and XML data; image metadata is read by Image.
func Open(r io.ReaderAt, size int64) (*WIM, error) {
	var hb [HeaderSize]byte
	if size < HeaderSize {
		return nil, formatErr(0, "header", ErrTruncated)
	}
	if _, err := r.ReadAt(hb[:], 0); err != nil {
		return nil, formatErr(0, "header", ioErr(err))
	}
	hdr, err := parseHeader(hb[:], size)
	if err != nil {
		return nil, err
	}
	w := &WIM{ra: r, size: size, hdr: *hdr, blobs: map[Hash]*WIMBlob{}, pools: map[poolKey]*sync.Pool{}}
	if err := w.readBlobTable(); err != nil {
		return nil, err
	}
	if err := w.readXML(); err != nil {
		return nil, err
	}
	if int(hdr.ImageCount) != len(w.metas) {
		return nil, formatErr(offImageCount, fmt.Sprintf("header says %d images, blob table has %d metadata resources", hdr.ImageCount, len(w.metas)), ErrCorrupt)
	}
	if hdr.BootIndex > hdr.ImageCount {
		return nil, formatErr(offBootIndex, fmt.Sprintf("boot index %d of %d images", hdr.BootIndex, hdr.ImageCount), ErrCorrupt)
	}
	return w, nil
}

// OpenFile opens the WIM file at path. Close releases it.
func OpenFile(path string) (*WIM, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	w, err := Open(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.closer = f
	return w, nil
}

// Close closes the file opened by OpenFile (a no-op for Open).
func (w *WIM) Close() error {
	if w.closer != nil {
		return w.closer.Close()
	}
	return nil
}

// Header returns the decoded header.
func (w *WIM) Header() Header { return w.hdr }

// Size returns the file size.
func (w *WIM) Size() int64 { return w.size }

// ImageCount returns the number of images.
func (w *WIM) ImageCount() int { return len(w.metas) }

// BootIndex returns the 1-based bootable image, 0 for none.
func (w *WIM) BootIndex() int { return int(w.hdr.BootIndex) }

// Compression returns the WIM's compression (from the header).
func (w *WIM) Compression() Compression { return w.hdr.Compression() }

// ChunkSize returns the non-solid chunk size (0 when uncompressed).
func (w *WIM) ChunkSize() int { return int(w.hdr.ChunkSize) }

// GUID returns the WIM's GUID.
func (w *WIM) GUID() [16]byte { return w.hdr.GUID }

// XML returns the raw XML data (UTF-16LE with BOM).
func (w *WIM) XML() []byte { return w.xmlRaw }

// Info returns the decoded XML data. The result must not be modified.
func (w *WIM) Info() *WIMInfo { return w.info }

// LookupBlob implements BlobSource.
func (w *WIM) LookupBlob(h Hash) Blob {
	if b, ok := w.blobs[h]; ok {
		return b
	}
	return nil
}

// Blob returns the stored blob with hash h, or nil.
func (w *WIM) Blob(h Hash) *WIMBlob { return w.blobs[h] }

// Blobs returns the file-data blobs in blob-table order (metadata excluded).
func (w *WIM) Blobs() []*WIMBlob { return w.blobList }

// MetadataBlob returns the metadata resource of image i (1-based).
func (w *WIM) MetadataBlob(i int) (*WIMBlob, error) {
	if i < 1 || i > len(w.metas) {
		return nil, fmt.Errorf("%w: %d (WIM has %d)", ErrNoImage, i, len(w.metas))
	}
	return w.metas[i-1], nil
}

// Image reads and decodes the metadata resource of image i (1-based). The
// returned image is the caller's to modify; stream sizes come from the
// blob table (0 for blobs the WIM does not contain).
func (w *WIM) Image(i int) (*Image, error) {
	mb, err := w.MetadataBlob(i)
	if err != nil {
		return nil, err
	}
	buf, err := readAllVerified(mb, MaxMetadataSize, "metadata resource")
	if err != nil {
		return nil, fmt.Errorf("image %d: %w", i, err)
	}
	img, err := parseMetadata(buf, mb.entry.Offset, func(h Hash) (int64, bool) {
		if b := w.blobs[h]; b != nil {
			return b.size, true
		}
		return 0, false
	})
	if err != nil {
		return nil, fmt.Errorf("image %d: %w", i, err)
	}
	if i <= len(w.info.Images) {
		img.Info = w.info.Images[i-1].clone()
	}
	return img, nil
}

// readAllVerified reads a whole blob (at most max bytes) and checks its SHA-1.
func readAllVerified(b *WIMBlob, max int64, what string) ([]byte, error) {
	if b.size > max {
		return nil, formatErr(b.entry.Offset, fmt.Sprintf("%s of %d bytes exceeds the %d-byte limit", what, b.size, max), ErrLimit)
	}
	buf, err := readGrowing(b.Reader(), b.size)
	if err != nil {
		return nil, err
	}
	if !b.hash.IsZero() && Hash(sha1.Sum(buf)) != b.hash {
		return nil, formatErr(b.entry.Offset, what, ErrHashMismatch)
	}
	return buf, nil
}

// readGrowing reads size bytes from r into a buffer that grows with the
// data actually decoded, so a hostile size costs memory only in proportion
// to input that really decompresses to it.
func readGrowing(r *BlobReader, size int64) ([]byte, error) {
	buf := make([]byte, 0, min(size, 1<<20))
	for int64(len(buf)) < size {
		n := min(size-int64(len(buf)), 1<<20)
		l := len(buf)
		buf = slices.Grow(buf, int(n))[:l+int(n)]
		if _, err := r.ReadAt(buf[l:], int64(l)); err != nil && err != io.EOF {
			return nil, err
		}
	}
	return buf, nil
}

func (w *WIM) readBlobTable() error {
	rh := w.hdr.BlobTable
	if rh.isZero() {
		return formatErr(offBlobTable, "missing blob table", ErrCorrupt)
	}
	tr, err := w.plainResource(rh, offBlobTable, "blob table", MaxBlobTableSize)
	if err != nil {
		return err
	}
	if rh.UncompressedSize%blobEntrySize != 0 {
		return formatErr(rh.Offset, fmt.Sprintf("blob table size %d is not a multiple of %d", rh.UncompressedSize, blobEntrySize), ErrCorrupt)
	}
	n := rh.UncompressedSize / blobEntrySize
	br := bufio.NewReaderSize(tr, 1<<16)
	var e [blobEntrySize]byte
	var run []*resource        // solid resources of the current run
	var runBlobs []*WIMBlob    // solid blobs of the current run
	var runEntryOff []int64    // their table offsets, for errors
	flushRun := func() error { // assign the run's blobs to resources
		if len(runBlobs) > 0 && len(run) == 0 {
			return formatErr(runEntryOff[0], "solid blob without a solid resource", ErrCorrupt)
		}
		var starts []int64
		var total int64
		for _, r := range run {
			if err := r.init(); err != nil {
				return err
			}
			starts = append(starts, total)
			total += r.usize
		}
		for i, b := range runBlobs {
			found := false
			for j, r := range run {
				if b.off >= starts[j] && b.off-starts[j] < r.usize && b.size <= r.usize-(b.off-starts[j]) {
					b.res, b.off, found = r, b.off-starts[j], true
					break
				}
			}
			if !found {
				return formatErr(runEntryOff[i], fmt.Sprintf("solid blob [%d, +%d) not inside one solid resource", b.off, b.size), ErrCorrupt)
			}
			w.addBlob(b)
		}
		run, runBlobs, runEntryOff = nil, nil, nil
		return nil
	}
	for i := int64(0); i < n; i++ {
		eoff := rh.Offset + i*blobEntrySize
		if _, err := io.ReadFull(br, e[:]); err != nil {
			return formatErr(eoff, "blob table entry", ioErr(err))
		}
		res := parseResHdr(e[0:24])
		part := binary.LittleEndian.Uint16(e[24:])
		ref := binary.LittleEndian.Uint32(e[26:])
		var h Hash
		copy(h[:], e[30:50])
		if part != 1 {
			continue
		}
		if res.Flags&ResFlagSolid != 0 {
			if res.Flags&ResFlagMetadata != 0 {
				return formatErr(eoff, "metadata resource in a solid resource", ErrUnsupported)
			}
			if w.hdr.Version != VersionSolid {
				return formatErr(eoff, "solid resource in a version 0x10D00 WIM", ErrCorrupt)
			}
			if res.UncompressedSize == solidResourceMarker {
				if err := checkRange(res.Offset, res.SizeInWIM, w.size); err != nil {
					return formatErr(eoff, "solid resource", err)
				}
				run = append(run, &resource{w: w, hdr: res, solid: true})
				continue
			}
			// A blob inside the run: offset/size are in uncompressed run
			// coordinates and size_in_wim is the blob size.
			if h.IsZero() || res.SizeInWIM == 0 {
				continue
			}
			runBlobs = append(runBlobs, &WIMBlob{w: w, hash: h, size: res.SizeInWIM, refCount: ref, off: res.Offset, entry: res})
			runEntryOff = append(runEntryOff, eoff)
			continue
		}
		if err := flushRun(); err != nil {
			return err
		}
		if err := checkRange(res.Offset, res.SizeInWIM, w.size); err != nil {
			return formatErr(eoff, "blob resource", err)
		}
		if res.UncompressedSize < 0 {
			return formatErr(eoff, "negative uncompressed size", ErrCorrupt)
		}
		r := &resource{w: w, hdr: res, usize: res.UncompressedSize}
		if res.Flags&ResFlagCompressed != 0 {
			r.comp = w.hdr.Compression()
			r.chunkSize = int64(w.hdr.ChunkSize)
			if r.comp == None {
				return formatErr(eoff, "compressed resource in an uncompressed WIM", ErrCorrupt)
			}
		} else if res.SizeInWIM != res.UncompressedSize {
			return formatErr(eoff, fmt.Sprintf("uncompressed resource with stored size %d != size %d", res.SizeInWIM, res.UncompressedSize), ErrCorrupt)
		}
		b := &WIMBlob{w: w, hash: h, size: res.UncompressedSize, refCount: ref, res: r, entry: res}
		if res.Flags&ResFlagMetadata != 0 {
			if ref == 0 {
				continue // superseded metadata (old WAIK images)
			}
			if len(w.metas) >= MaxImages {
				return formatErr(eoff, "too many metadata resources", ErrLimit)
			}
			w.metas = append(w.metas, b)
			continue
		}
		if h.IsZero() || b.size == 0 {
			continue
		}
		w.addBlob(b)
	}
	return flushRun()
}

func (w *WIM) addBlob(b *WIMBlob) {
	if _, dup := w.blobs[b.hash]; dup {
		return // first wins
	}
	w.blobs[b.hash] = b
	w.blobList = append(w.blobList, b)
}

// plainResource returns a reader of a non-solid resource referenced by a
// header field (blob table, XML), after checking its size against max.
func (w *WIM) plainResource(rh ResHdr, fieldOff int64, what string, max int64) (*BlobReader, error) {
	if rh.Flags&ResFlagSolid != 0 {
		return nil, formatErr(fieldOff, what+" in a solid resource", ErrUnsupported)
	}
	if rh.UncompressedSize < 0 || rh.UncompressedSize > max {
		return nil, formatErr(fieldOff, fmt.Sprintf("%s size %d exceeds %d", what, rh.UncompressedSize, max), ErrLimit)
	}
	r := &resource{w: w, hdr: rh, usize: rh.UncompressedSize}
	if rh.Flags&ResFlagCompressed != 0 {
		r.comp, r.chunkSize = w.hdr.Compression(), int64(w.hdr.ChunkSize)
		if r.comp == None {
			return nil, formatErr(fieldOff, "compressed "+what+" in an uncompressed WIM", ErrCorrupt)
		}
	} else if rh.SizeInWIM != rh.UncompressedSize {
		return nil, formatErr(fieldOff, fmt.Sprintf("uncompressed %s with stored size %d != size %d", what, rh.SizeInWIM, rh.UncompressedSize), ErrCorrupt)
	}
	return newBlobReader(r, 0, rh.UncompressedSize), nil
}

func (w *WIM) readXML() error {
	rh := w.hdr.XMLData
	if rh.isZero() {
		w.info = &WIMInfo{}
		for range w.metas {
			w.info.Images = append(w.info.Images, ImageInfo{})
		}
		return nil
	}
	xr, err := w.plainResource(rh, offXMLData, "XML data", MaxXMLSize)
	if err != nil {
		return err
	}
	buf, err := readGrowing(xr, rh.UncompressedSize)
	if err != nil {
		return err
	}
	info, err := parseXMLData(buf, rh.Offset)
	if err != nil {
		return err
	}
	if len(info.Images) != len(w.metas) {
		return formatErr(rh.Offset, fmt.Sprintf("XML describes %d images, blob table has %d", len(info.Images), len(w.metas)), ErrCorrupt)
	}
	w.xmlRaw, w.info = buf, info
	return nil
}

func (w *WIM) getDecompressor(c Compression, cs int) (Decompressor, error) {
	k := poolKey{c, cs}
	w.poolMu.Lock()
	p := w.pools[k]
	if p == nil {
		p = &sync.Pool{}
		w.pools[k] = p
	}
	w.poolMu.Unlock()
	if d, ok := p.Get().(Decompressor); ok {
		return d, nil
	}
	return newDecompressor(c, cs)
}

func (w *WIM) putDecompressor(c Compression, cs int, d Decompressor) {
	w.poolMu.Lock()
	p := w.pools[poolKey{c, cs}]
	w.poolMu.Unlock()
	p.Put(d)
}

// ReadOrder returns the hashes sorted by where their data is stored
// (resource offset, then offset inside a solid resource); hashes not in
// the WIM go last in their original order. Reading blobs in this order is
// sequential, and for solid resources decompresses each chunk once.
func (w *WIM) ReadOrder(hs []Hash) []Hash {
	out := slices.Clone(hs)
	key := func(h Hash) (int64, int64) {
		b := w.blobs[h]
		if b == nil {
			return 1<<63 - 1, 0
		}
		return b.res.hdr.Offset, b.off
	}
	slices.SortStableFunc(out, func(a, b Hash) int {
		ra, oa := key(a)
		rb, ob := key(b)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		if oa < ob {
			return -1
		} else if oa > ob {
			return 1
		}
		return 0
	})
	return out
}
