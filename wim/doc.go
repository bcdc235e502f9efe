// Package wim reads and writes Windows Imaging (WIM) files.
//
// It is written from the format facts: wimlib's headers and comments as the
// de-facto specification (header.h, resource.h, blob_table.c, dentry.c,
// security.c, metadata_resource.c, xml.c, integrity.c, write.c), the
// Microsoft "Windows Imaging File Format" white paper (2007) and 7-Zip's
// notes on it. The facts used are collected with byte offsets in the
// project's research notes; format.go restates every on-disk layout.
// Compression codecs live in wim/xpress, wim/lzx and wim/lzms and are wired
// in through the per-chunk contract in codec.go.
//
// # File layout
//
//	0x000  header (208 bytes): magic "MSWIM\0\0\0", version, flags, chunk
//	       size, GUID, image count, reshdrs of blob table (0x30), XML (0x48),
//	       boot metadata (0x60), boot index (0x78), integrity table (0x7C)
//	0x0D0  file resources: one per blob (uncompressed, or chunk table +
//	       independently compressed chunks), or solid resources holding
//	       many blobs (version 0xE00)
//	       metadata resources: one per image (security descriptors + dentry
//	       tree), compressed with the WIM's codec
//	       blob table: 50-byte entries {reshdr, part, refcount, SHA-1};
//	       metadata entries first, their order = image order
//	       XML data: UTF-16LE with BOM, <WIM><IMAGE INDEX="n">…</IMAGE>
//	       <TOTALBYTES>offset of the XML</TOTALBYTES></WIM>
//	       [integrity table: SHA-1 of 10 MiB pieces of [0xD0, end of blob
//	       table)]
//
// # Model
//
// A WIM (Open, OpenFile) gives access to its images (Image: a tree of
// Dentry values sharing *Inode for hard links, a security descriptor table
// and the XML properties) and to its blobs by SHA-1 (WIMBlob, read chunk by
// chunk through BlobReader with random access). An image in memory refers
// to content only by hash; a BlobSource (a *WIM, a *BlobSet of in-memory
// or host-file blobs, MergeSources of several) supplies the bytes when
// Write produces a new WIM. Streams whose hash is not known yet (captured
// host files) carry their content in Stream.Data and are hashed while they
// are written.
//
// Write streams every blob once through an ordered pipeline: a reader
// splits blobs into chunks and hashes them, Threads workers compress
// chunks, and the writer emits them in order, so memory stays bounded by
// about 2×Threads chunks whatever the file sizes. A blob from a source WIM
// whose compression and chunk size equal the output's is copied as its
// stored bytes (raw copy), which makes export and rewrites about as fast as
// a file copy; a source solid resource is copied whole when all its blobs
// are written with the same solid format. Blobs from source WIMs are
// written in their storage order (sequential reads, each solid chunk
// decompressed once). The header is written last (a zero placeholder first), at
// offset 0 through io.WriterAt; the integrity table reads written bytes
// back through io.ReaderAt.
//
// # Operations
//
// ExportImages, AppendImage, DeleteImage, SetBootIndex, SetImageProperties
// and Optimize rewrite a WIM file through RewriteFile (temporary file beside
// the target, renamed over it when complete); unchanged blobs and unchanged
// metadata resources are raw-copied. MarshalImage/UnmarshalImage give a
// self-contained encoding of one image for caches. ReadOrder sorts blob
// hashes by storage location for sequential extraction.
//
// # Invariants of written files
//
//   - version 0x10D00, or 0xE00 when LZMS or solid resources are used;
//     chunk size 0 in the header when uncompressed;
//   - blobs de-duplicated by SHA-1; reference counts count dentries over
//     all images; empty streams have no blob; a blob whose compressed
//     form is not smaller is stored uncompressed, a chunk that does not
//     shrink is stored raw; chunk table entries are 8 bytes only for
//     blobs larger than 4 GiB;
//   - metadata: security block and dentries 8-byte aligned, child lists in
//     pre-order, siblings in wimlib collation order (upper-cased UTF-16,
//     then exact), DISM stream rules (a single unnamed stream in the main
//     hash, otherwise every stream in extra entries; reparse data before
//     unnamed data; directories never get an unnamed data entry);
//   - blob table and XML uncompressed with reshdr flag 0x02; TOTALBYTES is
//     the XML offset; per-image counters recomputed; times come from the
//     images or WriteOptions.Time, never the clock;
//   - boot index and boot metadata reshdr consistent; the GUID is given
//     or derived from content: identical inputs give identical bytes.
//
// # Hostile input
//
// Every count, offset and length read from a file is checked against the
// file size and a named maximum (MaxImages, MaxMetadataSize, MaxXMLSize,
// MaxBlobTableSize, MaxDentryDepth, MaxChunkSize, MaxSolidChunkSize,
// MaxSecurityDescs) before it is used to allocate, slice or read. Child
// lists referenced twice (cycles) and overlapping lists are rejected.
// Errors are *FormatError values carrying the byte offset (absolute, or
// "metadata+0x…" inside a metadata resource) and wrapping a sentinel
// (ErrBadMagic, ErrCorrupt, ErrTruncated, ErrUnsupported, ErrHashMismatch,
// ErrIntegrity, ErrLimit).
//
// # Not supported
//
//   - split WIMs (.swm, total parts > 1) and wimlib's pipable WIMs: Open
//     returns an error wrapping ErrUnsupported;
//   - delta WIMs whose blobs live in other files (streams are read with
//     size 0 and writing them fails with ErrBlobMissing unless another
//     BlobSource supplies the blobs);
//   - encrypted (EFS) files are read as ordinary files; encrypted ESDs;
//   - in-place append (wimlib's "hole" layout is read, but every change
//     here rewrites the file through a temporary file and rename).
package wim
