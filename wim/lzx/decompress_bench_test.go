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
	total := 0
	for _, bl := range w.blobs {
		data, err := decodeBlob(d, bl)
		if err != nil || sha1.Sum(data) != bl.sha1 {
			b.Fatalf("blob %x: %v (or SHA-1 mismatch)", bl.sha1, err)
		}
		for _, c := range bl.chunks {
			if !bl.raw && len(c.data) != c.usize {
				chunks = append(chunks, c)
				total += c.usize
			}
		}
	}
	out := make([]byte, w.chunkSize)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	t0 := cpuTime()
	defer reportCPU(b, t0, total)
	for i := 0; i < b.N; i++ {
		for _, c := range chunks {
			if err := d.Decompress(out[:c.usize], c.data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
