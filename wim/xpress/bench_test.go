package xpress

import (
	"crypto/sha1"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// benchCorpus returns up to limit bytes of real files (deduplicated by
// content, smaller than 4 MiB each), read at benchmark time from
// $XPRESS_BENCH_DIR or /usr/lib/x86_64-linux-gnu, in name order.
func benchCorpus(b *testing.B, limit int) [][]byte {
	b.Helper()
	dir := os.Getenv("XPRESS_BENCH_DIR")
	if dir == "" {
		dir = "/usr/lib/x86_64-linux-gnu"
	}
	var paths []string
	filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err == nil && de.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	seen := map[[20]byte]bool{}
	var files [][]byte
	total := 0
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || fi.Size() == 0 || fi.Size() >= 4<<20 {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		h := sha1.Sum(data)
		if seen[h] {
			continue
		}
		seen[h] = true
		files = append(files, data)
		total += len(data)
		if total >= limit {
			break
		}
	}
	if total == 0 {
		b.Skip("no corpus files")
	}
	return files
}

// resourceSize is the size a WIM resource of data takes with chunkSize
// chunks: chunk table plus chunks (raw when not smaller), or the raw data
// when compression does not pay.
func resourceSize(c *Compressor, dst, data []byte, chunkSize int) int {
	n := 0
	chunks := 0
	for off := 0; off < len(data); off += chunkSize {
		ch := data[off:min(off+chunkSize, len(data))]
		k := c.Compress(dst[:len(ch)-1], ch)
		if k == 0 {
			k = len(ch)
		}
		n += k
		chunks++
	}
	n += 4 * (chunks - 1)
	if n >= len(data) {
		return len(data)
	}
	return n
}

func benchmarkCorpus(b *testing.B, level, chunkSize int) {
	files := benchCorpus(b, 50<<20)
	c, err := NewCompressor(chunkSize, level)
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for _, f := range files {
		total += len(f)
	}
	dst := make([]byte, chunkSize)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	var out int
	cpu0 := cpuTime()
	for b.Loop() {
		out = 0
		for _, f := range files {
			out += resourceSize(c, dst, f, chunkSize)
		}
	}
	reportCPU(b, cpu0, total)
	b.ReportMetric(100*float64(out)/float64(total), "%size")
	b.ReportMetric(float64(out), "outbytes")
}

func BenchmarkCorpusLevel1(b *testing.B) { benchmarkCorpus(b, 1, 32768) }
func BenchmarkCorpusLevel3(b *testing.B) { benchmarkCorpus(b, 3, 32768) }
func BenchmarkCorpusLevel5(b *testing.B) { benchmarkCorpus(b, 5, 32768) }
func BenchmarkCorpusLevel6(b *testing.B) { benchmarkCorpus(b, 6, 32768) }
func BenchmarkCorpusLevel7(b *testing.B) { benchmarkCorpus(b, 7, 32768) }
func BenchmarkCorpusLevel9(b *testing.B) { benchmarkCorpus(b, 9, 32768) }
func BenchmarkCorpus4K(b *testing.B)     { benchmarkCorpus(b, 0, 4096) }

// benchChunks returns the corpus split into chunkSize chunks, both the
// plain chunks and their compressed forms.
func benchChunks(b *testing.B, limit, chunkSize int) (raw, comp [][]byte) {
	files := benchCorpus(b, limit)
	c, err := NewCompressor(chunkSize, DefaultLevel)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range files {
		for off := 0; off < len(f); off += chunkSize {
			ch := f[off:min(off+chunkSize, len(f))]
			dst := make([]byte, len(ch))
			if n := c.Compress(dst, ch); n != 0 {
				raw = append(raw, ch)
				comp = append(comp, dst[:n])
			}
		}
	}
	return raw, comp
}

func benchmarkDecompress(b *testing.B, chunkSize int) {
	raw, comp := benchChunks(b, 16<<20, chunkSize)
	d, err := NewDecompressor(chunkSize)
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for _, r := range raw {
		total += len(r)
	}
	out := make([]byte, chunkSize)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		for i, cdata := range comp {
			if err := d.Decompress(out[:len(raw[i])], cdata); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu0, total)
}

func BenchmarkDecompress32K(b *testing.B) { benchmarkDecompress(b, 32768) }
func BenchmarkDecompress4K(b *testing.B)  { benchmarkDecompress(b, 4096) }

// reportCPU reports MB per CPU second since cpu0 for b.N passes over
// total bytes.
func reportCPU(b *testing.B, cpu0 time.Duration, total int) {
	if d := cpuTime() - cpu0; d > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
	}
}

func BenchmarkCorpusLevel2(b *testing.B) { benchmarkCorpus(b, 2, 32768) }
func BenchmarkCorpusLevel4(b *testing.B) { benchmarkCorpus(b, 4, 32768) }
func BenchmarkCorpusLevel8(b *testing.B) { benchmarkCorpus(b, 8, 32768) }
