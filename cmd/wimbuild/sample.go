package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

func init() { registerCommand(sampleBaseCommand()) }

// maxFillerMB bounds sample-base --filler-mb (1 TiB).
const maxFillerMB = 1 << 20

func sampleBaseCommand() *cli.Command {
	return &cli.Command{
		Name:      "sample-base",
		Usage:     "write a synthetic WinPE-like boot.wim (for trying wimbuild without Microsoft media)",
		ArgsUsage: "OUT.wim",
		Description: "Writes a deterministic two-image boot.wim shaped like the one on Windows install media:\n" +
			"image 1 \"Microsoft Windows PE\" and image 2 \"Microsoft Windows Setup\" (bootable, with\n" +
			"\\sources\\setup.exe), real SYSTEM/SOFTWARE/DEFAULT hives, the Windows\\Boot layout (PXE, DVD,\n" +
			"EFI, fonts), wdscapture.exe and about 100 MB of filler files. Executables are clearly marked\n" +
			"placeholders: the image does not boot. Recipes use it as `source \"sample\" \"NAME\" { arch = … }`.\n\n" +
			"Example:\n   wimbuild sample-base --arch amd64 boot.wim && wimbuild wim info boot.wim",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "arch", Value: "amd64", Usage: "architecture: amd64, x86 or arm64"},
			&cli.StringFlag{Name: "version", Value: "10.0.19041.1", Usage: "WinPE version (MAJOR.MINOR.BUILD[.SPBUILD]) written to the WIM XML and SOFTWARE hive"},
			&cli.StringFlag{Name: "compress", Value: "lzx", Usage: "compression: none, xpress, lzx or lzms"},
			&cli.Int64Flag{Name: "filler-mb", Value: sample.DefaultFillerBytes >> 20, Usage: "MiB of filler files (0 for none)"},
			&cli.StringFlag{Name: "time", Usage: "every timestamp in the image, as `TIME` (Unix seconds or RFC 3339)", DefaultText: "2024-01-01T00:00:00Z", EnvVars: []string{"SOURCE_DATE_EPOCH"}},
			&cli.IntFlag{Name: "threads", Usage: "compression threads", DefaultText: "CPU count"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("sample-base needs exactly one argument, the output file (see --help)")
			}
			arch, err := winpe.ParseArch(c.String("arch"))
			if err != nil {
				return usageErrorf("--arch: %v", err)
			}
			ver, err := winpe.ParseVersion(c.String("version"))
			if err != nil {
				return usageErrorf("--version: %v", err)
			}
			comp, err := wim.ParseCompression(c.String("compress"))
			if err != nil {
				return usageErrorf("--compress: %v", err)
			}
			mb := c.Int64("filler-mb")
			if mb < 0 || mb > maxFillerMB {
				return usageErrorf("--filler-mb: want 0 to %d MiB, got %d", maxFillerMB, mb)
			}
			filler := mb << 20
			if filler == 0 {
				filler = -1
			}
			var unix int64
			if s := c.String("time"); s != "" {
				t, err := parseTimeFlag("time", s)
				if err != nil {
					return err
				}
				if unix = t.Unix(); unix <= 0 {
					return usageErrorf("--time: want a time after 1970-01-01T00:00:00Z, got %q", s)
				}
			}
			rep := newReporter(progressMode())
			out := c.Args().First()
			ctx, stop := interruptible(c)
			defer stop()
			err = sample.WriteFile(out, sample.Options{Arch: arch, Version: ver, Time: unix, FillerBytes: filler, Cancel: ctx.Done()},
				wim.WriteOptions{Compression: comp, Threads: c.Int("threads"), Progress: rep})
			if err != nil {
				return writeError(ctx, out, err)
			}
			fmt.Fprintf(c.App.Writer, "wrote %s (%s, %s)\n", out, arch, comp)
			return nil
		},
	}
}
