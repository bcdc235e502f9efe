//go:build unix

package xpress

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user+system) this process has used. The
// benchmarks report throughput per CPU second as well as per wall second
// because the build machines are shared.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
