package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/wimbuild/wimbuild/bcd/regf"
	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/dsl"
	"github.com/wimbuild/wimbuild/internal/progress"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

type contextT = context.Context

func parseArch(s string) (winpe.Arch, error) { return winpe.ParseArch(s) }

// stepProgress adapts a running step's progress to progress.Reporter.
func stepProgress(rc *RunContext) progress.Reporter { return &stepReporter{rc: rc} }

// stepReporter is safe for concurrent Advance calls (progress.Reporter's
// contract: e.g. wim.Verify's workers).
type stepReporter struct {
	rc          *RunContext
	mu          sync.Mutex
	done, total int64
}

func (s *stepReporter) Begin(_ string, total int64) {
	s.mu.Lock()
	s.total, s.done = total, 0
	s.mu.Unlock()
}
func (s *stepReporter) Advance(n int64) {
	s.mu.Lock()
	s.done += n
	done, total := s.done, s.total
	s.mu.Unlock()
	s.rc.Progress(done, total)
}
func (s *stepReporter) End() {}

// treeNames checks the names of a files source's entries, one by one.
type treeNames struct {
	seen map[string]string // upper-cased relative path -> host path
}

// check reports what keeps entry rel (host path abs) out of an image: a
// symbolic link, a name Windows cannot hold, or a name that differs only
// in case from an earlier entry's.
func (n *treeNames) check(r hcl.Range, rel, abs string, link bool) *hcl.Diagnostic {
	if link {
		return diag(r, "Symbolic link in files source",
			fmt.Sprintf("%s is a symbolic link. Files blocks copy regular files and directories; replace the link with the file it points to.", abs))
	}
	for _, c := range strings.Split(rel, "/") {
		if err := windowsName(c); err != nil {
			return diag(r, "File name not allowed in a Windows image",
				fmt.Sprintf("%s: %v. Rename it on the host (a '\\' in a host name would become a directory in the image).", abs, err))
		}
	}
	// Windows names ignore case: two host files differing only in case
	// would be one file in the image, the second silently replacing the
	// first.
	if n.seen == nil {
		n.seen = map[string]string{}
	}
	k := strings.ToUpper(rel)
	if other, dup := n.seen[k]; dup {
		return diag(r, "Two files with one Windows name",
			fmt.Sprintf("%s and %s differ only in case; in a Windows image they are the same file. Keep one.", other, abs))
	}
	n.seen[k] = abs
	return nil
}

// plural spells n things: "1 change", "2 changes".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// windowsName checks one file name for a Windows image: what WIM names
// cannot hold, and what Windows cannot use (wim.WindowsNameProblem).
func windowsName(c string) error {
	if err := wim.ValidateName(c); err != nil {
		return err
	}
	if why := wim.WindowsNameProblem(c); why != "" {
		return fmt.Errorf("name %q %s", c, why)
	}
	return nil
}

// locatedError is a step failure caused by one attribute of the recipe
// rather than by the block that asked for the step; StepError reports the
// attribute's place.
type locatedError struct {
	where string
	err   error
}

func (e *locatedError) Error() string { return e.err.Error() }
func (e *locatedError) Unwrap() error { return e.err }

// errAt locates err at r; an attribute the recipe did not write (zero
// range) leaves it at its step's block.
func errAt(r hcl.Range, err error) error {
	if r.Filename == "" {
		return err
	}
	return &locatedError{where: where(r), err: err}
}

