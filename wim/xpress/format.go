package xpress

// On-disk constants of the LZ77+Huffman format ([MS-XCA] §2.1-2.2).
const (
	// MaxChunkSize is the largest chunk (uncompressed block) one XPRESS
	// stream encodes: the format's block size of 65536 bytes.
	MaxChunkSize = 65536

	numSymbols   = 512 // 256 literals + 16 offset classes x 16 length headers
	tableBytes   = numSymbols / 2
	maxCodeLen   = 15 // code lengths are 4-bit nibbles
	minMatch     = 3
	maxOffset    = 65535
	endOfData    = 256 // match symbol "length 3, offset 1", written last
	lenHeaderMax = 15  // length header 15: an extra length byte follows
	lenByteMax   = 255 // extra byte 255: an extra 16-bit length follows

	// minOutput is the smallest stream: the code-length table plus the
	// two 16-bit words a decoder loads before its first symbol.
	minOutput = tableBytes + 4
)
