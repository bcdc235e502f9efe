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
		a, g := newFinders(len(data))
		buf := make([]byte, len(data)+8, bt16Window)
		for _, p := range []params{levelParams(0), levelParams(10), levelParams(100)} {
			compareFinders(t, name, a, g, buf, data, p)
		}
	}
}

// FuzzMatchFinders runs the same comparison on arbitrary data and search
// parameters (finders made once for 32 KiB chunks, as the compressor
// keeps them, and reset for each input).
func FuzzMatchFinders(f *testing.F) {
	r := rand.New(rand.NewPCG(17, 17))
	f.Add(genText(r, 3000), uint8(12), uint8(20))
	f.Add(genX86(r, 3000), uint8(32), uint8(64))
	f.Add(make([]byte, 600), uint8(3), uint8(3))
	a, g := newFinders(DefaultChunkSize)
	buf := make([]byte, DefaultChunkSize+8, bt16Window)
	f.Fuzz(func(t *testing.T, data []byte, depth, nice uint8) {
		if len(data) < 3 || len(data) > DefaultChunkSize {
			return
		}
		p := params{depth: 1 + int(depth)%62, nice: 3 + int(nice)%255}
		compareFinders(t, "fuzz", a, g, buf, data, p)
	})
}

// newFinders returns both finders for chunks of at most maxChunk bytes.
func newFinders(maxChunk int) (*bt16, *matchFinder[uint16]) {
	o, err := windowOrder(maxChunk)
	if err != nil {
		panic(err)
	}
	return newBT16(maxChunk, 1<<o-3), newMatchFinder[uint16](maxChunk, 1<<o-3)
}

// compareFinders feeds data through bt16 and the generic finder (reset
// first) with the same calls and fails at the first position where they
// differ. buf is the input buffer (capacity at least bt16Window).
func compareFinders(t *testing.T, name string, a *bt16, g *matchFinder[uint16], buf, data []byte, p params) {
	t.Helper()
	a.reset()
	g.reset()
	n := len(data)
	in := buf[:n]
	copy(in, data)
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
			t.Fatalf("%s depth %d nice %d: position %d: bt16 found %x (best %d), generic %x (best %d)",
				name, p.depth, p.nice, i, outA[:ka], ba, outG[:kg], bg)
		}
	}
}
