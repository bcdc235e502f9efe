package wim

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// XMLNode is a generic XML element, used to keep elements this package does
// not model (the WINDOWS block, vendor extensions) verbatim.
type XMLNode struct {
	Name     string
	Attrs    []xml.Attr
	Text     string // character data of a leaf element
	Children []*XMLNode
}

// Child returns the first child element named name (case-insensitive), or nil.
func (n *XMLNode) Child(name string) *XMLNode {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func (n *XMLNode) clone() *XMLNode {
	if n == nil {
		return nil
	}
	c := &XMLNode{Name: n.Name, Attrs: slices.Clone(n.Attrs), Text: n.Text}
	for _, ch := range n.Children {
		c.Children = append(c.Children, ch.clone())
	}
	return c
}

// ImageInfo holds the XML properties of one image (<IMAGE> element).
// The counters in Stats are recomputed from the tree when a WIM is written.
type ImageInfo struct {
	Name               string
	Description        string
	DisplayName        string
	DisplayDescription string
	Flags              string // e.g. "9" (Windows PE) or "2" (Setup)
	// Windows is the <WINDOWS> block kept verbatim (nil if absent); see
	// WindowsInfo for a typed view and SetProperty to change it.
	Windows *XMLNode
	// CreationTime and LastModificationTime are FILETIMEs.
	CreationTime         uint64
	LastModificationTime uint64
	WIMBoot              bool
	// Stats are the DIRCOUNT/FILECOUNT/TOTALBYTES/HARDLINKBYTES values as
	// read; the writer recomputes them.
	Stats ImageStats
	// Extra are other child elements of <IMAGE>, kept verbatim in order.
	Extra []*XMLNode
}

func (in ImageInfo) clone() ImageInfo {
	c := in
	c.Windows = in.Windows.clone()
	c.Extra = nil
	for _, e := range in.Extra {
		c.Extra = append(c.Extra, e.clone())
	}
	return c
}

// WindowsVersion is <WINDOWS><VERSION>.
type WindowsVersion struct {
	Major, Minor, Build, SPBuild, SPLevel int
	Branch                                string
}

// WindowsProps is a typed, read-only view of the <WINDOWS> block.
type WindowsProps struct {
	Arch             int // PROCESSOR_ARCHITECTURE_*: 0 x86, 5 ARM, 6 IA64, 9 AMD64, 12 ARM64; -1 absent
	ProductName      string
	EditionID        string
	InstallationType string
	HAL              string
	ProductType      string
	ProductSuite     string
	Languages        []string
	DefaultLanguage  string
	Version          WindowsVersion
	SystemRoot       string
}

// WindowsInfo decodes the <WINDOWS> block; ok is false when it is absent.
func (in *ImageInfo) WindowsInfo() (p WindowsProps, ok bool) {
	w := in.Windows
	p.Arch = -1
	if w == nil {
		return p, false
	}
	num := func(n *XMLNode) int {
		if n == nil {
			return 0
		}
		v, err := strconv.ParseInt(strings.TrimSpace(n.Text), 0, 64)
		if err != nil {
			return 0
		}
		return int(v)
	}
	text := func(n *XMLNode) string {
		if n == nil {
			return ""
		}
		return n.Text
	}
	if a := w.Child("ARCH"); a != nil {
		p.Arch = num(a)
	}
	p.ProductName = text(w.Child("PRODUCTNAME"))
	p.EditionID = text(w.Child("EDITIONID"))
	p.InstallationType = text(w.Child("INSTALLATIONTYPE"))
	p.HAL = text(w.Child("HAL"))
	p.ProductType = text(w.Child("PRODUCTTYPE"))
	p.ProductSuite = text(w.Child("PRODUCTSUITE"))
	p.SystemRoot = text(w.Child("SYSTEMROOT"))
	if l := w.Child("LANGUAGES"); l != nil {
		for _, c := range l.Children {
			switch strings.ToUpper(c.Name) {
			case "LANGUAGE":
				p.Languages = append(p.Languages, c.Text)
			case "DEFAULT":
				p.DefaultLanguage = c.Text
			}
		}
	}
	if v := w.Child("VERSION"); v != nil {
		p.Version = WindowsVersion{
			Major: num(v.Child("MAJOR")), Minor: num(v.Child("MINOR")), Build: num(v.Child("BUILD")),
			SPBuild: num(v.Child("SPBUILD")), SPLevel: num(v.Child("SPLEVEL")), Branch: text(v.Child("BRANCH")),
		}
	}
	return p, true
}

// Property returns the value of an XML property addressed like wimlib's
// --image-property: "NAME", "WINDOWS/VERSION/BUILD",
// "WINDOWS/LANGUAGES/LANGUAGE[2]" (1-based index). ok is false if absent.
func (in *ImageInfo) Property(path string) (string, bool) {
	n := in.toNode()
	for _, part := range strings.Split(path, "/") {
		name, idx, err := parsePropPart(part)
		if err != nil {
			return "", false
		}
		n = nthChild(n, name, idx)
		if n == nil {
			return "", false
		}
	}
	return n.Text, true
}

// SetProperty sets an XML property (see Property), creating missing
// elements. Counters and times are not settable this way (they are
// derived when writing) except CREATIONTIME/LASTMODIFICATIONTIME children.
func (in *ImageInfo) SetProperty(path, value string) error {
	parts := strings.Split(path, "/")
	root := in.toNode()
	n := root
	for i, part := range parts {
		name, idx, err := parsePropPart(part)
		if err != nil {
			return err
		}
		if name == "" || strings.ContainsAny(name, "<>&\"' ") {
			return fmt.Errorf("wim: invalid property path %q", path)
		}
		c := nthChild(n, name, idx)
		if c == nil {
			count := 0
			for _, ch := range n.Children {
				if strings.EqualFold(ch.Name, name) {
					count++
				}
			}
			if idx != count+1 {
				return fmt.Errorf("wim: property %q: no element %s[%d] to create after %d", path, name, idx, count)
			}
			c = &XMLNode{Name: strings.ToUpper(name)}
			n.Children = append(n.Children, c)
		}
		if i == len(parts)-1 {
			if len(c.Children) > 0 {
				return fmt.Errorf("wim: property %q is not a leaf element", path)
			}
			c.Text = value
		}
		n = c
	}
	return in.fromNode(root)
}

func parsePropPart(p string) (string, int, error) {
	if i := strings.IndexByte(p, '['); i >= 0 && strings.HasSuffix(p, "]") {
		v, err := strconv.Atoi(p[i+1 : len(p)-1])
		if err != nil || v < 1 {
			return "", 0, fmt.Errorf("wim: bad property index in %q", p)
		}
		return p[:i], v, nil
	}
	return p, 1, nil
}

func nthChild(n *XMLNode, name string, idx int) *XMLNode {
	for _, c := range n.Children {
		if strings.EqualFold(c.Name, name) {
			idx--
			if idx == 0 {
				return c
			}
		}
	}
	return nil
}

func textNode(name, v string) *XMLNode { return &XMLNode{Name: name, Text: v} }

func filetimeNode(name string, t uint64) *XMLNode {
	return &XMLNode{Name: name, Children: []*XMLNode{
		textNode("HIGHPART", fmt.Sprintf("0x%08X", uint32(t>>32))),
		textNode("LOWPART", fmt.Sprintf("0x%08X", uint32(t))),
	}}
}

// toNode renders the image info as an <IMAGE> element (no INDEX attribute)
// in the element order Microsoft's tools use.
func (in *ImageInfo) toNode() *XMLNode {
	n := &XMLNode{Name: "IMAGE"}
	add := func(c *XMLNode) { n.Children = append(n.Children, c) }
	s := in.Stats
	add(textNode("DIRCOUNT", strconv.FormatInt(s.DirCount, 10)))
	add(textNode("FILECOUNT", strconv.FormatInt(s.FileCount, 10)))
	add(textNode("TOTALBYTES", strconv.FormatInt(s.TotalBytes, 10)))
	add(textNode("HARDLINKBYTES", strconv.FormatInt(s.HardLinkBytes, 10)))
	add(filetimeNode("CREATIONTIME", in.CreationTime))
	add(filetimeNode("LASTMODIFICATIONTIME", in.LastModificationTime))
	if in.WIMBoot {
		add(textNode("WIMBOOT", "1"))
	}
	if in.Windows != nil {
		add(in.Windows.clone())
	}
	for _, f := range []struct{ name, v string }{
		{"NAME", in.Name}, {"DESCRIPTION", in.Description}, {"FLAGS", in.Flags},
		{"DISPLAYNAME", in.DisplayName}, {"DISPLAYDESCRIPTION", in.DisplayDescription},
	} {
		if f.v != "" {
			add(textNode(f.name, f.v))
		}
	}
	for _, e := range in.Extra {
		add(e.clone())
	}
	return n
}

func parseFiletimeNode(n *XMLNode) uint64 {
	var hi, lo uint64
	if h := n.Child("HIGHPART"); h != nil {
		hi, _ = strconv.ParseUint(strings.TrimSpace(h.Text), 0, 32)
	}
	if l := n.Child("LOWPART"); l != nil {
		lo, _ = strconv.ParseUint(strings.TrimSpace(l.Text), 0, 32)
	}
	return hi<<32 | lo
}

// fromNode fills in from an <IMAGE> element.
func (in *ImageInfo) fromNode(n *XMLNode) error {
	var r ImageInfo
	num := func(c *XMLNode) int64 {
		v, _ := strconv.ParseInt(strings.TrimSpace(c.Text), 10, 64)
		return v
	}
	for _, c := range n.Children {
		switch strings.ToUpper(c.Name) {
		case "NAME":
			r.Name = c.Text
		case "DESCRIPTION":
			r.Description = c.Text
		case "DISPLAYNAME":
			r.DisplayName = c.Text
		case "DISPLAYDESCRIPTION":
			r.DisplayDescription = c.Text
		case "FLAGS":
			r.Flags = c.Text
		case "WINDOWS":
			r.Windows = c.clone()
		case "WIMBOOT":
			r.WIMBoot = strings.TrimSpace(c.Text) == "1"
		case "CREATIONTIME":
			r.CreationTime = parseFiletimeNode(c)
		case "LASTMODIFICATIONTIME":
			r.LastModificationTime = parseFiletimeNode(c)
		case "DIRCOUNT":
			r.Stats.DirCount = num(c)
		case "FILECOUNT":
			r.Stats.FileCount = num(c)
		case "TOTALBYTES":
			r.Stats.TotalBytes = num(c)
		case "HARDLINKBYTES":
			r.Stats.HardLinkBytes = num(c)
		default:
			r.Extra = append(r.Extra, c.clone())
		}
	}
	*in = r
	return nil
}

// WIMInfo is the decoded XML data of a WIM.
type WIMInfo struct {
	TotalBytes int64
	Images     []ImageInfo
	// Extra are other child elements of <WIM> (e.g. <ESD>), verbatim.
	Extra []*XMLNode
}

const maxXMLDepth = 64

// parseXMLData decodes the XML resource (UTF-16LE with BOM).
func parseXMLData(b []byte, off int64) (*WIMInfo, error) {
	text, err := decodeUTF16XML(b)
	if err != nil {
		return nil, formatErr(off, "XML data", err)
	}
	root, err := parseXMLTree(text)
	if err != nil {
		return nil, formatErr(off, "XML data", fmt.Errorf("%w: %v", ErrCorrupt, err))
	}
	if !strings.EqualFold(root.Name, "WIM") {
		return nil, formatErr(off, "XML root element <"+root.Name+">", ErrCorrupt)
	}
	info := &WIMInfo{}
	for _, c := range root.Children {
		switch strings.ToUpper(c.Name) {
		case "IMAGE":
			idx := 0
			for _, a := range c.Attrs {
				if strings.EqualFold(a.Name.Local, "INDEX") {
					idx, _ = strconv.Atoi(a.Value)
				}
			}
			if idx != len(info.Images)+1 {
				return nil, formatErr(off, fmt.Sprintf("XML <IMAGE INDEX=%d> out of order (want %d)", idx, len(info.Images)+1), ErrCorrupt)
			}
			var ii ImageInfo
			ii.fromNode(c)
			info.Images = append(info.Images, ii)
		case "TOTALBYTES":
			info.TotalBytes, _ = strconv.ParseInt(strings.TrimSpace(c.Text), 10, 64)
		default:
			info.Extra = append(info.Extra, c)
		}
	}
	return info, nil
}

func decodeUTF16XML(b []byte) (string, error) {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE {
		return "", fmt.Errorf("%w: missing UTF-16LE byte order mark", ErrCorrupt)
	}
	b = b[2:]
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: odd UTF-16 length", ErrCorrupt)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	// Trailing NULs are tolerated.
	for len(u) > 0 && u[len(u)-1] == 0 {
		u = u[:len(u)-1]
	}
	return string(utf16.Decode(u)), nil
}

func parseXMLTree(text string) (*XMLNode, error) {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	var stack []*XMLNode
	var root *XMLNode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, errors.New("XML nested too deeply")
			}
			n := &XMLNode{Name: t.Name.Local, Attrs: slices.Clone(t.Attr)}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	// Elements with children keep no (whitespace) text.
	var trim func(n *XMLNode)
	trim = func(n *XMLNode) {
		if len(n.Children) > 0 {
			n.Text = ""
		}
		for _, c := range n.Children {
			trim(c)
		}
	}
	trim(root)
	return root, nil
}

