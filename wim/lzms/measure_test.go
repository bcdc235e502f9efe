//go:build unix

package lzms

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestMeasureCorpus reports ratio and single-thread speed on a directory of
// files named by LZMS_CORPUS (chunked like a WIM: LZMS_CHUNK bytes, default
// 128 KiB; raw chunks where compression does not help; 4 bytes of chunk
// table per extra chunk). It is a measurement, not a check, and runs only
// when asked:
//
//	LZMS_CORPUS=/path/to/files LZMS_LEVEL=50 go test -run MeasureCorpus -v ./wim/lzms/
func TestMeasureCorpus(t *testing.T) {
	dir := os.Getenv("LZMS_CORPUS")
	if dir == "" {
		t.Skip("set LZMS_CORPUS to a directory to measure")
	}
	chunk := 1 << 17
	if s := os.Getenv("LZMS_CHUNK"); s != "" {
		chunk, _ = strconv.Atoi(s)
	}
	level := 0
	if s := os.Getenv("LZMS_LEVEL"); s != "" {
		level, _ = strconv.Atoi(s)
	}
	var files [][]byte
	var total int
	err := filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		files = append(files, b)
		total += len(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("LZMS_CONCAT") == "1" {
		// Like a solid resource: all files as one stream.
		var all []byte
		for _, f := range files {
			all = append(all, f...)
		}
		files = [][]byte{all}
	}
	if s := os.Getenv("LZMS_WBITS"); s != "" {
		maxWindowBits, _ = strconv.Atoi(s)
	}
	c, err := NewCompressor(chunk, level)
	if err != nil {
		t.Fatal(err)
	}
	if s := os.Getenv("LZMS_DEPTH"); s != "" {
		c.depth, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("LZMS_NICE"); s != "" {
		c.nice, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("LZMS_DELTA"); s != "" {
		c.delta = s == "1"
	}
	if s := os.Getenv("LZMS_WINDOW"); s != "" {
		c.window, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("LZMS_TREEKEY5"); s != "" {
		c.treeKey5 = s == "1"
	}
	if s := os.Getenv("LZMS_SKIPDEPTH"); s != "" {
		c.skipDepth, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("LZMS_HBITS"); s != "" {
		hb, _ := strconv.Atoi(s)
		c.hbits = uint(hb)
	}
	if s := os.Getenv("LZMS_LITREP"); s != "" {
		c.litRep = s == "1"
	}
	d, _ := NewDecompressor(chunk)
	dst := make([]byte, chunk)
	out := 0
	var ctime, dtime, cpu, dcpu time.Duration
	check := make([]byte, chunk)
	for _, f := range files {
		for lo := 0; lo < len(f); lo += chunk {
			src := f[lo:min(lo+chunk, len(f))]
			t0 := time.Now()
			u0 := userTime()
			n := c.Compress(dst[:len(src)-1], src)
			cpu += userTime() - u0
			ctime += time.Since(t0)
			if lo > 0 {
				out += 4
			}
			if n == 0 {
				out += len(src)
				continue
			}
			out += n
			t0 = time.Now()
			u0 = userTime()
			if err := d.Decompress(check[:len(src)], dst[:n]); err != nil {
				t.Fatal(err)
			}
			dcpu += userTime() - u0
			dtime += time.Since(t0)
		}
	}
	t.Logf("%d files, %d bytes -> %d (%.2f%%); compress %.2f s wall, %.2f s user (%.2f MB/s per core), decompress %.2f s wall, %.2f s user (%.1f MB/s per core)",
		len(files), total, out, 100*float64(out)/float64(total),
		ctime.Seconds(), cpu.Seconds(), float64(total)/1e6/cpu.Seconds(), dtime.Seconds(), dcpu.Seconds(), float64(total)/1e6/dcpu.Seconds())
}

func userTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano())
}
