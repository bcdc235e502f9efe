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
// Hash chains (3- and 4-byte hashes) feed a greedy (levels 1-2), lazy
// (levels 3-6, default 5) or near-optimal (levels 7-9) parser; one Huffman
// code is built per chunk. The compressor writes the end-of-data symbol 256
// after the data, as WIMGAPI requires, and reports 0 when the stream would
// not be smaller than the chunk. All state is allocated once and reused.
//
// # Not supported
//
// The 32-bit length escape of later [MS-XCA] revisions (never needed: a
// chunk is at most 64 KiB) and the plain LZ77 and LZNT1 formats.
package xpress
