package regf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// fixtureHives lists every real hive fixture (BCD stores and hivex's test
// hives made by Windows).
func fixtureHives(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"bcd", "hives"} {
		d := testutil.Fixture(t, dir)
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			n := e.Name()
			if strings.Contains(n, ".") && !strings.HasSuffix(n, ".bcd") {
				continue // PROVENANCE.md, *.reg, *.txt
			}
			out = append(out, filepath.Join(d, n))
		}
	}
	if len(out) < 15 {
		t.Fatalf("found only %d fixture hives", len(out))
	}
	return out
}

func hivexExport(t testing.TB, path, prefix string) []byte {
	t.Helper()
	exe := testutil.RequireTool(t, "hivexregedit")
	cmd := exec.Command(exe, "--export", "--prefix", prefix, path, `\`)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hivexregedit --export %s: %v\n%s", path, err, stderr.Bytes())
	}
	return out
}

func TestExportMatchesHivexregedit(t *testing.T) {
	for _, f := range fixtureHives(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got bytes.Buffer
			if err := h.ExportReg(&got, `\`, ""); err != nil {
				t.Fatal(err)
			}
			want := hivexExport(t, f, "")
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("export differs from hivexregedit:\n%s", firstDiff(got.Bytes(), want))
			}
			if saved, err := os.ReadFile(f + ".hivexregedit.reg"); err == nil && !bytes.Equal(got.Bytes(), saved) {
				t.Fatalf("export differs from saved hivexregedit output:\n%s", firstDiff(got.Bytes(), saved))
			}
		})
	}
}

// firstDiff describes the first differing line of two texts.
func firstDiff(a, b []byte) string {
	al := bytes.Split(a, []byte("\n"))
	bl := bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + strconv.Itoa(i+1) + ":\n ours:   " + clipBytes(x) + "\n theirs: " + clipBytes(y)
		}
	}
	return "equal"
}

func clipBytes(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func TestRoundTripFixtures(t *testing.T) {
	for _, f := range fixtureHives(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			out, err := h.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			tmp := filepath.Join(t.TempDir(), "hive")
			if err := os.WriteFile(tmp, out, 0o644); err != nil {
				t.Fatal(err)
			}
			// hivexregedit's reading of the original: its saved export when
			// there is one, else our own export (equal to hivexregedit's, see
			// TestExportMatchesHivexregedit); one live run per fixture.
			want, err := os.ReadFile(f + ".hivexregedit.reg")
			if err != nil {
				var b bytes.Buffer
				mustDo(t, h.ExportReg(&b, "", ""))
				want = b.Bytes()
			}
			got := hivexExport(t, tmp, "")
			if !bytes.Equal(got, want) {
				t.Fatalf("hivexregedit reads our rewrite differently:\n%s", firstDiff(got, want))
			}
			h2, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal): %v", err)
			}
			out2, err := h2.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if len(out2) != len(out) || !bytes.Equal(out2[baseBlockSize:], out[baseBlockSize:]) {
				t.Fatal("re-marshalling a parsed rewrite changed the hive bins")
			}
		})
	}
}

func TestValidateFixturesAndRewrites(t *testing.T) {
	for _, f := range fixtureHives(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(data); err != nil {
				t.Errorf("original (made by Windows tools) fails strict validation:\n%v", err)
			}
			h, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(out); err != nil {
				t.Fatalf("our rewrite fails validation:\n%v", err)
			}
		})
	}
}

func parseFile(t testing.TB, path string) *Hive {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}

// TestParseRefusesWhatItWouldRewriteWrongly: damage that Parse used to
// "repair" silently, so an edit wrote back a hive missing a key or holding
// invented data, is a *FormatError: a subkey count its list does not
// match, inline value data over 4 bytes, a value's data offset pointing at
// its own vk cell, a cell size that is not a multiple of 8.
func TestParseRefusesWhatItWouldRewriteWrongly(t *testing.T) {
	h := New()
	a, _ := h.CreateKey(`A`)
	h.CreateKey(`A\B`)
	a.SetDWORD("V", 7)
	a.SetString("S", "a string longer than four bytes")
	good, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(good); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	// find returns the file offset of the cell data (its signature) of
	// the nk or vk cell named name.
	find := func(sig, name string) int {
		nameAt := nkName
		if sig == "vk" {
			nameAt = vkName
		}
		for i := baseBlockSize; i+nameAt+len(name) <= len(good); i++ {
			if string(good[i:i+2]) == sig && string(good[i+nameAt:i+nameAt+len(name)]) == name {
				return i
			}
		}
		t.Fatalf("no %s cell named %s", sig, name)
		return 0
	}
	for _, tc := range []struct {
		what   string
		damage func(b []byte)
		want   string
	}{
		{"subkey count", func(b []byte) { le.PutUint32(b[find("nk", "A")+nkNumSubkeys:], 2) }, "subkey count 2, but its subkey list holds 1"},
		{"inline size", func(b []byte) { le.PutUint32(b[find("vk", "V")+vkDataSize:], vkInline|5) }, "inline data of 5 bytes"},
		{"data is its own vk", func(b []byte) {
			i := find("vk", "S")
			le.PutUint32(b[i+vkData:], uint32(i-4-baseBlockSize))
		}, "also referenced as value"},
		{"odd cell size", func(b []byte) {
			i := find("vk", "V")
			le.PutUint32(b[i-4:], uint32(int32(le.Uint32(b[i-4:]))-4))
		}, "not a multiple of 8"},
	} {
		b := append([]byte(nil), good...)
		tc.damage(b)
		_, err := Parse(b)
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Parse error %v, want a FormatError saying %q", tc.what, err, tc.want)
		}
	}
}
