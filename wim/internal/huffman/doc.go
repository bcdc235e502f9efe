// Package huffman holds the canonical Huffman machinery shared by the WIM
// codecs (XPRESS, LZX and LZMS): length-limited code construction, canonical
// codeword assignment, a table-driven decoder and MSB-first bit I/O over
// 16-bit little-endian words.
//
// # Codes
//
// A code is described only by its code lengths, one per symbol (0 = symbol
// unused). Codewords are canonical as in [MS-XCA] §2.1 and the LZX
// specification ([MS-PATCH]): shorter codewords come first, codewords of
// one length are assigned in increasing symbol order, and every codeword is
// transmitted most-significant bit first.
//
//	lengths  A=2 B=1 C=3 D=3
//	codes    B=0  A=10  C=110  D=111
//
// BuildLengths makes lengths from symbol frequencies (optimal
// Moffat–Katajainen lengths, then limited to a maximum length with a Kraft
// sum repair that keeps the code complete). Codewords turns lengths into
// codewords for a writer.
//
// # Decoding
//
// Decoder.Init builds a two-level lookup table: a primary table indexed by
// the next tableBits bits of the stream and, for longer codewords, one
// subtable per primary slot sized to the longest codeword below it.
//
//	window (MSB-aligned uint32): [ tableBits | sub bits | ... ]
//	primary[window>>(32-tableBits)] = symbol+length | subtable start+bits
//
// Decode returns (symbol, length); a length of 0 means the bits are not a
// codeword (only possible for incomplete or empty codes), and the caller
// must treat it as corrupt input.
//
// # Bit streams
//
// XPRESS and LZX store bits in 16-bit little-endian words, each word read
// most-significant bit first. BitWriter and BitReader implement that
// convention. XPRESS additionally interleaves raw bytes with the words in a
// way that depends on exactly when a decoder loads each word; the xpress
// package therefore keeps its own stream handling.
//
// # Limits
//
// Codeword lengths are at most MaxCodeLen (16) bits, so a decoder needs at
// most the next 16 bits of the stream to decode a symbol. Alphabets hold at
// most 1<<16 symbols in the decoder.
package huffman
