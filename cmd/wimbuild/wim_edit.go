package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/wim"
)

// wimLoadImages reads every image of w as write sources (blobs copied raw
// from w when the output keeps its compression and chunk size).
func wimLoadImages(w *wim.WIM, path string) ([]wim.ImageSource, error) {
	var images []wim.ImageSource
	for i := 1; i <= w.ImageCount(); i++ {
		img, err := w.Image(i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		images = append(images, wim.ImageSource{Image: img, Blobs: w})
	}
	return images, nil
}

// wimRewrite writes images to path (atomically), keeping w's GUID.
func wimRewrite(c *cli.Context, path string, w *wim.WIM, images []wim.ImageSource, opts wim.WriteOptions) error {
	if w != nil && opts.GUID == ([16]byte{}) {
		opts.GUID = w.GUID()
	}
	return writeWIMFile(c, path, images, opts)
}

// wimChangeInfo applies info's --boot and --image-property by rewriting the
// WIM (blobs are copied raw: nothing is recompressed).
func wimChangeInfo(c *cli.Context, args []string) error {
	path := args[0]
	w, err := wimOpen(path)
	if err != nil {
		return err
	}
	defer w.Close()
	images, err := wimLoadImages(w, path)
	if err != nil {
		return err
	}
	opts, err := wimWriteOptions(c, w)
	if err != nil {
		return err
	}
	opts.BootIndex = w.BootIndex()
	if c.IsSet("boot") {
		b := c.Int("boot")
		if b < 0 || b > len(images) {
			return fmt.Errorf("%s: --boot %d: the WIM has %s: %w", path, b, plural(len(images), "image"), wim.ErrNoImage)
		}
		opts.BootIndex = b
	}
	if props := c.StringSlice("image-property"); len(props) > 0 {
		if len(args) < 2 {
			if len(images) != 1 {
				return usageErrorf("--image-property: give the IMAGE to change (the WIM has %d images)", len(images))
			}
			args = append(args, "1")
		}
		idx, err := wimImageIndex(w, path, args[1])
		if err != nil {
			return err
		}
		info := &images[idx-1].Image.Info
		for _, p := range props {
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				return usageErrorf("--image-property %q: want NAME=VALUE", p)
			}
			if strings.EqualFold(k, "NAME") {
				for i, im := range w.Info().Images {
					if i != idx-1 && im.Name == v {
						return fmt.Errorf("%s: image %d is already named %q: %w", path, i+1, v, wim.ErrExists)
					}
				}
			}
			if err := info.SetProperty(k, v); err != nil {
				return usageErrorf("--image-property %q: %v", p, err)
			}
		}
	}
	return wimRewrite(c, path, w, images, opts)
}

func wimExportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "copy images from one WIM into another (new or existing)",
		ArgsUsage: "SRC IMAGE|all DST [DEST_NAME [DEST_DESCRIPTION]]",
		Description: "Exports IMAGE (index, name or \"all\") of SRC into DST. If DST exists the images are\n" +
			"appended to it (keeping its compression unless --compress is given); otherwise DST is\n" +
			"created with SRC's compression and chunk size. Blobs whose compression and chunk size\n" +
			"match are copied raw, without recompression (fast). --boot marks the exported image\n" +
			"bootable (with \"all\", SRC's bootable image).\n\n" +
			"Examples:\n" +
			"  wimbuild wim export install-media/boot.wim 2 winpe.wim --boot\n" +
			"  wimbuild wim export big.wim all small.wim --compress lzms --solid",
		Flags: append(wimWriteFlags(""),
			&cli.BoolFlag{Name: "boot", Usage: "mark the exported image bootable in DST"},
		),
		Action: func(c *cli.Context) error {
			a, err := wimArgs(c, 3, 5)
			if err != nil {
				return err
			}
			srcPath, sel, dstPath := a[0], a[1], a[2]
			src, err := wimOpen(srcPath)
			if err != nil {
				return err
			}
			defer src.Close()
			var idxs []int
			if strings.EqualFold(sel, "all") {
				for i := 1; i <= src.ImageCount(); i++ {
					idxs = append(idxs, i)
				}
				if len(a) > 3 {
					return usageErrorf("export: DEST_NAME cannot be given with \"all\"")
				}
			} else {
				i, err := wimImageIndex(src, srcPath, sel)
				if err != nil {
					return err
				}
				idxs = []int{i}
			}
			var dst *wim.WIM
			var images []wim.ImageSource
			if _, err := os.Stat(dstPath); err == nil {
				if dst, err = wimOpen(dstPath); err != nil {
					return err
				}
				defer dst.Close()
				if images, err = wimLoadImages(dst, dstPath); err != nil {
					return err
				}
			}
			base := dst
			if base == nil {
				base = src
			}
			opts, err := wimWriteOptions(c, base)
			if err != nil {
				return err
			}
			if dst != nil {
				opts.GUID = dst.GUID()
				opts.BootIndex = dst.BootIndex()
			} else {
				opts.Integrity = c.Bool("check")
			}
			names := map[string]bool{}
			for _, is := range images {
				names[is.Image.Info.Name] = true
			}
			for _, i := range idxs {
				img, err := src.Image(i)
				if err != nil {
					return fmt.Errorf("%s: %w", srcPath, err)
				}
				if len(a) > 3 {
					img.Info.Name = a[3]
				}
				if len(a) > 4 {
					img.Info.Description = a[4]
				}
				if names[img.Info.Name] {
					return fmt.Errorf("%s: an image named %q already exists: %w", dstPath, img.Info.Name, wim.ErrExists)
				}
				names[img.Info.Name] = true
				images = append(images, wim.ImageSource{Image: img, Blobs: src})
				if c.Bool("boot") && (len(idxs) == 1 || i == src.BootIndex()) {
					opts.BootIndex = len(images)
				}
			}
			if err := wimRewrite(c, dstPath, nil, images, opts); err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "%s: exported %s from %s\n", dstPath, plural(len(idxs), "image"), srcPath)
			return nil
		},
	}
}

