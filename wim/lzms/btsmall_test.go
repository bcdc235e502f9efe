package lzms

import (
	"bytes"
	"os"
	"testing"
)

// TestBTFindSmallSameOutput checks that the fixed-view match finder for
// chunks of at most 128 KiB changes nothing: every chunk compresses to the
// same bytes with it and with the general btFind (same buffers, same
// calls), at every optimal level and chunk sizes around the limit.
func TestBTFindSmallSameOutput(t *testing.T) {
	r := newRand(31)
	inputs := map[string][]byte{
		"x86":    genX86(r, 1<<17),
		"text":   genText(r, 100000),
		"random": genRandom(r, 5000),
		"delta":  genDelta(r, 70000),
		"mixed":  genMixed(32, 1<<17),
		"zeros":  make([]byte, 1<<17),
	}
	if b, err := os.ReadFile("/usr/bin/env"); err == nil && len(b) > 0 {
		inputs["binary"] = b[:min(len(b), 1<<17)]
	}
	for _, level := range []int{30, 50, 100} {
		for _, chunk := range []int{1 << 15, 1 << 17} {
			a, _ := NewCompressor(chunk, level)
			g, _ := NewCompressor(chunk, level)
			for name, data := range inputs {
				src := data[:min(len(data), chunk)]
				compareSmall(t, a, g, src, name, level)
			}
		}
	}
}

// FuzzBTFindSmall runs the same comparison on arbitrary chunks.
func FuzzBTFindSmall(f *testing.F) {
	r := newRand(33)
	f.Add(genX86(r, 4000), uint8(50))
	f.Add(genText(r, 3000), uint8(100))
	f.Add(genDelta(r, 2000), uint8(30))
	cs := map[int][2]*Compressor{}
	f.Fuzz(func(t *testing.T, src []byte, lv uint8) {
		if len(src) == 0 || len(src) > 1<<17 {
			return
		}
		level := []int{30, 50, 100}[int(lv)%3]
		p, ok := cs[level]
		if !ok {
			a, _ := NewCompressor(1<<17, level)
			g, _ := NewCompressor(1<<17, level)
			p = [2]*Compressor{a, g}
			cs[level] = p
		}
		compareSmall(t, p[0], p[1], src, "fuzz", level)
	})
}

// compareSmall compresses src with a (btFindSmall) and g (forced to the
// general btFind) and fails if the outputs differ.
func compareSmall(t *testing.T, a, g *Compressor, src []byte, name string, level int) {
	t.Helper()
	da := make([]byte, len(src))
	dg := make([]byte, len(src))
	na := a.Compress(da, src)
	if !a.small {
		t.Fatalf("%s: compressor for %d-byte chunks does not use btFindSmall", name, a.maxChunk)
	}
	if !g.started {
		g.alloc()
	}
	g.small = false // buffers stay laid out for either path
	ng := g.Compress(dg, src)
	g.small = true
	if na != ng || !bytes.Equal(da[:na], dg[:ng]) {
		t.Fatalf("%s level %d chunk %d: btFindSmall output (%d bytes) differs from btFind's (%d bytes)", name, level, a.maxChunk, na, ng)
	}
}
