package bcd

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

// Registry layout of a store:
//
//	<root>                         NewStoreRoot (bcdedit) / System (offline media)
//	  Description                  KeyName = REG_SZ "BCD00000001"; system stores add
//	                               System = 1, TreatAsSystem = 1 (REG_DWORD)
//	  Objects
//	    {guid}                     lower case, braces
//	      Description              Type = REG_DWORD ObjectType
//	      Elements
//	        <code as %08x>         Element = REG_SZ | REG_MULTI_SZ | REG_BINARY
const (
	keyDescription = "Description"
	keyObjects     = "Objects"
	keyElements    = "Elements"
	valKeyName     = "KeyName"
	valType        = "Type"
	valElement     = "Element"

	// RootName is the root key name bcdedit /createstore gives a store.
	RootName = "NewStoreRoot"
	// DefaultKeyName is the Description\KeyName of a bcdedit file store.
	DefaultKeyName = "BCD00000001"

	// MaxObjects bounds the objects of a store (real stores have < 100).
	MaxObjects = 4096
	// MaxElements bounds the elements of one object.
	MaxElements = 1024
)

// Store is a BCD store: a view over a registry hive that edits the hive in
// place. Elements the caller does not change keep their exact bytes.
type Store struct {
	hive    *regf.Hive
	objects *regf.Key
	// Seed is the caller's seed for identifiers this store invents (create,
	// copy); see DeriveGUID. Empty means "wimbuild".
	Seed string
}

// StoreOptions configure NewStore.
type StoreOptions struct {
	// KeyName is Description\KeyName (default "BCD00000001"; WDS uses
	// "BCD00000002", Microsoft media "BCD00000000").
	KeyName string
	// System adds System = 1 and TreatAsSystem = 1 to Description, as in
	// a machine's system store.
	System bool
	// RootName names the hive root (default "NewStoreRoot").
	RootName string
	// FileName is the hive's debugging file name field (optional).
	FileName string
}

// NewStore returns an empty store, as `bcdedit /createstore` makes it:
// root NewStoreRoot, Description\KeyName = BCD00000001, empty Objects, a
// version 1.3 hive (lf subkey lists, the format bcdedit and WDS write).
func NewStore(o StoreOptions) *Store {
	if o.RootName == "" {
		o.RootName = RootName
	}
	if o.KeyName == "" {
		o.KeyName = DefaultKeyName
	}
	h := regf.New(regf.WithRootName(o.RootName), regf.WithMinorVersion(3))
	h.FileName = o.FileName
	desc, _ := h.CreateKey(keyDescription)
	_ = desc.SetString(valKeyName, o.KeyName)
	if o.System {
		_ = desc.SetDWORD("System", 1)
		_ = desc.SetDWORD("TreatAsSystem", 1)
	}
	objs, _ := h.CreateKey(keyObjects)
	return &Store{hive: h, objects: objs}
}

// OpenStore parses a store file.
func OpenStore(data []byte) (*Store, error) {
	h, err := regf.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("bcd: reading hive: %w", err)
	}
	return FromHive(h)
}

// FromHive wraps a parsed hive. The hive must have an Objects key at its root
// (the only thing the boot manager requires).
func FromHive(h *regf.Hive) (*Store, error) {
	objs := h.Root().Subkey(keyObjects)
	if objs == nil {
		return nil, ErrNotBCD
	}
	return &Store{hive: h, objects: objs}, nil
}

// Hive returns the underlying hive.
func (s *Store) Hive() *regf.Hive { return s.hive }

// Marshal serializes the store (see regf.Hive.Marshal).
func (s *Store) Marshal() ([]byte, error) { return s.hive.Marshal() }

// KeyName returns Description\KeyName, or "" when absent.
func (s *Store) KeyName() string {
	d := s.hive.Root().Subkey(keyDescription)
	if d == nil {
		return ""
	}
	v := d.Value(valKeyName)
	if v == nil {
		return ""
	}
	str, _ := v.String()
	return str
}

// Object is a decoded object: identifier, type and elements in hive order.
type Object struct {
	ID       GUID
	Type     ObjectType
	Elements []Element
}

// Element returns the element with code t.
func (o *Object) Element(t ElementType) (Element, bool) {
	for _, e := range o.Elements {
		if e.Type == t {
			return e, true
		}
	}
	return Element{}, false
}

