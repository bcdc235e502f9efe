package regf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// benchHive builds a SOFTWARE-like tree: 20000 keys, 60000 values.
func benchHive(b *testing.B) []byte {
	h := New(WithMinorVersion(5))
	for i := 0; i < 200; i++ {
		p, err := h.CreateKey(fmt.Sprintf(`Classes\CLSID\{%08x-0000-0000-0000-000000000000}`, i*7919))
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 100; j++ {
			c, err := p.CreateSubkey(fmt.Sprintf("InprocServer%d", j))
			if err != nil {
				b.Fatal(err)
			}
			c.SetString("", `%SystemRoot%\system32\shell32.dll`)
			c.SetString("ThreadingModel", "Apartment")
			c.SetDWORD("Flags", uint32(j))
		}
	}
	out, err := h.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkParse(b *testing.B) {
	data := benchHive(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	h, err := Parse(benchHive(b))
	if err != nil {
		b.Fatal(err)
	}
	out, _ := h.Marshal()
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	data := benchHive(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Validate(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportManyValues imports one key with 20,000 values (it was
// quadratic: each SetValue scanned every value).
func BenchmarkImportManyValues(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Windows Registry Editor Version 5.00\r\n\r\n[\\A]\r\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "\"v%d\"=dword:00000001\r\n", i)
	}
	text := []byte(sb.String())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := New().ImportReg(bytes.NewReader(text), ""); err != nil {
			b.Fatal(err)
		}
	}
}
