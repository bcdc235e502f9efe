package wim

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Image is one image of a WIM held in memory: the directory tree, the
// security descriptors it references, and its XML properties. Streams point
// at blobs by SHA-1; the blobs themselves live in a BlobSource (the WIM the
// image came from, a BlobSet of new content, …).
type Image struct {
	Root *Dentry
	// Security holds the self-relative SECURITY_DESCRIPTORs indexed by
	// Inode.SecurityID. Entries are treated as immutable (Clone shares them).
	Security [][]byte
	// Info holds the XML properties (name, description, WINDOWS block, …).
	Info ImageInfo
}

// SecurityInherit may be put in Inode.SecurityID before AddFile/AddDentry:
// the inode then takes its parent directory's security ID.
const SecurityInherit int32 = -2

// NewImage returns an empty image named name: a root directory with no
// security descriptor.
func NewImage(name string) *Image {
	return &Image{
		Root: &Dentry{Inode: &Inode{Attributes: AttrDirectory, SecurityID: -1}},
		Info: ImageInfo{Name: name},
	}
}

// AddSecurityDescriptor returns the index of sd in the security table,
// appending it if no identical descriptor exists.
func (img *Image) AddSecurityDescriptor(sd []byte) int32 {
	for i, s := range img.Security {
		if bytes.Equal(s, sd) {
			return int32(i)
		}
	}
	img.Security = append(img.Security, bytes.Clone(sd))
	return int32(len(img.Security) - 1)
}

// splitPath splits a path with '\' or '/' separators into components,
// ignoring empty components (leading, trailing or doubled separators).
func splitPath(p string) []string {
	f := strings.FieldsFunc(p, func(r rune) bool { return r == '\\' || r == '/' })
	return f
}

// Lookup finds the dentry at path (case-insensitive, '\' or '/'
// separators, "" or "\" for the root). It returns an error wrapping
// ErrNotFound or ErrNotDir.
func (img *Image) Lookup(path string) (*Dentry, error) {
	d := img.Root
	for _, c := range splitPath(path) {
		if !d.IsDir() {
			return nil, fmt.Errorf("%w: %s (in %s)", ErrNotDir, d.Path(), path)
		}
		n := d.Child(c)
		if n == nil {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
		}
		d = n
	}
	return d, nil
}

// MkdirAll returns the directory at path, creating missing directories.
// New directories copy the security ID and timestamps of their parent.
func (img *Image) MkdirAll(path string) (*Dentry, error) { return img.MkdirAllAt(path, 0) }

// MkdirAllAt is MkdirAll giving new directories the FILETIME ft instead of
// their parent's times (0: the parent's), e.g. the build time of an edit.
func (img *Image) MkdirAllAt(path string, ft uint64) (*Dentry, error) {
	parts := splitPath(path)
	for _, c := range parts {
		if err := ValidateName(c); err != nil {
			return nil, err
		}
	}
	d := img.Root
	for _, c := range parts {
		if !d.IsDir() {
			return nil, fmt.Errorf("%w: %s", ErrNotDir, d.Path())
		}
		n := d.Child(c)
		if n == nil {
			p := d.Inode
			in := &Inode{
				Attributes:     AttrDirectory,
				SecurityID:     p.SecurityID,
				CreationTime:   p.CreationTime,
				LastAccessTime: p.LastAccessTime,
				LastWriteTime:  p.LastWriteTime,
			}
			if ft != 0 {
				in.CreationTime, in.LastAccessTime, in.LastWriteTime = ft, ft, ft
			}
			n = NewDentry(c, in)
			if err := d.AddChild(n); err != nil {
				return nil, err
			}
		}
		d = n
	}
	if !d.IsDir() {
		return nil, fmt.Errorf("%w: %s", ErrNotDir, path)
	}
	return d, nil
}

