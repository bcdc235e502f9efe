package hostfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// Reparse tags and flags used for symbolic links.
const (
	// ReparseTagSymlink is IO_REPARSE_TAG_SYMLINK.
	ReparseTagSymlink = 0xA000000C
	// ReparseTagMountPoint is IO_REPARSE_TAG_MOUNT_POINT (junction).
	ReparseTagMountPoint = 0xA0000003

	// symlinkFlagRelative is SYMLINK_FLAG_RELATIVE in the reparse buffer.
	symlinkFlagRelative = 0x1

	// RPFlagNotFixed is the WIM dentry rp_flags bit set when a symlink
	// target was not rewritten relative to the capture root (wimlib
	// WIM_RP_FLAG_NOT_FIXED; set for relative targets).
	RPFlagNotFixed = 0x1

	// maxReparseData is the largest reparse buffer Windows allows
	// (MAXIMUM_REPARSE_DATA_BUFFER_SIZE, 16 KiB) minus its 8-byte header.
	maxReparseData = 16*1024 - 8
)

// ErrReparse is returned for reparse data that is not a valid symbolic
// link or junction buffer.
var ErrReparse = errors.New("hostfs: invalid reparse data")

// Symlink is a decoded symbolic-link or junction reparse point.
type Symlink struct {
	// Target uses '\' separators as stored in the image. Absolute targets
	// keep their "\??\C:" style prefix stripped to a drive-less path
	// starting with '\'.
	Target   string
	Relative bool
}

// EncodeSymlink builds the reparse data (the REPARSE_DATA_BUFFER without
// its 8-byte tag/length header) for an IO_REPARSE_TAG_SYMLINK reparse point
// the way wimlib stores a UNIX symlink: substitute name then print name,
// each NUL-terminated, both the same path with '\' separators. Absolute
// targets get a "\??\C:" substitute prefix and a "C:" print prefix.
func EncodeSymlink(target string) ([]byte, error) {
	rel := !strings.HasPrefix(target, "/")
	win := strings.ReplaceAll(target, "/", `\`)
	sub, print := win, win
	flags := uint32(symlinkFlagRelative)
	if !rel {
		sub, print = `\??\C:`+win, `C:`+win
		flags = 0
	}
	s16 := utf16.Encode([]rune(sub))
	p16 := utf16.Encode([]rune(print))
	subLen, printLen := 2*len(s16), 2*len(p16)
	n := 12 + subLen + 2 + printLen + 2
	if n > maxReparseData {
		return nil, fmt.Errorf("%w: symlink target of %d bytes is too long for a reparse point", ErrReparse, len(target))
	}
	b := make([]byte, n)
	binary.LittleEndian.PutUint16(b[0:], 0)
	binary.LittleEndian.PutUint16(b[2:], uint16(subLen))
	binary.LittleEndian.PutUint16(b[4:], uint16(subLen+2))
	binary.LittleEndian.PutUint16(b[6:], uint16(printLen))
	binary.LittleEndian.PutUint32(b[8:], flags)
	putUTF16(b[12:], s16)
	putUTF16(b[12+subLen+2:], p16)
	return b, nil
}

func putUTF16(b []byte, s []uint16) {
	for i, u := range s {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
}

// DecodeSymlink parses symbolic-link (tag ReparseTagSymlink) or junction
// (ReparseTagMountPoint) reparse data. Every offset and length is checked
// against the buffer.
func DecodeSymlink(tag uint32, data []byte) (Symlink, error) {
	hdr := 8
	switch tag {
	case ReparseTagSymlink:
		hdr = 12
	case ReparseTagMountPoint:
	default:
		return Symlink{}, fmt.Errorf("%w: tag 0x%08X is not a symbolic link", ErrReparse, tag)
	}
	if len(data) < hdr {
		return Symlink{}, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrReparse, len(data), hdr)
	}
	if len(data) > maxReparseData {
		return Symlink{}, fmt.Errorf("%w: %d bytes, larger than %d", ErrReparse, len(data), maxReparseData)
	}
	subOff := int(binary.LittleEndian.Uint16(data[0:]))
	subLen := int(binary.LittleEndian.Uint16(data[2:]))
	printOff := int(binary.LittleEndian.Uint16(data[4:]))
	printLen := int(binary.LittleEndian.Uint16(data[6:]))
	var flags uint32
	if tag == ReparseTagSymlink {
		flags = binary.LittleEndian.Uint32(data[8:])
	}
	buf := data[hdr:]
	name := func(off, n int, what string) (string, error) {
		if off%2 != 0 || n%2 != 0 || off+n > len(buf) {
			return "", fmt.Errorf("%w: %s name at offset %d length %d outside the %d-byte path buffer", ErrReparse, what, off, n, len(buf))
		}
		u := make([]uint16, n/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(buf[off+2*i:])
		}
		return string(utf16.Decode(u)), nil
	}
	sub, err := name(subOff, subLen, "substitute")
	if err != nil {
		return Symlink{}, err
	}
	print, err := name(printOff, printLen, "print")
	if err != nil {
		return Symlink{}, err
	}
	target := sub
	if target == "" {
		target = print
	}
	if target == "" {
		return Symlink{}, fmt.Errorf("%w: empty target", ErrReparse)
	}
	if strings.IndexByte(target, 0) >= 0 {
		return Symlink{}, fmt.Errorf("%w: target contains NUL", ErrReparse)
	}
	if tag == ReparseTagSymlink && flags&symlinkFlagRelative != 0 {
		return Symlink{Target: target, Relative: true}, nil
	}
	// Absolute: strip the NT namespace prefix and a drive letter.
	for _, p := range []string{`\??\`, `\\?\`, `\DosDevices\`} {
		if strings.HasPrefix(target, p) {
			target = target[len(p):]
			break
		}
	}
	if len(target) >= 2 && target[1] == ':' && isASCIILetter(target[0]) {
		target = target[2:]
	}
	if !strings.HasPrefix(target, `\`) {
		target = `\` + target
	}
	return Symlink{Target: target}, nil
}

// HostTarget converts the stored target to a host symlink target. Absolute
// targets that were fixed at capture (rpFixed) are re-rooted under root,
// the directory the image is applied to, as wimlib does; other absolute
// targets keep their drive-less path.
func (s Symlink) HostTarget(root string, rpFixed bool, sep byte) string {
	t := s.Target
	if sep != '\\' {
		t = strings.ReplaceAll(t, `\`, string(sep))
	}
	if s.Relative {
		return t
	}
	if rpFixed && root != "" {
		return strings.TrimRight(root, string(sep)) + t
	}
	return t
}
