package builder

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/dsl"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe/sample"
)

// Options configure planning and building.
type Options struct {
	Cache *cache.Cache
	// Targets limits the build to these blocks ("image.boot"); empty = all.
	Targets []string
	// OutDir overrides the recipe's output directory.
	OutDir string
	// Jobs is the number of steps run at once (default: CPU count).
	Jobs int
	// Threads is the number of compression threads per export (default:
	// CPU count).
	Threads int
	// NoCache runs every step and stores nothing.
	NoCache bool
	// Observe receives step events.
	Observe Observer
}

// Plan is a recipe turned into a graph of steps.
type Plan struct {
	Recipe *dsl.Recipe
	// Steps are all steps, in a deterministic dependency order.
	Steps []*Step
	// Exports maps image names to their export steps.
	Exports map[string]*Step
	// ImageOrder lists the exported images in recipe order.
	ImageOrder []string
	OutDir     string

	opts   Options
	memo   *digestMemo
	epoch  int64
	final  map[string]*Step // image name -> last tree step
	arch   map[string]string
	srcOf  map[string]*Step // "source.T.N" -> source step
	images map[string]*dsl.Image

	// Image states produced in this build, handed to the steps that
	// consume them without a round trip through the cache encoding.
	memMu sync.Mutex
	// failed names sources and images already reported as unbuildable,
	// so what is built from them adds no knock-on errors.
	failed    map[string]bool
	mem       map[*Step]*imageState
	present   map[cache.Digest]bool // blobs stateStored found stored
	consumers map[*Step]int
}

// Step implementation versions: bump one when its output for the same
// inputs changes, so old cache entries stop matching.
const (
	verSourceWIM    = 2
	verSourceSample = 1
	verOpen         = 1
	verFiles        = 2
	verFile         = 2
	verDelete       = 1
	verRegistry     = 2
	verScratch      = 2
	verLaunch       = 3
	verMetadata     = 2
	verExport       = 1
)

func where(r hcl.Range) string {
	if r.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

func diag(r hcl.Range, summary, detail string) *hcl.Diagnostic {
	rr := r
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rr}
}

// NewPlan turns an evaluated recipe into a graph of steps with cache keys.
// Host inputs are digested (content, not paths or times) to compute keys.
// Problems are returned as diagnostics pointing at the recipe.
func NewPlan(r *dsl.Recipe, o Options) (*Plan, hcl.Diagnostics) {
	p, diags := newPlan(r, o)
	// Sensitive values stay out of what is shown: diagnostics here, step
	// labels in progress output and errors (Build masks its errors too).
	r.MaskDiagnostics(diags)
	if p != nil {
		for _, s := range p.Steps {
			s.Label = r.Mask(s.Label)
		}
		if obs := p.opts.Observe; obs != nil {
			p.opts.Observe = func(e Event) {
				if e.Err != nil {
					e.Err = maskedError{e.Err, r}
				}
				obs(e)
			}
		}
	}
	return p, diags
}

