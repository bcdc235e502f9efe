package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/builder"
	"github.com/wimbuild/wimbuild/builder/cache"
)

func init() {
	registerCommand(buildCommand())
	registerCommand(planCommand())
}

func buildFlags() []cli.Flag {
	return append(recipeFlags(),
		cacheDirFlag,
		&cli.StringSliceFlag{Name: "target", Usage: "build only this image (`image.NAME`; repeatable; default: every image)"},
		&cli.StringFlag{Name: "out", Usage: "output directory (default: the recipe's output { dir }, else out/ beside the recipe)"},
		&cli.BoolFlag{Name: "no-cache", Usage: "run every step and store nothing in the cache"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "steps run at once", DefaultText: "CPU count"},
		&cli.IntFlag{Name: "threads", Usage: "compression threads per image", DefaultText: "CPU count"},
	)
}

// planFromCLI loads the recipe and plans it against cache cc.
func planFromCLI(c *cli.Context, observe builder.Observer, cc *cache.Cache) (*builder.Plan, error) {
	for _, f := range []string{"jobs", "threads"} {
		if c.Int(f) < 0 {
			return nil, commandUsageErrorf(c, "--%s must be 1 or more (or 0 for the CPU count), not %d", f, c.Int(f))
		}
	}
	opts := recipeOptions(c)
	opts.CheckFiles = true
	opts.Parser = hclparse.NewParser() // its files give diagnostics their source lines
	r, err := loadRecipeOpts(c, opts)
	if err != nil {
		return nil, err
	}
	p, diags := builder.NewPlan(r, builder.Options{
		Cache: cc, Targets: c.StringSlice("target"), OutDir: c.String("out"), Jobs: c.Int("jobs"),
		Threads: c.Int("threads"), NoCache: c.Bool("no-cache"), Observe: observe,
	})
	if len(diags) > 0 {
		reportDiagnostics(c, opts.Parser.Files(), diags)
	}
	if diags.HasErrors() {
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("the recipe cannot be built: %s", countDiags(diags))}
	}
	return p, nil
}

func buildCommand() *cli.Command {
	return &cli.Command{
		Name:      "build",
		Usage:     "build the images a recipe declares (cached, parallel, reproducible)",
		ArgsUsage: "[RECIPE]",
		Description: "Evaluates RECIPE (a *.wb.hcl file or a directory of them; default \".\") into a graph of\n" +
			"steps and runs it. Every step is cached by what it does and the content of its inputs, so a\n" +
			"rebuild runs only what changed. Outputs go to the output directory: <image>.wim per image and\n" +
			"artifacts.json (sha256, size, architecture and WinPE version of each artifact, and the recipe\n" +
			"digest). Outputs are replaced atomically: an interrupted build never leaves a partial file.\n" +
			"The output directory holds what artifacts.json lists: the previous build's outputs that this\n" +
			"one does not produce (an image renamed, removed, or left out by --target) are removed; give\n" +
			"each recipe its own output directory.\n" +
			"Progress and diagnostics go to stderr, the summary to stdout.\n\n" +
			"Examples:\n" +
			"   wimbuild build examples/quickstart\n" +
			"   wimbuild build --target image.capture --var server=wds01 recipes/\n" +
			"   CI=true wimbuild build --progress json . 2> events.jsonl",
		Flags: append(buildFlags(),
			&cli.StringFlag{Name: "progress", Value: "auto", Usage: "how to show progress: auto, tty (bars), plain (lines), json (one event per line)"},
			&cli.StringFlag{Name: "cache-max", Value: defaultCacheMax, EnvVars: []string{"WIMBUILD_CACHE_MAX"},
				Usage: "keep the cache under this `SIZE`: a build that stored new results and finds the cache larger trims it to 80 % (least recently used first; what builds used in the last 10 minutes stays); 0 = never trim"}),
		Action: runBuild,
	}
}

