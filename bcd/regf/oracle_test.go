package regf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// regedExport runs chntpw's `reged -x HIVE PREFIX \ OUT` and returns OUT.
func regedExport(t testing.TB, hive, prefix string) []byte {
	t.Helper()
	exe := testutil.RequireTool(t, "reged")
	out := filepath.Join(t.TempDir(), "reged.reg")
	cmd := exec.Command(exe, "-x", hive, prefix, `\`, out)
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("reged -x %s: %v\n%s", hive, err, log)
	}
	if bytes.Contains(log, []byte("not found")) || bytes.Contains(log, []byte("ERROR")) {
		t.Fatalf("reged -x %s reported problems:\n%s", hive, log)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRegedReadsRewrittenFixtures(t *testing.T) {
	for _, f := range fixtureHives(t) {
		if strings.HasSuffix(f, "hivex-special") {
			continue // reged cannot look up its UTF-16 key names in either file
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			want := regedExport(t, f, `HKEY_LOCAL_MACHINE\H`)
			got := regedExport(t, writeTemp(t, out), `HKEY_LOCAL_MACHINE\H`)
			if !bytes.Equal(got, want) {
				t.Fatalf("reged reads our rewrite differently:\n%s", firstDiff(got, want))
			}
		})
	}
}

// regedScratchHive is scratchHive without what reged (chntpw 140201) cannot
// export: big data records, UTF-16 key names, zero-length values and
// REG_DWORD values that are not 4 bytes long.
func regedScratchHive(t testing.TB, minor uint32) *Hive {
	h := scratchHive(t, minor)
	mustDo(t, h.DeleteKey(`Unicode\asdf_äöüß\weird™`))
	k, _ := h.Key(`Types\All`)
	k.DeleteValue("none")
	k, _ = h.Key(`Types\Inline`)
	k.DeleteValue("len0")
	k.DeleteValue("dword3") // reged prints a 3-byte REG_DWORD as dword:00xxxxxx
	if minor >= 4 {
		mustDo(t, h.DeleteKey(`Big`))
	}
	return h
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// diffTrees lists the differences between two key trees (names, values).
func diffTrees(a, b *Key) []string {
	var out []string
	var walk func(x, y *Key)
	walk = func(x, y *Key) {
		for _, v := range x.Values() {
			w := y.Value(v.Name)
			switch {
			case w == nil:
				out = append(out, fmt.Sprintf("%s: value %q missing", x.Path(), v.Name))
			case w.Type != v.Type || !bytes.Equal(w.Data, v.Data):
				out = append(out, fmt.Sprintf("%s: value %q is %v %x, want %v %x", x.Path(), v.Name, w.Type, clipData(w.Data), v.Type, clipData(v.Data)))
			}
		}
		if len(x.Values()) != len(y.Values()) {
			out = append(out, fmt.Sprintf("%s: %d values, want %d", x.Path(), len(y.Values()), len(x.Values())))
		}
		for _, s := range x.Subkeys() {
			t := y.Subkey(s.Name())
			if t == nil || t.Name() != s.Name() {
				out = append(out, fmt.Sprintf("%s: subkey %q missing", x.Path(), s.Name()))
				continue
			}
			walk(s, t)
		}
		if len(x.Subkeys()) != len(y.Subkeys()) {
			out = append(out, fmt.Sprintf("%s: %d subkeys, want %d", x.Path(), len(y.Subkeys()), len(x.Subkeys())))
		}
	}
	walk(a, b)
	return out
}

func clipData(b []byte) []byte {
	if len(b) > 24 {
		return b[:24]
	}
	return b
}

func TestRegedReadsScratchHive(t *testing.T) {
	for _, minor := range []uint32{3, 5} {
		t.Run(fmt.Sprintf("1.%d", minor), func(t *testing.T) {
			h := regedScratchHive(t, minor)
			out, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			text := regedExport(t, writeTemp(t, out), `HKEY_LOCAL_MACHINE\X`)
			back := New()
			if err := back.ImportReg(bytes.NewReader(text), `HKEY_LOCAL_MACHINE\X`); err != nil {
				t.Fatalf("importing reged's export: %v", err)
			}
			if d := diffTrees(h.Root(), back.Root()); len(d) > 0 {
				t.Fatalf("reged reads our hive differently:\n%s", strings.Join(d[:min(len(d), 20)], "\n"))
			}
			if minor == 3 && back.Root().Subkey("Big").Value("blob40000") == nil {
				t.Fatal("40000-byte value missing in reged's export")
			}
		})
	}
}

// TestHivexshWritesToOurHive lets hivex's writer add a key and a value to a
// hive we wrote, then reads the result back.
func TestHivexshWritesToOurHive(t *testing.T) {
	exe := testutil.RequireTool(t, "hivexsh")
	for _, minor := range []uint32{3, 5} {
		t.Run(fmt.Sprintf("1.%d", minor), func(t *testing.T) {
			h := scratchHive(t, minor)
			out, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			p := writeTemp(t, out)
			script := "cd \\Many\nadd Key0500a\ncd Key0500a\nsetval 1\nAdded\nstring:by hivex\ncd \\\nadd AAA\ncommit\n"
			cmd := exec.Command(exe, "-w", p)
			cmd.Stdin = strings.NewReader(script)
			if log, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("hivexsh -w: %v\n%s", err, log)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse after hivexsh: %v", err)
			}
			k, err := got.Key(`Many\Key0500a`)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := k.Value("Added").String(); err != nil || s != "by hivex" {
				t.Fatalf("value written by hivex: %q %v", s, err)
			}
			if got.Root().Subkey("AAA") == nil {
				t.Fatal("key added by hivex missing")
			}
			mustDo(t, got.DeleteKey(`Many\Key0500a`))
			mustDo(t, got.DeleteKey(`AAA`))
			if d := diffTrees(h.Root(), got.Root()); len(d) > 0 {
				t.Fatalf("tree changed beyond hivex's additions:\n%s", strings.Join(d[:min(len(d), 20)], "\n"))
			}
			if err := Validate(data); err != nil {
				t.Errorf("hivex's edit of our hive fails strict validation: %v", err)
			}
		})
	}
}