func newPlan(r *dsl.Recipe, o Options) (*Plan, hcl.Diagnostics) {
	if o.Cache == nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No build cache", Detail: "The builder needs a cache directory."}}
	}
	p := &Plan{
		Recipe: r, Exports: map[string]*Step{}, opts: o,
		memo:  openDigestMemo(o.Cache.Dir()),
		epoch: r.Settings.SourceDateEpoch.Value,
		final: map[string]*Step{}, arch: map[string]string{}, srcOf: map[string]*Step{}, images: map[string]*dsl.Image{},
		failed: map[string]bool{},
	}
	p.OutDir = r.Output.Dir.Abs
	if o.OutDir != "" {
		p.OutDir, _ = filepath.Abs(o.OutDir)
	}
	if p.OutDir == "" {
		p.OutDir = filepath.Join(r.Root, "out")
	}
	var diags hcl.Diagnostics
	if d := p.checkOutputs(); d.HasErrors() {
		// Planning on would read (and hash) what the build writes.
		return nil, append(diags, d...)
	}
	if len(o.Targets) == 0 {
		diags = append(diags, unbuiltOutputs(r)...)
	}
	wanted, d := p.targets()
	diags = append(diags, d...)
	for _, s := range r.Sources {
		st, d := p.sourceStep(s)
		diags = append(diags, d...)
		if st != nil {
			p.srcOf[s.Ref().Key()] = st
		} else if d.HasErrors() {
			p.failed[s.Ref().Key()] = true
		}
	}
	for _, img := range r.Images {
		p.images[img.Name] = img
	}
	// Images in dependency order (images from images come after their base).
	var order []*dsl.Image
	seen := map[string]bool{}
	var visit func(img *dsl.Image)
	visit = func(img *dsl.Image) {
		if seen[img.Name] {
			return
		}
		seen[img.Name] = true
		if img.From.Kind == dsl.RefImage {
			if base := p.images[img.From.Name]; base != nil {
				visit(base)
			}
		}
		order = append(order, img)
	}
	for _, img := range r.Images {
		visit(img)
	}
	for _, img := range order {
		d := p.imageSteps(img)
		if d.HasErrors() {
			p.failed["image."+img.Name] = true
		}
		diags = append(diags, d...)
	}
	if diags.HasErrors() {
		// Keep the hashing done so far, but create nothing for a
		// refused plan.
		p.memo.saveIfDirExists()
		return nil, diags
	}
	// Keep only what the targets need.
	var roots []*Step
	for _, img := range r.Images {
		if wanted == nil || wanted[img.Ref().Key()] {
			roots = append(roots, p.Exports[img.Name])
			p.ImageOrder = append(p.ImageOrder, img.Name)
		}
	}
	for name := range p.Exports {
		if wanted != nil && !wanted["image."+name] {
			delete(p.Exports, name)
		}
	}
	closure := map[*Step]bool{}
	var add func(s *Step)
	add = func(s *Step) {
		if closure[s] {
			return
		}
		closure[s] = true
		for _, d := range s.Deps {
			add(d)
		}
	}
	for _, s := range roots {
		add(s)
	}
	var steps []*Step
	for s := range closure {
		steps = append(steps, s)
	}
	ordered, err := Validate(steps)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid build graph", Detail: err.Error()})
	}
	p.Steps = ordered
	p.present = map[cache.Digest]bool{}
	for _, s := range ordered {
		s.Valid = p.stateStored
	}
	p.mem = map[*Step]*imageState{}
	p.consumers = map[*Step]int{}
	for _, s := range ordered {
		for _, d := range s.Deps {
			p.consumers[d]++
		}
	}
	if !diags.HasErrors() {
		p.memo.Save()
	} else {
		p.memo.saveIfDirExists()
	}
	return p, diags
}