// readObject decodes one Objects\{id} key.
func readObject(k *regf.Key) (*Object, error) {
	path := k.Path()
	id, err := ParseGUID(k.Name())
	if err != nil {
		return nil, &FormatError{Path: path, Offset: -1, Reason: "object key name is not a GUID", Err: err}
	}
	o := &Object{ID: id}
	d := k.Subkey(keyDescription)
	if d == nil {
		return nil, &FormatError{Path: path, Offset: -1, Reason: "object has no Description key", Err: ErrNotBCD}
	}
	tv := d.Value(valType)
	if tv == nil {
		return nil, &FormatError{Path: path + `\Description`, Offset: -1, Reason: "object has no Type value", Err: ErrNotBCD}
	}
	t, err := tv.DWORD()
	if err != nil {
		return nil, &FormatError{Path: path + `\Description`, Offset: -1, Reason: "Type is not a REG_DWORD", Err: err}
	}
	o.Type = ObjectType(t)
	els := k.Subkey(keyElements)
	if els == nil {
		return o, nil // bcdedit tolerates it; writes create the key
	}
	if els.NumSubkeys() > MaxElements {
		return nil, &FormatError{Path: els.Path(), Offset: -1, Reason: fmt.Sprintf("%d elements (maximum %d)", els.NumSubkeys(), MaxElements), Err: ErrTooLarge}
	}
	for _, ek := range els.Subkeys() {
		code, err := ParseElementKey(ek.Name())
		if err != nil {
			return nil, &FormatError{Path: ek.Path(), Offset: -1, Reason: "element key name is not 8 hex digits", Err: err}
		}
		v := ek.Value(valElement)
		if v == nil {
			return nil, &FormatError{Path: ek.Path(), Offset: -1, Reason: "element has no Element value", Err: ErrNoElement}
		}
		o.Elements = append(o.Elements, Element{Type: code, RegType: v.Type, Data: append([]byte(nil), v.Data...)})
	}
	return o, nil
}

// Objects returns every object in hive order (sorted by identifier).
func (s *Store) Objects() ([]*Object, error) {
	keys := s.objects.Subkeys()
	if len(keys) > MaxObjects {
		return nil, &FormatError{Path: s.objects.Path(), Offset: -1, Reason: fmt.Sprintf("%d objects (maximum %d)", len(keys), MaxObjects), Err: ErrTooLarge}
	}
	out := make([]*Object, 0, len(keys))
	for _, k := range keys {
		o, err := readObject(k)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (s *Store) objectKey(id GUID) *regf.Key { return s.objects.Subkey(id.String()) }

// Has reports whether the object exists.
func (s *Store) Has(id GUID) bool { return s.objectKey(id) != nil }

// Object returns one object.
func (s *Store) Object(id GUID) (*Object, error) {
	k := s.objectKey(id)
	if k == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoObject, Alias(id))
	}
	return readObject(k)
}

// DefaultID returns the {bootmgr} default element's target, if set.
func (s *Store) DefaultID() (GUID, bool) {
	o, err := s.Object(IDBootMgr)
	if err != nil {
		return Nil, false
	}
	e, ok := o.Element(ElemDefault)
	if !ok {
		return Nil, false
	}
	g, err := e.Object()
	return g, err == nil
}

// Resolve turns an identifier argument into a GUID: a GUID, a stored alias
// ({bootmgr}, {ramdiskoptions}, …) or {default}, which names the object the
// boot manager's default element points to. {current} is refused: it names
// the running system's loader, which an offline store does not have.
func (s *Store) Resolve(arg string) (GUID, error) {
	if w, ok := LookupAlias(arg); ok && w.ID == IDDefault {
		if g, ok := s.DefaultID(); ok {
			return g, nil
		}
		return Nil, fmt.Errorf("%w: {default}: {bootmgr} has no default element", ErrNoObject)
	}
	g, err := ParseID(arg)
	if errors.Is(err, ErrVirtualID) {
		return Nil, fmt.Errorf("%w (offline stores have no running system; use the GUID)", err)
	}
	return g, err
}

