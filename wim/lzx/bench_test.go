package lzx

import (
	"crypto/sha1"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Benchmark corpus: real binaries, read at benchmark time (about 40 MB of
// regular files from /usr/lib/x86_64-linux-gnu and /usr/bin, sorted by
// path, duplicates removed by content). LZX_CORPUS_LIST=FILE writes the
// chosen paths to FILE so the same set can be captured with wimlib-imagex;
// LZX_CORPUS_DIR=DIR reads the files under DIR instead, LZX_CORPUS_MB=N
// changes the size.

const corpusBytes = 40 << 20

var (
	corpusOnce  sync.Once
	corpusFiles [][]byte
	corpusPaths []string
)

func loadCorpus(b testing.TB) [][]byte {
	corpusOnce.Do(func() {
		var paths []string
		roots := []string{"/usr/lib/x86_64-linux-gnu", "/usr/bin"}
		if d := os.Getenv("LZX_CORPUS_DIR"); d != "" {
			roots = []string{d} // e.g. the corpus scripts/bench.sh collects
		}
		for _, root := range roots {
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if d.Type().IsRegular() {
					paths = append(paths, p)
				}
				return nil
			})
		}
		sort.Strings(paths)
		seen := map[[20]byte]bool{}
		total := 0
		limit := corpusBytes
		if mb, err := strconv.Atoi(os.Getenv("LZX_CORPUS_MB")); err == nil && mb > 0 {
			limit = mb << 20
		}
		for _, p := range paths {
			if total >= limit {
				break
			}
			fi, err := os.Stat(p)
			if err != nil || fi.Size() == 0 || fi.Size() > 8<<20 {
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
			corpusFiles = append(corpusFiles, data)
			corpusPaths = append(corpusPaths, p)
			total += len(data)
		}
		if f := os.Getenv("LZX_CORPUS_LIST"); f != "" {
			os.WriteFile(f, []byte(strings.Join(corpusPaths, "\n")+"\n"), 0o644)
		}
	})
	if len(corpusFiles) == 0 {
		b.Skip("no corpus files")
	}
	return corpusFiles
}

// chunks splits files into 32 KiB chunks (each file's last chunk shorter).
func chunks(files [][]byte, cs int) [][]byte {
	var out [][]byte
	for _, f := range files {
		for o := 0; o < len(f); o += cs {
			out = append(out, f[o:min(o+cs, len(f))])
		}
	}
	return out
}

func benchCompress(b *testing.B, level int) {
	cks := chunks(loadCorpus(b), DefaultChunkSize)
	total := 0
	for _, c := range cks {
		total += len(c)
	}
	c, _ := NewCompressor(DefaultChunkSize, level)
	if v := os.Getenv("LZX_PARAMS"); v != "" { // depth,nice,passes,light,sample for tuning
		f := strings.Split(v+",,,,", ",")
		c.p.depth, _ = strconv.Atoi(f[0])
		c.p.nice, _ = strconv.Atoi(f[1])
		c.p.passes, _ = strconv.Atoi(f[2])
		c.p.lightFirst = f[3] == "1"
		c.p.sample, _ = strconv.Atoi(f[4])
	}
	dst := make([]byte, DefaultChunkSize)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	t0 := cpuTime()
	var out int
	for i := 0; i < b.N; i++ {
		out = 0
		for _, ck := range cks {
			n := c.Compress(dst[:len(ck)-1], ck)
			if n == 0 {
				n = len(ck)
			}
			out += n
		}
	}
	// Resource size as in a WIM: chunks plus 4-byte chunk-table entries.
	reportCPU(b, t0, total)
	out += 4 * (len(cks) - len(corpusFiles))
	b.ReportMetric(100*float64(out)/float64(total), "%size")
	b.ReportMetric(float64(out), "outbytes")
}

func BenchmarkCompressLevel0(b *testing.B)   { benchCompress(b, 0) }
func BenchmarkCompressLevel10(b *testing.B)  { benchCompress(b, 10) }
func BenchmarkCompressLevel30(b *testing.B)  { benchCompress(b, 30) }
func BenchmarkCompressLevel70(b *testing.B)  { benchCompress(b, 70) }
func BenchmarkCompressLevel100(b *testing.B) { benchCompress(b, 100) }

func BenchmarkDecompress(b *testing.B) {
	cks := chunks(loadCorpus(b), DefaultChunkSize)
	c, _ := NewCompressor(DefaultChunkSize, 0)
	var encs []wimChunk
	for _, ck := range cks {
		dst := make([]byte, len(ck))
		n := c.Compress(dst[:len(ck)-1], ck)
		if n == 0 {
			continue
		}
		encs = append(encs, wimChunk{data: dst[:n], usize: len(ck)})
	}
	d, _ := NewDecompressor(DefaultChunkSize)
	benchDecode(b, d, encs, DefaultChunkSize)
}

// benchDecode decodes chunks b.N times, reporting throughput in
// uncompressed bytes.
func benchDecode(b *testing.B, d *Decompressor, chunks []wimChunk, chunkSize int) {
	total := 0
	for _, c := range chunks {
		total += c.usize
	}
	out := make([]byte, chunkSize)
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

// reportCPU reports CPU-time throughput (MB per CPU second) since t0.
func reportCPU(b *testing.B, t0 time.Duration, bytesPerOp int) {
	if d := cpuTime() - t0; d > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/d.Seconds()/1e6, "cpuMB/s")
	}
}

// BenchmarkMatchFinder runs only the match finder of the default level
// over the corpus chunks.
func BenchmarkMatchFinder(b *testing.B) {
	cks := chunks(loadCorpus(b), DefaultChunkSize)
	total := 0
	for _, c := range cks {
		total += len(c)
	}
	c, _ := NewCompressor(DefaultChunkSize, 0)
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	t0 := cpuTime()
	matches := 0
	for i := 0; i < b.N; i++ {
		matches = 0
		for _, ck := range cks {
			c.n = len(ck)
			copy(c.in, ck)
			e8Encode(c.in[:len(ck)])
			c.resetMF()
			for bs := 0; bs < len(ck); bs += blockLen {
				c.findMatches(bs, min(bs+blockLen, len(ck)))
				matches += len(c.cache)
			}
		}
	}
	reportCPU(b, t0, total)
	b.ReportMetric(float64(matches)/float64(total), "matches/B")
}
