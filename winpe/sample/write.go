package sample

import (
	"github.com/wimbuild/wimbuild/wim"
)

// WriteFile builds the sample base and writes it as a WIM to path (through
// a temporary file renamed into place). wo.BootIndex and wo.Time are set
// from the base and o; everything else (compression, threads, progress) is
// the caller's; o.Cancel also cancels the write when wo.Cancel is nil.
func WriteFile(path string, o Options, wo wim.WriteOptions) error {
	base, err := Build(o)
	if err != nil {
		return err
	}
	var srcs []wim.ImageSource
	for _, img := range base.Images {
		srcs = append(srcs, wim.ImageSource{Image: img, Blobs: base.Blobs})
	}
	if wo.Cancel == nil {
		wo.Cancel = o.Cancel
	}
	wo.BootIndex = base.BootIndex
	wo.Time = FileTime(o.Time)
	if wo.Time == FileTime(0) {
		_ = o.defaults()
		wo.Time = FileTime(o.Time)
	}
	return wim.WriteFile(path, srcs, wo)
}
