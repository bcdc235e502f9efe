// Package regf reads, edits and writes Windows registry hive files (the
// "regf" format of SYSTEM, SOFTWARE, DEFAULT, NTUSER.DAT and BCD stores).
//
// A hive is parsed whole into an in-memory tree (Hive, Key, Value), changed
// with tree operations (CreateKey, DeleteKey, SetValue, …) and written back
// whole by Marshal, which lays the tree out canonically: the same tree always
// gives the same bytes, and nothing depends on the clock. ExportReg and
// ImportReg convert to and from .reg text ("Windows Registry Editor Version
// 5.00"); ExportReg's output is byte-for-byte that of
// `hivexregedit --export`. Validate checks a hive file strictly.
//
// # Specification
//
// The format follows Maxim Suhanov's "Windows registry file format
// specification" (github.com/msuhanov/regf, 2018), cross-checked against
// hives written by Windows (bcdedit, WDS, offreg, regedit) and against the
// hivex and chntpw tools. Layout of a primary file (all little-endian;
// "cell offsets" count from the first hive bin, 0xFFFFFFFF is "none"):
//
//	file offset 0      base block, 4096 bytes
//	  0x000 "regf"  0x004 seq1  0x008 seq2  0x00C FILETIME
//	  0x014 major=1 0x018 minor=3..6  0x01C type=0  0x020 format=1
//	  0x024 root cell offset  0x028 hive bins size  0x030 file name
//	  0x1FC XOR-32 checksum of bytes 0..0x1FB
//	file offset 4096   hive bin 0: "hbin", offset, size (n*4096), …  32 bytes
//	                   cells: int32 size (<0 allocated, >0 free, 8-aligned)
//	                          + data; they tile the bin exactly
//	                   hive bin 1 …
//
//	nk key ──► sk security (shared, refcounted, circular list)
//	   │  ├──► class name (UTF-16)
//	   │  ├──► value list ──► vk ──► data cell | inline (<= 4 bytes)
//	   │  │                          └► db big data ──► segment list ──► segments (16344 bytes)
//	   │  └──► subkey list: li | lf (hints) | lh (hashes) | ri ──► leaves
//	   └◄── parent (from every subkey nk)
//
// Names are stored as Latin-1 ("compressed", flag set in nk/vk) when every
// character fits, else UTF-16LE. Subkey lists are sorted by the upper-cased
// name, compared as UTF-16 code units; lh hashes are h = 37*h + unit over
// the upper-cased name, lf hints the first four characters.
//
// # Reading
//
// Parse accepts versions 1.3 to 1.6, all four subkey list kinds in any
// version, unsorted lists, big data, inline data, both name encodings and
// slack after the last bin. Every offset, length and count is checked against
// the cell it lies in and against the named maxima (MaxDepth, MaxKeys,
// MaxSubkeys, MaxValues, MaxValueSize, MaxHiveSize) before it is used; a key
// node reached twice (a cycle or a shared subtree) is an error. Corruption
// gives a *FormatError with the file offset. A dirty hive (sequence numbers
// differ, or a bad base-block checksum) gives an error matching ErrDirty
// unless AllowDirty is passed; then Hive.Dirty is set.
//
// # Writing
//
// Marshal writes version 1.MinorVersion (New: 5; Parse keeps the file's
// version, so a bcdedit store stays 1.3 with lf lists), both sequence
// numbers equal, 4 KiB bins each ending in one free cell, the root key at
// cell offset 0x20, lh (minor >= 5) or lf lists (ri above 500 subkeys), one
// sk cell per distinct security descriptor with exact reference counts,
// inline data up to 4 bytes, big data above 16344 bytes (minor >= 4), the
// largest-name/class/value fields recomputed, and every key's last-written
// time, class name, access bits and user/virtualization flags kept. Keys
// created through the API get Hive.KeyTime (WithTime), never the clock.
//
// # Not supported
//
//   - Transaction logs (.LOG, .LOG1, .LOG2) are not read or replayed, and
//     none are written; a rewritten hive is clean, so Windows ignores old logs.
//   - Editing in place: a change rewrites the whole file compactly, so free
//     space, cell order and remnants of deleted data are not preserved.
//   - Volatile keys (never on disk), predefined-handle keys' values, layered
//     key semantics of version 1.6 (the flags are kept, not interpreted),
//     tombstone values, and Windows 10 base-block fields (RmId, LogId, TmId,
//     offreg's serialization stamp) which are written as zero.
//   - Case folding is Unicode simple upper-casing of each UTF-16 unit; it may
//     differ from Windows' NLS table for a few rare characters.
//   - Name characters outside the BMP round-trip through UTF-16 surrogate
//     pairs; an unpaired surrogate in a UTF-16 name reads as U+FFFD.
//   - .reg text: a line that is valid UTF-8 is read as UTF-8, otherwise as
//     Latin-1, so a Latin-1 name that happens to be valid UTF-8 is misread;
//     names containing line breaks cannot be represented.
//
// A Hive is not safe for concurrent use.
package regf
