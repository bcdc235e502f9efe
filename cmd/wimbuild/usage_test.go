package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrorsExitTwo: unknown commands, unknown flags, unparsable flag
// values and a malformed --var are usage errors (exit 2) answered with one
// line that points at --help, never with the whole help text.
func TestUsageErrorsExitTwo(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuchcmd"}, `unknown command "nosuchcmd" (see 'wimbuild --help')`},
		{[]string{"wim", "nosuch"}, `wim: unknown command "nosuch" (see 'wimbuild wim --help')`},
		{[]string{"cache", "nosuch"}, `cache: unknown command "nosuch"`},
		{[]string{"help", "nosuchcmd"}, "nosuchcmd"},
		{[]string{"help", "--zz"}, "help: unknown flag --zz (see 'wimbuild help --help')"},
		{[]string{"wim", "help", "--zz"}, "wim help: unknown flag --zz"},
		{[]string{"--nosuchflag"}, "unknown flag --nosuchflag (see 'wimbuild --help')"},
		{[]string{"build", "--nosuchflag"}, "build: unknown flag --nosuchflag (see 'wimbuild build --help')"},
		{[]string{"build", "--jobs", "abc"}, `build: invalid value "abc" for --jobs: want a whole number`},
		{[]string{"build", "-j"}, "build: flag -j needs a value"},
		{[]string{"build", "--no-cache=maybe"}, "want true or false"},
		{[]string{"cache", "prune", "--older-than", "3d"}, `cache prune: invalid value "3d" for --older-than: want a duration such as 90m`},
		{[]string{"sample-base", "--time", "yesterday", "x.wim"}, `--time: want Unix seconds or an RFC 3339 time`},
		{[]string{"build", "--progress", "fancy"}, "--progress must be auto, tty, plain or json, not \"fancy\" (see 'wimbuild build --help')"},
		{[]string{"wim", "info", "--nosuch", "x.wim"}, "wim info: unknown flag --nosuch"},
		{[]string{"validate", "--var", "arch", "../../examples/quickstart"}, `validate: invalid value "arch" for --var: want NAME=VALUE`},
		{[]string{"build", "--var", "=x86"}, `want NAME=VALUE`},
	} {
		code, out, errs := runCapture(t, tc.args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d\n%s%s", tc.args, code, exitUsage, out, errs)
			continue
		}
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%q: error %q lacks %q", tc.args, errs, tc.want)
		}
		if strings.Contains(out+errs, "USAGE:") || strings.Contains(out+errs, "Incorrect Usage") {
			t.Errorf("%q: the whole help was printed:\n%s%s", tc.args, out, errs)
		}
		if lines := strings.Count(strings.TrimSpace(errs), "\n") + 1; lines != 1 || !strings.Contains(errs, "--help") && tc.args[0] != "help" {
			t.Errorf("%q: want one line pointing at --help, got %q", tc.args, errs)
		}
	}
	// A malformed --var does not leave values behind for the next run.
	if code, _, errs := runCapture(t, "validate", "--var", "arch=x64", "--var", "oops", "../../examples/quickstart"); code != exitUsage {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if code, out, errs := runCapture(t, "validate", "../../examples/quickstart"); code != 0 {
		t.Fatalf("--var leaked into the next run: exit %d\n%s%s", code, out, errs)
	}
	// Groups and wimbuild itself still show their help without arguments.
	for _, args := range [][]string{nil, {"wim"}, {"cache"}, {"reg"}, {"bcd"}} {
		if code, out, errs := runCapture(t, args...); code != 0 || !strings.Contains(out, "USAGE:") {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, errs)
		}
	}
}

// TestRunExitCodes: run (what main calls) maps errors to the documented
// exit codes.
func TestRunExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, 0},
		{[]string{"nosuchcmd"}, exitUsage},
		{[]string{"wim", "nosuch"}, exitUsage},
		{[]string{"build", "--nosuchflag"}, exitUsage},
		{[]string{"validate", "--var", "arch"}, exitUsage},
		{[]string{"wim", "info", "x.wim", "--help"}, 0},
	} {
		if code := run(append([]string{"wimbuild"}, tc.args...)); code != tc.code {
			t.Errorf("%q: exit %d, want %d", tc.args, code, tc.code)
		}
	}
}

