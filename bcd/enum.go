package bcd

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// EnumOptions select and format objects for Enum and EnumJSON.
type EnumOptions struct {
	// Filter is what `bcdedit /enum` takes: "active" (the default: boot
	// manager and the entries in its display order), "all", "bootmgr",
	// "firmware", "bootapp", "osloader", "resume", "inherit", "device", or an
	// identifier (GUID or alias, {default} included).
	Filter string
	// Verbose prints identifiers as GUIDs instead of aliases (bcdedit /v).
	Verbose bool
}

// EnumEntry is one object prepared for display.
type EnumEntry struct {
	Heading    string      `json:"heading"`
	Identifier string      `json:"identifier"` // alias or {default} as bcdedit shows it
	ID         GUID        `json:"id"`
	Type       string      `json:"type"` // 0x%08x
	Elements   []EnumValue `json:"elements"`
	Lines      []EnumLine  `json:"-"` // text listing, identifier first
}

// EnumLine is one "name value" line of the text listing.
type EnumLine struct{ Name, Value string }

// EnumValue is one element in JSON form.
type EnumValue struct {
	Name   string `json:"name"`
	Code   string `json:"code"`
	Format string `json:"format"`
	// Value is a string, []string, uint64, bool, or *EnumDevice.
	Value any    `json:"value"`
	Text  string `json:"text"`
	Error string `json:"error,omitempty"`
}

// EnumDevice is a device element in JSON form.
type EnumDevice struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	Hex  string `json:"hex"`
}

// Entries selects and decodes objects as Enum shows them.
func (s *Store) Entries(o EnumOptions) ([]EnumEntry, error) {
	objs, err := s.Objects()
	if err != nil {
		return nil, err
	}
	var order []GUID
	if bm, err := s.Object(IDBootMgr); err == nil {
		if e, ok := bm.Element(ElemDisplayOrder); ok {
			order, _ = e.Objects()
		}
		if e, ok := bm.Element(ElemToolsDisplayOrder); ok {
			tools, _ := e.Objects()
			order = append(order, tools...)
		}
	}
	sortObjects(objs, order)
	def, hasDef := s.DefaultID()
	f := strings.ToLower(strings.TrimSpace(o.Filter))
	if f == "" {
		f = "active"
	}
	var sel []*Object
	switch f {
	case "all":
		sel = objs
	case "active":
		in := map[GUID]bool{IDBootMgr: true}
		if bm, err := s.Object(IDBootMgr); err == nil {
			if e, ok := bm.Element(ElemDisplayOrder); ok {
				ids, _ := e.Objects()
				for _, g := range ids {
					in[g] = true
				}
			}
		}
		for _, ob := range objs {
			if in[ob.ID] {
				sel = append(sel, ob)
			}
		}
	case "bootmgr", "firmware", "bootapp", "osloader", "resume", "inherit", "device":
		for _, ob := range objs {
			if matchFilter(f, ob) {
				sel = append(sel, ob)
			}
		}
	default:
		id, err := s.Resolve(o.Filter)
		if err != nil {
			return nil, err
		}
		ob, err := s.Object(id)
		if err != nil {
			return nil, err
		}
		sel = []*Object{ob}
	}
	ident := func(g GUID) string {
		if o.Verbose {
			return g.String()
		}
		if hasDef && g == def {
			return "{default}"
		}
		return Alias(g)
	}
	out := make([]EnumEntry, 0, len(sel))
	for _, ob := range sel {
		ent := EnumEntry{Heading: heading(ob), Identifier: ident(ob.ID), ID: ob.ID, Type: ob.Type.String()}
		ent.Lines = append(ent.Lines, EnumLine{"identifier", ent.Identifier})
		for _, e := range ob.Elements {
			v := describeElement(ob.Type, e, ident)
			ent.Elements = append(ent.Elements, v)
			lines := strings.Split(v.Text, "\n")
			ent.Lines = append(ent.Lines, EnumLine{v.Name, lines[0]})
			for _, l := range lines[1:] {
				ent.Lines = append(ent.Lines, EnumLine{"", l})
			}
		}
		out = append(out, ent)
	}
	return out, nil
}

