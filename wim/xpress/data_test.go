package xpress

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Deterministic test inputs of the kinds a WIM holds.

var words = strings.Fields(`the of and to in is that for it as was with be by on not he this are or his
from at which but have an they you were her she there had all one their can has been would will
Windows System32 boot config driver registry setup image file directory volume partition service`)

func genText(rng *rand.Rand, n int) []byte {
	var b []byte
	for len(b) < n {
		w := words[rng.IntN(len(words))]
		b = append(b, w...)
		switch rng.IntN(12) {
		case 0:
			b = append(b, ".\r\n"...)
		case 1:
			b = append(b, ", "...)
		default:
			b = append(b, ' ')
		}
	}
	return b[:n]
}

// genBinary imitates executable code and tables: short opcode-like
// sequences, little-endian addresses, repeated structures and padding.
func genBinary(rng *rand.Rand, n int) []byte {
	var b []byte
	ops := [][]byte{{0x48, 0x89, 0xe5}, {0x55}, {0xc3}, {0x48, 0x83, 0xec, 0x20}, {0xe8}, {0x8b, 0x45, 0xfc}, {0x0f, 0x1f, 0x44, 0x00, 0x00}}
	for len(b) < n {
		switch k := rng.IntN(10); {
		case k < 6:
			b = append(b, ops[rng.IntN(len(ops))]...)
			if rng.IntN(3) == 0 {
				b = binary.LittleEndian.AppendUint32(b, uint32(0x401000+rng.IntN(0x4000)))
			}
		case k < 8:
			b = append(b, byte(rng.IntN(256)))
		case k == 8 && len(b) > 64:
			// Repeat an earlier structure.
			start := rng.IntN(len(b) - 32)
			b = append(b, b[start:start+8+rng.IntN(24)]...)
		default:
			b = append(b, make([]byte, rng.IntN(16))...)
		}
	}
	return b[:n]
}

func genRandom(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// testInputs returns named inputs covering the codec's edge cases.
func testInputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(11, 12))
	in := map[string][]byte{
		"empty1":        {0},
		"one":           {'x'},
		"two":           {'a', 'b'},
		"zeros-32768":   make([]byte, 32768),
		"zeros-65536":   make([]byte, 65536),
		"zeros-300":     make([]byte, 300),
		"text-32767":    genText(rng, 32767),
		"text-32768":    genText(rng, 32768),
		"text-5000":     genText(rng, 5000),
		"binary-32768":  genBinary(rng, 32768),
		"binary-65536":  genBinary(rng, 65536),
		"binary-4096":   genBinary(rng, 4096),
		"random-32768":  genRandom(rng, 32768),
		"random-1000":   genRandom(rng, 1000),
		"abc-repeat":    []byte(strings.Repeat("abc", 20000)),
		"period7-65536": []byte(strings.Repeat("0123456", 65536/7+1))[:65536],
	}
	// Exactly maximal offset: a random block repeated 65535 bytes later.
	far := genRandom(rng, 65536)
	copy(far[65535-300:], far[:1])
	copy(far[65535:], far[:1])
	in["far-offset"] = far
	far2 := make([]byte, 65536)
	copy(far2, genRandom(rng, 400))
	copy(far2[65535-100:], far2[:100]) // offset 65435 match of 100 bytes
	for i := 400; i < 65435; i++ {
		far2[i] = byte(i * 7 / 3)
	}
	in["far-offset2"] = far2
	// Match lengths around the escape boundaries: 3+15+255 = 273, 65535.
	for _, l := range []int{3, 4, 17, 18, 19, 272, 273, 274, 1000, 32000, 65000} {
		b := genRandom(rng, 64)
		b = append(b, b[:min(l, 64)]...)
		for len(b) < 64+l {
			b = append(b, b[len(b)-64])
		}
		b = append(b, genRandom(rng, 40)...)
		in["len-"+strconv.Itoa(l)] = b
	}
	// Mixed: text, binary, random and zeros in one chunk.
	var mixed []byte
	mixed = append(mixed, genText(rng, 9000)...)
	mixed = append(mixed, genBinary(rng, 9000)...)
	mixed = append(mixed, genRandom(rng, 3000)...)
	mixed = append(mixed, make([]byte, 5000)...)
	mixed = append(mixed, genText(rng, 6768)...)
	in["mixed-32768"] = mixed
	return in
}

func sortedNames(m map[string][]byte) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// writeTree writes the inputs as files under dir.
func writeTree(t *testing.T, dir string, in map[string][]byte) {
	t.Helper()
	for name, b := range in {
		sub := filepath.Join(dir, name[:1])
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, name+".dat"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func randSource(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed+1)) }
