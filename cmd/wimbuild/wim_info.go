package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/wim"
	"github.com/wimbuild/wimbuild/wim/hostfs"
)

func wimInfoCommand() *cli.Command {
	return &cli.Command{
		Name:      "info",
		Usage:     "show a WIM's header, images and properties; change the boot image or image properties",
		ArgsUsage: "WIM [IMAGE]",
		Description: "Prints the WIM's GUID, version, image count, compression, chunk size, boot index and, for\n" +
			"each image (or only IMAGE), its name, description, directory/file counts, total bytes,\n" +
			"flags and WINDOWS properties, in the layout of `wimlib-imagex info`.\n\n" +
			"--boot and --image-property rewrite the WIM (blobs are copied raw, nothing is recompressed).\n\n" +
			"Examples:\n" +
			"  wimbuild wim info boot.wim\n" +
			"  wimbuild wim info boot.wim 2 --header\n" +
			"  wimbuild wim info boot.wim --boot 2\n" +
			"  wimbuild wim info boot.wim 1 --image-property NAME=\"Windows PE\" --image-property FLAGS=9",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "header", Usage: "print the raw header fields"},
			&cli.BoolFlag{Name: "xml", Usage: "print the XML data (as UTF-8 text)"},
			&cli.BoolFlag{Name: "blobs", Usage: "print the blob table"},
			&cli.IntFlag{Name: "boot", Usage: "mark image `N` bootable (0 = none) and rewrite the WIM"},
			&cli.StringSliceFlag{Name: "image-property", Usage: "set `NAME=VALUE` on IMAGE (NAME, DESCRIPTION, DISPLAYNAME, DISPLAYDESCRIPTION, FLAGS, WINDOWS/...) and rewrite the WIM"},
			&cli.BoolFlag{Name: "check", Usage: "when rewriting, include an integrity table"},
		},
		Action: wimInfoAction,
	}
}

func wimInfoAction(c *cli.Context) error {
	args, err := wimArgs(c, 1, 2)
	if err != nil {
		return err
	}
	path := args[0]
	if c.IsSet("boot") || len(c.StringSlice("image-property")) > 0 {
		if err := wimChangeInfo(c, args); err != nil {
			return err
		}
	}
	w, err := wimOpen(path)
	if err != nil {
		return err
	}
	defer w.Close()
	out := c.App.Writer
	index := 0
	if len(args) == 2 {
		if index, err = wimImageIndex(w, path, args[1]); err != nil {
			return err
		}
	}
	switch {
	case c.Bool("header"):
		printWIMHeader(out, w)
		return nil
	case c.Bool("xml"):
		text, err := decodeUTF16Text(w.XML())
		if err != nil {
			return fmt.Errorf("%s: XML data: %w", path, err)
		}
		fmt.Fprintln(out, text)
		return nil
	case c.Bool("blobs"):
		printWIMBlobs(out, w)
		return nil
	}
	if index == 0 {
		printWIMSummary(out, path, w)
		fmt.Fprintln(out, "Available Images:")
		fmt.Fprintln(out, "-----------------")
		for i := range w.Info().Images {
			printImageInfo(out, i+1, &w.Info().Images[i])
			fmt.Fprintln(out)
		}
		return nil
	}
	title := fmt.Sprintf("Information for Image %d", index)
	fmt.Fprintln(out, title)
	fmt.Fprintln(out, strings.Repeat("-", len(title)))
	if index <= len(w.Info().Images) {
		printImageInfo(out, index, &w.Info().Images[index-1])
	}
	fmt.Fprintln(out)
	return nil
}

func compressionTitle(c wim.Compression) string {
	switch c {
	case wim.None:
		return "None"
	case wim.XPRESS:
		return "XPRESS"
	case wim.LZX:
		return "LZX"
	case wim.LZMS:
		return "LZMS"
	}
	return c.String()
}

