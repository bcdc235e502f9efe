package wim

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// diskStream is a stream as written after a dentry.
type diskStream struct {
	name []byte // UTF-16LE, nil for unnamed
	hash Hash
}

// hashResolver returns the hash to record for a stream (resolving
// streams whose hash was computed while writing).
type hashResolver func(in *Inode, s *Stream) Hash

// isDirectory is wimlib's inode_is_directory: directory attribute without
// the reparse-point attribute. Only such dentries own a child list.
func (in *Inode) isDirectory() bool { return in.IsDir() && !in.IsReparse() }

// diskStreams applies the DISM-compatible stream rules (wimlib >= 1.14.2):
// reparse stream iff reparse point; unnamed data iff not a directory; all
// named streams. A single unnamed stream goes in the main hash, otherwise
// every stream gets an extra entry (reparse, unnamed data, named).
func diskStreams(in *Inode, resolve hashResolver) (main Hash, extra []diskStream) {
	if !in.IsReparse() && len(in.Named) == 0 {
		if in.IsDir() {
			return Hash{}, nil
		}
		return resolve(in, &in.Data), nil
	}
	var all []diskStream
	if in.IsReparse() {
		all = append(all, diskStream{hash: resolve(in, &in.Reparse)})
	}
	if !in.IsDir() {
		all = append(all, diskStream{hash: resolve(in, &in.Data)})
	}
	for i := range in.Named {
		s := &in.Named[i]
		all = append(all, diskStream{name: encodeUTF16(s.Name), hash: resolve(in, s)})
	}
	if len(all) == 1 && all[0].name == nil {
		return all[0].hash, nil
	}
	return Hash{}, all
}

// utf16Bytes returns the UTF-16LE length of s in bytes.
func utf16Bytes(s string) int64 {
	var n int64
	for _, r := range s {
		if r >= 0x10000 {
			n += 4
		} else {
			n += 2
		}
	}
	return n
}

func dentryDiskLen(d *Dentry) int64 {
	n := int64(dentryFixedSize)
	if d.Name != "" {
		n += utf16Bytes(d.Name) + 2
	}
	if d.ShortName != "" {
		n += utf16Bytes(d.ShortName) + 2
	}
	return align8(n) + align8(int64(len(d.Inode.Tagged)))
}

func streamsDiskLen(extra []diskStream) int64 {
	var n int64
	for _, s := range extra {
		l := int64(streamEntryFixed)
		if s.name != nil {
			l += int64(len(s.name)) + 2
		}
		n += align8(l)
	}
	return n
}

