package regf

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Hive is an in-memory registry hive: a tree of keys plus the base-block
// fields worth keeping across a rewrite. A Hive is not safe for concurrent
// mutation.
type Hive struct {
	root *Key

	// MinorVersion is the format minor version Marshal writes (major is
	// always 1): 3 (lf subkey lists, no big data), 4 (lf + big data), 5 (lh
	// lists; the default for New) or 6. Parse keeps the file's version.
	MinorVersion uint32
	// Sequence is the sequence number Marshal writes into both sequence
	// fields. Parse sets it to the file's secondary sequence number + 1, so
	// a rewrite is newer than any transaction log of the old file; New sets 1.
	Sequence uint32
	// Timestamp is the base block's last-written FILETIME (also copied into
	// the first hive bin). New sets it from WithTime.
	Timestamp uint64
	// FileName is the debugging file name of the base block (at most 31
	// UTF-16 units are written).
	FileName string
	// Dirty is set by Parse (with AllowDirty) when the file's sequence
	// numbers differed: the tree may lack changes held in a log file.
	Dirty bool
	// KeyTime is the FILETIME given to keys created or changed through this
	// API. Zero leaves changed keys' times alone and gives new keys time 0.
	KeyTime uint64
	// DefaultSecurity is the self-relative security descriptor given to a
	// key that has none (the root of a new hive). New keys otherwise inherit
	// their parent's descriptor.
	DefaultSecurity []byte
}

// Key is one key of a Hive.
type Key struct {
	hive   *Hive
	parent *Key
	name   string
	fold   string // foldName(name): sort and lookup key

	class     string
	lastWrite uint64
	security  []byte
	// preserved from the file, see format.go: nk flags that are not
	// recomputed (symlink, virtualization, user flags), the access bits and
	// the upper half of the largest-subkey-name field (user/virtualization
	// flags, debug bits).
	flags      uint16
	access     uint32
	flagsExtra uint16

	subkeys []*Key // sorted by fold
	values  []*Value
	// vidx maps folded value names to indices into values (first
	// occurrence), for keys with many values; valid while vidxN equals
	// len(values).
	vidx  map[string]int
	vidxN int
}

// Option configures New.
type Option func(*Hive)

// WithRootName names the root key (default "ROOT"). bcdedit stores use
// "NewStoreRoot".
func WithRootName(name string) Option {
	return func(h *Hive) { h.root.name = name; h.root.fold = foldName(name) }
}

// WithTime sets the FILETIME used for the base block, the root key and every
// key created later (Hive.KeyTime). The default is 0; never the clock.
func WithTime(filetime uint64) Option {
	return func(h *Hive) { h.Timestamp = filetime; h.KeyTime = filetime; h.root.lastWrite = filetime }
}

// WithMinorVersion sets the minor format version (3..6) Marshal writes.
func WithMinorVersion(minor uint32) Option { return func(h *Hive) { h.MinorVersion = minor } }

// WithSecurity sets the self-relative security descriptor of the root key
// and Hive.DefaultSecurity.
func WithSecurity(sd []byte) Option {
	return func(h *Hive) {
		h.DefaultSecurity = append([]byte(nil), sd...)
		h.root.security = append([]byte(nil), sd...)
	}
}

// DefaultSecurityDescriptor is the descriptor New gives the root key:
// owner BUILTIN\Administrators, group SYSTEM, DACL granting KEY_ALL_ACCESS to
// Administrators and SYSTEM (O:BA G:SY D:(A;;KA;;;BA)(A;;KA;;;SY)), the
// descriptor bcdedit gives a new store's root.
var DefaultSecurityDescriptor = mustHex("01000480480000005800000000000000140000000200340002000000" +
	"000018003f000f0001020000000000052000000020020000000014003f000f000101000000000005" +
	"1200000001020000000000052000000020020000010100000000000512000000")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// New returns an empty hive: a root key named "ROOT" (see WithRootName) with
// DefaultSecurityDescriptor, minor version 5, sequence 1, all times 0 unless
// WithTime is given. The result is deterministic.
func New(opts ...Option) *Hive {
	h := &Hive{MinorVersion: 5, Sequence: 1}
	h.root = &Key{hive: h, name: "ROOT", fold: foldName("ROOT"), flags: 0}
	h.DefaultSecurity = append([]byte(nil), DefaultSecurityDescriptor...)
	h.root.security = append([]byte(nil), DefaultSecurityDescriptor...)
	for _, o := range opts {
		o(h)
	}
	return h
}

// Root returns the root key.
func (h *Hive) Root() *Key { return h.root }

