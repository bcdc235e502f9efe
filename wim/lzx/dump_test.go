package lzx

import (
	"fmt"
	"os"
	"testing"
)

func TestDumpPrior(t *testing.T) {
	if os.Getenv("LZX_DUMP") == "" {
		t.Skip()
	}
	files := loadCorpus(t)
	if len(files) == 0 {
		t.Skip()
	}
	c, _ := NewCompressor(DefaultChunkSize, 0)
	var sumMain [maxMainSyms]float64
	var sumLen [numLenSyms]float64
	n := 0
	dst := make([]byte, DefaultChunkSize)
	for _, ck := range chunks(files, DefaultChunkSize) {
		if len(ck) < 32768 {
			continue
		}
		if c.Compress(dst[:len(ck)-1], ck) == 0 {
			continue
		}
		n++
		for i := 0; i < c.numMain; i++ {
			l := float64(c.mainLens[i])
			if l == 0 {
				l = 17
			}
			sumMain[i] += l
		}
		for i := range sumLen {
			l := float64(c.lenLens[i])
			if l == 0 {
				l = 17
			}
			sumLen[i] += l
		}
	}
	fmt.Printf("chunks %d\nvar priorMain = [...]uint8{", n)
	for i := numChars; i < 256+30*8; i++ {
		fmt.Printf("%d,", int(sumMain[i]/float64(n)+0.5))
	}
	fmt.Printf("}\nvar priorLen = [...]uint8{")
	for i := range sumLen {
		fmt.Printf("%d,", int(sumLen[i]/float64(n)+0.5))
	}
	fmt.Printf("}\n")
}
