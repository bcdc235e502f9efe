package dsl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// LanguageVersion is the version of the recipe language this package
// implements. `wimbuild { required_version = "…" }` is checked against it.
const LanguageVersion = "0.1.0"

// Recipe is a fully evaluated recipe. Every value that came from the recipe
// keeps the source range it came from, so later stages (the builder) can point
// their own errors at the line that asked for the work.
//
// Slices are in declaration order (files in lexical order, blocks in source
// order within a file). A Recipe is immutable after Load returns it.
type Recipe struct {
	// Root is the absolute recipe directory: the directory given to Load,
	// or the directory holding the single recipe file. path.root.
	Root string `json:"-"`
	// Files are the absolute paths of the parsed recipe files, sorted.
	Files []string `json:"-"`

	Settings  Settings    `json:"settings"`
	Variables []*Variable `json:"-"`
	Locals    []*Local    `json:"-"`
	Sources   []*Source   `json:"sources"`
	Images    []*Image    `json:"images"`
	PXE       []*PXE      `json:"pxe"`
	Media     []*Media    `json:"media"`
	Output    Output      `json:"output"`

	// Deps are the dependency edges between blocks: From needs To.
	// Sorted by From then To. The graph is acyclic (Load reports cycles).
	Deps []Edge `json:"-"`

	// Digest is the hex sha256 of the canonical JSON encoding of the
	// evaluated recipe (settings, sources, images, pxe, media, output). Host
	// paths are encoded relative to Root, so a recipe checked out in two
	// different directories has the same digest; comments, formatting,
	// variable plumbing and descriptions of variables do not change it.
	// Sensitive values enter it masked (it is shown and uploaded; a hash
	// over a secret would let anyone test guesses of it).
	Digest string `json:"-"`

	// mask replaces sensitive values in messages (Mask); nil when none.
	mask *strings.Replacer
}

// Settings is the `wimbuild` block.
type Settings struct {
	RequiredVersion String `json:"required_version"`
	// SourceDateEpoch is the Unix time every output timestamp is derived
	// from. When the recipe does not set it, the SOURCE_DATE_EPOCH
	// environment variable is used, else 0 (Range is then the zero range).
	SourceDateEpoch Int `json:"source_date_epoch"`
	// AllowPaths are host directories outside Root that host paths in the
	// recipe may point into (absolute, cleaned).
	AllowPaths []Path    `json:"allow_paths"`
	DeclRange  hcl.Range `json:"-"`
}

// Variable is a declared input variable with its final value.
type Variable struct {
	Name        string
	Description string
	Sensitive   bool
	// Type is the declared type constraint, as written (e.g. "string").
	Type string
	// Value is the final value rendered for display: a string for string
	// variables, HCL syntax otherwise. SensitiveValue when Sensitive.
	Value string
	// ValueSource says where the value came from: "default", a var file
	// path, "env WIMBUILD_VAR_x" or "--var".
	ValueSource string
	DeclRange   hcl.Range `json:"-"`
}

// Local is a named local value, rendered for display.
type Local struct {
	Name      string
	Value     string
	DeclRange hcl.Range `json:"-"`
}

// RefKind is the kind of block a Ref names.
type RefKind string

// Block kinds that can be referenced.
const (
	RefSource RefKind = "source"
	RefImage  RefKind = "image"
	RefPXE    RefKind = "pxe"
	RefMedia  RefKind = "media"
)

// Ref names a block: source.TYPE.NAME, image.NAME, pxe.NAME or media.NAME.
// Range is where the reference was written (or the block's label range for
// a Ref naming a block itself).
type Ref struct {
	Kind  RefKind
	Type  string // source type ("wim", "sample"); empty for other kinds
	Name  string
	Range hcl.Range `json:"-"`
}

// String renders the reference as it is written in a recipe.
func (r Ref) String() string {
	if r.Kind == RefSource {
		return fmt.Sprintf("source.%s.%s", r.Type, r.Name)
	}
	return fmt.Sprintf("%s.%s", r.Kind, r.Name)
}

// Key is String without the range; use it as a map key.
func (r Ref) Key() string { return r.String() }

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Kind == "" }

// MarshalJSON encodes a Ref as its string form.
func (r Ref) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// Edge is one dependency: From needs To (To must be built first).
type Edge struct {
	From, To Ref
}

// SensitiveValue is shown instead of a value derived from a sensitive
// variable, in diagnostics, Variable.Value, Local.Value and Redact's copy.
const SensitiveValue = "(sensitive value)"

