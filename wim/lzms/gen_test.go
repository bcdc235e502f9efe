package lzms

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Deterministic test data of the kinds WIM images hold.

// genX86 makes x86-64-like machine code: calls (E8) and jumps (E9) to a
// recurring set of targets, RIP-relative lea/mov, indirect calls, filler
// instructions and repeated prologues.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed+1)) }

func genX86(r *rand.Rand, n int) []byte {
	if n == 0 {
		return nil
	}
	targets := make([]int, 200)
	for i := range targets {
		targets[i] = r.IntN(n + 1)
	}
	b := make([]byte, 0, n+16)
	for len(b) < n {
		pos := len(b)
		switch k := r.IntN(12); k {
		case 0, 1, 2:
			b = append(b, 0xE8)
			b = binary.LittleEndian.AppendUint32(b, uint32(targets[r.IntN(len(targets))]-(pos+5)))
		case 3:
			b = append(b, 0xE9)
			b = binary.LittleEndian.AppendUint32(b, uint32(r.IntN(4096)-2048))
		case 4:
			b = append(b, 0x48, 0x8D, 0x05|byte(r.IntN(8))<<3)
			b = binary.LittleEndian.AppendUint32(b, uint32(targets[r.IntN(len(targets))]-(pos+7)))
		case 5:
			b = append(b, 0x48, 0x8B, 0x05)
			b = binary.LittleEndian.AppendUint32(b, uint32(targets[r.IntN(len(targets))]-(pos+7)))
		case 6:
			b = append(b, 0xFF, 0x15)
			b = binary.LittleEndian.AppendUint32(b, uint32(targets[r.IntN(len(targets))]-(pos+6)))
		case 7:
			b = append(b, 0x55, 0x48, 0x89, 0xE5, 0x48, 0x83, 0xEC, byte(8*r.IntN(16)))
		case 8:
			b = append(b, 0xF0, 0x83, 0x05)
			b = binary.LittleEndian.AppendUint32(b, uint32(r.IntN(1<<16)))
			b = append(b, 1)
		case 9:
			b = append(b, 0x4C, 0x8D, 0x0D)
			b = binary.LittleEndian.AppendUint32(b, uint32(r.IntN(1<<20)))
		default:
			m := 1 + r.IntN(6)
			for range m {
				b = append(b, byte(r.IntN(64)+0x40*r.IntN(3)))
			}
		}
	}
	return b[:n]
}

var words = strings.Fields(`the of and to in is that for it as was with be by on not he this are or
his from at which but have an they you were their one all we can her has there been if more when will
would who so no windows system file image boot driver registry setup kernel service network device`)

func genText(r *rand.Rand, n int) []byte {
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(words[r.IntN(len(words))])
		switch r.IntN(12) {
		case 0:
			sb.WriteString(".\r\n")
		case 1:
			sb.WriteString(", ")
		default:
			sb.WriteByte(' ')
		}
	}
	return []byte(sb.String()[:n])
}

func genRandom(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// genDelta makes 16-bit little-endian samples of a slowly changing signal
// plus a 32-bit counter table: data where delta matches pay off.
func genDelta(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n+8)
	v := 1000
	for len(b) < n/2 {
		v += r.IntN(21) - 10
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	c := uint32(r.IntN(1 << 20))
	for len(b) < n {
		c += 7
		b = binary.LittleEndian.AppendUint32(b, c)
	}
	return b[:n]
}

// genMixed concatenates pieces of each kind with some exact repeats.
func genMixed(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, 0, n)
	for len(b) < n {
		m := 1 + r.IntN(20000)
		switch r.IntN(6) {
		case 0, 1:
			b = append(b, genX86(r, m)...)
		case 2:
			b = append(b, genText(r, m)...)
		case 3:
			b = append(b, genRandom(r, m/4)...)
		case 4:
			b = append(b, genDelta(r, m)...)
		case 5:
			if len(b) > 0 {
				off := r.IntN(len(b))
				b = append(b, b[off:min(len(b), off+m)]...)
			}
		}
	}
	return b[:n]
}

// writeTestTree writes a directory of generated files of assorted kinds and
// sizes (about 2.2 MB, or 0.9 MB with small) and returns its path.
func writeTestTree(t *testing.T, small bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tree")
	r := rand.New(rand.NewPCG(7, 7))
	scale := 1
	if small {
		scale = 4
	}
	files := map[string][]byte{
		"code/app.exe":       genX86(r, 400000/scale),
		"code/small.dll":     genX86(r, 9000),
		"code/tiny.sys":      genX86(r, 18),
		"text/readme.txt":    genText(r, 150000/scale),
		"text/short.txt":     genText(r, 3),
		"data/random.bin":    genRandom(r, 70000/scale),
		"data/zeros.bin":     make([]byte, 300000/scale),
		"data/delta.wav":     genDelta(r, 200000/scale),
		"data/mixed.bin":     genMixed(3, 600000/scale),
		"data/one.bin":       {0x41},
		"data/two.bin":       {0xE8, 0xE8},
		"data/seventeen.bin": genX86(r, 17),
		"data/chunk.bin":     genMixed(4, 131072),
		"data/chunk1.bin":    genMixed(5, 131073),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
