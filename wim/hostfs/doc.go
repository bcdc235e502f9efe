// Package hostfs moves files between the host file system and WIM images:
// Capture walks a host directory into an image tree whose file contents are
// read lazily from the host, Apply writes an image tree (or a part of it)
// back to a host directory.
//
// It follows the behaviour of wimlib's UNIX directory capture/apply (the
// de-facto reference for WIM on POSIX hosts, see the research notes §1.6.6):
//
//	host                          image
//	----------------------------  ------------------------------------------------
//	directory                     dentry, FILE_ATTRIBUTE_DIRECTORY (0x10)
//	regular file                  dentry, FILE_ATTRIBUTE_NORMAL (0x80), unnamed data stream (SHA-1 blob)
//	empty file                    dentry, zero hash, no blob
//	hard links (same dev+inode)   one inode, several dentries, shared hard-link group id
//	symbolic link                 reparse point IO_REPARSE_TAG_SYMLINK (0xA000000C),
//	                              attribute 0x400 (| 0x10 if it points to a directory),
//	                              rp_flags NOT_FIXED (1), except absolute targets into
//	                              the tree: rewritten from the image root, fixed (0)
//	mtime                         last write, creation and last access FILETIME
//	atime (AccessTimes option)    last access FILETIME (off by default: reading
//	                              files changes it, captures would not repeat)
//	UTF-8 name                    UTF-16LE name
//
// Capture configuration files (wimscript.ini: [ExclusionList],
// [ExclusionException], [CompressionExclusionList]) are parsed by
// ParseConfig; see config.go for the glob rules.
//
// Apply is written defensively: every name from the image is checked
// (CheckName) before anything touches the host, all writes go through an
// os.Root anchored at the destination (nothing can escape it, also not via
// symbolic links already present), files are created with O_EXCL after any
// existing non-directory entry is removed, and symbolic links are created
// only after every file and directory has been written, so a link created
// by the apply is never followed by a later write. Contents are streamed
// from the blob store, never held whole in memory.
//
// Files are written by a pool of workers (ApplyOptions.Threads, default
// GOMAXPROCS), each decompressing, SHA-1 checking and writing whole files
// in storage order; files stored in solid resources go to one worker in
// order, so each solid chunk is decompressed once. Workers share open
// handles (os.Root) on the destination directories, each opened one
// component below its parent's handle, so a file costs one exclusive
// create relative to its directory, its writes, its times (set on the
// descriptor where the host allows) and a close. Extra hard-link names are
// made after all contents are written.
//
// Not supported on apply to POSIX hosts (reported once each, with a count
// and an example path, in the Summary warnings): named data streams,
// security descriptors, DOS short names, reparse points other than symbolic
// links and junctions, file attributes other than directory/reparse. On
// Windows, symbolic links need the SeCreateSymbolicLinkPrivilege or
// developer mode; without it they are reported and skipped.
//
// [CompressionExclusionList] matches are marked on their blobs (a Blob that
// also has a NoCompress() bool method returning true); package wim's writer
// stores such blobs uncompressed in a compressed (non-solid) WIM.
//
// Not captured: security descriptors (none on POSIX hosts), UNIX owner/mode
// and extended attributes (wimlib's --unix-data extension), device nodes,
// FIFOs and sockets (skipped with a warning).
package hostfs
