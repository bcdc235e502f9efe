package wim

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wimbuild/wimbuild/internal/progress"
)

// Output is where Write puts a WIM. *os.File implements it. Write fills
// [0, n) and may read back what it wrote (integrity table); bytes past n
// are left alone, so reuse a file only after truncating it (WriteFile does).
type Output interface {
	io.WriterAt
	io.ReaderAt
}

// WriteOptions control Write. The zero value writes an uncompressed WIM.
type WriteOptions struct {
	Compression Compression
	// ChunkSize of non-solid resources; 0 = 32768 (131072 for LZMS).
	ChunkSize int
	// Level is the codec's compression level; 0 = codec default.
	Level int
	// Threads compressing chunks; 0 = runtime.NumCPU().
	Threads int
	// Solid puts all file data in one solid resource compressed with
	// SolidCompression (default LZMS) in SolidChunkSize chunks (default
	// 64 MiB). The WIM gets version 0xE00.
	Solid            bool
	SolidCompression Compression
	SolidChunkSize   int
	// Integrity appends an integrity table (SHA-1 of 10 MiB pieces of
	// [208, end of blob table)).
	Integrity bool
	// BootIndex is the 1-based bootable image (0 = none).
	BootIndex int
	// GUID of the WIM; zero = derived from the content (SHA-256 of the
	// blob table and XML data), so identical inputs give identical files.
	GUID [16]byte
	// RPFix sets the header's RP_FIX flag (reparse points were fixed up
	// on capture; wimlib sets it by default).
	RPFix bool
	// Time is a FILETIME used as LASTMODIFICATIONTIME of every image and
	// as CREATIONTIME of images that have none. 0 keeps the images' times.
	Time uint64
	// Progress receives the number of uncompressed bytes written.
	Progress progress.Reporter
	// Digest, when set, is fed the whole output in order (e.g. a SHA-256
	// for a content-addressed store). When the new bytes of the WIM fit
	// in memory (a rebuild that copies most resources raw), Write lays
	// the file out first, then writes and hashes it at the same time;
	// otherwise it reads the finished file back.
	Digest hash.Hash
	// Sync flushes the output to stable storage (when it has a Sync
	// method, like *os.File) before Write returns; with Digest the flush
	// overlaps the hashing.
	Sync bool
	// Cancel, when closed, makes Write stop at the next chunk and return
	// ErrCanceled (e.g. a context's Done channel). The output is then
	// incomplete; the caller discards it.
	Cancel <-chan struct{}
	// Reuse lists earlier outputs (e.g. the previous build of the same
	// image) whose metadata resources lend their stored chunks: a chunk
	// of a new metadata resource whose bytes equal a chunk of theirs,
	// written with the same compression and chunk size, is copied
	// instead of compressed again. A rebuild that changes a few files
	// changes a few metadata chunks, so it compresses only those. A lent
	// chunk is used only for exactly the bytes it decompresses to, so the
	// WIM is always correct; when the earlier outputs were written by this
	// package with the same Level, it is also byte-identical to a write
	// without Reuse (compression is deterministic). Chunks lent by another
	// writer's WIM are valid but make the bytes differ.
	Reuse []*WIM
}

// ImageSource is one image to write and where its blobs come from.
type ImageSource struct {
	Image *Image
	Blobs BlobSource
}

// wblob is one unique blob of the output.
type wblob struct {
	hash    Hash
	pending bool // hash computed while writing
	size    int64
	src     Blob
	refs    uint32
	raw     *WIMBlob // copy this stored resource as-is
	plain   bool     // store uncompressed in a compressed WIM (NoCompress)
	hdr     ResHdr   // where it was written

	copyRes *resource // solid resource copied as-is that holds this blob
	copyOff int64     // offset of the blob inside copyRes

	name string // file name of its first use (orders solid resources)
}

type writer struct {
	opts   WriteOptions
	out    *outBuf
	comp   Compression
	cs     int64
	blobs  []*wblob
	byHash map[Hash]*wblob
	byStrm map[*Stream]*wblob
	prog   progress.Reporter

	solidRes ResHdr // the new solid resource, when opts.Solid

	// Solid resources of source WIMs copied as-is (all their blobs are
	// in the output and their format matches): resource entries in run
	// order, and the run offset where newly compressed data starts.
	solidCopies []*resource
	copiedRes   []ResHdr
	runBase     int64
}

// Write writes a new WIM holding images (in order, image 1 first) to out and
// returns its size. Layout:
//
//	header (written last: a zero placeholder is replaced at the end)
//	file blobs (raw copies and compressed chunks, in first-use order)
//	metadata resources (one per image)
//	blob table | XML data | [integrity table]
//
// Blobs are de-duplicated by SHA-1 across images; reference counts count
// names (dentries). Streams with Pending content are hashed while they are
// compressed; when their size equals another blob's they are hashed first
// so identical content is still stored once. A blob from a source WIM with
// the same compression and chunk size is copied without recompression.
func Write(out Output, images []ImageSource, opts WriteOptions) (int64, error) {
	w, err := newWriter(out, opts)
	if err != nil {
		return 0, err
	}
	return w.write(images)
}

// WriteFile writes a WIM to path through a temporary file in the same
// directory, renamed over path when complete (so path may be one of the
// inputs on systems that allow renaming over an open file).
func WriteFile(path string, images []ImageSource, opts WriteOptions) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	opts.Sync = true // writeback starts while the file is written
	n, err := Write(f, images, opts)
	if err != nil {
		return fail(err)
	}
	if err := f.Truncate(n); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func newWriter(out Output, opts WriteOptions) (*writer, error) {
	if opts.Threads <= 0 {
		opts.Threads = runtime.NumCPU()
	}
	if opts.ChunkSize == 0 {
		opts.ChunkSize = DefaultChunkSize
		if opts.Compression == LZMS {
			opts.ChunkSize = DefaultLZMSChunkSize
		}
	}
	if opts.Compression == None {
		opts.ChunkSize = 0
	} else {
		if err := opts.Compression.validChunkSize(opts.ChunkSize, false); err != nil {
			return nil, err
		}
		if !CompressorAvailable(opts.Compression) {
			return nil, fmt.Errorf("%w: compression %v not available for writing", ErrCodec, opts.Compression)
		}
	}
	if opts.Solid {
		if opts.SolidCompression == None {
			opts.SolidCompression = LZMS
		}
		if opts.SolidChunkSize == 0 {
			opts.SolidChunkSize = DefaultSolidChunk
		}
		if err := opts.SolidCompression.validChunkSize(opts.SolidChunkSize, true); err != nil {
			return nil, err
		}
		if !CompressorAvailable(opts.SolidCompression) {
			return nil, fmt.Errorf("%w: solid compression %v not available for writing", ErrCodec, opts.SolidCompression)
		}
	}
	return &writer{
		opts:   opts,
		out:    &outBuf{out: out},
		comp:   opts.Compression,
		cs:     int64(opts.ChunkSize),
		byHash: map[Hash]*wblob{},
		byStrm: map[*Stream]*wblob{},
		prog:   progress.Or(opts.Progress),
	}, nil
}

