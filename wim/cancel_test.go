package wim

import (
	"errors"
	"sync"
	"testing"
)

// cancelAfter closes its channel once n bytes have been reported.
type cancelAfter struct {
	n, done int64
	once    sync.Once
	ch      chan struct{}
}

func (c *cancelAfter) Begin(string, int64) {}
func (c *cancelAfter) End()                {}
func (c *cancelAfter) Advance(n int64) {
	c.done += n
	if c.done >= c.n {
		c.once.Do(func() { close(c.ch) })
	}
}

// TestWriteCancel: closing Cancel stops a write within a chunk or two and
// returns ErrCanceled, before and during the compression of the data.
func TestWriteCancel(t *testing.T) {
	set := NewBlobSet()
	img := synthImage(t, 200, set, 64<<10) // ~19 MB of file data
	for _, at := range []int64{0, 1 << 20} {
		c := &cancelAfter{n: at, ch: make(chan struct{})}
		if at == 0 {
			close(c.ch)
			c.once.Do(func() {})
		}
		_, err := Write(&memFile{}, []ImageSource{{Image: img, Blobs: set}}, WriteOptions{Compression: LZX, Threads: 2, Progress: c, Cancel: c.ch})
		if !errors.Is(err, ErrCanceled) {
			t.Fatalf("cancel after %d bytes: err = %v", at, err)
		}
		if c.done > at+4<<20 {
			t.Errorf("cancel after %d bytes: wrote %d bytes of data first", at, c.done)
		}
	}
}
