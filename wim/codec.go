package wim

// The codec contract. Every WIM compression format (XPRESS, LZX, LZMS) lives
// in its own package under wim/ and compresses independent chunks. A codec
// package provides:
//
//	func NewCompressor(maxChunkSize, level int) (*Compressor, error)
//	func NewDecompressor(maxChunkSize int) (*Decompressor, error)
//
// whose values satisfy the interfaces below (codecs_wired.go registers
// them; a missing codec makes reads and writes fail with ErrCodec, while
// compression "none" always works). Values are not safe for
// concurrent use; the chunk pipeline keeps one per worker and reuses it for
// every chunk (Reset-free: each call is independent).

// Compressor compresses one chunk at a time.
type Compressor interface {
	// Compress compresses src (1..maxChunkSize bytes) into dst and returns
	// the compressed length. It returns 0 when the result would not be
	// smaller than len(src): the caller then stores the chunk raw. dst must
	// have room for len(src)-1 bytes; Compress never writes past that.
	Compress(dst, src []byte) int
}

// Decompressor decompresses one chunk at a time.
type Decompressor interface {
	// Decompress decodes src into dst, which has exactly the chunk's
	// uncompressed length. Corrupt or truncated input returns an error; it
	// never panics, reads past src or writes past dst.
	Decompress(dst, src []byte) error
}
