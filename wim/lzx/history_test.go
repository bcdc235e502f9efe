package lzx

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestHistoryIndependent: a chunk compresses to the same bytes whatever
// the compressor compressed before (a fresh compressor per thread must
// give the same output as a reused one). The short chunks end in text
// from a small vocabulary, so that many matches reach the chunk end and
// the bytes after it would decide between them.
func TestHistoryIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	words := []string{"alpha ", "beta ", "gamma ", "delta ", "alp", "bet", "a ", "b "}
	prevs := [][]byte{make([]byte, DefaultChunkSize), make([]byte, DefaultChunkSize)}
	for i := range prevs[1] {
		prevs[1][i] = byte(r.Uint32())
	}
	for trial := 0; trial < 10; trial++ {
		var b bytes.Buffer
		for b.Len() < 1000+trial*400 {
			b.WriteString(words[r.IntN(len(words))])
		}
		src := b.Bytes()
		for _, p := range []params{levelParams(0), levelParams(10), levelParams(100), {depth: 2, nice: maxMatch, passes: 1}} {
			var outs [][]byte
			for _, prev := range prevs {
				c, _ := NewCompressor(DefaultChunkSize, 0)
				c.p = p
				c.Compress(make([]byte, len(prev)), prev)
				dst := make([]byte, len(src))
				outs = append(outs, dst[:c.Compress(dst, src)])
			}
			if !bytes.Equal(outs[0], outs[1]) {
				t.Errorf("trial %d, params %+v: output depends on the previous chunk (%d vs %d bytes)", trial, p, len(outs[0]), len(outs[1]))
			}
		}
	}
}

// TestExplicitSlot: the explicit-offset slot function agrees with
// offsetSlot for every formatted offset of an explicit match.
func TestExplicitSlot(t *testing.T) {
	for fo := uint32(3); fo < 1<<21+3; fo++ {
		if a, b := explicitSlot(fo), offsetSlot(fo); a != b {
			t.Fatalf("fo %d: explicitSlot %d, offsetSlot %d", fo, a, b)
		}
	}
}
