//go:build !race

package wim

const raceEnabled = false
