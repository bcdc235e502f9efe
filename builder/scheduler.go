package builder

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/wimbuild/wimbuild/builder/cache"
)

// Step is one node of the build graph.
type Step struct {
	// ID names the step uniquely within a graph, e.g. "image.boot/files#1".
	ID string
	// Kind is the step kind ("source", "files", "registry", "export", …).
	Kind string
	// Label describes the step for people (progress, cache ls). Not keyed.
	Label string
	// Where is the recipe location that asked for the step (file:line:col).
	Where string
	// Deps are the steps whose outputs this step reads.
	Deps []*Step
	// Key is the step's cache key, computed when the graph is planned.
	Key cache.Digest
	// NoCache runs the step even when its key is cached (and does not store
	// its result), for steps whose output is cheap or must be fresh.
	NoCache bool
	// Valid, when set, confirms on a cache hit that the stored result is
	// still usable (e.g. every blob it refers to is still stored); false
	// turns the hit into a miss, so the step runs again.
	Valid func(a cache.Action) bool
	// Run executes the step. It reads its inputs' results from rc and
	// returns its outputs as a cache.Action whose blobs are already in the
	// cache.
	Run func(ctx context.Context, rc *RunContext) (cache.Action, error)
}

// StepError is a step failure, located in the recipe.
type StepError struct {
	Step *Step
	Err  error
}