func printWIMSummary(out io.Writer, path string, w *wim.WIM) {
	h := w.Header()
	g := w.GUID()
	fmt.Fprintln(out, "WIM Information:")
	fmt.Fprintln(out, "----------------")
	fmt.Fprintf(out, "Path:           %s\n", path)
	fmt.Fprintf(out, "GUID:           0x%s\n", hex.EncodeToString(g[:]))
	fmt.Fprintf(out, "Version:        %d\n", h.Version)
	fmt.Fprintf(out, "Image Count:    %d\n", w.ImageCount())
	fmt.Fprintf(out, "Compression:    %s\n", compressionTitle(w.Compression()))
	fmt.Fprintf(out, "Chunk Size:     %d bytes\n", w.ChunkSize())
	fmt.Fprintf(out, "Part Number:    %d/%d\n", h.PartNumber, h.TotalParts)
	fmt.Fprintf(out, "Boot Index:     %d\n", w.BootIndex())
	fmt.Fprintf(out, "Size:           %d bytes\n", w.Info().TotalBytes)
	var attrs []string
	if h.Integrity.Offset != 0 {
		attrs = append(attrs, "Integrity info")
	}
	if h.Flags&wim.HdrFlagRPFix != 0 {
		attrs = append(attrs, "Relative path junction")
	}
	if h.Flags&wim.HdrFlagReadOnly != 0 {
		attrs = append(attrs, "Readonly")
	}
	fmt.Fprintf(out, "Attributes:     %s\n\n", strings.Join(attrs, ", "))
}

var archNames = map[int]string{0: "x86", 5: "ARM", 6: "IA64", 9: "x86_64", 12: "ARM64"}

func printImageInfo(out io.Writer, index int, im *wim.ImageInfo) {
	line := func(k, v string) { fmt.Fprintf(out, "%-24s%s\n", k+":", v) }
	line("Index", fmt.Sprint(index))
	line("Name", im.Name)
	line("Description", im.Description)
	if im.DisplayName != "" {
		line("Display Name", im.DisplayName)
	}
	if im.DisplayDescription != "" {
		line("Display Description", im.DisplayDescription)
	}
	line("Directory Count", fmt.Sprint(im.Stats.DirCount))
	line("File Count", fmt.Sprint(im.Stats.FileCount))
	line("Total Bytes", fmt.Sprint(im.Stats.TotalBytes))
	line("Hard Link Bytes", fmt.Sprint(im.Stats.HardLinkBytes))
	line("Creation Time", filetimeString(im.CreationTime))
	line("Last Modification Time", filetimeString(im.LastModificationTime))
	if p, ok := im.WindowsInfo(); ok {
		if p.Arch >= 0 {
			a, ok := archNames[p.Arch]
			if !ok {
				a = fmt.Sprintf("unknown (%d)", p.Arch)
			}
			line("Architecture", a)
		}
		for _, kv := range [][2]string{
			{"Product Name", p.ProductName}, {"Edition ID", p.EditionID},
			{"Installation Type", p.InstallationType}, {"HAL", p.HAL},
			{"Product Type", p.ProductType}, {"Product Suite", p.ProductSuite},
		} {
			if kv[1] != "" {
				line(kv[0], kv[1])
			}
		}
		if len(p.Languages) > 0 {
			line("Languages", strings.Join(p.Languages, " ")+" ") // wimlib's trailing space
		}
		if p.DefaultLanguage != "" {
			line("Default Language", p.DefaultLanguage)
		}
		if p.SystemRoot != "" {
			line("System Root", p.SystemRoot)
		}
		if v := p.Version; v != (wim.WindowsVersion{}) {
			line("Major Version", fmt.Sprint(v.Major))
			line("Minor Version", fmt.Sprint(v.Minor))
			line("Build", fmt.Sprint(v.Build))
			line("Service Pack Build", fmt.Sprint(v.SPBuild))
			line("Service Pack Level", fmt.Sprint(v.SPLevel))
		}
	}
	if im.Flags != "" {
		line("Flags", im.Flags)
	}
	wb := "no"
	if im.WIMBoot {
		wb = "yes"
	}
	line("WIMBoot compatible", wb)
}

