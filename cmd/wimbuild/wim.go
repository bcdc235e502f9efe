package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/wim"
)

// The `wimbuild wim` toolbox: WIM file operations under the names
// wimlib-imagex users know (capture, append, apply, extract, info, dir,
// export, delete, verify, optimize).

func init() { registerCommand(wimCommand()) }

func wimCommand() *cli.Command {
	return &cli.Command{
		Name:  "wim",
		Usage: "WIM toolbox: capture, append, apply, extract, info, dir, export, delete, verify, optimize",
		Description: "Low-level WIM file operations, named and behaving like wimlib-imagex's commands.\n" +
			"Images are selected by 1-based index or by name. Commands that write a WIM write a\n" +
			"temporary file beside the output and rename it into place only when it is complete.\n\n" +
			"Exit codes: 0 success, 1 failure (bad or corrupt WIM, verification failed), 2 usage error.",
		Subcommands: []*cli.Command{
			wimCaptureCommand(false),
			wimCaptureCommand(true),
			wimApplyCommand(),
			wimExtractCommand(),
			wimInfoCommand(),
			wimDirCommand(),
			wimExportCommand(),
			wimDeleteCommand(),
			wimVerifyCommand(),
			wimOptimizeCommand(),
		},
	}
}

// wimOpen opens a WIM file; errors name the file (and the byte offset of
// corrupt data).
func wimOpen(path string) (*wim.WIM, error) {
	w, err := wim.OpenFile(path)
	if err != nil {
		if !strings.Contains(err.Error(), path) {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return nil, err
	}
	return w, nil
}

// wimImageIndex resolves an image argument (1-based index or name) for w.
// An empty argument selects the only image, or fails if there are several.
func wimImageIndex(w *wim.WIM, path, arg string) (int, error) {
	n := w.ImageCount()
	if arg == "" {
		if n == 1 {
			return 1, nil
		}
		return 0, usageErrorf("%s contains %d images; give an image index (1-%d) or name", path, n, n)
	}
	if i, err := strconv.Atoi(arg); err == nil {
		if i < 1 || i > n {
			return 0, fmt.Errorf("%s: image %d does not exist (the WIM has %s): %w", path, i, plural(n, "image"), wim.ErrNoImage)
		}
		return i, nil
	}
	info := w.Info()
	for pass := 0; pass < 2; pass++ {
		for i, im := range info.Images {
			if im.Name == arg || (pass == 1 && strings.EqualFold(im.Name, arg)) {
				return i + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("%s: no image named %q: %w", path, arg, wim.ErrNoImage)
}

// wimArgs returns the positional arguments of a wim subcommand (options may
// follow them, as with wimlib-imagex: "wim info X.wim --header").
func wimArgs(c *cli.Context, min, max int) ([]string, error) {
	return positionalArgs(c, "wim", min, max)
}

// writeWIMFile writes images to path through a temporary file renamed into
// place. Ctrl-C or SIGTERM stops the write: the temporary file is removed,
// path keeps what it held and the command exits 130.
func writeWIMFile(c *cli.Context, path string, images []wim.ImageSource, opts wim.WriteOptions) error {
	ctx, stop := interruptible(c)
	defer stop()
	opts.Cancel = ctx.Done()
	if err := wim.WriteFile(path, images, opts); err != nil {
		return writeError(ctx, path, err)
	}
	return nil
}
