package builder

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/wim"
)

// An image in flight (DESIGN.md §3) is cached as two blobs:
//
//	"image"  wim.MarshalImage of the tree (dentries, security, XML info)
//	"blobs"  a manifest saying where every stream's content lives:
//	         {"wims": [cache digests of WIM files], "extra": {sha1: cache digest}}
//
// A step that edits a tree writes only what it changes: the new tree
// encoding, and new content as cache blobs named in "extra". The export step
// opens the WIMs (raw-copying their compressed chunks) and the extra blobs.

type manifest struct {
	WIMs  []cache.Digest          `json:"wims"`
	Extra map[string]cache.Digest `json:"extra"`
}

// CacheRefs tells cache.Prune what a step result needs besides its
// outputs: the WIMs and content blobs its image-state manifest names (a
// files step's content lives only there). Pass it as PruneOptions.Refs
// whenever pruning a build cache.
func CacheRefs(c *cache.Cache) func(cache.Action) []cache.Digest {
	return func(a cache.Action) []cache.Digest {
		refs, _ := stateRefs(c, a)
		return refs
	}
}

// stateRefs lists the blobs an image-state result's manifest names (none
// for other results); an unreadable manifest is an error.
func stateRefs(c *cache.Cache, a cache.Action) ([]cache.Digest, error) {
	o, ok := a.Outputs["blobs"]
	if !ok {
		return nil, nil
	}
	b, err := readBlob(c, o.Digest)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	refs := append([]cache.Digest(nil), m.WIMs...)
	for _, d := range m.Extra {
		refs = append(refs, d)
	}
	return refs, nil
}

// stateStored is the Valid check of steps that produce image states: a
// cached state is usable only while every blob its manifest names is
// stored (content can be lost to a hand-deleted file, or to a prune by a
// version that did not follow manifests). Blobs found present are
// remembered for the rest of the build, so states that share content are
// checked once.
func (p *Plan) stateStored(a cache.Action) bool {
	refs, err := stateRefs(p.opts.Cache, a)
	if err != nil {
		return false
	}
	for _, d := range refs {
		p.memMu.Lock()
		ok := p.present[d]
		p.memMu.Unlock()
		if ok {
			continue
		}
		if !p.opts.Cache.HasBlob(d) {
			return false
		}
		p.memMu.Lock()
		p.present[d] = true
		p.memMu.Unlock()
	}
	return true
}

// imageState is a loaded image in flight.
type imageState struct {
	img *wim.Image
	man manifest
	// arch and version are read from the image's XML WINDOWS block.
}

func (st *imageState) clone() *imageState {
	n := &imageState{img: st.img.Clone(), man: manifest{WIMs: append([]cache.Digest(nil), st.man.WIMs...), Extra: map[string]cache.Digest{}}}
	for k, v := range st.man.Extra {
		n.man.Extra[k] = v
	}
	return n
}

// loadState reads the state a step produced.
func loadState(c *cache.Cache, a cache.Action) (*imageState, error) {
	imgOut, ok1 := a.Outputs["image"]
	manOut, ok2 := a.Outputs["blobs"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("internal error: step result has no image state")
	}
	ib, err := readBlob(c, imgOut.Digest)
	if err != nil {
		return nil, err
	}
	img, err := wim.UnmarshalImage(ib)
	if err != nil {
		return nil, fmt.Errorf("cached image state: %w", err)
	}
	mb, err := readBlob(c, manOut.Digest)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("cached blob manifest: %w", err)
	}
	if m.Extra == nil {
		m.Extra = map[string]cache.Digest{}
	}
	return &imageState{img: img, man: m}, nil
}

// storeState encodes st and returns the step result. The encodings are
// hashed here (the result names them) and written to the cache in the
// background (rc.Finish): consumers in this build take st from memory
// (keepState), so they need not wait for the disk.
func storeState(rc *RunContext, st *imageState, meta map[string]string) (cache.Action, error) {
	ib, err := wim.MarshalImage(st.img)
	if err != nil {
		return cache.Action{}, err
	}
	sort.Slice(st.man.WIMs, func(i, j int) bool { return st.man.WIMs[i] < st.man.WIMs[j] })
	mb, err := json.Marshal(st.man) // map keys are sorted by encoding/json
	if err != nil {
		return cache.Action{}, err
	}
	id, md := cache.DigestBytes(ib), cache.DigestBytes(mb)
	c := rc.Cache
	rc.Finish(func() error {
		if err := c.StoreBytes(ib, id); err != nil {
			return err
		}
		return c.StoreBytes(mb, md)
	})
	return cache.Action{
		Outputs: map[string]cache.Output{"image": {Digest: id, Size: int64(len(ib))}, "blobs": {Digest: md, Size: int64(len(mb))}},
		Meta:    meta,
	}, nil
}

