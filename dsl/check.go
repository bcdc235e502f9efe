package dsl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// loadSources runs every phase of Load on parsed sources.
func loadSources(root string, srcs, varFiles []sourceFile, opts LoadOptions) (*Recipe, hcl.Diagnostics) {
	l := &loader{
		root:   root,
		opts:   opts,
		env:    map[string]string{},
		vars:   map[string]*varDecl{},
		locals: map[string]*localDecl{},
		r:      &Recipe{Root: root},
	}
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			l.env[k] = v
		}
	}
	l.pc = &pathChecker{root: root}
	l.funcs = functions(l.pc)
	parse := func(sf sourceFile) (*hcl.File, hcl.Diagnostics) { return parseFile(opts.Parser, sf) }

	blocks := map[string][]*hcl.Block{}
	var firstRange *hcl.Range
	// broken is set when a file did not parse or has top-level blocks
	// outside the schema (a misspelled block type): the recipe's
	// structure is incomplete, so whole-recipe checks (no images, unused
	// sources) would only add knock-on noise.
	broken := false
	for _, sf := range srcs {
		abs := sf.abs
		if abs == "" {
			abs = sf.name
			if !isAbs(abs) {
				abs = joinPath(root, sf.name)
			}
		}
		l.r.Files = append(l.r.Files, abs)
		f, ds := parse(sf)
		json := strings.HasSuffix(sf.name, ".json")
		l.addAll(uniqueParseDiags(ds, json))
		if ds.HasErrors() {
			broken = true
		}
		if f == nil || json && ds.HasErrors() {
			// A JSON parse stops at the first error, and the partial
			// body it leaves yields only knock-on errors ("Root value
			// must be object", wrong value types).
			continue
		}
		if firstRange == nil {
			r := hcl.Range{Filename: sf.name, Start: hcl.InitialPos, End: hcl.InitialPos}
			firstRange = &r
		}
		content, ds := f.Body.Content(topSchema)
		l.addAll(ds)
		if ds.HasErrors() {
			broken = true
		}
		for _, b := range content.Blocks {
			blocks[b.Type] = append(blocks[b.Type], b)
		}
	}
	sort.Strings(l.r.Files)

	settings, ok := l.settingsVersion(blocks["wimbuild"])
	if !ok {
		return nil, l.diags
	}
	l.declareVariables(blocks["variable"])
	l.assignVariables(parse, varFiles)
	l.validateVariables()
	l.settingsRest(settings)
	l.declareLocals(blocks["locals"])
	l.evalLocals()

	r := l.r
	sources := map[string]*Source{}
	for _, b := range blocks["source"] {
		s := l.decodeSource(b)
		if s == nil {
			continue
		}
		key := s.Ref().Key()
		if prev, dup := sources[key]; dup {
			l.errorf(b.LabelRanges[1], "Duplicate source", "%s is already declared at %s. Source names must be unique per type; rename one.", key, prev.DeclRange)
			continue
		}
		sources[key] = s
		r.Sources = append(r.Sources, s)
	}
	images := map[string]*Image{}
	lowerImages := map[string]*Image{}
	for _, b := range blocks["image"] {
		name := b.Labels[0]
		if !validIdent(name) {
			l.errorf(b.LabelRanges[0], "Invalid image name", "%q is not a valid image name: use letters, digits, underscores and dashes, starting with a letter, so it can be referenced as image.NAME and used as a file name.", name)
			continue
		}
		img := l.decodeImage(b)
		if prev, dup := images[name]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate image", "An image named %q is already declared at %s. Image names must be unique; rename one.", name, prev.DeclRange)
			continue
		}
		if prev, dup := lowerImages[strings.ToLower(name)]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate image", "Image %q differs from image %q (declared at %s) only in case; their output files %s.wim and %s.wim would collide on Windows and macOS. Rename one.", name, prev.Name, prev.DeclRange, name, prev.Name)
			continue
		}
		images[name] = img
		lowerImages[strings.ToLower(name)] = img
		r.Images = append(r.Images, img)
	}
	pxes := map[string]*PXE{}
	for _, b := range blocks["pxe"] {
		p := l.decodePXE(b)
		if prev, dup := pxes[p.Name]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate pxe block", "A pxe block named %q is already declared at %s. Rename one.", p.Name, prev.DeclRange)
			continue
		}
		if !validIdent(p.Name) {
			l.errorf(b.LabelRanges[0], "Invalid pxe name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", p.Name)
			continue
		}
		pxes[p.Name] = p
		r.PXE = append(r.PXE, p)
	}
	medias := map[string]*Media{}
	for _, b := range blocks["media"] {
		m := l.decodeMedia(b)
		if prev, dup := medias[m.Name]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate media block", "A media block named %q is already declared at %s. Rename one.", m.Name, prev.DeclRange)
			continue
		}
		if !validIdent(m.Name) {
			l.errorf(b.LabelRanges[0], "Invalid media name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", m.Name)
			continue
		}
		medias[m.Name] = m
		r.Media = append(r.Media, m)
	}
	l.decodeOutput(blocks["output"])

	if len(r.Images) == 0 && len(blocks["image"]) == 0 && firstRange != nil && !broken {
		l.errorf(*firstRange, "No images", "The recipe declares no image block, so there is nothing to build. Add image \"boot\" { from = source.TYPE.NAME }; `wimbuild init` writes a complete starter recipe.")
	}

	l.checkImages(sources, images)
	l.checkPXE(images, pxes)
	l.checkMedia(images, medias)
	if !broken {
		l.checkUnused(sources)
	}
	if opts.CheckFiles {
		l.checkFiles()
	}
	l.deps()
	if !l.diags.HasErrors() {
		// Sensitive values are masked first: the digest is shown and
		// uploaded (artifacts.json), and a hash over a secret would let
		// anyone test guesses of it. Cache keys use the real values.
		r.Digest = digest(Redact(r))
	}
	l.maskSecrets()
	r.mask = l.masker()
	sortDiagnostics(l.diags)
	return r, l.diags
}