// CreateObject adds an object of type t. It fails if the identifier exists.
func (s *Store) CreateObject(id GUID, t ObjectType) error {
	if id.IsNil() {
		return fmt.Errorf("%w: the nil GUID is not an object identifier", ErrBadArgs)
	}
	for _, w := range wellKnown {
		if w.ID == id && w.Virtual {
			return fmt.Errorf("%w: %s", ErrVirtualID, w.Alias)
		}
	}
	if t>>28 == 0 {
		return fmt.Errorf("%w: %s", ErrBadObjectType, t)
	}
	if s.Has(id) {
		return fmt.Errorf("%w: %s", ErrObjectExists, Alias(id))
	}
	if s.objects.NumSubkeys() >= MaxObjects {
		return fmt.Errorf("%w: store already has %d objects", ErrTooLarge, MaxObjects)
	}
	k, err := s.objects.CreateSubkey(id.String())
	if err != nil {
		return err
	}
	d, err := k.CreateSubkey(keyDescription)
	if err != nil {
		return err
	}
	if err := d.SetDWORD(valType, uint32(t)); err != nil {
		return err
	}
	_, err = k.CreateSubkey(keyElements)
	return err
}

// CreateOptions describe `bcdedit /create`.
type CreateOptions struct {
	// ID is the identifier to create; Nil derives one (see Create).
	ID GUID
	// Type is the object type. Zero with a well-known ID uses its type.
	Type ObjectType
	// Description, when not empty, is set as the description element.
	Description string
}

// Create adds an object like `bcdedit /create [id] [/d description]
// /application|/inherit|/device`. Without an ID the identifier is
// DeriveGUID(seed, "create", type, description, n) with the smallest n >= 0
// that is not in use, so replaying the same commands gives the same store.
func (s *Store) Create(o CreateOptions) (GUID, error) {
	id := o.ID
	t := o.Type
	if t == 0 {
		w, ok := wellKnownByID(id)
		if !ok {
			return Nil, fmt.Errorf("%w: give an object type (application, inherit or device)", ErrBadArgs)
		}
		t = w.Type
	}
	if id.IsNil() {
		id = s.derive("create", t.String(), o.Description)
	}
	if err := s.CreateObject(id, t); err != nil {
		return Nil, err
	}
	if o.Description != "" {
		e, err := StringElement(ElemDescription, o.Description)
		if err == nil {
			err = s.SetElement(id, e)
		}
		if err != nil {
			_ = s.objects.DeleteSubkey(id.String())
			return Nil, err
		}
	}
	return id, nil
}

func (s *Store) seed() string {
	if s.Seed == "" {
		return "wimbuild"
	}
	return s.Seed
}

// derive returns the first unused DeriveGUID(seed, parts..., n).
func (s *Store) derive(parts ...string) GUID {
	for n := 0; ; n++ {
		g := DeriveGUID(s.seed(), append(parts, strconv.Itoa(n))...)
		if !s.Has(g) {
			return g
		}
	}
}

// Copy duplicates an object with all its elements under a new identifier,
// like `bcdedit /copy {id} /d description`. The new identifier is
// DeriveGUID(seed, "copy", source, description, n) (first unused n).
func (s *Store) Copy(src GUID, description string) (GUID, error) {
	o, err := s.Object(src)
	if err != nil {
		return Nil, err
	}
	id := s.derive("copy", src.String(), description)
	if err := s.CreateObject(id, o.Type); err != nil {
		return Nil, err
	}
	for _, e := range o.Elements {
		if err := s.SetElement(id, e); err != nil {
			return Nil, err
		}
	}
	if description != "" {
		e, err := StringElement(ElemDescription, description)
		if err != nil {
			return Nil, err
		}
		if err := s.SetElement(id, e); err != nil {
			return Nil, err
		}
	}
	return id, nil
}

// Delete removes an object like `bcdedit /delete {id}`. With cleanup (the
// bcdedit default; /nocleanup turns it off) every reference to it is removed
// from the other objects: it leaves object lists (displayorder, inherit, …),
// object elements pointing at it are deleted, and a resume object used only
// by the deleted loader is deleted too.
func (s *Store) Delete(id GUID, cleanup bool) error {
	o, err := s.Object(id)
	if err != nil {
		return err
	}
	if err := s.objects.DeleteSubkey(id.String()); err != nil {
		return err
	}
	if !cleanup {
		return nil
	}
	if err := s.removeReferences(id); err != nil {
		return err
	}
	if o.Type.App() == AppOSLoader && o.Type.Kind() == KindApplication {
		if e, ok := o.Element(ElemDefault); ok { // resumeobject
			if r, err := e.Object(); err == nil && s.Has(r) && !s.referenced(r) {
				return s.Delete(r, true)
			}
		}
	}
	return nil
}

