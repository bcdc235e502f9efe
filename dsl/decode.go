package dsl

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/wimbuild/wimbuild/wim"
)

// Architectures a recipe can name.
var archNames = []string{"x86", "amd64", "arm64"}

var archAliases = map[string]string{
	"x64": "amd64", "x86_64": "amd64", "intel64": "amd64", "aarch64": "arm64",
	"i386": "x86", "i686": "x86", "ia32": "x86",
}

func (l *loader) arch(a *hcl.Attribute) (String, bool) {
	s, ok := l.str(a, "arch")
	if !ok {
		return s, false
	}
	for _, n := range archNames {
		if s.Value == n {
			return s, true
		}
	}
	hint := ""
	if al, ok := archAliases[strings.ToLower(s.Value)]; ok && !s.Sensitive {
		hint = fmt.Sprintf(" %q is written %q in recipes.", s.Value, al)
	}
	l.errorf(s.Range, "Invalid architecture", "%s is not an architecture wimbuild knows.%s Use one of \"x86\", \"amd64\" or \"arm64\" (the names in WIM XML and ADK directories).", s.quoted(), hint)
	return String{}, false
}

var sha256Re = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func (l *loader) sha(a *hcl.Attribute) (String, bool) {
	s, ok := l.str(a, "sha256")
	if !ok {
		return s, false
	}
	if !sha256Re.MatchString(s.Value) {
		l.errorf(s.Range, "Invalid sha256", "%s is not a SHA-256 digest: write the 64 hexadecimal digits printed by `sha256sum FILE` (or `Get-FileHash FILE`), or use filesha256(\"FILE\") to compute it.", s.quoted())
		return String{}, false
	}
	s.Value = strings.ToLower(s.Value)
	return s, true
}

// decodeSource decodes a source block.
func (l *loader) decodeSource(b *hcl.Block) *Source {
	src := &Source{Type: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange, LabelRange: b.LabelRanges[1]}
	switch src.Type {
	case SourceWIM:
		content, ds := b.Body.Content(sourceWIMSchema)
		l.addAll(ds)
		src.Path, _ = l.pathv(content.Attributes["path"], "WIM path")
		src.SHA256, _ = l.sha(content.Attributes["sha256"])
		src.Arch, _ = l.arch(content.Attributes["arch"])
		idx, hasIdx := l.intv(content.Attributes["index"], "index")
		name, hasName := l.str(content.Attributes["image_name"], "image_name")
		if hasIdx && idx.Value < 1 {
			l.errorf(idx.Range, "Invalid image index", "WIM image indexes start at 1; %s is not one. Use `wimlib-imagex info FILE` (or `dism /Get-WimInfo`) to list the images.", idx.Display())
		} else if hasIdx {
			src.Index = idx
		}
		if hasName {
			if name.Value == "" {
				l.errorf(name.Range, "Empty image name", "image_name is empty. Give the <NAME> of the image in the WIM, or remove image_name and use index.")
			}
			src.ImageName = name
		}
		if hasIdx && hasName {
			l.errorf(name.Range, "Conflicting image selection", "Both index and image_name select the image in %s. Keep one of them.", src.Ref())
		}
		if content.Attributes["sha256"] == nil && !src.Path.IsZero() {
			sev := hcl.DiagWarning
			if l.opts.Strict {
				sev = hcl.DiagError
			}
			l.add(&hcl.Diagnostic{Severity: sev, Summary: "Unpinned base image", Subject: b.DefRange.Ptr(),
				Detail: fmt.Sprintf("%s has no sha256, so a different boot.wim at %s would silently produce a different build. Add sha256 = \"…\" with the digest of the file (sha256sum), or sha256 = filesha256(%s) while you are still experimenting.", src.Ref(), src.Path.Display(), maskIf(src.Path.Sensitive, strconv.Quote(src.Path.Rel)))})
		}
	case SourceSample:
		content, ds := b.Body.Content(sourceSampleSchema)
		l.addAll(ds)
		src.Arch, _ = l.arch(content.Attributes["arch"])
	default:
		l.errorf(b.LabelRanges[0], "Unknown source type", "%q is not a source type.%s Use \"wim\" for a boot.wim on disk or \"sample\" for the generated sample WinPE base.", src.Type, didYouMean(src.Type, []string{SourceWIM, SourceSample}))
		if l.refusedSources == nil {
			l.refusedSources = map[string]bool{}
		}
		l.refusedSources[src.Ref().Key()] = true // its references are not re-reported
		return nil
	}
	return src
}

type posStep struct {
	rng  hcl.Range
	step Step
}

var packageNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]*$`)

var installVersionRe = regexp.MustCompile(`^[0-9]{1,5}\.[0-9]{1,5}\.[0-9]{1,6}(\.[0-9]{1,6})?$`)

// decodeImage decodes an image block (references are resolved later).
func (l *loader) decodeImage(b *hcl.Block) *Image {
	img := &Image{Name: b.Labels[0], DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]}
	content, ds := b.Body.Content(imageSchema)
	l.addAll(ds)
	if a := content.Attributes["from"]; a != nil {
		img.From, _ = l.ref(a.Expr, "from", RefSource, RefImage)
	}
	img.Arch, _ = l.arch(content.Attributes["arch"])
	if s, ok := l.str(content.Attributes["name"], "image name"); ok {
		if s.Value == "" || hasControl(s.Value) {
			l.errorf(s.Range, "Invalid image name", "The WIM image name must be non-empty text without line breaks, tabs or other control characters. Remove name to keep the base image's name.")
		} else {
			img.Metadata.Name = s
		}
	}
	img.Metadata.Description, _ = l.str(content.Attributes["description"], "description")
	if s, ok := l.str(content.Attributes["install_version"], "install_version"); ok {
		if !installVersionRe.MatchString(s.Value) {
			l.errorf(s.Range, "Invalid install version", "install_version is %s; write the Windows version the image deploys as MAJOR.MINOR.BUILD or MAJOR.MINOR.BUILD.UBR, for example \"10.0.19045\".", s.quoted())
		} else {
			img.InstallVersion = s
		}
	}

	var steps []posStep
	pkgs := map[string]*PackageStep{}
	langs := map[string]*LanguageStep{}
	files := map[string]hcl.Range{}
	var metaBlock *hcl.Block
	var modeBlocks []*hcl.Block
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "package":
			if p := l.decodePackage(blk); p != nil {
				key := strings.ToLower(p.Name)
				if prev, dup := pkgs[key]; dup {
					l.errorf(blk.LabelRanges[0], "Duplicate package", "Package %q is already added to image %q at %s. Each package is added once.", p.Name, img.Name, prev.DeclRange)
					continue
				}
				pkgs[key] = p
				steps = append(steps, posStep{blk.DefRange, p})
			}
		case "language":
			if lg := l.decodeLanguage(blk); lg != nil {
				if prev, dup := langs[lg.Tag.Value]; dup {
					l.errorf(blk.LabelRanges[0], "Duplicate language", "Language %s is already added to image %q at %s. List all its packages in one language block.", lg.Tag.quoted(), img.Name, prev.DeclRange)
					continue
				}
				langs[lg.Tag.Value] = lg
				steps = append(steps, posStep{blk.DefRange, lg})
			}
		case "files":
			if f := l.decodeFiles(blk); f != nil {
				steps = append(steps, posStep{blk.DefRange, f})
			}
		case "file":
			if f := l.decodeFile(blk); f != nil {
				key := strings.ToLower(f.Path.Value)
				if prev, dup := files[key]; dup {
					l.errorf(blk.LabelRanges[0], "Duplicate file", "The image file %s is already written by the file block at %s (image paths are case-insensitive). Keep one.", f.Path.Display(), prev)
					continue
				}
				files[key] = blk.DefRange
				steps = append(steps, posStep{blk.DefRange, f})
			}
		case "registry":
			if r := l.decodeRegistry(blk); r != nil {
				steps = append(steps, posStep{blk.DefRange, r})
			}
		case "winpeshl", "capture", "discover":
			modeBlocks = append(modeBlocks, blk)
		case "metadata":
			if metaBlock != nil {
				l.errorf(blk.DefRange, "Duplicate metadata block", "Image %q already has a metadata block at %s. Merge them.", img.Name, metaBlock.DefRange)
				continue
			}
			metaBlock = blk
			l.decodeMetadata(blk, &img.Metadata)
		}
	}
	// An image has at most one launch configuration.
	for i, blk := range modeBlocks {
		if i > 0 {
			first := modeBlocks[0]
			summary := "Conflicting launch configuration"
			switch {
			case first.Type == "winpeshl" && blk.Type == "capture" || first.Type == "capture" && blk.Type == "winpeshl":
				summary = "winpeshl conflicts with capture"
			case first.Type == "winpeshl" && blk.Type == "discover" || first.Type == "discover" && blk.Type == "winpeshl":
				summary = "winpeshl conflicts with discover"
			case first.Type == blk.Type:
				summary = "Duplicate " + blk.Type + " block"
			}
			l.errorf(blk.DefRange, summary, "Image %q already has a %s block at %s. An image has one Winpeshl.ini: a capture block launches the WDS capture wizard, a discover block launches Setup in WDS discover mode, and a winpeshl block launches your own apps. Keep one, or derive a separate image (image %q { from = image.%s … }) for each purpose.", img.Name, first.Type, first.DefRange, img.Name+"-"+blk.Type, img.Name)
			continue
		}
		switch blk.Type {
		case "winpeshl":
			img.Winpeshl = l.decodeWinpeshl(blk)
		case "capture":
			img.Capture = l.decodeCapture(blk)
		case "discover":
			img.Discover = l.decodeDiscover(blk)
		}
	}
	if a := content.Attributes["delete"]; a != nil {
		list, _ := l.strList(a, "delete list")
		st := &DeleteStep{DeclRange: a.Range}
		for _, s := range list {
			if p, ok := l.imagePath(s, "path to delete", false); ok {
				st.Paths = append(st.Paths, p)
			}
		}
		if len(st.Paths) > 0 {
			steps = append(steps, posStep{a.Range, st})
		}
	}
	if a := content.Attributes["scratch_space"]; a != nil {
		if n, ok := l.intv(a, "scratch_space"); ok {
			switch n.Value {
			case 32, 64, 128, 256, 512:
				steps = append(steps, posStep{a.Range, &ScratchSpaceStep{MB: n}})
			default:
				l.errorf(n.Range, "Invalid scratch space", "scratch_space is %s MB; Windows PE accepts only 32, 64, 128, 256 or 512 (the sizes DISM /Set-ScratchSpace takes). Use 512 for images that install packages or drivers at run time.", n.Display())
			}
		}
	}
	if a := content.Attributes["ui_language"]; a != nil {
		if s, ok := l.str(a, "ui_language"); ok {
			if tag, ok := l.langTag(s); ok {
				steps = append(steps, posStep{a.Range, &UILanguageStep{Tag: tag}})
			}
		}
	}
	sort.SliceStable(steps, func(i, j int) bool { return rangeLess(steps[i].rng, steps[j].rng) })
	for _, s := range steps {
		img.Steps = append(img.Steps, s.step)
	}
	return img
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

var langTagRe = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8}){1,3}$`)

func (l *loader) langTag(s String) (String, bool) {
	v := strings.ToLower(s.Value)
	if !langTagRe.MatchString(v) {
		l.errorf(s.Range, "Invalid language tag", "%s is not a language tag such as \"en-us\", \"de-de\" or \"zh-cn\" (the names of the ADK WinPE_OCs language directories).", s.quoted())
		return String{}, false
	}
	s.Value = v
	return s, true
}

