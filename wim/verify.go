package wim

import (
	"crypto/sha1"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/wimbuild/wimbuild/internal/progress"
)

// VerifyOptions control Verify.
type VerifyOptions struct {
	// Threads decompressing blobs in parallel; 0 = runtime.NumCPU().
	Threads int
	// Progress receives uncompressed bytes checked.
	Progress progress.Reporter
	// Cancel, once closed, stops the check between blobs: Verify then
	// returns ErrCanceled.
	Cancel <-chan struct{}
}

// Verify checks the integrity table (if any), decodes every image's
// metadata (checking its SHA-1), checks that every stream references a
// stored blob, and decompresses every blob checking its SHA-1. The first
// problem found is returned (a *FormatError for corrupt data).
func (w *WIM) Verify(opts VerifyOptions) error {
	if err := w.CheckIntegrity(); err != nil {
		return err
	}
	for i := 1; i <= w.ImageCount(); i++ {
		img, err := w.Image(i)
		if err != nil {
			return err
		}
		err = img.Walk(func(path string, d *Dentry) error {
			for _, s := range streamsOf(d.Inode) {
				if !s.Hash.IsZero() && w.blobs[s.Hash] == nil {
					return fmt.Errorf("%w: image %d: %s: stream %q blob %s", ErrBlobMissing, i, path, s.Name, s.Hash)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	prog := progress.Or(opts.Progress)
	var total int64
	for _, b := range w.blobList {
		total += b.size
	}
	prog.Begin("verifying WIM", total)
	defer prog.End()
	// Blobs of one solid resource are checked by one worker, in order, so
	// each solid chunk is decompressed once.
	var groups [][]*WIMBlob
	bySolid := map[*resource]int{}
	for _, b := range w.blobList {
		if b.res.solid {
			if g, ok := bySolid[b.res]; ok {
				groups[g] = append(groups[g], b)
				continue
			}
			bySolid[b.res] = len(groups)
		}
		groups = append(groups, []*WIMBlob{b})
	}
	work := make(chan []*WIMBlob)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<16)
			br := &BlobReader{}
			for g := range work {
				for _, b := range g {
					br.reuse(b.res, b.off, b.size)
					err := verifyReader(b, br, buf, prog)
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				}
			}
		}()
	}
	for _, g := range groups {
		select {
		case <-opts.Cancel:
			mu.Lock()
			if firstErr == nil {
				firstErr = ErrCanceled
			}
			mu.Unlock()
		default:
		}
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		work <- g
	}
	close(work)
	wg.Wait()
	return firstErr
}

func verifyBlob(b *WIMBlob, buf []byte, prog progress.Reporter) error {
	return verifyReader(b, b.Reader(), buf, prog)
}

func verifyReader(b *WIMBlob, r *BlobReader, buf []byte, prog progress.Reporter) error {
	d := sha1.New()
	for {
		n, err := r.Read(buf)
		d.Write(buf[:n])
		prog.Advance(int64(n))
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("blob %s: %w", b.hash, err)
		}
	}
	var h Hash
	d.Sum(h[:0])
	if h != b.hash {
		return formatErr(b.entry.Offset, fmt.Sprintf("blob %s content has SHA-1 %s", b.hash, h), ErrHashMismatch)
	}
	return nil
}