// refsTo calls fn for every element that refers to id: an object element
// (list nil) or an object list holding it (list = the list's ids). fn
// returns false to stop the walk.
func (s *Store) refsTo(id GUID, fn func(o *Object, e Element, list []GUID) (bool, error)) error {
	objs, err := s.Objects()
	if err != nil {
		return err
	}
	for _, o := range objs {
		for _, e := range o.Elements {
			var list []GUID
			switch e.Type.Format() {
			case FormatObject:
				if g, err := e.Object(); err != nil || g != id {
					continue
				}
			case FormatObjectList:
				ids, err := e.Objects()
				if err != nil || !slices.Contains(ids, id) {
					continue
				}
				list = ids
			default:
				continue
			}
			if more, err := fn(o, e, list); err != nil || !more {
				return err
			}
		}
	}
	return nil
}

// removeReferences strips id from every object list and deletes object
// elements that point at it.
func (s *Store) removeReferences(id GUID) error {
	return s.refsTo(id, func(o *Object, e Element, list []GUID) (bool, error) {
		kept := removeID(list, id)
		if len(kept) == 0 { // an object element, or a list of only id
			return true, s.DeleteElement(o.ID, e.Type)
		}
		ne, err := ObjectListElement(e.Type, kept)
		if err == nil {
			err = s.SetElement(o.ID, ne)
		}
		return true, err
	})
}

// referenced reports whether any object element refers to id.
func (s *Store) referenced(id GUID) bool {
	found := false
	if err := s.refsTo(id, func(*Object, Element, []GUID) (bool, error) {
		found = true
		return false, nil
	}); err != nil {
		return true
	}
	return found
}

func removeID(ids []GUID, id GUID) []GUID {
	out := make([]GUID, 0, len(ids))
	for _, g := range ids {
		if g != id {
			out = append(out, g)
		}
	}
	return out
}

// SetElement stores an element (replacing one with the same code).
func (s *Store) SetElement(id GUID, e Element) error {
	k := s.objectKey(id)
	if k == nil {
		return fmt.Errorf("%w: %s", ErrNoObject, Alias(id))
	}
	if want := regTypeFor(e.Type.Format()); e.RegType != want {
		return fmt.Errorf("%w: element %s must be %v, not %v", ErrElementFormat, e.Type, want, e.RegType)
	}
	els, err := k.CreateSubkey(keyElements)
	if err != nil {
		return err
	}
	if els.Subkey(e.Type.KeyName()) == nil && els.NumSubkeys() >= MaxElements {
		return fmt.Errorf("%w: object %s already has %d elements", ErrTooLarge, Alias(id), MaxElements)
	}
	ek, err := els.CreateSubkey(e.Type.KeyName())
	if err != nil {
		return err
	}
	return ek.SetValue(valElement, e.RegType, e.Data)
}

// Element returns one element of an object.
func (s *Store) Element(id GUID, t ElementType) (Element, error) {
	o, err := s.Object(id)
	if err != nil {
		return Element{}, err
	}
	e, ok := o.Element(t)
	if !ok {
		return Element{}, fmt.Errorf("%w: %s has no %s", ErrNoElement, Alias(id), ElementName(o.Type, t))
	}
	return e, nil
}

// DeleteElement removes an element like `bcdedit /deletevalue`.
func (s *Store) DeleteElement(id GUID, t ElementType) error {
	k := s.objectKey(id)
	if k == nil {
		return fmt.Errorf("%w: %s", ErrNoObject, Alias(id))
	}
	els := k.Subkey(keyElements)
	if els == nil || els.Subkey(t.KeyName()) == nil {
		return fmt.Errorf("%w: %s has no element %s", ErrNoElement, Alias(id), t)
	}
	return els.DeleteSubkey(t.KeyName())
}

// objectType returns the type of an existing object.
func (s *Store) objectType(id GUID) (ObjectType, error) {
	o, err := s.Object(id)
	if err != nil {
		return 0, err
	}
	return o.Type, nil
}

