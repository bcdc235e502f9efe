package wim

import "fmt"

// The codec registry. Each compression format is wired in here once its
// package exists under wim/; until then newCompressor/newDecompressor
// return an error wrapping ErrCodec.

type codecFuncs struct {
	newCompressor   func(maxChunkSize, level int) (Compressor, error)
	newDecompressor func(maxChunkSize int) (Decompressor, error)
}

// codecs maps a Compression to its implementation. Filled by codec_*.go.
var codecs = map[Compression]codecFuncs{}

// CodecAvailable reports whether data compressed with c can be read.
func CodecAvailable(c Compression) bool {
	if c == None {
		return true
	}
	return codecs[c].newDecompressor != nil
}

// CompressorAvailable reports whether data can be written with c.
func CompressorAvailable(c Compression) bool {
	if c == None {
		return true
	}
	return codecs[c].newCompressor != nil
}

func newCompressor(c Compression, chunkSize, level int) (Compressor, error) {
	f, ok := codecs[c]
	if !ok || f.newCompressor == nil {
		return nil, fmt.Errorf("%w: compression %v not available", ErrCodec, c)
	}
	return f.newCompressor(chunkSize, level)
}

func newDecompressor(c Compression, chunkSize int) (Decompressor, error) {
	f, ok := codecs[c]
	if !ok || f.newDecompressor == nil {
		return nil, fmt.Errorf("%w: compression %v not available", ErrCodec, c)
	}
	return f.newDecompressor(chunkSize)
}
