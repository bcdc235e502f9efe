package regf

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// RegHeader is the first line of a .reg file in the format Export writes.
const RegHeader = "Windows Registry Editor Version 5.00"

// MaxRegFileSize is the largest .reg text ImportReg accepts.
const MaxRegFileSize = 256 << 20

// ExportReg writes the key at path and everything below it as .reg text in
// the exact form of `hivexregedit --export --prefix PREFIX HIVE PATH`:
//
//	Windows Registry Editor Version 5.00
//	<blank>
//	[PREFIX\Key\Sub]        root is [PREFIX\]; PREFIX's trailing \ dropped
//	"name"=hex(1):41,00,00,00
//	@=dword:00000001        default value; dword: only for 4-byte REG_DWORD
//	<blank>
//
// Values and subkeys are in code-point order of their names (hivexregedit
// sorts with Perl's cmp, not the hive's upper-case order). Every value other
// than a 4-byte REG_DWORD is written as hex(TYPE): with the type in
// lower-case hex and the bytes on one line. Key paths and value names are
// written as Latin-1 bytes when every character fits, otherwise as UTF-8
// (as Perl prints them); `\` and `"` in value names are escaped with `\`.
func (h *Hive) ExportReg(w io.Writer, path, prefix string) error {
	k, err := h.Key(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(RegHeader + "\n\n")
	prefix = strings.TrimSuffix(prefix, `\`)
	exportKey(bw, k, perlBytes(prefix))
	return bw.Flush()
}

// perlBytes renders s the way Perl's print does on a raw file handle:
// Latin-1 when every character is below 256, UTF-8 otherwise.
func perlBytes(s string) string {
	if !compressible(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

func exportKey(w *bufio.Writer, k *Key, prefix string) {
	w.WriteString("[")
	w.WriteString(prefix)
	p := k.Path()
	if p == "" {
		p = `\`
	}
	w.WriteString(perlBytes(p))
	w.WriteString("]\n")
	vals := k.Values()
	sort.SliceStable(vals, func(i, j int) bool { return vals[i].Name < vals[j].Name })
	for _, v := range vals {
		if v.Name == "" {
			w.WriteString("@=")
		} else {
			w.WriteString(`"`)
			w.WriteString(perlBytes(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v.Name)))
			w.WriteString(`"=`)
		}
		if v.Type == REG_DWORD && len(v.Data) == 4 {
			fmt.Fprintf(w, "dword:%08x\n", binary.LittleEndian.Uint32(v.Data))
			continue
		}
		fmt.Fprintf(w, "hex(%x):", uint32(v.Type))
		var buf [3]byte
		for i, b := range v.Data {
			if i > 0 {
				w.WriteByte(',')
			}
			hex.Encode(buf[:2], []byte{b})
			w.Write(buf[:2])
		}
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
	subs := k.Subkeys()
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].name < subs[j].name })
	for _, s := range subs {
		exportKey(w, s, prefix)
	}
}

