//go:build linux || darwin || freebsd

package wim

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
)

// mapWindow is how much of a file hashRange maps at a time (a variable so
// tests can make ranges span several windows cheaply).
var mapWindow int64 = 16 << 20

// hashRange feeds write n bytes of f at off by mapping the file rather
// than reading it (no copy into a buffer: the bytes go from the page cache
// straight to the hash). ok is false when the file cannot be mapped; the
// caller then reads it. A file truncated under the mapping faults; the fault
// is turned into an error here instead of crashing the process.
func hashRange(write func([]byte), f *os.File, off, n int64) (ok bool, err error) {
	page := int64(os.Getpagesize())
	var mapped []byte // the current window, unmapped on every way out
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			ok, err = true, fmt.Errorf("reading %d bytes at offset %d of %s: %v", n, off, f.Name(), r)
		}
		if mapped != nil {
			syscall.Munmap(mapped)
		}
	}()
	for n > 0 {
		base := off &^ (page - 1)
		skip := off - base
		m := min(n, mapWindow-skip)
		b, merr := syscall.Mmap(int(f.Fd()), base, int(skip+m), syscall.PROT_READ, syscall.MAP_SHARED)
		if merr != nil {
			if !ok {
				return false, nil // not mappable: let the caller read it
			}
			return true, fmt.Errorf("mapping %d bytes at offset %d of %s: %w", m, off, f.Name(), merr)
		}
		ok, mapped = true, b
		write(b[skip:])
		mapped = nil
		if uerr := syscall.Munmap(b); uerr != nil {
			return true, errors.Join(fmt.Errorf("unmapping %s", f.Name()), uerr)
		}
		off, n = off+m, n-m
	}
	return true, nil
}

func mappable() bool { return true }
