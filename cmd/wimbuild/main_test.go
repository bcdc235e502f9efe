package main

import (
	"strings"
	"testing"
)

func TestHelpAndUsageExitCodes(t *testing.T) {
	if code := run([]string{"wimbuild", "--help"}); code != 0 {
		t.Fatalf("--help exit code = %d, want 0", code)
	}
	if code := run([]string{"wimbuild", "--no-such-flag"}); code != exitUsage {
		t.Fatalf("unknown flag exit code = %d, want %d", code, exitUsage)
	}
}

func TestCommandsAreSortedAndDocumented(t *testing.T) {
	app := newApp()
	for i, c := range app.Commands {
		if strings.TrimSpace(c.Usage) == "" {
			t.Errorf("command %q has no Usage text", c.Name)
		}
		if i > 0 && app.Commands[i-1].Name > c.Name {
			t.Errorf("commands not sorted: %q before %q", app.Commands[i-1].Name, c.Name)
		}
	}
}
