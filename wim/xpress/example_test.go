package xpress_test

import (
	"bytes"
	"fmt"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/xpress"
)

// The codecs satisfy the chunk codec contract of package wim.
var (
	_ wim.Compressor   = (*xpress.Compressor)(nil)
	_ wim.Decompressor = (*xpress.Decompressor)(nil)
)

func Example() {
	chunk := bytes.Repeat([]byte("WIMBoot chunk "), 300)[:4096]

	c, err := xpress.NewCompressor(4096, 0) // 0: default level
	if err != nil {
		panic(err)
	}
	dst := make([]byte, len(chunk)-1)
	n := c.Compress(dst, chunk)
	if n == 0 {
		fmt.Println("store raw")
		return
	}

	d, err := xpress.NewDecompressor(4096)
	if err != nil {
		panic(err)
	}
	out := make([]byte, len(chunk))
	if err := d.Decompress(out, dst[:n]); err != nil {
		panic(err)
	}
	fmt.Println(n < 300, bytes.Equal(out, chunk))
	// Output: true true
}