func runBuild(c *cli.Context) (err error) {
	defer func() {
		// Under --progress json the build's failure is the stream's last
		// event, not a line of text (usage mistakes stay text).
		if code := exitCode(err); err != nil && code != exitUsage && jsonProgress(c) {
			writeJSONEvent(c.App.ErrWriter, struct {
				Time     string `json:"time"`
				Status   string `json:"status"`
				Error    string `json:"error"`
				ExitCode int    `json:"exit_code"`
			}{eventTime(), "error", err.Error(), code})
			err = &exitError{code: code, err: err, quiet: true}
		}
	}()
	mode := c.String("progress")
	switch mode {
	case "auto":
		mode = progressMode()
	case "tty", "plain", "json":
	default:
		return usageErrorf("--progress must be auto, tty, plain or json, not %q", mode)
	}
	cacheMax, err := parseBytes(c.String("cache-max"))
	if err != nil {
		return usageErrorf("--cache-max: %v", err)
	}
	cc, err := openCache(c)
	if err != nil {
		return err
	}
	if c.Bool("no-cache") {
		// Store nothing: the build's blobs (content, states, the outputs
		// before they are published) go to a scratch cache that is
		// removed afterwards, beside the real one so outputs can still be
		// hard links; a killed build's scratch is cleared by cache prune.
		parent := filepath.Join(cc.Dir(), "tmp")
		made := os.MkdirAll(parent, 0o755) == nil
		scratch, err := os.MkdirTemp(parent, "no-cache-")
		if err != nil {
			// A read-only cache (e.g. shared by CI): the system's temp
			// directory will do (outputs are then copies).
			if scratch, err = os.MkdirTemp("", "wimbuild-no-cache-"); err != nil {
				return err
			}
		}
		defer func() {
			os.RemoveAll(scratch)
			if made {
				os.Remove(parent) // only if empty: nothing else was stored
			}
		}()
		if cc, err = cache.Open(scratch); err != nil {
			return err
		}
	}
	ev := newEventRenderer(c.App.ErrWriter, mode)
	p, err := planFromCLI(c, ev.observe, cc)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(c)
	defer stop()
	start := time.Now()
	res, err := p.Build(ctx)
	interrupted := ctx.Err() != nil
	stop() // from here (summary, cache trim) Ctrl-C ends the process as usual
	ev.finish()
	if err != nil {
		if errors.Is(err, context.Canceled) || interrupted {
			return &exitError{code: exitInterrupted, err: errors.New("build interrupted; the outputs are unchanged (steps that finished stay cached)")}
		}
		return err
	}
	w := c.App.Writer
	for _, a := range res.Manifest.Artifacts {
		fmt.Fprintf(w, "%-28s %s  %s  sha256:%s\n", a.Path, humanBytes(a.Size), a.Arch, a.SHA256[:16])
	}
	shared := ""
	if res.Shared > 0 {
		shared = fmt.Sprintf(", %d shared", res.Shared)
	}
	fmt.Fprintf(w, "built %d steps, %d cached%s, in %.2fs -> %s\n", res.Executed, res.Cached, shared, time.Since(start).Seconds(), res.OutDir)
	if res.Executed > 0 && !c.Bool("no-cache") && cacheMax > 0 {
		trimCache(c, cc, cacheMax, start) // cc is the real cache: no --no-cache here
	}
	return nil
}

// defaultCacheMax bounds the cache when the user says nothing: room for
// several generations of a recipe's images (each rebuild of a changed image
// stores its whole output, since an unchanged recipe must find it again).
const defaultCacheMax = "10G"

// trimCache keeps the cache under max after a build: once it is above,
// least recently used step results go first, with the content only they
// need, until it holds 80 % of max. What this build
// used, and anything used in the last ten minutes (a concurrent build may
// still need it), is never removed. A failure only warns: the build's
// outputs are already in place.
func trimCache(c *cli.Context, cc *cache.Cache, max int64, start time.Time) {
	n, err := cc.Bytes()
	if err != nil || n <= max {
		return
	}
	// Down to 80 %, so that a cache at its limit is not trimmed again by
	// every build (removing a large file costs tens of milliseconds).
	since := start.Add(-10 * time.Minute)
	r, err := cc.Prune(cache.PruneOptions{KeepBytes: max / 10 * 8, KeepUsedSince: since, Refs: builder.CacheRefs(cc)})
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "wimbuild: warning: trimming the cache: %v\n", err)
		return
	}
	msg := fmt.Sprintf("cache: removed %s of least recently used results to stay under %s (--cache-max)", humanBytes(r.RemovedBytes), humanBytes(max))
	if r.Left > max/10*8 {
		msg = fmt.Sprintf("cache: %s, above --cache-max %s: what builds used in the last 10 minutes is kept (removed %s)", humanBytes(r.Left), humanBytes(max), humanBytes(r.RemovedBytes))
	}
	fmt.Fprintln(c.App.Writer, msg)
}

// eventRenderer draws step events: bars on a terminal, lines otherwise, or
// JSON lines for machines.
type eventRenderer struct {
	w     io.Writer
	mode  string
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	noted map[*builder.Step]time.Time // plain, json: when each step's progress was last shown
	// tty: the steps reporting progress, in the order they began; one bar
	// shows them together (their bytes summed, their labels named), so
	// steps running in parallel do not replace each other's bar.
	running []*runningStep
}

type runningStep struct {
	step        *builder.Step
	done, total int64
}

func newEventRenderer(w io.Writer, mode string) *eventRenderer {
	if w == nil {
		w = os.Stderr
	}
	return &eventRenderer{w: w, mode: mode}
}

