package wim

import (
	"bytes"
	"crypto/sha256"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// hashRange feeds exactly the bytes of the range, for ranges that start and
// end anywhere and span several mapping windows.
func TestHashRangeMatchesRead(t *testing.T) {
	old := mapWindow
	mapWindow = 4 * 4096
	defer func() { mapWindow = old }()
	data := make([]byte, 3*mapWindow+3*4096+123)
	rand.New(rand.NewSource(1)).Read(data)
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range [][2]int64{{0, int64(len(data))}, {1, 10}, {4095, 4097}, {5000, mapWindow}, {int64(len(data)) - 1, 1}, {7, 0}} {
		var got bytes.Buffer
		ok, err := hashRange(func(b []byte) { got.Write(b) }, f, r[0], r[1])
		if err != nil {
			t.Fatalf("range %v: %v", r, err)
		}
		if !ok {
			if r[1] > 0 && mappable() {
				t.Fatalf("range %v: not mapped", r)
			}
			continue
		}
		if !bytes.Equal(got.Bytes(), data[r[0]:r[0]+r[1]]) {
			t.Fatalf("range %v: %d bytes differ from the file", r, got.Len())
		}
	}
}

// A range past the end of the file (a source truncated while it is copied)
// is an error, not a crash.
func TestHashRangeTruncatedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, make([]byte, 3*4096), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	ok, err := hashRange(func(b []byte) { h.Write(b) }, f, 0, 1<<20)
	if !mappable() {
		if ok {
			t.Fatal("hashRange claims to have mapped a file on a system without mappings")
		}
		return
	}
	if !ok || err == nil {
		t.Fatalf("hashRange past the end: ok=%v err=%v, want an error", ok, err)
	}
}
