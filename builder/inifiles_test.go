package builder

import (
	"encoding/binary"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/wimbuild/wimbuild/winpe"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./builder -run %s -update to create it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from golden:\n got %q\nwant %q", name, got, want)
	}
}

func TestWinpeshlGoldens(t *testing.T) {
	cases := map[string]winpe.Launch{
		"winpeshl-wds-setup.ini":       {Mode: winpe.ModeWDSSetup},
		"winpeshl-capture.ini":         {Mode: winpe.ModeCapture},
		"winpeshl-discover.ini":        {Mode: winpe.ModeDiscover},
		"winpeshl-discover-server.ini": {Mode: winpe.ModeDiscover, Server: "wds01.contoso.com"},
		"winpeshl-apps.ini": {Mode: winpe.ModeApps, Apps: []winpe.App{
			{Path: `%SYSTEMROOT%\System32\wpeinit.exe`},
			{Path: `X:\Tools\shell.exe`, Args: `/s "C:\Program Files\App3"`},
		}},
	}
	for name, l := range cases {
		apps, err := l.LaunchApps()
		if err != nil {
			t.Fatal(err)
		}
		b, err := renderWinpeshl("", apps)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, b)
	}
	b, err := renderWinpeshl(`%SYSTEMDRIVE%\Fabrikam\shell.exe`, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "winpeshl-launchapp.ini", b)
	if _, err := renderWinpeshl("", nil); err == nil {
		t.Error("empty Winpeshl.ini accepted")
	}
}

func TestWDSCaptureGoldens(t *testing.T) {
	b, err := renderWDSCapture(winpe.CaptureConfig{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "wdscapture-default.inf", b)
	b, err = renderWDSCapture(winpe.CaptureConfig{
		Unattended: true, VolumeToCapture: `C:\`, SystemRoot: "Windows", ImageName: "Contoso Reference",
		ImageDescription: "Sysprepped; captured by WDS", DestinationFile: `D:\capture\ref.wim`, Overwrite: winpe.OverwriteYes,
		Exclusions: []string{`\pagefile.sys`, `"System Volume Information"`},
		Upload:     &winpe.Upload{Server: "wds01.contoso.com", ImageGroup: "Reference", Username: `CONTOSO\svc-capture`, DeleteLocalWimOnSuccess: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "wdscapture-unattended.inf", b)
}

// TestNonASCIIIniIsUnicode: Winpeshl.ini and WDSCapture.inf holding text
// beyond ASCII are UTF-16LE with a byte-order mark (Windows reads a file
// without one in the ANSI code page: UTF-8 "Jörg" became "JÃ¶rg"); the text
// itself, CRLFs included, is unchanged.
func TestNonASCIIIniIsUnicode(t *testing.T) {
	decode := func(b []byte) string {
		t.Helper()
		if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE || len(b)%2 != 0 {
			t.Fatalf("not UTF-16LE with a BOM: % x", b[:min(len(b), 8)])
		}
		u := make([]uint16, 0, len(b)/2-1)
		for i := 2; i < len(b); i += 2 {
			u = append(u, binary.LittleEndian.Uint16(b[i:]))
		}
		return string(utf16.Decode(u))
	}
	ini, err := renderWinpeshl("", []winpe.App{{Path: `%SYSTEMDRIVE%\Tools\Ünï.exe`, Args: "/name:Jörg"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := decode(ini), "[LaunchApps]\r\n%SYSTEMDRIVE%\\Tools\\Ünï.exe, /name:Jörg\r\n"; got != want {
		t.Errorf("Winpeshl.ini reads %q, want %q", got, want)
	}
	inf, err := renderWDSCapture(winpe.CaptureConfig{ImageName: "Référence", Exclusions: []string{`\Données`}})
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(inf); !strings.Contains(got, "ImageName=Référence\r\n") || !strings.Contains(got, "\\Données\r\n") {
		t.Errorf("WDSCapture.inf reads %q", got)
	}
	// ASCII stays single-byte (the goldens above).
	if ascii, _ := renderWinpeshl("", []winpe.App{{Path: `%SYSTEMDRIVE%\Tools\a.exe`}}); ascii[0] != '[' {
		t.Errorf("ASCII Winpeshl.ini starts % x", ascii[:2])
	}
}
