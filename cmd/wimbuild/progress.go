package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/wimbuild/wimbuild/internal/progress"
)

// progressMode is how long-running work is shown: "tty" draws bars, "plain"
// prints a line when a task starts and ends, "none" prints nothing.
func progressMode() string {
	if os.Getenv("CI") == "true" || !term.IsTerminal(int(os.Stderr.Fd())) {
		return "plain"
	}
	return "tty"
}

// newReporter returns a progress.Reporter that renders to stderr.
func newReporter(mode string) progress.Reporter {
	switch mode {
	case "tty":
		return &barReporter{w: os.Stderr}
	case "plain":
		return &lineReporter{w: os.Stderr}
	default:
		return progress.Nop
	}
}

type barReporter struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func (r *barReporter) Begin(label string, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(r.w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}

func (r *barReporter) Advance(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Add64(n)
	}
}

func (r *barReporter) End() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Finish()
		r.bar = nil
	}
}

type lineReporter struct {
	w     io.Writer
	mu    sync.Mutex
	label string
	total int64
	done  int64
}

func (r *lineReporter) Begin(label string, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.label, r.total, r.done = label, total, 0
	fmt.Fprintf(r.w, "%s ...\n", label)
}

func (r *lineReporter) Advance(n int64) {
	r.mu.Lock()
	r.done += n
	r.mu.Unlock()
}

// End reports the task done, or stopped short when less than its known
// total was reached (a failed or interrupted write).
func (r *lineReporter) End() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.total >= 0 && r.done < r.total {
		fmt.Fprintf(r.w, "%s: stopped after %d of %d bytes\n", r.label, r.done, r.total)
		return
	}
	fmt.Fprintf(r.w, "%s: done (%d bytes)\n", r.label, r.done)
}
