package wim

import (
	"io"
	"runtime"
	"testing"
)

// genBlob produces n pseudo-random bytes without holding them in memory.
type genBlob struct{ n int64 }

func (g genBlob) Size() int64 { return g.n }
func (g genBlob) Open() (io.ReadCloser, error) {
	return io.NopCloser(io.LimitReader(&genReader{x: 12345}, g.n)), nil
}

type genReader struct{ x uint32 }

func (r *genReader) Read(p []byte) (int, error) {
	for i := range p {
		r.x = r.x*1103515245 + 12345
		p[i] = byte(r.x >> 23)
	}
	return len(p), nil
}

// discard is an Output that keeps nothing.
type discard struct{ n int64 }

func (d *discard) WriteAt(p []byte, off int64) (int, error) {
	d.n = max(d.n, off+int64(len(p)))
	return len(p), nil
}
func (d *discard) ReadAt(p []byte, off int64) (int, error) { return 0, io.EOF }

func allocWriting(t *testing.T, c Compression, size int64) uint64 {
	img := NewImage("big")
	img.AddFile("big.bin", &Inode{Attributes: AttrArchive, SecurityID: -1, Data: Stream{Size: size, Data: genBlob{size}}})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var d discard
	if _, err := Write(&d, []ImageSource{{Image: img}}, WriteOptions{Compression: c, Threads: 2}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if d.n < size {
		t.Fatalf("%v: output %d bytes", c, d.n)
	}
	return after.TotalAlloc - before.TotalAlloc
}

// Writing large blobs allocates a bounded amount of memory: data streams
// through a few pooled chunk buffers, so doubling the data adds (almost)
// no allocation.
func TestWriteStreamsLargeBlobs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector; this bound is checked without -race")
	}
	for _, c := range []Compression{None, XPRESS} {
		size := int64(32 << 20)
		if c != None {
			size = 1 << 20 // compression speed is the codec's; memory is the point
		}
		a1 := allocWriting(t, c, size)
		a2 := allocWriting(t, c, 2*size)
		t.Logf("%v: %d bytes -> %d allocated, %d bytes -> %d allocated", c, size, a1, 2*size, a2)
		if a2 > a1+uint64(size)/4 {
			t.Errorf("%v: allocation grows with data size (%d -> %d)", c, a1, a2)
		}
	}
}
