package wim

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Image encoding for caches (MarshalImage/UnmarshalImage):
//
//	8   magic "WBIMAGE1"
//	4   n = length of the XML fragment; n bytes UTF-8 <IMAGE> element
//	4   m = number of (hash, size) pairs; m × (20-byte SHA-1, u64 size):
//	    the sizes of every non-empty stream, each hash once, in the order
//	    the tree first names them (pre-order, children in collation order)
//	8   k = metadata length; k bytes uncompressed metadata resource
const marshalMagic = "WBIMAGE1"

// MarshalImage encodes img (tree, security descriptors, stream hashes and
// sizes, XML properties) as self-contained bytes. Streams must be hashed
// (no Pending streams). UnmarshalImage reverses it exactly.
func MarshalImage(img *Image) ([]byte, error) {
	var sz sizeTable
	if img.Root != nil {
		sz.index = make(map[Hash]int32, countDentries(img.Root))
	}
	if err := sz.collect(img.Root); err != nil {
		return nil, err
	}
	md, err := encodeMetadata(img, identityResolve)
	if err != nil {
		return nil, err
	}
	var x bytes.Buffer
	writeXMLNode(&x, img.Info.toNode())
	le := binary.LittleEndian
	out := make([]byte, 0, 8+4+x.Len()+4+28*len(sz.list)+8+len(md))
	out = append(out, marshalMagic...)
	out = le.AppendUint32(out, uint32(x.Len()))
	out = append(out, x.Bytes()...)
	out = le.AppendUint32(out, uint32(len(sz.list)))
	for _, e := range sz.list {
		out = append(out, e.hash[:]...)
		out = le.AppendUint64(out, uint64(e.size))
	}
	out = le.AppendUint64(out, uint64(len(md)))
	out = append(out, md...)
	return out, nil
}

func identityResolve(_ *Inode, s *Stream) Hash { return s.Hash }

// sizeTable lists the size of every hashed stream once, in the order the
// tree first names it (deterministic without sorting).
type sizeTable struct {
	list  []sizeEntry
	index map[Hash]int32
}

type sizeEntry struct {
	hash Hash
	size int64
}

// collect records the streams under d. A stream not hashed yet, or a blob
// that turns up with two sizes, is an error naming the file.
func (t *sizeTable) collect(d *Dentry) error {
	if d == nil {
		return nil
	}
	err := eachStream(d.Inode, func(s *Stream) error { return t.add(d, s) })
	if err != nil {
		return err
	}
	for _, c := range d.children {
		if err := t.collect(c); err != nil {
			return err
		}
	}
	return nil
}

func (t *sizeTable) add(d *Dentry, s *Stream) error {
	if s.Pending() {
		return fmt.Errorf("wim: MarshalImage: %s: stream %q is not hashed yet", d.Path(), s.Name)
	}
	if s.Hash.IsZero() {
		return nil
	}
	if i, ok := t.index[s.Hash]; ok {
		if old := t.list[i].size; old != s.Size {
			return fmt.Errorf("wim: MarshalImage: %s: blob %s has sizes %d and %d", d.Path(), s.Hash, old, s.Size)
		}
		return nil
	}
	t.index[s.Hash] = int32(len(t.list))
	t.list = append(t.list, sizeEntry{s.Hash, s.Size})
	return nil
}

// UnmarshalImage decodes the output of MarshalImage. Corrupt input gives a
// *FormatError (offsets relative to b).
func UnmarshalImage(b []byte) (*Image, error) {
	le := binary.LittleEndian
	if len(b) < 8 || string(b[:8]) != marshalMagic {
		return nil, formatErr(0, "image encoding magic", ErrBadMagic)
	}
	p := int64(8)
	need := func(n int64, what string) error {
		if n < 0 || n > int64(len(b))-p {
			return formatErr(p, what, ErrTruncated)
		}
		return nil
	}
	if err := need(4, "XML length"); err != nil {
		return nil, err
	}
	xl := int64(le.Uint32(b[p:]))
	p += 4
	if err := need(xl, "XML fragment"); err != nil {
		return nil, err
	}
	if xl > MaxXMLSize {
		return nil, formatErr(p, "XML fragment", ErrLimit)
	}
	root, err := parseXMLTree(string(b[p : p+xl]))
	if err != nil {
		return nil, formatErr(p, "XML fragment", fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	var info ImageInfo
	info.fromNode(root)
	p += xl
	if err := need(4, "size count"); err != nil {
		return nil, err
	}
	m := int64(le.Uint32(b[p:]))
	p += 4
	if err := need(m*28, "size table"); err != nil {
		return nil, err
	}
	sizes := make(map[Hash]int64, m)
	for i := int64(0); i < m; i++ {
		var h Hash
		copy(h[:], b[p:p+20])
		sz := int64(le.Uint64(b[p+20:]))
		if sz < 0 {
			return nil, formatErr(p+20, "negative stream size", ErrCorrupt)
		}
		sizes[h] = sz
		p += 28
	}
	if err := need(8, "metadata length"); err != nil {
		return nil, err
	}
	ml := int64(le.Uint64(b[p:]))
	p += 8
	if err := need(ml, "metadata"); err != nil {
		return nil, err
	}
	if ml > MaxMetadataSize {
		return nil, formatErr(p, "metadata", ErrLimit)
	}
	if p+ml != int64(len(b)) {
		return nil, formatErr(p+ml, "trailing bytes", ErrCorrupt)
	}
	img, err := parseMetadata(b[p:p+ml], p, func(h Hash) (int64, bool) {
		s, ok := sizes[h]
		return s, ok
	})
	if err != nil {
		return nil, err
	}
	img.Info = info
	return img, nil
}
