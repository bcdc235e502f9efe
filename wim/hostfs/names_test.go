package hostfs

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`, "C:x", "x:stream", "nul\x00byte", "bad\uFFFDsurrogate", strings.Repeat("n", MaxNameBytes+1)} {
		err := CheckName("/dir", bad)
		var ue *UnsafeNameError
		if !errors.As(err, &ue) || !errors.Is(err, ErrUnsafeName) {
			t.Errorf("CheckName(%q) = %v, want *UnsafeNameError", bad, err)
			continue
		}
		if ue.Name != bad || ue.Path != "/dir" {
			t.Errorf("CheckName(%q) error fields = %+v", bad, ue)
		}
	}
	for _, good := range []string{"a", "...", "..a", "Ünïcödé-日本語-😀.txt", "with space", strings.Repeat("n", 255)} {
		if err := CheckName("/", good); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", good, err)
		}
	}
}
