package regf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"unicode/utf16"
)

// ParseOption configures Parse.
type ParseOption func(*parseConfig)

type parseConfig struct {
	allowDirty bool
}

// AllowDirty makes Parse accept a dirty hive (unequal sequence numbers or a
// bad base-block checksum): the result has Dirty set and may miss changes
// held in a transaction log, which this package does not replay.
func AllowDirty() ParseOption { return func(c *parseConfig) { c.allowDirty = true } }

// Parse reads a hive file into memory. It is tolerant of everything Windows
// writes (versions 1.3 to 1.6, li/lf/lh/ri subkey lists in any version,
// unsorted lists, big data, Latin-1 and UTF-16 names, slack after the last
// bin) and strict about anything that would make the tree ambiguous or
// lose data when the hive is written back: every offset and length is
// checked, a cell serves one purpose (only security cells are shared),
// cell sizes are multiples of 8, a key's subkey count matches its list and
// inline value data is at most 4 bytes; corruption gives a *FormatError
// with the file offset. A dirty hive gives an error matching ErrDirty unless
// AllowDirty is passed.
func Parse(data []byte, opts ...ParseOption) (*Hive, error) {
	var cfg parseConfig
	for _, o := range opts {
		o(&cfg)
	}
	h := &Hive{}
	hd, err := parseBaseBlock(data)
	if err != nil {
		return nil, err
	}
	if hd.dirty != nil {
		if !cfg.allowDirty {
			return nil, hd.dirty
		}
		h.Dirty = true
	}
	h.MinorVersion = hd.minor
	h.Sequence = hd.seq2 + 1
	h.Timestamp = hd.timestamp
	h.FileName = hd.fileName
	p := &parser{
		bins:  data[baseBlockSize : baseBlockSize+int(hd.hbinsSize)],
		minor: hd.minor,
		seen:  make(map[uint32]bool),
		sds:   make(map[uint32][]byte),
		refs:  make(map[uint32]string),
	}
	if string(p.bins[:4]) != "hbin" {
		return nil, &FormatError{Offset: baseBlockSize, What: "first hive bin has no \"hbin\" signature"}
	}
	root, err := p.key(hd.rootCell, nil, h, 0)
	if err != nil {
		return nil, err
	}
	h.root = root
	h.DefaultSecurity = root.security
	if h.DefaultSecurity == nil {
		h.DefaultSecurity = append([]byte(nil), DefaultSecurityDescriptor...)
	}
	return h, nil
}

type baseBlock struct {
	seq1, seq2   uint32
	timestamp    uint64
	major, minor uint32
	rootCell     uint32
	hbinsSize    uint32
	fileName     string
	dirty        error // non-nil: why the hive is dirty
}

// checksum computes the base block checksum over its first 508 bytes.
func checksum(b []byte) uint32 {
	var c uint32
	for i := 0; i < bbChecksum; i += 4 {
		c ^= binary.LittleEndian.Uint32(b[i:])
	}
	switch c {
	case 0xFFFFFFFF:
		c = 0xFFFFFFFE
	case 0:
		c = 1
	}
	return c
}

