// Package testutil holds helpers shared by tests: locating the independent
// oracle tools (wimlib-imagex, 7zz, hivex, reged, …) and the shared fixtures.
// Tests never skip silently when an oracle is missing: they fail with the
// command that installs it.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// aptPackage maps an oracle command to the Debian package that provides it.
var aptPackage = map[string]string{
	"wimlib-imagex": "wimtools",
	"7zz":           "7zip",
	"hivexsh":       "libhivex-bin",
	"hivexget":      "libhivex-bin",
	"hivexml":       "libhivex-bin",
	"hivexregedit":  "libwin-hivex-perl",
	"reged":         "chntpw",
	"cabextract":    "cabextract",
	"gcab":          "gcab",
	"xorriso":       "xorriso",
}

// RequireTool returns the absolute path of an oracle command, or fails the
// test with the command that installs it.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		pkg := aptPackage[name]
		if pkg == "" {
			pkg = name
		}
		t.Fatalf("oracle tool %q not found in PATH; install it with: apt-get install -y %s (or run ./scripts/test.sh, which installs every test tool)", name, pkg)
	}
	return p
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate testutil source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns ../shared beside the repository (design docs, research
// and fixtures made by other tools). CI always has it; a test that needs it
// fails when it is missing.
func SharedDir(t testing.TB) string {
	t.Helper()
	d := filepath.Join(RepoRoot(t), "..", "shared")
	if env := os.Getenv("WIMBUILD_SHARED"); env != "" {
		d = env
	}
	if _, err := os.Stat(filepath.Join(d, "fixtures")); err != nil {
		t.Fatalf("shared fixtures not found at %s (clone the project with ../shared beside it, or set WIMBUILD_SHARED): %v", d, err)
	}
	return d
}

// Fixture returns the path of a file under ../shared/fixtures.
func Fixture(t testing.TB, rel ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t), "fixtures"}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("fixture %s: %v", p, err)
	}
	return p
}

// Run runs an oracle command and fails the test with its output on error.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	path := RequireTool(t, name)
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
