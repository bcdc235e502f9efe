package regf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// maxValidationErrors caps how many problems Validate reports.
const maxValidationErrors = 50

// Validate checks a hive file strictly, beyond what Parse needs and what the
// Linux registry tools check. It reports every broken rule it finds (up to
// 50), joined; each is a *ValidationError (errors.Is(err, ErrInvalid)).
//
// Rules: base block signature, checksum, equal sequence numbers, version
// 1.3 to 1.6, primary file type, direct-load format, hive bins size a
// non-zero multiple of 4096 within the file; hive bins contiguous ("hbin",
// offset chain, sizes multiples of 4096) and tiled exactly by cells with
// 8-aligned sizes; every referenced offset is the start of an allocated cell
// of the right kind and size, referenced once (sk cells: once per key);
// nk parent pointers, subkey and value counts, subkey lists sorted strictly
// by upper-cased name (no duplicates), ri pointing only at leaves, lf hints
// and lh hashes correct (li, lf and lh are accepted in any version: hivex
// writes lh lists into 1.3 hives), largest-name/class/value fields not smaller than
// the children need; vk inline data at most 4 bytes, data cells large
// enough, big data only for minor >= 4 with full segments, no duplicate
// value names; sk cells in one circular doubly linked list with reference
// counts equal to the number of keys using them; no allocated cell left
// unreferenced.
func Validate(data []byte) error {
	v := &validator{data: data, cells: make(map[uint32]int32), used: make(map[uint32]string), skRefs: make(map[uint32]uint32)}
	v.run()
	return errors.Join(v.errs...)
}

type validator struct {
	data   []byte
	bins   []byte
	minor  uint32
	cells  map[uint32]int32 // every cell start -> size field
	used   map[uint32]string
	skRefs map[uint32]uint32
	skSeen []uint32
	errs   []error
	nkeys  int
}

func (v *validator) fail(off int64, format string, args ...any) {
	if len(v.errs) < maxValidationErrors {
		v.errs = append(v.errs, &ValidationError{Offset: off, What: fmt.Sprintf(format, args...)})
	}
}

func (v *validator) failCell(cell uint32, format string, args ...any) {
	v.fail(fileOff(cell), format, args...)
}

func (v *validator) run() {
	d := v.data
	le := binary.LittleEndian
	if len(d) < baseBlockSize {
		v.fail(0, "file is %d bytes, shorter than the base block", len(d))
		return
	}
	if string(d[:4]) != "regf" {
		v.fail(0, "no \"regf\" signature")
		return
	}
	if s, c := le.Uint32(d[bbChecksum:]), checksum(d); s != c {
		v.fail(bbChecksum, "base block checksum is 0x%08x, should be 0x%08x", s, c)
	}
	if s1, s2 := le.Uint32(d[bbSeq1:]), le.Uint32(d[bbSeq2:]); s1 != s2 {
		v.fail(bbSeq1, "sequence numbers differ (%d, %d): the hive is dirty", s1, s2)
	}
	major, minor := le.Uint32(d[bbMajor:]), le.Uint32(d[bbMinor:])
	if major != 1 || minor < 3 || minor > 6 {
		v.fail(bbMajor, "version %d.%d is not 1.3 to 1.6", major, minor)
	}
	v.minor = minor
	if t := le.Uint32(d[bbFileType:]); t != 0 {
		v.fail(bbFileType, "file type %d is not 0 (primary file)", t)
	}
	if f := le.Uint32(d[bbFileFormat:]); f != 1 {
		v.fail(bbFileFormat, "file format %d is not 1 (direct memory load)", f)
	}
	size := le.Uint32(d[bbHbinsSize:])
	if size == 0 || size%hbinAlign != 0 || int64(size) > int64(len(d))-baseBlockSize || size > MaxHiveSize {
		v.fail(bbHbinsSize, "hive bins size 0x%x is not a non-zero multiple of 4096 within the file (0x%x bytes after the base block)", size, len(d)-baseBlockSize)
		return
	}
	v.bins = d[baseBlockSize : baseBlockSize+int(size)]
	if !v.walkBins() {
		return
	}
	root := le.Uint32(d[bbRootCell:])
	v.key(root, noCell, 0)
	v.checkSecurityList()
	if len(v.errs) == 0 {
		var leaked []uint32
		for off, sz := range v.cells {
			if sz < 0 && v.used[off] == "" {
				leaked = append(leaked, off)
			}
		}
		sort.Slice(leaked, func(i, j int) bool { return leaked[i] < leaked[j] })
		for _, off := range leaked {
			v.failCell(off, "allocated cell (%d bytes) is not referenced by anything", -v.cells[off])
		}
	}
}