// jsonProgress reports whether the command writes JSON events to stderr
// (build --progress json).
func jsonProgress(c *cli.Context) bool { return c.String("progress") == "json" }

func eventTime() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// writeJSONEvent writes one event line.
func writeJSONEvent(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintln(w, string(b))
}

// jsonEvent is a step event in the --progress json stream. duration_ms is
// present on every done, failed and canceled event (0 for a step under a
// millisecond).
type jsonEvent struct {
	Time       string `json:"time"`
	Step       string `json:"step"`
	Kind       string `json:"kind"`
	Label      string `json:"label"`
	Status     string `json:"status"`
	DurationMS *int64 `json:"duration_ms,omitempty"`
	Done       int64  `json:"done,omitempty"`
	Total      int64  `json:"total,omitempty"`
	Error      string `json:"error,omitempty"`
	Where      string `json:"where,omitempty"`
}

func (r *eventRenderer) observe(e builder.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	progressOnly := e.Status == builder.StatusStarted && (e.Done > 0 || e.Total > 0)
	switch r.mode {
	case "json":
		// Progress at most every 500 ms per step (steps running in
		// parallel each get theirs).
		if r.noted == nil {
			r.noted = map[*builder.Step]time.Time{}
		}
		now := time.Now()
		if progressOnly && now.Sub(r.noted[e.Step]) < 500*time.Millisecond {
			return
		}
		if progressOnly {
			r.noted[e.Step] = now
		}
		je := jsonEvent{Time: now.UTC().Format(time.RFC3339Nano), Step: e.Step.ID, Kind: e.Step.Kind, Label: e.Step.Label,
			Status: string(e.Status), Done: e.Done, Total: e.Total, Where: e.Step.Where}
		switch {
		case progressOnly:
			je.Status = "progress"
		case e.Status == builder.StatusDone || e.Status == builder.StatusFailed || e.Status == builder.StatusCanceled:
			ms := e.Duration.Milliseconds()
			je.DurationMS = &ms
		}
		if e.Err != nil {
			je.Error = e.Err.Error()
		}
		writeJSONEvent(r.w, je)
	case "tty":
		if progressOnly {
			var rs *runningStep
			for _, x := range r.running {
				if x.step == e.Step {
					rs = x
				}
			}
			changed := rs == nil || rs.total != e.Total
			if rs == nil {
				rs = &runningStep{step: e.Step}
				r.running = append(r.running, rs)
			}
			rs.done, rs.total = e.Done, e.Total
			r.drawBar(changed)
			return
		}
		if e.Status == builder.StatusStarted {
			return
		}
		for i, x := range r.running {
			if x.step == e.Step {
				r.running = append(r.running[:i], r.running[i+1:]...)
				r.clearBar()
				break
			}
		}
		r.line(e)
		if len(r.running) > 0 {
			r.drawBar(true)
		}
	default:
		if progressOnly {
			// Plain logs (CI) get a line per long step every
			// plainProgressEvery, so a long step does not look hung.
			if r.noted == nil {
				r.noted = map[*builder.Step]time.Time{}
			}
			now := time.Now()
			last, ok := r.noted[e.Step]
			if !ok {
				r.noted[e.Step] = now // the step's start: wait a period first
				return
			}
			if now.Sub(last) < plainProgressEvery {
				return
			}
			r.noted[e.Step] = now
			if e.Total > 0 {
				fmt.Fprintf(r.w, "[...]    %s: %d%% (%s of %s)\n", e.Step.Label, e.Done*100/e.Total, humanBytes(e.Done), humanBytes(e.Total))
			} else {
				fmt.Fprintf(r.w, "[...]    %s: %s\n", e.Step.Label, humanBytes(e.Done))
			}
			return
		}
		r.line(e)
	}
}

// plainProgressEvery is how often --progress plain notes a running step's
// progress.
var plainProgressEvery = 10 * time.Second

func (r *eventRenderer) clearBar() {
	if r.bar != nil {
		_ = r.bar.Finish()
		_ = r.bar.Clear()
		r.bar = nil
	}
}

// drawBar shows the running steps' progress on one bar, made anew when
// the set of steps or a total changed.
func (r *eventRenderer) drawBar(changed bool) {
	var done, total int64
	var labels []string
	for _, x := range r.running {
		done, total = done+x.done, total+x.total
		l := x.step.Label
		if len(r.running) > 1 && len(l) > 40 {
			l = l[:39] + "…"
		}
		labels = append(labels, l)
	}
	if changed || r.bar == nil {
		r.clearBar()
		r.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(r.w), progressbar.OptionSetDescription(strings.Join(labels, " | ")),
			progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(25))
	}
	_ = r.bar.Set64(done)
}

