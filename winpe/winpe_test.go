package winpe

import (
	"errors"
	"strings"
	"testing"
)

func TestLaunchModes(t *testing.T) {
	cases := []struct {
		l    Launch
		want []string
	}{
		{Launch{Mode: ModeDefault}, nil},
		{Launch{Mode: ModeWDSSetup}, []string{`%SYSTEMDRIVE%\sources\setup.exe, "/wds /wdsdiscover"`}},
		{Launch{Mode: ModeCapture}, []string{`%SYSTEMROOT%\system32\wdscapture.exe`}},
		{Launch{Mode: ModeDiscover}, []string{`%SYSTEMDRIVE%\sources\setup.exe, "/wds /wdsdiscover"`}},
		{Launch{Mode: ModeDiscover, Server: "wds01.contoso.com"}, []string{`%SYSTEMDRIVE%\sources\setup.exe, "/wds /wdsdiscover /wdsserver:wds01.contoso.com"`}},
		{Launch{Mode: ModeDiscover, Server: "10.0.0.5"}, []string{`%SYSTEMDRIVE%\sources\setup.exe, "/wds /wdsdiscover /wdsserver:10.0.0.5"`}},
		{Launch{Mode: ModeApps, Apps: []App{{Path: `X:\a.exe`}, {Path: `X:\b.exe`, Args: `/s "C:\Program Files\App3"`}}},
			[]string{`X:\a.exe`, `X:\b.exe, /s "C:\Program Files\App3"`}},
	}
	for _, c := range cases {
		apps, err := c.l.LaunchApps()
		if err != nil {
			t.Fatalf("%+v: %v", c.l, err)
		}
		var got []string
		for _, a := range apps {
			got = append(got, a.Line())
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%+v: got %q, want %q", c.l, got, c.want)
		}
	}
}

