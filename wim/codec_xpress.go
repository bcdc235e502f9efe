package wim

import "github.com/wimbuild/wimbuild/wim/xpress"

func init() {
	codecs[XPRESS] = codecFuncs{
		newDecompressor: func(n int) (Decompressor, error) { return xpress.NewDecompressor(n) },
	}
}