func readBlob(c *cache.Cache, d cache.Digest) ([]byte, error) {
	r, err := c.OpenBlob(d)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Sized up front (states are megabytes: growing from 512 bytes copies
	// them a dozen times); reading to EOF checks the digest.
	var b bytes.Buffer
	b.Grow(int(min(r.Size(), 1<<30)) + bytes.MinRead)
	if _, err := b.ReadFrom(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// blobSource opens what the manifest names: the WIMs (their blobs can be
// raw-copied) and the extra blobs. Close the returned closer when done.
func (st *imageState) blobSource(c *cache.Cache) (wim.BlobSource, func(), error) {
	var srcs []wim.BlobSource
	var opened []*wim.WIM
	closeAll := func() {
		for _, w := range opened {
			w.Close()
		}
	}
	extra := wim.NewBlobSet()
	for h, d := range st.man.Extra {
		p, err := c.BlobPath(d)
		if err != nil {
			return nil, nil, fmt.Errorf("cached content %s: %w", d.Short(), err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		var hash wim.Hash
		if _, err := hex.Decode(hash[:], []byte(h)); err != nil || len(h) != 40 {
			return nil, nil, fmt.Errorf("cached blob manifest: bad hash %q", h)
		}
		extra.Add(hash, wim.NewFileBlob(p, fi.Size()))
	}
	srcs = append(srcs, extra)
	for _, d := range st.man.WIMs {
		p, err := c.BlobPath(d)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("cached WIM %s: %w", d.Short(), err)
		}
		w, err := wim.OpenFile(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("cached WIM %s: %w", d.Short(), err)
		}
		opened = append(opened, w)
		srcs = append(srcs, w)
	}
	return wim.MergeSources(srcs...), closeAll, nil
}

// putContent stores new content in the cache and records it in the
// manifest; it returns the content's SHA-1 (for the tree) and size. Empty
// content has the zero hash and is stored nowhere: in a WIM an empty
// stream names no blob.
func (st *imageState) putContent(c *cache.Cache, r io.Reader) (wim.Hash, int64, error) {
	w, err := c.NewWriter()
	if err != nil {
		return wim.Hash{}, 0, err
	}
	h1 := sha1.New()
	n, err := io.Copy(io.MultiWriter(w, h1), r)
	if err != nil || n == 0 {
		w.Abort()
		return wim.Hash{}, 0, err
	}
	d, _, err := w.Commit()
	if err != nil {
		return wim.Hash{}, 0, err
	}
	var h wim.Hash
	copy(h[:], h1.Sum(nil))
	st.man.Extra[h.String()] = d
	return h, n, nil
}

// readStream returns the content of a stream of the image.
func (st *imageState) readStream(c *cache.Cache, s wim.Stream, what string) ([]byte, error) {
	if s.Size == 0 {
		return nil, nil
	}
	const maxInMemory = 512 << 20
	if s.Size > maxInMemory {
		return nil, fmt.Errorf("%s is %d bytes, more than this step reads into memory", what, s.Size)
	}
	src, closeFn, err := st.blobSource(c)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	b := src.LookupBlob(s.Hash)
	if b == nil {
		return nil, fmt.Errorf("%s: content %s is in no input", what, s.Hash)
	}
	r, err := b.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if wim.HashBytes(data) != s.Hash {
		return nil, fmt.Errorf("reading %s: content does not match its SHA-1", what)
	}
	return data, nil
}

// keepState remembers the state step produced, for its consumers.
func (p *Plan) keepState(step *Step, st *imageState) {
	p.memMu.Lock()
	defer p.memMu.Unlock()
	if p.mem != nil && p.consumers[step] > 0 {
		p.mem[step] = st
	}
}

// inputState returns the state that dep produced: from memory when dep ran
// in this build (the last consumer takes it, others get a clone), else
// decoded from the cache.
func (p *Plan) inputState(rc *RunContext, dep *Step) (*imageState, error) {
	p.memMu.Lock()
	st, ok := p.mem[dep]
	if ok {
		p.consumers[dep]--
		if p.consumers[dep] <= 0 {
			delete(p.mem, dep)
		} else {
			st = st.clone()
		}
	}
	p.memMu.Unlock()
	if ok {
		return st, nil
	}
	return loadState(rc.Cache, rc.Input(dep))
}
