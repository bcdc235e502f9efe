package hostfs

import (
	"cmp"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// Threads writing files (each decompressing, checking and writing
	// whole files) in parallel; 0 = runtime.GOMAXPROCS(0).
	Threads int
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

// split returns the host directory holding rel ("." for dest) and rel's
// last component.
func (it planItem) split() (dir, name string) {
	if i := strings.LastIndexByte(it.rel, '/'); i >= 0 {
		return it.rel[:i], it.rel[i+1:]
	}
	return ".", it.rel
}

type applier struct {
	root    *os.Root
	dirs    dirCache
	destAbs string
	blobs   wim.BlobSource
	opts    ApplyOptions
	prog    progress.Reporter

	mu      sync.Mutex // guards sum.Warnings and warnIdx (workers warn)
	sum     Summary
	warnIdx map[string]int
	linked  map[*wim.Inode]string // first host path written for an inode
}

// fileWriter is one worker's state: a reusable blob reader, hash and copy
// buffer, and its share of the summary.
type fileWriter struct {
	a     *applier
	br    *wim.BlobReader
	h     hash.Hash
	buf   []byte
	files int
	bytes int64
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
	a.dirs.init(a.root)
	defer a.dirs.closeAll()

	a.prog.Begin("applying to "+dest, total)
	defer a.prog.End()

	// 3. Directories (pre-order), then files (in parallel) and hard links,
	// then symbolic links, then directory timestamps bottom-up.
	for _, it := range dirs {
		if err := a.mkdir(it); err != nil {
			return &a.sum, err
		}
	}
	if err := a.writeFiles(files); err != nil {
		return &a.sum, err
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
	a.mu.Lock()
	defer a.mu.Unlock()
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

// clearName removes an existing non-directory called name in the directory
// r so it can be replaced. Removing never follows a symbolic link.
func clearName(r *os.Root, name string, it planItem) error {
	fi, err := r.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: %s: %s already exists and is a directory", ErrApply, it.imgPath, filepath.Join(r.Name(), name))
	}
	if err := r.Remove(name); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	return nil
}

func (a *applier) mkdir(it planItem) error {
	if it.rel != "." {
		h, name, err := a.parent(it)
		if err != nil {
			return err
		}
		defer a.dirs.put(h)
		err = h.r.Mkdir(name, 0o755)
		if errors.Is(err, fs.ErrExist) {
			fi, lerr := h.r.Lstat(name)
			if lerr == nil && !fi.IsDir() {
				if err := clearName(h.r, name, it); err != nil {
					return err
				}
				err = h.r.Mkdir(name, 0o755)
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
	if !a.opts.PreserveDirStructure {
		return nil
	}
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

// parent makes it's parent directories (with PreserveDirStructure) and
// returns a handle on the directory that holds it and its name there. Give
// the handle back with a.dirs.put.
func (a *applier) parent(it planItem) (*dirHandle, string, error) {
	if err := a.makeParents(it); err != nil {
		return nil, "", err
	}
	dir, name := it.split()
	h, err := a.dirs.get(dir)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	return h, name, nil
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

// solid reports whether a file's content lives in a solid resource (such
// files are written by one worker, in storage order, so each solid chunk
// is decompressed once).
func (a *applier) solid(it planItem) bool {
	s := &it.d.Inode.Data
	if s.Data != nil || s.Hash.IsZero() || a.blobs == nil {
		return false
	}
	sb, ok := a.blobs.LookupBlob(s.Hash).(interface{ Solid() bool })
	return ok && sb.Solid()
}

// writeFiles writes every regular file: the first name of each inode by a
// pool of workers (a job is one file, or a run of files stored in solid
// resources), then the other names as hard links.
func (a *applier) writeFiles(files []planItem) error {
	var jobs [][]planItem
	var extra []planItem
	first := map[*wim.Inode]bool{}
	lastSolid := false
	for _, it := range files {
		in := it.d.Inode
		if first[in] {
			extra = append(extra, it)
			continue
		}
		first[in] = true
		solid := a.solid(it)
		if solid && lastSolid {
			jobs[len(jobs)-1] = append(jobs[len(jobs)-1], it)
		} else {
			jobs = append(jobs, []planItem{it})
		}
		lastSolid = solid
	}
	threads := a.opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = max(1, min(threads, len(jobs)))
	var (
		next    atomic.Int64
		failed  atomic.Bool
		wg      sync.WaitGroup
		errMu   sync.Mutex
		errJob  = len(jobs)
		firstEr error
	)
	workers := make([]*fileWriter, threads)
	for t := range workers {
		w := &fileWriter{a: a, h: sha1.New(), buf: make([]byte, 1<<20)}
		workers[t] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				j := int(next.Add(1) - 1)
				if j >= len(jobs) {
					return
				}
				for _, it := range jobs[j] {
					if err := w.writeFile(it); err != nil {
						errMu.Lock()
						if j < errJob {
							errJob, firstEr = j, err
						}
						errMu.Unlock()
						failed.Store(true)
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, w := range workers {
		a.sum.Files += w.files
		a.sum.Bytes += w.bytes
		w.files, w.bytes = 0, 0
	}
	if firstEr != nil {
		return firstEr
	}
	for _, j := range jobs {
		for _, it := range j {
			a.linked[it.d.Inode] = it.rel
		}
	}
	w := workers[0]
	for _, it := range extra {
		if err := a.link(w, it); err != nil {
			return err
		}
	}
	a.sum.Files += w.files
	a.sum.Bytes += w.bytes
	w.files, w.bytes = 0, 0
	return nil
}

// link gives an already written inode another name (or, when the host
// refuses, writes another copy with w).
func (a *applier) link(w *fileWriter, it planItem) error {
	h, name, err := a.parent(it)
	if err != nil {
		return err
	}
	err = clearName(h.r, name, it)
	a.dirs.put(h)
	if err != nil {
		return err
	}
	if err := a.root.Link(a.linked[it.d.Inode], it.rel); err == nil {
		a.sum.HardLinks++
		return nil
	}
	a.warn("hard links written as separate copies (the host refused the link)", it.imgPath)
	return w.writeFile(it)
}

// writeFile creates one regular file (exclusively, in a handle on its
// directory), writes and checks its content and sets its times.
func (w *fileWriter) writeFile(it planItem) error {
	a := w.a
	h, name, err := a.parent(it)
	if err != nil {
		return err
	}
	defer a.dirs.put(h)
	f, err := h.create(name)
	if errors.Is(err, fs.ErrExist) {
		// Something is in the way (an earlier apply, or a planted link):
		// remove it without following it and create the file afresh.
		if err := clearName(h.r, name, it); err != nil {
			return err
		}
		f, err = h.create(name)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	if err := w.copyData(f, it); err != nil {
		f.Close()
		h.r.Remove(name) // never leave corrupt or partial content behind
		return err
	}
	at, mt, hasTimes := times(it.d.Inode)
	timesSet := hasTimes && setFileTimes(f, at, mt) == nil
	if err := f.Close(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	if hasTimes && !timesSet {
		if err := h.r.Chtimes(name, at, mt); err != nil {
			a.warn("timestamps not set", it.imgPath)
		}
	}
	w.files++
	return nil
}

// copyData streams the unnamed data stream into f, checking its SHA-1 while
// writing (as wimlib does on extraction).
func (w *fileWriter) copyData(f *os.File, it planItem) error {
	a := w.a
	s := &it.d.Inode.Data
	if s.Size == 0 {
		return nil
	}
	b, err := a.blob(s, it, "data stream")
	if err != nil {
		return err
	}
	var r io.Reader
	if wb, ok := b.(*wim.WIMBlob); ok {
		w.br = wb.ReuseReader(w.br)
		r = w.br
	} else {
		rc, err := b.Open()
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
		}
		defer rc.Close()
		r = rc
	}
	h := w.h
	h.Reset()
	var n int64
	for n < s.Size {
		m, err := r.Read(w.buf[:min(int64(len(w.buf)), s.Size-n)])
		if m > 0 {
			if _, werr := f.Write(w.buf[:m]); werr != nil {
				return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, werr)
			}
			h.Write(w.buf[:m])
			n += int64(m)
			w.bytes += int64(m)
			a.prog.Advance(int64(m))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
		}
	}
	if n != s.Size {
		return fmt.Errorf("%w: %s: data stream ended after %d of %d bytes: %w", ErrApply, it.imgPath, n, s.Size, io.ErrUnexpectedEOF)
	}
	// Read to EOF so a verifying reader checks the SHA-1 of the whole blob
	// (a plain Read: io.Copy would use a WriterTo and its buffer).
	for {
		m, err := r.Read(w.buf[:512])
		if m != 0 {
			return fmt.Errorf("%w: %s: data stream is longer than %d bytes", ErrApply, it.imgPath, s.Size)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrApply, it.imgPath, err)
		}
	}
	var sum wim.Hash
	if !s.Hash.IsZero() && wim.Hash(h.Sum(sum[:0])) != s.Hash {
		return fmt.Errorf("%w: %s: content does not match SHA-1 %s: %w", ErrApply, it.imgPath, s.Hash, wim.ErrHashMismatch)
	}
	return nil
}

// dirCache holds open handles (os.Root) on destination directories, so
// each file costs one create relative to its directory instead of a walk
// from dest through every path component. Handles are opened through the
// root at dest (never escaping it, never following a link planted in the
// destination) and shared by the workers; at most maxOpenDirs unused ones
// stay open.
type dirCache struct {
	mu   sync.Mutex
	top  *dirHandle
	open map[string]*dirHandle
}

type dirHandle struct {
	r    *os.Root
	dir  *os.File // the same directory, for hosts with a faster create (see createIn)
	refs int
}

// create makes the new regular file name in the directory: exclusively
// (an existing entry, a symbolic link included, is an error, never
// followed), write-only, mode 0644.
func (h *dirHandle) create(name string) (*os.File, error) {
	if h.dir != nil {
		return createIn(h.dir, name)
	}
	return h.r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

func (h *dirHandle) close() {
	if h.dir != nil {
		h.dir.Close()
	}
	h.r.Close()
}

const maxOpenDirs = 128

func (c *dirCache) init(root *os.Root) {
	c.top = &dirHandle{r: root, dir: openDirFile(root)}
	c.open = map[string]*dirHandle{}
}

// get returns a handle on the directory rel ('/'-separated, "." = dest);
// release it with put.
func (c *dirCache) get(rel string) (*dirHandle, error) {
	if rel == "." {
		return c.top, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(rel)
}

func (c *dirCache) getLocked(rel string) (*dirHandle, error) {
	if rel == "." {
		return c.top, nil
	}
	if h := c.open[rel]; h != nil {
		h.refs++
		return h, nil
	}
	if len(c.open) >= maxOpenDirs {
		for k, h := range c.open {
			if h.refs == 0 {
				h.close()
				delete(c.open, k)
			}
		}
	}
	// Open one component below the parent's handle (itself opened the
	// same way): one openat per directory instead of a walk from dest.
	parent, name := ".", rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		parent, name = rel[:i], rel[i+1:]
	}
	p, err := c.getLocked(parent)
	if err != nil {
		return nil, err
	}
	r, err := p.r.OpenRoot(name)
	if p != c.top {
		p.refs--
	}
	if err != nil {
		return nil, err
	}
	h := &dirHandle{r: r, dir: openDirFile(r), refs: 1}
	c.open[rel] = h
	return h, nil
}

func (c *dirCache) put(h *dirHandle) {
	if h == c.top {
		return
	}
	c.mu.Lock()
	h.refs--
	c.mu.Unlock()
}

func (c *dirCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, h := range c.open {
		h.close()
		delete(c.open, k)
	}
	if c.top != nil && c.top.dir != nil {
		c.top.dir.Close()
		c.top.dir = nil
	}
}

func (a *applier) symlink(it planItem) error {
	in := it.d.Inode
	if in.ReparseTag != ReparseTagSymlink && in.ReparseTag != ReparseTagMountPoint {
		return nil // reported by noteUnsupported
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
	h, name, err := a.parent(it)
	if err != nil {
		return err
	}
	defer a.dirs.put(h)
	if err := clearName(h.r, name, it); err != nil {
		return err
	}
	if err := h.r.Symlink(target, name); err != nil {
		if symlinkMayBeUnsupported(err) {
			a.warn("symbolic links not created (the host refused them)", it.imgPath)
			return nil
		}
		return fmt.Errorf("%w: %s: %v", ErrApply, it.imgPath, err)
	}
	a.sum.Symlinks++
	return nil
}

// setTimes sets the last access and last write times of a directory
// (failures are reported as a warning: some hosts cannot store every
// FILETIME).
func (a *applier) setTimes(it planItem) {
	at, mt, ok := times(it.d.Inode)
	if !ok {
		return
	}
	dir, name := it.split()
	if it.rel == "." {
		dir, name = ".", "."
	}
	h, err := a.dirs.get(dir)
	if err == nil {
		err = h.r.Chtimes(name, at, mt)
		a.dirs.put(h)
	}
	if err != nil {
		a.warn("timestamps not set", it.imgPath)
	}
}

// times returns the host times for an inode (ok false: none recorded).
func times(in *wim.Inode) (atime, mtime time.Time, ok bool) {
	if in.LastWriteTime == 0 {
		return
	}
	at := in.LastAccessTime
	if at == 0 {
		at = in.LastWriteTime
	}
	return FromFiletime(at), FromFiletime(in.LastWriteTime), true
}