// String is a string value and the range of the expression it came from.
// When the value is a default (not written in the recipe), Range is the
// range of the enclosing block's header.
//
// Sensitive is set when the value was computed from a sensitive variable.
// Value is still the real value (builds use it, and so do Digest and cache
// keys); anything that shows values to people uses Display or Redact.
type String struct {
	Value     string
	Range     hcl.Range `json:"-"`
	Sensitive bool      `json:"-"`
}

// IsZero reports whether the value is empty (for `omitzero`).
func (s String) IsZero() bool { return s.Value == "" }

// MarshalJSON encodes the value only.
func (s String) MarshalJSON() ([]byte, error) { return json.Marshal(s.Value) }

// Display returns the value, or SensitiveValue when it is sensitive.
func (s String) Display() string {
	if s.Sensitive {
		return SensitiveValue
	}
	return s.Value
}

// quoted is the value in Go quotes for a diagnostic, or SensitiveValue.
func (s String) quoted() string {
	if s.Sensitive {
		return SensitiveValue
	}
	return strconv.Quote(s.Value)
}

// Int is an integer value and its range (see String).
type Int struct {
	Value     int64
	Range     hcl.Range `json:"-"`
	Sensitive bool      `json:"-"`
	redacted  bool      // Redact's copy: encodes as SensitiveValue
}

// IsZero reports whether the value is 0 (for `omitzero`).
func (i Int) IsZero() bool { return i.Value == 0 && !i.redacted }

// MarshalJSON encodes the value only.
func (i Int) MarshalJSON() ([]byte, error) {
	if i.redacted {
		return json.Marshal(SensitiveValue)
	}
	return json.Marshal(i.Value)
}

// Display returns the value in decimal, or SensitiveValue.
func (i Int) Display() string {
	if i.Sensitive {
		return SensitiveValue
	}
	return strconv.FormatInt(i.Value, 10)
}

// Bool is a boolean value and its range (see String).
type Bool struct {
	Value     bool
	Range     hcl.Range `json:"-"`
	Sensitive bool      `json:"-"`
	redacted  bool      // Redact's copy: encodes as SensitiveValue
}

// MarshalJSON encodes the value only.
func (b Bool) MarshalJSON() ([]byte, error) {
	if b.redacted {
		return json.Marshal(SensitiveValue)
	}
	return json.Marshal(b.Value)
}

// Display returns "true" or "false", or SensitiveValue.
func (b Bool) Display() string {
	if b.Sensitive {
		return SensitiveValue
	}
	return strconv.FormatBool(b.Value)
}

// Path is a host path. Abs is absolute and cleaned (OS separators); it lies
// inside Recipe.Root or one of Settings.AllowPaths (Load checks that). Rel
// is Abs relative to Root with forward slashes, or Abs itself (slashes) for
// a path under an allow_paths directory outside Root; Rel is what the
// recipe digest and cache keys may use, never Abs.
//
// Sensitive is set when the path was computed from a sensitive variable
// (see String).
type Path struct {
	Abs       string
	Rel       string
	Range     hcl.Range `json:"-"`
	Sensitive bool      `json:"-"`
}

// Display returns Rel, or SensitiveValue when the path is sensitive.
func (p Path) Display() string {
	if p.Sensitive {
		return SensitiveValue
	}
	return p.Rel
}

// MarshalJSON encodes Rel.
func (p Path) MarshalJSON() ([]byte, error) { return json.Marshal(p.Rel) }

// IsZero reports whether no path was given.
func (p Path) IsZero() bool { return p.Abs == "" && p.Rel == "" }

// Source types.
const (
	SourceWIM    = "wim"    // a WIM file on the host
	SourceSample = "sample" // the generated sample WinPE-like base
)

// Source is a `source "TYPE" "NAME"` block: where an image chain starts.
type Source struct {
	Type string `json:"type"`
	Name string `json:"name"`
	// WIM sources.
	Path   Path   `json:"path,omitzero"`
	SHA256 String `json:"sha256,omitzero"` // lower-case hex; empty = unpinned
	// Index selects the image in the WIM (1-based). 0 means "not given":
	// use ImageName, or else the WIM's boot index (1 when it has none).
	Index     Int    `json:"index,omitzero"`
	ImageName String `json:"image_name,omitzero"`
	// Arch is "x86", "amd64" or "arm64"; empty when a wim source does not
	// declare it (the builder then reads it from the WIM XML and checks a
	// declared one against it). Always set for sample sources.
	Arch       String    `json:"arch,omitzero"`
	DeclRange  hcl.Range `json:"-"`
	LabelRange hcl.Range `json:"-"` // range of the NAME label
}