// TestFlagsAfterRecipePathHint: flags given after the recipe path are a
// usage error whose suggestion is the same command line with the flags
// (and their values) moved before the path.
func TestFlagsAfterRecipePathHint(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "rb", "--cache-dir", "cache"}, "wimbuild build --cache-dir cache rb"},
		{[]string{"build", "rb", "--var", "msg=x"}, "wimbuild build --var msg=x rb"},
		{[]string{"build", "--strict", "rb", "--var", "msg=hello world", "--no-cache", "-j", "3"}, "wimbuild build --strict --var 'msg=hello world' --no-cache -j 3 rb"},
		{[]string{"plan", "rb", "--format=dot"}, "wimbuild plan --format=dot rb"},
		{[]string{"validate", "rb", "--json"}, "wimbuild validate --json rb"},
		{[]string{"build", "rb", "--cache-dir"}, "flag --cache-dir needs a value"},
		{[]string{"build", "rb", "--nosuch"}, "unknown flag --nosuch"},
		{[]string{"build", "rb", "other"}, "at most one recipe path"},
		{[]string{"inspect", "--var", "arch=x86", "rb", "--json"}, "wimbuild inspect --var arch=x86 --json rb"},
	} {
		code, _, errs := runCapture(t, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d %q, want %d and %q", tc.args, code, errs, exitUsage, tc.want)
		}
	}
	// The --var values of the failed run do not reach the next one.
	if code, out, errs := runCapture(t, "inspect", "../../examples/quickstart"); code != 0 || !strings.Contains(out, "arch amd64") {
		t.Errorf("flag values leaked: exit %d\n%s%s", code, out, errs)
	}
}

// TestFlagsAfterArgumentsUsageErrors: the wim, reg and bcd commands take
// flags after their arguments; mistakes there read like the others.
func TestFlagsAfterArgumentsUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"wim", "info", "x.wim", "--nosuch"}, "wim info: unknown flag --nosuch (see 'wimbuild wim info --help')"},
		{[]string{"wim", "info", "x.wim", "--boot"}, "wim info: flag --boot needs a value (see 'wimbuild wim info --help')"},
		{[]string{"wim", "info", "x.wim", "--boot", "abc"}, `wim info: invalid value "abc" for --boot: want a whole number`},
		{[]string{"reg", "get", "SYSTEM", "Select", "--hex=maybe"}, `reg get: invalid value "maybe" for --hex: want true or false`},
	} {
		code, _, errs := runCapture(t, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Contains(strings.TrimSpace(errs), "\n") {
			t.Errorf("%q: exit %d %q, want %d and %q on one line", tc.args, code, errs, exitUsage, tc.want)
		}
	}
}

// TestFileNamedH: a hive named "h" is a file, not the help command
// (`reg import h x.reg` said "No help topic for 'x.reg'").
func TestFileNamedH(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("x.reg", []byte("Windows Registry Editor Version 5.00\r\n\r\n[\\A]\r\n\"v\"=dword:00000007\r\n"), 0o644)
	if code, _, errs := runCapture(t, "reg", "import", "--create", "--prefix", "", "h", "x.reg"); code != 0 {
		t.Fatalf("reg import into h: exit %d: %s", code, errs)
	}
	if code, out, errs := runCapture(t, "reg", "get", "h", `A`, "v"); code != 0 || strings.TrimSpace(out) != "7" {
		t.Fatalf("reg get h: exit %d, %q %q", code, out, errs)
	}
}

// TestInitBesideARecipe: init refuses a directory that already holds a
// recipe file under another name (it added main.wb.hcl, and the directory
// then declared everything twice); a directory with only main.hcl is told
// the recipe suffix.
func TestInitBesideARecipe(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "boot.wb.hcl"), []byte("# mine\n"), 0o644)
	if code, _, errs := runCapture(t, "init", dir); code != exitFailure || !strings.Contains(errs, "already holds a recipe (boot.wb.hcl)") {
		t.Errorf("init beside boot.wb.hcl: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "main.wb.hcl")); err == nil {
		t.Error("init wrote main.wb.hcl beside boot.wb.hcl")
	}
	dir2 := t.TempDir()
	os.WriteFile(filepath.Join(dir2, "main.hcl"), []byte("# mine\n"), 0o644)
	if code, _, errs := runCapture(t, "validate", dir2); code != exitFailure || !strings.Contains(errs, "main.hcl is not read: recipe files are named *.wb.hcl") {
		t.Errorf("validate of a dir with main.hcl: exit %d, %q", code, errs)
	}
}
