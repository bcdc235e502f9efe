package regf

import (
	"encoding/binary"
	"fmt"
)

// maxLeaf is the largest number of entries Marshal puts in one lf/lh leaf;
// longer subkey lists are split into leaves under an ri index root. 511
// entries of 8 bytes plus the header fill one 4 KiB bin.
const maxLeaf = 500

// Marshal serializes the hive canonically: the same tree always gives the
// same bytes. Layout:
//
//   - base block: both sequence numbers = Sequence, major 1, minor
//     MinorVersion (a value outside 3..6 is written as 5), file type 0,
//     format 1, clustering factor 1, Timestamp, FileName (last 31 UTF-16
//     units), XOR checksum;
//   - 4 KiB hive bins (larger when one cell needs it), each ending in one
//     free cell when not exactly full; the first bin carries Timestamp;
//   - keys depth-first from the root (root nk at cell offset 0x20): nk, its
//     sk when first used, class name, value list, vk cells and their data,
//     the subkeys, then the subkey list;
//   - subkey lists sorted by upper-cased name: lh (hashes) for minor >= 5,
//     lf (4-character hints) otherwise, split under an ri root beyond 500
//     entries;
//   - one sk cell per distinct security descriptor, exact reference counts,
//     all sk cells in one circular doubly linked list in order of first use;
//   - value data of 4 bytes or less inline in the vk; more than 16344 bytes
//     as big data (db) for minor >= 4, otherwise in one cell;
//   - nk largest-name/class/value-name (UTF-16 bytes) and largest-data fields
//     computed from the children; flags COMP_NAME/VALUE_COMP_NAME when a name
//     fits Latin-1; KEY_HIVE_ENTRY|KEY_NO_DELETE on the root; other nk flags,
//     access bits and user/virtualization flags preserved from Parse.
func (h *Hive) Marshal() ([]byte, error) {
	w := &writer{h: h, minor: h.MinorVersion, skIndex: make(map[string]int)}
	if w.minor < 3 || w.minor > 6 {
		w.minor = 5
	}
	// The base block is reserved in front of the hive bins so the finished
	// file needs no copy; the estimate avoids most regrowth.
	w.file = make([]byte, baseBlockSize, baseBlockSize+hbinAlign+estimateSize(h.root, 0)*9/8)
	w.buf = w.file[baseBlockSize:]
	rootOff, err := w.key(h.root, noCell, 0)
	if err != nil {
		return nil, err
	}
	w.closeBin()
	le := binary.LittleEndian
	for i, s := range w.sks {
		n := len(w.sks)
		c := w.buf[s.off+4:]
		le.PutUint32(c[skFlink:], w.sks[(i+1)%n].off)
		le.PutUint32(c[skBlink:], w.sks[(i+n-1)%n].off)
		le.PutUint32(c[skRefCount:], s.refs)
	}
	if len(w.buf) > MaxHiveSize {
		return nil, fmt.Errorf("%w: hive would be %d bytes (maximum %d)", ErrLimit, len(w.buf), MaxHiveSize)
	}
	out := w.file
	copy(out, "regf")
	le.PutUint32(out[bbSeq1:], h.Sequence)
	le.PutUint32(out[bbSeq2:], h.Sequence)
	le.PutUint64(out[bbTimestamp:], h.Timestamp)
	le.PutUint32(out[bbMajor:], 1)
	le.PutUint32(out[bbMinor:], w.minor)
	le.PutUint32(out[bbFileType:], 0)
	le.PutUint32(out[bbFileFormat:], 1)
	le.PutUint32(out[bbRootCell:], rootOff)
	le.PutUint32(out[bbHbinsSize:], uint32(len(w.buf)))
	le.PutUint32(out[bbCluster:], 1)
	fn := nameUnits(h.FileName)
	if len(fn) > bbFileNameSz/2-1 {
		fn = fn[len(fn)-(bbFileNameSz/2-1):]
	}
	for i, c := range fn {
		le.PutUint16(out[bbFileName+2*i:], c)
	}
	le.PutUint32(out[bbChecksum:], checksum(out))
	return out, nil
}

// estimateSize roughly predicts the hive bins size of a key tree (UTF-16
// names, separate data cells), erring high.
func estimateSize(k *Key, depth int) int {
	n := align8(4+nkFixedSize+2*len(k.name)) + align8(4+2*len(k.class)) + 4*len(k.values) + 8*len(k.subkeys) + 16
	for _, v := range k.values {
		n += align8(4+vkFixedSize+2*len(v.Name)) + align8(8+len(v.Data)) + len(v.Data)/bigDataSegment*8
	}
	if depth < MaxDepth {
		for _, c := range k.subkeys {
			n += estimateSize(c, depth+1)
		}
	}
	return n
}

type skCell struct {
	off  uint32
	refs uint32
}

type writer struct {
	h        *Hive
	minor    uint32
	file     []byte // base block + hive bins
	buf      []byte // file[baseBlockSize:]: the hive bins
	binStart int
	binEnd   int
	pos      int
	sks      []skCell
	skIndex  map[string]int
}