// splitPath splits a `\`-separated path, ignoring empty components, so ""
// and `\` name the root.
func splitPath(path string) []string {
	var out []string
	for _, p := range strings.Split(path, `\`) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Key finds a key by path relative to the root (case-insensitive). "" or `\`
// is the root. A missing key gives an error matching ErrNotFound.
func (h *Hive) Key(path string) (*Key, error) {
	k := h.root
	for _, p := range splitPath(path) {
		c := k.Subkey(p)
		if c == nil {
			under := k.Path()
			if under == "" {
				under = `\`
			}
			return nil, fmt.Errorf("%w: key %q (no subkey %q under %q)", ErrNotFound, path, p, under)
		}
		k = c
	}
	return k, nil
}

// CreateKey returns the key at path, creating it and any missing parents.
func (h *Hive) CreateKey(path string) (*Key, error) {
	k := h.root
	for _, p := range splitPath(path) {
		c, err := k.CreateSubkey(p)
		if err != nil {
			return nil, err
		}
		k = c
	}
	return k, nil
}

// DeleteKey deletes the key at path with everything below it. The root
// cannot be deleted.
func (h *Hive) DeleteKey(path string) error {
	parts := splitPath(path)
	if len(parts) == 0 {
		return fmt.Errorf("%w: the root key cannot be deleted", ErrInvalidArgument)
	}
	parent, err := h.Key(strings.Join(parts[:len(parts)-1], `\`))
	if err != nil {
		return err
	}
	return parent.DeleteSubkey(parts[len(parts)-1])
}

// Name returns the key's name.
func (k *Key) Name() string { return k.name }

// Parent returns the parent key, nil for the root.
func (k *Key) Parent() *Key { return k.parent }

// Path returns the key's path from the root, `\`-separated with a leading
// `\`; the root's path is "".
func (k *Key) Path() string {
	if k.parent == nil {
		return ""
	}
	return k.parent.Path() + `\` + k.name
}

// Subkeys returns the subkeys sorted by upper-cased name (the hive order).
// The slice is a copy.
func (k *Key) Subkeys() []*Key { return append([]*Key(nil), k.subkeys...) }

// NumSubkeys returns the number of subkeys.
func (k *Key) NumSubkeys() int { return len(k.subkeys) }

// find returns the insertion index of fold and whether it is present.
func (k *Key) find(fold string) (int, bool) {
	i := sort.Search(len(k.subkeys), func(i int) bool { return k.subkeys[i].fold >= fold })
	return i, i < len(k.subkeys) && k.subkeys[i].fold == fold
}

// Subkey returns the subkey with this name (case-insensitive), or nil.
func (k *Key) Subkey(name string) *Key {
	if i, ok := k.find(foldName(name)); ok {
		return k.subkeys[i]
	}
	return nil
}

// CreateSubkey returns the subkey with this name, creating it if absent. A
// new key inherits the parent's security descriptor and gets Hive.KeyTime.
func (k *Key) CreateSubkey(name string) (*Key, error) {
	if err := checkKeyName(name); err != nil {
		return nil, err
	}
	fold := foldName(name)
	i, ok := k.find(fold)
	if ok {
		return k.subkeys[i], nil
	}
	if len(k.subkeys) >= MaxSubkeys {
		return nil, fmt.Errorf("%w: key %q already has %d subkeys", ErrLimit, k.Path(), len(k.subkeys))
	}
	if k.depth() >= MaxDepth {
		return nil, fmt.Errorf("%w: key %q is %d levels deep", ErrLimit, k.Path(), k.depth())
	}
	c := &Key{hive: k.hive, parent: k, name: name, fold: fold, lastWrite: k.hive.KeyTime, security: k.security}
	k.subkeys = append(k.subkeys, nil)
	copy(k.subkeys[i+1:], k.subkeys[i:])
	k.subkeys[i] = c
	k.touch()
	return c, nil
}

func (k *Key) depth() int {
	d := 0
	for p := k.parent; p != nil; p = p.parent {
		d++
	}
	return d
}

// DeleteSubkey deletes the named subkey and everything below it.
func (k *Key) DeleteSubkey(name string) error {
	i, ok := k.find(foldName(name))
	if !ok {
		return fmt.Errorf("%w: key %q has no subkey %q", ErrNotFound, k.Path(), name)
	}
	k.subkeys[i].parent = nil
	k.subkeys = append(k.subkeys[:i], k.subkeys[i+1:]...)
	k.touch()
	return nil
}

// touch records a change of the key (see Hive.KeyTime).
func (k *Key) touch() {
	if k.hive.KeyTime != 0 {
		k.lastWrite = k.hive.KeyTime
	}
}

// Values returns the key's values in hive order. The slice is a copy; the
// *Value elements are the key's own.
func (k *Key) Values() []*Value { return append([]*Value(nil), k.values...) }

// valueIndexMin is how many values a key has before its value lookups use
// an index (a linear scan per lookup made importing n values O(n²)).
const valueIndexMin = 32

func (k *Key) valueIndex(name string) int {
	fold := foldName(name)
	if len(k.values) < valueIndexMin {
		for i, v := range k.values {
			if len(v.Name) == len(name) && v.Name == name {
				return i
			}
			if foldName(v.Name) == fold {
				return i
			}
		}
		return -1
	}
	if k.vidx == nil || k.vidxN != len(k.values) {
		k.vidx = make(map[string]int, len(k.values))
		for i, v := range k.values {
			f := foldName(v.Name)
			if _, dup := k.vidx[f]; !dup {
				k.vidx[f] = i
			}
		}
		k.vidxN = len(k.values)
	}
	if i, ok := k.vidx[fold]; ok {
		return i
	}
	return -1
}

// Value returns the named value (case-insensitive; "" is the default
// value), or nil.
func (k *Key) Value(name string) *Value {
	if i := k.valueIndex(name); i >= 0 {
		return k.values[i]
	}
	return nil
}

// SetValue creates or replaces a value. The data is copied. Replacing keeps
// the value's position and the spelling of its existing name.
func (k *Key) SetValue(name string, t ValueType, data []byte) error {
	if err := checkValueName(name); err != nil {
		return err
	}
	if len(data) > MaxValueSize {
		return fmt.Errorf("%w: value %q is %d bytes (maximum %d)", ErrLimit, name, len(data), MaxValueSize)
	}
	d := append([]byte{}, data...)
	if i := k.valueIndex(name); i >= 0 {
		k.values[i].Type = t
		k.values[i].Data = d
	} else {
		if len(k.values) >= MaxValues {
			return fmt.Errorf("%w: key %q already has %d values", ErrLimit, k.Path(), len(k.values))
		}
		k.values = append(k.values, &Value{Name: name, Type: t, Data: d})
		if k.vidx != nil && k.vidxN == len(k.values)-1 {
			k.vidx[foldName(name)] = len(k.values) - 1
			k.vidxN++
		}
	}
	k.touch()
	return nil
}

// DeleteValue deletes the named value and reports whether it existed.
func (k *Key) DeleteValue(name string) bool {
	i := k.valueIndex(name)
	if i < 0 {
		return false
	}
	k.values = append(k.values[:i], k.values[i+1:]...)
	k.vidx = nil // indices moved
	k.touch()
	return true
}

// SetString sets a REG_SZ value.
func (k *Key) SetString(name, s string) error { return k.SetValue(name, REG_SZ, EncodeString(s)) }

// SetExpandString sets a REG_EXPAND_SZ value.
func (k *Key) SetExpandString(name, s string) error {
	return k.SetValue(name, REG_EXPAND_SZ, EncodeString(s))
}

// SetMultiString sets a REG_MULTI_SZ value.
func (k *Key) SetMultiString(name string, ss []string) error {
	b, err := EncodeMultiString(ss)
	if err != nil {
		return err
	}
	return k.SetValue(name, REG_MULTI_SZ, b)
}

// SetDWORD sets a REG_DWORD value (little-endian).
func (k *Key) SetDWORD(name string, v uint32) error {
	return k.SetValue(name, REG_DWORD, binary.LittleEndian.AppendUint32(nil, v))
}

// SetQWORD sets a REG_QWORD value (little-endian).
func (k *Key) SetQWORD(name string, v uint64) error {
	return k.SetValue(name, REG_QWORD, binary.LittleEndian.AppendUint64(nil, v))
}

// SetBinary sets a REG_BINARY value.
func (k *Key) SetBinary(name string, b []byte) error { return k.SetValue(name, REG_BINARY, b) }

// ClassName returns the key's class name ("" if none).
func (k *Key) ClassName() string { return k.class }

// SetClassName sets the key's class name ("" removes it).
func (k *Key) SetClassName(s string) error {
	if n := len(nameUnits(s)); n > MaxClassLen {
		return fmt.Errorf("%w: class name is %d characters long (maximum %d)", ErrInvalidName, n, MaxClassLen)
	}
	k.class = s
	k.touch()
	return nil
}

// Security returns the key's self-relative security descriptor (shared with
// other keys: do not modify it; use SetSecurity).
func (k *Key) Security() []byte { return k.security }

// SetSecurity replaces the key's self-relative security descriptor. Keys
// with byte-identical descriptors share one sk cell when written.
func (k *Key) SetSecurity(sd []byte) { k.security = append([]byte(nil), sd...) }

// LastWrite returns the key's last-written FILETIME.
func (k *Key) LastWrite() uint64 { return k.lastWrite }

// SetLastWrite sets the key's last-written FILETIME.
func (k *Key) SetLastWrite(filetime uint64) { k.lastWrite = filetime }

// IsSymlink reports whether the key is a symbolic link (KEY_SYM_LINK; its
// target is the REG_LINK value "SymbolicLinkValue").
func (k *Key) IsSymlink() bool { return k.flags&nkSymLink != 0 }

// SetSymlink sets or clears the symbolic-link flag.
func (k *Key) SetSymlink(on bool) {
	if on {
		k.flags |= nkSymLink
	} else {
		k.flags &^= nkSymLink
	}
}