func writeXMLNode(buf *bytes.Buffer, n *XMLNode) {
	buf.WriteByte('<')
	buf.WriteString(n.Name)
	for _, a := range n.Attrs {
		buf.WriteByte(' ')
		buf.WriteString(a.Name.Local)
		buf.WriteString(`="`)
		xml.EscapeText(buf, []byte(a.Value))
		buf.WriteByte('"')
	}
	buf.WriteByte('>')
	if len(n.Children) == 0 {
		xml.EscapeText(buf, []byte(n.Text))
	}
	for _, c := range n.Children {
		writeXMLNode(buf, c)
	}
	buf.WriteString("</")
	buf.WriteString(n.Name)
	buf.WriteByte('>')
}

// encodeXMLData renders the WIM XML document as UTF-16LE with a BOM.
func encodeXMLData(info *WIMInfo) []byte {
	var buf bytes.Buffer
	buf.WriteString("<WIM>")
	for i := range info.Images {
		n := info.Images[i].toNode()
		n.Attrs = []xml.Attr{{Name: xml.Name{Local: "INDEX"}, Value: strconv.Itoa(i + 1)}}
		writeXMLNode(&buf, n)
	}
	writeXMLNode(&buf, textNode("TOTALBYTES", strconv.FormatInt(info.TotalBytes, 10)))
	for _, e := range info.Extra {
		writeXMLNode(&buf, e)
	}
	buf.WriteString("</WIM>")
	s := buf.Bytes()
	out := make([]byte, 2, 2+2*len(s))
	out[0], out[1] = 0xFF, 0xFE
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		s = s[n:]
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			out = binary.LittleEndian.AppendUint16(out, uint16(r1))
			out = binary.LittleEndian.AppendUint16(out, uint16(r2))
		} else {
			out = binary.LittleEndian.AppendUint16(out, uint16(r))
		}
	}
	return out
}