func (l *loader) decodePackage(b *hcl.Block) *PackageStep {
	name := b.Labels[0]
	if !packageNameRe.MatchString(name) {
		l.errorf(b.LabelRanges[0], "Invalid package name", "%q is not a valid package name. Name packages after the optional component without the WinPE- prefix, e.g. \"setup\", \"wds-tools\", \"powershell\".", name)
		return nil
	}
	content, ds := b.Body.Content(packageSchema)
	l.addAll(ds)
	p := &PackageStep{Name: name, DeclRange: b.DefRange}
	cab, ok := l.pathv(content.Attributes["cab"], "package cab")
	if !ok {
		return nil
	}
	if !strings.EqualFold(path.Ext(cab.Rel), ".cab") {
		l.errorf(cab.Range, "Not a cab file", "The package file %s does not end in .cab. Packages are the WinPE optional component cabs from the ADK (WinPE_OCs\\WinPE-NAME.cab).", cab.Display())
		return nil
	}
	p.Cab = cab
	p.SHA256, _ = l.sha(content.Attributes["sha256"])
	base := basenameNoExt(cab.Abs)
	if len(base) > 6 && strings.EqualFold(base[:6], "winpe-") && normPackage(base) != normPackage(name) && !cab.Sensitive {
		l.warnf(b.LabelRanges[0], "Package name differs from its cab", "Package %q installs %s, whose component name is %q. Prerequisites and language cabs are matched by package name, so name the package %q (or fix the cab path if it is the wrong file).", name, path.Base(cab.Rel), strings.ToLower(base[6:]), strings.ToLower(base[6:]))
	}
	return p
}

func (l *loader) decodeLanguage(b *hcl.Block) *LanguageStep {
	tag, ok := l.langTag(String{Value: b.Labels[0], Range: b.LabelRanges[0]})
	if !ok {
		return nil
	}
	content, ds := b.Body.Content(languageSchema)
	l.addAll(ds)
	lg := &LanguageStep{Tag: tag, DeclRange: b.DefRange}
	lp, hasLP := l.pathv(content.Attributes["lp"], "language pack")
	dir, hasDir := l.pathv(content.Attributes["dir"], "language directory")
	if content.Attributes["lp"] == nil && content.Attributes["dir"] == nil {
		l.errorf(b.DefRange, "Missing language pack", "Language %q needs lp = \"…/lp.cab\" (the language pack) or dir = \"…/WinPE_OCs/%s\" (the directory holding lp.cab and the package language cabs).", tag.Value, tag.Value)
		return nil
	}
	if (content.Attributes["lp"] != nil && !hasLP) || (content.Attributes["dir"] != nil && !hasDir) {
		return nil
	}
	switch {
	case hasLP && hasDir:
	case hasLP:
		dir = Path{Abs: dirOf(lp.Abs), Range: lp.Range, Sensitive: lp.Sensitive}
		dir.Rel = l.pc.rel(dir.Abs)
	default:
		lp = Path{Abs: joinPath(dir.Abs, "lp.cab"), Range: dir.Range, Sensitive: dir.Sensitive}
		lp.Rel = l.pc.rel(lp.Abs)
	}
	lg.LP, lg.Dir = lp, dir
	pk, _ := l.strList(content.Attributes["packages"], "packages")
	seen := map[string]bool{}
	for _, s := range pk {
		if seen[strings.ToLower(s.Value)] {
			l.errorf(s.Range, "Duplicate package", "Package %s is listed twice in language %q.", s.quoted(), tag.Value)
			continue
		}
		seen[strings.ToLower(s.Value)] = true
		lg.Packages = append(lg.Packages, s)
	}
	return lg
}

