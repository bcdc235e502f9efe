package wim

import "testing"

func TestWindowsNameProblem(t *testing.T) {
	for _, n := range []string{"a:b", "x?", "tab\there", "trail.", "sp ", "NUL", "nul.txt", "COM1", "lpt0.log", "CONIN$", `a\b`} {
		if WindowsNameProblem(n) == "" {
			t.Errorf("%q accepted", n)
		}
	}
	for _, n := range []string{"CONFIG.SYS", "COM10", "LPT10.log", ".hidden", "a b.txt", "ü.txt", "con_fig"} {
		if why := WindowsNameProblem(n); why != "" {
			t.Errorf("%q refused: %s", n, why)
		}
	}
}
