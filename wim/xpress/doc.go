// Package xpress implements the XPRESS codec of WIM files: the
// "LZ77+Huffman" format of [MS-XCA] §2.1-2.2, one independent stream per
// chunk (32 KiB in normal WIMs, 4 KiB for WIMBoot, at most 64 KiB).
//
// # Stream layout
//
//	+--------------------------+----------------------------------------+
//	| 256 bytes: 512 x 4-bit   | 16-bit little-endian words, bits read   |
//	| code lengths (low nibble | MSB-first, with raw length bytes        |
//	| = even symbol)           | interleaved between the words           |
//	+--------------------------+----------------------------------------+
//
// Symbols 0-255 are literals. Symbol 256+h*16+l is a match whose offset
// has h+1 significant bits (h raw bits follow the symbol) and whose length
// is l+3; l == 15 means a raw byte follows with the length minus 18, and
// a byte value of 255 means a 16-bit little-endian length minus 3 follows
// instead. Minimum match 3, offsets 1..65535, codewords at most 15 bits.
// A raw byte is stored right after the words a decoder has loaded when it
// reads the byte: its reader keeps 16..31 bits, loading one word whenever
// fewer than 16 remain.
//
// # Compressor
//
// Hash chains over 4-byte hashes plus a one-entry table of 3-byte hashes
// (3-byte matches only within 4 KiB; the lazy parser takes 3-byte matches
// only within 512 bytes and 4-byte ones within 2 KiB) feed one of three
// parsers:
//
//	levels 1-2  greedy: longest match at each position
//	levels 3-6  lazy: defer a match while the next position has a better one,
//	            a byte of length weighed as two offset bits (default 5;
//	            the lazy step searches less deep than a fresh search)
//	levels 7-9  near-optimal: shortest path over all match lengths, priced
//	            with the Huffman code of a previous parse (1-2 passes)
//
// One Huffman code (at most 15 bits) is built per chunk and the exact
// output size is computed before anything is written, so an incompressible
// chunk costs no output work. The compressor writes the end-of-data symbol
// 256 after the data, as WIMGAPI requires, and reports 0 when the stream
// would not be smaller than the chunk. Hash tables are invalidated between
// chunks by advancing a position base rather than by clearing, and all
// state is allocated once: Compress does not allocate. Output depends only
// on the chunk and the level (reproducible).
//
// # Decompressor
//
// Table-driven Huffman decoding (10-bit primary table, subtables for longer
// codes) with a 64-bit look-ahead buffer. Decoding stops when the output is
// full; a missing end-of-data symbol is accepted (as wimlib does). Corrupt
// input gives a *CorruptError (errors.Is ErrCorrupt) with the byte offset;
// an invalid code, a match before the chunk start or past its end, and
// reading past the input are all detected.
//
// # Not supported
//
// The 32-bit length escape of later [MS-XCA] revisions (never needed: a
// chunk is at most 64 KiB) and the plain LZ77 and LZNT1 formats.
package xpress