// encodeMetadata renders img as an uncompressed metadata resource.
func encodeMetadata(img *Image, resolve hashResolver) ([]byte, error) {
	if img.Root == nil || !img.Root.IsDir() {
		return nil, fmt.Errorf("wim: image has no root directory")
	}
	nsec := len(img.Security)
	// Count links per inode and validate.
	links := make(map[*Inode]int, countDentries(img.Root))
	ndentries := 0
	var check func(d *Dentry, depth int) error
	check = func(d *Dentry, depth int) error {
		if depth > MaxDentryDepth {
			return fmt.Errorf("%w: directory tree deeper than %d", ErrLimit, MaxDentryDepth)
		}
		in := d.Inode
		if in == nil {
			return fmt.Errorf("wim: %s has no inode", d.Path())
		}
		if in.SecurityID < -1 || int(in.SecurityID) >= nsec {
			return fmt.Errorf("wim: %s: security id %d outside the %d-entry table", d.Path(), in.SecurityID, nsec)
		}
		if len(in.Tagged)%8 != 0 {
			return fmt.Errorf("wim: %s: tagged items not 8-byte aligned", d.Path())
		}
		if len(d.children) > 0 && !in.isDirectory() {
			return fmt.Errorf("wim: %s has children but is not a directory", d.Path())
		}
		links[in]++
		ndentries++
		if d != img.Root {
			if err := ValidateName(d.Name); err != nil {
				return fmt.Errorf("wim: %s: %w", d.Path(), err)
			}
		}
		if !slices.IsSortedFunc(d.children, compareDentries) {
			// Names changed behind AddChild's back: restore the order.
			slices.SortStableFunc(d.children, compareDentries)
		}
		for i := 1; i < len(d.children); i++ {
			if d.children[i].Name == d.children[i-1].Name {
				return fmt.Errorf("%w: %s appears twice", ErrExists, d.children[i].Path())
			}
		}
		for _, c := range d.children {
			if c.parent != d {
				return fmt.Errorf("wim: %s: child %q has a different parent", d.Path(), c.Name)
			}
		}
		for _, c := range d.children {
			if err := check(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(img.Root, 0); err != nil {
		return nil, err
	}

	// Security data block.
	secLen := int64(8 + 8*nsec)
	for _, sd := range img.Security {
		secLen += int64(len(sd))
	}
	secLen = align8(secLen)
	if secLen > 0xFFFFFFFF {
		return nil, fmt.Errorf("%w: security data too large", ErrLimit)
	}

	// Per-dentry facts in the order the dentries are written: the root,
	// then every directory's child list, directories in pre-order. A
	// directory's entry knows where its child list starts (subdir) and
	// which entry holds its first child (first).
	type dinfo struct {
		d      *Dentry
		main   Hash
		extra  []diskStream
		length int64 // dentry + stream entries
		subdir int64
		first  int
	}
	infos := make([]dinfo, 0, ndentries)
	add := func(d *Dentry) int64 {
		main, extra := diskStreams(d.Inode, resolve)
		n := dentryDiskLen(d) + streamsDiskLen(extra)
		infos = append(infos, dinfo{d: d, main: main, extra: extra, length: n})
		return n
	}
	pos := secLen + add(img.Root) + 8
	var layout func(di int)
	layout = func(di int) {
		d := infos[di].d
		if !d.Inode.isDirectory() {
			return
		}
		infos[di].subdir, infos[di].first = pos, len(infos)
		for _, c := range d.children {
			pos += add(c)
		}
		pos += 8
		for k := range d.children {
			layout(infos[di].first + k)
		}
	}
	layout(0)
	if pos > MaxMetadataSize {
		return nil, fmt.Errorf("%w: metadata resource of %d bytes", ErrLimit, pos)
	}

	buf := make([]byte, 0, pos)
	le := binary.LittleEndian
	buf = le.AppendUint32(buf, uint32(secLen))
	buf = le.AppendUint32(buf, uint32(nsec))
	for _, sd := range img.Security {
		buf = le.AppendUint64(buf, uint64(len(sd)))
	}
	for _, sd := range img.Security {
		buf = append(buf, sd...)
	}
	buf = pad8(buf)

	// Hard link group ids: keep ids read from a WIM when unique, number
	// the rest after the largest kept id.
	linkIDs := map[*Inode]uint64{}
	used := map[uint64]bool{}
	var nextLink uint64 = 1
	var assign func(d *Dentry)
	assign = func(d *Dentry) {
		in := d.Inode
		if links[in] > 1 && !in.IsDir() && !in.IsReparse() && in.linkID != 0 {
			if _, done := linkIDs[in]; !done && !used[in.linkID] {
				linkIDs[in] = in.linkID
				used[in.linkID] = true
				nextLink = max(nextLink, in.linkID+1)
			}
		}
		for _, c := range d.children {
			assign(c)
		}
	}
	assign(img.Root)
	put := func(di int) {
		inf := &infos[di]
		d := inf.d
		in := d.Inode
		start := len(buf)
		buf = append(buf, make([]byte, dentryFixedSize)...)
		// Names go straight into buf; their lengths are filled in after.
		var nameLen, shortLen int
		if d.Name != "" {
			n := len(buf)
			buf = appendUTF16(buf, d.Name)
			nameLen = len(buf) - n
			buf = append(buf, 0, 0)
		}
		if d.ShortName != "" {
			n := len(buf)
			buf = appendUTF16(buf, d.ShortName)
			shortLen = len(buf) - n
			buf = append(buf, 0, 0)
		}
		e := buf[start : start+dentryFixedSize]
		le.PutUint64(e[dOffLength:], uint64(dentryDiskLen(d)))
		le.PutUint32(e[dOffAttributes:], in.Attributes)
		le.PutUint32(e[dOffSecurityID:], uint32(in.SecurityID))
		le.PutUint64(e[dOffSubdir:], uint64(inf.subdir))
		le.PutUint64(e[dOffCreation:], in.CreationTime)
		le.PutUint64(e[dOffLastAccess:], in.LastAccessTime)
		le.PutUint64(e[dOffLastWrite:], in.LastWriteTime)
		copy(e[dOffMainHash:], inf.main[:])
		if in.IsReparse() {
			le.PutUint32(e[dOffReparseTag:], in.ReparseTag)
			le.PutUint16(e[dOffReparseRes:], in.ReparseReserved)
			le.PutUint16(e[dOffReparseFlags:], in.ReparseFlags)
		} else if links[in] > 1 && !in.IsDir() {
			id, ok := linkIDs[in]
			if !ok {
				id = nextLink
				nextLink++
				linkIDs[in] = id
			}
			le.PutUint64(e[dOffReparseTag:], id)
		}
		le.PutUint16(e[dOffNumStreams:], uint16(len(inf.extra)))
		le.PutUint16(e[dOffShortNameLen:], uint16(shortLen))
		le.PutUint16(e[dOffNameLen:], uint16(nameLen))
		buf = pad8(buf)
		buf = append(buf, in.Tagged...)
		for _, s := range inf.extra {
			l := int64(streamEntryFixed)
			if s.name != nil {
				l += int64(len(s.name)) + 2
			}
			buf = le.AppendUint64(buf, uint64(align8(l)))
			buf = le.AppendUint64(buf, 0)
			buf = append(buf, s.hash[:]...)
			buf = le.AppendUint16(buf, uint16(len(s.name)))
			if s.name != nil {
				buf = append(buf, s.name...)
				buf = append(buf, 0, 0)
			}
			buf = pad8(buf)
		}
	}
	put(0)
	buf = append(buf, make([]byte, 8)...)
	var lists func(di int)
	lists = func(di int) {
		d := infos[di].d
		if !d.Inode.isDirectory() {
			return
		}
		first := infos[di].first
		for k := range d.children {
			put(first + k)
		}
		buf = append(buf, make([]byte, 8)...)
		for k := range d.children {
			lists(first + k)
		}
	}
	lists(0)
	if int64(len(buf)) != pos {
		return nil, fmt.Errorf("wim: internal error: metadata layout %d != %d bytes", len(buf), pos)
	}
	return buf, nil
}

// countDentries returns how many dentries the tree under d holds (to size
// maps before they are filled).
func countDentries(d *Dentry) int {
	n := 1
	for _, c := range d.children {
		n += countDentries(c)
	}
	return n
}

func pad8(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}
