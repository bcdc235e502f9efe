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
