package wim

import (
	"bytes"
	"errors"
	"testing"
)

func TestMarshalImageRoundTrip(t *testing.T) {
	for _, name := range []string{"basic-lzx", "reparse-none", "bootlike-lzx"} {
		w := openFixture(t, name)
		for i := 1; i <= w.ImageCount(); i++ {
			img, err := w.Image(i)
			if err != nil {
				t.Fatal(err)
			}
			b, err := MarshalImage(img)
			if err != nil {
				t.Fatal(err)
			}
			img2, err := UnmarshalImage(b)
			if err != nil {
				t.Fatal(err)
			}
			b2, err := MarshalImage(img2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Fatalf("%s image %d: marshal/unmarshal/marshal differs", name, i)
			}
			if img2.Info.Name != img.Info.Name || img2.Stats() != img.Stats() {
				t.Fatalf("%s: info or stats changed", name)
			}
			if p, _ := img2.Info.Property("WINDOWS/EDITIONID"); name == "bootlike-lzx" && p != "WindowsPE" {
				t.Fatalf("WINDOWS/EDITIONID = %q", p)
			}
			// Every prefix fails cleanly.
			for n := 0; n < len(b); n++ {
				if _, err := UnmarshalImage(b[:n]); err == nil {
					t.Fatalf("prefix %d of %d accepted", n, len(b))
				} else if !errors.As(err, new(*FormatError)) {
					t.Fatalf("prefix %d: untyped error %v", n, err)
				}
			}
		}
	}
}

func FuzzUnmarshalImage(f *testing.F) {
	w := openFixture(f, "reparse-none")
	img, err := w.Image(1)
	if err != nil {
		f.Fatal(err)
	}
	b, err := MarshalImage(img)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := UnmarshalImage(data)
		if err != nil {
			return
		}
		if _, err := MarshalImage(img); err != nil {
			// Decoded trees must be encodable (sizes may conflict only
			// through corrupt tables, which is an error, not a panic).
			return
		}
	})
}