// ImportReg applies .reg text to the hive, like `regedit /s` or
// `hivexregedit --merge`:
//
//	[KEY]          create KEY (and missing parents); following values go there
//	[-KEY]         delete KEY and everything below it (absent: ignored)
//	"name"=VALUE   set a value; @=VALUE sets the default value
//	"name"=-       delete a value (absent: ignored); @=- the default value
//
// VALUE is "string" (REG_SZ), str:"s", str(N):"s", dword:XXXXXXXX,
// hex:bytes (REG_BINARY) or hex(N):bytes with N the type in hex. Long lines
// may be continued with a trailing `\`. Lines starting with `;` are
// comments. The text may be UTF-16LE with a byte-order mark (regedit's
// default), UTF-8, or Latin-1 (decided line by line: a line that is not
// valid UTF-8 is Latin-1).
//
// Key paths must start with prefix (case-insensitive; "" means paths are
// relative to the root, e.g. [\Key]); the rest of the path is relative to
// the hive root. Errors are *SyntaxError (matching ErrSyntax) with the line
// number, or a tree error wrapped with the line number. The hive may be
// partly changed when an error is returned.
func (h *Hive) ImportReg(r io.Reader, prefix string) error {
	raw, err := io.ReadAll(io.LimitReader(r, MaxRegFileSize+1))
	if err != nil {
		return fmt.Errorf("regf: reading .reg text: %w", err)
	}
	if len(raw) > MaxRegFileSize {
		return fmt.Errorf("%w: .reg text larger than %d bytes", ErrLimit, MaxRegFileSize)
	}
	lines := regLines(raw)
	prefix = strings.TrimSuffix(prefix, `\`)
	var cur *Key
	for i := 0; i < len(lines); i++ {
		lineno := i + 1
		line := lines[i]
		// Continuation lines (a trailing backslash), joined in one
		// builder: appending to a growing string made long hex values
		// quadratic.
		if !strings.HasPrefix(strings.TrimSpace(line), "[") {
			var joined strings.Builder
			for {
				t := strings.TrimRight(line, " \t")
				if !strings.HasSuffix(t, `\`) || i+1 >= len(lines) {
					break
				}
				joined.WriteString(t[:len(t)-1])
				i++
				line = strings.TrimLeft(lines[i], " \t")
			}
			if joined.Len() > 0 {
				joined.WriteString(line)
				line = joined.String()
			}
		}
		trim := strings.TrimSpace(line)
		switch {
		case trim == "" || strings.HasPrefix(trim, ";"):
			cur = nil
			continue
		case strings.HasPrefix(trim, "Windows Registry Editor Version") || strings.HasPrefix(trim, "REGEDIT"):
			continue
		case strings.HasPrefix(trim, "[") && strings.HasSuffix(trim, "]"):
			body := trim[1 : len(trim)-1]
			del := strings.HasPrefix(body, "-")
			if del {
				body = body[1:]
			}
			kp, err := mapRegPath(body, prefix)
			if err != nil {
				return &SyntaxError{Line: lineno, What: err.Error()}
			}
			if del {
				cur = nil
				if len(splitPath(kp)) == 0 {
					return &SyntaxError{Line: lineno, What: "cannot delete the root key"}
				}
				if err := h.DeleteKey(kp); err != nil && !isNotFound(err) {
					return fmt.Errorf("regf: .reg line %d: %w", lineno, err)
				}
				continue
			}
			cur, err = h.CreateKey(kp)
			if err != nil {
				return fmt.Errorf("regf: .reg line %d: %w", lineno, err)
			}
		case strings.HasPrefix(trim, `"`) || strings.HasPrefix(trim, "@"):
			if cur == nil {
				return &SyntaxError{Line: lineno, What: "value line outside a [key] section"}
			}
			var name, rest string
			if trim[0] == '@' {
				rest = trim[1:]
			} else {
				var ok bool
				name, rest, ok = parseQuoted(trim)
				if !ok {
					return &SyntaxError{Line: lineno, What: "unterminated quoted value name"}
				}
			}
			rest = strings.TrimLeft(rest, " \t")
			if !strings.HasPrefix(rest, "=") {
				return &SyntaxError{Line: lineno, What: "expected = after the value name"}
			}
			rest = strings.TrimSpace(rest[1:])
			if rest == "-" {
				cur.DeleteValue(name)
				continue
			}
			t, data, err := parseRegValue(rest)
			if err != nil {
				return &SyntaxError{Line: lineno, What: err.Error()}
			}
			if err := cur.SetValue(name, t, data); err != nil {
				return fmt.Errorf("regf: .reg line %d: %w", lineno, err)
			}
		default:
			return &SyntaxError{Line: lineno, What: fmt.Sprintf("unexpected text %q", clip(trim))}
		}
	}
	return nil
}