// Ref returns the reference naming this source.
func (s *Source) Ref() Ref {
	return Ref{Kind: RefSource, Type: s.Type, Name: s.Name, Range: s.LabelRange}
}

// Image is an `image "NAME"` block: a WIM image built from a source or from
// another image by applying Steps in order.
type Image struct {
	Name string `json:"name"`
	// From is a source or image reference.
	From Ref `json:"from"`
	// InstallVersion is the newest Windows version (MAJOR.MINOR.BUILD
	// [.UBR]) this boot image deploys or captures; empty when not declared.
	// The builder checks that the image's WinPE version is the same or newer.
	InstallVersion String `json:"install_version,omitzero"`
	// Arch is the image's architecture: declared with `arch`, or inherited
	// from From (empty when unknown until the builder reads the base WIM).
	Arch String `json:"arch,omitzero"`
	// Metadata is the WIM XML metadata to set after the steps
	// (`name`, `description` and the `metadata` block). Zero fields keep
	// the base image's values.
	Metadata Metadata `json:"metadata"`
	// Steps are the image edits in source order: *PackageStep,
	// *LanguageStep, *FilesStep, *FileStep, *DeleteStep, *RegistryStep,
	// *ScratchSpaceStep, *UILanguageStep.
	Steps []Step `json:"steps"`
	// At most one of Winpeshl, Capture, Discover is set (Load enforces it).
	Winpeshl *Winpeshl `json:"winpeshl,omitempty"`
	Capture  *Capture  `json:"capture,omitempty"`
	Discover *Discover `json:"discover,omitempty"`
	// DependsOn lists the blocks this image needs: its From.
	DependsOn  []Ref     `json:"-"`
	DeclRange  hcl.Range `json:"-"`
	LabelRange hcl.Range `json:"-"`
}

// Ref returns the reference naming this image.
func (img *Image) Ref() Ref { return Ref{Kind: RefImage, Name: img.Name, Range: img.LabelRange} }

// Metadata is the WIM XML metadata of an image.
type Metadata struct {
	Name               String `json:"name,omitzero"`         // <NAME>
	Description        String `json:"description,omitzero"`  // <DESCRIPTION>
	DisplayName        String `json:"display_name,omitzero"` // <DISPLAYNAME>
	DisplayDescription String `json:"display_description,omitzero"`
	Flags              String `json:"flags,omitzero"` // <FLAGS>
}

// Step is one ordered edit of an image. The concrete types are listed at
// Image.Steps; switch on them with a type switch.
type Step interface {
	// Kind is the step's block or attribute name ("package", "file", …).
	Kind() string
	// StepRange is the range of the block or attribute that declared it.
	StepRange() hcl.Range
}

// PackageStep adds a WinPE optional component (.cab) with the servicing
// engine. Name is the block label (e.g. "setup", "wds-tools").
type PackageStep struct {
	Name      string    `json:"name"`
	Cab       Path      `json:"cab"`
	SHA256    String    `json:"sha256,omitzero"`
	DeclRange hcl.Range `json:"-"`
}

// LanguageStep adds a language pack (lp.cab) and the language cab of each
// listed package (`<cab basename>_<lang>.cab` in Dir).
type LanguageStep struct {
	Tag String `json:"tag"` // lower case, e.g. "de-de"
	// LP is the language pack cab (default: Dir/lp.cab).
	LP Path `json:"lp"`
	// Dir is the directory holding the language cabs (default: the
	// directory of LP).
	Dir Path `json:"dir"`
	// Packages are the package names whose language cabs are added, in
	// order; each names a PackageStep of this image or an ancestor.
	Packages []String `json:"packages"`
	// Cabs are the language cab paths for Packages, in the same order.
	Cabs      []Path    `json:"cabs"`
	DeclRange hcl.Range `json:"-"`
}

// FilesStep copies a host file or directory tree into the image.
type FilesStep struct {
	Source Path `json:"source"`
	// Destination is an image path ("/"-separated, absolute, no ".."),
	// ending in "/" when the recipe wrote one: "into this directory".
	Destination String    `json:"destination"`
	DeclRange   hcl.Range `json:"-"`
}

// FileStep writes one image file from inline Content or a host Source.
type FileStep struct {
	Path       String    `json:"path"` // image path, as FilesStep.Destination
	Content    *String   `json:"content,omitempty"`
	Source     *Path     `json:"source,omitempty"`
	DeclRange  hcl.Range `json:"-"`
	LabelRange hcl.Range `json:"-"`
}

// DeleteStep removes image paths (files or whole directories).
type DeleteStep struct {
	Paths     []String  `json:"paths"`
	DeclRange hcl.Range `json:"-"`
}

