package main

import (
	"strings"
	"testing"

	"github.com/wimbuild/wimbuild/builder/cache"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "500K": 500 << 10, "20M": 20 << 20, "10G": 10 << 30, "10GiB": 10 << 30, "1t": 1 << 40} {
		got, err := parseBytes(in)
		if err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-5", "10X"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}

func TestCacheCommands(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"wimbuild", "cache", "du", "--cache-dir", dir},
		{"wimbuild", "cache", "ls", "--cache-dir", dir, "--blobs"},
		{"wimbuild", "cache", "prune", "--cache-dir", dir, "--keep-bytes", "1M"},
		{"wimbuild", "cache", "prune", "--cache-dir", dir, "--all"},
	} {
		if code := run(args); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code := run([]string{"wimbuild", "cache", "prune", "--cache-dir", dir, "--keep-bytes", "lots"}); code != exitUsage {
		t.Errorf("bad --keep-bytes exit %d, want %d", code, exitUsage)
	}
}

// TestPruneKeepBytesZero: --keep-bytes 0 keeps nothing (it was read as "no
// limit" and removed nothing).
func TestPruneKeepBytesZero(t *testing.T) {
	dir := t.TempDir()
	cc, _ := cache.Open(dir)
	d, _ := cc.PutBytes([]byte("a step's output"))
	if err := cc.PutAction(cache.NewKey("k", 1).Sum(), cache.Action{Outputs: map[string]cache.Output{"o": {Digest: d, Size: 15}}}); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"wimbuild", "cache", "prune", "--cache-dir", dir, "--keep-bytes", "0"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n, _ := cc.Bytes(); n != 0 || cc.HasBlob(d) {
		t.Fatalf("--keep-bytes 0 left %d bytes", n)
	}
}

// TestCacheDirBeforeTheSubcommand: `cache --cache-dir X prune` acts on X,
// like `cache prune --cache-dir X` (it acted on the default cache: with
// --all, someone else's), and wins over WIMBUILD_CACHE_DIR.
func TestCacheDirBeforeTheSubcommand(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	t.Setenv("WIMBUILD_CACHE_DIR", other)
	t.Setenv("XDG_CACHE_HOME", other)
	for _, args := range [][]string{
		{"cache", "--cache-dir", dir, "du"},
		{"cache", "du", "--cache-dir", dir},
	} {
		code, out, errs := runCapture(t, args...)
		if code != 0 || !strings.HasPrefix(out, dir+"\t") {
			t.Errorf("%v: exit %d, %q %q; want the cache at %s", args, code, out, errs, dir)
		}
	}
	if code, out, _ := runCapture(t, "cache", "du"); code != 0 || !strings.HasPrefix(out, other+"\t") {
		t.Errorf("cache du without --cache-dir: %q, want WIMBUILD_CACHE_DIR %s", out, other)
	}
}
