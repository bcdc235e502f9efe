package wim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

var fixtureNames = []string{
	"basic-none", "basic-xpress", "basic-lzx", "basic-lzms", "basic-solid", "basic-xpress4k",
	"reparse-none", "reparse-lzx", "bootlike-lzx", "updated-lzx",
}

func openFixture(t testing.TB, name string) *WIM {
	t.Helper()
	w, err := OpenFile(testutil.Fixture(t, "wim", name+".wim"))
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// fixtureInfo parses the "Key: value" lines of a wimlib-imagex info text.
func fixtureInfo(t testing.TB, name string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(testutil.Fixture(t, "wim", name+".info.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		m[strings.TrimSpace(k)] = append(m[strings.TrimSpace(k)], strings.TrimSpace(v))
	}
	return m
}

func TestOpenFixtures(t *testing.T) {
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			w := openFixture(t, name)
			info := fixtureInfo(t, name)
			if got, want := itoa(w.ImageCount()), info["Image Count"][0]; got != want {
				t.Errorf("image count %s, wimlib says %s", got, want)
			}
			if got, want := itoa(w.BootIndex()), info["Boot Index"][0]; got != want {
				t.Errorf("boot index %s, wimlib says %s", got, want)
			}
			if got, want := itoa(int(w.Header().Version)), info["Version"][0]; got != want {
				t.Errorf("version %s, wimlib says %s", got, want)
			}
			if got, want := w.ChunkSize(), info["Chunk Size"][0]; itoa(got)+" bytes" != want {
				t.Errorf("chunk size %d, wimlib says %s", got, want)
			}
			if got, want := w.Compression().String(), strings.ToLower(info["Compression"][0]); got != want {
				t.Errorf("compression %s, wimlib says %s", got, want)
			}
			// Blob counts match the independent structure dump.
			dump, err := os.ReadFile(testutil.Fixture(t, "wim", name+".dump.txt"))
			if err != nil {
				t.Fatal(err)
			}
			entries := regexp.MustCompile(`blob table: (\d+) entries`).FindSubmatch(dump)
			metas := strings.Count(string(dump), "] META ")
			solids := strings.Count(string(dump), "] SOLIDRES ")
			if entries == nil || itoa(len(w.Blobs())+metas+solids) != string(entries[1]) || metas != w.ImageCount() {
				t.Errorf("%d blobs + %d metadata + %d solid resources, dump says %s entries", len(w.Blobs()), metas, solids, entries[1])
			}
			for i := 1; i <= w.ImageCount(); i++ {
				ii := w.Info().Images[i-1]
				if ii.Name != info["Name"][i-1] {
					t.Errorf("image %d name %q, wimlib says %q", i, ii.Name, info["Name"][i-1])
				}
				if itoa(int(ii.Stats.FileCount)) != info["File Count"][i-1] {
					t.Errorf("image %d file count %d, wimlib says %s", i, ii.Stats.FileCount, info["File Count"][i-1])
				}
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// srcFiles lists the regular files of the fixture source tree with their
// contents, keyed by WIM path.
func srcFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	root := testutil.Fixture(t, "wim", dir)
	m := map[string][]byte{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m[`\`+strings.ReplaceAll(rel, "/", `\`)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkImageContents compares every regular file of img with the source tree.
func checkImageContents(t *testing.T, w *WIM, img *Image, want map[string][]byte) {
	t.Helper()
	seen := 0
	err := img.Walk(func(p string, d *Dentry) error {
		if d.IsDir() || d.Inode.IsReparse() {
			return nil
		}
		exp, ok := want[p]
		if !ok {
			t.Errorf("unexpected file %s", p)
			return nil
		}
		seen++
		got := readStream(t, w, d.Inode.Data)
		if !bytes.Equal(got, exp) {
			t.Errorf("%s: content differs (%d vs %d bytes)", p, len(got), len(exp))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("found %d files, source has %d", seen, len(want))
	}
}

func readStream(t *testing.T, src BlobSource, s Stream) []byte {
	t.Helper()
	if s.Hash.IsZero() {
		return []byte{}
	}
	b := src.LookupBlob(s.Hash)
	if b == nil {
		t.Fatalf("blob %s missing", s.Hash)
	}
	rc, err := b.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read blob %s: %v", s.Hash, err)
	}
	if int64(len(data)) != s.Size {
		t.Fatalf("blob %s: read %d bytes, stream size %d", s.Hash, len(data), s.Size)
	}
	return data
}

func TestReadContents(t *testing.T) {
	want := srcFiles(t, "src")
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			w := openFixture(t, name)
			img, err := w.Image(1)
			if err != nil {
				t.Fatal(err)
			}
			exp := want
			if strings.HasPrefix(name, "reparse") {
				exp = map[string][]byte{}
				for k, v := range want {
					exp[k] = v
				}
			}
			if name == "updated-lzx" {
				exp = map[string][]byte{}
				for k, v := range want {
					exp[k] = v
				}
				exp[`\Windows\System32\added.txt`] = []byte("added by update\r\n")
			}
			checkImageContents(t, w, img, exp)
			if got, want := img.Stats(), w.Info().Images[0].Stats; got != want {
				t.Errorf("computed stats %+v, wimlib's XML says %+v", got, want)
			}
		})
	}
}

func TestBadMagic(t *testing.T) {
	b := make([]byte, 4096)
	_, err := Open(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrBadMagic) {
		t.Fatalf("err = %v, want ErrBadMagic", err)
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != 0 {
		t.Fatalf("err = %#v, want *FormatError at 0", err)
	}
}

func TestReadOrder(t *testing.T) {
	w := openFixture(t, "basic-solid")
	var hs []Hash
	for i := len(w.Blobs()) - 1; i >= 0; i-- {
		hs = append(hs, w.Blobs()[i].Hash())
	}
	missing := HashBytes([]byte("missing"))
	got := w.ReadOrder(append(hs, missing))
	if got[len(got)-1] != missing {
		t.Fatal("missing hash not last")
	}
	for i := 1; i < len(got)-1; i++ {
		if w.Blob(got[i-1]).off >= w.Blob(got[i]).off {
			t.Fatalf("not in storage order at %d", i)
		}
	}
}

// Random access through the chunk table returns the right bytes at every
// chunk boundary, for every compression and chunk size.
func TestBlobReaderRandomAccess(t *testing.T) {
	want := srcFiles(t, "src")[`\big-100000.bin`]
	h := HashBytes(want)
	for _, name := range []string{"basic-none", "basic-xpress4k", "basic-lzx", "basic-lzms", "basic-solid"} {
		w := openFixture(t, name)
		b := w.Blob(h)
		if b == nil {
			t.Fatalf("%s: blob missing", name)
		}
		r := b.Reader()
		for _, off := range []int64{0, 1, 4095, 4096, 32767, 32768, 65535, 65536, 98303, 98304, 99999} {
			for _, n := range []int{1, 2, 4097, 40000} {
				buf := make([]byte, n)
				m, err := r.ReadAt(buf, off)
				exp := want[off:min(int64(len(want)), off+int64(n))]
				if m != len(exp) || !bytes.Equal(buf[:m], exp) {
					t.Fatalf("%s: ReadAt(%d, %d) = %d bytes, %v", name, n, off, m, err)
				}
				if m < n && err != io.EOF {
					t.Fatalf("%s: short read without EOF: %v", name, err)
				}
			}
		}
		if _, err := r.Seek(-10, io.SeekEnd); err != nil {
			t.Fatal(err)
		}
		var sink bytes.Buffer
		if n, err := r.WriteTo(&sink); err != nil || n != 10 || !bytes.Equal(sink.Bytes(), want[len(want)-10:]) {
			t.Fatalf("%s: WriteTo after Seek: %d %v", name, n, err)
		}
		if b.Compression() != w.Compression() && !(name == "basic-solid") {
			t.Errorf("%s: blob compression %v", name, b.Compression())
		}
	}
}

func TestUnsupportedHeaders(t *testing.T) {
	base := srcBytes(t, "basic-none")
	for _, tc := range []struct {
		name  string
		patch func(b []byte)
	}{
		{"pipable", func(b []byte) { copy(b, "WLPWM\x00\x00\x00") }},
		{"split", func(b []byte) { b[offTotalParts] = 2 }},
		{"version", func(b []byte) { b[offVersion] = 0x99 }},
		{"two codecs", func(b []byte) {
			binary.LittleEndian.PutUint32(b[offFlags:], HdrFlagCompression|HdrFlagCompressLZX|HdrFlagCompressXPRESS)
			binary.LittleEndian.PutUint32(b[offChunkSize:], 32768)
		}},
		{"chunk size", func(b []byte) {
			binary.LittleEndian.PutUint32(b[offFlags:], HdrFlagCompression|HdrFlagCompressXPRESS)
			binary.LittleEndian.PutUint32(b[offChunkSize:], 1<<20)
		}},
	} {
		b := bytes.Clone(base)
		tc.patch(b)
		_, err := Open(bytes.NewReader(b), int64(len(b)))
		var fe *FormatError
		if !errors.Is(err, ErrUnsupported) || !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want ErrUnsupported", tc.name, err)
		}
	}
}