func wimDeleteCommand() *cli.Command {
	return &cli.Command{
		Name:      "delete",
		Usage:     "delete an image from a WIM",
		ArgsUsage: "WIM IMAGE",
		Description: "Removes IMAGE (index or name) and rewrites the WIM without it (blobs only it used are\n" +
			"dropped; the others are copied raw). The boot index follows the remaining images.\n" +
			"Deleting every image is refused (a WIM needs at least one).\n\n" +
			"Example:\n" +
			"  wimbuild wim delete boot.wim 1",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "check", Usage: "add an integrity table"}},
		Action: func(c *cli.Context) error {
			a, err := wimArgs(c, 2, 2)
			if err != nil {
				return err
			}
			w, err := wimOpen(a[0])
			if err != nil {
				return err
			}
			defer w.Close()
			idx, err := wimImageIndex(w, a[0], a[1])
			if errors.Is(err, wim.ErrNoImage) && strings.EqualFold(a[1], "all") {
				return usageErrorf("wim delete: deleting every image is refused (a WIM needs at least one); delete images one at a time by index or name")
			}
			if err != nil {
				return err
			}
			if w.ImageCount() == 1 {
				return fmt.Errorf("%s: cannot delete the only image (a WIM needs at least one)", a[0])
			}
			images, err := wimLoadImages(w, a[0])
			if err != nil {
				return err
			}
			images = append(images[:idx-1], images[idx:]...)
			opts := wim.WriteOptions{
				Compression: w.Compression(), ChunkSize: w.ChunkSize(),
				Integrity: w.HasIntegrity() || c.Bool("check"),
				RPFix:     w.Header().Flags&wim.HdrFlagRPFix != 0,
				Progress:  newReporter(progressMode()),
			}
			switch b := w.BootIndex(); {
			case b == idx:
				opts.BootIndex = 0
			case b > idx:
				opts.BootIndex = b - 1
			default:
				opts.BootIndex = b
			}
			return wimRewrite(c, a[0], w, images, opts)
		},
	}
}

func wimOptimizeCommand() *cli.Command {
	return &cli.Command{
		Name:      "optimize",
		Usage:     "rewrite a WIM without holes, optionally with another compression",
		ArgsUsage: "WIM",
		Description: "Rewrites the WIM through a temporary file: unused space and superseded resources\n" +
			"disappear; blobs are copied raw unless --compress, --chunk-size or --solid change how\n" +
			"they are stored, in which case they are recompressed.\n\n" +
			"Examples:\n" +
			"  wimbuild wim optimize boot.wim\n" +
			"  wimbuild wim optimize boot.wim --compress lzx --check",
		Flags: wimWriteFlags(""),
		Action: func(c *cli.Context) error {
			a, err := wimArgs(c, 1, 1)
			if err != nil {
				return err
			}
			w, err := wimOpen(a[0])
			if err != nil {
				return err
			}
			defer w.Close()
			images, err := wimLoadImages(w, a[0])
			if err != nil {
				return err
			}
			opts, err := wimWriteOptions(c, w)
			if err != nil {
				return err
			}
			opts.BootIndex = w.BootIndex()
			before := w.Size()
			if err := wimRewrite(c, a[0], w, images, opts); err != nil {
				return err
			}
			if fi, err := os.Stat(a[0]); err == nil {
				fmt.Fprintf(c.App.ErrWriter, "%s: %d -> %d bytes\n", a[0], before, fi.Size())
			}
			return nil
		},
	}
}
