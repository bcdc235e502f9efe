package wim

import (
	"fmt"
	"os"
	"path/filepath"
)

// Operations on WIM files used by the CLI and the builder. Every change is
// a rewrite: a new WIM is written to a temporary file next to the target
// and renamed over it when complete (blobs are raw-copied when the
// compression settings do not change, so a rewrite costs about a file
// copy). wimlib's in-place append (leaving a hole) is not done.

// WriteOptions returns options that reproduce w's settings: compression,
// chunk size, solid resources, integrity table, boot index, RP_FIX flag and
// GUID. Adjust the result to change them.
func (w *WIM) WriteOptions() WriteOptions {
	o := WriteOptions{
		Compression: w.Compression(),
		ChunkSize:   int(w.hdr.ChunkSize),
		Integrity:   w.HasIntegrity(),
		BootIndex:   int(w.hdr.BootIndex),
		GUID:        w.hdr.GUID,
		RPFix:       w.hdr.Flags&HdrFlagRPFix != 0,
	}
	for _, b := range w.blobList {
		if b.res.solid && b.res.init() == nil {
			o.Solid = true
			o.SolidCompression = b.res.comp
			o.SolidChunkSize = int(b.res.chunkSize)
			break
		}
	}
	return o
}

// ImageSource returns image i (1-based) with w as its blob source.
func (w *WIM) ImageSource(i int) (ImageSource, error) {
	img, err := w.Image(i)
	if err != nil {
		return ImageSource{}, err
	}
	return ImageSource{Image: img, Blobs: w}, nil
}