func TestLaunchErrors(t *testing.T) {
	long := App{Path: `X:\` + strings.Repeat("a", 250) + ".exe"}
	cases := []struct {
		l    Launch
		want error
	}{
		{Launch{Mode: ModeDiscover, Server: "bad server"}, ErrBadServer},
		{Launch{Mode: ModeDiscover, Server: "-x.com"}, ErrBadServer},
		{Launch{Mode: ModeDiscover, Server: strings.Repeat("a", 64) + ".com"}, ErrBadServer},
		{Launch{Mode: ModeApps}, ErrNoApps},
		{Launch{Mode: ModeApps, Apps: []App{long}}, ErrLineTooLong},
		{Launch{Mode: ModeApps, Apps: []App{{Path: `X:\setup.exe`, Args: "/wds /wdsserver:x"}}}, ErrServerNeedsDisc},
		{Launch{Mode: ModeApps, Apps: []App{{Path: `X:\a,b.exe`}}}, ErrBadAppLine},
		{Launch{Mode: ModeApps, Apps: []App{{Path: "X:\\a.exe\r\n[LaunchApp]"}}}, ErrBadAppLine},
		{Launch{Mode: "bogus"}, ErrUnknownMode},
	}
	for _, c := range cases {
		if _, err := c.l.LaunchApps(); !errors.Is(err, c.want) {
			t.Errorf("%+v: err = %v, want %v", c.l, err, c.want)
		}
	}
	// Exactly 250 characters is allowed.
	ok := App{Path: `X:\` + strings.Repeat("a", 250-7) + ".exe"}
	if n := len(ok.Line()); n != 250 {
		t.Fatalf("test setup: %d", n)
	}
	if err := ValidateApp(ok); err != nil {
		t.Errorf("250-character entry rejected: %v", err)
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"wds-setup", "Capture", " discover ", "apps", ""} {
		if _, err := ParseMode(s); err != nil {
			t.Errorf("ParseMode(%q): %v", s, err)
		}
	}
	if _, err := ParseMode("setup"); !errors.Is(err, ErrUnknownMode) {
		t.Errorf("ParseMode(setup) err = %v", err)
	}
}

func TestParseLaunchApps(t *testing.T) {
	body := "; comment\r\n%SYSTEMDRIVE%\\sources\\setup.exe, \"/wds /wdsdiscover /wdsserver:10.0.0.5\"\r\n\r\nX:\\Windows\\System32\\wpeinit.exe\n"
	apps, err := ParseLaunchApps(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 2 || apps[0].Args != `"/wds /wdsdiscover /wdsserver:10.0.0.5"` || apps[1].Path != `X:\Windows\System32\wpeinit.exe` {
		t.Fatalf("got %+v", apps)
	}
	if _, err := ParseLaunchApps("a.exe\n[LaunchApp]\n"); !errors.Is(err, ErrBadAppLine) {
		t.Fatalf("section inside body: err = %v", err)
	}
}

func FuzzParseLaunchApps(f *testing.F) {
	f.Add("%SYSTEMDRIVE%\\sources\\setup.exe, \"/wds /wdsdiscover\"\r\n")
	f.Add("a.exe\nb.exe, /x\n; c\n")
	f.Add(",,,\n[x]\n")
	f.Fuzz(func(t *testing.T, body string) {
		apps, err := ParseLaunchApps(body)
		if err != nil {
			return
		}
		// Every accepted entry re-validates and re-parses to itself.
		var lines []string
		for _, a := range apps {
			if err := ValidateApp(a); err != nil {
				t.Fatalf("accepted entry fails validation: %v", err)
			}
			lines = append(lines, a.Line())
		}
		again, err := ParseLaunchApps(strings.Join(lines, "\r\n"))
		if err != nil || len(again) != len(apps) {
			t.Fatalf("re-parse: %v (%d vs %d)", err, len(again), len(apps))
		}
		for i := range apps {
			if again[i] != apps[i] {
				t.Fatalf("re-parse changed entry %d: %+v -> %+v", i, apps[i], again[i])
			}
		}
	})
}

func TestCaptureConfig(t *testing.T) {
	c := CaptureConfig{
		Unattended: true, VolumeToCapture: `C:\`, SystemRoot: "Windows", ImageName: "Ref",
		DestinationFile: `D:\ref.wim`, Overwrite: OverwriteYes, Exclusions: []string{`\pagefile.sys`},
		Upload: &Upload{Server: "wds01", ImageGroup: "Group1", Username: `CONTOSO\svc`},
	}
	secs, err := c.Sections()
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != 3 || secs[0].Name != "Capture" || secs[1].Name != "ExclusionList" || secs[2].Name != "WDS" {
		t.Fatalf("sections %+v", secs)
	}
	if secs[1].Lines[0].Value != `\pagefile.sys` || secs[2].Lines[0] != (KV{"UploadToWDSServer", "Yes"}) {
		t.Fatalf("content %+v", secs)
	}
	def, err := CaptureConfig{}.Sections()
	if err != nil {
		t.Fatal(err)
	}
	if len(def[1].Lines) != len(DefaultCaptureExclusions) || def[2].Lines[0].Value != "No" {
		t.Fatalf("defaults %+v", def)
	}
	bad := []CaptureConfig{
		{Overwrite: "Maybe"},
		{ImageName: "a\r\n[WDS]"},
		{Exclusions: []string{""}},
		{Exclusions: []string{"[Capture]"}},
		{Upload: &Upload{Server: "bad name"}},
		{Unattended: true},
	}
	for _, b := range bad {
		if _, err := b.Sections(); !errors.Is(err, ErrBadCapture) {
			t.Errorf("%+v: err = %v", b, err)
		}
	}
}

func TestScratchSpace(t *testing.T) {
	for _, n := range ScratchSpaceSizes {
		if err := ValidateScratchSpace(n); err != nil {
			t.Error(err)
		}
	}
	for _, n := range []int{0, 31, 100, 1024, -32} {
		if err := ValidateScratchSpace(n); !errors.Is(err, ErrBadScratchSpace) {
			t.Errorf("%d: %v", n, err)
		}
	}
}

func TestVersions(t *testing.T) {
	v, err := ParseVersion("10.0.22621.1")
	if err != nil || v != (Version{10, 0, 22621, 1}) || v.String() != "10.0.22621.1" {
		t.Fatalf("%v %v", v, err)
	}
	for _, s := range []string{"10", "10.0", "a.b.c", "10.0.1.2.3", "10.0.-1"} {
		if _, err := ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) accepted", s)
		}
	}
	w10 := Version{10, 0, 19041, 0}
	w11 := Version{10, 0, 22000, 0}
	if BlocksWDSSetup(w10) || !BlocksWDSSetup(w11) || !BlocksWDSSetup(Version{10, 0, 26100, 0}) {
		t.Error("BlocksWDSSetup")
	}
	if err := CheckSeedVersion(w10, w11); !errors.Is(err, ErrVersionTooOld) {
		t.Errorf("old WinPE accepted: %v", err)
	}
	if err := CheckSeedVersion(w11, w10); err != nil {
		t.Error(err)
	}
	if w10.Compare(w10) != 0 || w10.Compare(w11) != -1 || w11.Compare(w10) != 1 {
		t.Error("Compare")
	}
}

func TestArch(t *testing.T) {
	for in, want := range map[string]Arch{"x64": ArchAMD64, "AMD64": ArchAMD64, "x86": ArchX86, "aarch64": ArchARM64} {
		got, err := ParseArch(in)
		if err != nil || got != want {
			t.Errorf("ParseArch(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseArch("ia64"); err == nil {
		t.Error("ia64 accepted")
	}
	for _, a := range []Arch{ArchX86, ArchAMD64, ArchARM64} {
		b, err := ArchFromWIM(a.WIMArch())
		if err != nil || b != a {
			t.Errorf("round trip %v: %v %v", a, b, err)
		}
	}
	if ArchAMD64.PXEDir() != "x64" || ArchAMD64.EFIBootFile() != "bootx64.efi" || ArchX86.EFIBootFile() != "bootia32.efi" {
		t.Error("names")
	}
}
