package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/bcd/regf"
)

// The `wimbuild reg` toolbox: read and edit registry hive files (SYSTEM,
// SOFTWARE, DEFAULT, BCD stores) offline with the bcd/regf engine.

func init() { registerCommand(regCommand()) }

const regDescription = `Read and edit Windows registry hive files offline (SYSTEM, SOFTWARE, DEFAULT, NTUSER.DAT,
BCD stores). KEY paths are relative to the hive root, separated by "\" and case-insensitive;
"" or "\" is the root. Quote them in the shell: 'ControlSet001\Services\Tcpip'.

Every command that changes a hive writes a temporary file beside it and renames it into place;
the rewrite is canonical (compact, sorted, checksummed) and reproducible.

A hive whose sequence numbers differ is "dirty": Windows did not finish writing it and its
changes sit in HIVE.LOG1/HIVE.LOG2, which wimbuild does not replay. Commands refuse such hives
unless --allow-dirty is given.

Exit codes: 0 success, 1 failure (missing or corrupt hive, key or value not found), 2 usage error.`

func regCommand() *cli.Command {
	return &cli.Command{
		Name:        "reg",
		Usage:       "read, edit, import and export registry hive files offline (.reg text compatible with regedit and hivexregedit)",
		Description: regDescription,
		Subcommands: []*cli.Command{
			regExportCommand(),
			regImportCommand(),
			regGetCommand(),
			regSetCommand(),
			regDeleteCommand(),
			regValidateCommand(),
		},
	}
}

var (
	regPrefixFlag = &cli.StringFlag{Name: "prefix", Usage: `regedit-style path of the hive root in .reg text, e.g. HKEY_LOCAL_MACHINE\SYSTEM ("" writes [\Key])`}
	regDirtyFlag  = &cli.BoolFlag{Name: "allow-dirty", Usage: "use a dirty hive (unequal sequence numbers) as it is, without its transaction logs"}
)

func regExportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write a hive or one key tree as .reg text to stdout",
		ArgsUsage: "HIVE [KEY]",
		Description: "Writes \"Windows Registry Editor Version 5.00\" text, exactly as\n" +
			"hivexregedit --export --prefix PREFIX HIVE KEY does: keys and values sorted by name, every value\n" +
			"except 4-byte REG_DWORDs as hex(TYPE):bytes on one line.\n\n" +
			"Examples:\n" +
			"  wimbuild reg export BCD > bcd.reg\n" +
			"  wimbuild reg export SYSTEM 'ControlSet001\\Control\\Session Manager' --prefix 'HKEY_LOCAL_MACHINE\\SYSTEM'",
		Flags: []cli.Flag{regPrefixFlag, regDirtyFlag},
		Action: func(c *cli.Context) error {
			args, err := regArgs(c, 1, 2)
			if err != nil {
				return err
			}
			h, err := regOpen(args[0], c.Bool("allow-dirty"))
			if err != nil {
				return err
			}
			key := ""
			if len(args) == 2 {
				key = args[1]
			}
			if err := h.ExportReg(c.App.Writer, key, c.String("prefix")); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			return nil
		},
	}
}

func regImportCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "apply a .reg file to a hive (regedit /s semantics), or create a hive from one",
		ArgsUsage: "HIVE FILE.reg|-",
		Description: "Applies [KEY] (create), [-KEY] (delete tree), \"name\"=value, @=value (default value),\n" +
			"\"name\"=- (delete value). Values: \"string\", dword:XXXXXXXX, hex:bytes, hex(N):bytes, str(N):\"s\".\n" +
			"Key paths must start with --prefix, which stands for the hive root; without it they are\n" +
			"relative to the hive root ([\\Key]), and paths starting with a registry root (HKEY_…) are\n" +
			"refused. The file may be UTF-16 (regedit's default) or UTF-8/Latin-1 text. \"-\" reads\n" +
			"standard input.\n\n" +
			"Examples:\n" +
			"  wimbuild reg import SYSTEM tweaks.reg --prefix 'HKEY_LOCAL_MACHINE\\SYSTEM'\n" +
			"  wimbuild reg import new.hiv keys.reg --create --root-name ROOT\n" +
			"  wimbuild reg export BCD | wimbuild reg import copy.bcd - --create --minor 3",
		Flags: []cli.Flag{
			regPrefixFlag, regDirtyFlag,
			&cli.BoolFlag{Name: "create", Usage: "create HIVE as a new empty hive first (it must not exist)"},
			&cli.StringFlag{Name: "root-name", Value: "ROOT", Usage: "root key name of a hive made with --create (bcdedit uses NewStoreRoot)"},
			&cli.UintFlag{Name: "minor", Value: 5, Usage: "format version 1.MINOR of a hive made with --create (3: lf lists, as bcdedit; 5: lh lists)"},
		},
		Action: func(c *cli.Context) error {
			args, err := regArgs(c, 2, 2)
			if err != nil {
				return err
			}
			var h *regf.Hive
			if c.Bool("create") {
				if _, err := os.Lstat(args[0]); err == nil {
					return fmt.Errorf("%s: already exists (--create makes a new hive)", args[0])
				}
				m := c.Uint("minor")
				if m < 3 || m > 6 {
					return usageErrorf("reg import: --minor %d is not 3 to 6", m)
				}
				h = regf.New(regf.WithRootName(c.String("root-name")), regf.WithMinorVersion(uint32(m)))
			} else if h, err = regOpen(args[0], c.Bool("allow-dirty")); err != nil {
				return err
			}
			var r io.Reader = os.Stdin
			if args[1] != "-" {
				f, err := os.Open(args[1])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			text, err := io.ReadAll(io.LimitReader(r, regf.MaxRegFileSize+1))
			if err != nil {
				return fmt.Errorf("%s: %w", args[1], err)
			}
			if !c.IsSet("prefix") {
				if err := regCheckNoRoot(args[1], text); err != nil {
					return err
				}
			}
			if err := h.ImportReg(bytes.NewReader(text), c.String("prefix")); err != nil {
				return fmt.Errorf("%s: %w", args[1], err)
			}
			return regSave(args[0], h)
		},
	}
}

func regGetCommand() *cli.Command {
	return &cli.Command{
		Name:      "get",
		Usage:     "print a key's subkeys and values, or one value's data",
		ArgsUsage: "HIVE KEY [NAME]",
		Description: "Without NAME, lists the subkeys (one \"[name]\" line each) and values (\"name\" TYPE data) of KEY.\n" +
			"With NAME (\"\" or @ is the default value), prints the data alone: strings as text, REG_MULTI_SZ one\n" +
			"string per line, REG_DWORD/REG_QWORD in decimal (0x… with --hex), anything else as hex bytes.\n\n" +
			"Examples:\n" +
			"  wimbuild reg get BCD 'Objects\\{9dea862c-5cdd-4e70-acc1-f32b344d4795}\\Elements\\25000004' Element\n" +
			"  wimbuild reg get SYSTEM Select Current\n" +
			"  wimbuild reg get SOFTWARE 'Microsoft\\Windows NT\\CurrentVersion'",
		Flags: []cli.Flag{regDirtyFlag, &cli.BoolFlag{Name: "hex", Usage: "print REG_DWORD/REG_QWORD data in hexadecimal"}},
		Action: func(c *cli.Context) error {
			args, err := regArgs(c, 2, 3)
			if err != nil {
				return err
			}
			h, err := regOpen(args[0], c.Bool("allow-dirty"))
			if err != nil {
				return err
			}
			k, err := h.Key(args[1])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			w := c.App.Writer
			if len(args) == 2 {
				for _, s := range k.Subkeys() {
					fmt.Fprintf(w, "[%s]\n", s.Name())
				}
				for _, v := range k.Values() {
					name := strconv.Quote(v.Name)
					if v.Name == "" {
						name = "@"
					}
					fmt.Fprintf(w, "%s %s %s\n", name, v.Type, strings.ReplaceAll(formatValue(v, c.Bool("hex")), "\n", `\0`))
				}
				return nil
			}
			v := k.Value(regValueName(args[2]))
			if v == nil {
				return fmt.Errorf("%s: %w: key %q has no value %q", args[0], regf.ErrNotFound, args[1], args[2])
			}
			fmt.Fprintln(w, formatValue(v, c.Bool("hex")))
			return nil
		},
	}
}

