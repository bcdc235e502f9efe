package lzms

import (
	"encoding/binary"
	"math"
)

// x86Filter converts relative addresses in likely x86/x64 instructions to
// absolute ones (encode) or back (undo). It is applied to the whole chunk
// and is its own exact inverse: the scan decides from opcode bytes, which
// the translation never changes, and from operands in their relative form.
//
// Candidate instructions: E8 (call rel32), FF 15 (call [rip+disp32]),
// F0 83 05 (lock add [rip+disp32]), 48/4C 8D xx and 48 8B xx with a
// RIP-relative-looking ModR/M (lea/mov). E9 (jmp rel32) is skipped over but
// never translated. A translation happens only within x86MaxTransOffset
// bytes (half that for E8) after the last spot that looked like real code:
// two candidates whose targets agree in the low 16 bits within
// x86IDWindow bytes. Opcodes in the first byte and the last 16 bytes are
// ignored; chunks of 17 bytes or fewer are left alone.
//
// mem carries the table of recent targets from call to call so that it is
// not refilled for every chunk: positions are stored relative to a base
// that moves past each chunk by more than x86IDWindow, which makes the
// entries of earlier chunks too old to count.
func x86Filter(data []byte, mem *x86Memory, undo bool) {
	n := len(data)
	if n <= 17 {
		return
	}
	if mem.last == nil {
		mem.last = make([]int32, 65536)
		mem.base = math.MaxInt32 // forces the fill below
	}
	if int64(mem.base)+int64(n)+2*x86IDWindow+2 > math.MaxInt32 {
		for i := range mem.last {
			mem.last[i] = -x86IDWindow - 1
		}
		mem.base = 0
	}
	base := mem.base
	mem.base += int32(n) + x86IDWindow + 1
	last := (*[65536]int32)(mem.last)
	lastX86 := int32(-x86MaxTransOffset - 1)
	end := n - 16
	for i := 1; i < end; {
		// Most bytes are not candidate opcodes: skip them quickly.
		for !x86Candidate[data[i]] {
			i++
			if i >= end {
				return
			}
		}
		var nb int
		maxOff := int32(x86MaxTransOffset)
		switch data[i] {
		case 0xE8:
			nb = 1
			maxOff >>= 1
		case 0xE9:
			i += 5
			continue
		case 0xFF:
			if data[i+1] == 0x15 {
				nb = 2
			}
		case 0xF0:
			if data[i+1] == 0x83 && data[i+2] == 0x05 {
				nb = 3
			}
		case 0x48, 0x4C:
			m := data[i+2]
			if m&7 == 5 && (data[i+1] == 0x8D || (data[i+1] == 0x8B && data[i] == 0x48 && m&0xF0 == 0)) {
				nb = 3
			}
		}
		if nb == 0 {
			i++
			continue
		}
		pos := int32(i)
		op := data[i+nb : i+nb+4]
		var target uint16
		if undo {
			if pos-lastX86 <= maxOff {
				binary.LittleEndian.PutUint32(op, binary.LittleEndian.Uint32(op)-uint32(pos))
			}
			target = uint16(pos) + binary.LittleEndian.Uint16(op)
		} else {
			target = uint16(pos) + binary.LittleEndian.Uint16(op)
			if pos-lastX86 <= maxOff {
				binary.LittleEndian.PutUint32(op, binary.LittleEndian.Uint32(op)+uint32(pos))
			}
		}
		endPos := pos + int32(nb) + 3
		if endPos+base-last[target] <= x86IDWindow {
			lastX86 = endPos
		}
		last[target] = endPos + base
		i += nb + 4
	}
}

// x86Memory is x86Filter's table of recent targets (the last position,
// plus base, at which each low 16 bits of a target were seen).
type x86Memory struct {
	last []int32
	base int32
}

// x86Candidate marks the first bytes of the instructions x86Filter looks at.
var x86Candidate = [256]bool{0x48: true, 0x4C: true, 0xE8: true, 0xE9: true, 0xF0: true, 0xFF: true}
