package wim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Hash is the SHA-1 of a stream's uncompressed content. The zero Hash means
// "empty stream" (no blob).
type Hash [20]byte

// IsZero reports whether h is the zero hash.
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns h in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// HashBytes returns the SHA-1 of b.
func HashBytes(b []byte) Hash { return Hash(sha1.Sum(b)) }

// HashReader reads r to EOF and returns its SHA-1 and length.
func HashReader(r io.Reader) (Hash, int64, error) {
	d := sha1.New()
	n, err := io.Copy(d, r)
	if err != nil {
		return Hash{}, n, err
	}
	var h Hash
	d.Sum(h[:0])
	return h, n, nil
}

// Stream is one data stream of an inode: the unnamed data stream, the
// reparse data, or a named (alternate) data stream.
//
// Content is identified by Hash (SHA-1 of the uncompressed bytes) and
// looked up in a BlobSource when the image is written. A stream whose
// content is not hashed yet (a freshly captured host file) carries the
// content in Data with a zero Hash and Size > 0; the writer hashes it.
type Stream struct {
	Name string // "" for the unnamed data stream and reparse data
	Hash Hash   // zero: empty stream, or unhashed when Data != nil
	Size int64  // uncompressed size in bytes
	Data Blob   // optional content of an unhashed stream
}

// Empty reports whether the stream has no content.
func (s *Stream) Empty() bool { return s.Size == 0 }

// Pending reports whether the stream's content is known only through Data
// (its hash is computed when the image is written).
func (s *Stream) Pending() bool { return s.Hash.IsZero() && s.Size > 0 && s.Data != nil }

// Inode is a file's metadata and streams. Several dentries sharing one
// *Inode are hard links.
type Inode struct {
	Attributes uint32 // FILE_ATTRIBUTE_* (Attr*)
	// SecurityID indexes Image.Security; -1 = no security descriptor.
	SecurityID int32
	// Timestamps are Windows FILETIMEs (100 ns since 1601-01-01 UTC).
	CreationTime   uint64
	LastAccessTime uint64
	LastWriteTime  uint64
	// ReparseTag, ReparseReserved and ReparseFlags are meaningful when
	// Attributes has AttrReparsePoint.
	ReparseTag      uint32
	ReparseReserved uint16
	ReparseFlags    uint16
	// Data is the unnamed data stream (never set for directories).
	Data Stream
	// Reparse is the reparse data (REPARSE_DATA_BUFFER without its 8-byte
	// header), present when Attributes has AttrReparsePoint.
	Reparse Stream
	// Named are the alternate data streams, in stored order.
	Named []Stream
	// Tagged holds the dentry's tagged items (object ID, extended
	// attributes, wimlib UNIX data) verbatim, 8-byte aligned.
	Tagged []byte

	// linkID is the hard link group id read from a WIM; the writer reuses
	// it when it is unique in the image (keeps rewrites byte-stable).
	linkID uint64
}

// IsDir reports whether the inode is a directory.
func (in *Inode) IsDir() bool { return in.Attributes&AttrDirectory != 0 }

// IsReparse reports whether the inode is a reparse point.
func (in *Inode) IsReparse() bool { return in.Attributes&AttrReparsePoint != 0 }

// Dentry is a named entry of the directory tree. The root has Name "".
// Children are kept sorted in WIM collation order (CompareNames).
type Dentry struct {
	Name      string // long name (UTF-8 here, UTF-16LE on disk)
	ShortName string // DOS 8.3 name, "" if none
	Inode     *Inode

	parent   *Dentry
	children []*Dentry
	// ukey caches upcaseKey(ukeyFor); set while the tree is built, read
	// only afterwards (used when ukeyFor still equals Name).
	ukey    []uint16
	ukeyFor string
}

// key returns the collation key of d's name.
func (d *Dentry) key() []uint16 {
	if d.ukey != nil && d.ukeyFor == d.Name {
		return d.ukey
	}
	return upcaseKey(d.Name)
}

// setKey caches the collation key.
func (d *Dentry) setKey() {
	if d.ukey == nil || d.ukeyFor != d.Name {
		d.ukey, d.ukeyFor = upcaseKey(d.Name), d.Name
	}
}

// compareDentries orders dentries like CompareNames, using cached keys.
func compareDentries(a, b *Dentry) int {
	if c := compareUpcased(a.key(), b.key()); c != 0 {
		return c
	}
	return CompareNames(a.Name, b.Name)
}

