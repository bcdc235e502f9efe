package wim

import (
	"strings"
	"testing"
)

func TestWindowsNameProblem(t *testing.T) {
	for _, n := range []string{"a:b", "x?", "tab\there", "trail.", "sp ", "NUL", "nul.txt", "COM1", "lpt0.log", "CONIN$", `a\b`, strings.Repeat("a", 256), strings.Repeat("ü", 256)} {
		if WindowsNameProblem(n) == "" {
			t.Errorf("%q accepted", n)
		}
	}
	for _, n := range []string{"CONFIG.SYS", "COM10", "LPT10.log", ".hidden", "a b.txt", "ü.txt", "con_fig", strings.Repeat("a", 255), strings.Repeat("ü", 255)} {
		if why := WindowsNameProblem(n); why != "" {
			t.Errorf("%q refused: %s", n, why)
		}
	}
}