func isNotFound(err error) bool {
	for e := err; e != nil; {
		if e == ErrNotFound {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// regLines decodes .reg bytes into lines (see ImportReg for encodings).
func regLines(raw []byte) []string {
	var text []string
	if len(raw) >= 2 && raw[0] == 0xFF && raw[1] == 0xFE {
		u := utf16Units(raw[2:])
		s := string(utf16.Decode(u))
		text = strings.Split(s, "\n")
	} else {
		raw = bytes.TrimPrefix(raw, []byte{0xEF, 0xBB, 0xBF})
		for _, l := range bytes.Split(raw, []byte("\n")) {
			if utf8.Valid(l) {
				text = append(text, string(l))
			} else {
				text = append(text, latin1ToName(l))
			}
		}
	}
	for i := range text {
		text[i] = strings.TrimSuffix(text[i], "\r")
	}
	return text
}

// mapRegPath strips prefix from a .reg key path.
func mapRegPath(p, prefix string) (string, error) {
	if prefix == "" {
		// Relative to the hive root. A regedit export names its keys
		// from a registry root, which a hive file does not have: taking
		// it literally would create a key called HKEY_LOCAL_MACHINE.
		first := strings.ToUpper(strings.SplitN(strings.TrimPrefix(p, `\`), `\`, 2)[0])
		if strings.HasPrefix(first, "HKEY_") || first == "HKLM" || first == "HKCU" || first == "HKCR" || first == "HKU" || first == "HKCC" {
			return "", fmt.Errorf("key %q starts with the registry root %s, which a hive file does not contain; import it with the prefix of this hive (e.g. HKEY_LOCAL_MACHINE\\SYSTEM)", clip(p), first)
		}
		return p, nil
	}
	if len(p) >= len(prefix) && strings.EqualFold(p[:len(prefix)], prefix) {
		rest := p[len(prefix):]
		if rest == "" || rest[0] == '\\' {
			return rest, nil
		}
	}
	return "", fmt.Errorf("key %q is not under the prefix %q", clip(p), prefix)
}

// parseQuoted parses a leading "..." with \x escapes (x taken literally) and
// returns the string and the text after the closing quote.
func parseQuoted(s string) (string, string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], true
		case '\\':
			i++
			if i >= len(s) {
				return "", "", false
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// parseRegValue parses the text after "name"=.
func parseRegValue(s string) (ValueType, []byte, error) {
	switch {
	case strings.HasPrefix(s, "dword:"):
		d := s[len("dword:"):]
		if len(d) == 0 || len(d) > 8 {
			return 0, nil, fmt.Errorf("dword: needs 1 to 8 hex digits, got %q", clip(d))
		}
		n, err := strconv.ParseUint(d, 16, 32)
		if err != nil {
			return 0, nil, fmt.Errorf("bad dword %q", clip(d))
		}
		return REG_DWORD, binary.LittleEndian.AppendUint32(nil, uint32(n)), nil
	case strings.HasPrefix(s, "hex:"):
		b, err := parseHexBytes(s[len("hex:"):])
		return REG_BINARY, b, err
	case strings.HasPrefix(s, "hex("):
		t, rest, err := parseTypeParen(s[len("hex"):])
		if err != nil {
			return 0, nil, err
		}
		if !strings.HasPrefix(rest, ":") {
			return 0, nil, fmt.Errorf("expected : after hex(%x)", uint32(t))
		}
		b, err := parseHexBytes(rest[1:])
		return t, b, err
	case strings.HasPrefix(s, "str:"):
		str, err := parseWholeQuoted(s[len("str:"):])
		return REG_SZ, EncodeString(str), err
	case strings.HasPrefix(s, "str("):
		t, rest, err := parseTypeParen(s[len("str"):])
		if err != nil {
			return 0, nil, err
		}
		if !strings.HasPrefix(rest, ":") {
			return 0, nil, fmt.Errorf("expected : after str(%x)", uint32(t))
		}
		str, err := parseWholeQuoted(rest[1:])
		return t, EncodeString(str), err
	case strings.HasPrefix(s, `"`):
		str, err := parseWholeQuoted(s)
		return REG_SZ, EncodeString(str), err
	}
	return 0, nil, fmt.Errorf("unknown value syntax %q", clip(s))
}

func parseWholeQuoted(s string) (string, error) {
	str, rest, ok := parseQuoted(s)
	if !ok {
		return "", fmt.Errorf("unterminated string")
	}
	if strings.TrimSpace(rest) != "" {
		return "", fmt.Errorf("unexpected text %q after the string", clip(rest))
	}
	return str, nil
}

// parseTypeParen parses "(N)" with N in hex and returns the rest.
func parseTypeParen(s string) (ValueType, string, error) {
	end := strings.IndexByte(s, ')')
	if !strings.HasPrefix(s, "(") || end < 0 {
		return 0, "", fmt.Errorf("bad type in %q", clip(s))
	}
	n, err := strconv.ParseUint(s[1:end], 16, 32)
	if err != nil {
		return 0, "", fmt.Errorf("bad type %q", clip(s[1:end]))
	}
	return ValueType(n), s[end+1:], nil
}

// parseHexBytes parses comma-separated two-digit hex bytes (whitespace
// ignored; empty is zero bytes).
func parseHexBytes(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return []byte{}, nil
	}
	parts := strings.Split(s, ",")
	if parts[len(parts)-1] == "" { // tolerate a trailing comma
		parts = parts[:len(parts)-1]
	}
	out := make([]byte, len(parts))
	for i, p := range parts {
		if len(p) != 2 {
			return nil, fmt.Errorf("bad hex byte %q", clip(p))
		}
		n, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad hex byte %q", clip(p))
		}
		out[i] = byte(n)
	}
	return out, nil
}