// checkOutputs refuses what the build writes where it reads: an output
// directory that is the recipe directory (as output { dir } is refused;
// --out could name it), an output file — <image>.wim or artifacts.json —
// that is a base image or a file the recipe adds, and a files source that
// holds the output directory or the cache (every build would copy the
// previous build's files into the image, and never be cached).
func (p *Plan) checkOutputs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	if samePath(p.OutDir, p.Recipe.Root) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Output directory is the recipe directory",
			Detail: fmt.Sprintf("%s is the recipe directory; writing outputs there would mix them with the recipe and its inputs. Use a subdirectory such as \"out\".", p.OutDir)})
		return diags
	}
	outs := map[string]string{filepath.Join(p.OutDir, "artifacts.json"): "artifacts.json"}
	for _, img := range p.Recipe.Images {
		outs[filepath.Join(p.OutDir, img.Name+".wim")] = img.Name + ".wim"
	}
	input := func(path string, r hcl.Range, what string) {
		for o, name := range outs {
			if samePath(o, path) {
				diags = append(diags, diag(r, "Output would overwrite an input",
					fmt.Sprintf("The build writes %s to %s, which is the %s it reads. Choose another output directory (output { dir } or --out).", name, o, what)))
			}
		}
	}
	for _, s := range p.Recipe.Sources {
		if s.Type == dsl.SourceWIM {
			input(s.Path.Abs, s.Path.Range, "base image")
		}
	}
	for _, img := range p.Recipe.Images {
		for _, st := range img.Steps {
			switch st := st.(type) {
			case *dsl.FileStep:
				if st.Source != nil {
					input(st.Source.Abs, st.Source.Range, "file")
				}
			case *dsl.FilesStep:
				input(st.Source.Abs, st.Source.Range, "file")
				for _, o := range []struct{ what, dir string }{{"output directory", p.OutDir}, {"build cache", p.opts.Cache.Dir()}} {
					if dsl.Within(st.Source.Abs, o.dir) {
						diags = append(diags, diag(st.Source.Range, "Files source contains the "+o.what,
							fmt.Sprintf("%s contains the %s %s, so every build would copy the previous build's files into the image (and never be cached). Give the overlay its own directory (e.g. overlay/), or move the %s outside it.", st.Source.Rel, o.what, o.dir, o.what)))
					}
				}
			}
		}
	}
	return diags
}

// samePath reports whether a and b name the same file: equal cleaned paths
// (ignoring case where file names ignore it), or the same existing file.
func samePath(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	if a == b || (runtime.GOOS == "windows" || runtime.GOOS == "darwin") && strings.EqualFold(a, b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// Check reports, from the recipe alone (no host files, no cache), what
// this release of the builder refuses or leaves out: package, language and
// UI-language blocks (errors), launch settings it cannot write (errors),
// PXE bundles and media (warnings). Planning reports the same; validate runs
// Check so a recipe it calls valid is one the builder takes.
func Check(r *dsl.Recipe) hcl.Diagnostics {
	diags := Unbuildable(r)
	for _, img := range r.Images {
		lc, d := launchConfigOf(img)
		diags = append(diags, d...)
		if lc != nil {
			diags = append(diags, launchConflicts(img, lc, false)...)
		}
	}
	return diags
}

// Unbuildable reports what this release cannot build (package, language
// and ui_language steps: errors; PXE bundles and media: warnings). It
// needs only the recipe's shape, so it also runs on a recipe with other
// errors: a user learns this before fixing everything else (e.g. copying
// ADK cabs in for a recipe that cannot be built anyway).
func Unbuildable(r *dsl.Recipe) hcl.Diagnostics {
	diags := unbuiltOutputs(r)
	for _, img := range r.Images {
		for _, s := range img.Steps {
			switch s.(type) {
			case *dsl.PackageStep, *dsl.LanguageStep, *dsl.UILanguageStep:
				diags = append(diags, noServicing(s))
			}
		}
	}
	return diags
}

// CheckFiles reports what the builder refuses in the host files a recipe
// adds, without reading their contents: names in files sources that a
// Windows image cannot hold, case-twins and symbolic links (validate
// --check-files; planning reports the same).
func CheckFiles(r *dsl.Recipe) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, img := range r.Images {
		for _, st := range img.Steps {
			fs, ok := st.(*dsl.FilesStep)
			if !ok {
				continue
			}
			root := fs.Source.Abs
			if real, err := filepath.EvalSymlinks(root); err == nil {
				root = real
			}
			if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
				continue
			}
			var names treeNames
			found := 0
			filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
				if err != nil || p == root {
					return nil
				}
				rel, _ := filepath.Rel(root, p)
				if d := names.check(fs.Source.Range, filepath.ToSlash(rel), p, de.Type()&os.ModeSymlink != 0); d != nil {
					// Every problem, as validate promises (bounded:
					// a tree of bad names says enough in 20).
					diags = append(diags, d)
					if found++; found == 20 {
						return filepath.SkipAll
					}
				}
				return nil
			})
		}
	}
	return diags
}