// RegistryStep edits one offline hive with ordered operations.
type RegistryStep struct {
	// Hive is "SYSTEM", "SOFTWARE", "DEFAULT", "SAM" or "SECURITY"
	// (Windows\System32\config\<Hive> in the image).
	Hive      String       `json:"hive"`
	Ops       []RegistryOp `json:"ops"`
	DeclRange hcl.Range    `json:"-"`
}

// Registry operation kinds.
const (
	RegSet         = "set"
	RegDeleteValue = "delete_value"
	RegDeleteKey   = "delete_key"
)

// Registry value types (RegistryOp.Type).
const (
	RegSZ       = "string"        // REG_SZ
	RegExpandSZ = "expand_string" // REG_EXPAND_SZ
	RegMultiSZ  = "multi_string"  // REG_MULTI_SZ
	RegDword    = "dword"         // REG_DWORD
	RegQword    = "qword"         // REG_QWORD
	RegBinary   = "binary"        // REG_BINARY
	RegNone     = "none"          // REG_NONE
)

// RegistryOp is one registry edit. Key is a path inside the hive with "\"
// separators and no leading or trailing "\". For RegSet, Type says which of
// String, Strings, Integer or Bytes holds the data; the key is created when
// missing. Name "" is the key's default value.
type RegistryOp struct {
	Op      string   `json:"op"`
	Key     String   `json:"key"`
	Name    String   `json:"name"`
	Type    String   `json:"type,omitzero"`
	String  string   `json:"string,omitempty"`  // string, expand_string
	Strings []string `json:"strings,omitempty"` // multi_string
	Integer uint64   `json:"integer,omitempty"` // dword, qword
	Bytes   []byte   `json:"bytes,omitempty"`   // binary, none
	// ValueRange is the range of the data expression.
	ValueRange hcl.Range `json:"-"`
	// ValueSensitive is set when the data was computed from a sensitive
	// variable (see String).
	ValueSensitive bool      `json:"-"`
	DeclRange      hcl.Range `json:"-"`
}

// ScratchSpaceStep sets the WinPE scratch space (MB): FBWF
// WinPECacheThreshold. One of 32, 64, 128, 256, 512.
type ScratchSpaceStep struct {
	MB Int `json:"mb"`
}

// UILanguageStep sets the default UI language (DISM /Set-AllIntl).
type UILanguageStep struct {
	Tag String `json:"tag"`
}

func (*PackageStep) Kind() string      { return "package" }
func (*LanguageStep) Kind() string     { return "language" }
func (*FilesStep) Kind() string        { return "files" }
func (*FileStep) Kind() string         { return "file" }
func (*DeleteStep) Kind() string       { return "delete" }
func (*RegistryStep) Kind() string     { return "registry" }
func (*ScratchSpaceStep) Kind() string { return "scratch_space" }
func (*UILanguageStep) Kind() string   { return "ui_language" }

func (s *PackageStep) StepRange() hcl.Range      { return s.DeclRange }
func (s *LanguageStep) StepRange() hcl.Range     { return s.DeclRange }
func (s *FilesStep) StepRange() hcl.Range        { return s.DeclRange }
func (s *FileStep) StepRange() hcl.Range         { return s.DeclRange }
func (s *DeleteStep) StepRange() hcl.Range       { return s.DeclRange }
func (s *RegistryStep) StepRange() hcl.Range     { return s.DeclRange }
func (s *ScratchSpaceStep) StepRange() hcl.Range { return s.MB.Range }
func (s *UILanguageStep) StepRange() hcl.Range   { return s.Tag.Range }

// Winpeshl is the image's Winpeshl.ini (System32\Winpeshl.ini).
type Winpeshl struct {
	// Launch is the preset that produced Apps ("wds-setup", "shell") or
	// empty for an explicit list.
	Launch String `json:"launch,omitzero"`
	// LaunchApp is the [LaunchApp] AppPath (no arguments allowed); empty
	// when not set.
	LaunchApp String `json:"launch_app,omitzero"`
	// Apps are the [LaunchApps] lines in order.
	Apps      []App     `json:"apps"`
	DeclRange hcl.Range `json:"-"`
}

// App is one [LaunchApps] entry. Line is the exact text of the ini line
// (without CRLF): Path, or "Path, Args". Load checks len(Line) <= 250.
type App struct {
	Path      String    `json:"path"`
	Args      String    `json:"args,omitzero"`
	Line      string    `json:"line"`
	DeclRange hcl.Range `json:"-"`
}

