package wim

import (
	"github.com/wimbuild/wimbuild/wim/lzms"
	"github.com/wimbuild/wimbuild/wim/lzx"
	"github.com/wimbuild/wimbuild/wim/xpress"
)

// The codecs wired into the registry.
func init() {
	codecs[XPRESS] = codecFuncs{
		newCompressor:   func(n, level int) (Compressor, error) { return xpress.NewCompressor(n, level) },
		newDecompressor: func(n int) (Decompressor, error) { return xpress.NewDecompressor(n) },
	}
	codecs[LZX] = codecFuncs{
		newCompressor:   func(n, level int) (Compressor, error) { return lzx.NewCompressor(n, level) },
		newDecompressor: func(n int) (Decompressor, error) { return lzx.NewDecompressor(n) },
	}
	codecs[LZMS] = codecFuncs{
		newCompressor:   func(n, level int) (Compressor, error) { return lzms.NewCompressor(n, level) },
		newDecompressor: func(n int) (Decompressor, error) { return lzms.NewDecompressor(n) },
	}
}
