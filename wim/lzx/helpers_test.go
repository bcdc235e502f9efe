package lzx

import (
	"testing"

	"github.com/wimbuild/wimbuild/internal/testutil"
)

func fixture(t testing.TB, rel ...string) string {
	t.Helper()
	return testutil.Fixture(t, rel...)
}