// unbuiltOutputs warns about the recipe's PXE bundles and media.
func unbuiltOutputs(r *dsl.Recipe) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, px := range r.PXE {
		d := diag(px.DeclRange, "PXE bundle not built",
			fmt.Sprintf("This version of wimbuild builds boot, capture and discover images; pxe %q is validated but its bundle is not written. The images it lists are built.", px.Name))
		d.Severity = hcl.DiagWarning
		diags = append(diags, d)
	}
	for _, m := range r.Media {
		d := diag(m.DeclRange, "Bootable medium not built",
			fmt.Sprintf("This version of wimbuild builds boot, capture and discover images; media %q is validated but not written. The image it uses is built.", m.Name))
		d.Severity = hcl.DiagWarning
		diags = append(diags, d)
	}
	return diags
}

// noServicing is the error for package, language and ui_language blocks.
func noServicing(s dsl.Step) *hcl.Diagnostic {
	return diag(s.StepRange(), "Package servicing is not available yet",
		fmt.Sprintf("This version of wimbuild cannot apply %s blocks: adding WinPE packages, language packs and UI languages needs the offline servicing engine, which is not part of this release. Build an image without them, or start from a base image that already contains them.", s.Kind()))
}

func (p *Plan) targets() (map[string]bool, hcl.Diagnostics) {
	if len(p.opts.Targets) == 0 {
		return nil, nil
	}
	known := map[string]bool{}
	for _, img := range p.Recipe.Images {
		known[img.Ref().Key()] = true
	}
	want := map[string]bool{}
	var diags hcl.Diagnostics
	for _, t := range p.opts.Targets {
		t = strings.TrimSpace(t)
		if !strings.Contains(t, ".") {
			t = "image." + t
		}
		if !known[t] {
			var names []string
			for k := range known {
				names = append(names, k)
			}
			sort.Strings(names)
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown target",
				Detail: fmt.Sprintf("--target %q names no image of the recipe. Targets: %s.", t, strings.Join(names, ", "))})
			continue
		}
		want[t] = true
	}
	return want, diags
}

func (p *Plan) compression() (wim.Compression, int) {
	c, err := wim.ParseCompression(p.Recipe.Output.Compression.Value)
	if err != nil || p.Recipe.Output.Compression.Value == "" {
		c = wim.LZX
	}
	// 32 KiB chunks: what DISM writes and what bootmgr, WDS and wimboot read.
	return c, 32768
}

