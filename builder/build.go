package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/dsl"
)

// Artifact is one output file, as listed in artifacts.json.
type Artifact struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"` // "wim"
	Path         string `json:"path"` // relative to the output directory
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	ImageIndex   int    `json:"image_index"`
	ImageName    string `json:"image_name"`
	Arch         string `json:"arch,omitempty"`
	WinPEVersion string `json:"winpe_version,omitempty"`
	Compression  string `json:"compression"`
}

// Manifest is artifacts.json: what a build produced, for CI to upload.
type Manifest struct {
	RecipeDigest    string     `json:"recipe_digest"`
	SourceDateEpoch int64      `json:"source_date_epoch"`
	Artifacts       []Artifact `json:"artifacts"`
}

// BuildResult reports a build.
type BuildResult struct {
	Manifest Manifest
	// Executed, Cached and Shared count steps (see Result).
	Executed, Cached, Shared int
	OutDir                   string
}

// Build runs the plan and publishes its outputs into the output directory:
// <image>.wim per image and artifacts.json. Outputs are replaced atomically
// (temp file + rename): a failed, canceled or killed build leaves the
// previous outputs, never a partial file under a final name. Publishing
// holds the output directory's lock (.wimbuild.lock), so builds that share
// it leave it consistent with its artifacts.json.
func (p *Plan) Build(ctx context.Context) (*BuildResult, error) {
	res, err := Run(ctx, p.Steps, RunOptions{Cache: p.opts.Cache, Jobs: p.opts.Jobs, NoCache: p.opts.NoCache, Observe: p.opts.Observe})
	if err != nil {
		return nil, maskedError{err, p.Recipe}
	}
	if err := os.MkdirAll(p.OutDir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockDir(ctx, p.OutDir)
	if err != nil {
		return nil, fmt.Errorf("locking the output directory %s: %w", p.OutDir, err)
	}
	defer unlock()
	removeTemps(p.OutDir)
	man := Manifest{RecipeDigest: p.Recipe.Digest, SourceDateEpoch: p.epoch}
	// Stage every output under a temp name first (a copy can take a
	// while, and Ctrl-C then keeps the previous outputs), then rename them
	// all into place and write the manifest.
	var staged []stagedFile
	abort := func() {
		for _, f := range staged {
			os.Remove(f.tmp)
		}
	}
	for _, name := range p.ImageOrder {
		a := res.Actions[p.Exports[name]]
		out := a.Outputs["wim"]
		file := name + ".wim"
		f, err := stage(ctx, p.opts.Cache, out.Digest, filepath.Join(p.OutDir, file))
		if err != nil {
			abort()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("publishing %s: %w", file, err)
		}
		if f.tmp != "" {
			staged = append(staged, f)
		}
		idx, _ := strconv.Atoi(a.Meta["image_index"])
		man.Artifacts = append(man.Artifacts, Artifact{
			Name: "image." + name, Kind: "wim", Path: file, SHA256: string(out.Digest), Size: out.Size,
			ImageIndex: idx, ImageName: a.Meta["name"], Arch: a.Meta["arch"], WinPEVersion: a.Meta["version"],
			Compression: a.Meta["compression"],
		})
	}
	if err := ctx.Err(); err != nil {
		abort() // canceled while staging: keep the previous outputs
		return nil, err
	}
	for i, f := range staged {
		if err := replaceFile(f.tmp, f.dst); err != nil {
			staged = staged[i:]
			abort()
			return nil, fmt.Errorf("publishing %s: %w", filepath.Base(f.dst), err)
		}
	}
	sort.Slice(man.Artifacts, func(i, j int) bool { return man.Artifacts[i].Name < man.Artifacts[j].Name })
	removeStale(p.OutDir, man)
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(p.OutDir, "artifacts.json"), append(b, '\n')); err != nil {
		return nil, err
	}
	return &BuildResult{Manifest: man, Executed: res.Executed, Cached: res.Cached, Shared: res.Shared, OutDir: p.OutDir}, nil
}

// removeTemps deletes temp files earlier builds left in the output
// directory when they were killed. Every build stages its files under the
// directory's lock, so while it is held any temp file there is a leftover.
func removeTemps(dir string) {
	for _, pat := range []string{".*.wim.tmp-*", ".artifacts.json.*.tmp"} {
		if m, err := filepath.Glob(filepath.Join(dir, pat)); err == nil {
			for _, f := range m {
				if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() {
					os.Remove(f)
				}
			}
		}
	}
}

