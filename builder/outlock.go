package builder

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// lockName is the lock file builds take in an output directory while they
// publish into it.
const lockName = ".wimbuild.lock"

// lockDir takes dir's publish lock, waiting (until ctx is canceled) while
// another build holds it. The lock is the operating system's lock on the
// open lock file, so a killed build never leaves it held.
func lockDir(ctx context.Context, dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		held, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if held {
			return func() {
				unlockFile(f)
				f.Close()
			}, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
