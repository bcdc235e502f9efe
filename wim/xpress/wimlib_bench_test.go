package xpress

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCorpusWimlib measures wimlib-imagex on the same corpus as
// BenchmarkCorpusLevel5 (its files written to a temporary directory and
// captured with --compress=xpress --threads=1), for a side-by-side
// comparison: MB per CPU second of the capture (which also reads and
// hashes the files, so it slightly favours this package) and the summed
// compressed size of the file blobs.
func BenchmarkCorpusWimlib(b *testing.B) {
	if _, err := exec.LookPath("wimlib-imagex"); err != nil {
		b.Skip("wimlib-imagex not installed")
	}
	files := benchCorpus(b, 50<<20)
	dir := b.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		b.Fatal(err)
	}
	total := 0
	for i, f := range files {
		if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("f%05d", i)), f, 0o644); err != nil {
			b.Fatal(err)
		}
		total += len(f)
	}
	wim := filepath.Join(dir, "x.wim")
	b.SetBytes(int64(total))
	var cpu float64
	for b.Loop() {
		os.Remove(wim)
		cmd := exec.Command("wimlib-imagex", "capture", src, wim, "--compress=xpress", "--threads=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("wimlib-imagex capture: %v\n%s", err, out)
		}
		cpu += (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	b.ReportMetric(float64(total)*float64(b.N)/1e6/cpu, "MB/cpu-s")
	out, err := exec.Command("wimlib-imagex", "info", wim, "--blobs").Output()
	if err != nil {
		b.Fatal(err)
	}
	// Sum "Compressed size" over the blobs that are not metadata.
	size := 0
	for _, blob := range strings.Split(string(out), "\n\n") {
		if strings.Contains(blob, "METADATA") {
			continue
		}
		for _, line := range strings.Split(blob, "\n") {
			if v, ok := strings.CutPrefix(line, "Compressed size   = "); ok {
				n, err := strconv.Atoi(strings.TrimSuffix(v, " bytes"))
				if err != nil {
					b.Fatalf("wimlib-imagex info: %q", line)
				}
				size += n
			}
		}
	}
	b.ReportMetric(100*float64(size)/float64(total), "%size")
	b.ReportMetric(float64(size), "outbytes")
}
