package lzx

import (
	"bytes"
	"encoding/binary"
)

// The x86 call (E8) translation of WIM LZX. Before compression every E8
// byte at chunk position i < len-10 is followed by a 32-bit relative call
// target rel, which is replaced by the absolute target i+rel (so repeated
// calls to one function become repeated byte strings); after decompression
// the reverse is applied. Translation size is fixed at 12,000,000; values
// outside [-i, 12,000,000) are left alone. The four operand bytes after an
// E8 are skipped whether or not they were translated. Chunks of 10 bytes or
// fewer are not translated.

// e8Encode translates relative call targets to absolute ones in place.
func e8Encode(b []byte) {
	if len(b) <= e8Tail {
		return
	}
	end := len(b) - e8Tail
	for i := 0; i < end; {
		if b[i] != 0xE8 {
			j := bytes.IndexByte(b[i:end], 0xE8)
			if j < 0 {
				return
			}
			i += j
		}
		rel := int32(binary.LittleEndian.Uint32(b[i+1:]))
		if rel >= -int32(i) && rel < e8FileSize {
			var abs int32
			if rel < e8FileSize-int32(i) {
				abs = rel + int32(i)
			} else {
				abs = rel - e8FileSize
			}
			binary.LittleEndian.PutUint32(b[i+1:], uint32(abs))
		}
		i += 5
	}
}

// e8Decode reverses e8Encode in place.
func e8Decode(b []byte) {
	if len(b) <= e8Tail {
		return
	}
	end := len(b) - e8Tail
	for i := 0; i < end; {
		if b[i] != 0xE8 {
			j := bytes.IndexByte(b[i:end], 0xE8)
			if j < 0 {
				return
			}
			i += j
		}
		abs := int32(binary.LittleEndian.Uint32(b[i+1:]))
		if abs >= -int32(i) && abs < e8FileSize {
			var rel int32
			if abs >= 0 {
				rel = abs - int32(i)
			} else {
				rel = abs + e8FileSize
			}
			binary.LittleEndian.PutUint32(b[i+1:], uint32(rel))
		}
		i += 5
	}
}
