package winpe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Scratch space sizes DISM /Set-ScratchSpace accepts, in MB.
var ScratchSpaceSizes = []int{32, 64, 128, 256, 512}

// Where the scratch space lives in the SYSTEM hive (REG_DWORD, MB).
const (
	ScratchSpaceKey   = `ControlSet001\Services\FBWF`
	ScratchSpaceValue = "WinPECacheThreshold"
)

// ErrBadScratchSpace reports a size DISM would refuse.
var ErrBadScratchSpace = errors.New("winpe: scratch space must be 32, 64, 128, 256 or 512 MB")

// ValidateScratchSpace checks a scratch space size in MB.
func ValidateScratchSpace(mb int) error {
	for _, s := range ScratchSpaceSizes {
		if mb == s {
			return nil
		}
	}
	return fmt.Errorf("%w (got %d)", ErrBadScratchSpace, mb)
}

// Version is a Windows version as the WIM XML WINDOWS/VERSION element holds it.
type Version struct {
	Major, Minor, Build, SPBuild int
}

// ParseVersion parses "10.0.22621" or "10.0.22621.1".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 3 || len(parts) > 4 {
		return Version{}, fmt.Errorf("winpe: version %q: want MAJOR.MINOR.BUILD[.SPBUILD]", s)
	}
	var n [4]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 1<<30 {
			return Version{}, fmt.Errorf("winpe: version %q: bad number %q", s, p)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2], n[3]}, nil
}

func (v Version) String() string {
	if v.SPBuild != 0 {
		return fmt.Sprintf("%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.SPBuild)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Build)
}

// Compare returns -1, 0 or 1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	a := [4]int{v.Major, v.Minor, v.Build, v.SPBuild}
	b := [4]int{w.Major, w.Minor, w.Build, w.SPBuild}
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// Windows11Build is the first build of Windows 11 (and of the WinPE that
// ships with it). Boot images of this build or later block Windows Setup
// in WDS mode.
const Windows11Build = 22000

// BlocksWDSSetup reports whether Setup refuses WDS mode in a boot image of
// version v ("Starting with Windows 11, … running Windows Setup in WDS mode
// will no longer be supported"). Capture images and plain PXE boot are
// unaffected.
func BlocksWDSSetup(v Version) bool {
	return v.Major > 10 || v.Major == 10 && v.Build >= Windows11Build
}

// ErrVersionTooOld reports a WinPE older than the install image it deploys.
var ErrVersionTooOld = errors.New("winpe: WinPE version is older than the install image")

// CheckSeedVersion enforces the rule that the boot image's WinPE must be the
// same as or newer than the Windows version it installs or captures.
func CheckSeedVersion(winpe, install Version) error {
	if winpe.Compare(install) < 0 {
		return fmt.Errorf("%w: WinPE %s < install image %s; use a boot image from the same or a newer Windows release", ErrVersionTooOld, winpe, install)
	}
	return nil
}

// Arch is a processor architecture of a boot image.
type Arch string

const (
	ArchX86   Arch = "x86"
	ArchAMD64 Arch = "amd64"
	ArchARM64 Arch = "arm64"
)

// ParseArch accepts the recipe names and common aliases (x64, i386, aarch64).
func ParseArch(s string) (Arch, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "x86", "i386", "i686":
		return ArchX86, nil
	case "amd64", "x64", "x86_64":
		return ArchAMD64, nil
	case "arm64", "aarch64":
		return ArchARM64, nil
	}
	return "", fmt.Errorf("winpe: unknown architecture %q (want amd64, x86 or arm64)", s)
}

// WIMArch is the PROCESSOR_ARCHITECTURE_* value of the WIM XML WINDOWS/ARCH element.
func (a Arch) WIMArch() int {
	switch a {
	case ArchX86:
		return 0
	case ArchAMD64:
		return 9
	case ArchARM64:
		return 12
	}
	return -1
}

// ArchFromWIM maps a WINDOWS/ARCH value back to an Arch.
func ArchFromWIM(n int) (Arch, error) {
	switch n {
	case 0:
		return ArchX86, nil
	case 9:
		return ArchAMD64, nil
	case 12:
		return ArchARM64, nil
	}
	return "", fmt.Errorf("winpe: unsupported WIM architecture %d", n)
}

// PXEDir is the RemoteInstall\Boot\<dir> name WDS uses for the architecture.
func (a Arch) PXEDir() string {
	switch a {
	case ArchAMD64:
		return "x64"
	case ArchARM64:
		return "arm64"
	}
	return "x86"
}

// EFIBootFile is the removable-media UEFI loader name (\EFI\Boot\<name>).
func (a Arch) EFIBootFile() string {
	switch a {
	case ArchAMD64:
		return "bootx64.efi"
	case ArchARM64:
		return "bootaa64.efi"
	}
	return "bootia32.efi"
}

// DefaultStartnet is the startnet.cmd WinPE ships with.
const DefaultStartnet = "wpeinit\r\n"