func (w *writer) write(images []ImageSource) (int64, error) {
	if len(images) == 0 {
		return 0, fmt.Errorf("wim: nothing to write (no images)")
	}
	if len(images) > MaxImages {
		return 0, fmt.Errorf("%w: %d images", ErrLimit, len(images))
	}
	if w.opts.BootIndex < 0 || w.opts.BootIndex > len(images) {
		return 0, fmt.Errorf("%w: boot index %d of %d images", ErrNoImage, w.opts.BootIndex, len(images))
	}
	if err := w.collect(images); err != nil {
		return 0, err
	}
	if err := w.prehash(); err != nil {
		return 0, err
	}
	w.sortBlobs()
	if w.opts.Solid {
		w.planSolidCopies()
	}
	// Metadata resources need every stream's hash. When none is left to
	// compute while writing (a rebuild of hashed content), encode and
	// compress them now, beside the blob copies, rather than after.
	early := true
	for _, b := range w.blobs {
		if b.pending {
			early = false
			break
		}
	}
	var metaCh chan []preparedMeta
	if early {
		metaCh = make(chan []preparedMeta, 1)
		go func() { metaCh <- w.prepareMetadata(images) }()
	}
	// With a digest to feed, record the layout first (raw copies as
	// references, new bytes in memory) so the header is known before any
	// byte is written and the file can be hashed while it is written.
	// The integrity table reads the written file back, so it writes
	// directly.
	w.out.plan = w.opts.Digest != nil && !w.opts.Integrity
	w.out.ahead = w.opts.Sync
	// Header placeholder.
	w.out.write(make([]byte, HeaderSize))
	var total int64
	for _, b := range w.blobs {
		total += b.size
	}
	w.prog.Begin("writing WIM", total)
	err := w.writeBlobs()
	w.prog.End()
	var prepared []preparedMeta
	if metaCh != nil {
		prepared = <-metaCh // always drained, so the goroutine never leaks
	}
	if err != nil {
		return 0, err
	}
	if prepared == nil {
		prepared = w.prepareMetadata(images)
	}
	// Metadata resources.
	var metas []ResHdr
	var metaHashes []Hash
	infos := &WIMInfo{}
	for i, is := range images {
		pm := prepared[i]
		if pm.err != nil {
			return 0, pm.err
		}
		var rh ResHdr
		if src := pm.raw; src != nil {
			// Unchanged image: copy the stored metadata resource.
			rh = ResHdr{SizeInWIM: src.entry.SizeInWIM, Flags: src.entry.Flags, Offset: w.out.pos, UncompressedSize: src.size}
			if err := w.out.copyFrom(src.w.ra, src.entry.Offset, src.entry.SizeInWIM); err != nil {
				return 0, err // an earlier copy's failure (copies settle later)
			}
		} else {
			rh = w.writeMetadata(pm)
			if w.out.err != nil {
				return 0, w.out.err
			}
		}
		metas = append(metas, rh)
		metaHashes = append(metaHashes, pm.hash)
		ii := is.Image.Info.clone()
		ii.Stats = is.Image.Stats()
		if w.opts.Time != 0 {
			ii.LastModificationTime = w.opts.Time
			if ii.CreationTime == 0 {
				ii.CreationTime = w.opts.Time
			}
		}
		infos.Images = append(infos.Images, ii)
	}
	// Blob table: metadata entries first (their order defines image
	// indices), then blobs in file order.
	var tbl []byte
	entry := func(rh ResHdr, ref uint32, h Hash) {
		var e [blobEntrySize]byte
		rh.put(e[:])
		binary.LittleEndian.PutUint16(e[24:], 1)
		binary.LittleEndian.PutUint32(e[26:], ref)
		copy(e[30:], h[:])
		tbl = append(tbl, e[:]...)
	}
	for i, rh := range metas {
		entry(rh, 1, metaHashes[i])
	}
	for _, rh := range w.copiedRes {
		entry(rh, 1, Hash{})
	}
	if w.opts.Solid && !w.solidRes.isZero() {
		entry(w.solidRes, 1, Hash{})
	}
	for _, b := range w.blobs {
		entry(b.hdr, b.refs, b.hash)
	}
	if int64(len(tbl)) > MaxBlobTableSize {
		return 0, fmt.Errorf("%w: blob table of %d bytes", ErrLimit, len(tbl))
	}
	tblHdr := ResHdr{SizeInWIM: int64(len(tbl)), Flags: ResFlagMetadata, Offset: w.out.pos, UncompressedSize: int64(len(tbl))}
	w.out.write(tbl)
	// XML data: TOTALBYTES is the XML's offset.
	infos.TotalBytes = w.out.pos
	xmlData := encodeXMLData(infos)
	if int64(len(xmlData)) > MaxXMLSize {
		return 0, fmt.Errorf("%w: XML data of %d bytes", ErrLimit, len(xmlData))
	}
	xmlHdr := ResHdr{SizeInWIM: int64(len(xmlData)), Flags: ResFlagMetadata, Offset: w.out.pos, UncompressedSize: int64(len(xmlData))}
	w.out.write(xmlData)
	if err := w.out.flush(); err != nil {
		return 0, err
	}
	var integ ResHdr
	if w.opts.Integrity {
		it, err := buildIntegrity(w.out.out, HeaderSize, tblHdr.Offset+tblHdr.SizeInWIM, defaultIntegrityUnit)
		if err != nil {
			return 0, err
		}
		integ = ResHdr{SizeInWIM: int64(len(it)), Offset: w.out.pos, UncompressedSize: int64(len(it))}
		w.out.write(it)
		if err := w.out.flush(); err != nil {
			return 0, err
		}
	}
	end := w.out.pos

	hdr := Header{
		Version:    VersionDefault,
		Flags:      w.comp.hdrFlag(),
		ChunkSize:  uint32(w.cs),
		PartNumber: 1,
		TotalParts: 1,
		ImageCount: uint32(len(images)),
		BlobTable:  tblHdr,
		XMLData:    xmlHdr,
		BootIndex:  uint32(w.opts.BootIndex),
		Integrity:  integ,
	}
	if w.comp == LZMS || w.opts.Solid {
		hdr.Version = VersionSolid
	}
	if w.opts.RPFix {
		hdr.Flags |= HdrFlagRPFix
	}
	if w.opts.BootIndex > 0 {
		hdr.BootMeta = metas[w.opts.BootIndex-1]
	}
	hdr.GUID = w.opts.GUID
	if hdr.GUID == ([16]byte{}) {
		d := sha256.New()
		d.Write([]byte("wimbuild GUID v1\x00"))
		d.Write(tbl)
		d.Write(xmlData)
		copy(hdr.GUID[:], d.Sum(nil))
	}
	var hb [HeaderSize]byte
	hdr.put(hb[:])
	if w.out.plan {
		w.out.patch(0, hb[:])
		if err := w.out.emit(w.opts.Digest, w.opts.Sync); err != nil {
			return 0, err
		}
		return end, nil
	}
	if _, err := w.out.out.WriteAt(hb[:], 0); err != nil {
		return 0, err
	}
	if err := finishOutput(w.out.out, end, w.opts.Digest, w.opts.Sync); err != nil {
		return 0, err
	}
	return end, nil
}

