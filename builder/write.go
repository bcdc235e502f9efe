package builder

import (
	"context"

	"github.com/wimbuild/wimbuild/internal/progress"
	"github.com/wimbuild/wimbuild/wim"
)

// writeWIM writes one image as a bootable single-image WIM.
func writeWIM(ctx context.Context, out wim.Output, st *imageState, src wim.BlobSource, comp wim.Compression, chunk, threads int, ft uint64, rep progress.Reporter) (int64, error) {
	return wim.Write(out, []wim.ImageSource{{Image: st.img, Blobs: src}}, wim.WriteOptions{
		Compression: comp, ChunkSize: chunk, Threads: threads, BootIndex: 1, Time: ft, Progress: rep,
	})
}
