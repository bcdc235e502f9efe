package lzx

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

// Interop: our compressed chunks must be readable by a decoder we did not
// write. rewriteWIM takes a WIM that wimlib-imagex wrote, decodes every
// LZX resource (blobs and metadata) and re-encodes it with our compressor,
// rebuilding the chunk tables, resource offsets, blob table and header;
// `wimlib-imagex verify` then decompresses every resource and checks its
// SHA-1, and `7zz t` (7-Zip's own LZX decoder) extracts and CRC-checks
// every file.

func putReshdr(b []byte, size int64, flags byte, off, usize int64) {
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], uint64(size))
	copy(b[:7], s[:7])
	b[7] = flags
	binary.LittleEndian.PutUint64(b[8:], uint64(off))
	binary.LittleEndian.PutUint64(b[16:], uint64(usize))
}

// encodeResource compresses data in chunks of cs bytes: chunk table (4-byte
// offsets of chunks 1..n-1 relative to the table end) then the chunks, a
// chunk that does not shrink stored raw.
func encodeResource(t *testing.T, c *Compressor, data []byte, cs int) []byte {
	n := (len(data) + cs - 1) / cs
	table := make([]byte, 4*(n-1))
	var body []byte
	buf := make([]byte, cs)
	for i := 0; i < n; i++ {
		if i > 0 {
			binary.LittleEndian.PutUint32(table[4*(i-1):], uint32(len(body)))
		}
		ck := data[i*cs : min((i+1)*cs, len(data))]
		if k := c.Compress(buf[:len(ck)-1], ck); k > 0 {
			body = append(body, buf[:k]...)
		} else {
			body = append(body, ck...)
		}
	}
	return append(table, body...)
}

func rewriteWIM(t *testing.T, in, out string, level, forceType int) int {
	t.Helper()
	f, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	w := readTestWIM(t, in)
	cs := w.chunkSize
	d, _ := NewDecompressor(cs)
	c, err := NewCompressor(cs, level)
	if err != nil {
		t.Fatal(err)
	}
	c.forceType = forceType
	tsize, tflags, toff, _ := parseReshdr(f[0x30:])
	xsize, xflags, xoff, xusize := parseReshdr(f[0x48:])
	if bs, _, _, _ := parseReshdr(f[0x60:]); bs != 0 {
		t.Fatalf("%s: boot metadata not handled", in)
	}
	if is, _, _, _ := parseReshdr(f[0x7C:]); is != 0 {
		t.Fatalf("%s: integrity table not handled", in)
	}
	table := append([]byte(nil), f[toff:toff+tsize]...)
	type res struct {
		entry int
		off   int64
	}
	var order []res
	for e := 0; e < len(table); e += 50 {
		_, _, off, _ := parseReshdr(table[e:])
		order = append(order, res{e, off})
	}
	sort.Slice(order, func(i, j int) bool { return order[i].off < order[j].off })
	outb := append([]byte(nil), f[:208]...)
	recoded := 0
	for _, r := range order {
		size, flags, off, usize := parseReshdr(table[r.entry:])
		body := f[off : off+size]
		if flags&0x04 != 0 {
			data, err := decodeBlob(d, w.blobs[r.entry/50])
			if err != nil {
				t.Fatal(err)
			}
			body = encodeResource(t, c, data, cs)
			recoded++
		}
		putReshdr(table[r.entry:], int64(len(body)), flags, int64(len(outb)), usize)
		outb = append(outb, body...)
	}
	putReshdr(outb[0x30:], tsize, tflags, int64(len(outb)), tsize)
	outb = append(outb, table...)
	putReshdr(outb[0x48:], xsize, xflags, int64(len(outb)), xusize)
	outb = append(outb, f[xoff:xoff+xsize]...)
	if err := os.WriteFile(out, outb, 0o644); err != nil {
		t.Fatal(err)
	}
	return recoded
}

func TestInteropWimlibVerify(t *testing.T) {
	testutil.RequireTool(t, "wimlib-imagex")
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	writeOracleTree(t, src)
	type cfg struct {
		cs, level, ft int
	}
	for _, cf := range []cfg{
		{32768, 0, 0}, {32768, 100, 0},
		{32768, 0, blockVerbatim}, {32768, 0, blockAligned}, {32768, 0, blockUncompressed},
		{65536, 0, 0}, {1 << 20, 0, 0},
	} {
		name := itoa(cf.cs) + "-" + itoa(cf.level) + "-" + itoa(cf.ft)
		t.Run(name, func(t *testing.T) {
			orig := filepath.Join(dir, name+"-wimlib.wim")
			ours := filepath.Join(dir, name+"-ours.wim")
			testutil.Run(t, "wimlib-imagex", "capture", src, orig, "--compress=lzx", "--chunk-size="+itoa(cf.cs), "--threads=1")
			if n := rewriteWIM(t, orig, ours, cf.level, cf.ft); n == 0 {
				t.Fatal("no compressed resources re-encoded")
			}
			// verify exits non-zero (failing the test) on a bad resource.
			if outp := testutil.Run(t, "wimlib-imagex", "verify", ours); !strings.Contains(outp, "successfully verified") {
				t.Fatalf("wimlib-imagex verify: %s", outp)
			}
			// So does 7-Zip's independent LZX decoder.
			if outp := testutil.Run(t, "7zz", "t", ours); !strings.Contains(outp, "Everything is Ok") {
				t.Fatalf("7zz t: %s", outp)
			}
			// Our own reader agrees too.
			checkWIMDecodes(t, ours)
		})
	}
}
