package builder

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/wimbuild/wimbuild/builder/cache"
	"github.com/wimbuild/wimbuild/dsl"
	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/winpe"
)

// program is a path in the image Winpeshl.ini starts, and where the
// recipe names it.
type program struct {
	ip string
	r  hcl.Range
}

// launchConfig is what an image's winpeshl, capture or discover block
// asks for, rendered and checked without the image.
type launchConfig struct {
	ini, inf  []byte    // Winpeshl.ini; WDSCapture.inf (capture images)
	needSetup bool      // starts Setup in WDS mode
	needCap   bool      // runs wdscapture.exe
	programs  []program // other image paths Winpeshl.ini starts, which must exist
	what      string
	r         hcl.Range
}

// launchConfigOf renders img's launch block; nil (and no diagnostics) when
// it has none.
func launchConfigOf(img *dsl.Image) (*launchConfig, hcl.Diagnostics) {
	var (
		launchApp string
		apps      []winpe.App
		capture   *winpe.CaptureConfig
		lc        launchConfig
	)
	switch {
	case img.Winpeshl != nil:
		w := img.Winpeshl
		lc.r, lc.what = w.DeclRange, "Winpeshl.ini"
		launchApp = w.LaunchApp.Value
		if ip, ok := appImagePath(launchApp); ok {
			lc.programs = append(lc.programs, program{ip, w.LaunchApp.Range})
		}
		for _, a := range w.Apps {
			apps = append(apps, winpe.App{Path: a.Path.Value, Args: a.Args.Value})
			ip, ok := appImagePath(a.Path.Value)
			if !ok {
				continue
			}
			if strings.EqualFold(ip, winpe.SetupExeImagePath) && strings.Contains(strings.ToLower(a.Args.Value), "/wds") {
				lc.needSetup = true
			} else {
				lc.programs = append(lc.programs, program{ip, a.Path.Range})
			}
		}
	case img.Capture != nil:
		c := img.Capture
		lc.r, lc.what, lc.needCap = c.DeclRange, "capture image (wdscapture.exe)", true
		apps = []winpe.App{{Path: winpe.CaptureExe}}
		cc := winpe.CaptureConfig{
			Unattended: c.Unattended.Value, VolumeToCapture: c.Volume.Value, ImageName: c.ImageName.Value,
			ImageDescription: c.ImageDescription.Value, DestinationFile: c.Destination.Value,
		}
		if c.Overwrite.Value {
			cc.Overwrite = winpe.OverwriteYes
		}
		if len(c.Exclusions) > 0 {
			cc.Exclusions = []string{}
			for _, e := range c.Exclusions {
				cc.Exclusions = append(cc.Exclusions, e.Value)
			}
		}
		if u := c.Upload; u != nil {
			user := u.Username.Value
			if u.Domain.Value != "" && user != "" {
				user = u.Domain.Value + `\` + user
			}
			cc.Upload = &winpe.Upload{Server: u.Server.Value, ImageGroup: u.ImageGroup.Value, Username: user, DeleteLocalWimOnSuccess: u.DeleteLocal.Value}
		}
		if _, err := cc.Sections(); err != nil {
			return nil, hcl.Diagnostics{diag(c.DeclRange, "Invalid capture settings", err.Error())}
		}
		capture = &cc
	case img.Discover != nil:
		d := img.Discover
		lc.r, lc.what, lc.needSetup = d.DeclRange, "discover image", true
		l := winpe.Launch{Mode: winpe.ModeDiscover, Server: d.Server.Value}
		var err error
		apps, err = l.LaunchApps()
		if err != nil {
			return nil, hcl.Diagnostics{diag(d.Server.Range, "Invalid discover settings", err.Error())}
		}
	default:
		return nil, nil
	}
	var err error
	if lc.ini, err = renderWinpeshl(launchApp, apps); err != nil {
		return nil, hcl.Diagnostics{diag(lc.r, "Invalid Winpeshl.ini", err.Error())}
	}
	if capture != nil {
		if lc.inf, err = renderWDSCapture(*capture); err != nil {
			return nil, hcl.Diagnostics{diag(lc.r, "Invalid capture settings", err.Error())}
		}
	}
	return &lc, nil
}

// launchStep writes Winpeshl.ini (and WDSCapture.inf for capture images),
// enforcing the WDS rules that need the image's contents: Setup must be in
// the image for WDS-mode and discover images, wdscapture.exe for capture
// images, and Windows 11 or later boot images refuse Setup in WDS mode; any
// other program Winpeshl.ini starts from the image must be there too.
func (p *Plan) launchStep(name string, img *dsl.Image, prev *Step, ft uint64, diags *hcl.Diagnostics) *Step {
	lc, d := launchConfigOf(img)
	*diags = append(*diags, d...)
	if lc == nil {
		return nil
	}
	*diags = append(*diags, launchConflicts(img, lc, true)...)
	key := cache.NewKey("launch", verLaunch).Bytes("winpeshl", lc.ini).Bool("need_setup", lc.needSetup).Bool("need_capture", lc.needCap).Int("time", int64(ft))
	if lc.inf != nil {
		key.Bytes("wdscapture", lc.inf)
	}
	label := fmt.Sprintf("%s: write Winpeshl.ini (%s)", name, lc.what)
	if lc.what == "Winpeshl.ini" {
		label = name + ": write Winpeshl.ini"
	}
	return p.edit("image."+img.Name+"/launch", "launch", verLaunch, label, lc.r, prev, key,
		func(ctx context.Context, rc *RunContext, st *imageState) error {
			if err := lc.check(st, ""); err != nil {
				return err
			}
			h, n, err := st.putContent(rc.Cache, bytes.NewReader(lc.ini))
			if err != nil {
				return err
			}
			if err := putFile(st, winpe.WinpeshlPath, h, n, ft); err != nil {
				return err
			}
			if lc.inf != nil {
				h, n, err := st.putContent(rc.Cache, bytes.NewReader(lc.inf))
				if err != nil {
					return err
				}
				if err := putFile(st, winpe.WDSCapturePath, h, n, ft); err != nil {
					return err
				}
			}
			return nil
		})
}

// check enforces the rules that need the image's contents (see
// launchStep). from, when set, names where an inherited configuration was
// declared, for images that only inherit it.
func (lc *launchConfig) check(st *imageState, from string) error {
	ini := "Winpeshl.ini"
	if from != "" {
		// Only while the inherited Winpeshl.ini is still the one in
		// the image: a file block may have replaced or deleted it.
		if d, err := st.img.Lookup(winpe.WinpeshlPath); err != nil || d.Inode.Data.Hash != wim.HashBytes(lc.ini) {
			return nil
		}
		ini = "Winpeshl.ini (" + from + ")"
	}
	for _, p := range lc.programs {
		if _, err := st.img.Lookup(p.ip); err != nil {
			err := fmt.Errorf("%s starts %s, but the image has no such file (add it with a file or files block, or fix the path)", ini, p.ip)
			if from == "" { // the recipe line that names it
				return errAt(p.r, err)
			}
			return err
		}
	}
	what := lc.what
	if from != "" {
		what += " (" + from + ")"
	}
	if lc.needSetup {
		if _, err := st.img.Lookup(winpe.SetupExeImagePath); err != nil {
			return fmt.Errorf("a %s starts Setup, but the image has no %s; build it from the Setup image of install media's boot.wim (index 2) or a WinPE with the WinPE-Setup packages", what, winpe.SetupExeImagePath)
		}
		if v, ok := imageVersion(st); ok && winpe.BlocksWDSSetup(v) {
			return fmt.Errorf("the image is Windows PE %s (Windows 11 or later), whose Setup refuses WDS mode; use a boot image from Windows 10 / Server 2022 or earlier for WDS Setup and discover images (capture images and plain PXE boot are unaffected)", v)
		}
	}
	if lc.needCap {
		if _, err := st.img.Lookup(winpe.CaptureExePath); err != nil {
			return fmt.Errorf("a %s runs wdscapture.exe, but the image has no %s; add the WinPE-WDS-Tools package to the base image", what, winpe.CaptureExePath)
		}
	}
	return nil
}

// inheritedLaunch returns, for an image without a launch block of its own
// whose steps could change what an ancestor's Winpeshl.ini starts, that
// ancestor's configuration, so the image is checked again (a derived image
// that deletes setup.exe must not keep a Winpeshl.ini starting it).
func (p *Plan) inheritedLaunch(img *dsl.Image) *inheritedConfig {
	if lc, _ := launchConfigOf(img); lc != nil || len(img.Steps) == 0 {
		return nil
	}
	seen := map[string]bool{img.Name: true}
	for a := img; a.From.Kind == dsl.RefImage; {
		a = p.images[a.From.Name]
		if a == nil || seen[a.Name] {
			return nil
		}
		seen[a.Name] = true
		if lc, _ := launchConfigOf(a); lc != nil {
			return &inheritedConfig{lc: lc, from: fmt.Sprintf("from image.%s at %s", a.Name, where(lc.r))}
		}
	}
	return nil
}

// inheritedConfig is an ancestor's launch configuration and where it was
// declared.
type inheritedConfig struct {
	lc   *launchConfig
	from string
}

// launchConflicts reports file blocks of img that write a file its launch
// block writes (lc) — Winpeshl.ini, and WDSCapture.inf for capture images
// — which would be silently replaced. With hostFiles, files blocks are
// checked too (by the names in their sources: an overlay's
// Windows/System32/Winpeshl.ini).
func launchConflicts(img *dsl.Image, lc *launchConfig, hostFiles bool) hcl.Diagnostics {
	targets := []string{winpe.WinpeshlPath}
	if lc.inf != nil {
		targets = append(targets, winpe.WDSCapturePath)
	}
	hits := func(ip string) string {
		for _, f := range targets {
			if strings.EqualFold(ip, f) {
				return f
			}
		}
		return ""
	}
	block := launchBlockName(img)
	var diags hcl.Diagnostics
	for _, st := range img.Steps {
		switch st := st.(type) {
		case *dsl.FileStep:
			if ip, err := imagePath(st.Path.Value); err == nil && hits(ip) != "" {
				diags = append(diags, diag(st.Path.Range, "File written twice",
					fmt.Sprintf("The image's %s block writes %s, which would replace this file block's. Remove the file block, or the %s block to write the file yourself.", block, hits(ip), block)))
			}
		case *dsl.FilesStep:
			if !hostFiles {
				continue
			}
			dest, err := imagePath(st.Destination.Value)
			if err != nil {
				continue
			}
			root := st.Source.Abs
			fi, err := os.Stat(root)
			if err != nil {
				continue // reported by the files step
			}
			found := ""
			if !fi.IsDir() {
				ip := dest
				if strings.HasSuffix(st.Destination.Value, "/") {
					ip = joinImage(dest, filepath.Base(root))
				}
				found = hits(ip)
			} else {
				filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
					if err != nil || de.IsDir() {
						return nil
					}
					rel, _ := filepath.Rel(root, p)
					if f := hits(joinImage(dest, filepath.ToSlash(rel))); f != "" {
						found = f
						return filepath.SkipAll
					}
					return nil
				})
			}
			if found != "" {
				diags = append(diags, diag(st.Source.Range, "File written twice",
					fmt.Sprintf("%s brings %s, which the image's %s block writes and would replace. Remove it from the files source, or the %s block to use yours.", st.Source.Rel, found, block, block)))
			}
		}
	}
	return diags
}

// launchBlockName names the block of img that writes Winpeshl.ini.
func launchBlockName(img *dsl.Image) string {
	switch {
	case img.Capture != nil:
		return "capture"
	case img.Discover != nil:
		return "discover"
	}
	return "winpeshl"
}

// appImagePath resolves a Winpeshl.ini program path to a path in the image
// when it names one: Windows PE runs from X:, so %SYSTEMDRIVE%\…, X:\… and
// \… are the image root, %SYSTEMROOT%\… and %WINDIR%\… its \Windows. Other
// forms (another drive, a share, a bare name found on PATH) are not
// resolved.
func appImagePath(p string) (string, bool) {
	s := strings.ReplaceAll(strings.Trim(strings.TrimSpace(p), `"`), "/", `\`)
	l := strings.ToLower(s)
	var rest string
	switch {
	case strings.HasPrefix(l, `%systemdrive%\`):
		rest = s[len(`%systemdrive%`):]
	case strings.HasPrefix(l, `x:\`):
		rest = s[2:]
	case strings.HasPrefix(l, `%systemroot%\`):
		rest = `\Windows` + s[len(`%systemroot%`):]
	case strings.HasPrefix(l, `%windir%\`):
		rest = `\Windows` + s[len(`%windir%`):]
	case strings.HasPrefix(s, `\`) && !strings.HasPrefix(s, `\\`):
		rest = s
	default:
		return "", false
	}
	ip, err := imagePath(rest)
	return ip, err == nil
}

// imageVersion reads WINDOWS/VERSION of the image's XML.
func imageVersion(st *imageState) (winpe.Version, bool) {
	wp, ok := st.img.Info.WindowsInfo()
	if !ok || wp.Version.Major == 0 {
		return winpe.Version{}, false
	}
	v := wp.Version
	return winpe.Version{Major: v.Major, Minor: v.Minor, Build: v.Build, SPBuild: v.SPBuild}, true
}

func (p *Plan) metadataStep(name string, img *dsl.Image, prev *Step, inherited *inheritedConfig) *Step {
	m := img.Metadata
	key := cache.NewKey("metadata", verMetadata).String("name", m.Name.Value).String("description", m.Description.Value).
		String("display_name", m.DisplayName.Value).String("display_description", m.DisplayDescription.Value).String("flags", m.Flags.Value)
	ft := p.ft()
	key.Int("time", int64(ft))
	iv := img.InstallVersion.Value
	key.String("install_version", iv)
	return p.edit("image."+img.Name+"/metadata", "metadata", verMetadata, name+": set image name, description and flags", img.DeclRange, prev, key,
		func(ctx context.Context, rc *RunContext, st *imageState) error {
			if inherited != nil {
				if err := inherited.lc.check(st, inherited.from); err != nil {
					return err
				}
			}
			if iv != "" {
				at := img.InstallVersion.Range
				want, err := winpe.ParseVersion(iv)
				if err != nil {
					return errAt(at, err)
				}
				have, ok := imageVersion(st)
				if !ok {
					return errAt(at, fmt.Errorf("install_version is set, but the image's WIM XML has no WINDOWS/VERSION to compare it with"))
				}
				if err := winpe.CheckSeedVersion(have, want); err != nil {
					return errAt(at, fmt.Errorf("install_version %s: %w", iv, err))
				}
			}
			in := &st.img.Info
			if m.Name.Value != "" {
				in.Name = m.Name.Value
			}
			if m.Description.Value != "" {
				in.Description = m.Description.Value
			}
			if m.DisplayName.Value != "" {
				in.DisplayName = m.DisplayName.Value
			}
			if m.DisplayDescription.Value != "" {
				in.DisplayDescription = m.DisplayDescription.Value
			}
			if m.Flags.Value != "" {
				in.Flags = m.Flags.Value
			}
			in.LastModificationTime = ft
			if in.CreationTime == 0 {
				in.CreationTime = ft
			}
			return nil
		})
}

func (p *Plan) exportStep(name string, img *dsl.Image, prev *Step) *Step {
	comp, chunk := p.compression()
	threads := p.opts.Threads
	ft := p.ft()
	st := &Step{ID: "image." + img.Name + "/export", Kind: "export", Where: where(img.DeclRange), Deps: []*Step{prev},
		Label: fmt.Sprintf("%s: write %s.wim (%s)", name, img.Name, comp)}
	st.Key = cache.NewKey("export", verExport).Input("in", prev.Key).String("compression", comp.String()).
		Int("chunk", int64(chunk)).Int("time", int64(ft)).Sum()
	// Not part of the key: names where the previous output of this image
	// (same recipe directory, writer version and compression) is noted.
	hint := strings.Join([]string{"export-previous", strconv.Itoa(verExport), comp.String(), strconv.Itoa(chunk), p.Recipe.Root, img.Name}, "\x00")
	st.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
		s, err := p.inputState(rc, prev)
		if err != nil {
			return cache.Action{}, err
		}
		src, closeFn, err := s.blobSource(rc.Cache)
		if err != nil {
			return cache.Action{}, err
		}
		defer closeFn()
		// The image's previous output lends its metadata chunks (see
		// wim.WriteOptions.Reuse): a rebuild that changed a few files
		// compresses a few chunks of the metadata, not all of it.
		var reuse []*wim.WIM
		if d, ok := rc.Cache.Hint(hint); ok {
			if path, err := rc.Cache.BlobPath(d); err == nil {
				if pw, err := wim.OpenFile(path); err == nil {
					defer pw.Close()
					reuse = append(reuse, pw)
				}
			}
		}
		w, err := rc.Cache.NewWriter()
		if err != nil {
			return cache.Action{}, err
		}
		f, digest := w.HashedFile()
		n, err := writeWIM(ctx, f, s, src, comp, chunk, threads, ft, stepProgress(rc), digest, reuse)
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
		_ = rc.Cache.SetHint(hint, d) // advice only: a failure costs the next build time
		meta := map[string]string{}
		for k, v := range rc.Input(prev).Meta {
			meta[k] = v
		}
		if wp, ok := s.img.Info.WindowsInfo(); ok {
			v := wp.Version
			meta["version"] = fmt.Sprintf("%d.%d.%d.%d", v.Major, v.Minor, v.Build, v.SPBuild)
		}
		meta["name"] = s.img.Info.Name
		meta["compression"] = comp.String()
		meta["image_index"] = strconv.Itoa(1)
		return cache.Action{Outputs: map[string]cache.Output{"wim": {Digest: d, Size: size}}, Meta: meta}, nil
	}
	return st
}