// regRoots are the names regedit writes at the start of key paths; the
// value is how many path elements name the hive root (HKEY_LOCAL_MACHINE
// and HKEY_USERS hold several hives: HKEY_LOCAL_MACHINE\SYSTEM).
var regRoots = map[string]int{
	"HKEY_LOCAL_MACHINE": 2, "HKLM": 2, "HKEY_USERS": 2, "HKU": 2,
	"HKEY_CURRENT_USER": 1, "HKCU": 1, "HKEY_CLASSES_ROOT": 1, "HKCR": 1,
	"HKEY_CURRENT_CONFIG": 1, "HKCC": 1,
}

// regCheckNoRoot refuses .reg text whose key paths start with a registry
// root when no --prefix was given: imported as they are, they would create
// a subkey named HKEY_LOCAL_MACHINE under the hive root. The error
// suggests the --prefix that maps the first such path to the hive root.
func regCheckNoRoot(file string, text []byte) error {
	var lines []string
	if len(text) >= 2 && text[0] == 0xFF && text[1] == 0xFE {
		u := make([]uint16, (len(text)-2)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(text[2+2*i:])
		}
		lines = strings.Split(string(utf16.Decode(u)), "\n")
	} else {
		lines = strings.Split(string(text), "\n")
	}
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "[") || !strings.HasSuffix(l, "]") {
			continue
		}
		key := strings.TrimPrefix(strings.TrimPrefix(l[1:len(l)-1], "-"), `\`)
		parts := strings.Split(key, `\`)
		n, ok := regRoots[strings.ToUpper(parts[0])]
		if !ok {
			continue
		}
		prefix := strings.Join(parts[:min(n, len(parts))], `\`)
		return usageErrorf("reg import: %s line %d: key %s starts with the registry root %s; "+
			"give the path that stands for the hive root with --prefix, e.g. --prefix '%s'",
			file, i+1, l, parts[0], prefix)
	}
	return nil
}

// regValueName maps the command-line spelling of the default value.
func regValueName(s string) string {
	if s == "@" {
		return ""
	}
	return s
}

// formatValue renders value data for people (see reg get).
func formatValue(v *regf.Value, hexNum bool) string {
	switch v.Type {
	case regf.REG_SZ, regf.REG_EXPAND_SZ, regf.REG_LINK:
		if len(v.Data)%2 == 0 {
			s, _ := v.String()
			return s
		}
	case regf.REG_MULTI_SZ:
		if ss, err := v.MultiString(); err == nil && len(v.Data)%2 == 0 {
			return strings.Join(ss, "\n")
		}
	case regf.REG_DWORD, regf.REG_DWORD_BIG_ENDIAN:
		if n, err := v.DWORD(); err == nil {
			if hexNum {
				return fmt.Sprintf("0x%08x", n)
			}
			return strconv.FormatUint(uint64(n), 10)
		}
	case regf.REG_QWORD:
		if n, err := v.QWORD(); err == nil {
			if hexNum {
				return fmt.Sprintf("0x%016x", n)
			}
			return strconv.FormatUint(n, 10)
		}
	}
	parts := make([]string, len(v.Data))
	for i, b := range v.Data {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ",")
}

func regSetCommand() *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "create or replace a value (creating the key if needed)",
		ArgsUsage: "HIVE KEY NAME --type TYPE [VALUE...]",
		Description: "NAME \"\" or @ is the key's default value. VALUE by --type:\n" +
			"  REG_SZ, REG_EXPAND_SZ, REG_LINK       one string\n" +
			"  REG_MULTI_SZ                          one argument per string\n" +
			"  REG_DWORD, REG_DWORD_BIG_ENDIAN       a number (decimal or 0x hex), REG_QWORD likewise\n" +
			"  REG_BINARY, REG_NONE and all others   hex bytes: 01,02,ff or 0102ff (none: empty data)\n" +
			"Types may also be written REG_0xN for a numeric type. Use -- before a VALUE starting with -.\n\n" +
			"Examples:\n" +
			"  wimbuild reg set SYSTEM 'ControlSet001\\Control\\Terminal Server' fDenyTSConnections --type REG_DWORD 0\n" +
			"  wimbuild reg set SOFTWARE 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon' Shell --type REG_SZ 'cmd.exe /k startnet.cmd'\n" +
			"  wimbuild reg set DEFAULT 'Control Panel\\Desktop' Pattern --type REG_MULTI_SZ one two\n" +
			"  wimbuild reg set BCD 'Objects\\{…}\\Elements\\11000001' Element --type REG_BINARY 00,01,02",
		Flags: []cli.Flag{regDirtyFlag, &cli.StringFlag{Name: "type", Aliases: []string{"t"}, Value: "REG_SZ", Usage: "value type (REG_SZ, REG_DWORD, REG_MULTI_SZ, REG_BINARY, …)"}},
		Action: func(c *cli.Context) error {
			args, err := regArgs(c, 3, -1)
			if err != nil {
				return err
			}
			t, err := regf.ParseValueType(strings.ToUpper(c.String("type")))
			if err != nil {
				return usageErrorf("reg set: %v", err)
			}
			data, err := encodeValueArgs(t, args[3:])
			if err != nil {
				return usageErrorf("reg set: %v", err)
			}
			h, err := regOpen(args[0], c.Bool("allow-dirty"))
			if err != nil {
				return err
			}
			k, err := h.CreateKey(args[1])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := k.SetValue(regValueName(args[2]), t, data); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			return regSave(args[0], h)
		},
	}
}

// encodeValueArgs turns command-line VALUE arguments into value data.
func encodeValueArgs(t regf.ValueType, vals []string) ([]byte, error) {
	one := func() (string, error) {
		if len(vals) != 1 {
			return "", fmt.Errorf("%v takes exactly one VALUE, got %d", t, len(vals))
		}
		return vals[0], nil
	}
	switch t {
	case regf.REG_SZ, regf.REG_EXPAND_SZ, regf.REG_LINK:
		s, err := one()
		if err != nil {
			return nil, err
		}
		if t == regf.REG_LINK { // symbolic link targets carry no terminator
			b := regf.EncodeString(s)
			return b[:len(b)-2], nil
		}
		return regf.EncodeString(s), nil
	case regf.REG_MULTI_SZ:
		return regf.EncodeMultiString(vals)
	case regf.REG_DWORD, regf.REG_DWORD_BIG_ENDIAN, regf.REG_QWORD:
		s, err := one()
		if err != nil {
			return nil, err
		}
		bits := 32
		if t == regf.REG_QWORD {
			bits = 64
		}
		n, err := strconv.ParseUint(s, 0, bits)
		if err != nil {
			if i, err2 := strconv.ParseInt(s, 0, bits); err2 == nil {
				n = uint64(i) & (1<<bits - 1)
			} else {
				return nil, fmt.Errorf("%v value %q is not a %d-bit number", t, s, bits)
			}
		}
		switch t {
		case regf.REG_DWORD:
			return binary.LittleEndian.AppendUint32(nil, uint32(n)), nil
		case regf.REG_DWORD_BIG_ENDIAN:
			return binary.BigEndian.AppendUint32(nil, uint32(n)), nil
		}
		return binary.LittleEndian.AppendUint64(nil, n), nil
	}
	var out []byte
	for _, v := range vals {
		h := strings.NewReplacer(",", "", " ", "", ":", "").Replace(v)
		if len(h)%2 != 0 {
			return nil, fmt.Errorf("hex data %q has an odd number of digits", v)
		}
		for i := 0; i < len(h); i += 2 {
			b, err := strconv.ParseUint(h[i:i+2], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("hex data %q: %q is not a hex byte", v, h[i:i+2])
			}
			out = append(out, byte(b))
		}
	}
	return out, nil
}

func regDeleteCommand() *cli.Command {
	return &cli.Command{
		Name:      "delete",
		Usage:     "delete a key tree, or one value",
		ArgsUsage: "HIVE KEY [NAME]",
		Description: "Without NAME deletes KEY and everything below it; with NAME (\"\" or @ for the default\n" +
			"value) deletes that value. A missing key or value is an error.\n\n" +
			"Examples:\n" +
			"  wimbuild reg delete SOFTWARE 'Microsoft\\Windows\\CurrentVersion\\Run' OneDriveSetup\n" +
			"  wimbuild reg delete SYSTEM 'ControlSet001\\Services\\WinDefend'",
		Flags: []cli.Flag{regDirtyFlag},
		Action: func(c *cli.Context) error {
			args, err := regArgs(c, 2, 3)
			if err != nil {
				return err
			}
			h, err := regOpen(args[0], c.Bool("allow-dirty"))
			if err != nil {
				return err
			}
			if len(args) == 2 {
				if err := h.DeleteKey(args[1]); err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
			} else {
				k, err := h.Key(args[1])
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				if !k.DeleteValue(regValueName(args[2])) {
					return fmt.Errorf("%s: %w: key %q has no value %q", args[0], regf.ErrNotFound, args[1], args[2])
				}
			}
			return regSave(args[0], h)
		},
	}
}

func regValidateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check a hive file strictly (checksum, sequence numbers, sorted lists, hashes, refcounts, …)",
		ArgsUsage: "HIVE",
		Description: "Checks what Windows and bootmgr rely on and the Linux tools do not: base block checksum,\n" +
			"equal sequence numbers, version 1.3-1.6, contiguous hive bins tiled by cells, every reference\n" +
			"pointing at an allocated cell of the right kind, subkey lists sorted by upper-cased name with\n" +
			"correct lf hints and lh hashes, subkey/value counts, security cell list and reference counts,\n" +
			"no leaked cells. Prints every problem with its file offset; exit code 1 if any.\n\n" +
			"Example:\n  wimbuild reg validate out/Boot/BCD",
		Action: func(c *cli.Context) error {
			args, err := regArgs(c, 1, 1)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if err := regf.Validate(data); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(c.App.Writer, "%s: valid\n", args[0])
			return nil
		},
	}
}

// regOpen reads and parses a hive file.
func regOpen(path string, allowDirty bool) (*regf.Hive, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var opts []regf.ParseOption
	if allowDirty {
		opts = append(opts, regf.AllowDirty())
	}
	h, err := regf.Parse(data, opts...)
	if errors.Is(err, regf.ErrDirty) {
		var logs []string
		for _, ext := range []string{".LOG", ".LOG1", ".LOG2"} {
			if fi, e := os.Stat(path + ext); e == nil && fi.Size() > 0 {
				logs = append(logs, filepath.Base(path+ext))
			}
		}
		hint := "its last changes may be missing"
		if len(logs) > 0 {
			hint = "its last changes are in " + strings.Join(logs, ", ") + ", which wimbuild does not replay"
		}
		return nil, fmt.Errorf("%s: %w; %s (use --allow-dirty to use it as it is)", path, err, hint)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// regArgs returns the positional arguments of a reg subcommand.
func regArgs(c *cli.Context, min, max int) ([]string, error) {
	return positionalArgs(c, "reg", min, max)
}

// regSave serializes a hive and replaces path with it atomically, keeping
// the file's permissions.
func regSave(path string, h *regf.Hive) error {
	data, err := h.Marshal()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return replaceFile(path, data)
}