// walkBins checks the hive bins and records every cell. It reports whether
// the cell map is usable.
func (v *validator) walkBins() bool {
	le := binary.LittleEndian
	ok := true
	for pos := 0; pos < len(v.bins); {
		if string(v.bins[pos:pos+4]) != "hbin" {
			v.fail(int64(baseBlockSize+pos), "no \"hbin\" signature where hive bin %#x should start", pos)
			return false
		}
		if o := le.Uint32(v.bins[pos+hbOffset:]); o != uint32(pos) {
			v.fail(int64(baseBlockSize+pos+hbOffset), "hive bin offset field 0x%x, bin is at 0x%x", o, pos)
			ok = false
		}
		bs := int(le.Uint32(v.bins[pos+hbSize:]))
		if bs < hbinAlign || bs%hbinAlign != 0 || pos+bs > len(v.bins) {
			v.fail(int64(baseBlockSize+pos+hbSize), "hive bin size 0x%x is not a multiple of 4096 inside the hive bins", bs)
			return false
		}
		for q := pos + hbinHeaderSize; q < pos+bs; {
			if q+4 > pos+bs {
				v.fail(int64(baseBlockSize+q), "cell header crosses the end of its hive bin")
				ok = false
				break
			}
			cs := int32(le.Uint32(v.bins[q:]))
			n := int(cs)
			if n < 0 {
				n = -n
			}
			if n == 0 || n%cellAlign != 0 || q+n > pos+bs {
				v.fail(int64(baseBlockSize+q), "cell size %d is zero, not a multiple of 8, or crosses the end of its hive bin", cs)
				ok = false
				break
			}
			v.cells[uint32(q)] = cs
			q += n
		}
		pos += bs
	}
	return ok
}

// ref claims the allocated cell at off for kind and returns its data (at
// least minLen bytes), or nil after reporting a problem.
func (v *validator) ref(off uint32, kind string, minLen int) []byte {
	cs, ok := v.cells[off]
	if !ok {
		v.failCell(off, "%s offset 0x%x is not the start of a cell", kind, off)
		return nil
	}
	if cs > 0 {
		v.failCell(off, "%s at 0x%x is a free cell", kind, off)
		return nil
	}
	if prev := v.used[off]; prev != "" {
		v.failCell(off, "%s at 0x%x is already used as %s", kind, off, prev)
		return nil
	}
	c := v.bins[off+4 : int(off)+int(-cs)]
	if len(c) < minLen {
		v.failCell(off, "%s cell has %d bytes, needs %d", kind, len(c), minLen)
		return nil
	}
	v.used[off] = kind
	return c
}

type childInfo struct {
	off  uint32
	hint []byte // lf hint or lh hash bytes; nil for li
	sig  string
}

