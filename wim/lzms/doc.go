// Package lzms implements the LZMS compression format as used in WIM
// images of version 0xE00 (recovery images, ESD files, solid resources).
//
// There is no published specification. The format facts come from the
// description of the format in the comments of wimlib's LZMS code
// (lzms_decompress.c, lzms_common.c, lzms_constants.h) and were checked
// against chunks written by wimlib-imagex 1.13.5; the code here is written
// from those facts.
//
// # Format
//
// Each chunk is compressed on its own (no state carries over between
// chunks). A compressed chunk is an even number of bytes read as 16-bit
// little-endian units from both ends at once:
//
//	 offset 0                                                  len(src)
//	+------------------------------+---------------------------------+
//	| forward stream ->            |            <- backward stream   |
//	| range-coded binary decisions |  Huffman symbols, verbatim bits |
//	+------------------------------+---------------------------------+
//	  units in reading order         units read from the last one back
//
// Inside both streams the first bit of a unit is its most significant one.
//
// The forward stream is a binary range coder (32-bit range starting at
// 0xFFFFFFFF, code primed with the first two units, renormalised 16 bits at
// a time when the range drops to 0xFFFF or below). Every bit is coded in a
// context whose probability of a 0 is n/64, n being the number of zeros
// among the last 64 bits coded in that context (initially the pattern
// ...0101, i.e. 48/64; 0 and 64 are clamped to 1 and 63). The context is
// picked by the last 4, 5 or 6 decisions of the same kind. The decisions
// are: literal or match; LZ or delta match; explicit or repeat offset (LZ
// and delta); and which of three repeat offsets (two decisions each).
//
// The backward stream holds five adaptive canonical Huffman codes (at most
// 15-bit codewords): literals (256 symbols), LZ offset slots and delta
// offset slots (as many slots as the chunk size needs, at most 799), length
// slots (54) and delta powers (8). Every code starts with all frequencies
// 1 and is rebuilt after every 1024 (literal, offsets) or 512 (length,
// power) symbols, after which the frequencies are halved (f/2+1). The code
// construction is fixed exactly (see huffman.go) because both sides must
// agree on it; that is why this package builds its codes itself rather
// than with the shared wim/internal/huffman builder, whose length limiting
// may pick different (equally good) lengths. Slot symbols are followed by
// their verbatim extra bits.
//
// Items are literals, LZ matches (length, offset: copy from offset bytes
// back) and delta matches (length, power p, raw offset r: byte i becomes
// out[i-o] + out[i-s] - out[i-o-s] with s = 1<<p and o = r<<p). Lengths go
// up to 1,073,809,578 and offsets up to 1,180,427,428. Repeat offsets come
// from LRU queues initialised to {1,2,3,4} (delta: pairs (0,1)..(0,4)); a
// used entry leaves the queue at once, and a newly used offset enters the
// front only after the following item.
//
// After decoding, an x86 filter turns absolute addresses in likely call
// and RIP-relative instructions back into relative ones (x86.go); the
// compressor applies the opposite translation first.
//
// Decoders differ in how strictly they check the end of a chunk. The
// reference decoder reads zeros past either end; 7-Zip's requires at least
// 8 bytes, a range-decoder code of exactly 0 after one more
// renormalisation, and the forward stream to stop short of the backward
// one. The compressor writes chunks that satisfy all of these; the
// decompressor accepts what the reference decoder accepts, except that
// it reports a chunk whose two streams would have to overlap by more than
// a few units (a truncated chunk) as corrupt.
//
// # Use
//
// NewCompressor and NewDecompressor return per-worker values that satisfy
// the wim package's Compressor and Decompressor contracts: one chunk per
// call, state reused between calls (no allocation per chunk once warm),
// Compress returning 0 when the chunk does not shrink.
//
// # Compressor
//
// The compressor applies the x86 translation to a copy of the chunk, then
// parses it into items and codes them with the same adaptive models the
// decoder keeps (so code rebuilds and context histories stay in step).
//
//	level  1..29   lazy matching over hash chains (fast)
//	level 30..100  near-optimal parsing: binary-tree match finder plus
//	               2- and 3-byte match tables, a dynamic program over
//	               windows of 512 positions (2048 for chunks over 1 MiB)
//	               priced with the live code lengths and probabilities,
//	               tracking each position's contexts and repeat queue
//	               exactly.
//	level 40..100  also delta matches (where no LZ match of 4 bytes
//	               exists) and "match, literal, repeat" sequences;
//	               higher levels search deeper. Default 50.
//
// Chunks of at most 128 KiB (the non-solid WIM size) use btFindSmall, the
// same match finder read through fixed-size views of its buffers with
// masked indexes (no bounds checks in the tree walk); a test and a fuzz
// target check that it changes no output byte.
//
// Items may run up to about twice the nice length past a window's end; the
// window then ends with the longest of them, so matches are not split.
// On chunks over 1 MiB, where almost every binary-tree node visited is a
// cache miss, the trees are keyed on 5 bytes instead of 4 (4-byte matches
// come from the 3-byte table), which makes them a quarter smaller.
//
// Memory per Compressor (allocated on first use, then reused): a copy of
// the chunk plus 4 bytes per chunk byte for hash chains (levels below 30)
// or 8 bytes per chunk byte for the binary trees, plus under 2 MiB of hash
// heads and other tables (under 6 MiB for chunks over 1 MiB). That is
// about 3 MiB for 128 KiB chunks and about 585 MiB for 64 MiB solid chunks
// at the default level. The match finder looks back at most 64 MiB, so for
// larger chunks (legal up to 1 GiB) only the chunk copy keeps growing.
//
// # Limits
//
//   - Chunks of 1 byte up to MaxChunkSize (1 GiB). Decompressor memory is
//     fixed (about 300 KiB). Compressor memory is proportional to the
//     chunk size (see above); chunks of 8 bytes or fewer are never
//     compressed.
//   - The compressor's output is valid LZMS but not byte-identical to
//     wimlib's or Microsoft's (any valid stream decodes the same way).
//   - Only raw LZMS chunks: the container (chunk tables, solid resource
//     headers) is the wim package's job.
//   - Corrupt input yields a *CorruptError (errors.Is ErrCorrupt); the
//     decoder never reads or writes out of bounds and its work is bounded
//     by the output size. Like the reference decoder, running out of input
//     reads zero bits, so some truncations are only caught by the WIM
//     layer's SHA-1 check; reading more than a few units past the input is
//     reported as corrupt.
package lzms
