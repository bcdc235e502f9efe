//go:build !windows

package hostfs

// hostNameProblem reports names the host cannot hold beyond the portable
// checks. POSIX file systems accept every other byte sequence.
func hostNameProblem(string) string { return "" }
