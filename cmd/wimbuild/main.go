// Command wimbuild builds Windows PE boot media from declarative HCL recipes.
//
// The command is thin: each subcommand parses flags, calls one library entry
// point, renders progress and diagnostics, and maps errors to exit codes.
// Subcommands live in their own files and register themselves with
// registerCommand from an init function, so the command tree is assembled
// without one file listing every command.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/urfave/cli/v2"
)

// version is the product version; release builds override it with
// -ldflags "-X main.version=…".
var version = "0.1.0-dev"

var commands []*cli.Command

var helpOnce sync.Once

// registerCommand adds a top-level subcommand. Call it from init. Every
// command in its tree reports usage mistakes the same way (see
// handleUsage).
func registerCommand(c *cli.Command) {
	handleUsage(c)
	commands = append(commands, c)
}

// handleUsage makes c and its subcommands answer usage mistakes with exit
// code 2 and one line pointing at --help: unparsable flags (urfave/cli
// would print the whole help and return exit code 1) and, for commands that
// group subcommands, an unknown subcommand (urfave/cli would answer "No help
// topic" with exit code 3).
func handleUsage(c *cli.Command) {
	c.OnUsageError = onUsageError
	if len(c.Subcommands) > 0 && c.Action == nil {
		c.Action = unknownCommand
	}
	if act := c.Action; act != nil {
		c.Action = func(cc *cli.Context) error { return withHelpPointer(cc, act(cc)) }
	}
	for _, s := range c.Subcommands {
		handleUsage(s)
	}
}

