package regf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scratchHive builds a hive from nothing that exercises the writer: many
// keys (an ri index root), every value type, inline and big data, empty
// values, Latin-1 and non-Latin-1 names, a class name, a second security
// descriptor.
func scratchHive(t testing.TB, minor uint32) *Hive {
	t.Helper()
	h := New(WithRootName("ScratchRoot"), WithTime(0x01DA000000000000), WithMinorVersion(minor))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	k, err := h.CreateKey(`Types\All`)
	must(err)
	must(k.SetString("sz", "hello, \"world\" \\ path"))
	must(k.SetExpandString("expand", `%SystemRoot%\system32`))
	must(k.SetBinary("binary", []byte{0, 1, 2, 0xfe, 0xff, 9, 8, 7}))
	must(k.SetDWORD("dword", 0xdeadbeef))
	must(k.SetValue("dwordbe", REG_DWORD_BIG_ENDIAN, []byte{1, 2, 3, 4}))
	must(k.SetValue("link", REG_LINK, EncodeString(`\Registry\Machine\System`)[:48]))
	must(k.SetMultiString("multi", []string{"one", "two", "three"}))
	must(k.SetValue("reslist", REG_RESOURCE_LIST, bytes.Repeat([]byte{0x11}, 20)))
	must(k.SetValue("fullres", REG_FULL_RESOURCE_DESCRIPTOR, bytes.Repeat([]byte{0x22}, 12)))
	must(k.SetValue("resreq", REG_RESOURCE_REQUIREMENTS_LIST, bytes.Repeat([]byte{0x33}, 9)))
	must(k.SetQWORD("qword", 0x0102030405060708))
	must(k.SetValue("none", REG_NONE, nil))
	must(k.SetValue("odd type", ValueType(0x12345), []byte{1, 2, 3, 4, 5}))
	must(k.SetString("", "default value"))
	in, err := h.CreateKey(`Types\Inline`)
	must(err)
	for n := 0; n <= 5; n++ {
		must(in.SetBinary(fmt.Sprintf("len%d", n), bytes.Repeat([]byte{byte(0xa0 + n)}, n)))
	}
	must(in.SetValue("dword3", REG_DWORD, []byte{1, 2, 3}))
	big, err := h.CreateKey(`Big`)
	must(err)
	blob := make([]byte, 40000)
	for i := range blob {
		blob[i] = byte(i * 7)
	}
	must(big.SetBinary("blob40000", blob))
	must(big.SetBinary("exact16344", blob[:16344]))
	must(big.SetBinary("seg16345", blob[:16345]))
	must(big.SetBinary("two32688", blob[:2*16344]))
	many, err := h.CreateKey(`Many`)
	must(err)
	for i := 0; i < 1234; i++ {
		c, err := many.CreateSubkey(fmt.Sprintf("Key%04d", (i*7919)%1234))
		must(err)
		must(c.SetDWORD("Index", uint32(i)))
	}
	u, err := h.CreateKey(`Unicode\asdf_äöüß\weird™\Ελληνικά`)
	must(err)
	must(u.SetDWORD("symbols $£₤₧€", 7))
	must(u.SetString("latin1 é", "värde ™"))
	must(u.SetClassName("SomeClass"))
	sec, err := h.CreateKey(`Secure`)
	must(err)
	sd := append([]byte(nil), DefaultSecurityDescriptor...)
	sd[len(sd)-1] ^= 1 // a different (still well-formed) group SID
	sec.SetSecurity(sd)
	_, err = h.CreateKey(`Secure\Child`)
	must(err)
	_, err = h.CreateKey(`Empty`)
	must(err)
	return h
}

func writeTemp(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hive")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScratchHiveHivexregedit(t *testing.T) {
	for _, minor := range []uint32{3, 4, 5, 6} {
		t.Run(fmt.Sprintf("1.%d", minor), func(t *testing.T) {
			h := scratchHive(t, minor)
			out, err := h.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(out); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			again, err := scratchHive(t, minor).Marshal()
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("same tree gave different bytes (%v)", err)
			}
			var ours bytes.Buffer
			if err := h.ExportReg(&ours, "", ""); err != nil {
				t.Fatal(err)
			}
			theirs := hivexExport(t, writeTemp(t, out), "")
			if !bytes.Equal(ours.Bytes(), theirs) {
				t.Fatalf("hivexregedit reads our hive differently:\n%s", firstDiff(ours.Bytes(), theirs))
			}
			if !strings.Contains(string(theirs), `"blob40000"=hex(3):00,07,0e`) {
				t.Fatal("big data value missing from hivexregedit output")
			}
		})
	}
}

func TestEmptyHive(t *testing.T) {
	for _, minor := range []uint32{3, 5} {
		h := New(WithMinorVersion(minor))
		out, err := h.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 8192 {
			t.Fatalf("empty hive is %d bytes, want 8192", len(out))
		}
		if err := Validate(out); err != nil {
			t.Fatal(err)
		}
		p := writeTemp(t, out)
		want := "Windows Registry Editor Version 5.00\n\n[\\]\n\n"
		if got := string(hivexExport(t, p, "")); got != want {
			t.Fatalf("hivexregedit: %q", got)
		}
		if got := string(regedExport(t, p, `HKEY_LOCAL_MACHINE\X`)); got != "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\X]\r\n\r\n" {
			t.Fatalf("reged: %q", got)
		}
		back, err := Parse(out)
		if err != nil || back.Root().Name() != "ROOT" || back.Root().NumSubkeys() != 0 || len(back.Root().Values()) != 0 {
			t.Fatalf("Parse: %v", err)
		}
	}
}
