package bcd

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/internal/testutil"
)

// regVal is one value as a .reg export shows it.
type regVal struct {
	typ  uint32
	data []byte
}

// regTree maps lower-cased key paths (relative to the hive root, "" for the
// root, `\`-separated) to their values by lower-cased name.
type regTree map[string]map[string]regVal

func (t regTree) String() string {
	var keys []string
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "[%s]\n", k)
		var names []string
		for n := range t[k] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v := t[k][n]
			fmt.Fprintf(&b, "  %q = %d:%x\n", n, v.typ, v.data)
		}
	}
	return b.String()
}

// hiveTree flattens a hive as our reader sees it.
func hiveTree(h *regf.Hive) regTree {
	t := regTree{}
	var walk func(k *regf.Key, path string)
	walk = func(k *regf.Key, path string) {
		vals := map[string]regVal{}
		for _, v := range k.Values() {
			vals[strings.ToLower(v.Name)] = normVal(uint32(v.Type), v.Data)
		}
		t[strings.ToLower(path)] = vals
		for _, c := range k.Subkeys() {
			p := c.Name()
			if path != "" {
				p = path + `\` + c.Name()
			}
			walk(c, p)
		}
	}
	walk(h.Root(), "")
	return t
}

// normVal makes string values comparable across tools that print them
// decoded (reged): REG_SZ data becomes its text up to the first NUL.
func normVal(typ uint32, data []byte) regVal {
	if typ == uint32(regf.REG_SZ) {
		u := make([]uint16, len(data)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(data[2*i:])
		}
		for i, c := range u {
			if c == 0 {
				u = u[:i]
				break
			}
		}
		return regVal{typ: typ, data: []byte(string(utf16.Decode(u)))}
	}
	return regVal{typ: typ, data: append([]byte{}, data...)}
}

// regLogicalLines joins backslash-continued lines of a .reg file.
func regLogicalLines(text string) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(text, "\r", "")))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		l := sc.Text()
		if cur.Len() > 0 {
			l = strings.TrimLeft(l, " ")
		}
		if strings.HasSuffix(l, `\`) && !strings.HasPrefix(l, "[") {
			cur.WriteString(strings.TrimSuffix(l, `\`))
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

// parseRegExport parses `hivexregedit --export --prefix ”` or `reged -x`
// output. prefix is stripped from key paths.
func parseRegExport(t testing.TB, text, prefix string) regTree {
	t.Helper()
	tree := regTree{}
	var cur map[string]regVal
	for _, l := range regLogicalLines(text) {
		switch {
		case l == "" || strings.HasPrefix(l, "Windows Registry Editor"):
		case strings.HasPrefix(l, "["):
			p := strings.TrimSuffix(strings.TrimPrefix(l, "["), "]")
			p = strings.TrimPrefix(p, prefix)
			p = strings.Trim(p, `\`)
			cur = map[string]regVal{}
			tree[strings.ToLower(p)] = cur
		case strings.HasPrefix(l, `"`) || strings.HasPrefix(l, "@"):
			var name, rest string
			if strings.HasPrefix(l, "@=") {
				rest = l[2:]
			} else {
				end := strings.Index(l[1:], `"=`)
				if end < 0 {
					t.Fatalf("bad value line %q", l)
				}
				name, rest = unescapeReg(l[1:end+1]), l[end+3:]
			}
			v, err := parseRegData(rest)
			if err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			cur[strings.ToLower(name)] = v
		default:
			t.Fatalf("unexpected .reg line %q", l)
		}
	}
	return tree
}

func unescapeReg(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(s)
}

func parseRegData(s string) (regVal, error) {
	switch {
	case strings.HasPrefix(s, `"`):
		return regVal{typ: uint32(regf.REG_SZ), data: []byte(unescapeReg(strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)))}, nil
	case strings.HasPrefix(s, "dword:"):
		v, err := strconv.ParseUint(s[6:], 16, 32)
		if err != nil {
			return regVal{}, err
		}
		return regVal{typ: uint32(regf.REG_DWORD), data: binary.LittleEndian.AppendUint32(nil, uint32(v))}, nil
	case strings.HasPrefix(s, "hex"):
		typ := uint64(regf.REG_BINARY)
		rest := s[3:]
		if strings.HasPrefix(rest, "(") {
			end := strings.Index(rest, ")")
			var err error
			typ, err = strconv.ParseUint(rest[1:end], 16, 32)
			if err != nil {
				return regVal{}, err
			}
			rest = rest[end+1:]
		}
		rest = strings.TrimPrefix(rest, ":")
		hx := strings.ReplaceAll(strings.ReplaceAll(rest, ",", ""), " ", "")
		b, err := hex.DecodeString(hx)
		if err != nil {
			return regVal{}, err
		}
		return normVal(uint32(typ), b), nil
	}
	return regVal{}, fmt.Errorf("unknown value syntax %q", s)
}

// hivexTree exports a hive file with hivexregedit and parses the result.
func hivexTree(t testing.TB, file string) (regTree, string) {
	t.Helper()
	out := testutil.Run(t, "hivexregedit", "--export", "--prefix", "", file, `\`)
	return parseRegExport(t, out, ""), out
}

// regedTree exports a hive file with chntpw's reged and parses the result.
func regedTree(t testing.TB, file string) regTree {
	t.Helper()
	path := testutil.RequireTool(t, "reged")
	out := filepath.Join(t.TempDir(), "reged.reg")
	cmd := exec.Command(path, "-x", file, `HKEY_LOCAL_MACHINE\BCD`, `\`, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reged -x: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return parseRegExport(t, string(b), `HKEY_LOCAL_MACHINE\BCD`)
}

// treesEqual reports the first difference between two trees.
func treesDiff(a, b regTree) string {
	if a.String() == b.String() {
		return ""
	}
	as, bs := strings.Split(a.String(), "\n"), strings.Split(b.String(), "\n")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] != bs[i] {
			return fmt.Sprintf("line %d:\n  ours:   %s\n  oracle: %s", i, as[i], bs[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(as), len(bs))
}

// checkWithOracles writes data to a file and requires hivexregedit and
// reged to read exactly the tree our reader reads.
func checkWithOracles(t *testing.T, data []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "BCD")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := regf.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	ours := hiveTree(h)
	hx, _ := hivexTree(t, file)
	if d := treesDiff(ours, hx); d != "" {
		t.Fatalf("hivexregedit reads a different tree: %s", d)
	}
	rg := regedTree(t, file)
	if d := treesDiff(ours, rg); d != "" {
		t.Fatalf("reged reads a different tree: %s", d)
	}
	return file
}
