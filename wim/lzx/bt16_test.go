package lzx

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestBT16MatchesGeneric checks that the fixed-array 16-bit match finder
// finds exactly what the generic one finds, position by position, with the
// same skips in between, on data of every kind and on chunk sizes around
// its limits. A divergence in either the recorded matches or the tree it
// leaves behind shows up here.
func TestBT16MatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	inputs := map[string][]byte{
		"random": genRandom(r, 32768),
		"text":   genText(r, 32768),
		"x86":    genX86(r, 32768),
		"zeros":  make([]byte, 32768),
		"odd":    genText(r, 65535),
		"small":  genText(r, 1000),
	}
	if b, err := os.ReadFile("/usr/bin/env"); err == nil && len(b) > 0 {
		inputs["binary"] = b[:min(len(b), 40000)]
	}
	for name, data := range inputs {
		for _, p := range []params{levelParams(0), levelParams(10), levelParams(100)} {
			n := len(data)
			o, err := windowOrder(n)
			if err != nil {
				t.Fatal(err)
			}
			maxOff := 1<<o - 3
			a := newBT16(n, maxOff)
			g := newMatchFinder[uint16](n, maxOff)
			buf := make([]byte, n+8, bt16Window)
			copy(buf, data)
			in := buf[:n]
			var outA, outG [maxFound]uint32
			for i := 0; i+3 <= n; i++ {
				maxLen := min(maxMatch, n-i)
				if i%7 == 3 { // some positions are only inserted, as inside a long match
					a.skip(in, i, maxLen, p.nice, p.depth)
					g.skip(in, i, maxLen, p.nice, p.depth)
					continue
				}
				ka, ba := a.find(in, i, maxLen, p.nice, p.depth, &outA)
				kg, bg := g.find(in, i, maxLen, p.nice, p.depth, &outG)
				if ka != kg || ba != bg || !slices.Equal(outA[:ka], outG[:kg]) {
					t.Fatalf("%s depth %d: position %d: bt16 found %x (best %d), generic %x (best %d)",
						name, p.depth, i, outA[:ka], ba, outG[:kg], bg)
				}
			}
		}
	}
}
