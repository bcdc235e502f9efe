package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs"
)

func wimApplyCommand() *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "write an image's files to a directory",
		ArgsUsage: "WIM [IMAGE] DIR",
		Description: "Applies IMAGE (1-based index or name; optional when the WIM has one image) to DIR,\n" +
			"which is created if missing. Contents, empty files and directories, hard links,\n" +
			"symbolic links (from symlink/junction reparse points) and timestamps are restored.\n" +
			"Every name is checked before anything is written: images with names such as '..',\n" +
			"'a/b' or 'x:stream' are refused. What a POSIX file system cannot hold (named streams,\n" +
			"security descriptors, short names, other reparse points) is reported as a warning.\n\n" +
			"Examples:\n" +
			"  wimbuild wim apply boot.wim 2 ./setup\n" +
			"  wimbuild wim apply winpe.wim ./winpe",
		Action: func(c *cli.Context) error {
			args, err := wimArgs(c, 2, 3)
			if err != nil {
				return err
			}
			image, dir := "", args[1]
			if len(args) == 3 {
				image, dir = args[1], args[2]
			}
			w, err := wimOpen(args[0])
			if err != nil {
				return err
			}
			defer w.Close()
			idx, err := wimImageIndex(w, args[0], image)
			if err != nil {
				return err
			}
			img, err := w.Image(idx)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			sum, err := hostfs.Apply(img, w, dir, &hostfs.ApplyOptions{
				RPFix:    w.Header().Flags&wim.HdrFlagRPFix != 0,
				Progress: newReporter(progressMode()),
			})
			if err != nil {
				return fmt.Errorf("%s: image %d: %w", args[0], idx, err)
			}
			printApplySummary(c, sum)
			return nil
		},
	}
}

func wimExtractCommand() *cli.Command {
	return &cli.Command{
		Name:      "extract",
		Usage:     "extract files or directory trees from an image",
		ArgsUsage: "WIM IMAGE PATH...",
		Description: "Extracts each PATH (an absolute path in the image, '/' or '\\' separators, case-insensitive,\n" +
			"'*' and '?' wildcards allowed) into --dest-dir under its own name, or under its full\n" +
			"path with --preserve-dir-structure. The same name checks as apply apply.\n\n" +
			"Examples:\n" +
			"  wimbuild wim extract boot.wim 1 /Windows/System32/config/SYSTEM --dest-dir out\n" +
			"  wimbuild wim extract boot.wim 2 '/Windows/System32/*.ini' --preserve-dir-structure",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dest-dir", Value: ".", Usage: "extract into `DIR`"},
			&cli.BoolFlag{Name: "preserve-dir-structure", Usage: "recreate the image's parent directories under --dest-dir"},
		},
		Action: func(c *cli.Context) error {
			args, err := wimArgs(c, 3, -1)
			if err != nil {
				return err
			}
			w, err := wimOpen(args[0])
			if err != nil {
				return err
			}
			defer w.Close()
			idx, err := wimImageIndex(w, args[0], args[1])
			if err != nil {
				return err
			}
			img, err := w.Image(idx)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			sum, err := hostfs.Extract(img, w, args[2:], c.String("dest-dir"), &hostfs.ApplyOptions{
				RPFix:                w.Header().Flags&wim.HdrFlagRPFix != 0,
				PreserveDirStructure: c.Bool("preserve-dir-structure"),
				Progress:             newReporter(progressMode()),
			})
			if err != nil {
				return fmt.Errorf("%s: image %d: %w", args[0], idx, err)
			}
			printApplySummary(c, sum)
			return nil
		},
	}
}

func printApplySummary(c *cli.Context, s *hostfs.Summary) {
	fmt.Fprintf(c.App.ErrWriter, "applied %s, %s (%s), %s, %s\n",
		pluralOf(int64(s.Dirs), "directory", "directories"), pluralOf(int64(s.Files), "file", "files"),
		pluralOf(int64(s.Bytes), "byte", "bytes"), pluralOf(int64(s.HardLinks), "hard link", "hard links"),
		pluralOf(int64(s.Symlinks), "symbolic link", "symbolic links"))
	for _, w := range s.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "warning: %s\n", w)
	}
}

func wimVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check a WIM: integrity table, every blob's SHA-1, every image's metadata",
		ArgsUsage: "WIM",
		Description: "Decompresses every resource and checks its SHA-1, checks the integrity table if the\n" +
			"WIM has one, and parses every image's metadata. Exit code 1 and a message naming the\n" +
			"resource offset on the first problem.\n\n" +
			"Example:\n" +
			"  wimbuild wim verify boot.wim",
		Action: func(c *cli.Context) error {
			args, err := wimArgs(c, 1, 1)
			if err != nil {
				return err
			}
			w, err := wimOpen(args[0])
			if err != nil {
				return err
			}
			defer w.Close()
			if err := w.Verify(wim.VerifyOptions{Progress: newReporter(progressMode())}); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(c.App.Writer, "%s: OK (%s, %s)\n", args[0], plural(w.ImageCount(), "image"), plural(len(w.Blobs()), "blob"))
			return nil
		},
	}
}