// ImageSources returns the given images (1-based; none = all) of w.
func (w *WIM) ImageSources(indices ...int) ([]ImageSource, error) {
	if len(indices) == 0 {
		for i := 1; i <= w.ImageCount(); i++ {
			indices = append(indices, i)
		}
	}
	var out []ImageSource
	for _, i := range indices {
		s, err := w.ImageSource(i)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// FindImage returns the 1-based index of the image named name (exact
// match, as wimlib), or of the image with that number.
func (w *WIM) FindImage(nameOrIndex string) (int, error) {
	for i, ii := range w.info.Images {
		if ii.Name == nameOrIndex {
			return i + 1, nil
		}
	}
	var n int
	if _, err := fmt.Sscanf(nameOrIndex, "%d", &n); err == nil && fmt.Sprint(n) == nameOrIndex {
		if n >= 1 && n <= w.ImageCount() {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (WIM has %d images)", ErrNoImage, nameOrIndex, w.ImageCount())
}

// Edit is the state handed to a RewriteFile callback: the current images
// (with the file as their blob source) and options reproducing the file.
type Edit struct {
	Images  []ImageSource
	Options WriteOptions
}

// RewriteFile opens the WIM at path, lets edit change its images and
// options, and writes the result back to path (temporary file + rename).
func RewriteFile(path string, edit func(e *Edit) error) error {
	w, err := OpenFile(path)
	if err != nil {
		return err
	}
	defer w.Close()
	imgs, err := w.ImageSources()
	if err != nil {
		return err
	}
	e := &Edit{Images: imgs, Options: w.WriteOptions()}
	if err := edit(e); err != nil {
		return err
	}
	tmp, n, err := writeTempFile(path, e.Images, e.Options)
	if err != nil {
		return err
	}
	w.Close() // Windows cannot rename over an open file
	return finishTemp(tmp, path, n)
}

// writeTempFile writes a WIM to a new temporary file beside path.
func writeTempFile(path string, images []ImageSource, opts WriteOptions) (string, int64, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return "", 0, err
	}
	tmp := f.Name()
	n, err := Write(f, images, opts)
	if err == nil {
		err = f.Truncate(n)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	return tmp, n, nil
}

func finishTemp(tmp, path string, _ int64) error {
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// checkNames rejects images whose non-empty names repeat (wimlib refuses
// to add an image named like an existing one).
func checkNames(images []ImageSource) error {
	seen := map[string]int{}
	for i, is := range images {
		n := is.Image.Info.Name
		if n == "" {
			continue
		}
		if j, ok := seen[n]; ok {
			return fmt.Errorf("%w: images %d and %d are both named %q", ErrExists, j+1, i+1, n)
		}
		seen[n] = i
	}
	return nil
}

// ExportImages writes images (from any WIMs or BlobSources) to a new WIM at
// dst with opts. With appendTo and an existing dst, the images are added
// after dst's own and dst keeps its compression, chunk size, solid mode and
// GUID (as wimlib export does); opts then contributes Threads, Level,
// Progress, Time, and BootIndex/Integrity when set. Blobs are raw-copied
// when source and output compression and chunk size match, recompressed
// otherwise.
func ExportImages(dst string, images []ImageSource, opts WriteOptions, appendTo bool) error {
	if err := checkNames(images); err != nil {
		return err
	}
	if !appendTo {
		return WriteFile(dst, images, opts)
	}
	if _, err := os.Stat(dst); os.IsNotExist(err) {
		return WriteFile(dst, images, opts)
	}
	return RewriteFile(dst, func(e *Edit) error {
		e.Images = append(e.Images, images...)
		if err := checkNames(e.Images); err != nil {
			return err
		}
		o := &e.Options
		o.Threads, o.Level, o.Progress, o.Time = opts.Threads, opts.Level, opts.Progress, opts.Time
		if opts.BootIndex != 0 {
			o.BootIndex = opts.BootIndex
		}
		if opts.Integrity {
			o.Integrity = true
		}
		return nil
	})
}

// AppendImage adds img as the last image of the WIM at path, keeping the
// file's settings; boot makes it the bootable image.
func AppendImage(path string, img ImageSource, boot bool) error {
	return RewriteFile(path, func(e *Edit) error {
		e.Images = append(e.Images, img)
		if err := checkNames(e.Images); err != nil {
			return err
		}
		if boot {
			e.Options.BootIndex = len(e.Images)
		}
		return nil
	})
}

// DeleteImage removes image i (1-based) from the WIM at path; the boot
// index follows its image (0 if the bootable image is deleted). Deleting
// the last image is an error (a WIM has at least one image).
func DeleteImage(path string, i int) error {
	return RewriteFile(path, func(e *Edit) error {
		if i < 1 || i > len(e.Images) {
			return fmt.Errorf("%w: %d (WIM has %d)", ErrNoImage, i, len(e.Images))
		}
		if len(e.Images) == 1 {
			return fmt.Errorf("wim: cannot delete the only image")
		}
		e.Images = append(e.Images[:i-1], e.Images[i:]...)
		switch b := e.Options.BootIndex; {
		case b == i:
			e.Options.BootIndex = 0
		case b > i:
			e.Options.BootIndex = b - 1
		}
		return nil
	})
}

// SetBootIndex marks image i (1-based, 0 = none) bootable.
func SetBootIndex(path string, i int) error {
	return RewriteFile(path, func(e *Edit) error {
		if i < 0 || i > len(e.Images) {
			return fmt.Errorf("%w: %d (WIM has %d)", ErrNoImage, i, len(e.Images))
		}
		e.Options.BootIndex = i
		return nil
	})
}

// Property is one XML property assignment (see ImageInfo.SetProperty).
type Property struct{ Path, Value string }

// SetImageProperties sets XML properties of image i (1-based), in order.
func SetImageProperties(path string, i int, props ...Property) error {
	return RewriteFile(path, func(e *Edit) error {
		if i < 1 || i > len(e.Images) {
			return fmt.Errorf("%w: %d (WIM has %d)", ErrNoImage, i, len(e.Images))
		}
		for _, p := range props {
			if err := e.Images[i-1].Image.Info.SetProperty(p.Path, p.Value); err != nil {
				return err
			}
		}
		return nil
	})
}

// Optimize rewrites the WIM at path without holes or unused blobs. With a
// non-nil opts the file is rewritten with those settings (recompressing
// where they differ).
func Optimize(path string, opts *WriteOptions) error {
	return RewriteFile(path, func(e *Edit) error {
		if opts != nil {
			e.Options = *opts
		}
		return nil
	})
}
