//go:build unix

package lzx

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time (benchmarks report
// it because wall time is meaningless on a shared, overloaded machine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
