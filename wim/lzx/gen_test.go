package lzx

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
)

// Deterministic test inputs.

func genRandom(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

var words = []string{"the", "wim", "image", "boot", "Windows", "System32", "driver", "\r\n", "setup",
	"registry", "file", "of", "and", "compression", "chunk", "LZX", "offset", "0x", "=", "[", "]"}

func genText(r *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(3) > 0 {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:n]
}

// genX86 makes x86-64-like code: prologues, calls (E8) to a small set of
// targets, movs with small displacements, some random bytes.
func genX86(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n+16)
	targets := make([]int32, 40)
	for i := range targets {
		targets[i] = int32(r.IntN(n+1000)) - 500
	}
	for len(b) < n {
		switch r.IntN(8) {
		case 0, 1:
			pos := len(b)
			t := targets[r.IntN(len(targets))]
			b = append(b, 0xE8)
			b = binary.LittleEndian.AppendUint32(b, uint32(t-int32(pos)-5))
		case 2:
			b = append(b, 0x55, 0x48, 0x89, 0xe5)
		case 3:
			b = append(b, 0x48, 0x8b, 0x45, byte(r.IntN(8)*8))
		case 4:
			b = append(b, 0x5d, 0xc3, 0xcc, 0xcc)
		case 5:
			b = append(b, 0x48, 0x83, 0xec, byte(r.IntN(4)*16))
		case 6:
			b = append(b, byte(r.Uint32()), byte(r.Uint32()))
		default:
			b = append(b, 0xe9, byte(r.Uint32()), byte(r.Uint32()), 0, 0)
		}
	}
	return b[:n]
}

// genRepeats makes data whose matches reuse a few offsets (R0/R1/R2).
func genRepeats(r *rand.Rand, n int) []byte {
	b := genRandom(r, 64)
	offs := []int{7, 13, 64, 1000}
	for len(b) < n {
		if r.IntN(4) == 0 {
			b = append(b, byte(r.Uint32()))
			continue
		}
		o := offs[r.IntN(len(offs))]
		if o > len(b) {
			o = len(b)
		}
		l := 2 + r.IntN(20)
		for k := 0; k < l; k++ {
			b = append(b, b[len(b)-o])
		}
	}
	return b[:n]
}

// testInputs returns named inputs of many kinds and sizes.
func testInputs() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	m := map[string][]byte{}
	for _, n := range []int{1, 2, 3, 10, 11, 12, 100, 1000, 32767, 32768} {
		m[name("random", n)] = genRandom(r, n)
		m[name("zeros", n)] = make([]byte, n)
		m[name("text", n)] = genText(r, n)
		m[name("x86", n)] = genX86(r, n)
		m[name("repeats", n)] = genRepeats(r, n)
	}
	mixed := append(append(genX86(r, 12000), genText(r, 9000)...), append(genRandom(r, 4000), make([]byte, 7768)...)...)
	m["mixed-32768"] = mixed
	return m
}

func name(kind string, n int) string {
	return kind + "-" + itoa(n)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}