// WDS client lines that capture and discover images launch.
const (
	CaptureAppPath  = `%SYSTEMROOT%\system32\wdscapture.exe`
	DiscoverAppPath = `%SYSTEMDRIVE%\sources\setup.exe`
	// MaxWinpeshlLine is the documented limit of a Winpeshl.ini line.
	MaxWinpeshlLine = 250
)

// Capture makes the image a WDS capture image: Winpeshl.ini launches
// wdscapture.exe, and WDSCapture.inf holds these settings.
type Capture struct {
	// Unattended writes [Capture] Unattended=Yes (needs Volume, ImageName,
	// Destination).
	Unattended Bool   `json:"unattended"`
	Volume     String `json:"volume,omitzero"` // e.g. `C:\`
	// ImageName / ImageDescription name the captured image.
	ImageName        String `json:"image_name,omitzero"`
	ImageDescription String `json:"image_description,omitzero"`
	// Destination is the local .wim path on the client.
	Destination String    `json:"destination,omitzero"`
	Overwrite   Bool      `json:"overwrite"`
	Exclusions  []String  `json:"exclusions"`
	Upload      *Upload   `json:"upload,omitempty"`
	DeclRange   hcl.Range `json:"-"`
}

// Upload uploads the captured image to a WDS server.
type Upload struct {
	Server     String `json:"server"`
	ImageGroup String `json:"image_group,omitzero"`
	Username   String `json:"username,omitzero"`
	Domain     String `json:"domain,omitzero"`
	// DeleteLocal deletes the local .wim after a successful upload.
	DeleteLocal Bool      `json:"delete_local"`
	DeclRange   hcl.Range `json:"-"`
}

// Discover makes the image a WDS discover image: Winpeshl.ini launches
// Setup in WDS discover mode, with a fixed server when Server is set.
type Discover struct {
	Server    String    `json:"server,omitzero"` // "" = dynamic discovery
	DeclRange hcl.Range `json:"-"`
}

// Line returns the [LaunchApps] line for the discover image.
func (d *Discover) Line() string {
	args := "/wds /wdsdiscover"
	if d.Server.Value != "" {
		args += " /wdsserver:" + d.Server.Value
	}
	return DiscoverAppPath + `, "` + args + `"`
}

// PXE is a `pxe "NAME"` block: a network boot tree serving Images.
type PXE struct {
	Name string `json:"name"`
	// Layout is "wds" (RemoteInstall\Boot\<arch> tree) or "ipxe"
	// (wimboot + boot.ipxe).
	Layout     String    `json:"layout"`
	Images     []Ref     `json:"images"`
	BCD        BCD       `json:"bcd"`
	DependsOn  []Ref     `json:"-"`
	DeclRange  hcl.Range `json:"-"`
	LabelRange hcl.Range `json:"-"`
}

// Ref returns the reference naming this PXE bundle.
func (p *PXE) Ref() Ref { return Ref{Kind: RefPXE, Name: p.Name, Range: p.LabelRange} }

// BCD holds the boot menu settings of a PXE bundle or medium.
type BCD struct {
	Timeout Int `json:"timeout"` // seconds; default 30
	// Default is the default menu entry; zero = the first image.
	Default Ref `json:"default,omitzero"`
	// TFTPBlockSize is ramdisktftpblocksize (0 = not set).
	TFTPBlockSize Int `json:"tftp_block_size,omitzero"`
	// TFTPWindowSize is ramdisktftpwindowsize (0 = not set).
	TFTPWindowSize Int       `json:"tftp_window_size,omitzero"`
	DeclRange      hcl.Range `json:"-"`
}

// Media is a `media "NAME"` block: bootable media for one image.
type Media struct {
	Name   string `json:"name"`
	Image  Ref    `json:"image"`
	Format String `json:"format"` // "iso" or "usb"
	// Label is the volume label (default "WINPE").
	Label Label `json:"label"`
	// Firmware lists the boot firmware the medium supports: "bios",
	// "uefi" (default both).
	Firmware   []String  `json:"firmware"`
	BCD        BCD       `json:"bcd"`
	DependsOn  []Ref     `json:"-"`
	DeclRange  hcl.Range `json:"-"`
	LabelRange hcl.Range `json:"-"`
}

// Label is a volume label.
type Label = String

// Ref returns the reference naming this medium.
func (m *Media) Ref() Ref { return Ref{Kind: RefMedia, Name: m.Name, Range: m.LabelRange} }

// Output is the `output` block.
type Output struct {
	// Dir is the output directory (default "out" under Root).
	Dir Path `json:"-"`
	// Compression of written WIMs: "none", "xpress" or "lzx" (default).
	Compression String    `json:"compression"`
	DeclRange   hcl.Range `json:"-"`
}
