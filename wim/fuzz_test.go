package wim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/wimbuild/wimbuild/internal/progress"
)

// exercise opens data as a WIM and reads everything; errors are fine,
// panics and hangs are not.
func exercise(data []byte) {
	w, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return
	}
	for i := 1; i <= w.ImageCount() && i <= 4; i++ {
		img, err := w.Image(i)
		if err != nil {
			continue
		}
		img.Stats()
		encodeMetadata(img, identity)
	}
	w.CheckIntegrity()
	// Read every blob (Verify's work) except those in solid chunks larger
	// than 1 MiB: decoding a hostile 64 MiB chunk is legal but would make
	// each fuzz execution take seconds.
	buf := make([]byte, 1<<16)
	for _, b := range w.Blobs() {
		if b.res.solid && (b.res.init() != nil || b.res.chunkSize > 1<<20) {
			continue
		}
		verifyBlob(b, buf, progress.Nop)
	}
}

func FuzzOpen(f *testing.F) {
	for _, name := range []string{"basic-solid", "bootlike-lzx", "reparse-lzx", "basic-xpress", "basic-lzms"} {
		f.Add(srcBytes(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) { exercise(data) })
}

// FuzzBlobTable replaces the blob table of basic-none with fuzzed bytes.
func FuzzBlobTable(f *testing.F) {
	base := srcBytes(f, "basic-none")
	w, err := Open(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	bt := w.Header().BlobTable
	f.Add(base[bt.Offset : bt.Offset+bt.SizeInWIM])
	bs := srcBytes(f, "basic-solid")
	ws, _ := Open(bytes.NewReader(bs), int64(len(bs)))
	st := ws.Header().BlobTable
	f.Add(bs[st.Offset : st.Offset+st.SizeInWIM])
	f.Fuzz(func(t *testing.T, tbl []byte) {
		if len(tbl) > 1<<16 {
			return
		}
		data := append(bytes.Clone(base[:bt.Offset]), tbl...)
		xml := w.Header().XMLData
		xmlOff := int64(len(data))
		data = append(data, base[xml.Offset:xml.Offset+xml.SizeInWIM]...)
		h := w.Header()
		h.BlobTable = ResHdr{SizeInWIM: int64(len(tbl)), Flags: ResFlagMetadata, Offset: bt.Offset, UncompressedSize: int64(len(tbl))}
		h.XMLData.Offset = xmlOff
		h.put(data[:HeaderSize])
		exercise(data)
	})
}

func FuzzMetadata(f *testing.F) {
	for _, name := range []string{"basic-none", "reparse-none", "bootlike-lzx"} {
		w := openFixture(f, name)
		mb, _ := w.MetadataBlob(1)
		b, err := readAllVerified(mb, MaxMetadataSize, "metadata")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := parseMetadata(b, 0, func(Hash) (int64, bool) { return 1, true })
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := encodeMetadata(img, identity)
		if err != nil {
			return
		}
		// What we write, we read back to the same bytes.
		img2, err := parseMetadata(out, 0, func(Hash) (int64, bool) { return 1, true })
		if err != nil {
			t.Fatalf("re-reading our own metadata: %v", err)
		}
		out2, err := encodeMetadata(img2, identity)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("metadata not stable after a round trip: %v", err)
		}
	})
}

func FuzzXML(f *testing.F) {
	for _, name := range []string{"bootlike-lzx", "basic-none"} {
		f.Add(openFixture(f, name).XML())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := parseXMLData(b, 0)
		if err != nil {
			return
		}
		out := encodeXMLData(info)
		info2, err := parseXMLData(out, 0)
		if err != nil {
			t.Fatalf("re-reading our XML: %v", err)
		}
		if !bytes.Equal(encodeXMLData(info2), out) {
			t.Fatal("XML not stable after a round trip")
		}
	})
}

// Every prefix of a valid WIM fails to open with a typed error.
func TestTruncatedFixtures(t *testing.T) {
	for _, name := range fixtureNames {
		data := srcBytes(t, name)
		// Every prefix near the start and the end (header, tables, XML),
		// every 13th in between.
		for n := 0; n < len(data); n++ {
			if n > 4096 && n < len(data)-4096 && n%13 != 0 {
				continue
			}
			_, err := Open(bytes.NewReader(data[:n]), int64(n))
			var fe *FormatError
			if err == nil || !errors.As(err, &fe) {
				t.Fatalf("%s: prefix of %d bytes: err = %v", name, n, err)
			}
		}
	}
}

// Corrupting any single byte of the stored resources is detected by Verify
// (or earlier) and never panics.
func TestCorruptResourcesDetected(t *testing.T) {
	for _, name := range []string{"basic-lzx", "basic-xpress", "basic-solid", "basic-none"} {
		data := srcBytes(t, name)
		w, _ := Open(bytes.NewReader(data), int64(len(data)))
		end := w.Header().BlobTable.Offset
		step := max(int64(31), (end-HeaderSize)/60)
		for off := int64(HeaderSize); off < end; off += step {
			bad := bytes.Clone(data)
			bad[off] ^= 0x5A
			w, err := Open(bytes.NewReader(bad), int64(len(bad)))
			if err != nil {
				continue
			}
			if err := w.Verify(VerifyOptions{Threads: 1}); err == nil {
				t.Errorf("%s: corrupt byte at %d not detected", name, off)
			}
		}
	}
}

func TestFormatSizes(t *testing.T) {
	var h Header
	b := make([]byte, HeaderSize)
	h.put(b)
	if HeaderSize != 208 || offIntegrity+reshdrSize+headerUnusedSz != HeaderSize || offUnused != 0x94 {
		t.Fatal("header layout")
	}
	if blobEntrySize != reshdrSize+2+4+20 || dentryFixedSize != dOffName || streamEntryFixed != 8+8+20+2 {
		t.Fatal("entry sizes")
	}
	var r [reshdrSize]byte
	ResHdr{SizeInWIM: 0x00FFFFFFFFFFFFFF, Flags: 0xAB, Offset: 7, UncompressedSize: 9}.put(r[:])
	if binary.LittleEndian.Uint64(r[:]) != 0xABFFFFFFFFFFFFFF || parseResHdr(r[:]).Flags != 0xAB {
		t.Fatal("reshdr packing")
	}
}
