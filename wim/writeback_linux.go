//go:build linux && (amd64 || arm64 || riscv64 || loong64 || 386)

package wim

import (
	"os"
	"syscall"
)

// startWriteback asks the kernel to start writing [off, off+n) of f to
// storage without waiting (sync_file_range SYNC_FILE_RANGE_WRITE), so a
// later fsync finds most of the file already written. Failure is harmless:
// the fsync still does all the work.
func startWriteback(f *os.File, off, n int64) {
	if c, err := f.SyscallConn(); err == nil {
		_ = c.Control(func(fd uintptr) {
			_ = syscall.SyncFileRange(int(fd), off, n, 2 /* SYNC_FILE_RANGE_WRITE */)
		})
	}
}
