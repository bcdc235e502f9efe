package wim

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Metadata resource layout (one per image, uncompressed view):
//
//	0                 security data block:
//	                    u32 total_length (8-aligned, includes this header)
//	                    u32 num_entries
//	                    u64 sizes[num_entries]
//	                    descriptors back to back, zero padded to 8
//	align8(total)     root dentry (no name) + its stream entries
//	                  u64 0 (end of the root's "list")
//	...               child lists: dentries + stream entries, u64 0 each,
//	                  one list per directory in pre-order (root first)

// sizeLookup returns the uncompressed size of the blob with hash h and
// whether it is known.
type sizeLookup func(h Hash) (int64, bool)

type metaParser struct {
	b      []byte
	base   int64 // file offset of the resource, for error messages
	sizeOf sizeLookup
	links  map[uint64]*Inode
	lists  map[uint64]bool
	nsec   int
	// subdirs records the child-list offset of each directory dentry.
	subdirs map[*Dentry]uint64
	// count bounds the dentries decoded: real dentries occupy at least 104
	// bytes each and lists never overlap, so more means overlapping lists.
	count int
}

func (p *metaParser) err(off uint64, what string, err error) error {
	return formatErr(p.base, fmt.Sprintf("metadata+0x%x: %s", off, what), err)
}

// parseMetadata decodes an uncompressed metadata resource into an image
// tree. base is the resource's file offset (used in errors only).
func parseMetadata(b []byte, base int64, sizeOf sizeLookup) (*Image, error) {
	p := &metaParser{b: b, base: base, sizeOf: sizeOf, links: map[uint64]*Inode{}, lists: map[uint64]bool{}}
	img := &Image{}
	sec, end, err := p.parseSecurity()
	if err != nil {
		return nil, err
	}
	img.Security = sec
	p.nsec = len(sec)
	root, _, err := p.parseDentry(end)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, p.err(end, "missing root dentry", ErrCorrupt)
	}
	if root.Name != "" {
		// wimlib tolerates a named root; the name is dropped.
		root.Name = ""
	}
	root.ShortName = ""
	if !root.Inode.IsDir() {
		return nil, p.err(end, "root is not a directory", ErrCorrupt)
	}
	img.Root = root
	type item struct {
		d     *Dentry
		off   uint64
		depth int
	}
	stack := []item{{root, p.subdirs[root], 0}}
	delete(p.subdirs, root)
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.off == 0 {
			continue
		}
		if it.depth >= MaxDentryDepth {
			return nil, p.err(it.off, "directory tree deeper than the maximum", ErrLimit)
		}
		if p.lists[it.off] {
			return nil, p.err(it.off, "directory list referenced twice (cycle)", ErrCorrupt)
		}
		p.lists[it.off] = true
		off := it.off
		var kids []*Dentry
		for {
			d, next, err := p.parseDentry(off)
			if err != nil {
				return nil, err
			}
			if d == nil {
				break
			}
			if err := ValidateName(d.Name); err != nil {
				return nil, p.err(off, "dentry name", fmt.Errorf("%w: %v", ErrCorrupt, err))
			}
			kids = append(kids, d)
			off = next
		}
		for _, k := range kids {
			k.setKey()
		}
		slices.SortStableFunc(kids, compareDentries)
		// Duplicate names: keep the first.
		kids = slices.CompactFunc(kids, func(a, b *Dentry) bool { return a.Name == b.Name })
		it.d.children = kids
		for i := len(kids) - 1; i >= 0; i-- {
			k := kids[i]
			k.parent = it.d
			if so := p.subdirs[k]; so != 0 {
				stack = append(stack, item{k, so, it.depth + 1})
			}
		}
	}
	return img, nil
}

func (p *metaParser) parseSecurity() ([][]byte, uint64, error) {
	b := p.b
	if len(b) < 8 {
		return nil, 0, p.err(0, "security data header", ErrTruncated)
	}
	total := uint64(binary.LittleEndian.Uint32(b[0:]))
	n := uint64(binary.LittleEndian.Uint32(b[4:]))
	if total == 0 {
		total = 8
	}
	if total > uint64(len(b)) {
		return nil, 0, p.err(0, fmt.Sprintf("security data length %d exceeds the %d-byte resource", total, len(b)), ErrCorrupt)
	}
	if n > MaxSecurityDescs || 8+8*n > total {
		return nil, 0, p.err(4, fmt.Sprintf("security descriptor count %d", n), ErrCorrupt)
	}
	sds := make([][]byte, 0, n)
	off := 8 + 8*n
	for i := uint64(0); i < n; i++ {
		sz := binary.LittleEndian.Uint64(b[8+8*i:])
		if sz > total-off {
			return nil, 0, p.err(8+8*i, fmt.Sprintf("security descriptor %d size %d overruns the block", i, sz), ErrCorrupt)
		}
		sds = append(sds, bytes.Clone(b[off:off+sz]))
		off += sz
	}
	return sds, (total + 7) &^ 7, nil
}

