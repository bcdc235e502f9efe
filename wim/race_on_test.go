//go:build race

package wim

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// allocation-bound tests measure the detector, not the writer.
const raceEnabled = true
