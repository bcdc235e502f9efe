package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs"
)

// wimWriteFlags are the options of every command that writes a WIM.
func wimWriteFlags(defaultCompress string) []cli.Flag {
	compressUsage := "compression: none, xpress, lzx or lzms (aliases fast, maximum, recovery)"
	if defaultCompress == "" {
		compressUsage += " (default: keep the WIM's)"
	}
	return []cli.Flag{
		&cli.StringFlag{Name: "compress", Value: defaultCompress, Usage: compressUsage},
		&cli.IntFlag{Name: "chunk-size", Usage: "chunk size in `BYTES` (power of two)", DefaultText: "32768, LZMS 131072"},
		&cli.BoolFlag{Name: "solid", Usage: "put all file data in one solid LZMS resource (ESD-like, smaller, slower; not for boot.wim)"},
		&cli.IntFlag{Name: "threads", Usage: "compression threads", DefaultText: "number of CPUs"},
		&cli.BoolFlag{Name: "check", Usage: "add an integrity table (SHA-1 of 10 MiB pieces)"},
	}
}

// wimWriteOptions builds writer options from the shared flags. base is the
// existing WIM being rewritten (nil for a new one): its compression, chunk
// size, integrity table and RP_FIX flag are kept unless overridden.
func wimWriteOptions(c *cli.Context, base *wim.WIM) (wim.WriteOptions, error) {
	o := wim.WriteOptions{RPFix: true, Threads: c.Int("threads"), Progress: newReporter(progressMode())}
	if base != nil {
		o.Compression = base.Compression()
		o.ChunkSize = base.ChunkSize()
		o.Integrity = base.HasIntegrity()
		o.RPFix = base.Header().Flags&wim.HdrFlagRPFix != 0
	}
	if s := c.String("compress"); s != "" {
		comp, err := wim.ParseCompression(strings.SplitN(s, ":", 2)[0])
		if err != nil {
			return o, usageErrorf("--compress: %v", err)
		}
		if comp != o.Compression {
			o.ChunkSize = 0
		}
		o.Compression = comp
		if _, lvl, ok := strings.Cut(s, ":"); ok {
			n, err := strconv.Atoi(lvl)
			if err != nil || n < 1 {
				return o, usageErrorf("--compress: bad level %q", lvl)
			}
			o.Level = n
		}
	}
	if !wim.CompressorAvailable(o.Compression) {
		return o, fmt.Errorf("%s compression is not available in this build of wimbuild: %w", o.Compression, wim.ErrCodec)
	}
	if c.IsSet("chunk-size") {
		o.ChunkSize = c.Int("chunk-size")
	}
	o.Solid = c.Bool("solid")
	if o.Solid && c.IsSet("compress") && o.Compression == wim.None {
		return o, usageErrorf("--solid compresses the file data with LZMS: it cannot be combined with --compress none")
	}
	if c.Bool("check") {
		o.Integrity = true
	}
	if c.Int("threads") < 0 {
		return o, usageErrorf("--threads must be positive")
	}
	return o, nil
}

// sourceDateEpoch parses --source-date-epoch (or SOURCE_DATE_EPOCH): Unix
// seconds or an RFC 3339 time. ok is false when it is not set.
func sourceDateEpoch(c *cli.Context) (time.Time, bool, error) {
	s := c.String("source-date-epoch")
	if s == "" {
		return time.Time{}, false, nil
	}
	t, err := parseTimeFlag("source-date-epoch", s)
	return t, err == nil, err
}

// parseTimeFlag parses the value of a time flag (--source-date-epoch,
// sample-base --time): Unix seconds or an RFC 3339 time.
func parseTimeFlag(flag, s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usageErrorf("--%s: want Unix seconds or an RFC 3339 time (2024-01-01T00:00:00Z), got %q", flag, s)
	}
	return t.UTC(), nil
}

// newestWriteTime returns the latest last-write FILETIME in the image: a
// deterministic default for the image's XML times.
func newestWriteTime(img *wim.Image) uint64 {
	var t uint64
	img.Walk(func(_ string, d *wim.Dentry) error {
		t = max(t, d.Inode.LastWriteTime)
		return nil
	})
	return t
}