// imagePath checks and normalizes a path inside the image: absolute,
// "/"-separated (backslashes accepted), no "." or ".." components, no
// characters Windows forbids in names.
func (l *loader) imagePath(s String, what string, allowRoot bool) (String, bool) {
	v := strings.ReplaceAll(s.Value, `\`, "/")
	bad := func(why string) (String, bool) {
		l.errorf(s.Range, "Invalid image path", "The %s %s %s. Image paths are absolute paths inside the image, such as \"/Windows/System32/startnet.cmd\".", what, s.quoted(), why)
		return String{}, false
	}
	if !strings.HasPrefix(v, "/") {
		return bad("does not start with \"/\"")
	}
	parts := strings.Split(strings.TrimPrefix(v, "/"), "/")
	if v == "/" {
		parts = nil
	}
	for _, p := range parts {
		switch {
		case p == "":
			return bad("has an empty component (\"//\" or a trailing \"/\")")
		case p == "." || p == "..":
			return bad("contains \".\" or \"..\", which could escape the image")
		}
		// Windows' rule, as the builder applies it: reserved characters
		// (: * ? " < > |), control characters, a trailing dot or space,
		// device names (CON, NUL.txt, COM1, …), over 255 characters.
		if why := wim.WindowsNameProblem(p); why != "" {
			return bad(fmt.Sprintf("has a component %q that %s", p, why))
		}
	}
	if len(parts) == 0 && !allowRoot {
		return bad("is the image root")
	}
	s.Value = "/" + strings.Join(parts, "/")
	return s, true
}

func (l *loader) decodeFiles(b *hcl.Block) *FilesStep {
	content, ds := b.Body.Content(filesSchema)
	l.addAll(ds)
	src, ok1 := l.pathv(content.Attributes["source"], "files source")
	d, ok2 := l.str(content.Attributes["destination"], "destination")
	if ok2 {
		// A trailing "/" says "into this directory" (created when
		// missing), also for a single file; it is kept in the value.
		v := strings.ReplaceAll(d.Value, `\`, "/")
		into := len(v) > 1 && strings.HasSuffix(v, "/")
		if into {
			d.Value = v[:len(v)-1]
		}
		d, ok2 = l.imagePath(d, "destination", true)
		if ok2 && into && d.Value != "/" {
			d.Value += "/"
		}
	}
	if !ok1 || !ok2 {
		return nil
	}
	return &FilesStep{Source: src, Destination: d, DeclRange: b.DefRange}
}

func (l *loader) decodeFile(b *hcl.Block) *FileStep {
	p, ok := l.imagePath(String{Value: b.Labels[0], Range: b.LabelRanges[0]}, "file path", false)
	content, ds := b.Body.Content(fileSchema)
	l.addAll(ds)
	f := &FileStep{Path: p, DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]}
	ca, sa := content.Attributes["content"], content.Attributes["source"]
	switch {
	case ca != nil && sa != nil:
		l.errorf(sa.NameRange, "Conflicting file content", "The file %s has both content and source. Use content for inline text or source for a host file, not both.", b.Labels[0])
		return nil
	case ca == nil && sa == nil:
		l.errorf(b.DefRange, "Missing file content", "The file %s needs content = \"…\" (inline text) or source = \"path\" (a host file in the recipe directory).", b.Labels[0])
		return nil
	case ca != nil:
		c, ok2 := l.str(ca, "content")
		if !ok2 {
			return nil
		}
		f.Content = &c
	default:
		src, ok2 := l.pathv(sa, "file source")
		if !ok2 {
			return nil
		}
		f.Source = &src
	}
	if !ok {
		return nil
	}
	return f
}

var hiveNames = []string{"SYSTEM", "SOFTWARE", "DEFAULT", "SAM", "SECURITY"}

func (l *loader) decodeRegistry(b *hcl.Block) *RegistryStep {
	label := b.Labels[0]
	hive := strings.ToUpper(label)
	known := false
	for _, h := range hiveNames {
		if hive == h {
			known = true
		}
	}
	content, ds := b.Body.Content(registrySchema)
	l.addAll(ds)
	if !known {
		hint := ""
		up := strings.ToUpper(strings.ReplaceAll(label, "/", `\`))
		for _, pfx := range []string{`HKLM\`, `HKEY_LOCAL_MACHINE\`} {
			if strings.HasPrefix(up, pfx) {
				hint = fmt.Sprintf(" Write the hive alone, registry %q, and keys relative to it.", strings.TrimPrefix(up, pfx))
			}
		}
		if strings.HasPrefix(up, "HKCU") || strings.HasPrefix(up, "HKEY_CURRENT_USER") {
			hint = " The user hive of Windows PE is DEFAULT (Windows\\System32\\config\\DEFAULT)."
		}
		l.errorf(b.LabelRanges[0], "Invalid registry hive", "%q is not an offline hive of the image.%s Use one of SYSTEM, SOFTWARE, DEFAULT, SAM or SECURITY (files in Windows\\System32\\config).", label, hint)
		return nil
	}
	st := &RegistryStep{Hive: String{Value: hive, Range: b.LabelRanges[0]}, DeclRange: b.DefRange}
	type posOp struct {
		rng hcl.Range
		op  RegistryOp
	}
	var ops []posOp
	for _, blk := range content.Blocks {
		key, ok := l.regKey(String{Value: blk.Labels[0], Range: blk.LabelRanges[0]})
		switch blk.Type {
		case "set":
			c, ds := blk.Body.Content(regSetSchema)
			l.addAll(ds)
			op := RegistryOp{Op: RegSet, Key: key, DeclRange: blk.DefRange}
			if n, ok := l.str(c.Attributes["name"], "value name"); ok {
				op.Name = n
				if strings.ContainsRune(n.Value, 0) {
					l.errorf(n.Range, "Invalid registry value name", "A value name cannot hold a NUL character: Windows reads the name only up to it.")
					continue
				}
			} else {
				op.Name = String{Range: blk.DefRange}
			}
			if !l.regValue(&op, c.Attributes["type"], c.Attributes["value"]) || !ok {
				continue
			}
			ops = append(ops, posOp{blk.DefRange, op})
		case "delete_value":
			c, ds := blk.Body.Content(regDeleteValueSchema)
			l.addAll(ds)
			n, ok2 := l.str(c.Attributes["name"], "value name")
			if ok && ok2 {
				ops = append(ops, posOp{blk.DefRange, RegistryOp{Op: RegDeleteValue, Key: key, Name: n, DeclRange: blk.DefRange}})
			}
		}
	}
	if a := content.Attributes["delete_key"]; a != nil {
		list, _ := l.strList(a, "delete_key")
		for _, s := range list {
			if k, ok := l.regKey(s); ok {
				ops = append(ops, posOp{s.Range, RegistryOp{Op: RegDeleteKey, Key: k, DeclRange: s.Range}})
			}
		}
	}
	sort.SliceStable(ops, func(i, j int) bool { return rangeLess(ops[i].rng, ops[j].rng) })
	for _, o := range ops {
		st.Ops = append(st.Ops, o.op)
	}
	return st
}

func (l *loader) regKey(s String) (String, bool) {
	v := s.Value
	bad := func(why string) (String, bool) {
		l.errorf(s.Range, "Invalid registry key", "The key %s %s. Write keys relative to the hive with backslashes, e.g. \"ControlSet001\\\\Services\\\\FBWF\".", s.quoted(), why)
		return String{}, false
	}
	up := strings.ToUpper(v)
	if strings.HasPrefix(up, `HKLM\`) || strings.HasPrefix(up, `HKEY_`) {
		return bad("starts with a root key; the hive is the registry block's label")
	}
	if strings.HasPrefix(up, `CURRENTCONTROLSET\`) || up == "CURRENTCONTROLSET" {
		return bad("uses CurrentControlSet, which does not exist in an offline hive; use ControlSet001")
	}
	if v == "" {
		return bad("is empty")
	}
	if strings.HasPrefix(v, `\`) || strings.HasSuffix(v, `\`) || strings.Contains(v, `\\`) {
		return bad("has an empty component (leading, trailing or doubled backslash)")
	}
	if hasControl(v) {
		return bad("contains a control character")
	}
	for _, c := range strings.Split(v, `\`) {
		if len(c) > 255 {
			return bad("has a component longer than 255 characters")
		}
		if c == "." || c == ".." {
			return bad(`has a "." or ".." component: registry paths have no parent references, so it would create a key literally named so`)
		}
	}
	return s, true
}

var regTypes = []string{RegSZ, RegExpandSZ, RegMultiSZ, RegDword, RegQword, RegBinary, RegNone}

// regValue decodes type and value of a set operation into op.
func (l *loader) regValue(op *RegistryOp, ta, va *hcl.Attribute) bool {
	t, ok := l.str(ta, "registry value type")
	if !ok || va == nil {
		return false
	}
	known := false
	for _, rt := range regTypes {
		if t.Value == rt {
			known = true
		}
	}
	if !known {
		hint := ""
		if m, ok := map[string]string{"reg_sz": RegSZ, "reg_expand_sz": RegExpandSZ, "reg_multi_sz": RegMultiSZ, "reg_dword": RegDword, "reg_qword": RegQword, "reg_binary": RegBinary, "reg_none": RegNone, "sz": RegSZ}[strings.ToLower(t.Value)]; ok && !t.Sensitive {
			hint = fmt.Sprintf(" %s is written %q.", t.Value, m)
		}
		l.errorf(t.Range, "Invalid registry value type", "%s is not a registry value type.%s Use one of %s.", t.quoted(), hint, strings.Join(regTypes, ", "))
		return false
	}
	op.Type = t
	op.ValueRange = va.Expr.Range()
	switch t.Value {
	case RegSZ, RegExpandSZ:
		s, ok := l.str(va, t.Value+" value")
		if !ok {
			return false
		}
		if strings.ContainsRune(s.Value, 0) {
			l.errorf(s.Range, "Invalid registry value", "A %s cannot hold a NUL character: Windows reads the string only up to it. Use multi_string for a list, or binary for raw bytes.", t.Value)
			return false
		}
		op.String, op.ValueSensitive = s.Value, s.Sensitive
	case RegMultiSZ:
		list, ok := l.strList(va, "multi_string value")
		if !ok {
			return false
		}
		op.Strings = []string{}
		for _, s := range list {
			if s.Value == "" {
				l.errorf(s.Range, "Invalid registry value", "A multi_string cannot hold an empty string: an empty string ends the list in REG_MULTI_SZ. Remove it.")
				return false
			}
			if strings.ContainsRune(s.Value, 0) {
				l.errorf(s.Range, "Invalid registry value", "A multi_string element cannot hold a NUL character: NUL separates the elements of a REG_MULTI_SZ. Make it two elements.")
				return false
			}
			op.Strings = append(op.Strings, s.Value)
			op.ValueSensitive = op.ValueSensitive || s.Sensitive
		}
	case RegDword, RegQword:
		v, sens, ok := l.evalSensitive(va.Expr, refsLocals, cty.Number, t.Value+" value")
		if !ok || v.IsNull() {
			return false
		}
		op.ValueSensitive = sens
		bf := v.AsBigFloat()
		limit := new(big.Float).SetUint64(1<<32 - 1)
		if t.Value == RegQword {
			limit = new(big.Float).SetUint64(1<<64 - 1)
		}
		if !bf.IsInt() {
			l.errorf(va.Expr.Range(), "Registry value out of range", "A %s holds a whole number from 0 to %s; %s is not a whole number.", t.Value, limit.Text('f', 0), maskIf(sens, bf.Text('g', 20)))
			return false
		}
		if bf.Sign() < 0 || bf.Cmp(limit) > 0 {
			minus1 := "4294967295"
			if t.Value == RegQword {
				minus1 = "18446744073709551615"
			}
			l.errorf(va.Expr.Range(), "Registry value out of range", "A %s holds a whole number from 0 to %s; %s is not one. Write negative values as their two's complement (e.g. %s for -1).", t.Value, limit.Text('f', 0), maskIf(sens, bf.Text('g', 20)), minus1)
			return false
		}
		op.Integer, _ = bf.Uint64()
	case RegBinary, RegNone:
		s, ok := l.str(va, t.Value+" value")
		if !ok {
			return false
		}
		clean := strings.NewReplacer(" ", "", ",", "", ":", "").Replace(s.Value)
		b, err := hex.DecodeString(clean)
		if err != nil {
			l.errorf(s.Range, "Invalid registry value", "A %s value is written as hexadecimal bytes, e.g. \"01 00 ff\" or \"0100ff\"; %s is not.", t.Value, s.quoted())
			return false
		}
		op.Bytes, op.ValueSensitive = b, s.Sensitive
	}
	return true
}

func (l *loader) decodeMetadata(b *hcl.Block, m *Metadata) {
	content, ds := b.Body.Content(metadataSchema)
	l.addAll(ds)
	m.DisplayName, _ = l.str(content.Attributes["display_name"], "display_name")
	m.DisplayDescription, _ = l.str(content.Attributes["display_description"], "display_description")
	if f, ok := l.str(content.Attributes["flags"], "flags"); ok {
		if f.Value == "" || hasControl(f.Value) || strings.ContainsAny(f.Value, "<>&") {
			l.errorf(f.Range, "Invalid flags", "FLAGS is written into the WIM XML as plain text; %s is empty or contains <, > or & or a control character.", f.quoted())
		} else {
			m.Flags = f
		}
	}
}

// Winpeshl presets.
var winpeshlPresets = map[string]App{
	"wds-setup": {Path: String{Value: DiscoverAppPath}, Args: String{Value: `"/wds /wdsdiscover"`}},
}

func (l *loader) decodeWinpeshl(b *hcl.Block) *Winpeshl {
	content, ds := b.Body.Content(winpeshlSchema)
	l.addAll(ds)
	w := &Winpeshl{DeclRange: b.DefRange}
	errsBefore := countErrors(l.diags)
	apps := content.Blocks.OfType("app")
	if a := content.Attributes["apps"]; a != nil {
		l.errorf(a.NameRange, "Use app blocks", "Winpeshl.ini entries are written as app blocks, one per [LaunchApps] line, so every line keeps its own position for diagnostics: app { path = \"%%SYSTEMDRIVE%%\\\\tool.exe\" args = \"/s\" }. Replace the apps list with one app block per entry.")
		errsBefore-- // the block is not empty, it is misspelled
	}
	if s, ok := l.str(content.Attributes["launch"], "launch"); ok {
		p, known := winpeshlPresets[s.Value]
		if !known {
			hint := ""
			if !s.Sensitive {
				hint = didYouMean(s.Value, []string{"wds-setup"})
			}
			l.errorf(s.Range, "Unknown launch preset", "%s is not a launch preset.%s The preset \"wds-setup\" starts Setup in WDS mode; for anything else list app blocks, and use a capture or discover block for capture and discover images.", s.quoted(), hint)
		} else if len(apps) > 0 {
			l.errorf(s.Range, "Conflicting launch configuration", "launch = %s and app blocks both define [LaunchApps]. Keep the preset or list the apps, not both.", s.quoted())
		} else {
			w.Launch = s
			p.Path.Range, p.Args.Range, p.DeclRange = s.Range, s.Range, s.Range
			p.Path.Sensitive, p.Args.Sensitive = s.Sensitive, s.Sensitive
			p.Line = p.Path.Value + ", " + p.Args.Value
			w.Apps = append(w.Apps, p)
		}
	}
	if s, ok := l.str(content.Attributes["launch_app"], "launch_app"); ok {
		if strings.Contains(s.Value, ",") {
			l.errorf(s.Range, "Arguments in launch_app", "[LaunchApp] AppPath takes a program without command-line options, but %s contains a comma. Use an app block with args instead.", s.quoted())
		} else if s.Value == "" {
			l.errorf(s.Range, "Empty launch_app", "launch_app is empty. Give the program Windows PE starts instead of the command prompt.")
		} else if len(s.Value) > MaxWinpeshlLine {
			l.errorf(s.Range, "Winpeshl.ini line too long", "The AppPath is %d characters; Winpeshl.ini entries are limited to %d characters. Shorten the path.", len(s.Value), MaxWinpeshlLine)
		} else {
			w.LaunchApp = s
		}
	}
	for _, ab := range apps {
		c, ds := ab.Body.Content(appSchema)
		l.addAll(ds)
		p, ok := l.str(c.Attributes["path"], "app path")
		if !ok {
			continue
		}
		args, _ := l.str(c.Attributes["args"], "app args")
		app := App{Path: p, Args: args, DeclRange: ab.DefRange, Line: p.Value}
		if args.Value != "" {
			app.Line += ", " + args.Value
		}
		if l.checkApp(app) {
			w.Apps = append(w.Apps, app)
		}
	}
	if w.LaunchApp.Value == "" && len(w.Apps) == 0 && countErrors(l.diags) == errsBefore {
		l.errorf(b.DefRange, "Empty winpeshl block", "The winpeshl block launches nothing, which would leave Windows PE without a shell. Add launch = \"wds-setup\", launch_app, or app blocks; remove the block to keep the default command prompt.")
	}
	return w
}

// checkApp applies the Winpeshl.ini rules to one [LaunchApps] line.
func (l *loader) checkApp(app App) bool {
	ok := true
	if app.Path.Value == "" || hasControl(app.Path.Value) {
		l.errorf(app.Path.Range, "Invalid app path", "The app path is empty or contains a line break or control character; each Winpeshl.ini entry is one line.")
		ok = false
	}
	if hasControl(app.Args.Value) {
		l.errorf(app.Args.Range, "Invalid app args", "The app args contain a line break or control character; each Winpeshl.ini entry is one line, so a line break would start a new entry. Write the options on one line.")
		ok = false
	}
	if !ok {
		return false
	}
	if strings.Contains(app.Path.Value, ",") {
		l.errorf(app.Path.Range, "Comma in app path", "Winpeshl.ini separates the program from its options with a comma, so the path %s would be cut at the comma. Put options in args.", app.Path.quoted())
		ok = false
	}
	if len(app.Line) > MaxWinpeshlLine {
		l.errorf(app.DeclRange, "Winpeshl.ini line too long", "The [LaunchApps] line is %d characters; Windows PE ignores entries over %d characters. Shorten the path or options, or call a script that does the work.", len(app.Line), MaxWinpeshlLine)
		ok = false
	}
	lower := strings.ToLower(app.Args.Value)
	if strings.Contains(lower, "/wdsserver") && !strings.Contains(lower, "/wdsdiscover") {
		l.errorf(app.Args.Range, "/wdsserver without /wdsdiscover", "Setup accepts /wdsserver:NAME only together with /wdsdiscover (\"/wds /wdsdiscover /wdsserver:NAME\"). Add /wdsdiscover, or use a discover { server = \"NAME\" } block which writes the line for you.")
		ok = false
	}
	if strings.Contains(lower, "/wdsdiscover") && !strings.Contains(strings.ReplaceAll(lower, "/wdsdiscover", ""), "/wds") {
		l.errorf(app.Args.Range, "/wdsdiscover without /wds", "Setup's /wdsdiscover switch works only in WDS mode: write \"/wds /wdsdiscover\".")
		ok = false
	}
	return ok
}

func (l *loader) compression(a *hcl.Attribute, allowed []string, what string) (String, bool) {
	s, ok := l.str(a, what)
	if !ok {
		return s, false
	}
	for _, c := range allowed {
		if s.Value == c {
			return s, true
		}
	}
	if s.Value == "lzms" && what == "output compression" {
		l.errorf(s.Range, "LZMS cannot boot", "LZMS (solid) compression is not bootable: the Windows boot loader reads only uncompressed, XPRESS and LZX WIMs. Use \"lzx\" for the smallest bootable image.")
		return String{}, false
	}
	hint := ""
	if !s.Sensitive {
		hint = didYouMean(strings.ToLower(s.Value), allowed)
	}
	l.errorf(s.Range, "Invalid compression", "%s is not a compression wimbuild can write here.%s Use one of %s.", s.quoted(), hint, `"`+strings.Join(allowed, `", "`)+`"`)
	return String{}, false
}

func (l *loader) decodeCapture(b *hcl.Block) *Capture {
	content, ds := b.Body.Content(captureSchema)
	l.addAll(ds)
	c := &Capture{DeclRange: b.DefRange}
	c.Unattended, _ = l.boolv(content.Attributes["unattended"], "unattended")
	c.Volume, _ = l.str(content.Attributes["volume"], "volume")
	if c.Volume.Value != "" && !regexp.MustCompile(`^[A-Za-z]:\\?$`).MatchString(c.Volume.Value) {
		l.errorf(c.Volume.Range, "Invalid volume", "volume is %s; give a drive such as \"C:\\\\\" (the client volume to capture).", c.Volume.quoted())
	}
	c.ImageName, _ = l.str(content.Attributes["image_name"], "image_name")
	c.ImageDescription, _ = l.str(content.Attributes["image_description"], "image_description")
	c.Destination, _ = l.str(content.Attributes["destination"], "destination")
	c.Overwrite, _ = l.boolv(content.Attributes["overwrite"], "overwrite")
	if a := content.Attributes["compression"]; a != nil {
		// WDSCapture.inf has no such key: the capture wizard picks the
		// compression of the WIM it writes. Accepting it would promise
		// what the image cannot do.
		l.errorf(a.NameRange, "Capture compression cannot be set",
			"WDSCapture.inf, which drives the WDS capture wizard, has no compression setting: the wizard chooses how to compress the image it captures. Remove compression from the capture block (to recompress the captured image, export it afterwards, e.g. wimbuild wim export --compress lzx).")
	}
	if ex, ok := l.strList(content.Attributes["exclusions"], "exclusions"); ok {
		for _, e := range ex {
			if e.Value == "" || hasControl(e.Value) {
				l.errorf(e.Range, "Invalid exclusion", "Exclusions are paths on the captured volume such as \"\\\\pagefile.sys\"; an entry is empty or contains a control character.")
				continue
			}
			c.Exclusions = append(c.Exclusions, e)
		}
	}
	ups := content.Blocks.OfType("upload")
	for i, ub := range ups {
		if i > 0 {
			l.errorf(ub.DefRange, "Duplicate upload block", "A capture uploads to one server; the first upload block is at %s.", ups[0].DefRange)
			continue
		}
		uc, ds := ub.Body.Content(uploadSchema)
		l.addAll(ds)
		u := &Upload{DeclRange: ub.DefRange}
		if s, ok := l.str(uc.Attributes["server"], "server"); ok {
			if s.Value == "" {
				l.errorf(s.Range, "Empty upload server", "upload needs the WDS server that receives the image. Give its name or address, or remove the upload block.")
			} else if l.serverName(s) {
				u.Server = s
			}
		}
		u.ImageGroup, _ = l.str(uc.Attributes["image_group"], "image_group")
		u.Username, _ = l.str(uc.Attributes["username"], "username")
		u.Domain, _ = l.str(uc.Attributes["domain"], "domain")
		u.DeleteLocal, _ = l.boolv(uc.Attributes["delete_local"], "delete_local")
		c.Upload = u
	}
	if c.Unattended.Value {
		var missing []string
		if c.Volume.Value == "" {
			missing = append(missing, "volume")
		}
		if c.ImageName.Value == "" {
			missing = append(missing, "image_name")
		}
		if c.Destination.Value == "" {
			missing = append(missing, "destination")
		}
		if len(missing) > 0 {
			l.errorf(c.Unattended.Range, "Incomplete unattended capture", "An unattended capture runs without questions, so it needs %s. Add them, or set unattended = false.", strings.Join(missing, ", "))
		}
	}
	return c
}

var hostLabelRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// serverName checks a WDS server name: a host name, FQDN, or IP address.
func (l *loader) serverName(s String) bool {
	v := s.Value
	if net.ParseIP(v) != nil {
		return true
	}
	why := ""
	switch {
	case strings.ContainsAny(v, " \t\"/\\:,"):
		why = "contains a space, quote, slash, backslash, colon or comma, which would break the Setup command line"
	case len(v) > 253:
		why = "is longer than 253 characters"
	default:
		for _, lab := range strings.Split(strings.TrimSuffix(v, "."), ".") {
			if !hostLabelRe.MatchString(lab) {
				why = fmt.Sprintf("has the label %s; host name labels are 1-63 letters, digits and inner hyphens", maskIf(s.Sensitive, strconv.Quote(lab)))
				break
			}
		}
	}
	if why == "" {
		return true
	}
	l.errorf(s.Range, "Invalid server name", "The WDS server %s %s. Give a host name (wds01), a fully qualified name (wds01.contoso.com) or an IP address.", s.quoted(), why)
	return false
}

func (l *loader) decodeDiscover(b *hcl.Block) *Discover {
	content, ds := b.Body.Content(discoverSchema)
	l.addAll(ds)
	d := &Discover{DeclRange: b.DefRange}
	if s, ok := l.str(content.Attributes["server"], "server"); ok && s.Value != "" {
		if l.serverName(s) {
			d.Server = s
			if n := len(d.Line()); n > MaxWinpeshlLine {
				l.errorf(s.Range, "Winpeshl.ini line too long", "With this server name the discover line is %d characters; Winpeshl.ini entries are limited to %d. Use a shorter name or an IP address.", n, MaxWinpeshlLine)
			}
		}
	}
	return d
}

func (l *loader) decodeBCD(blocks hcl.Blocks, owner string) (BCD, bool) {
	bcd := BCD{Timeout: Int{Value: 30}}
	if len(blocks) == 0 {
		return bcd, false
	}
	for _, b := range blocks[1:] {
		l.errorf(b.DefRange, "Duplicate bcd block", "%s already has a bcd block at %s. Merge them.", owner, blocks[0].DefRange)
	}
	b := blocks[0]
	bcd.DeclRange = b.DefRange
	bcd.Timeout.Range = b.DefRange
	content, ds := b.Body.Content(bcdSchema)
	l.addAll(ds)
	if t, ok := l.intv(content.Attributes["timeout"], "timeout"); ok {
		if t.Value < 0 || t.Value > 999 {
			l.errorf(t.Range, "Invalid timeout", "The boot menu timeout is %s seconds; use 0 (boot the default at once) to 999.", t.Display())
		} else {
			bcd.Timeout = t
		}
	}
	if a := content.Attributes["default"]; a != nil {
		bcd.Default, _ = l.ref(a.Expr, "default", RefImage)
	}
	if t, ok := l.intv(content.Attributes["tftp_block_size"], "tftp_block_size"); ok {
		if t.Value < 512 || t.Value > 65456 {
			l.errorf(t.Range, "Invalid TFTP block size", "tftp_block_size is %s; the boot manager accepts 512 to 65456 bytes (RFC 2348 blksize that fits an IP datagram). 1456 fits a 1500-byte Ethernet MTU without fragmentation; 16384 is faster on networks that handle fragments.", t.Display())
		} else {
			bcd.TFTPBlockSize = t
		}
	}
	if t, ok := l.intv(content.Attributes["tftp_window_size"], "tftp_window_size"); ok {
		if t.Value < 1 || t.Value > 64 {
			l.errorf(t.Range, "Invalid TFTP window size", "tftp_window_size is %s; use 1 to 64 blocks (RFC 7440 windowsize).", t.Display())
		} else {
			bcd.TFTPWindowSize = t
		}
	}
	return bcd, true
}

func (l *loader) decodePXE(b *hcl.Block) *PXE {
	p := &PXE{Name: b.Labels[0], DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]}
	content, ds := b.Body.Content(pxeSchema)
	l.addAll(ds)
	p.Layout = String{Value: "wds", Range: b.DefRange}
	if s, ok := l.str(content.Attributes["layout"], "layout"); ok {
		if s.Value != "wds" && s.Value != "ipxe" {
			l.errorf(s.Range, "Invalid PXE layout", "%s is not a PXE layout. Use \"wds\" (a RemoteInstall\\Boot tree for Windows Deployment Services or any TFTP server) or \"ipxe\" (wimboot and a boot.ipxe script).", s.quoted())
		} else {
			p.Layout = s
		}
	}
	if a := content.Attributes["images"]; a != nil {
		elems, ds := hcl.ExprList(a.Expr)
		if ds.HasErrors() {
			l.errorf(a.Expr.Range(), "Invalid reference", "images must be a list of image references, such as [image.boot, image.capture].")
		} else if len(elems) == 0 {
			l.errorf(a.Expr.Range(), "No PXE images", "A PXE bundle needs at least one image. List the images to offer, such as [image.boot].")
		}
		seen := map[string]bool{}
		for _, e := range elems {
			r, ok := l.ref(e, "images element", RefImage)
			if !ok {
				continue
			}
			if seen[r.Key()] {
				l.errorf(r.Range, "Duplicate PXE image", "%s is listed twice in pxe %q; each image appears once in the boot menu.", r, p.Name)
				continue
			}
			seen[r.Key()] = true
			p.Images = append(p.Images, r)
		}
	}
	p.BCD, _ = l.decodeBCD(content.Blocks.OfType("bcd"), fmt.Sprintf("pxe %q", p.Name))
	return p
}

var volumeLabelRe = regexp.MustCompile(`^[A-Z0-9_]+$`)

func (l *loader) decodeMedia(b *hcl.Block) *Media {
	m := &Media{Name: b.Labels[0], DeclRange: b.DefRange, LabelRange: b.LabelRanges[0]}
	content, ds := b.Body.Content(mediaSchema)
	l.addAll(ds)
	if a := content.Attributes["image"]; a != nil {
		m.Image, _ = l.ref(a.Expr, "image", RefImage)
	}
	if s, ok := l.str(content.Attributes["format"], "format"); ok {
		if s.Value != "iso" && s.Value != "usb" {
			l.errorf(s.Range, "Invalid media format", "%s is not a media format. Use \"iso\" (a bootable ISO 9660 image with El Torito BIOS and UEFI entries) or \"usb\" (the file tree for a FAT32 USB stick).", s.quoted())
		} else {
			m.Format = s
		}
	}
	m.Label = String{Value: "WINPE", Range: b.DefRange}
	if s, ok := l.str(content.Attributes["label"], "label"); ok {
		max := 32
		if m.Format.Value == "usb" {
			max = 11
		}
		if !volumeLabelRe.MatchString(s.Value) || len(s.Value) > max {
			l.errorf(s.Range, "Invalid volume label", "The volume label %s must be 1 to %d upper-case letters, digits or underscores for %s media.", s.quoted(), max, m.Format.Display())
		} else {
			m.Label = s
		}
	}
	m.Firmware = []String{{Value: "bios", Range: b.DefRange}, {Value: "uefi", Range: b.DefRange}}
	if list, ok := l.strList(content.Attributes["firmware"], "firmware"); ok {
		m.Firmware = nil
		seen := map[string]bool{}
		for _, f := range list {
			if f.Value != "bios" && f.Value != "uefi" {
				l.errorf(f.Range, "Invalid firmware", "%s is not a boot firmware. Use \"bios\" and/or \"uefi\".", f.quoted())
				continue
			}
			if !seen[f.Value] {
				seen[f.Value] = true
				m.Firmware = append(m.Firmware, f)
			}
		}
		if len(list) == 0 {
			l.errorf(content.Attributes["firmware"].Expr.Range(), "No firmware", "firmware is empty, so the medium could not boot. List \"bios\", \"uefi\" or both.")
		}
	}
	m.BCD, _ = l.decodeBCD(content.Blocks.OfType("bcd"), fmt.Sprintf("media %q", m.Name))
	return m
}

var outputCompressions = []string{"none", "xpress", "lzx"}

func (l *loader) decodeOutput(blocks []*hcl.Block) {
	o := &l.r.Output
	o.Compression = String{Value: "lzx"}
	dir := "out"
	var content *hcl.BodyContent
	if len(blocks) > 0 {
		for _, b := range blocks[1:] {
			l.errorf(b.DefRange, "Duplicate output block", "A recipe has one output block; the first is at %s. Merge them.", blocks[0].DefRange)
		}
		o.DeclRange = blocks[0].DefRange
		o.Compression.Range = blocks[0].DefRange
		var ds hcl.Diagnostics
		content, ds = blocks[0].Body.Content(outputSchema)
		l.addAll(ds)
		if c, ok := l.compression(content.Attributes["compression"], outputCompressions, "output compression"); ok {
			o.Compression = c
		}
		if a := content.Attributes["dir"]; a != nil {
			if p, ok := l.pathv(a, "output directory"); ok {
				if p.Abs == l.root {
					l.errorf(p.Range, "Output directory is the recipe directory", "Writing outputs into the recipe directory itself would mix them with the recipe. Use a subdirectory such as \"out\".")
				} else {
					o.Dir = p
				}
			}
			return
		}
	}
	o.Dir, _ = l.pc.path(dir, o.DeclRange, "output directory", false)
}

func dirOf(p string) string { return filepath.Dir(p) }

func countErrors(ds hcl.Diagnostics) int {
	n := 0
	for _, d := range ds {
		if d.Severity == hcl.DiagError {
			n++
		}
	}
	return n
}
