package lzx

import (
	"bytes"
	"testing"
)

// TestRepetitiveInputs compresses 4 MiB of zeros and of one repeated
// sentence at 32 KiB and 2 MiB chunks (long matches everywhere: the parse
// must take them directly instead of weighing every length at every
// position) and checks the round trip.
func TestRepetitiveInputs(t *testing.T) {
	sentence := []byte("The quick brown fox jumps over the lazy dog. ")
	inputs := map[string][]byte{
		"zeros":    make([]byte, 4<<20),
		"sentence": bytes.Repeat(sentence, (4<<20)/len(sentence)+1)[:4<<20],
	}
	for _, cs := range []int{DefaultChunkSize, MaxChunkSize} {
		c, _ := NewCompressor(cs, 0)
		d, _ := NewDecompressor(cs)
		for name, data := range inputs {
			total := 0
			for off := 0; off < len(data); off += cs {
				total += roundTrip(t, c, d, data[off:min(off+cs, len(data))])
			}
			if total > len(data)/100 {
				t.Errorf("%s at %d-byte chunks: %d -> %d bytes", name, cs, len(data), total)
			}
		}
	}
}
