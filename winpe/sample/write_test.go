package sample

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
	"github.com/wimbuild/wimbuild/wim"
)

func TestWrittenBaseIsAValidBootWIM(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "boot.wim")
	if err := WriteFile(p, Options{FillerBytes: 1 << 20}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, "wimlib-imagex", "verify", p)
	info := testutil.Run(t, "wimlib-imagex", "info", p)
	for _, want := range []string{"Image Count:    2", "Boot Index:     2", "Microsoft Windows Setup (amd64)", "Microsoft Windows PE (amd64)"} {
		if !strings.Contains(info, want) {
			t.Errorf("wimlib-imagex info lacks %q:\n%s", want, info)
		}
	}
	list := testutil.Run(t, "wimlib-imagex", "dir", p, "2")
	if !strings.Contains(list, "/sources/setup.exe") || !strings.Contains(list, "/Windows/System32/config/SYSTEM") {
		t.Errorf("image 2 listing lacks setup.exe or SYSTEM")
	}
	// The SYSTEM hive, extracted by wimlib, reads in hivex.
	out := filepath.Join(dir, "x")
	testutil.Run(t, "wimlib-imagex", "extract", p, "2", "/Windows/System32/config/SYSTEM", "--dest-dir="+out)
	hivexget := testutil.RequireTool(t, "hivexget")
	v, err := exec.Command(hivexget, filepath.Join(out, "SYSTEM"), `ControlSet001\Services\FBWF`, "WinPECacheThreshold").CombinedOutput()
	if err != nil || strings.TrimSpace(string(v)) != "32" {
		t.Fatalf("hivexget: %q %v", v, err)
	}
	// Same options, same bytes.
	p2 := filepath.Join(dir, "boot2.wim")
	if err := WriteFile(p2, Options{FillerBytes: 1 << 20}, wim.WriteOptions{Compression: wim.XPRESS}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(p)
	b, _ := os.ReadFile(p2)
	if !bytes.Equal(a, b) {
		t.Fatal("two writes of the same sample base differ")
	}
}