func (p *Plan) sourceStep(s *dsl.Source) (*Step, hcl.Diagnostics) {
	comp, chunk := p.compression()
	st := &Step{ID: s.Ref().Key(), Where: where(s.DeclRange)}
	switch s.Type {
	case dsl.SourceSample:
		st.Kind = "source-sample"
		st.Label = fmt.Sprintf("%s: generate sample WinPE base (%s)", s.Ref().Key(), s.Arch.Value)
		st.Key = cache.NewKey(st.Kind, verSourceSample).String("arch", s.Arch.Value).
			String("compression", comp.String()).Int("chunk", int64(chunk)).Sum()
		arch, err := parseArch(s.Arch.Value)
		if err != nil {
			return nil, hcl.Diagnostics{diag(s.Arch.Range, "Invalid architecture", err.Error())}
		}
		threads := p.opts.Threads
		st.Run = func(ctx contextT, rc *RunContext) (cache.Action, error) {
			// Generated first: the temp file exists only while bytes
			// go into it.
			base, err := sample.Build(sample.Options{Arch: arch, Cancel: ctx.Done()})
			if err != nil {
				return cache.Action{}, err
			}
			w, err := rc.Cache.NewWriter()
			if err != nil {
				return cache.Action{}, err
			}
			f, digest := w.HashedFile()
			var srcs []wim.ImageSource
			for _, img := range base.Images {
				srcs = append(srcs, wim.ImageSource{Image: img, Blobs: base.Blobs})
			}
			n, err := wim.Write(f, srcs, wim.WriteOptions{Compression: comp, ChunkSize: chunk, Threads: threads,
				BootIndex: base.BootIndex, Time: sample.FileTime(sampleEpoch), Progress: stepProgress(rc),
				Digest: digest, Sync: true, Cancel: ctx.Done()})
			if err == nil {
				err = f.Truncate(n)
			}
			if err != nil {
				w.Abort()
				return cache.Action{}, err
			}
			d, size, err := w.Commit()
			if err != nil {
				return cache.Action{}, err
			}
			return cache.Action{Outputs: map[string]cache.Output{"wim": {Digest: d, Size: size}}}, nil
		}
	case dsl.SourceWIM:
		st.Kind = "source-wim"
		st.Label = fmt.Sprintf("%s: import %s", s.Ref().Key(), s.Path.Rel)
		d, _, err := p.memo.FileDigest(s.Path.Abs)
		if err != nil {
			return nil, hcl.Diagnostics{diag(s.Path.Range, "Cannot read the base image", fmt.Sprintf("Reading %s: %v.", s.Path.Abs, err))}
		}
		if pin := strings.ToLower(s.SHA256.Value); pin != "" && cache.Digest(pin) != d {
			return nil, hcl.Diagnostics{diag(s.SHA256.Range, "Base image does not match its sha256",
				fmt.Sprintf("%s has sha256 %s, but the recipe pins %s. Use the pinned file, or update sha256 if the new file is intended.", s.Path.Rel, d, pin))}
		}
		st.Key = cache.NewKey(st.Kind, verSourceWIM).Input("content", d).Sum()
		path := s.Path.Abs
		threads := p.opts.Threads
		rel := s.Path.Rel
		st.Run = func(ctx contextT, rc *RunContext) (cache.Action, error) {
			got, size, err := rc.Cache.PutFile(path)
			if err != nil {
				return cache.Action{}, err
			}
			if got != d {
				return cache.Action{}, fmt.Errorf("%s changed while the build was running", path)
			}
			// Checked once per base content (this step is cached by
			// it): export copies unchanged compressed chunks as they
			// are, so damage in the base would otherwise reach the
			// outputs unnoticed.
			if err := verifyBase(ctx, rc, got, rel, threads); err != nil {
				return cache.Action{}, err
			}
			return cache.Action{Outputs: map[string]cache.Output{"wim": {Digest: got, Size: size}}}, nil
		}
	default:
		return nil, hcl.Diagnostics{diag(s.DeclRange, "Unsupported source type", fmt.Sprintf("Source type %q cannot be built.", s.Type))}
	}
	return st, nil
}

// verifyBase checks the stored base WIM d (the user's file name): every
// image's metadata and every blob's SHA-1, as wimlib-imagex verify does.
func verifyBase(ctx contextT, rc *RunContext, d cache.Digest, name string, threads int) error {
	pth, err := rc.Cache.BlobPath(d)
	if err != nil {
		return err
	}
	w, err := wim.OpenFile(pth)
	if err != nil {
		if msg := err.Error(); strings.Contains(msg, pth) {
			return errors.New(strings.ReplaceAll(msg, pth, name))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	defer w.Close()
	if err := w.Verify(wim.VerifyOptions{Threads: threads, Progress: stepProgress(rc), Cancel: ctx.Done()}); err != nil {
		if errors.Is(err, wim.ErrCanceled) {
			return err
		}
		return fmt.Errorf("%s is damaged (wimbuild wim verify %s says the same): %w", name, name, err)
	}
	return nil
}

// sampleEpoch is the fixed time of the generated sample base (its content
// does not depend on the recipe's source_date_epoch, so it is shared).
var sampleEpoch = int64(1704067200) // 2024-01-01T00:00:00Z
