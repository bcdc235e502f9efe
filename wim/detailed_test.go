package wim

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// detailedEntry is one block of `wimlib-imagex dir --detailed` output.
type detailedEntry struct {
	fields  map[string]string
	streams []string // "kind hash size"
}

func parseDetailed(t *testing.T, name string) map[string]*detailedEntry {
	b, err := os.ReadFile(testutil.Fixture(t, "wim", name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*detailedEntry{}
	for _, block := range strings.Split(string(b), "----------------------------------------------------------------------------") {
		e := &detailedEntry{fields: map[string]string{}}
		kind := ""
		var hash string
		for _, l := range strings.Split(block, "\n") {
			if strings.HasPrefix(l, "\t") {
				kind = strings.TrimSuffix(strings.TrimSpace(l), ":")
				continue
			}
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if kind == "" {
				e.fields[k] = v
				continue
			}
			switch k {
			case "Hash":
				hash = strings.TrimPrefix(v, "0x")
			case "Uncompressed size":
				e.streams = append(e.streams, kind+" "+hash+" "+strings.TrimSuffix(v, " bytes"))
			}
		}
		if p, ok := e.fields["Full Path"]; ok {
			out[strings.Trim(p, `"`)] = e
		}
	}
	return out
}

func TestAgainstWimlibDetailedListing(t *testing.T) {
	for _, fx := range []string{"basic-lzx", "reparse-lzx"} {
		t.Run(fx, func(t *testing.T) {
			want := parseDetailed(t, fx+".dir-detailed.txt")
			w := openFixture(t, fx)
			img, err := w.Image(1)
			if err != nil {
				t.Fatal(err)
			}
			links := map[*Inode]int{}
			img.Walk(func(_ string, d *Dentry) error { links[d.Inode]++; return nil })
			seen := 0
			err = img.Walk(func(p string, d *Dentry) error {
				path := strings.ReplaceAll(p, `\`, "/")
				e := want[path]
				if e == nil {
					t.Errorf("%s not in wimlib listing", path)
					return nil
				}
				seen++
				in := d.Inode
				if got := fmt.Sprintf("0x%08x", in.Attributes); got != e.fields["Attributes"] {
					t.Errorf("%s: attributes %s, wimlib %s", path, got, e.fields["Attributes"])
				}
				if tag, ok := e.fields["Reparse Tag"]; ok != in.IsReparse() || (ok && tag != fmt.Sprintf("0x%08x", in.ReparseTag)) {
					t.Errorf("%s: reparse tag 0x%08x, wimlib %q", path, in.ReparseTag, tag)
				}
				if got := strconv.Itoa(links[in]); got != e.fields["Link Count"] {
					t.Errorf("%s: link count %s, wimlib %s", path, got, e.fields["Link Count"])
				}
				if links[in] > 1 {
					if got := fmt.Sprintf("0x%016x", in.linkID); got != e.fields["Link Group ID"] {
						t.Errorf("%s: link group %s, wimlib %s", path, got, e.fields["Link Group ID"])
					}
				}
				var got []string
				if in.IsReparse() {
					got = append(got, fmt.Sprintf("Reparse point stream %s %d", hexOrZero(in.Reparse.Hash), in.Reparse.Size))
				}
				if !in.IsDir() || d == img.Root {
					got = append(got, fmt.Sprintf("Unnamed data stream %s %d", hexOrZero(in.Data.Hash), in.Data.Size))
				}
				// wimlib lists empty unnamed streams inconsistently (for
				// directories, not for symlinks): compare non-empty ones.
				nonEmpty := func(s []string) string {
					var o []string
					for _, x := range s {
						if !strings.Contains(x, " 0000000000000000000000000000000000000000 ") {
							o = append(o, x)
						}
					}
					return strings.Join(o, "|")
				}
				if nonEmpty(got) != nonEmpty(e.streams) {
					t.Errorf("%s: streams %q, wimlib %q", path, got, e.streams)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != len(want) {
				t.Errorf("matched %d entries, wimlib lists %d", seen, len(want))
			}
		})
	}
}

func hexOrZero(h Hash) string {
	if h.IsZero() {
		return "0000000000000000000000000000000000000000"
	}
	return h.String()
}
