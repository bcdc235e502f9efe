package hostfs

import (
	"cmp"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wimbuild/wimbuild/internal/progress"
	"github.com/wimbuild/wimbuild/wim"
)

// ErrApply is wrapped by errors that stop an apply or extract.
var ErrApply = errors.New("hostfs: apply failed")

// ApplyOptions control Apply and Extract. The zero value is usable.
type ApplyOptions struct {
	// RPFix re-roots absolute symbolic-link targets that were fixed at
	// capture (WIM header flag RP_FIX and the dentry's NOT_FIXED bit clear)
	// under the destination directory, as wimlib does.
	RPFix bool
	// PreserveDirStructure (Extract only) recreates each extracted path's
	// parent directories under the destination instead of placing the
	// extracted entry directly in it.
	PreserveDirStructure bool
	// Progress receives the number of content bytes written.
	Progress progress.Reporter
}

// Summary reports what an apply or extract wrote.
type Summary struct {
	Dirs      int   // directories created (or reused)
	Files     int   // regular files written (hard links excluded)
	HardLinks int   // extra names of already written files
	Symlinks  int   // symbolic links created
	Bytes     int64 // content bytes written
	// Warnings lists what the host could not hold, one entry per kind.
	Warnings []Warning
}

// Warning is one kind of information that was not applied.
type Warning struct {
	What    string // e.g. "named data streams (alternate data streams) not applied"
	Count   int    // number of affected image entries
	Example string // image path of the first affected entry
}

func (w Warning) String() string {
	if w.Count == 1 {
		return fmt.Sprintf("%s: %s", w.What, w.Example)
	}
	return fmt.Sprintf("%s: %d entries, e.g. %s", w.What, w.Count, w.Example)
}