// Set parses and stores an element like `bcdedit /set {id} NAME VALUE...`.
// NAME is bcdedit's element name (see LookupElement); the values are parsed
// by ParseValue.
func (s *Store) Set(id GUID, name string, values ...string) error {
	t, err := s.objectType(id)
	if err != nil {
		return err
	}
	code, err := LookupElement(t, name)
	if err != nil {
		return err
	}
	e, err := s.ParseValue(t, code, values)
	if err != nil {
		return fmt.Errorf("%s %s: %w", Alias(id), name, err)
	}
	return s.SetElement(id, e)
}

// DeleteValue removes an element named as bcdedit names it.
func (s *Store) DeleteValue(id GUID, name string) error {
	t, err := s.objectType(id)
	if err != nil {
		return err
	}
	code, err := LookupElement(t, name)
	if err != nil {
		return err
	}
	return s.DeleteElement(id, code)
}

// ParseValue parses command-line values for element code of an object of
// type t the way bcdedit does: booleans yes/no/on/off/true/false/1/0;
// integers in decimal or 0x hex, or the value names bcdedit shows
// (OptIn, Serial, Standard, …); object identifiers as GUIDs or aliases
// ({default} resolved through {bootmgr}); devices as in ParseDevice.
func (s *Store) ParseValue(t ObjectType, code ElementType, values []string) (Element, error) {
	one := func() (string, error) {
		if len(values) != 1 {
			return "", fmt.Errorf("%w: %s takes one value, got %d", ErrBadArgs, ElementName(t, code), len(values))
		}
		return values[0], nil
	}
	switch code.Format() {
	case FormatString:
		v, err := one()
		if err != nil {
			return Element{}, err
		}
		return StringElement(code, v)
	case FormatObject:
		v, err := one()
		if err != nil {
			return Element{}, err
		}
		g, err := s.Resolve(v)
		if err != nil {
			return Element{}, err
		}
		return ObjectElement(code, g)
	case FormatObjectList:
		if len(values) == 0 {
			return Element{}, fmt.Errorf("%w: %s needs at least one identifier", ErrBadArgs, ElementName(t, code))
		}
		ids := make([]GUID, 0, len(values))
		for _, v := range values {
			g, err := s.Resolve(v)
			if err != nil {
				return Element{}, err
			}
			ids = append(ids, g)
		}
		return ObjectListElement(code, ids)
	case FormatInteger:
		v, err := one()
		if err != nil {
			return Element{}, err
		}
		n, err := parseIntegerValue(t, code, v)
		if err != nil {
			return Element{}, err
		}
		return IntegerElement(code, n)
	case FormatBoolean:
		v, err := one()
		if err != nil {
			return Element{}, err
		}
		b, err := ParseBool(v)
		if err != nil {
			return Element{}, err
		}
		return BooleanElement(code, b)
	case FormatIntegerList:
		ns := make([]uint64, 0, len(values))
		for _, v := range values {
			n, err := parseUint(v, 64)
			if err != nil {
				return Element{}, err
			}
			ns = append(ns, n)
		}
		return IntegerListElement(code, ns)
	case FormatDevice:
		v, err := one()
		if err != nil {
			return Element{}, err
		}
		d, err := ParseDevice(v, code)
		if err != nil {
			return Element{}, err
		}
		return DeviceElement(code, d)
	}
	return Element{}, fmt.Errorf("%w: element %s has unknown format %d", ErrElementFormat, code, code.Format())
}

func parseIntegerValue(t ObjectType, code ElementType, v string) (uint64, error) {
	if d := lookupDef(t, code); d != nil {
		for i, name := range d.enum {
			if strings.EqualFold(name, v) {
				return uint64(i), nil
			}
		}
	}
	return parseUint(v, 64)
}

// SetDefault sets {bootmgr}'s default entry (`bcdedit /default {id}`).
func (s *Store) SetDefault(id GUID) error {
	if !s.Has(id) {
		return fmt.Errorf("%w: %s", ErrNoObject, Alias(id))
	}
	e, err := ObjectElement(ElemDefault, id)
	if err != nil {
		return err
	}
	return s.SetElement(IDBootMgr, e)
}

// SetTimeout sets {bootmgr}'s menu timeout in seconds (`bcdedit /timeout`).
func (s *Store) SetTimeout(seconds uint64) error {
	e, err := IntegerElement(ElemTimeout, seconds)
	if err != nil {
		return err
	}
	return s.SetElement(IDBootMgr, e)
}

