package builder

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"

	"gopkg.in/ini.v1"

	"github.com/wimbuild/wimbuild/winpe"
)

// Winpeshl.ini and WDSCapture.inf are written with gopkg.in/ini.v1, with two
// precautions its defaults need for these files: every section body is a raw
// section (ini.v1 would otherwise split "X:\…" and "/wdsserver:…" on ':' and
// wrap keys containing quotes in back-ticks), and lines end in CRLF (ini.v1
// writes '\n' off Windows). The written bytes are parsed back with ini.v1 and
// compared with what was meant, so a library change cannot corrupt them
// silently. Text with anything beyond ASCII is written as UTF-16LE with a
// byte-order mark: Windows' profile readers (GetPrivateProfileString)
// take a file without one to be in the ANSI code page, so UTF-8 "Jörg"
// would read as "JÃ¶rg"; ASCII text stays ASCII, as Windows writes it.

var iniMu sync.Mutex // ini.LineBreak and ini.PrettyFormat are package globals

func writeINI(sections []rawSection) ([]byte, error) {
	iniMu.Lock()
	defer iniMu.Unlock()
	ini.LineBreak = "\r\n"
	ini.PrettyFormat = false
	f := ini.Empty(ini.LoadOptions{AllowNonUniqueSections: false})
	for _, s := range sections {
		var body strings.Builder
		for _, l := range s.lines {
			if strings.ContainsAny(l, "\r\n") {
				return nil, fmt.Errorf("line %q of [%s] contains a line break", l, s.name)
			}
			body.WriteString(l)
			body.WriteString("\r\n")
		}
		if _, err := f.NewRawSection(s.name, body.String()); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	// Check: parse back and compare every section body.
	names := make([]string, len(sections))
	for i, s := range sections {
		names[i] = s.name
	}
	back, err := ini.LoadSources(ini.LoadOptions{UnparseableSections: names}, out)
	if err != nil {
		return nil, fmt.Errorf("written ini does not parse: %w", err)
	}
	for _, s := range sections {
		sec, err := back.GetSection(s.name)
		if err != nil {
			return nil, fmt.Errorf("written ini lost section [%s]", s.name)
		}
		got := strings.Split(strings.TrimRight(strings.ReplaceAll(sec.Body(), "\r\n", "\n"), "\n"), "\n")
		if len(s.lines) == 0 && len(got) == 1 && got[0] == "" {
			continue
		}
		if strings.Join(got, "\n") != strings.Join(s.lines, "\n") {
			return nil, fmt.Errorf("written ini section [%s] reads back as %q, want %q", s.name, got, s.lines)
		}
	}
	return unicodeIfNeeded(out), nil
}

// unicodeIfNeeded returns UTF-8 text b as is when it is ASCII, else as
// UTF-16LE with a byte-order mark.
func unicodeIfNeeded(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(string(b))) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

type rawSection struct {
	name  string
	lines []string
}

// renderWinpeshl returns Winpeshl.ini for a [LaunchApp] AppPath (may be
// empty) and [LaunchApps] entries (already validated by winpe).
func renderWinpeshl(launchApp string, apps []winpe.App) ([]byte, error) {
	var secs []rawSection
	if launchApp != "" {
		if err := winpe.ValidateApp(winpe.App{Path: launchApp}); err != nil {
			return nil, err
		}
		secs = append(secs, rawSection{"LaunchApp", []string{"AppPath=" + launchApp}})
	}
	if len(apps) > 0 {
		var lines []string
		for _, a := range apps {
			if err := winpe.ValidateApp(a); err != nil {
				return nil, err
			}
			lines = append(lines, a.Line())
		}
		secs = append(secs, rawSection{"LaunchApps", lines})
	}
	if len(secs) == 0 {
		return nil, fmt.Errorf("Winpeshl.ini would launch nothing")
	}
	return writeINI(secs)
}

// renderWDSCapture returns WDSCapture.inf for a capture configuration.
func renderWDSCapture(c winpe.CaptureConfig) ([]byte, error) {
	secs, err := c.Sections()
	if err != nil {
		return nil, err
	}
	var raw []rawSection
	for _, s := range secs {
		rs := rawSection{name: s.Name}
		for _, kv := range s.Lines {
			if kv.Key == "" {
				rs.lines = append(rs.lines, kv.Value)
			} else {
				rs.lines = append(rs.lines, kv.Key+"="+kv.Value)
			}
		}
		raw = append(raw, rs)
	}
	return writeINI(raw)
}
