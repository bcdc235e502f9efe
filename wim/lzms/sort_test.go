package lzms

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var s buildScratch
	for _, n := range []int{1, 2, 16, 17, 54, 256, 799} {
		for _, maxFreq := range []int{2, 255, 256, 3000, 70000} {
			keys := make([]uint32, n)
			for i := range keys {
				keys[i] = uint32(1+r.IntN(maxFreq))<<symBits | uint32(i)
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			s.sortKeys(keys)
			if !slices.Equal(keys, want) {
				t.Fatalf("n=%d maxFreq=%d: wrong order", n, maxFreq)
			}
		}
	}
}

// TestOffsetSlotTables checks the table-driven slot lookup against the
// plain search over the slot bases.
func TestOffsetSlotTables(t *testing.T) {
	for o := uint32(1); o <= maxMatchOffset; o += 1 + o/4096 {
		for _, v := range []uint32{o, o | 0xFFFF, o &^ 0xFFFF} {
			if v == 0 || v > maxMatchOffset {
				continue
			}
			if got, want := offsetSlot(v), slotFor(offsetSlotBase[:], v); got != want {
				t.Fatalf("offset %d: slot %d, want %d", v, got, want)
			}
		}
	}
}