func align8(n int) int { return (n + 7) &^ 7 }

// alloc reserves an allocated cell for n bytes of cell data and returns its
// cell offset; the data starts at w.buf[off+4].
func (w *writer) alloc(n int) uint32 {
	size := align8(n + 4)
	if w.binEnd == 0 || w.pos+size > w.binEnd {
		w.closeBin()
		binSize := (hbinHeaderSize + size + hbinAlign - 1) &^ (hbinAlign - 1)
		w.binStart = len(w.buf)
		w.file = append(w.file, make([]byte, binSize)...)
		w.buf = w.file[baseBlockSize:]
		w.binEnd = len(w.buf)
		b := w.buf[w.binStart:]
		copy(b, "hbin")
		binary.LittleEndian.PutUint32(b[hbOffset:], uint32(w.binStart))
		binary.LittleEndian.PutUint32(b[hbSize:], uint32(binSize))
		if w.binStart == 0 {
			binary.LittleEndian.PutUint64(b[hbTimestamp:], w.h.Timestamp)
		}
		w.pos = w.binStart + hbinHeaderSize
	}
	off := w.pos
	binary.LittleEndian.PutUint32(w.buf[off:], uint32(-int32(size)))
	w.pos += size
	return uint32(off)
}

// closeBin turns the unused tail of the current bin into one free cell.
func (w *writer) closeBin() {
	if w.binEnd != 0 && w.pos < w.binEnd {
		binary.LittleEndian.PutUint32(w.buf[w.pos:], uint32(w.binEnd-w.pos))
		w.pos = w.binEnd
	}
}

// data returns the cell data of an allocated cell.
func (w *writer) data(off uint32) []byte { return w.buf[off+4:] }

func (w *writer) security(k *Key) uint32 {
	sd := k.security
	if len(sd) == 0 {
		sd = w.h.DefaultSecurity
	}
	if len(sd) == 0 {
		sd = DefaultSecurityDescriptor
	}
	if i, ok := w.skIndex[string(sd)]; ok {
		w.sks[i].refs++
		return w.sks[i].off
	}
	off := w.alloc(skFixedSize + len(sd))
	c := w.data(off)
	copy(c, "sk")
	binary.LittleEndian.PutUint32(c[skSDSize:], uint32(len(sd)))
	copy(c[skSD:], sd)
	w.skIndex[string(sd)] = len(w.sks)
	w.sks = append(w.sks, skCell{off: off, refs: 1})
	return off
}

func (w *writer) key(k *Key, parentOff uint32, depth int) (uint32, error) {
	if depth > MaxDepth {
		return 0, fmt.Errorf("%w: key %q is deeper than %d levels", ErrLimit, k.Path(), MaxDepth)
	}
	le := binary.LittleEndian
	nameB, comp := encodeName(k.name)
	if len(nameB) > 0xFFFF {
		return 0, fmt.Errorf("%w: key name %q too long", ErrInvalidName, k.name)
	}
	nkOff := w.alloc(nkFixedSize + len(nameB))
	skOff := w.security(k)

	classOff, classLen := uint32(noCell), 0
	if k.class != "" {
		cu := nameUnits(k.class)
		classLen = 2 * len(cu)
		if classLen > 0xFFFF {
			return 0, fmt.Errorf("%w: class name of %q too long", ErrInvalidName, k.Path())
		}
		classOff = w.alloc(classLen)
		c := w.data(classOff)
		for i, u := range cu {
			le.PutUint16(c[2*i:], u)
		}
	}

	valueListOff := uint32(noCell)
	var maxValueName, maxValueData int
	if len(k.values) > 0 {
		valueListOff = w.alloc(4 * len(k.values))
		for i, v := range k.values {
			vo, err := w.value(v)
			if err != nil {
				return 0, fmt.Errorf("key %q: %w", k.Path(), err)
			}
			le.PutUint32(w.data(valueListOff)[4*i:], vo)
			maxValueName = max(maxValueName, 2*len(nameUnits(v.Name)))
			maxValueData = max(maxValueData, len(v.Data))
		}
	}

	var maxName, maxClass int
	childOffs := make([]uint32, len(k.subkeys))
	for i, c := range k.subkeys {
		co, err := w.key(c, nkOff, depth+1)
		if err != nil {
			return 0, err
		}
		childOffs[i] = co
		maxName = max(maxName, 2*len(nameUnits(c.name)))
		maxClass = max(maxClass, 2*len(nameUnits(c.class)))
	}
	listOff := uint32(noCell)
	if len(k.subkeys) > 0 {
		listOff = w.subkeyList(k.subkeys, childOffs)
	}

	flags := k.flags &^ nkRecomputed
	if comp {
		flags |= nkCompName
	}
	if k.parent == nil {
		flags |= nkHiveEntry | nkNoDelete
	}
	c := w.data(nkOff)
	copy(c, "nk")
	le.PutUint16(c[nkFlags:], flags)
	le.PutUint64(c[nkLastWrite:], k.lastWrite)
	le.PutUint32(c[nkAccess:], k.access)
	le.PutUint32(c[nkParent:], parentOff)
	le.PutUint32(c[nkNumSubkeys:], uint32(len(k.subkeys)))
	le.PutUint32(c[nkNumVolatile:], 0)
	le.PutUint32(c[nkSubkeyList:], listOff)
	le.PutUint32(c[nkVolatileList:], noCell)
	le.PutUint32(c[nkNumValues:], uint32(len(k.values)))
	le.PutUint32(c[nkValueList:], valueListOff)
	le.PutUint32(c[nkSecurity:], skOff)
	le.PutUint32(c[nkClass:], classOff)
	le.PutUint32(c[nkMaxNameLen:], uint32(maxName)&0xFFFF|uint32(k.flagsExtra)<<16)
	le.PutUint32(c[nkMaxClassLen:], uint32(maxClass))
	le.PutUint32(c[nkMaxValueName:], uint32(maxValueName))
	le.PutUint32(c[nkMaxValueData:], uint32(maxValueData))
	le.PutUint32(c[nkWorkVar:], 0)
	le.PutUint16(c[nkNameLen:], uint16(len(nameB)))
	le.PutUint16(c[nkClassLen:], uint16(classLen))
	copy(c[nkName:], nameB)
	return nkOff, nil
}

