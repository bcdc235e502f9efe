// Package cache is wimbuild's local, content-addressed build cache.
//
// Two kinds of entries live under one directory:
//
//	<dir>/
//	  blobs/sha256/<2 hex>/<64 hex>     content, named by its SHA-256 digest
//	  actions/<2 hex>/<64 hex>.json     step results, named by the step's cache key
//	  tmp/                              files being written (never read as entries)
//	  hints/<64 hex>                    advice for speed: a digest recorded under a
//	                                    name (e.g. an image's previous output), never
//	                                    part of a result; a bad hint only costs time
//
// A blob is immutable: its name is the digest of its bytes. An action record
// maps a step's cache key to the step's outputs (named blob digests plus
// small metadata); it is written after every blob it names exists, so a record
// never points at a missing blob unless something deleted that blob later
// (prune, a user) — Get then reports a miss and the step re-runs.
//
// Crash safety: every write goes to a temp file in tmp/, is fsynced, renamed
// into place (atomic on POSIX and Windows for same-volume renames) and the
// parent directory is fsynced. A killed build leaves at most stray temp files,
// which Prune removes. Two builds writing the same entry race benignly: both
// write identical content (blobs) or equivalent results (actions), and rename
// replaces atomically.
//
// Corruption: OpenBlob verifies size on open and the digest as the bytes are
// read (the reader fails at EOF on mismatch); VerifyBlob checks a whole blob.
// Action records carry their own digest and are rejected when damaged. A
// corrupt entry is deleted and reported as a miss, so it is rebuilt, never used.
// Outputs published by hard link (out/*.wim) share their blob's file, so an
// in-place edit of the output rewrites the blob: each action records its
// blobs' modification times (the cache never changes a stored blob's time),
// and a blob whose time moved is re-hashed before its action counts as a hit.
//
// Keys never contain paths or times: callers compute them from canonical step
// definitions (package builder).
package cache