func matchFilter(f string, o *Object) bool {
	t := o.Type
	app := t.Kind() == KindApplication
	switch f {
	case "bootmgr":
		return app && t.App() == AppBootMgr
	case "firmware":
		return app && t.Image() == ImageFirmware
	case "bootapp":
		return app && t.Image() == ImageBootApp
	case "osloader":
		return app && t.App() == AppOSLoader
	case "resume":
		return app && t.App() == AppResume
	case "inherit":
		return t.Kind() == KindInherit
	case "device":
		return t.Kind() == KindDevice
	}
	return false
}

func heading(o *Object) string {
	if o.Type.Kind() == KindInherit {
		if w, ok := wellKnownByID(o.ID); ok && w.Heading != "" {
			return w.Heading
		}
	}
	return o.Type.Heading()
}

// describeElement decodes one element for display.
func describeElement(t ObjectType, e Element, ident func(GUID) string) EnumValue {
	v := EnumValue{Name: ElementName(t, e.Type), Code: e.Type.KeyName(), Format: e.Type.Format().String()}
	fail := func(err error) EnumValue {
		v.Error = err.Error()
		v.Value = hex.EncodeToString(e.Data)
		v.Text = fmt.Sprintf("<%v %s>", e.RegType, hex.EncodeToString(e.Data))
		return v
	}
	switch e.Type.Format() {
	case FormatString:
		s, err := e.String()
		if err != nil {
			return fail(err)
		}
		v.Value, v.Text = s, s
	case FormatObject:
		g, err := e.Object()
		if err != nil {
			return fail(err)
		}
		v.Value, v.Text = g.String(), ident(g)
	case FormatObjectList:
		ids, err := e.Objects()
		if err != nil {
			return fail(err)
		}
		ss := make([]string, len(ids))
		txt := make([]string, len(ids))
		for i, g := range ids {
			ss[i], txt[i] = g.String(), ident(g)
		}
		v.Value, v.Text = ss, strings.Join(txt, "\n")
	case FormatInteger:
		n, err := e.Integer()
		if err != nil {
			return fail(err)
		}
		v.Value, v.Text = n, fmt.Sprint(n)
		if d := lookupDef(t, e.Type); d != nil && n < uint64(len(d.enum)) {
			v.Text = d.enum[n]
		}
	case FormatBoolean:
		b, err := e.Boolean()
		if err != nil {
			return fail(err)
		}
		v.Value, v.Text = b, "No"
		if b {
			v.Text = "Yes"
		}
	case FormatIntegerList:
		ns, err := e.Integers()
		if err != nil {
			return fail(err)
		}
		txt := make([]string, len(ns))
		for i, n := range ns {
			txt[i] = fmt.Sprintf("0x%x", n)
		}
		v.Value, v.Text = ns, strings.Join(txt, "\n")
	case FormatDevice:
		d, err := e.Device()
		if err != nil {
			return fail(err)
		}
		txt := d.Text(ident)
		if d.Options != Nil && d.Kind != DeviceRamdisk {
			txt += " (options " + ident(d.Options) + ")"
		}
		v.Value = &EnumDevice{Kind: d.Kind.String(), Text: txt, Hex: hex.EncodeToString(e.Data)}
		v.Text = txt
	default:
		return fail(fmt.Errorf("%w: unknown format %d", ErrElementFormat, e.Type.Format()))
	}
	return v
}

// Enum writes objects as `bcdedit /store X /enum` does: for each object a
// blank line, its heading underlined with dashes, then "identifier" and one
// line per element, names padded to 24 columns; list values continue on
// indented lines.
func (s *Store) Enum(w io.Writer, o EnumOptions) error {
	ents, err := s.Entries(o)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range ents {
		b.WriteString("\n")
		b.WriteString(e.Heading + "\n")
		b.WriteString(strings.Repeat("-", len(e.Heading)) + "\n")
		for _, l := range e.Lines {
			name := l.Name
			if len(name) < 24 {
				name += strings.Repeat(" ", 24-len(name))
			} else {
				name += " "
			}
			b.WriteString(name + l.Value + "\n")
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}
