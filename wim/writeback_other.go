//go:build !linux || !(amd64 || arm64 || riscv64 || loong64 || 386)

package wim

import "os"

// startWriteback is a no-op where the system cannot start writeback of a
// file range ahead of fsync.
func startWriteback(f *os.File, off, n int64) {}