// AddFile creates a dentry for inode at path, creating missing parent
// directories (see MkdirAll). To add a hard link, pass an inode that
// already has a dentry. It fails with ErrExists if the name is taken; use
// Remove first to replace.
func (img *Image) AddFile(path string, inode *Inode) (*Dentry, error) {
	parts := splitPath(path)
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: empty path", ErrInvalidName)
	}
	if err := ValidateName(parts[len(parts)-1]); err != nil {
		return nil, err
	}
	dir, err := img.MkdirAll(strings.Join(parts[:len(parts)-1], `\`))
	if err != nil {
		return nil, err
	}
	d := NewDentry(parts[len(parts)-1], inode)
	if err := img.AddDentry(dir, d); err != nil {
		return nil, err
	}
	return d, nil
}

// AddDentry inserts the detached dentry d (with its subtree) into dir,
// resolving SecurityInherit in d's subtree against dir.
func (img *Image) AddDentry(dir, d *Dentry) error {
	if d.Inode == nil {
		return fmt.Errorf("wim: dentry %q has no inode", d.Name)
	}
	if err := dir.AddChild(d); err != nil {
		return err
	}
	var fix func(parent, e *Dentry)
	fix = func(parent, e *Dentry) {
		if e.Inode.SecurityID == SecurityInherit {
			e.Inode.SecurityID = parent.Inode.SecurityID
		}
		for _, c := range e.children {
			fix(e, c)
		}
	}
	fix(dir, d)
	return nil
}

// Remove deletes the dentry at path and its subtree. Removing the root is
// an error.
func (img *Image) Remove(path string) error {
	d, err := img.Lookup(path)
	if err != nil {
		return err
	}
	if d == img.Root {
		return fmt.Errorf("wim: cannot remove the root directory")
	}
	d.Detach()
	return nil
}

// WalkFunc is called by Walk for every dentry; path uses '\' separators and
// is `\` for the root. Returning fs.SkipDir skips a directory's children;
// any other error stops the walk.
type WalkFunc func(path string, d *Dentry) error

// Walk visits the tree in pre-order, children in collation order.
func (img *Image) Walk(fn WalkFunc) error {
	err := walk(`\`, img.Root, fn)
	if errors.Is(err, fs.SkipDir) || errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

func walk(path string, d *Dentry, fn WalkFunc) error {
	if err := fn(path, d); err != nil {
		if errors.Is(err, fs.SkipDir) && d.IsDir() {
			return nil
		}
		return err
	}
	prefix := path
	if prefix != `\` {
		prefix += `\`
	}
	for _, c := range d.children {
		if err := walk(prefix+c.Name, c, fn); err != nil {
			return err
		}
	}
	return nil
}

// Clone returns a deep copy of the image's tree and properties: dentries and
// inodes are copied (hard links stay shared within the copy), security
// descriptor bytes and stream Data blobs are shared (they are immutable).
func (img *Image) Clone() *Image {
	c := &Image{Info: img.Info.clone()}
	c.Security = append([][]byte(nil), img.Security...)
	// Dentries and inodes are allocated in two slabs.
	n := 0
	var count func(d *Dentry)
	count = func(d *Dentry) {
		n++
		for _, ch := range d.children {
			count(ch)
		}
	}
	if img.Root != nil {
		count(img.Root)
	}
	dslab := make([]Dentry, n)
	islab := make([]Inode, 0, n)
	kslab := make([]*Dentry, 0, n)
	inodes := make(map[*Inode]*Inode, n)
	var cp func(d *Dentry, parent *Dentry) *Dentry
	cp = func(d *Dentry, parent *Dentry) *Dentry {
		in, ok := inodes[d.Inode]
		if !ok {
			islab = append(islab, *d.Inode)
			in = &islab[len(islab)-1]
			in.Named = slices.Clone(in.Named)
			in.Tagged = slices.Clone(in.Tagged)
			inodes[d.Inode] = in
		}
		nd := &dslab[0]
		dslab = dslab[1:]
		*nd = Dentry{Name: d.Name, ShortName: d.ShortName, Inode: in, parent: parent, ukey: d.ukey, ukeyFor: d.ukeyFor}
		if len(d.children) > 0 {
			k := len(kslab)
			kslab = append(kslab, d.children...)
			nd.children = kslab[k:len(kslab):len(kslab)]
			for i, ch := range d.children {
				nd.children[i] = cp(ch, nd)
			}
		}
		return nd
	}
	if img.Root != nil {
		c.Root = cp(img.Root, nil)
	}
	return c
}

// ImageStats are the counts wimlib stores in the image's XML.
type ImageStats struct {
	DirCount      int64 // directories, root included
	FileCount     int64 // non-directory dentries
	TotalBytes    int64 // sum over dentries of all stream sizes
	HardLinkBytes int64 // bytes of extra links (size × (links−1) per inode)
}

// Stats computes the XML counters of the image.
func (img *Image) Stats() ImageStats {
	var s ImageStats
	seen := map[*Inode]bool{}
	img.Walk(func(_ string, d *Dentry) error {
		in := d.Inode
		if in.isDirectory() { // a directory reparse point counts as a file
			s.DirCount++
		} else {
			s.FileCount++
		}
		n := in.Data.Size + in.Reparse.Size
		for _, st := range in.Named {
			n += st.Size
		}
		s.TotalBytes += n
		if seen[in] {
			s.HardLinkBytes += n
		}
		seen[in] = true
		return nil
	})
	return s
}

// Rename moves the dentry at from to the path to (whose parent directory
// must exist and which must not exist, except as a case-only rename of the
// same dentry). Renaming the root or moving a directory into itself fails.
func (img *Image) Rename(from, to string) error {
	d, err := img.Lookup(from)
	if err != nil {
		return err
	}
	if d == img.Root {
		return fmt.Errorf("wim: cannot rename the root directory")
	}
	parts := splitPath(to)
	if len(parts) == 0 {
		return fmt.Errorf("%w: empty path", ErrInvalidName)
	}
	name := parts[len(parts)-1]
	if err := ValidateName(name); err != nil {
		return err
	}
	dir, err := img.Lookup(strings.Join(parts[:len(parts)-1], `\`))
	if err != nil {
		return err
	}
	if !dir.IsDir() {
		return fmt.Errorf("%w: %s", ErrNotDir, dir.Path())
	}
	for p := dir; p != nil; p = p.parent {
		if p == d {
			return fmt.Errorf("wim: cannot move %s into itself", d.Path())
		}
	}
	if c := dir.Child(name); c != nil && c != d {
		return fmt.Errorf("%w: %s", ErrExists, to)
	}
	old := d.Name
	d.Detach()
	d.Name = name
	if err := dir.AddChild(d); err != nil {
		d.Name = old
		return err
	}
	return nil
}