func filetimeString(ft uint64) string {
	return hostfs.FromFiletime(ft).Format("Mon Jan 02 15:04:05 2006 UTC")
}

func printWIMHeader(out io.Writer, w *wim.WIM) {
	h := w.Header()
	g := w.GUID()
	kv := func(k string, v any) { fmt.Fprintf(out, "%-27s = %v\n", k, v) }
	kv("Magic Characters", `MSWIM\0\0\0`)
	kv("Header Size", wim.HeaderSize)
	kv("Version", fmt.Sprintf("0x%x", h.Version))
	kv("Flags", fmt.Sprintf("0x%x", h.Flags))
	for _, f := range []struct {
		bit  uint32
		name string
	}{
		{wim.HdrFlagCompression, "WIM_HDR_FLAG_COMPRESSION"},
		{wim.HdrFlagReadOnly, "WIM_HDR_FLAG_READONLY"},
		{wim.HdrFlagSpanned, "WIM_HDR_FLAG_SPANNED"},
		{wim.HdrFlagWriteInProgress, "WIM_HDR_FLAG_WRITE_IN_PROGRESS"},
		{wim.HdrFlagRPFix, "WIM_HDR_FLAG_RP_FIX"},
		{wim.HdrFlagCompressXPRESS, "WIM_HDR_FLAG_COMPRESS_XPRESS"},
		{wim.HdrFlagCompressLZX, "WIM_HDR_FLAG_COMPRESS_LZX"},
		{wim.HdrFlagCompressLZMS, "WIM_HDR_FLAG_COMPRESS_LZMS"},
	} {
		if h.Flags&f.bit != 0 {
			fmt.Fprintf(out, "    %s is set\n", f.name)
		}
	}
	kv("Chunk Size", h.ChunkSize)
	kv("GUID", hex.EncodeToString(g[:]))
	kv("Part Number", h.PartNumber)
	kv("Total Parts", h.TotalParts)
	kv("Image Count", h.ImageCount)
	for _, r := range []struct {
		name string
		rh   wim.ResHdr
	}{{"Blob Table", h.BlobTable}, {"XML Data", h.XMLData}, {"Boot Metadata", h.BootMeta}} {
		kv(r.name+" Size", r.rh.SizeInWIM)
		kv(r.name+" Flags", fmt.Sprintf("0x%x", r.rh.Flags))
		kv(r.name+" Offset", r.rh.Offset)
		// wimlib-imagex spells two of these "Original_size"; match it.
		orig := " Original Size"
		if r.name == "Blob Table" {
			orig = " Original_size"
		}
		kv(r.name+orig, r.rh.UncompressedSize)
	}
	kv("Boot Index", h.BootIndex)
	kv("Integrity Size", h.Integrity.SizeInWIM)
	kv("Integrity Flags", fmt.Sprintf("0x%x", h.Integrity.Flags))
	kv("Integrity Offset", h.Integrity.Offset)
	kv("Integrity Original_size", h.Integrity.UncompressedSize)
}

func printWIMBlobs(out io.Writer, w *wim.WIM) {
	for _, b := range w.Blobs() {
		e := b.Entry()
		fmt.Fprintf(out, "Hash              = 0x%s\n", b.Hash())
		fmt.Fprintf(out, "Uncompressed size = %d bytes\n", b.Size())
		fmt.Fprintf(out, "Compressed size   = %d bytes\n", e.SizeInWIM)
		fmt.Fprintf(out, "Offset in WIM     = %d bytes\n", e.Offset)
		fmt.Fprintf(out, "Reference Count   = %d\n", b.RefCount())
		fmt.Fprintf(out, "Compression       = %s\n", compressionTitle(b.Compression()))
		fmt.Fprintf(out, "Solid             = %v\n\n", b.Solid())
	}
}

// decodeUTF16Text decodes UTF-16LE text with an optional BOM.
func decodeUTF16Text(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("odd length %d", len(b))
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
	}
	if len(u) > 0 && u[0] == 0xFEFF {
		u = u[1:]
	}
	var sb strings.Builder
	for _, r := range utf16.Decode(u) {
		sb.WriteRune(r)
	}
	return sb.String(), nil
}