// parseDentry decodes the dentry at off (and its stream entries). It
// returns nil at an end-of-list marker, and the offset after the dentry.
func (p *metaParser) parseDentry(off uint64) (*Dentry, uint64, error) {
	b := p.b
	if off > uint64(len(b)) || uint64(len(b))-off < 8 {
		return nil, 0, p.err(off, "dentry length", ErrTruncated)
	}
	length := binary.LittleEndian.Uint64(b[off:])
	if length <= 8 {
		return nil, off + 8, nil
	}
	if length < dentryFixedSize || length > uint64(len(b))-off {
		return nil, 0, p.err(off, fmt.Sprintf("dentry length %d", length), ErrCorrupt)
	}
	p.count++
	if p.count > len(b)/(dentryFixedSize+2)+1 {
		return nil, 0, p.err(off, "more dentries than the resource can hold (overlapping lists)", ErrCorrupt)
	}
	e := b[off : off+length]
	le := binary.LittleEndian
	in := &Inode{
		Attributes:     le.Uint32(e[dOffAttributes:]),
		SecurityID:     int32(le.Uint32(e[dOffSecurityID:])),
		CreationTime:   le.Uint64(e[dOffCreation:]),
		LastAccessTime: le.Uint64(e[dOffLastAccess:]),
		LastWriteTime:  le.Uint64(e[dOffLastWrite:]),
	}
	if in.SecurityID < -1 || int(in.SecurityID) >= p.nsec {
		return nil, 0, p.err(off+dOffSecurityID, fmt.Sprintf("security id %d (table has %d)", in.SecurityID, p.nsec), ErrCorrupt)
	}
	subdir := le.Uint64(e[dOffSubdir:])
	var mainHash Hash
	copy(mainHash[:], e[dOffMainHash:])
	var linkID uint64
	if in.IsReparse() {
		in.ReparseTag = le.Uint32(e[dOffReparseTag:])
		in.ReparseReserved = le.Uint16(e[dOffReparseRes:])
		in.ReparseFlags = le.Uint16(e[dOffReparseFlags:])
	} else {
		linkID = le.Uint64(e[dOffReparseTag:])
	}
	nstreams := uint64(le.Uint16(e[dOffNumStreams:]))
	shortLen := uint64(le.Uint16(e[dOffShortNameLen:]))
	nameLen := uint64(le.Uint16(e[dOffNameLen:]))
	if nameLen%2 != 0 || shortLen%2 != 0 {
		return nil, 0, p.err(off+dOffShortNameLen, "odd UTF-16 name length", ErrCorrupt)
	}
	need := uint64(dentryFixedSize)
	if nameLen > 0 {
		need += nameLen + 2
	}
	if shortLen > 0 {
		need += shortLen + 2
	}
	if need > length {
		return nil, 0, p.err(off+dOffNameLen, fmt.Sprintf("names (%d+%d bytes) overrun the %d-byte dentry", nameLen, shortLen, length), ErrCorrupt)
	}
	d := &Dentry{Inode: in}
	pos := uint64(dOffName)
	if nameLen > 0 {
		d.Name = decodeUTF16Name(e[pos : pos+nameLen])
		pos += nameLen + 2
	}
	if shortLen > 0 {
		d.ShortName = decodeUTF16Name(e[pos : pos+shortLen])
		pos += shortLen + 2
	}
	if t := (pos + 7) &^ 7; t < length {
		if tagged := e[t:length]; slices.ContainsFunc(tagged, func(c byte) bool { return c != 0 }) {
			in.Tagged = bytes.Clone(tagged)
		}
	}
	// Stream entries follow the dentry.
	next := off + length
	type rawStream struct {
		name string
		hash Hash
	}
	var extra []rawStream
	for i := uint64(0); i < nstreams; i++ {
		if next > uint64(len(b)) || uint64(len(b))-next < streamEntryFixed {
			return nil, 0, p.err(next, fmt.Sprintf("stream entry %d of %d", i, nstreams), ErrTruncated)
		}
		sl := le.Uint64(b[next:])
		if sl < streamEntryFixed || sl > uint64(len(b))-next {
			return nil, 0, p.err(next, fmt.Sprintf("stream entry length %d", sl), ErrCorrupt)
		}
		s := b[next : next+sl]
		var rs rawStream
		copy(rs.hash[:], s[16:36])
		nl := uint64(le.Uint16(s[36:]))
		if nl%2 != 0 || 38+nl > sl {
			return nil, 0, p.err(next+36, fmt.Sprintf("stream name length %d", nl), ErrCorrupt)
		}
		rs.name = decodeUTF16Name(s[38 : 38+nl])
		extra = append(extra, rs)
		next += (sl + 7) &^ 7
	}
	// Stream assignment (wimlib assign_stream_types_unencrypted): the main
	// hash is an unnamed stream unless it is zero and extra entries exist;
	// the first unnamed stream of a reparse point is its reparse data, the
	// next unnamed one the data stream; further unnamed ones are ignored.
	var unnamed []Hash
	if nstreams == 0 || !mainHash.IsZero() {
		unnamed = append(unnamed, mainHash)
	}
	for _, s := range extra {
		if s.name == "" {
			unnamed = append(unnamed, s.hash)
			continue
		}
		st, err := p.stream(s.name, s.hash, next)
		if err != nil {
			return nil, 0, err
		}
		in.Named = append(in.Named, st)
	}
	if in.IsReparse() && len(unnamed) > 0 {
		st, err := p.stream("", unnamed[0], off)
		if err != nil {
			return nil, 0, err
		}
		in.Reparse = st
		unnamed = unnamed[1:]
	}
	if len(unnamed) > 0 && !in.IsDir() {
		st, err := p.stream("", unnamed[0], off)
		if err != nil {
			return nil, 0, err
		}
		in.Data = st
	}
	// Hard links share one inode (directories and reparse points cannot).
	if linkID != 0 && !in.IsDir() {
		if first, ok := p.links[linkID]; ok && !first.IsDir() && !first.IsReparse() {
			d.Inode = first
		} else if !ok {
			p.links[linkID] = in
			in.linkID = linkID
		}
	}
	if p.subdirs == nil {
		p.subdirs = map[*Dentry]uint64{}
	}
	if subdir != 0 && in.IsDir() && !in.IsReparse() {
		p.subdirs[d] = subdir
	}
	return d, (next + 7) &^ 7, nil
}