// NewDentry returns a detached dentry for name and inode.
func NewDentry(name string, inode *Inode) *Dentry {
	return &Dentry{Name: name, Inode: inode}
}

// Parent returns the parent directory; nil for the root or a detached dentry.
func (d *Dentry) Parent() *Dentry { return d.parent }

// Children returns the children in collation order. The slice must not be
// modified; use AddChild/Remove.
func (d *Dentry) Children() []*Dentry { return d.children }

// IsDir reports whether d is a directory.
func (d *Dentry) IsDir() bool { return d.Inode != nil && d.Inode.IsDir() }

// Path returns the absolute path with backslashes ("\" for the root).
func (d *Dentry) Path() string {
	var parts []string
	for e := d; e != nil && e.parent != nil; e = e.parent {
		parts = append(parts, e.Name)
	}
	if len(parts) == 0 {
		return `\`
	}
	slices.Reverse(parts)
	return `\` + strings.Join(parts, `\`)
}

// Child returns the child named name (case-insensitive; an exact-case match
// is preferred when names differ only in case), or nil.
func (d *Dentry) Child(name string) *Dentry {
	key := upcaseKey(name)
	i, _ := slices.BinarySearchFunc(d.children, key, func(c *Dentry, k []uint16) int {
		return compareUpcased(c.key(), k)
	})
	var first *Dentry
	for ; i < len(d.children); i++ {
		c := d.children[i]
		if compareUpcased(c.key(), key) != 0 {
			break
		}
		if c.Name == name {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

// AddChild inserts c (which must be detached) into directory d at its
// collation position. It fails if d is not a directory, the name is invalid,
// or a child with exactly the same name exists.
func (d *Dentry) AddChild(c *Dentry) error {
	if !d.IsDir() {
		return fmt.Errorf("%w: %s", ErrNotDir, d.Path())
	}
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	if c.parent != nil {
		return fmt.Errorf("wim: dentry %q already has a parent", c.Name)
	}
	c.setKey()
	i, found := slices.BinarySearchFunc(d.children, c, compareDentries)
	if found {
		return fmt.Errorf("%w: %s\\%s", ErrExists, strings.TrimSuffix(d.Path(), `\`), c.Name)
	}
	c.parent = d
	d.children = slices.Insert(d.children, i, c)
	return nil
}

// Detach removes d from its parent (a no-op for the root).
func (d *Dentry) Detach() {
	p := d.parent
	if p == nil {
		return
	}
	if i := slices.Index(p.children, d); i >= 0 {
		p.children = slices.Delete(p.children, i, i+1)
	}
	d.parent = nil
}

// ValidateName checks a long name for use in a WIM: non-empty, not "." or
// "..", at most MaxNameBytes UTF-16 bytes, no NUL, '/' or '\'.
func ValidateName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	case strings.ContainsAny(name, "\x00/\\"):
		return fmt.Errorf("%w: %q contains NUL, '/' or '\\'", ErrInvalidName, name)
	case utf16Bytes(name) > MaxNameBytes:
		return fmt.Errorf("%w: name too long (%d bytes)", ErrInvalidName, len(name))
	}
	return nil
}

// upcaseKey converts name to upper-cased UTF-16 code units, the key of the
// WIM collation order.
func upcaseKey(name string) []uint16 {
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		u := make([]uint16, len(name))
		for i := 0; i < len(name); i++ {
			c := name[i]
			if 'a' <= c && c <= 'z' {
				c -= 32
			}
			u[i] = uint16(c)
		}
		return u
	}
	u := utf16.Encode([]rune(name))
	for i, c := range u {
		if c < 0x80 {
			if 'a' <= c && c <= 'z' {
				u[i] = c - 32
			}
			continue
		}
		if utf16.IsSurrogate(rune(c)) {
			continue
		}
		if up := unicode.ToUpper(rune(c)); up < 0x10000 {
			u[i] = uint16(up)
		}
	}
	return u
}

func compareUpcased(a, b []uint16) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// CompareNames orders names like wimlib: by upper-cased UTF-16 code units,
// then (for names equal ignoring case) by the raw UTF-16 code units.
func CompareNames(a, b string) int {
	if c := compareUpcased(upcaseKey(a), upcaseKey(b)); c != 0 {
		return c
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}