func parseBaseBlock(data []byte) (*baseBlock, error) {
	if len(data) < baseBlockSize {
		return nil, &FormatError{Offset: int64(len(data)), What: fmt.Sprintf("file is %d bytes, shorter than the %d-byte base block", len(data), baseBlockSize)}
	}
	if string(data[:4]) != "regf" {
		return nil, &FormatError{Offset: 0, What: "no \"regf\" signature"}
	}
	le := binary.LittleEndian
	b := &baseBlock{
		seq1:      le.Uint32(data[bbSeq1:]),
		seq2:      le.Uint32(data[bbSeq2:]),
		timestamp: le.Uint64(data[bbTimestamp:]),
		major:     le.Uint32(data[bbMajor:]),
		minor:     le.Uint32(data[bbMinor:]),
		rootCell:  le.Uint32(data[bbRootCell:]),
		hbinsSize: le.Uint32(data[bbHbinsSize:]),
	}
	if b.major != 1 || b.minor < 3 || b.minor > 6 {
		return nil, &FormatError{Offset: bbMajor, What: fmt.Sprintf("format version %d.%d (1.3 to 1.6 are supported)", b.major, b.minor), Err: ErrUnsupported}
	}
	if t := le.Uint32(data[bbFileType:]); t != 0 {
		return nil, &FormatError{Offset: bbFileType, What: fmt.Sprintf("file type %d is not a primary hive file (transaction logs are not supported)", t), Err: ErrUnsupported}
	}
	if b.hbinsSize == 0 || b.hbinsSize%hbinAlign != 0 || b.hbinsSize > MaxHiveSize {
		return nil, &FormatError{Offset: bbHbinsSize, What: fmt.Sprintf("hive bins size 0x%x is not a non-zero multiple of 4096 up to 0x%x", b.hbinsSize, MaxHiveSize)}
	}
	if int64(len(data)) < baseBlockSize+int64(b.hbinsSize) {
		return nil, &FormatError{Offset: int64(len(data)), What: fmt.Sprintf("file is truncated: hive bins need 0x%x bytes after the base block, 0x%x present", b.hbinsSize, len(data)-baseBlockSize)}
	}
	u := make([]uint16, 0, bbFileNameSz/2)
	for i := 0; i < bbFileNameSz; i += 2 {
		c := le.Uint16(data[bbFileName+i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	b.fileName = string(utf16.Decode(u))
	if sum := le.Uint32(data[bbChecksum:]); sum != checksum(data) {
		b.dirty = &FormatError{Offset: bbChecksum, What: fmt.Sprintf("base block checksum 0x%08x, computed 0x%08x", sum, checksum(data)), Err: ErrDirty}
	} else if b.seq1 != b.seq2 {
		b.dirty = fmt.Errorf("%w: primary sequence %d, secondary %d", ErrDirty, b.seq1, b.seq2)
	}
	return b, nil
}

type parser struct {
	bins  []byte
	minor uint32
	seen  map[uint32]bool   // key node cells already visited (cycles, shared nodes)
	sds   map[uint32][]byte // security descriptors by sk cell offset
	refs  map[uint32]string // what each cell read so far was read as
	nkeys int
}

// fileOff converts a cell offset to a file offset for error messages.
func fileOff(cell uint32) int64 { return baseBlockSize + int64(cell) }

func (p *parser) errf(cell uint32, format string, args ...any) error {
	return &FormatError{Offset: fileOff(cell), What: fmt.Sprintf(format, args...)}
}

// cell returns the data of the allocated cell at a cell offset (without the
// size field). what names the expected content for error messages.
func (p *parser) cell(off uint32, what string) ([]byte, error) {
	if off == noCell {
		return nil, p.errf(off, "%s: offset is 0xFFFFFFFF (none)", what)
	}
	if off%4 != 0 || int64(off)+4 > int64(len(p.bins)) {
		return nil, &FormatError{Offset: fileOff(off), What: fmt.Sprintf("%s: cell offset 0x%x outside the hive bins (0x%x bytes) or misaligned", what, off, len(p.bins))}
	}
	size := int32(binary.LittleEndian.Uint32(p.bins[off:]))
	if size >= 0 {
		return nil, p.errf(off, "%s: cell is not allocated (size %d)", what, size)
	}
	n := -int64(size)
	if n < 8 || int64(off)+n > int64(len(p.bins)) {
		return nil, p.errf(off, "%s: cell size %d runs past the hive bins", what, n)
	}
	if n%8 != 0 {
		return nil, p.errf(off, "%s: cell size %d is not a multiple of 8", what, n)
	}
	// A cell read for two purposes (a value's data offset pointing at
	// its own vk cell, a class name at a key node) would be read as
	// whatever it is not; only security cells are shared between keys.
	if prev, ok := p.refs[off]; ok && !(prev == "security" && what == "security") {
		return nil, p.errf(off, "%s: the cell is also referenced as %s", what, prev)
	}
	p.refs[off] = what
	return p.bins[off+4 : int64(off)+n], nil
}

func (p *parser) key(off uint32, parent *Key, h *Hive, depth int) (*Key, error) {
	if depth > MaxDepth {
		return nil, &FormatError{Offset: fileOff(off), What: fmt.Sprintf("key nesting deeper than %d", MaxDepth), Err: ErrLimit}
	}
	if p.seen[off] {
		return nil, p.errf(off, "key node referenced twice (cycle or shared subtree)")
	}
	p.seen[off] = true
	p.nkeys++
	if p.nkeys > MaxKeys {
		return nil, &FormatError{Offset: fileOff(off), What: fmt.Sprintf("more than %d keys", MaxKeys), Err: ErrLimit}
	}
	c, err := p.cell(off, "key node")
	if err != nil {
		return nil, err
	}
	if len(c) < nkFixedSize || c[0] != 'n' || c[1] != 'k' {
		return nil, p.errf(off, "key node: no \"nk\" signature or cell too small (%d bytes)", len(c))
	}
	le := binary.LittleEndian
	flags := le.Uint16(c[nkFlags:])
	nameLen := int(le.Uint16(c[nkNameLen:]))
	if nkName+nameLen > len(c) {
		return nil, p.errf(off, "key node: name length %d exceeds the cell", nameLen)
	}
	k := &Key{
		hive:       h,
		parent:     parent,
		lastWrite:  le.Uint64(c[nkLastWrite:]),
		access:     le.Uint32(c[nkAccess:]),
		flags:      flags &^ nkRecomputed,
		flagsExtra: uint16(le.Uint32(c[nkMaxNameLen:]) >> 16),
	}
	nb := c[nkName : nkName+nameLen]
	if flags&nkCompName != 0 {
		k.name = latin1ToName(nb)
	} else {
		if nameLen%2 != 0 {
			return nil, p.errf(off, "key node: UTF-16 name has odd length %d", nameLen)
		}
		k.name = unitsToName(utf16Units(nb))
	}
	if parent != nil {
		if k.name == "" {
			return nil, p.errf(off, "key node: empty name")
		}
		if bytes.IndexByte([]byte(k.name), '\\') >= 0 {
			return nil, p.errf(off, "key node: name %q contains a backslash", k.name)
		}
	}
	k.fold = foldName(k.name)

	// class name
	if clOff, clLen := le.Uint32(c[nkClass:]), int(le.Uint16(c[nkClassLen:])); clOff != noCell && clLen > 0 {
		cc, err := p.cell(clOff, "class name")
		if err != nil {
			return nil, err
		}
		if clLen > len(cc) {
			return nil, p.errf(clOff, "class name: length %d exceeds the cell (%d bytes)", clLen, len(cc))
		}
		k.class = unitsToName(utf16Units(cc[:clLen]))
	}

	// security
	if skOff := le.Uint32(c[nkSecurity:]); skOff != noCell {
		sd, err := p.security(skOff)
		if err != nil {
			return nil, err
		}
		k.security = sd
	}

	// values
	nv := le.Uint32(c[nkNumValues:])
	if nv > MaxValues {
		return nil, &FormatError{Offset: fileOff(off) + 4 + nkNumValues, What: fmt.Sprintf("key node: %d values", nv), Err: ErrLimit}
	}
	if nv > 0 && flags&nkPredef == 0 {
		vlOff := le.Uint32(c[nkValueList:])
		vl, err := p.cell(vlOff, "value list")
		if err != nil {
			return nil, err
		}
		if int(nv)*4 > len(vl) {
			return nil, p.errf(vlOff, "value list: %d values do not fit in %d bytes", nv, len(vl))
		}
		k.values = make([]*Value, 0, nv)
		for i := 0; i < int(nv); i++ {
			v, err := p.value(le.Uint32(vl[4*i:]))
			if err != nil {
				return nil, err
			}
			k.values = append(k.values, v)
		}
	}

	// subkeys
	ns := le.Uint32(c[nkNumSubkeys:])
	if ns > MaxSubkeys {
		return nil, &FormatError{Offset: fileOff(off) + 4 + nkNumSubkeys, What: fmt.Sprintf("key node: %d subkeys", ns), Err: ErrLimit}
	}
	if ns > 0 {
		var offs []uint32
		if err := p.subkeyList(le.Uint32(c[nkSubkeyList:]), &offs, 0); err != nil {
			return nil, err
		}
		if len(offs) != int(ns) {
			return nil, p.errf(off, "key %q: subkey count %d, but its subkey list holds %d", k.name, ns, len(offs))
		}
		k.subkeys = make([]*Key, 0, len(offs))
		for _, so := range offs {
			sk, err := p.key(so, k, h, depth+1)
			if err != nil {
				return nil, err
			}
			k.subkeys = append(k.subkeys, sk)
		}
		sort.SliceStable(k.subkeys, func(i, j int) bool { return k.subkeys[i].fold < k.subkeys[j].fold })
		for i := 1; i < len(k.subkeys); i++ {
			if k.subkeys[i].fold == k.subkeys[i-1].fold {
				return nil, p.errf(off, "key %q has two subkeys named %q", k.name, k.subkeys[i].name)
			}
		}
	}
	return k, nil
}

// subkeyList appends the key node offsets of an li/lf/lh/ri list.
func (p *parser) subkeyList(off uint32, out *[]uint32, level int) error {
	c, err := p.cell(off, "subkey list")
	if err != nil {
		return err
	}
	if len(c) < listHeader {
		return p.errf(off, "subkey list: cell too small")
	}
	n := int(binary.LittleEndian.Uint16(c[2:]))
	sig := string(c[:2])
	elem := 8
	switch sig {
	case "lf", "lh":
	case "li":
		elem = 4
	case "ri":
		elem = 4
		if level > 0 {
			return p.errf(off, "subkey list: index root inside an index root")
		}
	default:
		return p.errf(off, "subkey list: unknown signature %q", sig)
	}
	if listHeader+n*elem > len(c) {
		return p.errf(off, "subkey list: %d elements do not fit in %d bytes", n, len(c))
	}
	for i := 0; i < n; i++ {
		e := binary.LittleEndian.Uint32(c[listHeader+i*elem:])
		if sig == "ri" {
			if err := p.subkeyList(e, out, level+1); err != nil {
				return err
			}
			continue
		}
		if len(*out) >= MaxSubkeys {
			return &FormatError{Offset: fileOff(off), What: fmt.Sprintf("subkey list: more than %d subkeys", MaxSubkeys), Err: ErrLimit}
		}
		*out = append(*out, e)
	}
	return nil
}

func (p *parser) security(off uint32) ([]byte, error) {
	if sd, ok := p.sds[off]; ok {
		return sd, nil
	}
	c, err := p.cell(off, "security")
	if err != nil {
		return nil, err
	}
	if len(c) < skFixedSize || c[0] != 's' || c[1] != 'k' {
		return nil, p.errf(off, "security: no \"sk\" signature or cell too small")
	}
	n := binary.LittleEndian.Uint32(c[skSDSize:])
	if n > MaxSecuritySize || int64(skSD)+int64(n) > int64(len(c)) {
		return nil, p.errf(off, "security: descriptor of %d bytes exceeds the cell (%d bytes)", n, len(c))
	}
	if n < 20 || c[skSD] != 1 || binary.LittleEndian.Uint16(c[skSD+2:])&0x8000 == 0 {
		return nil, p.errf(off, "security: not a self-relative revision 1 security descriptor")
	}
	sd := append([]byte(nil), c[skSD:skSD+int(n)]...)
	p.sds[off] = sd
	return sd, nil
}

func (p *parser) value(off uint32) (*Value, error) {
	c, err := p.cell(off, "value")
	if err != nil {
		return nil, err
	}
	if len(c) < vkFixedSize || c[0] != 'v' || c[1] != 'k' {
		return nil, p.errf(off, "value: no \"vk\" signature or cell too small")
	}
	le := binary.LittleEndian
	nameLen := int(le.Uint16(c[vkNameLen:]))
	if vkName+nameLen > len(c) {
		return nil, p.errf(off, "value: name length %d exceeds the cell", nameLen)
	}
	v := &Value{Type: ValueType(le.Uint32(c[vkType:]))}
	nb := c[vkName : vkName+nameLen]
	if le.Uint16(c[vkFlags:])&vkCompName != 0 {
		v.Name = latin1ToName(nb)
	} else {
		if nameLen%2 != 0 {
			return nil, p.errf(off, "value: UTF-16 name has odd length %d", nameLen)
		}
		v.Name = unitsToName(utf16Units(nb))
	}
	size := le.Uint32(c[vkDataSize:])
	dataOff := le.Uint32(c[vkData:])
	switch {
	case size&vkInline != 0:
		n := size &^ vkInline
		if n > 4 {
			return nil, &FormatError{Offset: fileOff(off) + 4 + vkDataSize, What: fmt.Sprintf("value %q: inline data of %d bytes (at most 4 fit)", v.Name, n)}
		}
		v.Data = append([]byte{}, c[vkData:vkData+int(n)]...)
	case size == 0:
		v.Data = []byte{}
	default:
		if size > MaxValueSize {
			return nil, &FormatError{Offset: fileOff(off) + 4 + vkDataSize, What: fmt.Sprintf("value %q: data size %d", v.Name, size), Err: ErrLimit}
		}
		d, err := p.data(dataOff, int(size), v.Name)
		if err != nil {
			return nil, err
		}
		v.Data = d
	}
	return v, nil
}

// data reads size bytes of value data from a data cell or a big data record.
func (p *parser) data(off uint32, size int, name string) ([]byte, error) {
	c, err := p.cell(off, "value data")
	if err != nil {
		return nil, err
	}
	if size > bigDataSegment && p.minor >= 4 && len(c) >= dbFixedSize && c[0] == 'd' && c[1] == 'b' {
		return p.bigData(off, c, size, name)
	}
	if size > len(c) {
		return nil, p.errf(off, "value %q: data size %d exceeds its cell (%d bytes)", name, size, len(c))
	}
	return append([]byte(nil), c[:size]...), nil
}

func (p *parser) bigData(off uint32, c []byte, size int, name string) ([]byte, error) {
	le := binary.LittleEndian
	n := int(le.Uint16(c[dbNumSegments:]))
	if n*bigDataSegment < size {
		return nil, p.errf(off, "value %q: %d big data segments cannot hold %d bytes", name, n, size)
	}
	listOff := le.Uint32(c[dbSegmentList:])
	l, err := p.cell(listOff, "big data segment list")
	if err != nil {
		return nil, err
	}
	if 4*n > len(l) {
		return nil, p.errf(listOff, "value %q: %d segment offsets do not fit in %d bytes", name, n, len(l))
	}
	out := make([]byte, 0, size)
	for i := 0; i < n && len(out) < size; i++ {
		so := le.Uint32(l[4*i:])
		s, err := p.cell(so, "big data segment")
		if err != nil {
			return nil, err
		}
		want := min(size-len(out), bigDataSegment)
		if want > len(s) {
			return nil, p.errf(so, "value %q: big data segment holds %d bytes, %d needed", name, len(s), want)
		}
		out = append(out, s[:want]...)
	}
	return out, nil
}