func (v *validator) key(off, parent uint32, depth int) {
	le := binary.LittleEndian
	if depth > MaxDepth {
		v.failCell(off, "keys nested deeper than %d", MaxDepth)
		return
	}
	v.nkeys++
	if v.nkeys > MaxKeys {
		v.failCell(off, "more than %d keys", MaxKeys)
		return
	}
	c := v.ref(off, "key node", nkFixedSize)
	if c == nil {
		return
	}
	if string(c[:2]) != "nk" {
		v.failCell(off, "key node has signature %q, not \"nk\"", c[:2])
		return
	}
	flags := le.Uint16(c[nkFlags:])
	nameLen := int(le.Uint16(c[nkNameLen:]))
	if nkName+nameLen > len(c) {
		v.failCell(off, "key node name (%d bytes) exceeds its cell", nameLen)
		return
	}
	if parent == noCell {
		if flags&nkHiveEntry == 0 {
			v.failCell(off, "root key node lacks the KEY_HIVE_ENTRY flag")
		}
	} else {
		if p := le.Uint32(c[nkParent:]); p != parent {
			v.failCell(off, "key node parent field 0x%x, parent is at 0x%x", p, parent)
		}
		if flags&nkHiveEntry != 0 {
			v.failCell(off, "non-root key node has the KEY_HIVE_ENTRY flag")
		}
	}
	if flags&nkCompName == 0 && nameLen%2 != 0 {
		v.failCell(off, "UTF-16 key name has odd length %d", nameLen)
	}
	if clOff, clLen := le.Uint32(c[nkClass:]), int(le.Uint16(c[nkClassLen:])); clOff != noCell {
		v.ref(clOff, "class name", clLen)
	} else if clLen != 0 {
		v.failCell(off, "class name length %d without a class name cell", clLen)
	}
	if sk := le.Uint32(c[nkSecurity:]); sk == noCell {
		v.failCell(off, "key node has no security cell")
	} else {
		v.security(sk)
	}

	// values
	nv := int(le.Uint32(c[nkNumValues:]))
	var maxVN, maxVD int
	if nv > MaxValues {
		v.failCell(off, "%d values (maximum %d)", nv, MaxValues)
	} else if nv > 0 {
		vl := v.ref(le.Uint32(c[nkValueList:]), "value list", 4*nv)
		seen := make(map[string]bool, nv)
		for i := 0; vl != nil && i < nv; i++ {
			name, nameUnitsLen, size, ok := v.value(le.Uint32(vl[4*i:]))
			if !ok {
				continue
			}
			f := foldName(name)
			if seen[f] {
				v.failCell(off, "key has two values named %q", name)
			}
			seen[f] = true
			maxVN = max(maxVN, 2*nameUnitsLen)
			maxVD = max(maxVD, size)
		}
	}
	if got := int(le.Uint32(c[nkMaxValueName:])); got < maxVN {
		v.failCell(off, "largest value name length field %d, a value name needs %d", got, maxVN)
	}
	if got := int(le.Uint32(c[nkMaxValueData:])); got < maxVD {
		v.failCell(off, "largest value data field %d, a value has %d bytes", got, maxVD)
	}

	// subkeys
	ns := int(le.Uint32(c[nkNumSubkeys:]))
	if ns > MaxSubkeys {
		v.failCell(off, "%d subkeys (maximum %d)", ns, MaxSubkeys)
		return
	}
	if ns == 0 {
		return
	}
	listOff := le.Uint32(c[nkSubkeyList:])
	var kids []childInfo
	v.list(listOff, &kids, 0)
	if len(kids) != ns {
		v.failCell(off, "key node says %d subkeys, its list holds %d", ns, len(kids))
	}
	var prev string
	var maxN, maxC int
	for i, k := range kids {
		kc, ok := v.cells[k.off]
		if !ok || kc > 0 || v.used[k.off] != "" {
			v.key(k.off, off, depth+1) // reports the problem
			continue
		}
		sub := v.bins[k.off+4 : int(k.off)+int(-kc)]
		if len(sub) < nkFixedSize || string(sub[:2]) != "nk" {
			v.key(k.off, off, depth+1)
			continue
		}
		name, units, ok := v.nkName(sub)
		if ok {
			f := foldName(name)
			if i > 0 && f <= prev {
				v.failCell(listOff, "subkey list is not sorted by upper-cased name: %q after %q (or duplicate)", name, prev)
			}
			prev = f
			switch k.sig {
			case "lf":
				if h := nameHint(name); string(h[:]) != string(k.hint) {
					v.failCell(listOff, "lf hint %q for subkey %q, should be %q", k.hint, name, h[:])
				}
			case "lh":
				if h := nameHash(name); le.Uint32(k.hint) != h {
					v.failCell(listOff, "lh hash 0x%08x for subkey %q, should be 0x%08x", le.Uint32(k.hint), name, h)
				}
			}
			maxN = max(maxN, 2*units)
			maxC = max(maxC, int(le.Uint16(sub[nkClassLen:])))
		}
		v.key(k.off, off, depth+1)
	}
	if got := int(le.Uint32(c[nkMaxNameLen:]) & 0xFFFF); got < maxN {
		v.failCell(off, "largest subkey name length field %d, a subkey name needs %d", got, maxN)
	}
	if got := int(le.Uint32(c[nkMaxClassLen:])); got < maxC {
		v.failCell(off, "largest subkey class length field %d, a subkey class needs %d", got, maxC)
	}
}

