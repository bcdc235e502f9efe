package bcd

import (
	"fmt"
	"strings"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

// Issue is one problem Verify found.
type Issue struct {
	Warning bool   // true: bcdedit and the boot manager tolerate it
	Object  string // object identifier (alias), "" for store-level issues
	Element string // element name, "" for object-level issues
	Problem string
}

func (i Issue) String() string {
	var b strings.Builder
	if i.Warning {
		b.WriteString("warning: ")
	} else {
		b.WriteString("error: ")
	}
	if i.Object != "" {
		b.WriteString(i.Object + ": ")
	}
	if i.Element != "" {
		b.WriteString(i.Element + ": ")
	}
	b.WriteString(i.Problem)
	return b.String()
}

// Verify checks the BCD-level rules a store must keep beyond the hive
// structure (regf.Validate checks that): every object key is a GUID with a
// Description\Type REG_DWORD and an Elements key; every element key is an
// 8-digit code with an Element value of the registry type its format
// requires, decodable (integers 1..8 bytes, booleans, object identifiers,
// devices); the boot manager's default and display order name existing
// objects. References to missing objects are warnings (bcdedit allows
// them); everything else is an error.
func (s *Store) Verify() []Issue {
	var out []Issue
	for _, k := range s.objects.Subkeys() {
		o, err := readObject(k)
		if err != nil {
			out = append(out, Issue{Object: k.Name(), Problem: err.Error()})
			continue
		}
		alias := Alias(o.ID)
		if k.Subkey(keyElements) == nil {
			out = append(out, Issue{Object: alias, Problem: "object has no Elements key"})
		}
		if o.Type>>28 == 0 || o.Type>>28 > KindDevice {
			out = append(out, Issue{Warning: true, Object: alias, Problem: fmt.Sprintf("unknown object type %s", o.Type)})
		}
		for _, e := range o.Elements {
			name := ElementName(o.Type, e.Type)
			v := describeElement(o.Type, e, Alias)
			if v.Error != "" {
				out = append(out, Issue{Object: alias, Element: name, Problem: v.Error})
				continue
			}
			for _, ref := range references(e) {
				if !s.Has(ref) {
					out = append(out, Issue{Warning: true, Object: alias, Element: name, Problem: fmt.Sprintf("refers to %s, which is not in the store", Alias(ref))})
				}
			}
		}
	}
	if root := s.hive.Root().Subkey(keyDescription); root == nil {
		out = append(out, Issue{Warning: true, Problem: "store has no Description key"})
	} else if v := root.Value(valKeyName); v == nil || v.Type != regf.REG_SZ {
		out = append(out, Issue{Warning: true, Problem: "Description has no REG_SZ KeyName"})
	}
	return out
}

// references returns the objects an element refers to: object and object
// list values and the options object of a device.
func references(e Element) []GUID {
	switch e.Type.Format() {
	case FormatObject:
		if g, err := e.Object(); err == nil {
			return []GUID{g}
		}
	case FormatObjectList:
		ids, _ := e.Objects()
		return ids
	case FormatDevice:
		if d, err := e.Device(); err == nil && !d.Options.IsNil() {
			return []GUID{d.Options}
		}
	}
	return nil
}