// finishOutput syncs a directly written output when asked and feeds the
// digest by reading the file back, both at once.
func finishOutput(out Output, end int64, d hash.Hash, doSync bool) error {
	synced := make(chan error, 1)
	if doSync {
		go func() { synced <- syncOutput(out) }()
	} else {
		synced <- nil
	}
	var err error
	if d != nil {
		_, err = io.CopyBuffer(d, io.NewSectionReader(out, 0, end), make([]byte, 1<<20))
	}
	if serr := <-synced; err == nil {
		err = serr
	}
	return err
}

// syncOutput flushes out to stable storage when it can be.
func syncOutput(out Output) error {
	if s, ok := out.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

// streamsOf returns pointers to the streams of in that are written.
func streamsOf(in *Inode) []*Stream {
	var s []*Stream
	eachStream(in, func(st *Stream) error {
		s = append(s, st)
		return nil
	})
	return s
}

// eachStream calls f with each stream of in that is written (reparse
// data, unnamed data of a non-directory, named streams), stopping at the
// first error. Unlike streamsOf it allocates nothing.
func eachStream(in *Inode, f func(*Stream) error) error {
	if in.IsReparse() {
		if err := f(&in.Reparse); err != nil {
			return err
		}
	}
	if !in.IsDir() {
		if err := f(&in.Data); err != nil {
			return err
		}
	}
	for i := range in.Named {
		if err := f(&in.Named[i]); err != nil {
			return err
		}
	}
	return nil
}

// collect finds the unique blobs referenced by the images.
func (w *writer) collect(images []ImageSource) error {
	for i, is := range images {
		if is.Image == nil || is.Image.Root == nil {
			return fmt.Errorf("wim: image %d is empty", i+1)
		}
		err := is.Image.Walk(func(path string, d *Dentry) error {
			if d.Inode == nil {
				return fmt.Errorf("wim: image %d: %s has no inode", i+1, path)
			}
			for _, s := range streamsOf(d.Inode) {
				if s.Size < 0 {
					return fmt.Errorf("wim: image %d: %s: negative stream size", i+1, path)
				}
				if s.Pending() {
					b := w.byStrm[s]
					if b == nil {
						b = &wblob{pending: true, size: s.Size, src: s.Data, plain: wantsPlain(s.Data), name: d.Name}
						w.byStrm[s] = b
						w.blobs = append(w.blobs, b)
					}
					b.refs++
					continue
				}
				if s.Hash.IsZero() {
					if s.Size != 0 {
						return fmt.Errorf("wim: image %d: %s: stream %q has %d bytes but no hash or data", i+1, path, s.Name, s.Size)
					}
					continue
				}
				b := w.byHash[s.Hash]
				if b == nil {
					var src Blob
					if is.Blobs != nil {
						src = is.Blobs.LookupBlob(s.Hash)
					}
					if src == nil {
						src = s.Data
					}
					if src == nil {
						return fmt.Errorf("%w: image %d: %s: stream %q blob %s", ErrBlobMissing, i+1, path, s.Name, s.Hash)
					}
					if src.Size() != s.Size {
						return fmt.Errorf("wim: image %d: %s: stream %q is %d bytes but its blob %s has %d", i+1, path, s.Name, s.Size, s.Hash, src.Size())
					}
					b = &wblob{hash: s.Hash, size: s.Size, src: src, plain: wantsPlain(src), name: d.Name}
					if wb, ok := src.(*WIMBlob); ok {
						b.raw = wb
					}
					w.byHash[s.Hash] = b
					w.blobs = append(w.blobs, b)
				}
				b.refs++
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// prehash hashes pending blobs whose size equals another blob's, merging
// duplicates. Pending blobs of unique size cannot equal any other blob and
// are hashed while they are compressed.
func (w *writer) prehash() error {
	sizes := map[int64]int{}
	for _, b := range w.blobs {
		sizes[b.size]++
	}
	merged := map[*wblob]*wblob{}
	for _, b := range w.blobs {
		if !b.pending || sizes[b.size] < 2 {
			continue
		}
		rc, err := b.src.Open()
		if err != nil {
			return err
		}
		h, n, err := HashReader(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if n != b.size {
			return fmt.Errorf("wim: blob source gave %d bytes, want %d", n, b.size)
		}
		b.hash, b.pending = h, false
		if o := w.byHash[h]; o != nil {
			o.refs += b.refs
			merged[b] = o
			continue
		}
		w.byHash[h] = b
	}
	if len(merged) == 0 {
		return nil
	}
	kept := w.blobs[:0]
	for _, b := range w.blobs {
		if merged[b] == nil {
			kept = append(kept, b)
		}
	}
	w.blobs = kept
	for s, b := range w.byStrm {
		if o := merged[b]; o != nil {
			w.byStrm[s] = o
		}
	}
	return nil
}

// sortBlobs orders the output: blobs stored in source WIMs first, grouped
// by WIM (in order of first use) and in their storage order there, so
// sources are read sequentially and each solid chunk is decompressed once;
// then all other blobs in first-use order. The order only depends on the
// inputs, so output stays reproducible.
func (w *writer) sortBlobs() {
	group := map[*WIM]int{}
	type key struct {
		g        int
		res, off int64
	}
	keys := make(map[*wblob]key, len(w.blobs))
	var solidKeys map[*wblob]solidKey
	if w.opts.Solid {
		solidKeys = make(map[*wblob]solidKey, len(w.blobs))
		for _, b := range w.blobs {
			solidKeys[b] = solidKeyOf(b.name)
		}
	}
	for _, b := range w.blobs {
		k := key{g: 1 << 30}
		if wb, ok := b.src.(*WIMBlob); ok {
			g, seen := group[wb.w]
			if !seen {
				g = len(group)
				group[wb.w] = g
			}
			k = key{g, wb.res.hdr.Offset, wb.off}
		}
		keys[b] = k
	}
	slices.SortStableFunc(w.blobs, func(a, b *wblob) int {
		ka, kb := keys[a], keys[b]
		switch {
		case ka.g != kb.g:
			return ka.g - kb.g
		case ka.res != kb.res:
			if ka.res < kb.res {
				return -1
			}
			return 1
		case ka.off < kb.off:
			return -1
		case ka.off > kb.off:
			return 1
		case solidKeys != nil && ka.g == 1<<30:
			return solidKeys[a].compare(solidKeys[b])
		}
		return 0
	})
}

// solidKey orders new blobs of a solid resource so that similar content
// sits together inside the big LZMS window: names without an extension
// first, then by extension, then by name, ignoring case (ties keep
// first-use order). On a typical tree this shrinks the solid resource by
// several percent against path order.
type solidKey struct {
	ext  bool
	e, n string
}

func solidKeyOf(name string) solidKey {
	n := strings.ToLower(name)
	if i := strings.LastIndexByte(n, '.'); i >= 0 {
		return solidKey{ext: true, e: n[i+1:], n: n}
	}
	return solidKey{n: n}
}

func (a solidKey) compare(b solidKey) int {
	switch {
	case a.ext != b.ext:
		if !a.ext {
			return -1
		}
		return 1
	case a.e != b.e:
		return strings.Compare(a.e, b.e)
	}
	return strings.Compare(a.n, b.n)
}

// planSolidCopies finds source solid resources that can be copied as-is:
// same compression and chunk size as the output's solid resources, and
// every blob they hold is part of the output.
func (w *writer) planSolidCopies() {
	var order []*resource
	seen := map[*resource]bool{}
	for _, b := range w.blobs {
		wb, ok := b.src.(*WIMBlob)
		if !ok || !wb.res.solid || seen[wb.res] {
			continue
		}
		seen[wb.res] = true
		r := wb.res
		if r.init() != nil || r.comp != w.opts.SolidCompression || r.chunkSize != int64(w.opts.SolidChunkSize) {
			continue
		}
		order = append(order, r)
	}
	for _, r := range order {
		var held []*WIMBlob
		ok := true
		for _, x := range r.w.blobList {
			if x.res != r {
				continue
			}
			held = append(held, x)
			if o := w.byHash[x.hash]; o == nil || o.copyRes != nil {
				ok = false
				break
			}
		}
		if !ok || len(held) == 0 {
			continue
		}
		for _, x := range held {
			o := w.byHash[x.hash]
			o.copyRes, o.copyOff = r, x.off
		}
		w.solidCopies = append(w.solidCopies, r)
	}
}

// pipeBlobs returns the blobs that go through the compression pipeline.
func (w *writer) pipeBlobs() []*wblob {
	if len(w.solidCopies) == 0 {
		return w.blobs
	}
	var out []*wblob
	for _, b := range w.blobs {
		if b.copyRes == nil {
			out = append(out, b)
		}
	}
	return out
}

// copySolid copies the planned source solid resources.
func (w *writer) copySolid() error {
	for _, r := range w.solidCopies {
		start := w.out.pos
		if err := w.out.copyFrom(r.w.ra, r.hdr.Offset, r.hdr.SizeInWIM); err != nil {
			return err // an earlier copy's failure (copies settle later)
		}
		w.copiedRes = append(w.copiedRes, ResHdr{SizeInWIM: r.hdr.SizeInWIM, Flags: ResFlagSolid, Offset: start, UncompressedSize: solidResourceMarker})
		for _, b := range w.blobs {
			if b.copyRes == r {
				b.hdr = ResHdr{SizeInWIM: b.size, Flags: ResFlagSolid, Offset: w.runBase + b.copyOff}
				w.prog.Advance(b.size)
			}
		}
		w.runBase += r.usize
	}
	return w.out.err
}

// resolve returns the hash to store for a stream.
func (w *writer) resolve(_ *Inode, s *Stream) Hash {
	if s.Pending() {
		if b := w.byStrm[s]; b != nil {
			return b.hash
		}
	}
	return s.Hash
}

// rawMetadata returns a stored metadata resource with hash h that can be
// copied as-is into the output, or nil.
func (w *writer) rawMetadata(src BlobSource, h Hash) *WIMBlob {
	var wims []*WIM
	switch s := src.(type) {
	case *WIM:
		wims = append(wims, s)
	case mergedSources:
		for _, x := range s {
			if ww, ok := x.(*WIM); ok {
				wims = append(wims, ww)
			}
		}
	}
	for _, sw := range wims {
		for _, m := range sw.metas {
			if m.hash != h {
				continue
			}
			if m.res.comp == None && w.comp == None {
				return m
			}
			if m.res.comp != None && m.res.comp == w.comp && m.res.chunkSize == w.cs {
				return m
			}
		}
	}
	return nil
}

// canRawCopy reports whether b's stored resource can be copied as-is.
func (w *writer) canRawCopy(b *wblob) bool {
	r := b.raw
	if r == nil || r.res.solid || w.opts.Solid {
		return false
	}
	if r.res.comp == None {
		// Stored uncompressed: fine for an uncompressed output, and for an
		// output with the source WIM's own compression settings (the
		// source found it incompressible).
		return w.comp == None || (r.w.hdr.Compression() == w.comp && int64(r.w.hdr.ChunkSize) == w.cs)
	}
	return r.res.comp == w.comp && r.res.chunkSize == w.cs
}

// outBuf is a buffered writer at tracked offsets over an Output. Byte
// ranges copied from a source file are held back as one pending range while
// they stay contiguous (consecutive raw-copied blobs usually are), so a
// rebuild that keeps most of its base copies it in few large copies — done
// by the kernel when both sides are files (see copyRange).
type outBuf struct {
	out    Output
	buf    []byte
	bufOff int64 // file offset of buf[0]
	pos    int64 // next write offset
	err    error

	pend    io.ReaderAt // source of the pending copy (nil: none)
	pendOff int64       // its offset in the source
	pendLen int64       // bytes pending; they start at bufOff+len(buf)

	// Plan mode records the file as segments instead of writing it; emit
	// writes (and hashes) them. Past planMaxLit bytes held in memory the
	// recording is written out and the outBuf goes on writing directly.
	plan bool
	segs []outSeg
	lit  int64 // bytes held by literal segments

	// ahead starts the kernel writing finished parts of the file to
	// storage while later parts are still being written (WriteOptions.Sync),
	// from aheadOff on, every writebackStep bytes.
	ahead    bool
	aheadOff int64
}

// writebackStep is how much written output accumulates before its
// writeback is started early.
const writebackStep = 8 << 20

// wrote notes that the file now holds everything before end, starting
// writeback of the finished stretch when it is long enough.
func (o *outBuf) wrote(end int64) {
	if !o.ahead || end-o.aheadOff < writebackStep {
		return
	}
	if f, ok := o.out.(*os.File); ok {
		startWriteback(f, o.aheadOff, end-o.aheadOff)
	}
	o.aheadOff = end
}

// outSeg is a piece of a planned output: bytes held in memory, or n bytes
// of src at soff.
type outSeg struct {
	off  int64
	data []byte
	src  io.ReaderAt
	soff int64
	n    int64
}

// planMaxLit bounds the new bytes a planned output holds in memory (a
// variable so tests can exercise the fall-back to direct writing).
var planMaxLit int64 = 64 << 20

const outBufSize = 1 << 20

// kernelCopyMin is the smallest pending copy worth a copy_file_range call
// (smaller ones go through the buffer with the bytes around them).
const kernelCopyMin = 256 << 10

func (o *outBuf) write(p []byte) {
	if o.plan {
		o.planWrite(p)
		return
	}
	if o.settle() != nil {
		return
	}
	if len(o.buf) == 0 {
		o.bufOff = o.pos
	}
	o.buf = append(o.buf, p...)
	o.pos += int64(len(p))
	if len(o.buf) >= outBufSize {
		o.flush()
	}
}

func (o *outBuf) flush() error {
	if o.plan {
		return o.err
	}
	if o.settle() != nil {
		return o.err
	}
	if len(o.buf) > 0 {
		_, o.err = o.out.WriteAt(o.buf, o.bufOff)
		o.wrote(o.bufOff + int64(len(o.buf)))
		o.buf = o.buf[:0]
	}
	return o.err
}

// copyFrom appends n bytes of r at off. The bytes are read when the copy
// settles (at the next write, flush or non-contiguous copy); read errors
// are reported then, as the outBuf's error.
func (o *outBuf) copyFrom(r io.ReaderAt, off, n int64) error {
	if o.err != nil || n <= 0 {
		return o.err
	}
	if o.plan {
		if k := len(o.segs) - 1; k >= 0 && o.segs[k].src == r && o.segs[k].soff+o.segs[k].n == off {
			o.segs[k].n += n
		} else {
			o.segs = append(o.segs, outSeg{off: o.pos, src: r, soff: off, n: n})
		}
		o.pos += n
		return nil
	}
	if o.pend != nil && (o.pend != r || o.pendOff+o.pendLen != off) {
		if o.settle() != nil {
			return o.err
		}
	}
	if o.pend == nil {
		if len(o.buf) == 0 {
			o.bufOff = o.pos
		}
		o.pend, o.pendOff = r, off
	}
	o.pendLen += n
	o.pos += n
	return nil
}

// settle performs the pending copy: in the kernel when it is large and both
// sides are files, otherwise through the buffer.
func (o *outBuf) settle() error {
	if o.pend == nil || o.err != nil {
		return o.err
	}
	r, off, n := o.pend, o.pendOff, o.pendLen
	o.pend, o.pendLen = nil, 0
	dst := o.bufOff + int64(len(o.buf))
	if n >= kernelCopyMin {
		if df, ok := o.out.(*os.File); ok {
			if sf, ok := r.(*os.File); ok {
				if len(o.buf) > 0 {
					if _, o.err = o.out.WriteAt(o.buf, o.bufOff); o.err != nil {
						return o.err
					}
					o.buf = o.buf[:0]
				}
				// With writeback ahead, copy in steps so the disk
				// works while the kernel copies the rest.
				step := n
				if o.ahead {
					step = writebackStep
				}
				for n > 0 {
					m := min(n, step)
					c, err := copyRange(df, dst, sf, off, m)
					if err != nil {
						o.err = fmt.Errorf("wim: copying %d bytes at offset %d of %s to offset %d of %s: %w", m, off, sourceName(sf), dst, df.Name(), ioErr(err))
						return o.err
					}
					off, n, dst = off+c, n-c, dst+c
					o.wrote(dst)
					if c < m {
						break // the rest goes through the buffer
					}
				}
				o.bufOff = dst
			}
		}
	}
	for n > 0 {
		if len(o.buf) == 0 {
			o.bufOff = dst
		}
		m := min(n, int64(outBufSize))
		l := len(o.buf)
		o.buf = slices.Grow(o.buf, int(m))[:l+int(m)]
		if _, err := r.ReadAt(o.buf[l:], off); err != nil {
			o.buf = o.buf[:l]
			o.err = fmt.Errorf("wim: copying %d bytes at offset %d of %s: %w", m, off, sourceName(r), ioErr(err))
			return o.err
		}
		off += m
		n -= m
		dst += m
		if len(o.buf) >= outBufSize {
			if _, o.err = o.out.WriteAt(o.buf, o.bufOff); o.err != nil {
				return o.err
			}
			o.wrote(o.bufOff + int64(len(o.buf)))
			o.buf = o.buf[:0]
		}
	}
	return nil
}

// patch overwrites bytes already written at off.
func (o *outBuf) patch(off int64, p []byte) {
	if o.plan {
		o.planPatch(off, p)
		return
	}
	if o.settle() != nil {
		return
	}
	if len(o.buf) > 0 && off+int64(len(p)) > o.bufOff {
		if off >= o.bufOff {
			copy(o.buf[off-o.bufOff:], p)
			return
		}
		n := o.bufOff - off
		copy(o.buf, p[n:])
		p = p[:n]
	}
	_, o.err = o.out.WriteAt(p, off)
}

// seek moves the write position back to off (discarding buffered bytes
// past it).
func (o *outBuf) seek(off int64) {
	if o.plan {
		for len(o.segs) > 0 {
			g := &o.segs[len(o.segs)-1]
			if g.off >= off {
				o.lit -= int64(len(g.data))
				o.segs = o.segs[:len(o.segs)-1]
				continue
			}
			if end := g.off + g.len(); end > off {
				if g.data != nil {
					o.lit -= end - off
					g.data = g.data[:off-g.off]
				} else {
					g.n = off - g.off
				}
			}
			break
		}
		o.pos = off
		return
	}
	if o.flush() != nil {
		return
	}
	o.pos = off
}

func (g *outSeg) len() int64 {
	if g.data != nil {
		return int64(len(g.data))
	}
	return g.n
}

// planWrite records p as bytes of the planned output.
func (o *outBuf) planWrite(p []byte) {
	if o.err != nil {
		return
	}
	if k := len(o.segs) - 1; k >= 0 && o.segs[k].data != nil && o.segs[k].off+int64(len(o.segs[k].data)) == o.pos {
		o.segs[k].data = append(o.segs[k].data, p...)
	} else {
		o.segs = append(o.segs, outSeg{off: o.pos, data: append([]byte(nil), p...)})
	}
	o.pos += int64(len(p))
	o.lit += int64(len(p))
	if o.lit > planMaxLit {
		o.emit(nil, false) // too much to hold: write what is planned, go on directly
	}
}

// planPatch overwrites recorded bytes. Patches only ever cover bytes the
// writer itself wrote (chunk tables, the header), never copied ranges.
func (o *outBuf) planPatch(off int64, p []byte) {
	if o.err != nil {
		return
	}
	i, _ := slices.BinarySearchFunc(o.segs, off, func(g outSeg, off int64) int {
		switch {
		case g.off+g.len() <= off:
			return -1
		case g.off > off:
			return 1
		}
		return 0
	})
	for len(p) > 0 && i < len(o.segs) {
		g := &o.segs[i]
		if g.data == nil {
			o.err = errors.New("wim: internal error: patch over a copied range")
			return
		}
		n := copy(g.data[off-g.off:], p)
		p, off = p[n:], off+int64(n)
		i++
	}
	if len(p) > 0 {
		o.err = errors.New("wim: internal error: patch past the end of the output")
	}
}

// emit writes the recorded segments and leaves plan mode. With d it feeds
// d every byte in order on another goroutine while the file is written;
// with doSync it flushes the file to stable storage before waiting for d.
func (o *outBuf) emit(d hash.Hash, doSync bool) error {
	segs, end := o.segs, o.pos
	o.plan, o.segs, o.lit = false, nil, 0
	if o.err != nil {
		return o.err
	}
	hashed := make(chan error, 1)
	if d != nil {
		go func() { hashed <- hashSegs(d, segs) }()
	} else {
		hashed <- nil
	}
	o.buf, o.pos = o.buf[:0], 0
	for _, g := range segs {
		if g.data != nil {
			o.write(g.data)
		} else {
			o.copyFrom(g.src, g.soff, g.n)
		}
	}
	err := o.flush()
	if o.pos != end && err == nil {
		err = fmt.Errorf("wim: internal error: planned %d bytes, wrote %d", end, o.pos)
	}
	if err == nil && doSync {
		err = syncOutput(o.out)
	}
	if herr := <-hashed; err == nil && herr != nil {
		err = fmt.Errorf("wim: hashing the output: %w", herr)
	}
	if err != nil && o.err == nil {
		o.err = err
	}
	return err
}

// sourceName names a copy source in errors: its file name when it is a
// file.
func sourceName(r io.ReaderAt) string {
	if f, ok := r.(*os.File); ok {
		return f.Name()
	}
	return "the source WIM"
}

// hashSegs feeds d the planned output's bytes in order.
func hashSegs(d hash.Hash, segs []outSeg) error {
	buf := make([]byte, 1<<20)
	for _, g := range segs {
		if g.data != nil {
			d.Write(g.data)
			continue
		}
		if f, isFile := g.src.(*os.File); isFile {
			if ok, err := hashRange(func(b []byte) { d.Write(b) }, f, g.soff, g.n); ok {
				if err != nil {
					return err
				}
				continue
			}
		}
		for off, n := g.soff, g.n; n > 0; {
			m := min(n, int64(len(buf)))
			if _, err := g.src.ReadAt(buf[:m], off); err != nil {
				return fmt.Errorf("reading %d bytes at offset %d of %s: %w", m, off, sourceName(g.src), ioErr(err))
			}
			d.Write(buf[:m])
			off, n = off+m, n-m
		}
	}
	return nil
}

// chunkJob is one chunk travelling through the compression pipeline.
type chunkJob struct {
	b      *wblob // non-solid blob (nil for solid chunks and raw copies)
	raw    *wblob // raw copy marker
	idx    int64  // chunk index inside the blob / solid resource
	n      int64  // number of chunks of the blob / solid resource
	in     []byte
	out    []byte
	outLen int // 0: store in raw
	sum    *Hash
	done   chan struct{}
}

var errStopped = errors.New("wim: write stopped")

// writeBlobs streams every blob through a bounded, ordered pipeline:
// a reader goroutine splits blobs into chunks (hashing them), Threads
// workers compress chunks, and this goroutine writes results in order.
func (w *writer) writeBlobs() error {
	threads := w.opts.Threads
	comp, cs := w.comp, w.cs
	if w.opts.Solid {
		if err := w.copySolid(); err != nil {
			return err
		}
		comp, cs = w.opts.SolidCompression, int64(w.opts.SolidChunkSize)
		// Less data than one chunk: a smaller power-of-two chunk holds
		// the same single chunk and spares the codec large tables.
		var total int64
		for _, b := range w.pipeBlobs() {
			total += b.size
		}
		for cs > 1<<15 && cs/2 >= total {
			cs /= 2
		}
	}
	inflight := 2*threads + 2
	if w.opts.Solid {
		inflight = threads + 1
	}
	jobs := make(chan *chunkJob, threads)
	ordered := make(chan *chunkJob, inflight)
	stop := make(chan struct{})
	bufPool := sync.Pool{New: func() any { b := make([]byte, cs); return &b }}
	if cs == 0 {
		bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}
	}

	outPool := sync.Pool{New: func() any { b := make([]byte, max(cs, 1)); return &b }}

	// Workers.
	var wg sync.WaitGroup
	var workerErr error
	var errOnce sync.Once
	if comp != None {
		for i := 0; i < threads; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var c Compressor
				var err error
				for j := range jobs {
					if c == nil && err == nil {
						c, err = newCompressor(comp, int(cs), w.opts.Level)
					}
					if err != nil {
						errOnce.Do(func() { workerErr = err })
						close(j.done)
						continue
					}
					if len(j.in) > 1 {
						if j.out == nil {
							j.out = *(outPool.Get().(*[]byte))
						}
						if cap(j.out) < len(j.in)-1 {
							j.out = make([]byte, len(j.in)-1)
						}
						j.out = j.out[:len(j.in)-1]
						j.outLen = c.Compress(j.out, j.in)
					}
					close(j.done)
				}
			}()
		}
	}

	// Reader.
	var readErr error
	go func() {
		defer close(ordered)
		readErr = w.produce(comp, cs, jobs, ordered, stop, &bufPool)
		close(jobs)
	}()

	err := w.consume(comp, cs, ordered, &bufPool, &outPool)
	if err != nil {
		close(stop)
		for j := range ordered {
			if j.done != nil {
				<-j.done
			}
		}
	}
	wg.Wait()
	if err == nil && readErr != nil {
		err = readErr
	}
	if err == nil && workerErr != nil {
		err = workerErr
	}
	if errors.Is(err, errStopped) && readErr != nil && !errors.Is(readErr, errStopped) {
		err = readErr
	}
	return err
}

func (w *writer) produce(comp Compression, cs int64, jobs, ordered chan<- *chunkJob, stop <-chan struct{}, pool *sync.Pool) error {
	send := func(j *chunkJob) error {
		if j.done != nil {
			select {
			case jobs <- j:
			case <-stop:
				return errStopped
			}
		}
		select {
		case ordered <- j:
		case <-stop:
			return errStopped
		}
		return nil
	}
	newJob := func() *chunkJob {
		j := &chunkJob{in: *(pool.Get().(*[]byte))}
		if comp != None {
			j.done = make(chan struct{})
		}
		return j
	}
	if w.opts.Solid {
		// One solid resource: chunks span blob boundaries.
		blobs := w.pipeBlobs()
		var total int64
		for _, b := range blobs {
			total += b.size
		}
		n := (total + cs - 1) / cs
		var j *chunkJob
		var idx int64
		for _, b := range blobs {
			rc, err := b.src.Open()
			if err != nil {
				return err
			}
			d := sha1.New()
			left := b.size
			for left > 0 {
				if j == nil {
					j = newJob()
					j.in = j.in[:0]
					j.idx, j.n = idx, n
				}
				room := min(cs-int64(len(j.in)), left)
				start := len(j.in)
				j.in = j.in[:start+int(room)]
				if _, err := io.ReadFull(rc, j.in[start:]); err != nil {
					rc.Close()
					return fmt.Errorf("wim: reading blob %s: %w", b.hash, err)
				}
				d.Write(j.in[start:])
				left -= room
				if int64(len(j.in)) == cs || (left == 0 && b == blobs[len(blobs)-1]) {
					if err := send(j); err != nil {
						rc.Close()
						return err
					}
					j = nil
					idx++
				}
			}
			rc.Close()
			if err := w.checkSum(b, d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, b := range w.blobs {
		if w.canRawCopy(b) {
			if err := send(&chunkJob{raw: b}); err != nil {
				return err
			}
			continue
		}
		rc, err := b.src.Open()
		if err != nil {
			return err
		}
		d := sha1.New()
		var n int64 = 1
		step := int64(1 << 20)
		if comp != None && !b.plain {
			n = (b.size + cs - 1) / cs
			step = cs
		} else {
			n = (b.size + step - 1) / step
		}
		for k := int64(0); k < n; k++ {
			j := newJob()
			if b.plain {
				j.done = nil // stored as it is: no compression job
				if int64(cap(j.in)) < step {
					j.in = make([]byte, step)
				}
			}
			j.b, j.idx, j.n = b, k, n
			sz := min(step, b.size-k*step)
			if int64(cap(j.in)) < sz {
				j.in = make([]byte, sz)
			}
			j.in = j.in[:sz]
			if _, err := io.ReadFull(rc, j.in); err != nil {
				rc.Close()
				return fmt.Errorf("wim: reading blob %s: %w", b.hash, err)
			}
			d.Write(j.in)
			if k == n-1 {
				if err := w.checkSum(b, d); err != nil {
					rc.Close()
					return err
				}
			}
			if err := send(j); err != nil {
				rc.Close()
				return err
			}
		}
		rc.Close()
	}
	return nil
}

// checkSum records the hash of a pending blob or checks a known one.
func (w *writer) checkSum(b *wblob, d hash.Hash) error {
	var h Hash
	d.Sum(h[:0])
	if b.pending {
		b.hash = h
		return nil
	}
	if h != b.hash {
		return fmt.Errorf("%w: blob source content has SHA-1 %s, expected %s", ErrHashMismatch, h, b.hash)
	}
	return nil
}

func (w *writer) consume(comp Compression, cs int64, ordered <-chan *chunkJob, pool, outPool *sync.Pool) error {
	o := w.out
	var start, tblSize, width int64
	var sizes []int64
	var solidUsize int64
	for j := range ordered {
		select {
		case <-w.opts.Cancel:
			return ErrCanceled
		default:
		}
		if j.raw != nil {
			if err := w.copyRaw(j.raw); err != nil {
				return err
			}
			w.prog.Advance(j.raw.size)
			continue
		}
		if j.done != nil {
			<-j.done
		}
		if j.idx == 0 {
			start = o.pos
			sizes = sizes[:0]
			solidUsize = 0
			switch {
			case w.opts.Solid:
				tblSize = solidHeaderSize + 4*j.n
			case comp == None || j.b.plain:
				tblSize = 0
			default:
				width = 4
				if j.b.size > 0xFFFFFFFF {
					width = 8
				}
				tblSize = (j.n - 1) * width
			}
			o.write(make([]byte, tblSize))
		}
		data := j.in
		if j.outLen > 0 {
			data = j.out[:j.outLen]
		}
		o.write(data)
		sizes = append(sizes, int64(len(data)))
		solidUsize += int64(len(j.in))
		w.prog.Advance(int64(len(j.in)))
		last := j.idx == j.n-1
		in := j.in
		j.in = nil
		pool.Put(&in)
		if j.out != nil {
			out := j.out[:cap(j.out)]
			j.out = nil
			outPool.Put(&out)
		}
		if !last {
			continue
		}
		var stored int64 = tblSize
		for _, s := range sizes {
			stored += s
		}
		if w.opts.Solid {
			hdr := make([]byte, tblSize)
			binary.LittleEndian.PutUint64(hdr[0:], uint64(solidUsize))
			binary.LittleEndian.PutUint32(hdr[8:], uint32(cs))
			binary.LittleEndian.PutUint32(hdr[12:], uint32(comp))
			for i, s := range sizes {
				binary.LittleEndian.PutUint32(hdr[solidHeaderSize+4*i:], uint32(s))
			}
			o.patch(start, hdr)
			w.solidRes = ResHdr{SizeInWIM: stored, Flags: ResFlagSolid, Offset: start, UncompressedSize: solidResourceMarker}
			off := w.runBase
			for _, b := range w.pipeBlobs() {
				b.hdr = ResHdr{SizeInWIM: b.size, Flags: ResFlagSolid, Offset: off}
				off += b.size
			}
			continue
		}
		b := j.b
		if comp == None || b.plain {
			b.hdr = ResHdr{SizeInWIM: b.size, Offset: start, UncompressedSize: b.size}
			continue
		}
		if stored >= b.size {
			// Not smaller: store the blob uncompressed.
			if len(sizes) == 1 {
				// The lone chunk was stored raw already.
				b.hdr = ResHdr{SizeInWIM: b.size, Offset: start, UncompressedSize: b.size}
				continue
			}
			o.seek(start)
			if err := w.copyPlain(b); err != nil {
				return err
			}
			b.hdr = ResHdr{SizeInWIM: b.size, Offset: start, UncompressedSize: b.size}
			continue
		}
		tbl := make([]byte, tblSize)
		var off int64
		for i := 0; i < len(sizes)-1; i++ {
			off += sizes[i]
			if width == 4 {
				binary.LittleEndian.PutUint32(tbl[4*i:], uint32(off))
			} else {
				binary.LittleEndian.PutUint64(tbl[8*i:], uint64(off))
			}
		}
		o.patch(start, tbl)
		b.hdr = ResHdr{SizeInWIM: stored, Flags: ResFlagCompressed, Offset: start, UncompressedSize: b.size}
	}
	return o.err
}

// copyRaw copies a source WIM's stored resource as-is.
func (w *writer) copyRaw(b *wblob) error {
	r := b.raw
	if err := r.res.checkChunks(); err != nil {
		return fmt.Errorf("wim: blob %s of %s: %w", b.hash, sourceName(r.w.ra), err)
	}
	start := w.out.pos
	if err := w.out.copyFrom(r.w.ra, r.entry.Offset, r.entry.SizeInWIM); err != nil {
		return err // an earlier copy's failure (copies settle later)
	}
	b.hdr = ResHdr{SizeInWIM: r.entry.SizeInWIM, Flags: r.entry.Flags &^ (ResFlagMetadata | ResFlagFree | ResFlagSpanned), Offset: start, UncompressedSize: r.size}
	return w.out.err
}

// copyPlain writes b's uncompressed bytes (re-reading its source) and
// checks the hash again.
func (w *writer) copyPlain(b *wblob) error {
	rc, err := b.src.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := sha1.New()
	buf := make([]byte, 1<<20)
	var n int64
	for n < b.size {
		m := min(int64(len(buf)), b.size-n)
		if _, err := io.ReadFull(rc, buf[:m]); err != nil {
			return fmt.Errorf("wim: re-reading blob %s: %w", b.hash, err)
		}
		d.Write(buf[:m])
		w.out.write(buf[:m])
		n += m
	}
	var h Hash
	d.Sum(h[:0])
	if h != b.hash {
		return fmt.Errorf("%w: blob %s changed while writing", ErrHashMismatch, b.hash)
	}
	return w.out.err
}

// preparedMeta is one image's metadata resource, encoded (and compressed
// when the WIM is), or the stored resource to copy when it is unchanged.
type preparedMeta struct {
	md   []byte   // uncompressed metadata
	hash Hash     // its SHA-1
	res  []byte   // compressed resource (nil: store md as-is)
	raw  *WIMBlob // unchanged stored resource to copy instead
	err  error
}

// prepareMetadata encodes every image's metadata resource and compresses
// those that cannot be copied from a source. Images are independent, but
// each compression already uses every thread, so they go one by one.
func (w *writer) prepareMetadata(images []ImageSource) []preparedMeta {
	out := make([]preparedMeta, len(images))
	var memo chunkMemo
	if w.comp != None && len(w.opts.Reuse) > 0 {
		memo = metadataChunks(w.opts.Reuse, w.comp, w.cs)
	}
	for i, is := range images {
		pm := &out[i]
		md, err := encodeMetadata(is.Image, w.resolve)
		if err != nil {
			pm.err = fmt.Errorf("image %d: %w", i+1, err)
			return out
		}
		pm.md, pm.hash = md, HashBytes(md)
		if pm.raw = w.rawMetadata(is.Blobs, pm.hash); pm.raw != nil || w.comp == None {
			continue
		}
		if pm.res, err = compressChunks(md, w.comp, int(w.cs), w.opts.Level, w.opts.Threads, memo); err != nil {
			pm.err = err
			return out
		}
	}
	return out
}

// writeMetadata stores a prepared metadata resource: compressed (chunked,
// chunks that do not shrink stored raw) whenever the WIM is compressed.
func (w *writer) writeMetadata(pm preparedMeta) ResHdr {
	start := w.out.pos
	if pm.res == nil {
		w.out.write(pm.md)
		return ResHdr{SizeInWIM: int64(len(pm.md)), Flags: ResFlagMetadata, Offset: start, UncompressedSize: int64(len(pm.md))}
	}
	w.out.write(pm.res)
	return ResHdr{SizeInWIM: int64(len(pm.res)), Flags: ResFlagMetadata | ResFlagCompressed, Offset: start, UncompressedSize: int64(len(pm.md))}
}

// metadataChunksCompressed counts chunks compressChunks compressed (for
// tests of Reuse).
var metadataChunksCompressed atomic.Int64

// chunkMemo maps a chunk's uncompressed bytes to how an earlier output
// stored it (compressed, or raw when compression did not shrink it).
type chunkMemo map[string][]byte

// metadataChunks collects the chunks of the metadata resources of ws that
// were written with compression c in chunks of cs bytes. Each chunk is
// decompressed to learn its key, so a damaged one lends nothing wrong.
func metadataChunks(ws []*WIM, c Compression, cs int64) chunkMemo {
	memo := chunkMemo{}
	budget := int64(MaxMetadataSize) // decompressed bytes held, over all of ws
	for _, w := range ws {
		if w == nil || w.hdr.Compression() != c || int64(w.hdr.ChunkSize) != cs {
			continue
		}
		for _, m := range w.metas {
			r := m.res
			if r == nil || r.solid || r.comp != c || r.chunkSize != cs || r.usize > budget || r.init() != nil {
				continue
			}
			budget -= r.usize
			// A resource lends its chunks only when all of them decode
			// to the metadata its SHA-1 names: a damaged chunk that still
			// decodes (to other data, or stored differently) must not
			// make this write differ from a fresh one.
			var tbl chunkTableCache
			var scratch []byte
			buf := make([]byte, cs)
			lent := chunkMemo{}
			d := sha1.New()
			ok := true
			for k := int64(0); k < r.numChunks() && ok; k++ {
				data := buf[:r.chunkLen(k)]
				stored, err := r.readChunk(k, data, &tbl, &scratch)
				if err != nil {
					ok = false
					break
				}
				d.Write(data)
				lent[string(data)] = bytes.Clone(stored) // the key is a copy too
			}
			var h Hash
			d.Sum(h[:0])
			if !ok || h != m.hash {
				continue
			}
			for k, v := range lent {
				memo[k] = v
			}
		}
	}
	return memo
}

// compressChunks builds a non-solid compressed resource (chunk table and
// chunks) from data held in memory, compressing chunks in parallel; chunks
// found in memo (may be nil) are taken from it instead.
func compressChunks(data []byte, c Compression, cs, level, threads int, memo chunkMemo) ([]byte, error) {
	n := (len(data) + cs - 1) / cs
	if n == 0 {
		return nil, nil
	}
	outs := make([][]byte, n)
	todo := make([]int, 0, n)
	for k := range outs {
		in := data[k*cs : min(len(data), (k+1)*cs)]
		if b, ok := memo[string(in)]; ok {
			outs[k] = b
		} else {
			todo = append(todo, k)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := 0
	for t := 0; t < min(threads, len(todo)); t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			comp, err := newCompressor(c, cs, level)
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
				return
			}
			buf := make([]byte, cs)
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(todo) {
					return
				}
				k := todo[i]
				metadataChunksCompressed.Add(1)
				in := data[k*cs : min(len(data), (k+1)*cs)]
				m := 0
				if len(in) > 1 {
					m = comp.Compress(buf[:len(in)-1], in)
				}
				if m > 0 {
					outs[k] = bytes.Clone(buf[:m])
				} else {
					outs[k] = in
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	width := 4
	if int64(len(data)) > 0xFFFFFFFF {
		width = 8
	}
	res := make([]byte, (n-1)*width)
	off := 0
	for k := 0; k < n-1; k++ {
		off += len(outs[k])
		if width == 4 {
			binary.LittleEndian.PutUint32(res[4*k:], uint32(off))
		} else {
			binary.LittleEndian.PutUint64(res[8*k:], uint64(off))
		}
	}
	for _, o := range outs {
		res = append(res, o...)
	}
	return res, nil
}

// wantsPlain reports whether a blob source asks to be stored uncompressed
// (wimscript.ini [CompressionExclusionList]) by implementing
// interface{ NoCompress() bool }.
func wantsPlain(b Blob) bool {
	nc, ok := b.(interface{ NoCompress() bool })
	return ok && nc.NoCompress()
}
