package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrCapture is wrapped by errors about host files that cannot be captured.
var ErrCapture = errors.New("hostfs: cannot capture")

// nodeKind is the kind of host object.
type nodeKind uint8

const (
	kindDir nodeKind = iota
	kindFile
	kindSymlink
)

// hostNode is one scanned host object (the intermediate tree Capture turns
// into an image tree).
type hostNode struct {
	name     string // UTF-8 name ("" for the root)
	rel      string // '/'-separated path below the capture root ("" for the root)
	hostPath string // path on the host
	kind     nodeKind
	size     int64
	mtime    time.Time
	atime    time.Time
	btime    time.Time // creation time
	// devIno identifies the host inode for hard-link detection (zero when
	// the host does not report it or the object has a single link).
	devIno      devIno
	target      string // symlink target
	targetIsDir bool
	noCompress  bool
	children    []*hostNode
}

type devIno struct{ dev, ino uint64 }

// scanStats counts what a scan found.
type scanStats struct {
	dirs, files, symlinks int
	bytes                 int64
	skipped               []string // special files left out
}

// scanner walks a host directory tree.
type scanner struct {
	cfg   *Config
	stats scanStats
}

// MaxDepth is the deepest directory nesting Capture accepts.
const MaxDepth = 4096

// scan walks root (following it if it is a symlink to a directory) and
// returns the tree. Entries are sorted by name (byte order) so the result
// does not depend on the order the host lists directories.
func (s *scanner) scan(root string) (*hostNode, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCapture, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrCapture, root)
	}
	n := &hostNode{hostPath: root}
	s.fill(n, fi)
	if err := s.walk(n, 0); err != nil {
		return nil, err
	}
	return n, nil
}

func (s *scanner) fill(n *hostNode, fi fs.FileInfo) {
	n.mtime = fi.ModTime()
	n.atime, n.btime, n.devIno = statTimes(fi)
	if n.btime.IsZero() {
		n.btime = n.mtime // wimlib's UNIX capture: creation time = mtime
	}
	if n.atime.IsZero() {
		n.atime = n.mtime
	}
	switch {
	case fi.IsDir():
		n.kind = kindDir
		n.devIno = devIno{}
		s.stats.dirs++
	case fi.Mode()&fs.ModeSymlink != 0:
		n.kind = kindSymlink
		n.devIno = devIno{} // symlinks are never hard-linked in WIM images
		s.stats.symlinks++
	default:
		n.kind = kindFile
		n.size = fi.Size()
		s.stats.files++
		s.stats.bytes += n.size
	}
}

func (s *scanner) walk(dir *hostNode, depth int) error {
	if depth >= MaxDepth {
		return fmt.Errorf("%w: %s: directories nested deeper than %d levels", ErrCapture, dir.hostPath, MaxDepth)
	}
	f, err := os.Open(dir.hostPath)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCapture, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return fmt.Errorf("%w: reading directory %s: %v", ErrCapture, dir.hostPath, err)
	}
	sort.Strings(names)
	for _, name := range names {
		rel := name
		if dir.rel != "" {
			rel = dir.rel + "/" + name
		}
		if s.cfg.Excluded(rel) {
			continue
		}
		hostPath := filepath.Join(dir.hostPath, name)
		if err := checkCaptureName(name); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrCapture, hostPath, err)
		}
		fi, err := os.Lstat(hostPath)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrCapture, err)
		}
		mode := fi.Mode()
		if !mode.IsDir() && !mode.IsRegular() && mode&fs.ModeSymlink == 0 {
			s.stats.skipped = append(s.stats.skipped, rel)
			continue
		}
		n := &hostNode{name: name, rel: rel, hostPath: hostPath}
		s.fill(n, fi)
		switch n.kind {
		case kindSymlink:
			t, err := os.Readlink(hostPath)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrCapture, err)
			}
			if !utf8.ValidString(t) || strings.IndexByte(t, 0) >= 0 {
				return fmt.Errorf("%w: %s: symbolic link target is not valid UTF-8", ErrCapture, hostPath)
			}
			if filepath.IsAbs(t) {
				t = t[len(filepath.VolumeName(t)):] // "C:\x" -> "\x" (drive-less, as stored)
			}
			n.target = filepath.ToSlash(t)
			if ti, err := os.Stat(hostPath); err == nil && ti.IsDir() {
				n.targetIsDir = true
			}
		case kindFile:
			n.noCompress = s.cfg.NoCompress(rel)
		case kindDir:
			if err := s.walk(n, depth+1); err != nil {
				return err
			}
		}
		dir.children = append(dir.children, n)
	}
	return nil
}

// checkCaptureName rejects host names an image cannot hold: names that are
// not valid UTF-8 (WIM names are UTF-16) or that contain '\' or ':' (path
// and stream separators on Windows, refused again on apply).
func checkCaptureName(name string) error {
	if !utf8.ValidString(name) {
		return errors.New("file name is not valid UTF-8")
	}
	if strings.ContainsAny(name, `\:`) {
		return fmt.Errorf("file name %q contains '\\' or ':', which Windows treats as path or stream separators", name)
	}
	return nil
}
