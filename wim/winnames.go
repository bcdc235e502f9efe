package wim

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// WindowsNameProblem says why Windows cannot use name as a file name ("" when
// it can): reserved characters (':' would name an alternate stream),
// control characters, a trailing dot or space (Windows strips them, so the
// file could not be opened by its name), more than 255 UTF-16 units (NTFS's
// limit), or a device name (CON, NUL, COM1, …, with or without an
// extension). A WIM can hold such names; an image
// meant for Windows should not. ValidateName is the WIM's own rule.
func WindowsNameProblem(name string) string {
	for _, r := range name {
		if r < 0x20 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return "contains a character Windows does not allow in file names"
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return "ends with a dot or space (Windows strips them)"
	}
	if n := len(utf16.Encode([]rune(name))); n > 255 {
		return fmt.Sprintf("is %d characters long (NTFS names hold at most 255)", n)
	}
	base := strings.ToUpper(name)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.TrimRight(base, " ")
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return "is a reserved Windows device name"
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '0' && base[3] <= '9' {
		return "is a reserved Windows device name"
	}
	return ""
}
