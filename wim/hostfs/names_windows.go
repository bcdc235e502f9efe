//go:build windows

package hostfs

import "strings"

// hostNameProblem reports names Windows cannot create: reserved characters,
// control characters, trailing dots or spaces, and device names.
func hostNameProblem(name string) string {
	for _, r := range name {
		if r < 0x20 || strings.ContainsRune(`<>"|?*`, r) {
			return "contains a character Windows does not allow in file names"
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return "ends with a dot or space (Windows strips them)"
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