func wimDirCommand() *cli.Command {
	return &cli.Command{
		Name:      "dir",
		Usage:     "list the files of an image, one path per line",
		ArgsUsage: "WIM [IMAGE]",
		Description: "Prints every path of the image (or of --path and below), '/'-separated, in the\n" +
			"order wimlib-imagex dir prints them (directories before their contents, names in\n" +
			"WIM collation order). --detailed adds attributes, times, link ids, reparse tags and streams.\n\n" +
			"Examples:\n" +
			"  wimbuild wim dir boot.wim 2\n" +
			"  wimbuild wim dir boot.wim 1 --path /Windows/System32 --detailed",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "detailed", Usage: "print details of each entry"},
			&cli.StringFlag{Name: "path", Usage: "list only `PATH` and its contents"},
		},
		Action: func(c *cli.Context) error {
			args, err := wimArgs(c, 1, 2)
			if err != nil {
				return err
			}
			w, err := wimOpen(args[0])
			if err != nil {
				return err
			}
			defer w.Close()
			idx, err := wimImageIndex(w, args[0], argOr(args, 1))
			if err != nil {
				return err
			}
			img, err := w.Image(idx)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			start := img.Root
			if p := c.String("path"); p != "" {
				if start, err = img.Lookup(p); err != nil {
					return fmt.Errorf("%s: image %d: %w", args[0], idx, err)
				}
			}
			return printDir(c.App.Writer, w, start, c.Bool("detailed"))
		},
	}
}

func argOr(a []string, i int) string {
	if i < len(a) {
		return a[i]
	}
	return ""
}