// ListMode is how DisplayOrder changes a list.
type ListMode int

// Display order edits (`bcdedit /displayorder ... [/addfirst|/addlast|/remove]`).
const (
	ListSet      ListMode = iota // replace the list
	ListAddFirst                 // move or add one identifier to the top
	ListAddLast                  // move or add one identifier to the end
	ListRemove                   // remove identifiers; an empty list is deleted
)

// DisplayOrder edits an object-list element of target (normally
// ElemDisplayOrder of {bootmgr}; also toolsdisplayorder, bootsequence).
// Added identifiers must exist; duplicates are dropped (first one wins).
func (s *Store) DisplayOrder(target GUID, list ElementType, mode ListMode, ids ...GUID) error {
	if list.Format() != FormatObjectList {
		return formatErr(list, FormatObjectList)
	}
	if !s.Has(target) {
		return fmt.Errorf("%w: %s", ErrNoObject, Alias(target))
	}
	var cur []GUID
	if e, err := s.Element(target, list); err == nil {
		cur, err = e.Objects()
		if err != nil {
			return err
		}
	}
	if mode != ListRemove {
		for _, id := range ids {
			if !s.Has(id) {
				return fmt.Errorf("%w: %s", ErrNoObject, Alias(id))
			}
		}
	}
	var next []GUID
	switch mode {
	case ListSet:
		next = ids
	case ListAddFirst, ListAddLast:
		if len(ids) != 1 {
			return fmt.Errorf("%w: /addfirst and /addlast take exactly one identifier", ErrBadArgs)
		}
		rest := removeID(cur, ids[0])
		if mode == ListAddFirst {
			next = append([]GUID{ids[0]}, rest...)
		} else {
			next = append(rest, ids[0])
		}
	case ListRemove:
		next = cur
		for _, id := range ids {
			if len(removeID(next, id)) == len(next) {
				return fmt.Errorf("%w: %s", ErrNotInDisplayList, Alias(id))
			}
			next = removeID(next, id)
		}
	default:
		return fmt.Errorf("%w: list mode %d", ErrBadArgs, mode)
	}
	next = dedupe(next)
	if len(next) == 0 {
		if err := s.DeleteElement(target, list); err != nil && !errors.Is(err, ErrNoElement) {
			return err
		}
		return nil
	}
	e, err := ObjectListElement(list, next)
	if err != nil {
		return err
	}
	return s.SetElement(target, e)
}

func dedupe(ids []GUID) []GUID {
	seen := map[GUID]bool{}
	out := make([]GUID, 0, len(ids))
	for _, g := range ids {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// sortObjects orders objects as bcdedit /enum all lists them: firmware boot
// manager, boot manager, firmware applications, boot applications (in
// display order first), then inheritable settings and device options.
func sortObjects(objs []*Object, order []GUID) {
	pos := map[GUID]int{}
	for i, g := range order {
		if _, ok := pos[g]; !ok {
			pos[g] = i
		}
	}
	settingsRank := map[GUID]int{IDEMSSettings: 0, IDDbgSettings: 1, IDBadMemory: 2, IDGlobalSettings: 3,
		IDBootLoaderSettings: 4, IDHypervisorSettings: 5, IDResumeLoaderSettings: 6}
	rank := func(o *Object) (int, int) {
		t := o.Type
		switch {
		case o.ID == IDFwBootMgr || (t.Kind() == KindApplication && t.App() == AppFwBootMgr):
			return 0, 0
		case o.ID == IDBootMgr || (t.Kind() == KindApplication && t.App() == AppBootMgr):
			return 1, 0
		case t.Kind() == KindApplication:
			p, ok := pos[o.ID]
			if !ok {
				p = len(order)
			}
			group := 3
			if t.Image() == ImageFirmware {
				group = 2
			}
			return group, p*16 + int(t.App()&0xf)
		case t.Kind() == KindInherit:
			r, ok := settingsRank[o.ID]
			if !ok {
				r = 7
			}
			return 4, r
		case t.Kind() == KindDevice:
			return 5, 0
		}
		return 6, 0
	}
	sort.SliceStable(objs, func(i, j int) bool {
		gi, ri := rank(objs[i])
		gj, rj := rank(objs[j])
		if gi != gj {
			return gi < gj
		}
		return ri < rj
	})
}
