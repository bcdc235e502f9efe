package hostfs

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/wimbuild/wimbuild/wim"
)

// CaptureOptions control Capture. The zero value captures everything with
// the host's timestamps.
type CaptureOptions struct {
	// Config selects excluded and uncompressed files; nil excludes nothing
	// (use DefaultConfig for the wimlib/DISM defaults).
	Config *Config
	// Timestamp, when non-nil, replaces every creation, last write and last
	// access time (reproducible builds: SOURCE_DATE_EPOCH).
	Timestamp *time.Time
	// AccessTimes records the host's last access times. By default the
	// last access time is the last write time: access times change whenever
	// a file is read (capture itself reads every file), so recording them
	// would make two captures of the same tree differ.
	AccessTimes bool
	// NoRPFix stores absolute symbolic-link targets that point into the
	// captured tree as they are. By default (wimlib's --rpfix behaviour)
	// they are rewritten relative to the image root and marked fixed, so
	// apply re-roots them under the destination.
	NoRPFix bool
}

// CaptureSummary counts what Capture put in the image.
type CaptureSummary struct {
	Dirs      int   // directories, the root included
	Files     int   // regular files (each hard-linked name counted)
	HardLinks int   // names that share an inode with an earlier name
	Symlinks  int   // symbolic links stored as reparse points
	Bytes     int64 // content bytes of the unique inodes
	// Skipped lists special files (devices, FIFOs, sockets) that were not
	// captured, as '/'-separated paths below the root.
	Skipped []string
}

// Capture scans the host directory dir into a new image tree. Regular
// files become streams whose content is read lazily from the host
// (wim.FileBlob): the WIM writer hashes and compresses them. Entries are
// added in sorted order, hard links (same device and inode) share one
// *wim.Inode, symbolic links become IO_REPARSE_TAG_SYMLINK reparse points
// the way wimlib stores them.
//
// Files matched by the configuration's [CompressionExclusionList] carry a
// blob that reports NoCompress() true.
func Capture(dir string, opts *CaptureOptions) (*wim.Image, *CaptureSummary, error) {
	var o CaptureOptions
	if opts != nil {
		o = *opts
	}
	s := &scanner{cfg: o.Config}
	tree, err := s.scan(dir)
	if err != nil {
		return nil, nil, err
	}
	img := wim.NewImage("")
	sum := &CaptureSummary{Skipped: s.stats.skipped}
	b := &builder{opts: o, sum: sum, inodes: map[devIno]*wim.Inode{}}
	if !o.NoRPFix {
		if abs, err := filepath.Abs(dir); err == nil {
			noVol := func(p string) string { return filepath.ToSlash(p[len(filepath.VolumeName(p)):]) }
			b.roots = append(b.roots, noVol(abs))
			if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
				b.roots = append(b.roots, noVol(real))
			}
		}
	}
	b.setInode(img.Root.Inode, tree)
	sum.Dirs++
	if err := b.addChildren(img, img.Root, tree); err != nil {
		return nil, nil, err
	}
	return img, sum, nil
}

type builder struct {
	opts   CaptureOptions
	sum    *CaptureSummary
	inodes map[devIno]*wim.Inode
	roots  []string // the capture root's absolute paths ('/'-separated) for RP fixing
}

// fixTarget rewrites an absolute target inside the capture root relative
// to the image root ("/sub/file"); fixed reports whether it did.
func (b *builder) fixTarget(target string) (string, bool) {
	if !strings.HasPrefix(target, "/") {
		return target, false
	}
	clean := path.Clean(target)
	for _, r := range b.roots {
		if clean == r {
			return "/", true
		}
		if rest, ok := strings.CutPrefix(clean, strings.TrimSuffix(r, "/")+"/"); ok {
			return "/" + rest, true
		}
	}
	return target, false
}

// setInode fills the timestamps of in from n.
func (b *builder) setInode(in *wim.Inode, n *hostNode) {
	bt, mt, at := n.btime, n.mtime, n.mtime
	if b.opts.AccessTimes {
		at = n.atime
	}
	if b.opts.Timestamp != nil {
		bt, mt, at = *b.opts.Timestamp, *b.opts.Timestamp, *b.opts.Timestamp
	}
	in.CreationTime = ToFiletime(bt)
	in.LastWriteTime = ToFiletime(mt)
	in.LastAccessTime = ToFiletime(at)
	in.SecurityID = -1
}

func (b *builder) addChildren(img *wim.Image, dir *wim.Dentry, n *hostNode) error {
	for _, c := range n.children {
		d, err := b.dentry(c)
		if err != nil {
			return err
		}
		if err := img.AddDentry(dir, d); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrCapture, c.hostPath, err)
		}
		if c.kind == kindDir {
			if err := b.addChildren(img, d, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *builder) dentry(n *hostNode) (*wim.Dentry, error) {
	switch n.kind {
	case kindDir:
		in := &wim.Inode{Attributes: wim.AttrDirectory}
		b.setInode(in, n)
		b.sum.Dirs++
		return wim.NewDentry(n.name, in), nil
	case kindSymlink:
		target, fixed := b.fixTarget(n.target)
		data, err := EncodeSymlink(target)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCapture, n.hostPath, err)
		}
		in := &wim.Inode{Attributes: wim.AttrReparsePoint, ReparseTag: ReparseTagSymlink}
		if n.targetIsDir {
			in.Attributes |= wim.AttrDirectory
		}
		// As wimlib does: relative targets and absolute ones outside the
		// tree are stored as written and marked NOT_FIXED; absolute targets
		// inside the tree were rewritten relative to the image root.
		if !fixed {
			in.ReparseFlags = RPFlagNotFixed
		}
		in.Reparse = wim.Stream{Hash: wim.HashBytes(data), Size: int64(len(data)), Data: wim.BytesBlob(data)}
		b.setInode(in, n)
		b.sum.Symlinks++
		return wim.NewDentry(n.name, in), nil
	default:
		b.sum.Files++
		if n.devIno != (devIno{}) {
			if in, ok := b.inodes[n.devIno]; ok {
				b.sum.HardLinks++
				return wim.NewDentry(n.name, in), nil
			}
		}
		in := &wim.Inode{Attributes: wim.AttrNormal}
		b.setInode(in, n)
		if n.size > 0 {
			var blob wim.Blob = wim.NewFileBlob(n.hostPath, n.size)
			if n.noCompress {
				blob = noCompressBlob{blob}
			}
			in.Data = wim.Stream{Size: n.size, Data: blob}
			b.sum.Bytes += n.size
		}
		if n.devIno != (devIno{}) {
			b.inodes[n.devIno] = in
		}
		return wim.NewDentry(n.name, in), nil
	}
}

// noCompressBlob marks a blob matched by [CompressionExclusionList].
type noCompressBlob struct{ wim.Blob }

// NoCompress reports that the blob should be stored uncompressed.
func (noCompressBlob) NoCompress() bool { return true }
