//go:build windows

package hostfs

import "github.com/wimbuild/wimbuild/wim"

// hostNameProblem reports names Windows cannot create: reserved characters,
// control characters, trailing dots or spaces, and device names.
func hostNameProblem(name string) string { return wim.WindowsNameProblem(name) }
