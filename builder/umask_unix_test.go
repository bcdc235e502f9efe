//go:build unix

package builder

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/wimbuild/wimbuild/builder/cache"
)

// TestCopiedOutputModeIgnoresUmask: an output published by copy (cache on
// another volume) has the mode of a linked one (a cache blob's, 0444)
// whatever the umask (it was 0400 under umask 077).
func TestCopiedOutputModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	linkFile = func(string, string) error { return errors.New("cross-device link") }
	defer func() { linkFile = os.Link }()
	dir := e2eDir(t)
	c, _ := cache.Open(t.TempDir())
	build(t, dir, c, nil)
	fi, err := os.Stat(filepath.Join(dir, "out", "boot.wim"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o444 {
		t.Errorf("copied output mode %v, want -r--r--r--", fi.Mode().Perm())
	}
}
