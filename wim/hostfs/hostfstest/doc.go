// Package hostfstest builds and compares host directory trees for tests of
// WIM capture and apply: a generated tree exercising the interesting cases
// (chunk-size boundaries, empty files and directories, hard links, symbolic
// links, Unicode and long names, duplicate contents) and a listing that
// compares two trees by names, contents, link targets, hard-link groups and
// modification times.
//
//	MakeTree(dir) ──► host tree ──► capture/apply by the tool under test ──► List(out)
//	List(dir) ─────────────────────────────────────────────────────────────► Compare(want, got)
//
// WriteHostileWIM writes a WIM whose image carries an unsafe name, for
// path-traversal tests. Not supported: comparing access times, owners or
// permissions (WIM images from POSIX hosts do not carry them).
package hostfstest