// exitError carries an explicit process exit code.
type exitError struct {
	code  int
	err   error
	quiet bool // already reported (as a JSON event): run prints nothing
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

// interruptible returns a context that Ctrl-C or SIGTERM cancels, for a
// command that writes a file through a temporary one: it stops, removes the
// temporary file and exits 130 instead of dying with the file left behind.
// After stop, Ctrl-C ends the process as usual again.
func interruptible(c *cli.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
}

// writeError is the error of a failed write of path: the interrupt exit
// when ctx was canceled, else err naming path.
func writeError(ctx context.Context, path string, err error) error {
	if ctx.Err() != nil {
		return &exitError{code: exitInterrupted, err: fmt.Errorf("interrupted; nothing was written to %s", path)}
	}
	return fmt.Errorf("writing %s: %w", path, err)
}

// usageErrorf reports a command-line usage mistake (exit code 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func newApp() *cli.App {
	sorted := append([]*cli.Command(nil), commands...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	// Commands without subcommands get no "help"/"h" subcommand: their
	// arguments are files (a hive named h was read as a help topic).
	var leaves func([]*cli.Command)
	leaves = func(cs []*cli.Command) {
		for _, c := range cs {
			if len(c.Subcommands) == 0 {
				c.HideHelpCommand = true
			}
			leaves(c.Subcommands)
		}
	}
	leaves(sorted)
	app := &cli.App{
		Name:    "wimbuild",
		Usage:   "build Windows PE boot media (boot, capture and discover images, PXE bundles, ISOs) from HCL recipes",
		Version: version,
		Description: "wimbuild is an offline, reproducible, Dockerfile-like build tool for Windows PE boot media.\n" +
			"It reads and writes WIM images, registry hives and BCD stores itself: no DISM, no mounting, no admin rights.\n\n" +
			"Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted.",
		Commands:             sorted,
		EnableBashCompletion: true,
		OnUsageError:         onUsageError,
		Action:               unknownCommand,
		// Errors are printed and mapped to exit codes by run, never by
		// urfave/cli (which would call os.Exit for its own exit errors).
		ExitErrHandler: func(*cli.Context, error) {},
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
	// urfave/cli's help command is one value shared by every app and
	// command, added by Setup: its flag mistakes are usage errors too.
	helpOnce.Do(func() {
		a := &cli.App{Name: "wimbuild"}
		a.Setup()
		if h := a.Command("help"); h != nil {
			h.OnUsageError = onUsageError
		}
	})
	return app
}

func main() {
	os.Exit(run(os.Args))
}

func run(args []string) int {
	err := newApp().Run(args)
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	if ee := (*exitError)(nil); !errors.As(err, &ee) || !ee.quiet {
		fmt.Fprintf(os.Stderr, "wimbuild: %v\n", err)
	}
	return exitCode(err)
}

func exitCode(err error) int {
	if errors.Is(err, errHelpShown) {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce cli.ExitCoder
	if errors.As(err, &ce) {
		// urfave/cli's own exit error is "No help topic for 'X'" (code 3)
		// from `wimbuild help X`: a usage mistake.
		if ce.ExitCode() == 3 {
			return exitUsage
		}
		return ce.ExitCode()
	}
	return exitFailure
}

// commandPath is the command being run without the program name, e.g.
// "cache prune" ("" for wimbuild itself).
func commandPath(c *cli.Context) string {
	var names []string
	for _, cc := range c.Lineage() {
		if cc.Command != nil && cc.Command.Name != "" {
			names = append(names, cc.Command.Name)
		}
	}
	// The root context's command is named after the program.
	if len(names) > 0 {
		names = names[:len(names)-1]
	}
	slices.Reverse(names)
	return strings.Join(names, " ")
}

// commandUsageErrorf is a usage error of the command being run: one line
// naming the command, ending with a pointer to its --help.
func commandUsageErrorf(c *cli.Context, format string, args ...any) error {
	path := commandPath(c)
	prefix, help := "", "wimbuild --help"
	if path != "" {
		prefix, help = path+": ", "wimbuild "+path+" --help"
	}
	return usageErrorf("%s%s (see '%s')", prefix, fmt.Sprintf(format, args...), help)
}

// errHelpShown is returned after a command printed its help on request
// (wim info X.wim --help): exit code 0, nothing more to print.
var errHelpShown = errors.New("help shown")

// withHelpPointer ends a usage error of the command being run that does
// not show the usage already with a pointer to the command's --help.
func withHelpPointer(c *cli.Context, err error) error {
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage {
		return err
	}
	if msg := ee.err.Error(); strings.Contains(msg, "--help") || strings.Contains(msg, "\nusage:") {
		return err
	}
	help := "wimbuild --help"
	if path := commandPath(c); path != "" {
		help = "wimbuild " + path + " --help"
	}
	ee.err = fmt.Errorf("%w (see '%s')", ee.err, help)
	return err
}

// unknownCommand is the action of wimbuild and of every command that only
// groups subcommands: without arguments it shows the help, otherwise the
// first argument is not a command.
func unknownCommand(c *cli.Context) error {
	if !c.Args().Present() {
		if commandPath(c) == "" {
			return cli.ShowAppHelp(c)
		}
		return cli.ShowSubcommandHelp(c)
	}
	name := c.Args().First()
	if sub, ok := strings.CutPrefix(name, "/"); ok && c.Command != nil && c.Command.Command(strings.ToLower(sub)) != nil {
		return commandUsageErrorf(c, "unknown command %q; commands are written without the slash of bcdedit: %s", name, strings.ToLower(sub))
	}
	return commandUsageErrorf(c, "unknown command %q", name)
}

// flagValueRE matches the flag package's "invalid value" errors.
var flagValueRE = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-(\S+): (.*)$`)

// onUsageError rewords the flag parser's errors (which name flags with
// one dash and say "parse error") into one line: the flag as users write
// it, what it wants, and a pointer to --help.
func onUsageError(c *cli.Context, err error, _ bool) error {
	resetMultiValues(c)
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return commandUsageErrorf(c, "unknown flag %s", dashed(name))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return commandUsageErrorf(c, "flag %s needs a value", dashed(name))
	}
	if m := flagValueRE.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if why == "parse error" || why == "value out of range" {
			why = flagWants(c, m[2], why)
		}
		return commandUsageErrorf(c, "invalid value %s for %s: %s", m[1], dashed(m[2]), why)
	}
	return commandUsageErrorf(c, "%s", msg)
}

// dashed writes a flag name as it is given on the command line.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagWants says what kind of value the flag name of c takes.
func flagWants(c *cli.Context, name, why string) string {
	if c.Command == nil {
		return why
	}
	switch findFlag(c.Command.Flags, name).(type) {
	case *cli.IntFlag, *cli.Int64Flag:
		return "want a whole number"
	case *cli.UintFlag, *cli.Uint64Flag:
		return "want a whole number, 0 or more"
	case *cli.Float64Flag:
		return "want a number"
	case *cli.BoolFlag:
		return "want true or false"
	case *cli.DurationFlag:
		return "want a duration such as 90m, 36h or 1h30m (units s, m, h)"
	}
	return why
}