// nkName decodes the name of a key node cell; units is its UTF-16 length.
func (v *validator) nkName(c []byte) (string, int, bool) {
	le := binary.LittleEndian
	n := int(le.Uint16(c[nkNameLen:]))
	if nkName+n > len(c) {
		return "", 0, false
	}
	b := c[nkName : nkName+n]
	var s string
	if le.Uint16(c[nkFlags:])&nkCompName != 0 {
		s = latin1ToName(b)
	} else {
		s = unitsToName(utf16Units(b))
	}
	return s, len(nameUnits(s)), true
}

func (v *validator) list(off uint32, out *[]childInfo, level int) {
	c := v.ref(off, "subkey list", listHeader)
	if c == nil {
		return
	}
	sig := string(c[:2])
	n := int(binary.LittleEndian.Uint16(c[2:]))
	elem := 8
	switch sig {
	case "lf", "lh":
	case "li":
		elem = 4
	case "ri":
		elem = 4
		if level > 0 {
			v.failCell(off, "index root points at another index root")
			return
		}
	default:
		v.failCell(off, "subkey list has unknown signature %q", sig)
		return
	}
	if listHeader+n*elem > len(c) {
		v.failCell(off, "subkey list of %d elements exceeds its cell", n)
		return
	}
	if n == 0 {
		v.failCell(off, "empty subkey list")
	}
	for i := 0; i < n; i++ {
		e := c[listHeader+i*elem:]
		o := binary.LittleEndian.Uint32(e)
		if sig == "ri" {
			v.list(o, out, level+1)
			continue
		}
		ci := childInfo{off: o, sig: sig}
		if elem == 8 {
			ci.hint = e[4:8]
		}
		if len(*out) < MaxSubkeys {
			*out = append(*out, ci)
		}
	}
}

func (v *validator) security(off uint32) {
	if v.skRefs[off] > 0 {
		v.skRefs[off]++
		return
	}
	c := v.ref(off, "security", skFixedSize)
	if c == nil {
		return
	}
	if string(c[:2]) != "sk" {
		v.failCell(off, "security cell has signature %q, not \"sk\"", c[:2])
		return
	}
	n := binary.LittleEndian.Uint32(c[skSDSize:])
	if int64(skSD)+int64(n) > int64(len(c)) {
		v.failCell(off, "security descriptor of %d bytes exceeds its cell", n)
	} else if n < 20 || c[skSD] != 1 || binary.LittleEndian.Uint16(c[skSD+2:])&0x8000 == 0 {
		v.failCell(off, "security descriptor is not a self-relative revision 1 descriptor")
	}
	v.skRefs[off] = 1
	v.skSeen = append(v.skSeen, off)
}

