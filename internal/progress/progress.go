// Package progress is the tiny interface through which library packages
// report long-running work. Only cmd/wimbuild renders it (bars on a terminal,
// plain lines in CI). It imports nothing, so format packages may use it.
package progress

// Reporter receives progress of one task at a time. Implementations must be
// safe for concurrent Advance calls.
type Reporter interface {
	// Begin starts a task; total is in bytes (or items), -1 when unknown.
	Begin(label string, total int64)
	// Advance records n more units done.
	Advance(n int64)
	// End finishes the task started by Begin.
	End()
}

type nop struct{}

func (nop) Begin(string, int64) {}
func (nop) Advance(int64)       {}
func (nop) End()                {}

// Nop is a Reporter that discards everything.
var Nop Reporter = nop{}

// Or returns r, or Nop when r is nil.
func Or(r Reporter) Reporter {
	if r == nil {
		return Nop
	}
	return r
}
