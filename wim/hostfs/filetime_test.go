package hostfs

import (
	"testing"
	"time"
)

func TestFiletime(t *testing.T) {
	// 2024-01-02 03:04:05 UTC as stored by wimlib-imagex in the fixtures.
	const fixture = 133486382450000000
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := FromFiletime(fixture); !got.Equal(want) {
		t.Errorf("FromFiletime(%d) = %v, want %v", uint64(fixture), got, want)
	}
	if got := ToFiletime(want); got != fixture {
		t.Errorf("ToFiletime(%v) = %d, want %d", want, got, uint64(fixture))
	}
	ns := time.Date(2026, 11, 23, 22, 38, 10, 129165314, time.UTC)
	if got := FromFiletime(ToFiletime(ns)); !got.Equal(ns.Truncate(100 * time.Nanosecond)) {
		t.Errorf("round trip of %v = %v", ns, got)
	}
	if ToFiletime(time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)) != 0 {
		t.Error("times before 1601 must clamp to 0")
	}
}