func (p *metaParser) stream(name string, h Hash, off uint64) (Stream, error) {
	st := Stream{Name: name, Hash: h}
	if h.IsZero() {
		return st, nil
	}
	if n, ok := p.sizeOf(h); ok {
		st.Size = n
	}
	return st, nil
}

func decodeUTF16Name(b []byte) string {
	n := len(b) / 2
	ascii := true
	for i := 0; i < n; i++ {
		if b[2*i+1] != 0 || b[2*i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii { // the common case: one allocation, no rune slice
		var sb strings.Builder
		sb.Grow(n)
		for i := 0; i < n; i++ {
			sb.WriteByte(b[2*i])
		}
		return sb.String()
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func encodeUTF16(s string) []byte {
	return appendUTF16(make([]byte, 0, 2*len(s)), s)
}

// appendUTF16 appends s as UTF-16LE, as utf16.Encode([]rune(s)) would
// encode it (invalid UTF-8 and unencodable runes become U+FFFD).
func appendUTF16(b []byte, s string) []byte {
	i := 0
	for ; i < len(s) && s[i] < 0x80; i++ {
		b = append(b, s[i], 0)
	}
	for _, r := range s[i:] {
		switch utf16.RuneLen(r) {
		case 1:
			b = binary.LittleEndian.AppendUint16(b, uint16(r))
		case 2:
			r1, r2 := utf16.EncodeRune(r)
			b = binary.LittleEndian.AppendUint16(b, uint16(r1))
			b = binary.LittleEndian.AppendUint16(b, uint16(r2))
		default:
			b = binary.LittleEndian.AppendUint16(b, uint16(unicode.ReplacementChar))
		}
	}
	return b
}