// removeStale keeps the output directory equal to what artifacts.json
// lists: outputs the previous build published (per its artifacts.json)
// that this build does not — an image renamed or removed from the recipe,
// or left out by --target — are removed, so that a CI job uploading
// out/*.wim never ships a stale image. Only files still as that build left
// them (a plain name, same size) are touched; anything else in the
// directory is the user's.
func removeStale(outDir string, now Manifest) {
	b, err := os.ReadFile(filepath.Join(outDir, "artifacts.json"))
	if err != nil {
		return
	}
	var prev Manifest
	if json.Unmarshal(b, &prev) != nil {
		return
	}
	keep := map[string]bool{}
	for _, a := range now.Artifacts {
		keep[a.Path] = true
	}
	for _, a := range prev.Artifacts {
		if keep[a.Path] || a.Path != filepath.Base(a.Path) || filepath.Ext(a.Path) != ".wim" || strings.HasPrefix(a.Path, ".") {
			continue
		}
		f := filepath.Join(outDir, a.Path)
		if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() && fi.Size() == a.Size {
			os.Remove(f)
		}
	}
}

// maskedError shows err with the recipe's sensitive values masked; errors.Is
// and As see err itself.
type maskedError struct {
	err error
	r   *dsl.Recipe
}

func (e maskedError) Error() string { return e.r.Mask(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }

// linkFile makes hard links (a variable so tests can take the copy path).
var linkFile = os.Link

// publishSeq numbers this process's publish temp files.
var publishSeq atomic.Int64

// stagedFile is an output staged under a temp name, to be renamed to dst.
type stagedFile struct{ tmp, dst string }

// stage prepares the cache blob d to become dst. When dst already holds
// that blob there is nothing to do (tmp is ""): it is the same file,
// hard-linked earlier, or — where links are impossible (another volume) —
// a copy made earlier with the blob's size and modification time (the
// cache never changes a blob's time, and an edit of the copy changes the
// copy's). Otherwise tmp is a hard link to the cache file (free, and the
// cache file is read-only), or a read-only copy, which stops when ctx is
// canceled.
func stage(ctx context.Context, c *cache.Cache, d cache.Digest, dst string) (stagedFile, error) {
	src, err := c.BlobPath(d)
	if err != nil {
		return stagedFile{}, err
	}
	si, err := os.Stat(src)
	if err != nil {
		return stagedFile{}, err
	}
	di, derr := os.Stat(dst)
	if derr == nil && os.SameFile(si, di) {
		return stagedFile{}, nil
	}
	// A name of this process's own.
	tmp := filepath.Join(filepath.Dir(dst), fmt.Sprintf(".%s.tmp-%s-%d-%d", filepath.Base(dst), d.Short(), os.Getpid(), publishSeq.Add(1)))
	os.Remove(tmp)
	if err := linkFile(src, tmp); err != nil {
		// No links (another volume): a copy made earlier is trusted while
		// its size and time are the blob's.
		if derr == nil && di.Mode().IsRegular() && di.Size() == si.Size() && di.ModTime().Equal(si.ModTime()) {
			return stagedFile{}, nil
		}
		err := copyFile(ctx, src, tmp)
		if err == nil {
			err = os.Chtimes(tmp, si.ModTime(), si.ModTime())
		}
		if err != nil {
			os.Remove(tmp)
			return stagedFile{}, err
		}
	}
	return stagedFile{tmp: tmp, dst: dst}, nil
}

// renameFile is cache.Rename (a variable so tests can give it Windows'
// rule): os.Rename, retried on Windows while another program holds a file.
var renameFile = cache.Rename

// readOnlyBlocksRename: Windows refuses to rename a file over a read-only
// one (a variable so tests can take that path elsewhere).
var readOnlyBlocksRename = runtime.GOOS == "windows"

// replaceFile renames tmp to dst, replacing dst. Where a read-only dst
// cannot be replaced — on Windows, and an earlier output is a hard link to
// its read-only cache blob — dst is moved aside first (renaming it is
// allowed) and removed once tmp is in its place; if tmp cannot take its
// place, the old dst is put back.
func replaceFile(tmp, dst string) error {
	if readOnlyBlocksRename {
		if fi, err := os.Lstat(dst); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o200 == 0 {
			aside := tmp + ".old"
			if err := renameFile(dst, aside); err != nil {
				return err
			}
			if err := renameFile(tmp, dst); err != nil {
				renameFile(aside, dst)
				return err
			}
			os.Remove(aside)
			return nil
		}
	}
	return renameFile(tmp, dst)
}

// copyFile copies src to a new read-only file dst, synced, in pieces so
// that a cancel stops it.
func copyFile(ctx context.Context, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o444)
	if err != nil {
		return err
	}
	// The mode of a linked output (a cache blob's), whatever the umask.
	if err := out.Chmod(0o444); err != nil {
		out.Close()
		return err
	}
	const piece = 4 << 20
	for {
		if err := ctx.Err(); err != nil {
			out.Close()
			return err
		}
		n, err := io.CopyN(out, in, piece)
		if err == io.EOF || err == nil && n < piece {
			break
		}
		if err != nil {
			out.Close()
			return err
		}
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return ctx.Err()
}

func writeFileAtomic(dst string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		// CreateTemp makes the file private; outputs are for everyone
		// who may read the directory (CI uploads them).
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = replaceFile(f.Name(), dst)
	}
	if err != nil {
		os.Remove(f.Name())
		return errors.Join(fmt.Errorf("writing %s", dst), err)
	}
	return nil
}
