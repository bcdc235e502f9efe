package builder

import (
	"context"
	"hash"

	"github.com/wimbuild/wimbuild/internal/progress"
	"github.com/wimbuild/wimbuild/wim"
)

// writeWIM writes one image as a bootable single-image WIM, feeding digest
// the file's bytes and syncing it (the two overlap: see wim.WriteOptions).
func writeWIM(ctx context.Context, out wim.Output, st *imageState, src wim.BlobSource, comp wim.Compression, chunk, threads int, ft uint64, rep progress.Reporter, digest hash.Hash, reuse []*wim.WIM) (int64, error) {
	return wim.Write(out, []wim.ImageSource{{Image: st.img, Blobs: src}}, wim.WriteOptions{
		Compression: comp, ChunkSize: chunk, Threads: threads, BootIndex: 1, Time: ft, Progress: rep,
		Digest: digest, Sync: true, Reuse: reuse, Cancel: ctx.Done(),
	})
}