// subkeyList writes the subkey list of sorted keys and returns its offset.
func (w *writer) subkeyList(keys []*Key, offs []uint32) uint32 {
	if len(keys) <= maxLeaf {
		return w.leaf(keys, offs)
	}
	var leaves []uint32
	for i := 0; i < len(keys); i += maxLeaf {
		j := min(i+maxLeaf, len(keys))
		leaves = append(leaves, w.leaf(keys[i:j], offs[i:j]))
	}
	ri := w.alloc(listHeader + 4*len(leaves))
	c := w.data(ri)
	copy(c, "ri")
	binary.LittleEndian.PutUint16(c[2:], uint16(len(leaves)))
	for i, l := range leaves {
		binary.LittleEndian.PutUint32(c[listHeader+4*i:], l)
	}
	return ri
}

func (w *writer) leaf(keys []*Key, offs []uint32) uint32 {
	off := w.alloc(listHeader + 8*len(keys))
	c := w.data(off)
	if w.minor >= 5 {
		copy(c, "lh")
	} else {
		copy(c, "lf")
	}
	binary.LittleEndian.PutUint16(c[2:], uint16(len(keys)))
	for i, k := range keys {
		e := c[listHeader+8*i:]
		binary.LittleEndian.PutUint32(e, offs[i])
		if w.minor >= 5 {
			binary.LittleEndian.PutUint32(e[4:], nameHash(k.name))
		} else {
			h := nameHint(k.name)
			copy(e[4:8], h[:])
		}
	}
	return off
}

func (w *writer) value(v *Value) (uint32, error) {
	le := binary.LittleEndian
	nameB, comp := encodeName(v.Name)
	if len(nameB) > 0xFFFF {
		return 0, fmt.Errorf("%w: value name too long", ErrInvalidName)
	}
	if len(v.Data) > MaxValueSize {
		return 0, fmt.Errorf("%w: value %q is %d bytes (maximum %d)", ErrLimit, v.Name, len(v.Data), MaxValueSize)
	}
	off := w.alloc(vkFixedSize + len(nameB))
	n := len(v.Data)
	size, dataField := uint32(n), uint32(noCell)
	var inline [4]byte
	switch {
	case n <= 4:
		size |= vkInline
		copy(inline[:], v.Data)
		dataField = le.Uint32(inline[:])
	case n > bigDataSegment && w.minor >= 4:
		dataField = w.bigData(v.Data)
	default:
		dataField = w.alloc(n)
		copy(w.data(dataField), v.Data)
	}
	c := w.data(off)
	copy(c, "vk")
	le.PutUint16(c[vkNameLen:], uint16(len(nameB)))
	le.PutUint32(c[vkDataSize:], size)
	le.PutUint32(c[vkData:], dataField)
	le.PutUint32(c[vkType:], uint32(v.Type))
	var flags uint16
	if comp && len(nameB) > 0 {
		flags |= vkCompName
	}
	le.PutUint16(c[vkFlags:], flags)
	copy(c[vkName:], nameB)
	return off, nil
}

func (w *writer) bigData(d []byte) uint32 {
	n := (len(d) + bigDataSegment - 1) / bigDataSegment
	db := w.alloc(dbFixedSize)
	list := w.alloc(4 * n)
	for i := 0; i < n; i++ {
		seg := d[i*bigDataSegment : min(len(d), (i+1)*bigDataSegment)]
		// Four bytes of slack after every segment: hivex reads a segment
		// as its cell size minus 8, so a short last segment needs them.
		so := w.alloc(len(seg) + 4)
		copy(w.data(so), seg)
		binary.LittleEndian.PutUint32(w.data(list)[4*i:], so)
	}
	c := w.data(db)
	copy(c, "db")
	binary.LittleEndian.PutUint16(c[dbNumSegments:], uint16(n))
	binary.LittleEndian.PutUint32(c[dbSegmentList:], list)
	return db
}
