package wim

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
)

// Blob is the content of a stream: something that can be opened as a reader
// of the uncompressed bytes, any number of times.
type Blob interface {
	// Size is the uncompressed size in bytes.
	Size() int64
	// Open returns a reader of exactly Size bytes.
	Open() (io.ReadCloser, error)
}

// BlobSource finds blob content by SHA-1. *WIM, *BlobSet and the result of
// MergeSources implement it.
type BlobSource interface {
	// LookupBlob returns the blob with hash h, or nil.
	LookupBlob(h Hash) Blob
}

// BlobSet is an in-memory BlobSource: a map from SHA-1 to Blob. The zero
// value is empty and ready to use. Not safe for concurrent mutation.
type BlobSet struct {
	m map[Hash]Blob
}

// NewBlobSet returns an empty set.
func NewBlobSet() *BlobSet { return &BlobSet{m: map[Hash]Blob{}} }

// Add records b under h (replacing any previous blob for h).
func (s *BlobSet) Add(h Hash, b Blob) {
	if s.m == nil {
		s.m = map[Hash]Blob{}
	}
	s.m[h] = b
}

// AddBytes adds data as an in-memory blob and returns its hash.
func (s *BlobSet) AddBytes(data []byte) Hash {
	h := HashBytes(data)
	s.Add(h, BytesBlob(data))
	return h
}

// LookupBlob implements BlobSource.
func (s *BlobSet) LookupBlob(h Hash) Blob {
	if s == nil {
		return nil
	}
	return s.m[h]
}

// Len returns the number of blobs.
func (s *BlobSet) Len() int { return len(s.m) }

// Hashes returns the hashes in ascending byte order.
func (s *BlobSet) Hashes() []Hash {
	hs := make([]Hash, 0, len(s.m))
	for h := range s.m {
		hs = append(hs, h)
	}
	sort.Slice(hs, func(i, j int) bool { return bytes.Compare(hs[i][:], hs[j][:]) < 0 })
	return hs
}

// Merge adds every blob of o that s does not have yet.
func (s *BlobSet) Merge(o *BlobSet) {
	for h, b := range o.m {
		if _, ok := s.m[h]; !ok {
			s.Add(h, b)
		}
	}
}

type mergedSources []BlobSource

func (m mergedSources) LookupBlob(h Hash) Blob {
	for _, s := range m {
		if s == nil {
			continue
		}
		if b := s.LookupBlob(h); b != nil {
			return b
		}
	}
	return nil
}

// MergeSources returns a BlobSource that asks each source in order; the
// first that has a hash wins. Nil sources are skipped.
func MergeSources(srcs ...BlobSource) BlobSource { return mergedSources(srcs) }

// BytesBlob is a Blob held in memory.
type BytesBlob []byte

// Size implements Blob.
func (b BytesBlob) Size() int64 { return int64(len(b)) }

// Open implements Blob.
func (b BytesBlob) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }

// FileBlob is a host file opened lazily by Open. The writer checks that the
// file still has Size bytes (and, for hashed streams, the expected SHA-1).
type FileBlob struct {
	Path string
	N    int64 // expected size
}

// NewFileBlob returns a blob reading path, which is expected to hold size
// bytes.
func NewFileBlob(path string, size int64) *FileBlob { return &FileBlob{Path: path, N: size} }

// Size implements Blob.
func (f *FileBlob) Size() int64 { return f.N }

// Open implements Blob. The reader fails if the file is shorter than
// expected and stops after Size bytes.
func (f *FileBlob) Open() (io.ReadCloser, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return nil, err
	}
	return &exactReader{r: io.LimitReader(fh, f.N), c: fh, left: f.N, name: f.Path}, nil
}

// exactReader reports io.ErrUnexpectedEOF when the underlying data ends
// before the announced size.
type exactReader struct {
	r    io.Reader
	c    io.Closer
	left int64
	name string
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, fmt.Errorf("wim: %s: file shrank (%d bytes missing): %w", e.name, e.left, io.ErrUnexpectedEOF)
	}
	return n, err
}

func (e *exactReader) Close() error { return e.c.Close() }
