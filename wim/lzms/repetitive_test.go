package lzms

import (
	"bytes"
	"testing"
	"time"
)

// TestRepetitiveInput compresses long runs and long repetitions (zero-filled
// regions, repeated records) at the default level, in one large chunk and
// in 128 KiB chunks. Both used to take quadratic time in the match finder.
// The time is logged, not asserted.
func TestRepetitiveInput(t *testing.T) {
	const size = 4 << 20
	sentence := []byte("The quick brown fox jumps over the lazy dog; ")
	inputs := map[string][]byte{
		"zeros":    make([]byte, size),
		"sentence": bytes.Repeat(sentence, size/len(sentence)+1)[:size],
	}
	for _, chunk := range []int{size, 1 << 17} {
		for _, level := range []int{10, 0} {
			c, err := NewCompressor(chunk, level)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := NewDecompressor(chunk)
			for name, data := range inputs {
				t0 := time.Now()
				out := 0
				for lo := 0; lo < len(data); lo += chunk {
					n := roundTrip(t, c, d, data[lo:min(lo+chunk, len(data))])
					if n == 0 {
						t.Fatalf("%s not compressed", name)
					}
					out += n
				}
				t.Logf("chunk %d level %d %s: %d -> %d bytes in %v", chunk, level, name, len(data), out, time.Since(t0))
			}
		}
	}
}
