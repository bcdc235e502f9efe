// Command wimbuild builds Windows PE boot media from declarative HCL recipes.
//
// The command is thin: each subcommand parses flags, calls one library entry
// point, renders progress and diagnostics, and maps errors to exit codes.
// Subcommands live in their own files and register themselves with
// registerCommand from an init function, so the command tree is assembled
// without one file listing every command.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"

	"github.com/urfave/cli/v2"
)

// version is the product version; release builds override it with
// -ldflags "-X main.version=…".
var version = "0.1.0-dev"

var commands []*cli.Command

// registerCommand adds a top-level subcommand. Call it from init.
func registerCommand(c *cli.Command) { commands = append(commands, c) }

// exitError carries an explicit process exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Exit codes. 0 success; 1 the operation failed (bad input, failed build,
// failed check); 2 usage error; 130 interrupted.
const (
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// usageErrorf reports a command-line usage mistake (exit code 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func newApp() *cli.App {
	sorted := append([]*cli.Command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	return &cli.App{
		Name:    "wimbuild",
		Usage:   "build Windows PE boot media (boot, capture and discover images, PXE bundles, ISOs) from HCL recipes",
		Version: version,
		Description: "wimbuild is an offline, reproducible, Dockerfile-like build tool for Windows PE boot media.\n" +
			"It reads and writes WIM images, registry hives and BCD stores itself: no DISM, no mounting, no admin rights.\n\n" +
			"Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.",
		Commands:             sorted,
		EnableBashCompletion: true,
		OnUsageError: func(c *cli.Context, err error, isSub bool) error {
			return usageErrorf("%v", err)
		},
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a CPU profile to `FILE` (for go tool pprof)"},
		},
		Before: func(c *cli.Context) error {
			if p := c.String("cpuprofile"); p != "" {
				f, err := os.Create(p)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
			}
			return nil
		},
		After: func(c *cli.Context) error {
			if c.String("cpuprofile") != "" {
				pprof.StopCPUProfile()
			}
			return nil
		},
	}
}

func main() {
	os.Exit(run(os.Args))
}

func run(args []string) int {
	err := newApp().Run(args)
	if err == nil {
		return 0
	}
	fmt.Fprintf(os.Stderr, "wimbuild: %v\n", err)
	return exitCode(err)
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce cli.ExitCoder
	if errors.As(err, &ce) {
		return ce.ExitCode()
	}
	return exitFailure
}