// slashPath returns d's path with '/' separators ("/" for the root).
func slashPath(d *wim.Dentry) string {
	return strings.ReplaceAll(d.Path(), `\`, "/")
}

func printDir(out io.Writer, w *wim.WIM, d *wim.Dentry, detailed bool) error {
	var links *linkInfo
	if detailed {
		links = countLinks(d)
	}
	var walk func(d *wim.Dentry)
	walk = func(d *wim.Dentry) {
		if !detailed {
			fmt.Fprintln(out, slashPath(d))
		} else {
			printDentryDetails(out, w, d, links)
		}
		for _, c := range d.Children() {
			walk(c)
		}
	}
	walk(d)
	return nil
}

// linkInfo numbers hard-link groups (inodes with several names) in listing
// order and counts their names.
type linkInfo struct {
	count map[*wim.Inode]int
	id    map[*wim.Inode]int
}

func countLinks(root *wim.Dentry) *linkInfo {
	l := &linkInfo{count: map[*wim.Inode]int{}, id: map[*wim.Inode]int{}}
	var walk func(d *wim.Dentry)
	walk = func(d *wim.Dentry) {
		l.count[d.Inode]++
		for _, c := range d.Children() {
			walk(c)
		}
	}
	walk(root)
	return l
}

var attrNames = []struct {
	bit  uint32
	name string
}{
	{wim.AttrReadOnly, "FILE_ATTRIBUTE_READONLY"},
	{wim.AttrHidden, "FILE_ATTRIBUTE_HIDDEN"},
	{wim.AttrSystem, "FILE_ATTRIBUTE_SYSTEM"},
	{wim.AttrDirectory, "FILE_ATTRIBUTE_DIRECTORY"},
	{wim.AttrArchive, "FILE_ATTRIBUTE_ARCHIVE"},
	{wim.AttrDevice, "FILE_ATTRIBUTE_DEVICE"},
	{wim.AttrNormal, "FILE_ATTRIBUTE_NORMAL"},
	{wim.AttrTemporary, "FILE_ATTRIBUTE_TEMPORARY"},
	{wim.AttrSparseFile, "FILE_ATTRIBUTE_SPARSE_FILE"},
	{wim.AttrReparsePoint, "FILE_ATTRIBUTE_REPARSE_POINT"},
	{wim.AttrCompressed, "FILE_ATTRIBUTE_COMPRESSED"},
	{wim.AttrOffline, "FILE_ATTRIBUTE_OFFLINE"},
	{wim.AttrNotContentIndexed, "FILE_ATTRIBUTE_NOT_CONTENT_INDEXED"},
	{wim.AttrEncrypted, "FILE_ATTRIBUTE_ENCRYPTED"},
}

// printDentryDetails prints one entry in the layout of
// `wimlib-imagex dir --detailed`. Link group ids are numbered here (the
// numbers are arbitrary in the format too).
func printDentryDetails(out io.Writer, w *wim.WIM, d *wim.Dentry, links *linkInfo) {
	in := d.Inode
	fmt.Fprintln(out, strings.Repeat("-", 76))
	fmt.Fprintf(out, "Full Path           = \"%s\"\n", slashPath(d))
	fmt.Fprintf(out, "Short Name          = \"%s\"\n", d.ShortName)
	fmt.Fprintf(out, "Attributes          = 0x%08x\n", in.Attributes)
	for _, a := range attrNames {
		if in.Attributes&a.bit != 0 {
			fmt.Fprintf(out, "    %s is set\n", a.name)
		}
	}
	fmt.Fprintf(out, "Creation Time       = %s\n", filetimeString(in.CreationTime))
	fmt.Fprintf(out, "Last Write Time     = %s\n", filetimeString(in.LastWriteTime))
	fmt.Fprintf(out, "Last Access Time    = %s\n", filetimeString(in.LastAccessTime))
	if in.IsReparse() {
		fmt.Fprintf(out, "Reparse Tag         = 0x%x\n", in.ReparseTag)
	}
	var group int
	if n := links.count[in]; n > 1 {
		if links.id[in] == 0 {
			links.id[in] = len(links.id) + 1
		}
		group = links.id[in]
	}
	fmt.Fprintf(out, "Link Group ID       = 0x%016x\n", group)
	fmt.Fprintf(out, "Link Count          = %d\n", links.count[in])
	stream := func(title string, s *wim.Stream) {
		fmt.Fprintf(out, "\t%s:\n", title)
		fmt.Fprintf(out, "Hash              = 0x%s\n", s.Hash)
		fmt.Fprintf(out, "Uncompressed size = %d bytes\n", s.Size)
		b := w.Blob(s.Hash)
		if s.Hash.IsZero() || b == nil {
			fmt.Fprint(out, "Compressed size   = 0 bytes\nOffset in WIM     = 0 bytes\nPart Number       = 0\nReference Count   = 0\nFlags             = \n\n")
			return
		}
		e := b.Entry()
		if b.Solid() {
			fmt.Fprintf(out, "Solid offset      = %d bytes\n", e.Offset)
		} else {
			fmt.Fprintf(out, "Compressed size   = %d bytes\n", e.SizeInWIM)
			fmt.Fprintf(out, "Offset in WIM     = %d bytes\n", e.Offset)
		}
		fmt.Fprintf(out, "Part Number       = 1\n")
		fmt.Fprintf(out, "Reference Count   = %d\n", b.RefCount())
		var flags strings.Builder
		for _, f := range []struct {
			bit  uint8
			name string
		}{{wim.ResFlagFree, "FREE"}, {wim.ResFlagMetadata, "METADATA"}, {wim.ResFlagCompressed, "COMPRESSED"}, {wim.ResFlagSpanned, "SPANNED"}, {wim.ResFlagSolid, "SOLID"}} {
			if e.Flags&f.bit != 0 {
				flags.WriteString("WIM_RESHDR_FLAG_" + f.name + "  ")
			}
		}
		fmt.Fprintf(out, "Flags             = %s\n\n", flags.String())
	}
	if in.IsReparse() {
		stream("Reparse point stream", &in.Reparse)
	}
	if !in.IsReparse() || in.Data.Size > 0 {
		stream("Unnamed data stream", &in.Data)
	}
	for i := range in.Named {
		stream(fmt.Sprintf("Named data stream \"%s\"", in.Named[i].Name), &in.Named[i])
	}
}