// imagePath converts a recipe image path ("/Windows/System32/x") to the
// tree's form ("\Windows\System32\x"), rejecting anything unsafe.
func imagePath(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty image path")
	}
	s := strings.ReplaceAll(p, "\\", "/")
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("image path %q must be absolute (start with /)", p)
	}
	var parts []string
	for _, c := range strings.Split(s, "/") {
		if c == "" {
			continue
		}
		if err := windowsName(c); err != nil {
			return "", fmt.Errorf("image path %q: %w", p, err)
		}
		parts = append(parts, c)
	}
	return `\` + strings.Join(parts, `\`), nil
}

// edit builds an image-editing step: load the input state, apply fn,
// store the result.
func (p *Plan) edit(id, kind string, ver int, label string, r hcl.Range, prev *Step, key *cache.KeyBuilder,
	fn func(ctx context.Context, rc *RunContext, st *imageState) error) *Step {
	st := &Step{ID: id, Kind: kind, Label: label, Where: where(r), Deps: []*Step{prev}}
	st.Key = key.Input("in", prev.Key).Sum()
	st.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
		s, err := p.inputState(rc, prev)
		if err != nil {
			return cache.Action{}, err
		}
		if err := fn(ctx, rc, s); err != nil {
			return cache.Action{}, err
		}
		a, err := storeState(rc, s, rc.Input(prev).Meta)
		if err == nil {
			p.keepState(st, s)
		}
		return a, err
	}
	return st
}

func (p *Plan) ft() uint64 { return sample.FileTime(p.epoch) }

func (p *Plan) imageSteps(img *dsl.Image) hcl.Diagnostics {
	var diags hcl.Diagnostics
	name := "image." + img.Name
	var prev *Step
	switch img.From.Kind {
	case dsl.RefSource:
		src := p.srcOf[img.From.Key()]
		if src == nil {
			if p.failed[img.From.Key()] { // reported already
				p.failed[name] = true
				return nil
			}
			return hcl.Diagnostics{diag(img.From.Range, "Unknown source", img.From.Key()+" is not built.")}
		}
		var s *dsl.Source
		for _, x := range p.Recipe.Sources {
			if x.Ref().Key() == img.From.Key() {
				s = x
			}
		}
		prev = p.openStep(name, img, s, src)
	case dsl.RefImage:
		prev = p.final[img.From.Name]
		if prev == nil {
			if p.failed[img.From.Key()] { // reported already
				p.failed[name] = true
				return nil
			}
			return hcl.Diagnostics{diag(img.From.Range, "Unknown image", img.From.Key()+" is not built.")}
		}
	default:
		return hcl.Diagnostics{diag(img.DeclRange, "Image without a base", "Set from = source.TYPE.NAME or image.NAME.")}
	}
	ft := p.ft()
	for i, s := range img.Steps {
		id := fmt.Sprintf("%s/%s#%d", name, s.Kind(), i+1)
		var next *Step
		switch s := s.(type) {
		case *dsl.FilesStep:
			next, diags = p.filesStep(id, name, s, prev, ft, diags)
		case *dsl.FileStep:
			next, diags = p.fileStep(id, name, s, prev, ft, diags)
		case *dsl.DeleteStep:
			var paths []string
			for _, d := range s.Paths {
				ip, err := imagePath(d.Value)
				if err != nil {
					diags = append(diags, diag(d.Range, "Invalid image path", err.Error()))
					continue
				}
				paths = append(paths, ip)
			}
			next = p.edit(id, "delete", verDelete, name+": delete "+strings.Join(paths, ", "), s.DeclRange, prev,
				cache.NewKey("delete", verDelete).Strings("paths", paths),
				func(ctx context.Context, rc *RunContext, st *imageState) error {
					// Deleting what is not there is not an error: one recipe
					// serves base images that differ in such files.
					for _, ip := range paths {
						if err := st.img.Remove(ip); err != nil && !errors.Is(err, wim.ErrNotFound) {
							return fmt.Errorf("deleting %s: %w", ip, err)
						}
					}
					return nil
				})
		case *dsl.RegistryStep:
			next, diags = p.registryStep(id, name, s, prev, ft, diags)
		case *dsl.ScratchSpaceStep:
			mb := s.MB.Value
			if err := winpe.ValidateScratchSpace(int(mb)); err != nil {
				diags = append(diags, diag(s.MB.Range, "Invalid scratch space", err.Error()))
				continue
			}
			next = p.edit(id, "scratch_space", verScratch, fmt.Sprintf("%s: scratch space %d MB", name, mb), s.MB.Range, prev,
				cache.NewKey("scratch_space", verScratch).Int("mb", mb),
				func(ctx context.Context, rc *RunContext, st *imageState) error {
					return editHive(rc, st, "SYSTEM", ft, func(h *regf.Hive) error {
						cs, err := currentControlSet(h)
						if err != nil {
							return err
						}
						k, err := h.CreateKey(cs + `\Services\FBWF`)
						if err != nil {
							return err
						}
						return k.SetDWORD(winpe.ScratchSpaceValue, uint32(mb))
					})
				})
		case *dsl.PackageStep, *dsl.LanguageStep, *dsl.UILanguageStep:
			diags = append(diags, noServicing(s))
			continue
		default:
			diags = append(diags, diag(s.StepRange(), "Unsupported step", fmt.Sprintf("%s blocks cannot be built.", s.Kind())))
			continue
		}
		if next != nil {
			prev = next
		}
	}
	if l := p.launchStep(name, img, prev, ft, &diags); l != nil {
		prev = l
	}
	prev = p.metadataStep(name, img, prev, p.inheritedLaunch(img))
	p.final[img.Name] = prev
	p.Exports[img.Name] = p.exportStep(name, img, prev)
	return diags
}

func (p *Plan) openStep(name string, img *dsl.Image, s *dsl.Source, src *Step) *Step {
	st := &Step{ID: name + "/open", Kind: "open", Where: where(img.DeclRange), Deps: []*Step{src}}
	index, imageName, declArch := int64(0), "", ""
	var indexAt, nameAt, archAt hcl.Range // where the source says them
	if s != nil {
		index, imageName, declArch = s.Index.Value, s.ImageName.Value, s.Arch.Value
		indexAt, nameAt, archAt = s.Index.Range, s.ImageName.Range, s.Arch.Range
	}
	st.Label = fmt.Sprintf("%s: open %s", name, img.From.Key())
	srcName := img.From.Key()
	if s != nil && s.Type == dsl.SourceWIM {
		srcName = s.Path.Rel
	}
	st.Key = cache.NewKey("open", verOpen).Input("wim", src.Key).Int("index", index).String("image_name", imageName).
		String("arch", declArch).Sum()
	st.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
		d := rc.Input(src).Outputs["wim"].Digest
		pth, err := rc.Cache.BlobPath(d)
		if err != nil {
			return cache.Action{}, err
		}
		w, err := wim.OpenFile(pth)
		if err != nil {
			// Name the user's file, not its copy in the cache.
			if msg := err.Error(); strings.Contains(msg, pth) {
				return cache.Action{}, errors.New(strings.ReplaceAll(msg, pth, srcName))
			}
			return cache.Action{}, fmt.Errorf("%s: %w", srcName, err)
		}
		defer w.Close()
		idx := int(index)
		if idx == 0 && imageName != "" {
			for i := 1; i <= w.ImageCount(); i++ {
				if in := w.Info(); in != nil && i-1 < len(in.Images) && in.Images[i-1].Name == imageName {
					idx = i
				}
			}
			if idx == 0 {
				return cache.Action{}, errAt(nameAt, fmt.Errorf("the base WIM has no image named %q", imageName))
			}
		}
		if idx == 0 {
			idx = w.BootIndex()
			if idx == 0 {
				idx = 1
			}
		}
		if idx < 1 || idx > w.ImageCount() {
			return cache.Action{}, errAt(indexAt, fmt.Errorf("the base WIM has %d images; index %d does not exist", w.ImageCount(), idx))
		}
		im, err := w.Image(idx)
		if err != nil {
			return cache.Action{}, fmt.Errorf("base image %d: %w", idx, err)
		}
		meta := map[string]string{"index": strconv.Itoa(idx)}
		if wp, ok := im.Info.WindowsInfo(); ok {
			if a, err := winpe.ArchFromWIM(wp.Arch); err == nil {
				meta["arch"] = string(a)
				if declArch != "" {
					da, _ := winpe.ParseArch(declArch)
					if da != a {
						return cache.Action{}, errAt(archAt, fmt.Errorf("the source declares arch %q but image %d of the WIM is %s", declArch, idx, a))
					}
				}
			}
			v := wp.Version
			meta["version"] = fmt.Sprintf("%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.SPBuild)
		} else if declArch != "" {
			meta["arch"] = declArch
		}
		s := &imageState{img: im, man: manifest{WIMs: []cache.Digest{d}, Extra: map[string]cache.Digest{}}}
		a, err := storeState(rc, s, meta)
		if err == nil {
			p.keepState(st, s)
		}
		return a, err
	}
	return st
}

func newFileInode(ft uint64, h wim.Hash, size int64) *wim.Inode {
	in := &wim.Inode{Attributes: wim.AttrArchive, SecurityID: wim.SecurityInherit,
		CreationTime: ft, LastAccessTime: ft, LastWriteTime: ft}
	in.Data = wim.Stream{Hash: h, Size: size}
	return in
}

// putFile places content at ip, replacing a file that is there.
func putFile(st *imageState, ip string, h wim.Hash, size int64, ft uint64) error {
	if d, err := st.img.Lookup(ip); err == nil {
		if d.IsDir() {
			return fmt.Errorf("%s is a directory in the image; a file cannot replace it", ip)
		}
		// Keep the existing file's name (its case and short name, as
		// Windows does when a file is overwritten), attributes and
		// security; new content and times. A new inode: other hard links
		// to the old file keep the old content.
		in := *d.Inode
		in.Data = wim.Stream{Hash: h, Size: size}
		in.LastWriteTime, in.LastAccessTime = ft, ft
		if in.SecurityID < 0 {
			in.SecurityID = wim.SecurityInherit
		}
		parent, err := st.img.Lookup(parentImagePath(ip))
		if err != nil {
			return err
		}
		if err := st.img.Remove(ip); err != nil {
			return err
		}
		nd := wim.NewDentry(d.Name, &in)
		nd.ShortName = d.ShortName
		return st.img.AddDentry(parent, nd)
	}
	dir, err := st.img.MkdirAllAt(parentImagePath(ip), ft)
	if err != nil {
		return err
	}
	return st.img.AddDentry(dir, wim.NewDentry(ip[strings.LastIndexByte(ip, '\\')+1:], newFileInode(ft, h, size)))
}

// trackedReader remembers its reader's failure, to tell it from the
// writer's.
type trackedReader struct {
	r   io.Reader
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// parentImagePath is the directory holding the image path ip (`\` for
// the root's children).
func parentImagePath(ip string) string {
	i := strings.LastIndexByte(ip, '\\')
	if i <= 0 {
		return `\`
	}
	return ip[:i]
}

func (p *Plan) filesStep(id, name string, s *dsl.FilesStep, prev *Step, ft uint64, diags hcl.Diagnostics) (*Step, hcl.Diagnostics) {
	dest, err := imagePath(s.Destination.Value)
	if err != nil {
		return nil, append(diags, diag(s.Destination.Range, "Invalid destination", err.Error()))
	}
	entries, tree, err := p.memo.TreeDigest(s.Source.Abs)
	if err != nil {
		return nil, append(diags, diag(s.Source.Range, "Cannot read the files", err.Error()))
	}
	fi, err := os.Stat(s.Source.Abs)
	if err != nil {
		return nil, append(diags, diag(s.Source.Range, "Cannot read the files", err.Error()))
	}
	isDir := fi.IsDir()
	var names treeNames
	for _, e := range entries {
		if d := names.check(s.Source.Range, e.Rel, e.Abs, e.Link != ""); d != nil {
			return nil, append(diags, d)
		}
	}
	toDir := strings.HasSuffix(s.Destination.Value, "/")
	key := cache.NewKey("files", verFiles).String("dest", dest).Bool("to_dir", toDir).Input("tree", tree).Int("time", int64(ft))
	return p.edit(id, "files", verFiles, fmt.Sprintf("%s: add %s to %s", name, s.Source.Rel, dest), s.DeclRange, prev, key,
		func(ctx context.Context, rc *RunContext, st *imageState) error {
			for _, e := range entries {
				if err := ctx.Err(); err != nil {
					return err
				}
				var ip string
				switch {
				case isDir:
					ip = joinImage(dest, e.Rel)
				case toDir:
					ip = joinImage(dest, path.Base(e.Rel))
				default:
					if d, err := st.img.Lookup(dest); err == nil && d.IsDir() {
						ip = joinImage(dest, path.Base(e.Rel))
					} else {
						ip = dest
					}
				}
				if e.Dir {
					if _, err := st.img.MkdirAllAt(ip, ft); err != nil {
						return fmt.Errorf("creating %s: %w", ip, err)
					}
					continue
				}
				if e.Size > 0 && !e.SHA1.IsZero() && rc.Cache.HasBlob(e.Digest) {
					// Stored by an earlier run (this step re-runs because
					// another file changed): the planned digests stand for
					// the content, so it is neither read nor stored again.
					st.man.Extra[e.SHA1.String()] = e.Digest
					if err := putFile(st, ip, e.SHA1, e.Size, ft); err != nil {
						return fmt.Errorf("adding %s: %w", ip, err)
					}
					continue
				}
				f, err := os.Open(e.Abs)
				if err != nil {
					return err
				}
				tr := &trackedReader{r: f}
				h, n, err := st.putContent(rc.Cache, tr)
				f.Close()
				if err != nil && tr.err == nil { // the cache failed, not the file
					return fmt.Errorf("storing %s in the cache %s: %w", e.Abs, rc.Cache.Dir(), err)
				}
				if err != nil {
					return fmt.Errorf("reading %s: %w", e.Abs, err)
				}
				if digestMismatch(rc, st, h, e.Digest) {
					return fmt.Errorf("%s changed while the build was running", e.Abs)
				}
				if err := putFile(st, ip, h, n, ft); err != nil {
					return fmt.Errorf("adding %s: %w", ip, err)
				}
			}
			if isDir {
				if _, err := st.img.MkdirAllAt(dest, ft); err != nil {
					return err
				}
			}
			return nil
		}), diags
}

// digestMismatch reports whether the content just stored under SHA-1 h is
// not the content planned (sha256 want).
func digestMismatch(rc *RunContext, st *imageState, h wim.Hash, want cache.Digest) bool {
	if want == "" {
		return false
	}
	if h.IsZero() { // empty now
		return want != cache.DigestBytes(nil)
	}
	got, ok := st.man.Extra[h.String()]
	return ok && got != want
}

func joinImage(dir, rel string) string {
	rel = strings.ReplaceAll(rel, "/", `\`)
	if dir == `\` {
		return `\` + rel
	}
	return dir + `\` + rel
}

func (p *Plan) fileStep(id, name string, s *dsl.FileStep, prev *Step, ft uint64, diags hcl.Diagnostics) (*Step, hcl.Diagnostics) {
	ip, err := imagePath(s.Path.Value)
	if err != nil {
		return nil, append(diags, diag(s.Path.Range, "Invalid image path", err.Error()))
	}
	key := cache.NewKey("file", verFile).String("path", ip).Int("time", int64(ft))
	var content []byte
	var srcPath string
	switch {
	case s.Content != nil:
		content = []byte(s.Content.Value)
		key.Bytes("content", content)
	case s.Source != nil:
		d, _, err := p.memo.FileDigest(s.Source.Abs)
		if err != nil {
			return nil, append(diags, diag(s.Source.Range, "Cannot read the file", err.Error()))
		}
		srcPath = s.Source.Abs
		key.Input("source", d)
	default:
		return nil, append(diags, diag(s.DeclRange, "File without content", "Set content or source."))
	}
	return p.edit(id, "file", verFile, fmt.Sprintf("%s: write %s", name, ip), s.DeclRange, prev, key,
		func(ctx context.Context, rc *RunContext, st *imageState) error {
			var h wim.Hash
			var n int64
			var err error
			if srcPath != "" {
				f, ferr := os.Open(srcPath)
				if ferr != nil {
					return ferr
				}
				h, n, err = st.putContent(rc.Cache, f)
				f.Close()
			} else {
				h, n, err = st.putContent(rc.Cache, bytes.NewReader(content))
			}
			if err != nil {
				return err
			}
			return putFile(st, ip, h, n, ft)
		}), diags
}

// hivePath is where an offline hive lives in the image.
func hivePath(hive string) string { return `\Windows\System32\config\` + strings.ToUpper(hive) }

// editHive loads a hive from the image, lets fn edit it, and writes it back.
func editHive(rc *RunContext, st *imageState, hive string, ft uint64, fn func(h *regf.Hive) error) error {
	hp := hivePath(hive)
	d, err := st.img.Lookup(hp)
	if err != nil {
		return fmt.Errorf("the image has no %s hive at %s", hive, hp)
	}
	if d.IsDir() {
		return fmt.Errorf("the image's %s is a directory, not a %s hive", hp, hive)
	}
	data, err := st.readStream(rc.Cache, d.Inode.Data, hp)
	if err != nil {
		return err
	}
	h, err := regf.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", hp, err)
	}
	// Keys the edit creates or changes, and the hive itself, carry the
	// build's time, as every other time in the output.
	h.KeyTime, h.Timestamp = ft, ft
	if err := fn(h); err != nil {
		return fmt.Errorf("%s: %w", hp, err)
	}
	out, err := h.Marshal()
	if err != nil {
		return fmt.Errorf("%s: %w", hp, err)
	}
	hh, n, err := st.putContent(rc.Cache, bytes.NewReader(out))
	if err != nil {
		return err
	}
	return putFile(st, hp, hh, n, ft)
}

// currentControlSet returns "ControlSet00N" as SYSTEM\Select\Current says.
func currentControlSet(h *regf.Hive) (string, error) {
	if k, err := h.Key("Select"); err == nil {
		if v := k.Value("Current"); v != nil {
			if n, err := v.DWORD(); err == nil && n > 0 && n < 1000 {
				return fmt.Sprintf("ControlSet%03d", n), nil
			}
		}
	}
	return "ControlSet001", nil
}

func (p *Plan) registryStep(id, name string, s *dsl.RegistryStep, prev *Step, ft uint64, diags hcl.Diagnostics) (*Step, hcl.Diagnostics) {
	opsJSON, err := json.Marshal(s.Ops)
	if err != nil {
		return nil, append(diags, diag(s.DeclRange, "Invalid registry operations", err.Error()))
	}
	hive := strings.ToUpper(s.Hive.Value)
	ops := s.Ops
	key := cache.NewKey("registry", verRegistry).String("hive", hive).Bytes("ops", opsJSON).Int("time", int64(ft))
	return p.edit(id, "registry", verRegistry, fmt.Sprintf("%s: edit %s hive (%s)", name, hive, plural(len(ops), "change")), s.DeclRange, prev, key,
		func(ctx context.Context, rc *RunContext, st *imageState) error {
			return editHive(rc, st, hive, ft, func(h *regf.Hive) error {
				for _, op := range ops {
					if err := applyRegOp(h, op); err != nil {
						return fmt.Errorf("%s (%s): %w", op.Key.Value, where(op.DeclRange), err)
					}
				}
				return nil
			})
		}), diags
}

func applyRegOp(h *regf.Hive, op dsl.RegistryOp) error {
	switch op.Op {
	// Deleting what is not there is not an error, as for image paths: one
	// recipe serves base images that differ in such keys and values.
	case dsl.RegDeleteKey:
		if err := h.DeleteKey(op.Key.Value); err != nil && !errors.Is(err, regf.ErrNotFound) {
			return err
		}
		return nil
	case dsl.RegDeleteValue:
		k, err := h.Key(op.Key.Value)
		if errors.Is(err, regf.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		k.DeleteValue(op.Name.Value)
		return nil
	case dsl.RegSet:
		k, err := h.CreateKey(op.Key.Value)
		if err != nil {
			return err
		}
		n := op.Name.Value
		switch op.Type.Value {
		case dsl.RegSZ:
			return k.SetString(n, op.String)
		case dsl.RegExpandSZ:
			return k.SetExpandString(n, op.String)
		case dsl.RegMultiSZ:
			return k.SetMultiString(n, op.Strings)
		case dsl.RegDword:
			if op.Integer > 0xFFFFFFFF {
				return fmt.Errorf("%d does not fit a dword", op.Integer)
			}
			return k.SetDWORD(n, uint32(op.Integer))
		case dsl.RegQword:
			return k.SetQWORD(n, op.Integer)
		case dsl.RegBinary:
			return k.SetBinary(n, op.Bytes)
		case dsl.RegNone:
			return k.SetValue(n, regf.REG_NONE, op.Bytes)
		}
		return fmt.Errorf("unknown value type %q", op.Type.Value)
	}
	return fmt.Errorf("unknown registry operation %q", op.Op)
}