// Apply writes the whole image tree to the directory dest (created if
// missing; existing files with the same names are replaced). blobs provides
// the stream contents (usually the *wim.WIM the image came from).
//
// Every name is validated before anything is written: an image holding an
// unsafe name (see CheckName) is refused with an *UnsafeNameError and dest
// is left untouched.
func Apply(img *wim.Image, blobs wim.BlobSource, dest string, opts *ApplyOptions) (*Summary, error) {
	if img == nil || img.Root == nil {
		return nil, fmt.Errorf("%w: image has no root directory", ErrApply)
	}
	return applyRoots(blobs, dest, opts, []extractRoot{{d: img.Root, rel: ".", imgPath: `\`}})
}

// Extract writes the entries at paths (image paths with '\' or '/'
// separators, matched case-insensitively; '*' and '?' wildcards allowed in
// each component) to dest. Each matched entry is placed directly in dest
// under its own name, or under its full image path with
// PreserveDirStructure. A path that matches nothing is an error.
func Extract(img *wim.Image, blobs wim.BlobSource, paths []string, dest string, opts *ApplyOptions) (*Summary, error) {
	if img == nil || img.Root == nil {
		return nil, fmt.Errorf("%w: image has no root directory", ErrApply)
	}
	var o ApplyOptions
	if opts != nil {
		o = *opts
	}
	var roots []extractRoot
	for _, p := range paths {
		matches := expandImagePath(img.Root, p)
		if len(matches) == 0 {
			return nil, fmt.Errorf("%w: %s: %w", ErrApply, p, wim.ErrNotFound)
		}
		for _, m := range matches {
			var comps []string
			for e := m; e.Parent() != nil; e = e.Parent() {
				comps = append(comps, e.Name)
			}
			if len(comps) == 0 {
				roots = append(roots, extractRoot{d: m, rel: ".", imgPath: `\`})
				continue
			}
			for i, j := 0, len(comps)-1; i < j; i, j = i+1, j-1 {
				comps[i], comps[j] = comps[j], comps[i]
			}
			parent := `\`
			for _, c := range comps {
				if err := CheckName(parent, c); err != nil {
					return nil, err
				}
				parent = strings.TrimSuffix(parent, `\`) + `\` + c
			}
			rel := comps[len(comps)-1]
			if o.PreserveDirStructure {
				rel = strings.Join(comps, "/")
			}
			roots = append(roots, extractRoot{d: m, rel: rel, imgPath: m.Path()})
		}
	}
	return applyRoots(blobs, dest, &o, roots)
}

// expandImagePath resolves a path that may contain wildcards.
func expandImagePath(root *wim.Dentry, p string) []*wim.Dentry {
	comps := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	cur := []*wim.Dentry{root}
	for _, c := range comps {
		var next []*wim.Dentry
		wild := strings.ContainsAny(c, "*?")
		for _, d := range cur {
			if !d.IsDir() {
				continue
			}
			if !wild {
				if ch := d.Child(c); ch != nil {
					next = append(next, ch)
				}
				continue
			}
			for _, ch := range d.Children() {
				if matchComponent(c, ch.Name, true) {
					next = append(next, ch)
				}
			}
		}
		cur = next
	}
	return cur
}

type extractRoot struct {
	d       *wim.Dentry
	rel     string // host path below dest ('/'-separated, "." = dest itself)
	imgPath string
}

type planItem struct {
	d       *wim.Dentry
	rel     string
	imgPath string
}

type applier struct {
	root    *os.Root
	destAbs string
	blobs   wim.BlobSource
	opts    ApplyOptions
	prog    progress.Reporter
	sum     Summary
	warnIdx map[string]int
	linked  map[*wim.Inode]string // first host path written for an inode
	buf     []byte
}

func applyRoots(blobs wim.BlobSource, dest string, opts *ApplyOptions, roots []extractRoot) (*Summary, error) {
	a := &applier{blobs: blobs, warnIdx: map[string]int{}, linked: map[*wim.Inode]string{}}
	if opts != nil {
		a.opts = *opts
	}
	a.prog = progress.Or(a.opts.Progress)

	// 1. Plan and validate everything before touching the host.
	var dirs, files, links []planItem
	seen := map[string]*wim.Dentry{}
	var total int64
	var plan func(it planItem) error
	plan = func(it planItem) error {
		key := it.rel
		if caseInsensitiveHost {
			key = strings.ToLower(key)
		}
		if prev := seen[key]; prev != nil {
			if prev != it.d { // the same entry reached twice (extract /a and /a/b) is fine
				a.warn("duplicate names (only the first was applied)", it.imgPath)
			}
			return nil
		}
		seen[key] = it.d
		in := it.d.Inode
		if in == nil {
			return fmt.Errorf("%w: %s has no inode", ErrApply, it.imgPath)
		}
		a.noteUnsupported(it)
		switch {
		case in.IsReparse():
			links = append(links, it)
			if in.IsDir() && len(it.d.Children()) > 0 {
				a.warn("children of directory reparse points not applied", it.imgPath)
			}
			return nil
		case in.IsDir():
			dirs = append(dirs, it)
			for _, c := range it.d.Children() {
				if err := CheckName(it.imgPath, c.Name); err != nil {
					return err
				}
				child := planItem{d: c, rel: joinRel(it.rel, c.Name), imgPath: joinImg(it.imgPath, c.Name)}
				if err := plan(child); err != nil {
					return err
				}
			}
			return nil
		default:
			files = append(files, it)
			if _, ok := a.linked[in]; !ok {
				a.linked[in] = ""
				total += in.Data.Size
			}
			return nil
		}
	}
	for _, r := range roots {
		// Parent directories recreated by PreserveDirStructure get their
		// image timestamps too (but none of their other children).
		if r.rel != "." && strings.Contains(r.rel, "/") {
			var anc []*wim.Dentry
			for p := r.d.Parent(); p != nil && p.Parent() != nil; p = p.Parent() {
				anc = append(anc, p)
			}
			slices.Reverse(anc)
			rel := ""
			for _, p := range anc {
				rel = joinRel(cmp.Or(rel, "."), p.Name)
				key := rel
				if caseInsensitiveHost {
					key = strings.ToLower(key)
				}
				if seen[key] == nil {
					seen[key] = p
					dirs = append(dirs, planItem{d: p, rel: rel, imgPath: p.Path()})
				}
			}
		}
		if err := plan(planItem{d: r.d, rel: r.rel, imgPath: r.imgPath}); err != nil {
			return nil, err
		}
	}
	clear(a.linked)
	a.sortByStorage(files)

	// 2. Open the destination.
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrApply, err)
	}
	abs, err := filepath.Abs(dest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrApply, err)
	}
	a.destAbs = abs
	a.root, err = os.OpenRoot(dest)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrApply, err)
	}
	defer a.root.Close()

	a.prog.Begin("applying to "+dest, total)
	defer a.prog.End()
	a.buf = make([]byte, 1<<20)

	// 3. Directories (pre-order), then files and hard links, then symbolic
	// links, then directory timestamps bottom-up.
	for _, it := range dirs {
		if err := a.mkdir(it); err != nil {
			return &a.sum, err
		}
	}
	for _, it := range files {
		if err := a.writeFile(it); err != nil {
			return &a.sum, err
		}
	}
	for _, it := range links {
		if err := a.symlink(it); err != nil {
			return &a.sum, err
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		a.setTimes(dirs[i])
	}
	return &a.sum, nil
}

// sortByStorage orders files by where their content is stored when the
// blob source can tell (a *wim.WIM): reading is then sequential and each
// solid chunk is decompressed once. Names of one inode stay together, so
// hard links still follow the name whose data is written.
func (a *applier) sortByStorage(files []planItem) {
	ro, ok := a.blobs.(interface{ ReadOrder([]wim.Hash) []wim.Hash })
	if !ok {
		return
	}
	var hs []wim.Hash
	for _, it := range files {
		if h := it.d.Inode.Data.Hash; !h.IsZero() {
			hs = append(hs, h)
		}
	}
	rank := map[wim.Hash]int{}
	for i, h := range ro.ReadOrder(hs) {
		if _, ok := rank[h]; !ok {
			rank[h] = i
		}
	}
	slices.SortStableFunc(files, func(x, y planItem) int {
		return rank[x.d.Inode.Data.Hash] - rank[y.d.Inode.Data.Hash]
	})
}

func joinRel(parent, name string) string {
	if parent == "." {
		return name
	}
	return parent + "/" + name
}

func joinImg(parent, name string) string {
	return strings.TrimSuffix(parent, `\`) + `\` + name
}

// warn records one occurrence of a kind of loss.
func (a *applier) warn(what, imgPath string) {
	if i, ok := a.warnIdx[what]; ok {
		a.sum.Warnings[i].Count++
		return
	}
	a.warnIdx[what] = len(a.sum.Warnings)
	a.sum.Warnings = append(a.sum.Warnings, Warning{What: what, Count: 1, Example: imgPath})
}

// noteUnsupported records metadata the host cannot hold.
func (a *applier) noteUnsupported(it planItem) {
	in := it.d.Inode
	if len(in.Named) > 0 {
		a.warn("named data streams (alternate data streams) not applied", it.imgPath)
	}
	if in.SecurityID >= 0 {
		a.warn("security descriptors not applied", it.imgPath)
	}
	if it.d.ShortName != "" {
		a.warn("DOS short names not applied", it.imgPath)
	}
	if len(in.Tagged) > 0 {
		a.warn("tagged metadata (object IDs, extended attributes, UNIX data) not applied", it.imgPath)
	}
	if in.Attributes&wim.AttrEncrypted != 0 {
		a.warn("encrypted files not applied (raw EFS data cannot be decrypted)", it.imgPath)
	}
	if in.IsReparse() && in.ReparseTag != ReparseTagSymlink && in.ReparseTag != ReparseTagMountPoint {
		a.warn(fmt.Sprintf("reparse points with tag 0x%08X not applied", in.ReparseTag), it.imgPath)
	}
}

// clearPath removes an existing non-directory at rel so it can be
// replaced. Removing never follows a symbolic link.
func (a *applier) clearPath(it planItem) error {
	fi, err := a.root.Lstat(it.rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: %s: %s already exists and is a directory", ErrApply, it.imgPath, filepath.Join(a.destAbs, it.rel))
	}
	if err := a.root.Remove(it.rel); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	return nil
}

func (a *applier) mkdir(it planItem) error {
	if it.rel != "." {
		if err := a.makeParents(it); err != nil {
			return err
		}
		err := a.root.Mkdir(it.rel, 0o755)
		if errors.Is(err, fs.ErrExist) {
			fi, lerr := a.root.Lstat(it.rel)
			if lerr == nil && !fi.IsDir() {
				if err := a.clearPath(it); err != nil {
					return err
				}
				err = a.root.Mkdir(it.rel, 0o755)
			} else {
				err = nil
			}
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
		}
	}
	a.sum.Dirs++
	return nil
}

// makeParents creates the parent directories of an extracted entry placed
// below dest with PreserveDirStructure (no-op otherwise: parents were made
// by earlier plan items).
func (a *applier) makeParents(it planItem) error {
	dir := filepath.ToSlash(filepath.Dir(filepath.FromSlash(it.rel)))
	if dir == "." {
		return nil
	}
	if fi, err := a.root.Lstat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if err := a.root.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	return nil
}

func (a *applier) blob(s *wim.Stream, it planItem, what string) (wim.Blob, error) {
	if s.Data != nil {
		if s.Data.Size() != s.Size {
			return nil, fmt.Errorf("%w: %s: %s content is %d bytes, the dentry says %d", ErrApply, it.imgPath, what, s.Data.Size(), s.Size)
		}
		return s.Data, nil
	}
	if s.Hash.IsZero() {
		return nil, fmt.Errorf("%w: %s: %s of %d bytes has no content", ErrApply, it.imgPath, what, s.Size)
	}
	if a.blobs == nil {
		return nil, fmt.Errorf("%w: %s: %s %s: %w", ErrApply, it.imgPath, what, s.Hash, wim.ErrBlobMissing)
	}
	b := a.blobs.LookupBlob(s.Hash)
	if b == nil {
		return nil, fmt.Errorf("%w: %s: %s %s: %w", ErrApply, it.imgPath, what, s.Hash, wim.ErrBlobMissing)
	}
	if b.Size() != s.Size {
		return nil, fmt.Errorf("%w: %s: %s %s is %d bytes, the dentry says %d", ErrApply, it.imgPath, what, s.Hash, b.Size(), s.Size)
	}
	return b, nil
}

func (a *applier) writeFile(it planItem) error {
	in := it.d.Inode
	if err := a.makeParents(it); err != nil {
		return err
	}
	if first := a.linked[in]; first != "" {
		if err := a.clearPath(it); err != nil {
			return err
		}
		if err := a.root.Link(first, it.rel); err == nil {
			a.sum.HardLinks++
			return nil
		}
		a.warn("hard links written as separate copies (the host refused the link)", it.imgPath)
	}
	if err := a.clearPath(it); err != nil {
		return err
	}
	f, err := a.root.OpenFile(it.rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	if err := a.copyData(f, it); err != nil {
		f.Close()
		a.root.Remove(it.rel) // never leave corrupt or partial content behind
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	if _, ok := a.linked[in]; !ok {
		a.linked[in] = it.rel
	}
	a.sum.Files++
	a.setTimes(it)
	return nil
}

// copyData streams the unnamed data stream into f.
func (a *applier) copyData(f *os.File, it planItem) error {
	s := &it.d.Inode.Data
	if s.Size == 0 {
		return nil
	}
	b, err := a.blob(s, it, "data stream")
	if err != nil {
		return err
	}
	r, err := b.Open()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
	}
	defer r.Close()
	// The SHA-1 is checked while writing, as wimlib does on extraction.
	h := sha1.New()
	n, err := io.CopyBuffer(progressWriter{io.MultiWriter(f, h), a.prog}, io.LimitReader(r, s.Size), a.buf)
	a.sum.Bytes += n
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
	}
	if n != s.Size {
		return fmt.Errorf("%w: %s: data stream ended after %d of %d bytes: %w", ErrApply, it.imgPath, n, s.Size, io.ErrUnexpectedEOF)
	}
	// Read to EOF so a verifying reader checks the SHA-1 of the whole blob.
	if m, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
	} else if m != 0 {
		return fmt.Errorf("%w: %s: data stream is longer than %d bytes", ErrApply, it.imgPath, s.Size)
	}
	if !s.Hash.IsZero() && wim.Hash(h.Sum(nil)) != s.Hash {
		return fmt.Errorf("%w: %s: content does not match SHA-1 %s: %w", ErrApply, it.imgPath, s.Hash, wim.ErrHashMismatch)
	}
	return nil
}

type progressWriter struct {
	w io.Writer
	p progress.Reporter
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.p.Advance(int64(n))
	return n, err
}

func (a *applier) symlink(it planItem) error {
	in := it.d.Inode
	if in.ReparseTag != ReparseTagSymlink && in.ReparseTag != ReparseTagMountPoint {
		return nil // reported by noteUnsupported
	}
	if err := a.makeParents(it); err != nil {
		return err
	}
	b, err := a.blob(&in.Reparse, it, "reparse data")
	if err != nil {
		return err
	}
	if b.Size() > maxReparseData {
		return fmt.Errorf("%w: %s: reparse data of %d bytes exceeds %d", ErrApply, it.imgPath, b.Size(), maxReparseData)
	}
	r, err := b.Open()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxReparseData+1))
	r.Close()
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
	}
	sl, err := DecodeSymlink(in.ReparseTag, data)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
	}
	fixed := a.opts.RPFix && in.ReparseFlags&RPFlagNotFixed == 0
	target := sl.HostTarget(a.destAbs, fixed, filepath.Separator)
	if err := a.clearPath(it); err != nil {
		return err
	}
	if err := a.root.Symlink(target, it.rel); err != nil {
		if symlinkMayBeUnsupported(err) {
			a.warn("symbolic links not created (the host refused them)", it.imgPath)
			return nil
		}
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	a.sum.Symlinks++
	return nil
}

// setTimes sets last access and last write times (failures are reported
// as a warning: some hosts cannot store every FILETIME).
func (a *applier) setTimes(it planItem) {
	in := it.d.Inode
	if in.LastWriteTime == 0 {
		return
	}
	at := in.LastAccessTime
	if at == 0 {
		at = in.LastWriteTime
	}
	if err := a.root.Chtimes(it.rel, FromFiletime(at), FromFiletime(in.LastWriteTime)); err != nil {
		a.warn("timestamps not set", it.imgPath)
	}
}
