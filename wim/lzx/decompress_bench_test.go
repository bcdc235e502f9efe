package lzx

import (
	"crypto/sha1"
	"os"
	"testing"
)

// BenchmarkDecompressWIM decodes every LZX chunk of the WIM named by
// LZX_BENCH_WIM (for example one captured by wimlib-imagex from a benchmark
// corpus), after checking once that every blob decodes to its SHA-1.
func BenchmarkDecompressWIM(b *testing.B) {
	path := os.Getenv("LZX_BENCH_WIM")
	if path == "" {
		b.Skip("set LZX_BENCH_WIM to an LZX WIM file")
	}
	w := readTestWIM(b, path)
	d, err := NewDecompressor(w.chunkSize)
	if err != nil {
		b.Fatal(err)
	}
	var chunks []wimChunk
	for _, bl := range w.blobs {
		data, err := decodeBlob(d, bl)
		if err != nil || sha1.Sum(data) != bl.sha1 {
			b.Fatalf("blob %x: %v (or SHA-1 mismatch)", bl.sha1, err)
		}
		for _, c := range bl.chunks {
			if !bl.raw && len(c.data) != c.usize {
				chunks = append(chunks, c)
			}
		}
	}
	benchDecode(b, d, chunks, w.chunkSize)
}