func wimCaptureCommand(appendMode bool) *cli.Command {
	name, args := "capture", "DIR OUT.wim [NAME [DESCRIPTION]]"
	usage := "capture a directory into a new WIM"
	desc := "Scans DIR (files, empty files and directories, hard links, symbolic links as reparse\n" +
		"points, timestamps, Unicode names) into a new image and writes OUT.wim. NAME defaults to\n" +
		"the directory's base name. The output is written to a temporary file beside OUT.wim and\n" +
		"renamed into place only when complete. Same inputs and options give byte-identical\n" +
		"output; set SOURCE_DATE_EPOCH (or --source-date-epoch) to also pin every file time.\n\n" +
		"--config FILE reads a wimscript.ini: [ExclusionList] and [ExclusionException] globs\n" +
		"(anchored at DIR when they contain a path separator, otherwise matched against names),\n" +
		"and [CompressionExclusionList] globs of files stored uncompressed (not with --solid).\n\n" +
		"Examples:\n" +
		"  wimbuild wim capture ./winpe boot.wim \"Microsoft Windows PE (x64)\" --flags 9 --boot\n" +
		"  wimbuild wim capture ./tree out.wim --compress xpress --check --config wimscript.ini"
	defCompress := "lzx"
	if appendMode {
		name, args = "append", "DIR WIM [NAME [DESCRIPTION]]"
		usage = "capture a directory as a new image appended to an existing WIM"
		desc = "Like capture, but adds the image to WIM (blobs already in the WIM are shared, not\n" +
			"stored again). The WIM keeps its compression unless --compress is given. The WIM is\n" +
			"rewritten through a temporary file (existing resources are copied raw).\n\n" +
			"Example:\n" +
			"  wimbuild wim append ./setup boot.wim \"Microsoft Windows Setup (x64)\" --flags 2 --boot"
		defCompress = ""
	}
	flags := append(wimWriteFlags(defCompress),
		&cli.StringFlag{Name: "name", Usage: "image `NAME` (instead of the NAME argument)"},
		&cli.StringFlag{Name: "description", Usage: "image `DESCRIPTION`"},
		&cli.StringFlag{Name: "flags", Usage: "image FLAGS property (e.g. 9 for Windows PE, 2 for Setup)"},
		&cli.BoolFlag{Name: "boot", Usage: "mark the new image bootable"},
		&cli.StringFlag{Name: "config", Usage: "capture configuration `FILE` (wimscript.ini)"},
		&cli.StringSliceFlag{Name: "image-property", Usage: "set `NAME=VALUE` on the new image (e.g. WINDOWS/ARCH=9)"},
		&cli.BoolFlag{Name: "norpfix", Usage: "store absolute symbolic-link targets into DIR as they are, instead of relative to the image root (re-rooted on apply)"},
		&cli.BoolFlag{Name: "atime", Usage: "record last access times (by default the last write time is used: access times change on every read, so captures would not be reproducible)"},
		&cli.StringFlag{Name: "source-date-epoch", EnvVars: []string{"SOURCE_DATE_EPOCH"}, Usage: "force every file and image time to `TIME` (Unix seconds or RFC 3339)"},
	)
	return &cli.Command{
		Name:        name,
		Usage:       usage,
		ArgsUsage:   args,
		Description: desc,
		Flags:       flags,
		Action: func(c *cli.Context) error {
			a, err := wimArgs(c, 2, 4)
			if err != nil {
				return err
			}
			return wimCapture(c, a, appendMode)
		},
	}
}

func wimCapture(c *cli.Context, a []string, appendMode bool) error {
	dir, out := a[0], a[1]
	imgName, imgDesc := argOr(a, 2), argOr(a, 3)
	if c.IsSet("name") {
		imgName = c.String("name")
	}
	if c.IsSet("description") {
		imgDesc = c.String("description")
	}
	if imgName == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		imgName = filepath.Base(abs)
	}
	var base *wim.WIM
	var images []wim.ImageSource
	if appendMode {
		w, err := wimOpen(out)
		if err != nil {
			return err
		}
		defer w.Close()
		base = w
		for i := 1; i <= w.ImageCount(); i++ {
			if w.Info().Images[i-1].Name == imgName {
				return fmt.Errorf("%s: an image named %q already exists (image %d): %w", out, imgName, i, wim.ErrExists)
			}
			img, err := w.Image(i)
			if err != nil {
				return fmt.Errorf("%s: %w", out, err)
			}
			images = append(images, wim.ImageSource{Image: img, Blobs: w})
		}
	}
	opts, err := wimWriteOptions(c, base)
	if err != nil {
		return err
	}
	if c.Bool("norpfix") && base == nil {
		opts.RPFix = false
	}
	if base != nil {
		opts.GUID = base.GUID()
		opts.BootIndex = base.BootIndex()
	}
	copts := &hostfs.CaptureOptions{AccessTimes: c.Bool("atime"), NoRPFix: c.Bool("norpfix")}
	if f := c.String("config"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if copts.Config, err = hostfs.ParseConfig(data); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for _, w := range copts.Config.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "warning: %s: %s\n", f, w)
		}
	}
	sde, haveSDE, err := sourceDateEpoch(c)
	if err != nil {
		return err
	}
	if haveSDE {
		copts.Timestamp = &sde
	}
	img, sum, err := hostfs.Capture(dir, copts)
	if err != nil {
		return err
	}
	for _, s := range sum.Skipped {
		fmt.Fprintf(c.App.ErrWriter, "warning: %s: special file not captured\n", filepath.Join(dir, s))
	}
	img.Info.Name = imgName
	img.Info.Description = imgDesc
	img.Info.Flags = c.String("flags")
	for _, p := range c.StringSlice("image-property") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return usageErrorf("--image-property %q: want NAME=VALUE", p)
		}
		if err := img.Info.SetProperty(k, v); err != nil {
			return usageErrorf("--image-property %q: %v", p, err)
		}
	}
	// XML image times: SOURCE_DATE_EPOCH, else the newest file time (never
	// the wall clock: same inputs, same bytes).
	t := newestWriteTime(img)
	if haveSDE {
		t = hostfs.ToFiletime(sde)
	}
	img.Info.CreationTime = t
	img.Info.LastModificationTime = t
	images = append(images, wim.ImageSource{Image: img})
	if c.Bool("boot") {
		opts.BootIndex = len(images)
	}
	if err := writeWIMFile(c, out, images, opts); err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: image %d %q: %s, %s (%s), %s, %s\n",
		out, len(images), imgName, pluralOf(int64(sum.Dirs), "directory", "directories"), pluralOf(int64(sum.Files), "file", "files"),
		pluralOf(int64(sum.HardLinks), "hard link", "hard links"), pluralOf(int64(sum.Symlinks), "symbolic link", "symbolic links"),
		pluralOf(sum.Bytes, "byte", "bytes"))
	return nil
}