// uniqueParseDiags drops knock-on parse errors. The JSON parser stops at
// the first error and then reports every enclosing object as unclosed and
// the root as not an object, so for JSON only the first error is kept; the
// native parser recovers and reports independent mistakes, so only exact
// repeats (same summary at the same range) are dropped.
func uniqueParseDiags(ds hcl.Diagnostics, json bool) hcl.Diagnostics {
	seen := map[string]bool{}
	var out hcl.Diagnostics
	for _, d := range ds {
		if json && d.Severity == hcl.DiagError && out.HasErrors() {
			continue
		}
		key := d.Summary
		if d.Subject != nil {
			key += "\x00" + d.Subject.String()
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}

// sortDiagnostics orders diagnostics by file and position (those without a
// position first), so a reviewer reads them top to bottom.
func sortDiagnostics(ds hcl.Diagnostics) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Subject, ds[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}

func (l *loader) imageNames(images map[string]*Image) []string {
	var n []string
	for k := range images {
		n = append(n, k)
	}
	return n
}

// checkImages resolves from references, detects cycles, propagates
// architectures and checks package and language rules along each chain.
func (l *loader) checkImages(sources map[string]*Source, images map[string]*Image) {
	parent := map[*Image]*Image{}
	bad := map[*Image]bool{}
	for _, img := range l.r.Images {
		f := img.From
		switch f.Kind {
		case "":
			bad[img] = true
		case RefSource:
			if l.refusedSources[f.Key()] {
				bad[img] = true // reported at the source block
			} else if _, ok := sources[f.Key()]; !ok {
				var cands []string
				for k := range sources {
					cands = append(cands, k)
				}
				l.errorf(f.Range, "Unknown source reference", "%s is not declared.%s Declare it with a source %q %q { … } block.", f, didYouMean(f.Key(), cands), f.Type, f.Name)
				bad[img] = true
			}
		case RefImage:
			p, ok := images[f.Name]
			if !ok {
				l.errorf(f.Range, "Unknown image reference", "There is no image named %q.%s An image can be built from a source or from another image of this recipe.", f.Name, didYouMean(f.Name, l.imageNames(images)))
				bad[img] = true
			} else {
				parent[img] = p
			}
		}
		img.DependsOn = nil
		if !f.IsZero() {
			img.DependsOn = []Ref{f}
		}
	}
	// Cycles: each image has at most one parent, so walk the chain, up to
	// an image an earlier walk went through (its chain is checked: a long
	// chain of images is walked once, not once per image).
	inCycle := map[*Image]bool{}
	walked := map[*Image]bool{}
	for _, img := range l.r.Images {
		seen := map[*Image]int{}
		var chain []*Image
		for cur := img; cur != nil && !walked[cur]; cur = parent[cur] {
			if i, ok := seen[cur]; ok {
				cyc := chain[i:]
				reported := false
				for _, c := range cyc {
					if inCycle[c] {
						reported = true
					}
				}
				for _, c := range cyc {
					inCycle[c] = true
				}
				if !reported {
					var names []string
					for _, c := range cyc {
						names = append(names, "image."+c.Name)
					}
					names = append(names, "image."+cyc[0].Name)
					l.errorf(cyc[0].From.Range, "Image dependency cycle", "Images are built from each other in a cycle: %s (each arrow is a from reference). Build one of them from a source instead.", strings.Join(names, " -> "))
				}
				break
			}
			seen[cur] = len(chain)
			chain = append(chain, cur)
		}
		for _, c := range chain {
			walked[c] = true
		}
	}
	for img := range inCycle {
		bad[img] = true
	}
	// Ancestors are fine when the chain reaches a source without cycles.
	var chainOf func(img *Image) ([]*Image, bool)
	chainOf = func(img *Image) ([]*Image, bool) {
		var c []*Image
		for cur := img; cur != nil; cur = parent[cur] {
			if bad[cur] {
				return nil, false
			}
			c = append(c, cur) // reversed below: prepending was quadratic per image
		}
		slices.Reverse(c)
		return c, true
	}
	// Architectures, root first.
	archOf := map[*Image]String{}
	for _, img := range l.r.Images {
		chain, ok := chainOf(img)
		if !ok {
			continue
		}
		var arch String
		if s := sources[chain[0].From.Key()]; s != nil {
			arch = s.Arch
		}
		for _, c := range chain {
			if c.Arch.Value != "" && arch.Value != "" && c.Arch.Value != arch.Value {
				if c == img {
					from := "its base " + c.From.String()
					l.errorf(c.Arch.Range, "Architecture mismatch", "Image %q declares arch %s, but %s is %s (declared at %s). An image keeps the architecture of the image it is built from; build it from a base whose arch is %s instead, or fix the arch.", c.Name, c.Arch.quoted(), from, arch.quoted(), arch.Range, c.Arch.quoted())
				}
				arch = String{}
				break
			}
			if c.Arch.Value != "" {
				arch = c.Arch
			}
		}
		if arch.Value != "" {
			archOf[img] = arch
		}
	}
	for img, a := range archOf {
		if img.Arch.Value == "" {
			img.Arch = a
		}
	}
	// Packages and languages along the chain.
	for _, img := range l.r.Images {
		chain, ok := chainOf(img)
		if !ok {
			continue
		}
		installed := map[string]*PackageStep{}
		where := map[string]string{}
		langs := map[string]bool{}
		for _, c := range chain {
			own := c == img
			for _, st := range c.Steps {
				switch st := st.(type) {
				case *PackageStep:
					key := normPackage(st.Name)
					if prev, dup := installed[key]; dup && own && where[key] != c.Name {
						l.errorf(st.DeclRange, "Duplicate package", "Package %q is already added by image %q (at %s), which image %q is built from. Remove it here.", st.Name, where[key], prev.DeclRange, c.Name)
						continue
					}
					if own {
						var missing []string
						for _, pre := range packagePrereqs[key] {
							if installed[pre] == nil {
								missing = append(missing, pre)
							}
						}
						if len(missing) > 0 {
							l.errorf(st.DeclRange, "Missing package prerequisite", "Package %q needs %s installed before it (the WinPE optional component dependencies); DISM would fail or leave the feature broken. Add package %q { cab = \"…/WinPE-….cab\" } above it, in this image or the image it is built from.", st.Name, quoteList(missing), missing[0])
						}
					}
					installed[key] = st
					where[key] = c.Name
				case *LanguageStep:
					langs[st.Tag.Value] = true
					if !own {
						continue
					}
					st.Cabs = nil
					for _, p := range st.Packages {
						pk := installed[normPackage(p.Value)]
						if pk == nil {
							later := ""
							for _, s2 := range c.Steps {
								if ps, ok := s2.(*PackageStep); ok && normPackage(ps.Name) == normPackage(p.Value) {
									later = fmt.Sprintf(" It is declared at %s, after this language block; move the package above it, because a language cab is installed after its feature.", ps.DeclRange)
								}
							}
							l.errorf(p.Range, "Undeclared language pack package", "Language %s lists package %s, but no package %s is added before it in image %q or the images it is built from.%s", st.Tag.quoted(), p.quoted(), p.quoted(), c.Name, later)
							continue
						}
						base := basenameNoExt(pk.Cab.Abs)
						cab := Path{Abs: joinPath(st.Dir.Abs, base+"_"+st.Tag.Value+".cab"), Range: p.Range, Sensitive: st.Dir.Sensitive || pk.Cab.Sensitive || st.Tag.Sensitive}
						cab.Rel = l.pc.rel(cab.Abs)
						st.Cabs = append(st.Cabs, cab)
					}
				case *UILanguageStep:
					if own && st.Tag.Value != "en-us" && !langs[st.Tag.Value] {
						l.warnf(st.Tag.Range, "UI language not installed", "ui_language is %s, but no language %s block adds its language pack to this image or the images it is built from. Unless the base image already contains it, Windows PE will fall back to its installed language. Add language %s { dir = \"…/WinPE_OCs/%s\" }.", st.Tag.quoted(), st.Tag.quoted(), st.Tag.quoted(), st.Tag.Display())
					}
				}
			}
		}
	}
}

func basenameNoExt(p string) string {
	b := p[strings.LastIndexAny(p, `/\`)+1:]
	if i := strings.LastIndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	return b
}

// normPackage maps "WinPE-Setup-Server" and "setup-server" to one key.
func normPackage(s string) string {
	s = strings.ToLower(s)
	return strings.TrimPrefix(s, "winpe-")
}

// packagePrereqs are the WinPE optional component dependencies checkable by
// name (ADK "WinPE Optional Components reference"): each package needs the
// listed ones installed first.
var packagePrereqs = map[string][]string{
	"setup-server":      {"setup"},
	"setup-client":      {"setup"},
	"netfx":             {"wmi"},
	"hta":               {"scripting"},
	"powershell":        {"wmi", "netfx", "scripting"},
	"dismcmdlets":       {"wmi", "netfx", "scripting", "powershell"},
	"securebootcmdlets": {"wmi", "netfx", "scripting", "powershell"},
	"storagewmi":        {"wmi", "netfx", "scripting", "powershell"},
	"securestartup":     {"wmi"},
	"platformid":        {"wmi", "securestartup"},
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func (l *loader) checkPXE(images map[string]*Image, pxes map[string]*PXE) {
	for _, p := range l.r.PXE {
		p.DependsOn = nil
		for _, r := range p.Images {
			if images[r.Name] == nil {
				l.errorf(r.Range, "Unknown image reference", "There is no image named %q.%s List images declared with image blocks in this recipe.", r.Name, didYouMean(r.Name, l.imageNames(images)))
				continue
			}
			p.DependsOn = append(p.DependsOn, r)
		}
		if d := p.BCD.Default; !d.IsZero() {
			found := false
			for _, r := range p.Images {
				if r.Name == d.Name {
					found = true
				}
			}
			if !found {
				l.errorf(d.Range, "Default image not in menu", "The default boot entry %s is not one of the images of pxe %q. Add it to images, or choose one of them.", d, p.Name)
			}
		}
	}
}

func (l *loader) checkMedia(images map[string]*Image, medias map[string]*Media) {
	for _, m := range l.r.Media {
		m.DependsOn = nil
		if m.Image.IsZero() {
			continue
		}
		img := images[m.Image.Name]
		if img == nil {
			l.errorf(m.Image.Range, "Unknown image reference", "There is no image named %q.%s Media boot an image declared with an image block in this recipe.", m.Image.Name, didYouMean(m.Image.Name, l.imageNames(images)))
			continue
		}
		m.DependsOn = []Ref{m.Image}
		if d := m.BCD.Default; !d.IsZero() && d.Name != m.Image.Name {
			l.errorf(d.Range, "Default image not in menu", "Media %q boots only %s; its default cannot be %s. Remove default.", m.Name, m.Image, d)
		}
		if img.Arch.Value == "arm64" {
			for _, f := range m.Firmware {
				if f.Value == "bios" && f.Range != m.DeclRange {
					l.errorf(f.Range, "BIOS boot on arm64", "Image %q is arm64, and arm64 PCs boot only through UEFI. Remove \"bios\" from firmware.", img.Name)
				}
			}
			if len(m.Firmware) == 2 && m.Firmware[0].Range == m.DeclRange {
				m.Firmware = m.Firmware[1:]
			}
		}
	}
}

func (l *loader) checkUnused(sources map[string]*Source) {
	used := map[string]bool{}
	for _, img := range l.r.Images {
		if img.From.IsZero() || img.From.Kind == RefSource && sources[img.From.Key()] == nil {
			return // a broken from could be the missing use; say nothing
		}
		used[img.From.Key()] = true
	}
	for _, s := range l.r.Sources {
		if !used[s.Ref().Key()] {
			l.warnf(s.LabelRange, "Unused source", "%s is declared but no image is built from it. Remove it, or use it with from = %s.", s.Ref(), s.Ref())
		}
	}
}

// checkFiles reports host inputs that do not exist (LoadOptions.CheckFiles).
func (l *loader) checkFiles() {
	need := func(p Path, dir bool, what string) {
		if p.IsZero() {
			return
		}
		st, err := os.Stat(p.Abs)
		switch {
		case err != nil:
			why := err.Error()
			if p.Sensitive {
				why = "no such file, or it cannot be read"
			}
			l.errorf(p.Range, "File not found", "The %s %s does not exist (%s). Check the path, or build on the machine that has it.", what, p.Display(), why)
		case dir && !st.IsDir():
			l.errorf(p.Range, "Not a directory", "The %s %s is a file; a directory is expected.", what, p.Display())
		case !dir && st.IsDir():
			l.errorf(p.Range, "Not a file", "The %s %s is a directory; a file is expected.", what, p.Display())
		}
	}
	for _, s := range l.r.Sources {
		need(s.Path, false, "WIM")
	}
	for _, img := range l.r.Images {
		for _, st := range img.Steps {
			switch st := st.(type) {
			case *PackageStep:
				need(st.Cab, false, "package cab")
			case *LanguageStep:
				need(st.LP, false, "language pack")
				for _, c := range st.Cabs {
					need(c, false, "language cab")
				}
			case *FilesStep:
				if _, err := os.Stat(st.Source.Abs); err != nil {
					need(st.Source, false, "files source")
				}
			case *FileStep:
				if st.Source != nil {
					need(*st.Source, false, "file source")
				}
			}
		}
	}
}

// deps fills Recipe.Deps from the blocks' DependsOn.
func (l *loader) deps() {
	r := l.r
	add := func(from Ref, to []Ref) {
		for _, t := range to {
			r.Deps = append(r.Deps, Edge{From: from, To: t})
		}
	}
	for _, img := range r.Images {
		add(img.Ref(), img.DependsOn)
	}
	for _, p := range r.PXE {
		add(p.Ref(), p.DependsOn)
	}
	for _, m := range r.Media {
		add(m.Ref(), m.DependsOn)
	}
	sort.SliceStable(r.Deps, func(i, j int) bool {
		a, b := r.Deps[i], r.Deps[j]
		if a.From.Key() != b.From.Key() {
			return a.From.Key() < b.From.Key()
		}
		return a.To.Key() < b.To.Key()
	})
}

// digest is the sha256 of the canonical JSON encoding (see Recipe.Digest).
func digest(r *Recipe) string {
	b, err := CanonicalJSON(r)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// CanonicalJSON encodes the evaluated content of r (everything that
// determines the outputs: settings, sources, images with their steps, PXE,
// media, output) without source ranges or absolute host paths. It is what
// Recipe.Digest hashes; the builder can use the per-block encodings from
// encoding/json in its cache keys the same way.
func CanonicalJSON(r *Recipe) ([]byte, error) {
	return json.Marshal(r)
}

// MarshalJSON encodes an image with a "kind" field on each step.
func (img *Image) MarshalJSON() ([]byte, error) {
	type plain Image
	steps := make([]json.RawMessage, 0, len(img.Steps))
	for _, s := range img.Steps {
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		k, _ := json.Marshal(s.Kind())
		if len(b) > 2 {
			b = append(append([]byte(`{"kind":`), k...), append([]byte{','}, b[1:]...)...)
		} else {
			b = append(append([]byte(`{"kind":`), k...), '}')
		}
		steps = append(steps, b)
	}
	return json.Marshal(struct {
		*plain
		Steps []json.RawMessage `json:"steps"`
	}{(*plain)(img), steps})
}
