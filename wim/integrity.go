package wim

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"
)

// Integrity table layout (stored uncompressed after the XML data):
//
//	u32 size (= 12 + 20*n)   u32 n   u32 chunk size
//	n SHA-1s of consecutive chunk-size pieces of [208, end of blob table)

// buildIntegrity hashes [start, end) of r in unit-sized pieces.
func buildIntegrity(r io.ReaderAt, start, end int64, unit int) ([]byte, error) {
	n := (end - start + int64(unit) - 1) / int64(unit)
	out := make([]byte, integrityHeaderSize, integrityHeaderSize+20*n)
	binary.LittleEndian.PutUint32(out[0:], uint32(integrityHeaderSize+20*n))
	binary.LittleEndian.PutUint32(out[4:], uint32(n))
	binary.LittleEndian.PutUint32(out[8:], uint32(unit))
	buf := make([]byte, min(int64(unit), max(end-start, 0)))
	for off := start; off < end; off += int64(unit) {
		m := min(int64(unit), end-off)
		if _, err := r.ReadAt(buf[:m], off); err != nil {
			return nil, fmt.Errorf("wim: reading back for the integrity table: %w", err)
		}
		s := sha1.Sum(buf[:m])
		out = append(out, s[:]...)
	}
	return out, nil
}

// HasIntegrity reports whether the WIM carries an integrity table.
func (w *WIM) HasIntegrity() bool { return !w.hdr.Integrity.isZero() }

// CheckIntegrity verifies the integrity table against the file. It returns
// nil when there is no table (see HasIntegrity). A mismatch is a
// *FormatError wrapping ErrIntegrity whose Offset is the start of the
// first bad piece.
func (w *WIM) CheckIntegrity() error {
	rh := w.hdr.Integrity
	if rh.isZero() {
		return nil
	}
	if rh.Flags&ResFlagCompressed != 0 || rh.SizeInWIM != rh.UncompressedSize || rh.SizeInWIM < integrityHeaderSize {
		return formatErr(offIntegrity, "integrity table resource header", ErrCorrupt)
	}
	if rh.SizeInWIM > 12+20*(w.size/minIntegrityUnit+1) {
		return formatErr(offIntegrity, "integrity table larger than the file needs", ErrCorrupt)
	}
	tbl := make([]byte, rh.SizeInWIM)
	if _, err := w.ra.ReadAt(tbl, rh.Offset); err != nil {
		return formatErr(rh.Offset, "integrity table", ioErr(err))
	}
	size := int64(binary.LittleEndian.Uint32(tbl[0:]))
	n := int64(binary.LittleEndian.Uint32(tbl[4:]))
	unit := int64(binary.LittleEndian.Uint32(tbl[8:]))
	if size != rh.SizeInWIM || size != integrityHeaderSize+20*n {
		return formatErr(rh.Offset, fmt.Sprintf("integrity table size %d for %d entries", size, n), ErrCorrupt)
	}
	if unit < minIntegrityUnit || unit > maxIntegrityUnit {
		return formatErr(rh.Offset+8, fmt.Sprintf("integrity chunk size %d", unit), ErrCorrupt)
	}
	end := w.hdr.BlobTable.Offset + w.hdr.BlobTable.SizeInWIM
	if want := (end - HeaderSize + unit - 1) / unit; want != n {
		return formatErr(rh.Offset+4, fmt.Sprintf("integrity table has %d entries, %d bytes need %d", n, end-HeaderSize, want), ErrIntegrity)
	}
	buf := make([]byte, min(unit, max(end-HeaderSize, 0)))
	for i := int64(0); i < n; i++ {
		off := HeaderSize + i*unit
		m := min(unit, end-off)
		if _, err := w.ra.ReadAt(buf[:m], off); err != nil {
			return formatErr(off, "integrity-checked data", ioErr(err))
		}
		s := sha1.Sum(buf[:m])
		if !bytes.Equal(s[:], tbl[12+20*i:32+20*i]) {
			return formatErr(off, fmt.Sprintf("integrity piece %d [%d, %d)", i, off, off+m), ErrIntegrity)
		}
	}
	return nil
}
