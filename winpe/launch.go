package winpe

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// MaxLaunchLine is the longest [LaunchApps] entry Winpeshl.exe accepts
// (path plus arguments), per the Winpeshl.ini reference.
const MaxLaunchLine = 250

// Mode is what a boot image starts after WinPE initialises.
type Mode string

const (
	// ModeDefault leaves Winpeshl.ini out: winpeshl.exe runs Setup if the
	// image has it, else cmd.exe with startnet.cmd.
	ModeDefault Mode = ""
	// ModeWDSSetup starts Windows Setup in WDS mode (a WDS boot image).
	ModeWDSSetup Mode = "wds-setup"
	// ModeCapture starts the WDS Image Capture Wizard (wdscapture.exe).
	ModeCapture Mode = "capture"
	// ModeDiscover starts Setup in WDS discover mode, optionally pinned to
	// one server with /wdsserver.
	ModeDiscover Mode = "discover"
	// ModeApps runs a custom list of applications.
	ModeApps Mode = "apps"
)

// Image paths the launch modes rely on, as Winpeshl.ini spells them and as
// paths inside the image (which is mounted as X:, so %SYSTEMDRIVE% is the
// image root and %SYSTEMROOT% is \Windows).
const (
	SetupExe          = `%SYSTEMDRIVE%\sources\setup.exe`
	SetupExeImagePath = `\sources\setup.exe`
	CaptureExe        = `%SYSTEMROOT%\system32\wdscapture.exe`
	CaptureExePath    = `\Windows\System32\wdscapture.exe`
	WinpeshlPath      = `\Windows\System32\Winpeshl.ini`
	WDSCapturePath    = `\Windows\System32\WDSCapture.inf`
	StartnetPath      = `\Windows\System32\startnet.cmd`
)

// App is one [LaunchApps] entry: an executable and its arguments.
type App struct {
	Path string
	Args string
}

// Line renders the entry as Winpeshl.ini writes it: "path" or "path, args".
func (a App) Line() string {
	if a.Args == "" {
		return a.Path
	}
	return a.Path + ", " + a.Args
}

// Launch describes what Winpeshl.ini launches.
type Launch struct {
	Mode Mode
	// Server is the WDS server for ModeDiscover ("" = dynamic discovery).
	Server string
	// Apps is the list for ModeApps.
	Apps []App
}

// Errors returned by Validate and Apps.
var (
	ErrLineTooLong     = errors.New("winpe: Winpeshl.ini entry longer than 250 characters")
	ErrBadServer       = errors.New("winpe: invalid WDS server name")
	ErrServerNeedsDisc = errors.New("winpe: /wdsserver is only valid together with /wdsdiscover")
	ErrBadAppLine      = errors.New("winpe: invalid Winpeshl.ini entry")
	ErrUnknownMode     = errors.New("winpe: unknown launch mode")
	ErrNoApps          = errors.New("winpe: launch mode \"apps\" needs at least one application")
)

// ParseMode converts a recipe's launch mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModeDefault, ModeWDSSetup, ModeCapture, ModeDiscover, ModeApps:
		return m, nil
	}
	return "", fmt.Errorf("%w %q (want wds-setup, capture, discover or apps)", ErrUnknownMode, s)
}

// LaunchApps returns the [LaunchApps] entries for l, validated. ModeDefault
// returns nil: no Winpeshl.ini is written.
func (l Launch) LaunchApps() ([]App, error) {
	var apps []App
	switch l.Mode {
	case ModeDefault:
		return nil, nil
	case ModeWDSSetup:
		// The WDS procedure for custom boot images starts Setup in WDS
		// mode with discovery; a PXE-booted client finds the server that
		// served it.
		apps = []App{{Path: SetupExe, Args: `"/wds /wdsdiscover"`}}
	case ModeCapture:
		apps = []App{{Path: CaptureExe}}
	case ModeDiscover:
		args := "/wds /wdsdiscover"
		if l.Server != "" {
			if err := ValidateServer(l.Server); err != nil {
				return nil, err
			}
			args += " /wdsserver:" + l.Server
		}
		apps = []App{{Path: SetupExe, Args: `"` + args + `"`}}
	case ModeApps:
		if len(l.Apps) == 0 {
			return nil, ErrNoApps
		}
		apps = append(apps, l.Apps...)
	default:
		return nil, fmt.Errorf("%w %q", ErrUnknownMode, l.Mode)
	}
	for i, a := range apps {
		if err := ValidateApp(a); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
	}
	return apps, nil
}

// ValidateApp checks one [LaunchApps] entry: a non-empty path without a
// comma, no control characters, at most MaxLaunchLine characters, and the
// /wdsserver-needs-/wdsdiscover rule for setup.exe arguments.
func ValidateApp(a App) error {
	if strings.TrimSpace(a.Path) == "" {
		return fmt.Errorf("%w: empty application path", ErrBadAppLine)
	}
	if strings.Contains(a.Path, ",") {
		return fmt.Errorf("%w: application path %q contains a comma (arguments go after the first comma)", ErrBadAppLine, a.Path)
	}
	line := a.Line()
	for _, r := range line {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: control character %U in %q", ErrBadAppLine, r, line)
		}
	}
	if n := len([]rune(line)); n > MaxLaunchLine {
		return fmt.Errorf("%w: %d characters in %q", ErrLineTooLong, n, line)
	}
	lower := strings.ToLower(a.Args)
	if strings.Contains(lower, "/wdsserver") && !strings.Contains(lower, "/wdsdiscover") {
		return ErrServerNeedsDisc
	}
	return nil
}

// ValidateServer checks a /wdsserver value: an IPv4/IPv6 address, a NetBIOS
// name, or a DNS name (letters, digits, hyphens, dots; labels of 1–63
// characters, 253 in all).
func ValidateServer(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrBadServer)
	}
	if net.ParseIP(s) != nil {
		return nil
	}
	if len(s) > 253 {
		return fmt.Errorf("%w: %q is longer than 253 characters", ErrBadServer, s)
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%w: %q has an empty or over-long label", ErrBadServer, s)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: %q has a label starting or ending with '-'", ErrBadServer, s)
		}
		for _, c := range label {
			if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return fmt.Errorf("%w: %q contains %q", ErrBadServer, s, c)
			}
		}
	}
	return nil
}

// ParseLaunchApps parses the body of a [LaunchApps] section (one entry per
// line; blank lines and ;-comments skipped). It accepts CRLF or LF.
func ParseLaunchApps(body string) ([]App, error) {
	var apps []App
	for i, raw := range strings.Split(body, "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			return nil, fmt.Errorf("%w: line %d: section header %q inside [LaunchApps]", ErrBadAppLine, i+1, line)
		}
		path, args, _ := strings.Cut(line, ",")
		a := App{Path: strings.TrimSpace(path), Args: strings.TrimSpace(args)}
		if err := ValidateApp(a); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		apps = append(apps, a)
	}
	return apps, nil
}
