package lzx

import (
	"crypto/sha1"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// TestWimlibOracle captures a generated tree with wimlib-imagex (LZX) at
// several chunk sizes and checks that every chunk it wrote decodes to the
// source bytes.
func TestWimlibOracle(t *testing.T) {
	testutil.RequireTool(t, "wimlib-imagex")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	files := writeOracleTree(t, src)
	for _, cs := range []int{32768, 65536, 1 << 21} {
		t.Run(itoa(cs), func(t *testing.T) {
			w := filepath.Join(dir, itoa(cs)+".wim")
			testutil.Run(t, "wimlib-imagex", "capture", src, w, "--compress=lzx", "--chunk-size="+itoa(cs), "--threads=1")
			blobs, n := checkWIMDecodes(t, w)
			if n == 0 {
				t.Fatal("no LZX chunks")
			}
			for fn, b := range files {
				if len(b) == 0 {
					continue
				}
				got, ok := blobs[sha1.Sum(b)]
				if !ok || string(got) != string(b) {
					t.Errorf("%s: not decoded from the WIM", fn)
				}
			}
		})
	}
}

// writeOracleTree writes the generated capture tree (x86-like code with E8
// calls, text, random, zeros, repeats; sizes 1..300000) into src.
func writeOracleTree(t *testing.T, src string) map[string][]byte {
	t.Helper()
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	files := map[string][]byte{}
	for _, n := range []int{1, 10, 11, 32767, 32768, 100000} {
		files[name("x86", n)] = genX86(r, n)
		files[name("text", n)] = genText(r, n)
		files[name("random", n)] = genRandom(r, n)
		files[name("zeros", n)] = make([]byte, n)
		files[name("repeats", n)] = genRepeats(r, n)
	}
	files["mixed-300000"] = append(append(genX86(r, 150000), genText(r, 100000)...), make([]byte, 50000)...)
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(src, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}