// checkSecurityList walks the sk ring and compares reference counts.
func (v *validator) checkSecurityList() {
	if len(v.skSeen) == 0 {
		return
	}
	le := binary.LittleEndian
	inRing := make(map[uint32]bool)
	start := v.skSeen[0]
	cur := start
	for steps := 0; ; steps++ {
		if steps > len(v.cells) {
			v.failCell(start, "security cell list does not return to its start")
			return
		}
		inRing[cur] = true
		c := v.bins[cur+4:]
		next := le.Uint32(c[skFlink:])
		if next == start {
			if b := le.Uint32(v.bins[start+4+skBlink:]); b != cur {
				v.failCell(start, "security cell blink 0x%x, previous cell is 0x%x", b, cur)
			}
			break
		}
		cs, ok := v.cells[next]
		if !ok || cs > 0 || -int(cs) < 4+skFixedSize || string(v.bins[next+4:next+6]) != "sk" {
			v.failCell(cur, "security cell flink 0x%x does not point at a security cell", next)
			return
		}
		if inRing[next] {
			v.failCell(cur, "security cell list loops without returning to its start")
			return
		}
		if b := le.Uint32(v.bins[next+4+skBlink:]); b != cur {
			v.failCell(next, "security cell blink 0x%x, previous cell is 0x%x", b, cur)
		}
		if v.used[next] == "" {
			v.used[next] = "security (unreferenced)"
		}
		cur = next
	}
	for off := range inRing {
		got := le.Uint32(v.bins[off+4+skRefCount:])
		if want := v.skRefs[off]; got != want {
			v.failCell(off, "security cell reference count %d, %d keys use it", got, want)
		}
	}
	for _, off := range v.skSeen {
		if !inRing[off] {
			v.failCell(off, "security cell is not in the security cell list")
		}
	}
}

// value checks a vk cell; it returns the name, its UTF-16 length and the
// data size.
func (v *validator) value(off uint32) (string, int, int, bool) {
	le := binary.LittleEndian
	c := v.ref(off, "value", vkFixedSize)
	if c == nil {
		return "", 0, 0, false
	}
	if string(c[:2]) != "vk" {
		v.failCell(off, "value has signature %q, not \"vk\"", c[:2])
		return "", 0, 0, false
	}
	nl := int(le.Uint16(c[vkNameLen:]))
	if vkName+nl > len(c) {
		v.failCell(off, "value name (%d bytes) exceeds its cell", nl)
		return "", 0, 0, false
	}
	var name string
	if le.Uint16(c[vkFlags:])&vkCompName != 0 {
		name = latin1ToName(c[vkName : vkName+nl])
	} else {
		if nl%2 != 0 {
			v.failCell(off, "UTF-16 value name has odd length %d", nl)
		}
		name = unitsToName(utf16Units(c[vkName : vkName+nl]))
	}
	size := le.Uint32(c[vkDataSize:])
	d := le.Uint32(c[vkData:])
	if size&vkInline != 0 {
		n := size &^ vkInline
		if n > 4 {
			v.failCell(off, "value %q: inline data size %d is more than 4", name, n)
		}
		return name, len(nameUnits(name)), int(n), true
	}
	if size == 0 {
		return name, len(nameUnits(name)), 0, true
	}
	if size > MaxValueSize {
		v.failCell(off, "value %q: data size %d is more than %d", name, size, MaxValueSize)
		return name, len(nameUnits(name)), 0, true
	}
	if size > bigDataSegment && v.minor >= 4 {
		if cs, ok := v.cells[d]; ok && cs < 0 && -cs >= 4+dbFixedSize && string(v.bins[d+4:d+6]) == "db" {
			v.bigData(d, int(size), name)
			return name, len(nameUnits(name)), int(size), true
		}
	}
	v.ref(d, "value data", int(size))
	return name, len(nameUnits(name)), int(size), true
}

func (v *validator) bigData(off uint32, size int, name string) {
	le := binary.LittleEndian
	c := v.ref(off, "big data", dbFixedSize)
	if c == nil {
		return
	}
	n := int(le.Uint16(c[dbNumSegments:]))
	if want := (size + bigDataSegment - 1) / bigDataSegment; n != want {
		v.failCell(off, "value %q: %d big data segments for %d bytes, should be %d", name, n, size, want)
		return
	}
	l := v.ref(le.Uint32(c[dbSegmentList:]), "big data segment list", 4*n)
	for i := 0; l != nil && i < n; i++ {
		want := min(bigDataSegment, size-i*bigDataSegment)
		v.ref(le.Uint32(l[4*i:]), "big data segment", want)
	}
}
