package winpe

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultCaptureExclusions is the [ExclusionList] the WDS capture utility
// uses when none is given: files that must never end up in an install image.
var DefaultCaptureExclusions = []string{
	`$ntfs.log`,
	`hiberfil.sys`,
	`pagefile.sys`,
	`swapfile.sys`,
	`"System Volume Information"`,
	`RECYCLER`,
	`$Recycle.Bin`,
	`winpepge.sys`,
	`%SYSTEMROOT%\CSC`,
}

// Overwrite values of WDSCapture.inf [Capture] Overwrite.
const (
	OverwriteNo     = "No"
	OverwriteYes    = "Yes"
	OverwriteAppend = "Append"
)

// CaptureConfig is the content of WDSCapture.inf, which makes the WDS Image
// Capture Wizard run unattended (fully or partly).
type CaptureConfig struct {
	// Unattended runs the wizard without pages when every value it needs
	// is given.
	Unattended       bool
	VolumeToCapture  string // e.g. C:\ (empty: ask)
	SystemRoot       string // e.g. Windows
	ImageName        string
	ImageDescription string
	DestinationFile  string // local path of the .wim the wizard writes
	Overwrite        string // No, Yes or Append
	Exclusions       []string
	Upload           *Upload // nil: do not upload
}

// Upload holds the [WDS] section: where the wizard uploads the image.
type Upload struct {
	Server                  string
	ImageGroup              string
	Username                string
	Password                string
	DeleteLocalWimOnSuccess bool
}

// Section is an ordered list of key/value pairs (or bare lines when Key is
// empty), as WDSCapture.inf spells them.
type Section struct {
	Name  string
	Lines []KV
}

// KV is one line of a section.
type KV struct{ Key, Value string }

// ErrBadCapture reports an invalid capture configuration.
var ErrBadCapture = errors.New("winpe: invalid capture configuration")

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// Validate checks c before it is rendered.
func (c CaptureConfig) Validate() error {
	switch c.Overwrite {
	case "", OverwriteNo, OverwriteYes, OverwriteAppend:
	default:
		return fmt.Errorf("%w: overwrite %q (want No, Yes or Append)", ErrBadCapture, c.Overwrite)
	}
	check := func(what, v string) error {
		if strings.ContainsAny(v, "\r\n\x00") {
			return fmt.Errorf("%w: %s contains a line break or NUL", ErrBadCapture, what)
		}
		return nil
	}
	for what, v := range map[string]string{
		"volume": c.VolumeToCapture, "system root": c.SystemRoot, "image name": c.ImageName,
		"image description": c.ImageDescription, "destination file": c.DestinationFile,
	} {
		if err := check(what, v); err != nil {
			return err
		}
	}
	for _, e := range c.Exclusions {
		if strings.TrimSpace(e) == "" {
			return fmt.Errorf("%w: empty exclusion", ErrBadCapture)
		}
		if err := check("exclusion", e); err != nil {
			return err
		}
		if strings.HasPrefix(e, "[") {
			return fmt.Errorf("%w: exclusion %q looks like a section header", ErrBadCapture, e)
		}
	}
	if c.Upload != nil {
		if err := ValidateServer(c.Upload.Server); err != nil {
			return fmt.Errorf("%w: upload server: %v", ErrBadCapture, err)
		}
		for what, v := range map[string]string{"image group": c.Upload.ImageGroup, "username": c.Upload.Username, "password": c.Upload.Password} {
			if err := check(what, v); err != nil {
				return err
			}
		}
	}
	if c.Unattended && (c.VolumeToCapture == "" || c.ImageName == "" || c.DestinationFile == "") {
		return fmt.Errorf("%w: unattended capture needs volume, image name and destination file", ErrBadCapture)
	}
	return nil
}

// Sections returns WDSCapture.inf as ordered sections: [Capture],
// [ExclusionList] (bare lines; the defaults when c.Exclusions is nil) and
// [WDS].
func (c CaptureConfig) Sections() ([]Section, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	ow := c.Overwrite
	if ow == "" {
		ow = OverwriteNo
	}
	capture := Section{Name: "Capture", Lines: []KV{
		{"Unattended", yesNo(c.Unattended)},
		{"VolumeToCapture", c.VolumeToCapture},
		{"SystemRoot", c.SystemRoot},
		{"ImageName", c.ImageName},
		{"ImageDescription", c.ImageDescription},
		{"DestinationFile", c.DestinationFile},
		{"Overwrite", ow},
	}}
	excl := c.Exclusions
	if excl == nil {
		excl = DefaultCaptureExclusions
	}
	ex := Section{Name: "ExclusionList"}
	for _, e := range excl {
		ex.Lines = append(ex.Lines, KV{Value: e})
	}
	up := c.Upload
	if up == nil {
		up = &Upload{}
	}
	wds := Section{Name: "WDS", Lines: []KV{
		{"UploadToWDSServer", yesNo(c.Upload != nil)},
		{"WDSServerName", up.Server},
		{"WDSImageGroup", up.ImageGroup},
		{"Username", up.Username},
		{"Password", up.Password},
		{"DeleteLocalWimOnSuccess", yesNo(up.DeleteLocalWimOnSuccess)},
	}}
	return []Section{capture, ex, wds}, nil
}