func (e *StepError) Error() string {
	where := e.Step.Where
	var le *locatedError
	if errors.As(e.Err, &le) {
		where = le.where
	}
	if where != "" {
		return fmt.Sprintf("%s: %s: %v", where, e.Step.Label, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Step.Label, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// Status is what happened to a step.
type Status string

const (
	StatusStarted Status = "started"
	StatusCached  Status = "cached"
	StatusDone    Status = "done"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped" // not run because the build stopped
	// StatusCanceled: stopped while running because the build stopped
	// (another step failed, or the build was interrupted).
	StatusCanceled Status = "canceled"
	// StatusShared: the same work (an equal key) as another step of this
	// build, which ran it; this step takes its result.
	StatusShared Status = "shared"
)

// Event reports a step's progress to an Observer.
type Event struct {
	Step     *Step
	Status   Status
	Duration time.Duration
	Err      error
	// Done/Total report work inside a running step (bytes), when known.
	Done, Total int64
}

// Observer receives events; it may be called from several goroutines.
type Observer func(Event)

// RunOptions configure Run.
type RunOptions struct {
	Cache *cache.Cache
	// Jobs is the number of steps run at once (default: CPU count).
	Jobs int
	// NoCache runs every step and stores nothing.
	NoCache bool
	// Observe receives step events (may be nil).
	Observe Observer
}

// RunContext gives a running step access to its inputs and the cache.
type RunContext struct {
	Cache   *cache.Cache
	results map[*Step]cache.Action
	mu      *sync.Mutex
	step    *Step
	observe Observer
	finish  []func() error
}

// Finish registers work that completes the step's stored result (writing
// blobs the returned action names, whose digests are already known). It
// runs after Run returns, while the step's dependents already start from
// what the step handed them in memory; the step's action record is written
// only once it has succeeded, and its failure fails the build. Steps with
// the same key that wait for this one see its result only after it.
func (rc *RunContext) Finish(f func() error) { rc.finish = append(rc.finish, f) }

// Input returns the result of one of the step's dependencies.
func (rc *RunContext) Input(dep *Step) cache.Action {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.results[dep]
}

// Progress reports work done inside the running step.
func (rc *RunContext) Progress(done, total int64) {
	if rc.observe != nil {
		rc.observe(Event{Step: rc.step, Status: StatusStarted, Done: done, Total: total})
	}
}

// Result is the outcome of Run.
type Result struct {
	// Actions holds every step's result.
	Actions map[*Step]cache.Action
	// Executed, Cached and Shared count steps by what happened to them
	// (Shared: took the result of another step with the same key that
	// ran in this build).
	Executed, Cached, Shared int
}

// Validate checks that steps form a DAG with unique IDs and returns them in
// a deterministic topological order.
func Validate(steps []*Step) ([]*Step, error) {
	ids := map[string]*Step{}
	for _, s := range steps {
		if s.ID == "" {
			return nil, errors.New("builder: step without ID")
		}
		if ids[s.ID] != nil && ids[s.ID] != s {
			return nil, fmt.Errorf("builder: duplicate step ID %q", s.ID)
		}
		ids[s.ID] = s
	}
	const (
		white = iota
		grey
		black
	)
	color := map[*Step]int{}
	var order []*Step
	var visit func(s *Step, path []string) error
	visit = func(s *Step, path []string) error {
		switch color[s] {
		case grey:
			return fmt.Errorf("builder: dependency cycle: %v -> %s", path, s.ID)
		case black:
			return nil
		}
		color[s] = grey
		deps := append([]*Step(nil), s.Deps...)
		sort.Slice(deps, func(i, j int) bool { return deps[i].ID < deps[j].ID })
		for _, d := range deps {
			if ids[d.ID] != d {
				return fmt.Errorf("builder: step %s depends on %s, which is not in the graph", s.ID, d.ID)
			}
			if err := visit(d, append(path, s.ID)); err != nil {
				return err
			}
		}
		color[s] = black
		order = append(order, s)
		return nil
	}
	sorted := append([]*Step(nil), steps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, s := range sorted {
		if err := visit(s, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// Run executes steps (and nothing else: callers pass the closure of what
// they want built). Independent steps run in parallel up to Jobs; steps with
// equal keys run once; the first failure cancels the rest. The error is a
// *StepError for the first step that failed, or ctx.Err() when cancelled.
func Run(ctx context.Context, steps []*Step, o RunOptions) (*Result, error) {
	order, err := Validate(steps)
	if err != nil {
		return nil, err
	}
	if o.Cache == nil {
		return nil, errors.New("builder: no cache")
	}
	jobs := o.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		results  = map[*Step]cache.Action{}
		res      = &Result{Actions: results}
		firstErr error
		done     = map[*Step]chan struct{}{}
		byKey    = map[cache.Digest]*keyed{}
		sem      = make(chan struct{}, jobs)
		wg       sync.WaitGroup
		bg       sync.WaitGroup // Finish work of steps already done
	)
	for _, s := range order {
		done[s] = make(chan struct{})
		// Of steps with equal keys, the first in order runs and the
		// others share its result: the same one plan names.
		if s.Key.Valid() && byKey[s.Key] == nil {
			byKey[s.Key] = &keyed{done: make(chan struct{}), primary: s}
		}
	}
	emit := func(e Event) {
		if o.Observe != nil {
			o.Observe(e)
		}
	}
	fail := func(s *Step, err error) {
		mu.Lock()
		if firstErr == nil {
			if ctx.Err() != nil && errors.Is(err, context.Canceled) {
				firstErr = err
			} else {
				firstErr = &StepError{Step: s, Err: err}
			}
		}
		mu.Unlock()
		cancel()
	}
	for _, s := range order {
		wg.Add(1)
		go func(s *Step) {
			defer wg.Done()
			defer close(done[s])
			for _, d := range s.Deps {
				select {
				case <-done[d]:
				case <-ctx.Done():
				}
			}
			mu.Lock()
			ok := ctx.Err() == nil
			for _, d := range s.Deps {
				if _, have := results[d]; !have {
					ok = false
				}
			}
			mu.Unlock()
			if !ok {
				emit(Event{Step: s, Status: StatusSkipped})
				return
			}
			later := func(f func() error) {
				bg.Add(1)
				go func() {
					defer bg.Done()
					if err := f(); err != nil {
						if ctx.Err() != nil {
							emit(Event{Step: s, Status: StatusCanceled, Err: err})
						} else {
							emit(Event{Step: s, Status: StatusFailed, Err: err})
						}
						fail(s, err)
					}
				}()
			}
			a, how, err := runOnce(ctx, s, o, sem, &mu, results, byKey, emit, later)
			if err != nil {
				fail(s, err)
				return
			}
			mu.Lock()
			results[s] = a
			switch how {
			case StatusCached:
				res.Cached++
			case StatusShared:
				res.Shared++
			default:
				res.Executed++
			}
			mu.Unlock()
		}(s)
	}
	wg.Wait()
	bg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// keyed deduplicates steps with equal keys within one build.
type keyed struct {
	done    chan struct{}
	primary *Step // the step that runs; the others wait for it
	action  cache.Action
	err     error
	cached  bool // the result came from the cache
}

func runOnce(ctx context.Context, s *Step, o RunOptions, sem chan struct{}, mu *sync.Mutex,
	results map[*Step]cache.Action, byKey map[cache.Digest]*keyed, emit func(Event), later func(func() error)) (cache.Action, Status, error) {
	useCache := !o.NoCache && !s.NoCache && s.Key.Valid()
	if s.Key.Valid() {
		mu.Lock()
		k := byKey[s.Key]
		mu.Unlock()
		if k.primary != s {
			select {
			case <-k.done:
				if k.err != nil {
					return cache.Action{}, StatusFailed, k.err
				}
				// Reported like the step it shares a key with: cached
				// when that came from the cache (as plan says).
				how := StatusShared
				if k.cached {
					how = StatusCached
				}
				emit(Event{Step: s, Status: how})
				return k.action, how, nil
			case <-ctx.Done():
				return cache.Action{}, StatusSkipped, ctx.Err()
			}
		}
		// Steps waiting on this key read the stored result (they have
		// no in-memory hand-off), so they wait for its Finish work too.
		deferred := false
		ready := make(chan struct{}) // k.action and k.err are set
		a, cached, err := execute(ctx, s, o, useCache, sem, mu, results, emit, func(f func() error) {
			deferred = true
			later(func() error {
				ferr := f()
				<-ready
				if ferr != nil {
					k.err = ferr
				}
				close(k.done)
				return ferr
			})
		})
		k.action, k.err, k.cached = a, err, cached == StatusCached
		close(ready)
		if !deferred {
			close(k.done)
		}
		return a, cached, err
	}
	return execute(ctx, s, o, useCache, sem, mu, results, emit, later)
}

// execute runs s, or takes its result from the cache; the Status says
// which (StatusCached or StatusDone) when there is no error.
func execute(ctx context.Context, s *Step, o RunOptions, useCache bool, sem chan struct{}, mu *sync.Mutex,
	results map[*Step]cache.Action, emit func(Event), later func(func() error)) (cache.Action, Status, error) {
	if useCache {
		if a, err := o.Cache.GetAction(s.Key); err == nil && (s.Valid == nil || s.Valid(a)) {
			emit(Event{Step: s, Status: StatusCached})
			return a, StatusCached, nil
		}
	}
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
	}
	if ctx.Err() != nil { // stopped while waiting (select picks at random when both are ready)
		emit(Event{Step: s, Status: StatusSkipped})
		return cache.Action{}, StatusSkipped, ctx.Err()
	}
	defer func() { <-sem }()
	if s.Run == nil {
		return cache.Action{}, StatusFailed, errors.New("step has no implementation")
	}
	start := time.Now()
	emit(Event{Step: s, Status: StatusStarted})
	rc := &RunContext{Cache: o.Cache, results: results, mu: mu, step: s, observe: o.Observe}
	a, err := s.Run(ctx, rc)
	if ctx.Err() != nil {
		// Whatever the step returned once the build was canceled (often
		// its own "canceled" error), the build was interrupted.
		emit(Event{Step: s, Status: StatusCanceled, Err: ctx.Err(), Duration: time.Since(start)})
		return cache.Action{}, StatusCanceled, ctx.Err()
	}
	if err != nil {
		emit(Event{Step: s, Status: StatusFailed, Err: err, Duration: time.Since(start)})
		return cache.Action{}, StatusFailed, err
	}
	if a.Kind == "" {
		a.Kind = s.Kind
	}
	if a.Label == "" {
		a.Label = s.Label
	}
	if len(rc.finish) > 0 {
		// The rest of the result is written in the background; the
		// action record follows it.
		fins := rc.finish
		later(func() error {
			for _, f := range fins {
				if err := f(); err != nil {
					return err
				}
			}
			if useCache {
				return o.Cache.PutAction(s.Key, a)
			}
			return nil
		})
	} else if useCache {
		if err := o.Cache.PutAction(s.Key, a); err != nil {
			emit(Event{Step: s, Status: StatusFailed, Err: err, Duration: time.Since(start)})
			return cache.Action{}, StatusFailed, err
		}
	}
	emit(Event{Step: s, Status: StatusDone, Duration: time.Since(start)})
	return a, StatusDone, nil
}
