package builder

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wimbuild/wimbuild/builder/cache"
)

// counting returns a step whose Run stores its ID plus its inputs' digests
// as a blob and counts executions.
func counting(id string, n *int64, deps ...*Step) *Step {
	s := &Step{ID: id, Kind: "test", Label: "test " + id, Where: "recipe.wb.hcl:1:1", Deps: deps}
	k := cache.NewKey("test", 1).String("id", id)
	for _, d := range deps {
		k.Input("dep", d.Key)
	}
	s.Key = k.Sum()
	s.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
		atomic.AddInt64(n, 1)
		content := id
		for _, d := range deps {
			content += "+" + string(rc.Input(d).Outputs["out"].Digest)
		}
		dg, err := rc.Cache.PutBytes([]byte(content))
		if err != nil {
			return cache.Action{}, err
		}
		return cache.Action{Outputs: map[string]cache.Output{"out": {Digest: dg, Size: int64(len(content))}}}, nil
	}
	return s
}

func TestBuildTwiceZeroExecutions(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	var n int64
	src := counting("source", &n)
	a := counting("a", &n, src)
	b := counting("b", &n, src)
	exp := counting("export", &n, a, b)
	steps := []*Step{exp, b, a, src}
	r1, err := Run(context.Background(), steps, RunOptions{Cache: c, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || r1.Executed != 4 || r1.Cached != 0 {
		t.Fatalf("first build: n=%d %+v", n, r1)
	}
	r2, err := Run(context.Background(), steps, RunOptions{Cache: c, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || r2.Executed != 0 || r2.Cached != 4 {
		t.Fatalf("second build executed steps: n=%d %+v", n, r2)
	}
	if r1.Actions[exp].Outputs["out"] != r2.Actions[exp].Outputs["out"] {
		t.Fatal("cached result differs")
	}
	// --no-cache runs everything again.
	if _, err := Run(context.Background(), steps, RunOptions{Cache: c, NoCache: true}); err != nil || n != 8 {
		t.Fatalf("no-cache: n=%d err=%v", n, err)
	}
}

func TestChangedInputRerunsOnlyDownstream(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	var n int64
	build := func(overlay string) {
		src := counting("source", &n)
		files := counting("files-"+overlay, &n, src) // overlay content is part of the key
		reg := counting("registry", &n, src)
		exp := counting("export", &n, files, reg)
		if _, err := Run(context.Background(), []*Step{src, files, reg, exp}, RunOptions{Cache: c}); err != nil {
			t.Fatal(err)
		}
	}
	build("v1")
	n = 0
	build("v2")
	if n != 2 { // files + export, not source or registry
		t.Fatalf("re-ran %d steps, want 2", n)
	}
}

func TestIdenticalStepsRunOnce(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	var n int64
	a := counting("x", &n)
	b := counting("x", &n) // same key, different node
	b.ID = "x-again"
	var mu sync.Mutex
	statuses := map[Status]int{}
	observe := func(e Event) { mu.Lock(); statuses[e.Status]++; mu.Unlock() }
	r, err := Run(context.Background(), []*Step{a, b}, RunOptions{Cache: c, Jobs: 2, Observe: observe})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("identical steps ran %d times", n)
	}
	if r.Actions[a].Outputs["out"] != r.Actions[b].Outputs["out"] {
		t.Fatal("deduplicated step got a different result")
	}
	// Every step has an event, and the counts say what happened (the
	// second step was counted as cached, with no event).
	if r.Executed != 1 || r.Shared != 1 || r.Cached != 0 || statuses[StatusDone] != 1 || statuses[StatusShared] != 1 {
		t.Fatalf("first build: %+v, events %v; want one done and one shared", r, statuses)
	}
	statuses = map[Status]int{}
	r, err = Run(context.Background(), []*Step{a, b}, RunOptions{Cache: c, Jobs: 2, Observe: observe})
	if err != nil || r.Cached != 2 || r.Shared != 0 || statuses[StatusCached] != 2 {
		t.Fatalf("second build: %v %+v, events %v; want both cached", err, r, statuses)
	}
}

func TestParallelism(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	var running, peak int64
	mk := func(id string) *Step {
		return &Step{ID: id, Kind: "p", Key: cache.NewKey("p", 1).String("id", id).Sum(),
			Run: func(ctx context.Context, rc *RunContext) (cache.Action, error) {
				cur := atomic.AddInt64(&running, 1)
				for {
					p := atomic.LoadInt64(&peak)
					if cur <= p || atomic.CompareAndSwapInt64(&peak, p, cur) {
						break
					}
				}
				time.Sleep(50 * time.Millisecond)
				atomic.AddInt64(&running, -1)
				return cache.Action{}, nil
			}}
	}
	steps := []*Step{mk("1"), mk("2"), mk("3"), mk("4")}
	if _, err := Run(context.Background(), steps, RunOptions{Cache: c, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	if peak != 2 {
		t.Fatalf("peak concurrency %d, want 2 with Jobs=2", peak)
	}
}

func TestFailureCancelsAndIsLocated(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	boom := errors.New("boom")
	var n int64
	bad := &Step{ID: "bad", Kind: "files", Label: "image.boot files", Where: "recipe.wb.hcl:12:3",
		Key: cache.NewKey("bad", 1).Sum(),
		Run: func(ctx context.Context, rc *RunContext) (cache.Action, error) { return cache.Action{}, boom }}
	after := counting("after", &n, bad)
	slow := &Step{ID: "slow", Kind: "x", Key: cache.NewKey("slow", 1).Sum(),
		Run: func(ctx context.Context, rc *RunContext) (cache.Action, error) {
			select {
			case <-ctx.Done():
				return cache.Action{}, ctx.Err()
			case <-time.After(10 * time.Second):
				return cache.Action{}, errors.New("not cancelled")
			}
		}}
	var mu sync.Mutex
	var events []Event
	start := time.Now()
	_, err := Run(context.Background(), []*Step{bad, after, slow}, RunOptions{Cache: c, Jobs: 3,
		Observe: func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() }})
	if time.Since(start) > 5*time.Second {
		t.Fatal("failure did not cancel the slow step")
	}
	var se *StepError
	if !errors.As(err, &se) || se.Step != bad || !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "recipe.wb.hcl:12:3: image.boot files: boom") {
		t.Fatalf("error text %q", err)
	}
	if n != 0 {
		t.Fatal("dependent of a failed step ran")
	}
	if _, err := c.GetAction(bad.Key); !errors.Is(err, cache.ErrMiss) {
		t.Fatal("failed step was cached")
	}
	skipped := false
	for _, e := range events {
		if e.Step == after && e.Status == StatusSkipped {
			skipped = true
		}
	}
	if !skipped {
		t.Fatal("no skipped event for the dependent step")
	}
	// The step stopped by the failure was canceled (or never started),
	// not failed: only the step at fault reports a failure.
	for _, e := range events {
		if e.Status == StatusFailed && e.Step != bad {
			t.Errorf("%s reported failed (%v) after another step's failure", e.Step.ID, e.Err)
		}
		if e.Step == slow && e.Status != StatusStarted && e.Status != StatusCanceled && e.Status != StatusSkipped {
			t.Errorf("slow step: status %s, want canceled or skipped", e.Status)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	s := &Step{ID: "s", Kind: "x", Key: cache.NewKey("s", 1).Sum(),
		Run: func(ctx context.Context, rc *RunContext) (cache.Action, error) {
			cancel()
			<-ctx.Done()
			return cache.Action{}, ctx.Err()
		}}
	_, err := Run(ctx, []*Step{s}, RunOptions{Cache: c})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestValidateGraph(t *testing.T) {
	a := &Step{ID: "a"}
	b := &Step{ID: "b", Deps: []*Step{a}}
	a.Deps = []*Step{b}
	if _, err := Validate([]*Step{a, b}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("cycle: %v", err)
	}
	x := &Step{ID: "x"}
	y := &Step{ID: "y", Deps: []*Step{x}}
	if _, err := Validate([]*Step{y}); err == nil {
		t.Fatal("missing dependency accepted")
	}
	if _, err := Validate([]*Step{x, {ID: "x"}}); err == nil {
		t.Fatal("duplicate ID accepted")
	}
	order, err := Validate([]*Step{y, x})
	if err != nil || order[0] != x || order[1] != y {
		t.Fatalf("order %v %v", order, err)
	}
}

// finishing returns a step whose result blob is written by Finish work
// that first waits for release (closed by the test).
func finishing(id string, release <-chan struct{}, ferr error, deps ...*Step) *Step {
	s := &Step{ID: id, Kind: "test", Label: "test " + id, Deps: deps}
	s.Key = cache.NewKey("test-finish", 1).String("id", id).Sum()
	s.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
		data := []byte("content of " + id)
		d := cache.DigestBytes(data)
		rc.Finish(func() error {
			<-release
			if ferr != nil {
				return ferr
			}
			return rc.Cache.StoreBytes(data, d)
		})
		return cache.Action{Outputs: map[string]cache.Output{"out": {Digest: d, Size: int64(len(data))}}}, nil
	}
	return s
}

// Finish work runs while dependents already run; the action record waits
// for it, and Run returns only after it.
func TestFinishOverlapsDependents(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	release := make(chan struct{})
	up := finishing("up", release, nil)
	var ranBeforeRelease atomic.Bool
	down := &Step{ID: "down", Kind: "test", Label: "down", Deps: []*Step{up}, Key: cache.NewKey("test-down", 1).Sum()}
	down.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
		select {
		case <-release:
		default:
			ranBeforeRelease.Store(true)
		}
		if _, err := c.GetAction(up.Key); err == nil {
			t.Error("the upstream action record was written before its Finish work")
		}
		close(release)
		return cache.Action{}, nil
	}
	if _, err := Run(context.Background(), []*Step{up, down}, RunOptions{Cache: c, Jobs: 2}); err != nil {
		t.Fatal(err)
	}
	if !ranBeforeRelease.Load() {
		t.Fatal("the dependent waited for the Finish work")
	}
	a, err := c.GetAction(up.Key)
	if err != nil {
		t.Fatalf("no action record after Run: %v", err)
	}
	if !c.HasBlob(a.Outputs["out"].Digest) {
		t.Fatal("the action record names a blob Finish did not store")
	}
}

// A failing Finish fails the build, names the step, and stores no record.
func TestFinishFailureFailsBuild(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	release := make(chan struct{})
	close(release)
	boom := errors.New("disk full")
	up := finishing("up", release, boom)
	_, err := Run(context.Background(), []*Step{up}, RunOptions{Cache: c})
	var se *StepError
	if !errors.As(err, &se) || se.Step != up || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the step's Finish error", err)
	}
	if _, err := c.GetAction(up.Key); err == nil {
		t.Fatal("an action record was stored although Finish failed")
	}
}

// A step with the same key as a finishing one sees its result only after
// the Finish work (it has no in-memory hand-off).
func TestFinishBeforeSameKeyStep(t *testing.T) {
	c, _ := cache.Open(t.TempDir())
	release := make(chan struct{})
	a := finishing("same", release, nil)
	b := finishing("same", release, nil)
	b.ID = "same-2"
	var sawBlob atomic.Bool
	reader := func(id string, dep *Step) *Step {
		s := &Step{ID: id, Kind: "test", Label: id, Deps: []*Step{dep}, Key: cache.NewKey("test-reader", 1).String("id", id).Sum()}
		s.Run = func(ctx context.Context, rc *RunContext) (cache.Action, error) {
			// The executing step's reader may run before the release;
			// the waiting step's reader must not.
			if c.HasBlob(rc.Input(dep).Outputs["out"].Digest) {
				sawBlob.Store(true)
			}
			return cache.Action{}, nil
		}
		return s
	}
	ra, rb := reader("ra", a), reader("rb", b)
	go func() { time.Sleep(50 * time.Millisecond); close(release) }()
	if _, err := Run(context.Background(), []*Step{a, b, ra, rb}, RunOptions{Cache: c, Jobs: 4}); err != nil {
		t.Fatal(err)
	}
	if !sawBlob.Load() {
		t.Fatal("the same-key step's result was visible before its Finish work stored the blob")
	}
}
