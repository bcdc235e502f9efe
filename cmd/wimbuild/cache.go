package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/builder"
	"github.com/wimbuild/wimbuild/builder/cache"
)

func init() { registerCommand(cacheCommand()) }

// cacheDirFlag is the --cache-dir flag shared by build, plan and cache.
var cacheDirFlag = &cli.StringFlag{
	Name:    "cache-dir",
	Usage:   "build cache directory (default $XDG_CACHE_HOME/wimbuild)",
	EnvVars: []string{"WIMBUILD_CACHE_DIR"},
}

// cacheDirOf is --cache-dir as given anywhere on the command line
// (`wimbuild cache --cache-dir X du` and `wimbuild cache du --cache-dir X`
// both name X; the subcommand's own flag alone would miss the first), else
// WIMBUILD_CACHE_DIR, else "".
func cacheDirOf(c *cli.Context) string {
	env := os.Getenv("WIMBUILD_CACHE_DIR")
	for _, cc := range c.Lineage() {
		if cc.IsSet("cache-dir") {
			if v := cc.String("cache-dir"); v != env {
				return v
			}
		}
	}
	return env
}

// openCache opens the cache named by --cache-dir or the default one.
func openCache(c *cli.Context) (*cache.Cache, error) {
	dir := cacheDirOf(c)
	if dir == "" {
		d, err := cache.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return cache.Open(dir)
}

func cacheCommand() *cli.Command {
	return &cli.Command{
		Name:  "cache",
		Usage: "list, measure, verify and prune the local build cache",
		Description: "The build cache is content-addressed: step results are keyed by what the step does and\n" +
			"the content of its inputs, never by paths or times. It is safe to share between concurrent\n" +
			"builds and to prune at any time (a pruned step simply runs again).",
		Flags: []cli.Flag{cacheDirFlag},
		Subcommands: []*cli.Command{
			{
				Name:      "ls",
				Usage:     "list cache entries (step results first, newest first)",
				ArgsUsage: " ",
				Description: "Examples:\n" +
					"   wimbuild cache ls\n" +
					"   wimbuild cache ls --blobs --cache-dir /var/cache/wimbuild",
				Flags: []cli.Flag{cacheDirFlag, &cli.BoolFlag{Name: "blobs", Usage: "also list content blobs"}},
				Action: func(c *cli.Context) error {
					cc, err := openCache(c)
					if err != nil {
						return err
					}
					es, err := cc.List()
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "KIND\tKEY\tSIZE\tLAST USED\tSTEP")
					for _, e := range es {
						if e.Kind == "blob" && !c.Bool("blobs") {
							continue
						}
						step := e.Step
						if e.Label != "" {
							step += " (" + e.Label + ")"
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Kind, e.Digest.Short(), humanBytes(e.Size), e.Used.UTC().Format(time.RFC3339), step)
					}
					return tw.Flush()
				},
			},
			{
				Name:      "verify",
				Usage:     "re-hash every stored blob; damaged ones are removed (the steps that made them run again)",
				ArgsUsage: " ",
				Description: "Builds check what they can cheaply: sizes, and blobs whose file changed since they were\n" +
					"stored. verify reads everything, so it also finds damage that kept size and time (bit rot, an\n" +
					"output edited in place with its time restored). Exit code 1 when something was damaged.\n\n" +
					"Examples:\n" +
					"   wimbuild cache verify",
				Flags: []cli.Flag{cacheDirFlag},
				Action: func(c *cli.Context) error {
					cc, err := openCache(c)
					if err != nil {
						return err
					}
					es, err := cc.List()
					if err != nil {
						return err
					}
					var n, bad int
					var bytes int64
					for _, e := range es {
						if e.Kind != "blob" {
							continue
						}
						if err := c.Context.Err(); err != nil {
							return err
						}
						n++
						bytes += e.Size
						if err := cc.VerifyBlob(e.Digest); errors.Is(err, cache.ErrCorrupt) {
							bad++
							fmt.Fprintf(c.App.ErrWriter, "damaged, removed: blob %s (%s)\n", e.Digest, humanBytes(e.Size))
						} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
							return err
						}
					}
					fmt.Fprintf(c.App.Writer, "verified %d blobs (%s): %d damaged\n", n, humanBytes(bytes), bad)
					if bad > 0 {
						return &exitError{code: exitFailure, err: fmt.Errorf("%d damaged blobs removed; the steps that made them run again at the next build", bad)}
					}
					return nil
				},
			},
			{
				Name:      "du",
				Usage:     "show how much disk space the cache uses",
				ArgsUsage: " ",
				Description: "Examples:\n" +
					"   wimbuild cache du\n" +
					"   WIMBUILD_CACHE_DIR=/var/cache/wimbuild wimbuild cache du",
				Flags: []cli.Flag{cacheDirFlag},
				Action: func(c *cli.Context) error {
					cc, err := openCache(c)
					if err != nil {
						return err
					}
					u, err := cc.DiskUsage()
					if err != nil {
						return err
					}
					fmt.Fprintf(c.App.Writer, "%s\t%d step results, %d blobs, %s (%d bytes)\n", cc.Dir(), u.Actions, u.Blobs, humanBytes(u.Bytes), u.Bytes)
					return nil
				},
			},
			{
				Name:      "prune",
				Usage:     "remove cache entries (by default only unreferenced blobs and leftovers of killed builds)",
				ArgsUsage: " ",
				Description: "Examples:\n" +
					"   wimbuild cache prune --keep-bytes 10G      keep the most recently used 10 GiB\n" +
					"   wimbuild cache prune --older-than 168h     drop what no build used for a week\n" +
					"   wimbuild cache prune --all                 empty the cache",
				Flags: []cli.Flag{
					cacheDirFlag,
					&cli.StringFlag{Name: "keep-bytes", Usage: "remove least recently used entries until at most this much is left (e.g. 500M, 10G)"},
					&cli.DurationFlag{Name: "older-than", Usage: "remove entries not used for this long (e.g. 72h)"},
					&cli.BoolFlag{Name: "all", Usage: "remove everything"},
				},
				Action: func(c *cli.Context) error {
					cc, err := openCache(c)
					if err != nil {
						return err
					}
					o := cache.PruneOptions{OlderThan: c.Duration("older-than"), Refs: builder.CacheRefs(cc)}
					if s := c.String("keep-bytes"); s != "" {
						n, err := parseBytes(s)
						if err != nil {
							return usageErrorf("--keep-bytes: %v", err)
						}
						o.KeepBytes = n
						if n == 0 {
							o.KeepBytes = -1 // keep nothing
						}
					}
					if c.Bool("all") {
						o.KeepBytes = -1
					}
					r, err := cc.Prune(o)
					if err != nil {
						return err
					}
					entries := "entries"
					if r.Removed == 1 {
						entries = "entry"
					}
					fmt.Fprintf(c.App.Writer, "removed %d %s, %s; %s left\n", r.Removed, entries, humanBytes(r.RemovedBytes), humanBytes(r.Left))
					return nil
				},
			},
		},
	}
}

// parseBytes parses sizes like 1024, 500K, 20M, 10G, 1T (binary units).
func parseBytes(in string) (int64, error) {
	s := strings.TrimSpace(strings.ToUpper(in))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "I")
	mult := int64(1)
	if s != "" {
		switch s[len(s)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult != 1 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("invalid size %q (want e.g. 500M or 10G)", in)
	}
	return n * mult, nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
