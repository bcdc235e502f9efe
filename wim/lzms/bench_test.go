package lzms

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// benchData reads about n bytes of shared libraries from the host (real
// x86-64 code and data, like the DLLs in a Windows image).
func benchData(b *testing.B, n int) []byte {
	b.Helper()
	paths, _ := filepath.Glob("/usr/lib/x86_64-linux-gnu/*.so*")
	sort.Strings(paths)
	var data []byte
	for _, p := range paths {
		if len(data) >= n {
			break
		}
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() < 64<<10 {
			continue
		}
		d, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		data = append(data, d...)
	}
	if len(data) < n {
		b.Skipf("need %d bytes of libraries under /usr/lib/x86_64-linux-gnu, found %d", n, len(data))
	}
	return data[:n]
}

func benchCompress(b *testing.B, chunk, level, total int) {
	data := benchData(b, total)
	c, err := NewCompressor(chunk, level)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, chunk)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	out := 0
	for b.Loop() {
		out = 0
		for lo := 0; lo < len(data); lo += chunk {
			src := data[lo:min(lo+chunk, len(data))]
			n := c.Compress(dst[:len(src)-1], src)
			if n == 0 {
				n = len(src)
			}
			out += n
		}
	}
	b.ReportMetric(100*float64(out)/float64(len(data)), "%size")
}

func BenchmarkCompress128K(b *testing.B) {
	for _, level := range []int{10, 50, 100} {
		b.Run("level"+itoa(level), func(b *testing.B) { benchCompress(b, 1<<17, level, 4<<20) })
	}
}

func BenchmarkCompressSolid8M(b *testing.B) { benchCompress(b, 8<<20, 50, 8<<20) }

func BenchmarkDecompress128K(b *testing.B) {
	data := benchData(b, 4<<20)
	const chunk = 1 << 17
	c, _ := NewCompressor(chunk, 50)
	d, _ := NewDecompressor(chunk)
	type piece struct {
		comp []byte
		size int
	}
	var pieces []piece
	for lo := 0; lo < len(data); lo += chunk {
		src := data[lo:min(lo+chunk, len(data))]
		dst := make([]byte, len(src))
		if n := c.Compress(dst[:len(src)-1], src); n > 0 {
			pieces = append(pieces, piece{dst[:n], len(src)})
		}
	}
	out := make([]byte, chunk)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pieces {
			if err := d.Decompress(out[:p.size], p.comp); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