func (r *eventRenderer) line(e builder.Event) {
	switch e.Status {
	case builder.StatusStarted:
		fmt.Fprintf(r.w, "[run]    %s\n", e.Step.Label)
	case builder.StatusCached:
		fmt.Fprintf(r.w, "[cached] %s\n", e.Step.Label)
	case builder.StatusDone:
		fmt.Fprintf(r.w, "[done]   %s (%.2fs)\n", e.Step.Label, e.Duration.Seconds())
	case builder.StatusFailed:
		fmt.Fprintf(r.w, "[failed] %s: %v\n", e.Step.Label, e.Err)
	case builder.StatusSkipped:
		fmt.Fprintf(r.w, "[skip]   %s\n", e.Step.Label)
	case builder.StatusCanceled:
		fmt.Fprintf(r.w, "[cancel] %s\n", e.Step.Label)
	case builder.StatusShared:
		fmt.Fprintf(r.w, "[shared] %s (same work as another step of this build)\n", e.Step.Label)
	}
}

func (r *eventRenderer) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clearBar()
}

func planCommand() *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "show the steps a build would run and which are already cached",
		ArgsUsage: "[RECIPE]",
		Description: "Plans RECIPE like build does (host inputs are digested by content) and prints each step,\n" +
			"its cache key and whether the cache already holds its result, without running anything.\n\n" +
			"Examples:\n" +
			"   wimbuild plan examples/quickstart\n" +
			"   wimbuild plan --format dot . | dot -Tsvg > plan.svg",
		Flags: append(buildFlags(),
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text, dot or json"}),
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != "text" && format != "dot" && format != "json" {
				return usageErrorf("--format must be text, dot or json, not %q", format)
			}
			cc, err := openCache(c)
			if err != nil {
				return err
			}
			p, err := planFromCLI(c, nil, cc)
			if err != nil {
				return err
			}
			return printPlan(c.App.Writer, p, cc, format, c.Bool("no-cache"))
		},
	}
}

// planStep is one step of plan --format json. SharedWith names the step
// of the same build that does the same work (an equal key, not cached):
// it runs once, and this step takes its result.
type planStep struct {
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Label      string   `json:"label"`
	Key        string   `json:"key"`
	Cached     bool     `json:"cached"`
	SharedWith string   `json:"shared_with,omitempty"`
	Deps       []string `json:"deps"`
	Where      string   `json:"where,omitempty"`
}

func printPlan(w io.Writer, p *builder.Plan, cc *cache.Cache, format string, noCache bool) error {
	var steps []planStep
	hits, shared := 0, 0
	first := map[string]string{} // key -> first step with it
	for _, s := range p.Steps {
		a, err := cc.GetAction(s.Key)
		cached := !noCache && err == nil && (s.Valid == nil || s.Valid(a))
		ps := planStep{ID: s.ID, Kind: s.Kind, Label: s.Label, Key: string(s.Key), Cached: cached, Deps: []string{}, Where: s.Where}
		for _, d := range s.Deps {
			ps.Deps = append(ps.Deps, d.ID)
		}
		sort.Strings(ps.Deps)
		if id, ok := first[ps.Key]; ok && !cached && s.Key.Valid() {
			ps.SharedWith = id
			shared++
		} else if !ok {
			first[ps.Key] = s.ID
		}
		if ps.Cached {
			hits++
		}
		steps = append(steps, ps)
	}
	switch format {
	case "json":
		b, err := json.MarshalIndent(struct {
			RecipeDigest string     `json:"recipe_digest"`
			OutDir       string     `json:"out_dir"`
			Steps        []planStep `json:"steps"`
		}{p.Recipe.Digest, p.OutDir, steps}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(b))
		return err
	case "dot":
		fmt.Fprintln(w, "digraph wimbuild {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];")
		for _, s := range steps {
			style := ""
			if s.Cached {
				style = ", style=filled, fillcolor=\"#d8f0d8\""
			}
			fmt.Fprintf(w, "  %q [label=%q%s];\n", s.ID, s.ID+"\n"+s.Kind, style)
			for _, d := range s.Deps {
				fmt.Fprintf(w, "  %q -> %q;\n", d, s.ID)
			}
		}
		fmt.Fprintln(w, "}")
		return nil
	}
	for _, s := range steps {
		state, note := "run   ", ""
		switch {
		case s.Cached:
			state = "cached"
		case s.SharedWith != "":
			state, note = "shared", " (same work as "+s.SharedWith+")"
		}
		fmt.Fprintf(w, "%s  %s  %s%s\n", state, s.Key[:12], s.Label, note)
	}
	sharedNote := ""
	if shared > 0 {
		sharedNote = fmt.Sprintf(", %d shared", shared)
	}
	fmt.Fprintf(w, "%d steps: %d cached, %d to run%s; outputs -> %s\n", len(steps), hits, len(steps)-hits-shared, sharedNote, p.OutDir)
	return nil
}
