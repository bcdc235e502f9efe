// Package lzx implements the LZX compression format as used in WIM
// resources: one independent LZX stream per chunk (chunk = window, 32 KiB by
// default, up to 2 MiB).
//
// # Specification
//
// [MS-PATCH] "LZX DELTA Compression and Decompression" §2 describes the
// bitstream; WIM uses it with these differences (facts cross-checked
// against chunks written by wimlib-imagex, see the tests):
//
//   - no stream header: no E8 flag bit and no translation-size field;
//   - E8 call translation is always on with translation size 12,000,000,
//     never switched off, never starts in the last 10 bytes of a chunk,
//     and chunks of 10 bytes or fewer are not translated;
//   - a block header is a 3-bit type (1 verbatim, 2 aligned offset,
//     3 uncompressed) and one bit: 1 means 32768 bytes, 0 means an explicit
//     16-bit size, followed by 8 more low bits when the window order is 16
//     or more;
//   - code lengths, R0..R2 (= 1) and the window are reset for every chunk.
//
// # Bitstream layout
//
//	chunk  := block+ (16-bit words, little-endian, bits taken MSB first)
//	block  := type:3 size-flag:1 [size:16 [size-low:8]] body
//	verbatim body := main-lengths(0..255) main-lengths(256..) length-lengths symbols
//	aligned  body := aligned-lengths(8 x 3 bits) main... length... symbols
//	uncompressed  := pad to 16 bits (1..16 bits) R0 R1 R2 (u32 LE) bytes [pad byte]
//	lengths       := pretree (20 x 4 bits) then pretree symbols: 0..16 delta
//	                 against the previous block's length, 17/18 zero runs,
//	                 19 a run of 4..5 equal lengths
//	symbol   := main symbol: literal 0..255, or 256 + slot*8 + min(len-2, 7)
//	            [length symbol: len-9] [slot footer bits / aligned symbol]
//
// The window order is ceil(log2(chunk size)), at least 15; it fixes the
// number of offset slots (30 at 32 KiB, 50 at 2 MiB) and therefore the main
// code size (256 + 8 * slots).
//
// # Decoder
//
// Table-driven canonical Huffman decoding (wim/internal/huffman: an 11-bit
// primary table with subtables for longer codes) over a 64-bit bit buffer
// kept in locals in the hot loop and topped up with whole 16-bit words from
// one 8-byte load. Every offset, length and block size is checked against
// the chunk and every read against the input; corrupt input returns a
// *CorruptError carrying the byte offset (errors.Is(err, ErrCorrupt)).
// Incomplete Huffman codes are accepted (their unused patterns decode as
// errors), over-subscribed ones are not; a match may not cross its block.
//
// # Compressor
//
//	chunk --E8--> in --bt match finder--> match cache (per 32 KiB block)
//	      --> light parse (first half of the block) --> code lengths
//	      --> full parse (cost model = those lengths) --> block writer
//	          (one block, or two split at the middle when that is smaller)
//
// The stages:
//
//   - Match finder: binary trees keyed by a 4-byte hash over the whole
//     chunk (every position inserted; a walk both searches and re-links),
//     plus tables of the nearest earlier position by 3 bytes (length-3
//     matches) and by 2 bytes (length-2 matches within 256 bytes).
//     Matches of each position are cached with strictly increasing
//     lengths; a match of at least "nice" bytes is taken without
//     optimization and the positions it covers only enter the trees.
//     Matches never extend past the chunk end. Chunks below 64 KiB (the
//     WIM default) use bt16: the same trees with 16-bit entries in
//     fixed-size arrays, indexed with masks so that no bounds checks are
//     needed, and branch-free recording of the length-2/3 candidates;
//     a test and a fuzz target check it finds exactly what the generic
//     finder (used for larger chunks) finds.
//   - Parser: forward shortest-path over the positions of a block; each
//     position keeps the cheapest cost of reaching it with its last step
//     (one uint64, cost<<32 | step, so relaxing is a min()) and the
//     recent-offset queue (R0..R2 packed in a uint64) of that way, so
//     repeat-offset matches are costed exactly along the chosen path.
//     The per-position arrays are indexed by chunk position masked to
//     their fixed power-of-two size, which keeps the loop's state in
//     registers.
//     Steps: literal, R0/R1/R2 matches of every length, explicit matches of
//     the lengths past the longest repeat match (each length with the
//     nearest match that reaches it), and "gap" steps: the longest match,
//     one literal, then an R0 match of the same offset. The quick first
//     pass tries only full match lengths and no gap steps. Costs are code
//     lengths in bits plus footer bits (and aligned codewords when the
//     previous pass favoured an aligned block).
//   - Cost model: the first pass of a chunk uses the block's byte
//     histogram for literals and fixed prior lengths for match symbols
//     (prior.go, averages over x86-64 binaries); later passes use the
//     lengths built from the previous pass.
//   - Blocks: one block per 32 KiB (chunks above 32 KiB get several),
//     written as two blocks split at the first item boundary past its
//     middle when the two codes, their lengths and headers come to fewer
//     bits than one (computed exactly from the parse before writing; the
//     parse itself does not change). This pays where a chunk changes
//     character, code then tables in an executable: 0.33 % smaller on the
//     benchmark corpus. Each block is
//     aligned-offset when the aligned code saves bits on the low 3 offset
//     bits, verbatim otherwise, uncompressed when that is smaller. Code
//     lengths are delta-coded against the previous block with pretree run
//     codes. A chunk that does not shrink returns 0 (stored raw).
//   - Levels (wimlib scale, 0 = 50) trade search depth, nice length and
//     passes; all state is reused, so steady-state compression allocates
//     nothing. Output depends only on the input and the level.
//
// # Not supported
//
// LZX DELTA features (reference data, windows above 2 MiB, extended match
// lengths) and the CAB LZX variant (E8 header, translation-size field).
// The compressor splits a block only at its middle (no search for the
// best boundary) and never emits matches that cross a 32 KiB block.
package lzx
