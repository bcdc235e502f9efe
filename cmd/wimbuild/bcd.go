package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wimbuild/wimbuild/bcd"
	"github.com/wimbuild/wimbuild/bcd/regf"
)

// The `wimbuild bcd` toolbox: offline BCD store editing with bcdedit's
// command and element names (`bcdedit /store STORE /set {id} device boot`
// becomes `wimbuild bcd set STORE {id} device boot`), plus preset stores
// for PXE servers and Windows PE media.

func init() { registerCommand(bcdCommand()) }

const bcdDescription = `Edit Boot Configuration Data stores offline, the way "bcdedit /store STORE ..." does.
Element names, identifiers ({bootmgr}, {default}, {ramdiskoptions}, ...), value syntax and the
enum listing follow bcdedit. Options may come before or after the arguments; "--" ends options.
Every command that changes a store writes a temporary file beside it and renames it into place.

Devices take the forms bcdedit uses where they make sense offline:
  boot                                       the device the boot manager was loaded from
  ramdisk=[boot]\sources\boot.wim,{ramdiskoptions}
  locate                                     the partition holding the path (device) or systemroot (osdevice)
  partition=gpt:{DISK-GUID}:{PARTITION-GUID} partition=mbr:SIGNATURE:OFFSET (drive letters such as
                                             partition=C: mean nothing offline and are refused)
  file=[PARENT]\path   vhd=[PARENT]\disk.vhdx   (PARENT: boot, gpt:..., mbr:...)

Identifiers that wimbuild invents (create, copy, presets) are name-based UUIDs derived from
--seed and the command's arguments, never random, so the same commands give the same store.

Exit codes: 0 success, 1 failure (missing or corrupt store, bad value), 2 usage error.`

func bcdCommand() *cli.Command {
	return &cli.Command{
		Name:        "bcd",
		Usage:       "edit BCD stores offline with bcdedit's commands and names; write PXE and media preset stores",
		Description: bcdDescription,
		Subcommands: []*cli.Command{
			bcdEnumCommand(),
			bcdCreateStoreCommand(),
			bcdCreateCommand(),
			bcdCopyCommand(),
			bcdDeleteCommand(),
			bcdSetCommand(),
			bcdDeleteValueCommand(),
			bcdDefaultCommand(),
			bcdTimeoutCommand(),
			bcdDisplayOrderCommand(),
			bcdPresetCommand(),
			bcdVerifyCommand(),
		},
	}
}

var bcdSeedFlag = &cli.StringFlag{Name: "seed", Value: "wimbuild", Usage: "seed for the identifiers this command derives (name-based UUIDv5)"}

func bcdEnumCommand() *cli.Command {
	return &cli.Command{
		Name:      "enum",
		Usage:     "list objects and their elements like bcdedit /enum",
		ArgsUsage: "STORE [active|all|bootmgr|firmware|bootapp|osloader|resume|inherit|device|ID]",
		Description: "Lists the boot manager and its display order (active, the default), every object (all),\n" +
			"a kind of object, or one object by GUID or alias. Each object shows bcdedit's heading, its\n" +
			"identifier and one line per element with bcdedit's element names.\n\n" +
			"Examples:\n" +
			"  wimbuild bcd enum out/pxe/Boot/x64/default.bcd all\n" +
			"  wimbuild bcd enum BCD {default} --v\n" +
			"  wimbuild bcd enum BCD all --json | jq '.objects[].identifier'",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON instead of bcdedit's text"},
			&cli.BoolFlag{Name: "v", Usage: "show identifiers as GUIDs instead of aliases (bcdedit /v)"},
		},
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 1, 2)
			if err != nil {
				return err
			}
			s, err := bcdOpen(args[0])
			if err != nil {
				return err
			}
			opts := bcd.EnumOptions{Verbose: c.Bool("v")}
			if len(args) == 2 {
				opts.Filter = args[1]
			}
			if c.Bool("json") {
				ents, err := s.Entries(opts)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Store   string          `json:"store"`
					KeyName string          `json:"keyName"`
					Objects []bcd.EnumEntry `json:"objects"`
				}{args[0], s.KeyName(), ents})
			}
			return s.Enum(c.App.Writer, opts)
		},
	}
}

func bcdCreateStoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "createstore",
		Usage:     "create an empty store like bcdedit /createstore",
		ArgsUsage: "STORE",
		Description: "Writes an empty store: root NewStoreRoot, Description\\KeyName, an empty Objects key.\n" +
			"Refuses to overwrite an existing file unless --force is given.\n\n" +
			"Example:\n  wimbuild bcd createstore out/BCD",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "keyname", Value: bcd.DefaultKeyName, Usage: "Description\\KeyName value (WDS uses BCD00000002, Microsoft media BCD00000000)"},
			&cli.BoolFlag{Name: "system", Usage: "mark the store as a system store (System=1, TreatAsSystem=1)"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing file"},
		},
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 1, 1)
			if err != nil {
				return err
			}
			if _, err := os.Stat(args[0]); err == nil && !c.Bool("force") {
				return fmt.Errorf("%s already exists (use --force to overwrite)", args[0])
			}
			s := bcd.NewStore(bcd.StoreOptions{KeyName: c.String("keyname"), System: c.Bool("system")})
			if err := bcdSave(args[0], s); err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, "The operation completed successfully.")
			return nil
		},
	}
}

func bcdCreateCommand() *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "create an object like bcdedit /create",
		ArgsUsage: "STORE [ID]",
		Description: "Creates an object. Give its kind with --application, --inherit or --device, or give a\n" +
			"well-known ID ({bootmgr}, {ramdiskoptions}, {memdiag}, {dbgsettings}, ...) whose type is known.\n" +
			"Without ID the identifier is derived from --seed, the type and the description.\n\n" +
			"Examples:\n" +
			"  wimbuild bcd create BCD {bootmgr} --d \"Windows Boot Manager\"\n" +
			"  wimbuild bcd create BCD {ramdiskoptions} --d \"Ramdisk Options\"\n" +
			"  wimbuild bcd create BCD --d \"Windows PE (x64)\" --application osloader",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "d", Usage: "description"},
			&cli.StringFlag{Name: "application", Usage: "application type: osloader, resume, memdiag, bootsector, startup, bootapp, bootmgr, fwbootmgr, ntldr"},
			&cli.StringFlag{Name: "inherit", Usage: "inheritable settings for: library, osloader, resume, bootmgr, device, ..."},
			&cli.BoolFlag{Name: "device", Usage: "a device options object (like {ramdiskoptions})"},
			bcdSeedFlag,
		},
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 1, 2)
			if err != nil {
				return err
			}
			var t bcd.ObjectType
			kinds := 0
			if a := c.String("application"); a != "" {
				kinds++
				if t, err = bcd.ApplicationType(a); err != nil {
					return usageErrorf("%v", err)
				}
			}
			if c.IsSet("inherit") {
				kinds++
				if t, err = bcd.InheritType(c.String("inherit")); err != nil {
					return usageErrorf("%v", err)
				}
			}
			if c.Bool("device") {
				kinds++
				t = bcd.TypeDeviceOptions
			}
			if kinds > 1 {
				return usageErrorf("bcd create: give only one of --application, --inherit and --device")
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				o := bcd.CreateOptions{Type: t, Description: c.String("d")}
				if len(args) == 2 {
					if o.ID, err = s.Resolve(args[1]); err != nil {
						return err
					}
				} else if t == 0 {
					return usageErrorf("bcd create: give an ID or one of --application, --inherit, --device")
				}
				id, err := s.Create(o)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "The entry %s was successfully created.\n", id)
				return nil
			})
		},
	}
}

func bcdCopyCommand() *cli.Command {
	return &cli.Command{
		Name:      "copy",
		Usage:     "copy an object with all its elements like bcdedit /copy",
		ArgsUsage: "STORE ID",
		Description: "The copy's identifier is derived from --seed, the source and the description.\n\n" +
			"Example:\n  wimbuild bcd copy BCD {default} --d \"Windows PE (debug)\"",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "d", Usage: "description of the copy"},
			bcdSeedFlag,
		},
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 2, 2)
			if err != nil {
				return err
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				src, err := s.Resolve(args[1])
				if err != nil {
					return err
				}
				id, err := s.Copy(src, c.String("d"))
				if err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "The entry was successfully copied to %s.\n", id)
				return nil
			})
		},
	}
}

func bcdDeleteCommand() *cli.Command {
	return &cli.Command{
		Name:      "delete",
		Usage:     "delete an object like bcdedit /delete (references are cleaned up)",
		ArgsUsage: "STORE ID",
		Description: "Deletes the object and, unless --nocleanup is given, removes it from display orders and\n" +
			"every other object list, deletes elements that point at it, and deletes a resume object\n" +
			"that only the deleted loader used.\n\n" +
			"Example:\n  wimbuild bcd delete BCD {c6a42a37-d9c3-5520-8d82-6dbcb0233c0b}",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "nocleanup", Usage: "leave references to the object in place"},
		},
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 2, 2)
			if err != nil {
				return err
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				id, err := s.Resolve(args[1])
				if err != nil {
					return err
				}
				return s.Delete(id, !c.Bool("nocleanup"))
			})
		},
	}
}

func bcdSetCommand() *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "set an element like bcdedit /set",
		ArgsUsage: "STORE ID ELEMENT VALUE...",
		Description: "ELEMENT is bcdedit's name (device, path, description, osdevice, systemroot, detecthal,\n" +
			"winpe, nx, timeout, ramdisksdidevice, ramdisktftpblocksize, ...) or custom:XXXXXXXX.\n" +
			"Booleans: yes/no, on/off, true/false, 1/0. Integers: decimal, 0x hex or bcdedit's value\n" +
			"names (OptIn, Serial, Standard, ...). Object lists take several IDs.\n\n" +
			"Examples:\n" +
			"  wimbuild bcd set BCD {ramdiskoptions} ramdisksdidevice boot\n" +
			"  wimbuild bcd set BCD {ramdiskoptions} ramdisksdipath \\boot\\boot.sdi\n" +
			"  wimbuild bcd set BCD {default} osdevice ramdisk=[boot]\\sources\\boot.wim,{ramdiskoptions}\n" +
			"  wimbuild bcd set BCD {default} winpe yes\n" +
			"  wimbuild bcd set BCD {bootmgr} displayorder {default} {memdiag}",
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 4, -1)
			if err != nil {
				return err
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				id, err := s.Resolve(args[1])
				if err != nil {
					return err
				}
				return s.Set(id, args[2], args[3:]...)
			})
		},
	}
}

func bcdDeleteValueCommand() *cli.Command {
	return &cli.Command{
		Name:        "deletevalue",
		Usage:       "delete an element like bcdedit /deletevalue",
		ArgsUsage:   "STORE ID ELEMENT",
		Description: "Example:\n  wimbuild bcd deletevalue BCD {default} bootmenupolicy",
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 3, 3)
			if err != nil {
				return err
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				id, err := s.Resolve(args[1])
				if err != nil {
					return err
				}
				return s.DeleteValue(id, args[2])
			})
		},
	}
}

func bcdDefaultCommand() *cli.Command {
	return &cli.Command{
		Name:        "default",
		Usage:       "set the boot manager's default entry like bcdedit /default",
		ArgsUsage:   "STORE ID",
		Description: "Example:\n  wimbuild bcd default BCD {cbf78c1e-dc89-5293-9ed7-c70fd4fc76da}",
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 2, 2)
			if err != nil {
				return err
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				id, err := s.Resolve(args[1])
				if err != nil {
					return err
				}
				return s.SetDefault(id)
			})
		},
	}
}

func bcdTimeoutCommand() *cli.Command {
	return &cli.Command{
		Name:        "timeout",
		Usage:       "set the boot menu timeout in seconds like bcdedit /timeout",
		ArgsUsage:   "STORE SECONDS",
		Description: "Example:\n  wimbuild bcd timeout BCD 5",
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 2, 2)
			if err != nil {
				return err
			}
			n, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				return usageErrorf("bcd timeout: %q is not a number of seconds", args[1])
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error { return s.SetTimeout(n) })
		},
	}
}

func bcdDisplayOrderCommand() *cli.Command {
	return &cli.Command{
		Name:      "displayorder",
		Usage:     "set or change the boot menu order like bcdedit /displayorder",
		ArgsUsage: "STORE ID...",
		Description: "Without options the IDs replace the list. --addfirst / --addlast add (or move) one ID to\n" +
			"the top or the end; --remove removes IDs (an empty list is deleted). --tools edits\n" +
			"toolsdisplayorder instead.\n\n" +
			"Examples:\n" +
			"  wimbuild bcd displayorder BCD {default} {memdiag}\n" +
			"  wimbuild bcd displayorder BCD {c6a42a37-d9c3-5520-8d82-6dbcb0233c0b} --addlast",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "addfirst", Usage: "add or move one entry to the top"},
			&cli.BoolFlag{Name: "addlast", Usage: "add or move one entry to the end"},
			&cli.BoolFlag{Name: "remove", Usage: "remove entries"},
			&cli.BoolFlag{Name: "tools", Usage: "edit toolsdisplayorder"},
		},
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 2, -1)
			if err != nil {
				return err
			}
			mode, n := bcd.ListSet, 0
			for flag, m := range map[string]bcd.ListMode{"addfirst": bcd.ListAddFirst, "addlast": bcd.ListAddLast, "remove": bcd.ListRemove} {
				if c.Bool(flag) {
					mode = m
					n++
				}
			}
			if n > 1 {
				return usageErrorf("bcd displayorder: give only one of --addfirst, --addlast, --remove")
			}
			list := bcd.ElemDisplayOrder
			if c.Bool("tools") {
				list = bcd.ElemToolsDisplayOrder
			}
			return bcdEdit(c, args[0], func(s *bcd.Store) error {
				ids := make([]bcd.GUID, 0, len(args)-1)
				for _, a := range args[1:] {
					id, err := s.Resolve(a)
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return s.DisplayOrder(bcd.IDBootMgr, list, mode, ids...)
			})
		},
	}
}

func bcdVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check a store's hive structure and BCD rules",
		ArgsUsage: "STORE",
		Description: "Checks the hive strictly (sorted subkey lists, hints, sequence numbers, checksum, security\n" +
			"cells, ...) and the BCD rules: object and element keys, registry types matching element\n" +
			"formats, decodable values and devices. References to missing objects are warnings.\n" +
			"Exit code 1 when an error is found.\n\n" +
			"Example:\n  wimbuild bcd verify out/media/boot/bcd",
		Action: func(c *cli.Context) error {
			args, err := bcdArgs(c, 1, 1)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var problems []string
			if err := regf.Validate(data); err != nil {
				problems = append(problems, strings.Split(err.Error(), "\n")...)
			}
			s, err := bcd.OpenStore(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			warnings := 0
			for _, i := range s.Verify() {
				if i.Warning {
					warnings++
					fmt.Fprintln(c.App.Writer, i)
				} else {
					problems = append(problems, i.String())
				}
			}
			for _, p := range problems {
				fmt.Fprintln(c.App.Writer, p)
			}
			if len(problems) > 0 {
				return fmt.Errorf("%s: %s found", args[0], plural(len(problems), "problem"))
			}
			fmt.Fprintf(c.App.Writer, "%s: ok (%s)\n", args[0], plural(warnings, "warning"))
			return nil
		},
	}
}

func bcdPresetCommand() *cli.Command {
	imageFlag := &cli.StringSliceFlag{Name: "image", Usage: "boot image as ARCH:FILE:NAME (repeatable), e.g. x64:boot.wim:\"Windows PE (x64)\""}
	common := []cli.Flag{
		&cli.StringFlag{Name: "arch", Usage: "architecture of the clients: x86, x64 or arm64 (required, except with preset pxe --all)"},
		&cli.StringFlag{Name: "firmware", Value: "bios", Usage: "bios (winload.exe) or uefi (winload.efi)"},
		imageFlag,
		&cli.BoolFlag{Name: "filter", Usage: "leave out images this menu may not list instead of failing"},
		&cli.IntFlag{Name: "default", Usage: "index (0-based) of the default entry among the listed images"},
		&cli.IntFlag{Name: "timeout", Value: 30, Usage: "menu timeout in seconds"},
		&cli.BoolFlag{Name: "force", Usage: "overwrite an existing file"},
		bcdSeedFlag,
	}
	return &cli.Command{
		Name:  "preset",
		Usage: "write a preset store: pxe (WDS-style network boot) or media (ISO/USB)",
		Description: "Menus follow the per-architecture rule: x86 menus list only x86 images, x64 BIOS menus\n" +
			"list x64 and x86 images, UEFI menus list only images of their own architecture.",
		Subcommands: []*cli.Command{
			{
				Name:      "pxe",
				Usage:     "write a PXE store like WDS's RemoteInstall\\Boot\\<arch>\\default.bcd with one entry per image",
				ArgsUsage: "OUT | --all DIR",
				Description: "Each entry boots ramdisk=[boot]\\Boot\\<image arch>\\Images\\<file>,{ramdiskoptions} over TFTP;\n" +
					"{ramdiskoptions} holds boot.sdi and the TFTP block size, window size and variable window.\n" +
					"With --arch (and --firmware) one store is written to OUT. With --all DIR every menu the\n" +
					"images allow is written: DIR/Boot/<arch>/default.bcd for BIOS clients (x86, x64) and\n" +
					"DIR/Boot/<arch>uefi/default.bcd for UEFI clients (x86, x64, arm64).\n\n" +
					"Examples:\n" +
					"  wimbuild bcd preset pxe --arch x64 --image x64:boot.wim:\"Windows PE (x64)\" \\\n" +
					"      --image x86:boot.wim:\"Windows PE (x86)\" out/pxe/Boot/x64/default.bcd\n" +
					"  wimbuild bcd preset pxe --all out/pxe --image x64:boot.wim:\"Windows PE (x64)\" \\\n" +
					"      --image x86:boot.wim:\"Windows PE (x86)\"",
				Flags: append(append([]cli.Flag(nil), common...),
					&cli.StringFlag{Name: "all", Usage: "write every menu the images allow under this directory (instead of --arch and OUT)"},
					&cli.Uint64Flag{Name: "blocksize", Value: 1456, Usage: "ramdisktftpblocksize"},
					&cli.Uint64Flag{Name: "windowsize", Value: 4, Usage: "ramdisktftpwindowsize"},
					&cli.BoolFlag{Name: "no-varwindow", Usage: "turn off ramdisktftpvarwindow"},
					&cli.StringFlag{Name: "image-root", Value: `\Boot`, Usage: "TFTP directory holding <arch>\\Images"},
					&cli.StringFlag{Name: "sdi", Usage: "boot.sdi path (default <image-root>\\boot.sdi)"},
					&cli.BoolFlag{Name: "wds-options", Usage: "use WDS's ramdisk options identifier {68d9e51c-a129-4ee1-9725-2ab00a957daf}"},
				),
				Action: func(c *cli.Context) error {
					all := c.String("all")
					min := 1
					if all != "" || bcdHasFlag(c, "all") {
						min = 0
					}
					args, err := bcdArgs(c, min, 1)
					if err != nil {
						return err
					}
					all = c.String("all")
					o := bcd.PXEOptions{FilterImages: c.Bool("filter"),
						Default: c.Int("default"), Timeout: bcdTimeout(c.Int("timeout")), ImageRoot: c.String("image-root"),
						SDIPath: c.String("sdi"), TFTPBlockSize: c.Uint64("blocksize"), TFTPWindowSize: c.Uint64("windowsize"),
						NoVarWindow: c.Bool("no-varwindow"), Seed: c.String("seed")}
					if c.Bool("wds-options") {
						o.RamdiskOptions = bcd.IDWDSRamdiskOptions
					}
					if all != "" {
						if len(args) != 0 || c.String("arch") != "" {
							return usageErrorf("bcd preset pxe: --all DIR replaces --arch and OUT")
						}
						_, _, images, err := bcdPresetImages(c)
						if err != nil {
							return err
						}
						menus, err := bcd.PXEMenus(images, o)
						if err != nil {
							return err
						}
						outs := make([]string, len(menus))
						for i, m := range menus {
							outs[i] = filepath.Join(all, filepath.FromSlash(strings.ReplaceAll(m.Path, `\`, "/")))
							// Every target is checked before any is written:
							// stopping at the second left a partial set.
							if _, err := os.Stat(outs[i]); err == nil && !c.Bool("force") {
								return fmt.Errorf("%s already exists (use --force to overwrite); nothing was written", outs[i])
							}
						}
						for i, m := range menus {
							if err := bcdWritePreset(c, outs[i], m.Store); err != nil {
								return err
							}
						}
						return nil
					}
					if len(args) != 1 {
						return usageErrorf("bcd preset pxe: give OUT (with --arch) or --all DIR")
					}
					arch, fw, images, err := bcdPresetInputs(c)
					if err != nil {
						return err
					}
					o.Arch, o.Firmware, o.Images = arch, fw, images
					s, err := bcd.PXEStore(o)
					if err != nil {
						return err
					}
					return bcdWritePreset(c, args[0], s)
				},
			},
			{
				Name:      "media",
				Usage:     "write a Windows PE media store (\\boot\\bcd for BIOS, \\efi\\microsoft\\boot\\bcd for UEFI)",
				ArgsUsage: "OUT",
				Description: "Like Microsoft's media: one entry per image booting ramdisk=[boot]<file>,{7619dcc8-...}\n" +
					"(default one \"Windows PE\" entry for \\sources\\boot.wim), the memory diagnostic tool and\n" +
					"the usual settings objects.\n\n" +
					"Examples:\n" +
					"  wimbuild bcd preset media --arch x64 out/media/boot/bcd\n" +
					"  wimbuild bcd preset media --arch x64 --firmware uefi out/media/efi/microsoft/boot/bcd",
				Flags: append(append([]cli.Flag(nil), common...),
					&cli.StringFlag{Name: "locale", Value: "en-US", Usage: "menu locale"},
					&cli.BoolFlag{Name: "legacy-menu", Usage: "text boot menu (bootmenupolicy Legacy)"},
					&cli.BoolFlag{Name: "no-memdiag", Usage: "leave out Windows Memory Diagnostic"},
				),
				Action: func(c *cli.Context) error {
					args, err := bcdArgs(c, 1, 1)
					if err != nil {
						return err
					}
					arch, fw, images, err := bcdPresetInputs(c)
					if err != nil {
						return err
					}
					s, err := bcd.MediaStore(bcd.MediaOptions{Arch: arch, Firmware: fw, Images: images, FilterImages: c.Bool("filter"),
						Default: c.Int("default"), Timeout: bcdTimeout(c.Int("timeout")), Locale: c.String("locale"),
						LegacyMenu: c.Bool("legacy-menu"), NoMemDiag: c.Bool("no-memdiag"), Seed: c.String("seed")})
					if err != nil {
						return err
					}
					return bcdWritePreset(c, args[0], s)
				},
			},
		},
	}
}

// bcdTimeout maps the CLI's seconds (0 = boot at once) to the preset
// option (0 = default 30, negative = 0).
func bcdTimeout(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

func bcdPresetInputs(c *cli.Context) (bcd.Arch, bcd.Firmware, []bcd.BootImage, error) {
	if c.String("arch") == "" {
		return "", 0, nil, usageErrorf("bcd preset %s: --arch is required (x86, x64 or arm64)", c.Command.Name)
	}
	return bcdPresetImages(c)
}

// bcdPresetImages parses --arch (if given), --firmware and --image.
func bcdPresetImages(c *cli.Context) (bcd.Arch, bcd.Firmware, []bcd.BootImage, error) {
	var arch bcd.Arch
	if c.String("arch") != "" {
		a, err := bcd.ParseArch(c.String("arch"))
		if err != nil {
			return "", 0, nil, usageErrorf("%v", err)
		}
		arch = a
	}
	fw, err := bcd.ParseFirmware(c.String("firmware"))
	if err != nil {
		return "", 0, nil, usageErrorf("%v", err)
	}
	var images []bcd.BootImage
	for _, spec := range c.StringSlice("image") {
		parts := strings.SplitN(spec, ":", 3)
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return "", 0, nil, usageErrorf("--image %q: want ARCH:FILE:NAME, e.g. x64:boot.wim:Windows PE (x64)", spec)
		}
		a, err := bcd.ParseArch(parts[0])
		if err != nil {
			return "", 0, nil, usageErrorf("--image %q: %v", spec, err)
		}
		images = append(images, bcd.BootImage{Arch: a, File: parts[1], Name: parts[2]})
	}
	return arch, fw, images, nil
}

func bcdWritePreset(c *cli.Context, out string, s *bcd.Store) error {
	if _, err := os.Stat(out); err == nil && !c.Bool("force") {
		return fmt.Errorf("%s already exists (use --force to overwrite)", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := bcdSave(out, s); err != nil {
		return err
	}
	ents, err := s.Entries(bcd.EnumOptions{Filter: "active"})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %s (%s)\n", out, pluralOf(int64(len(ents)-1), "menu entry", "menu entries"))
	return nil
}

// bcdOpen reads a store file.
func bcdOpen(path string) (*bcd.Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := bcd.OpenStore(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// bcdEdit opens a store, applies edit and writes it back atomically.
func bcdEdit(c *cli.Context, path string, edit func(*bcd.Store) error) error {
	s, err := bcdOpen(path)
	if err != nil {
		return err
	}
	s.Seed = c.String("seed")
	if err := edit(s); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return bcdSave(path, s)
}

// bcdHasFlag reports whether a flag appears anywhere in the raw arguments.
func bcdHasFlag(c *cli.Context, name string) bool {
	for _, a := range c.Args().Slice() {
		n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && n == name {
			return true
		}
	}
	return false
}

// bcdArgs returns the positional arguments of a bcd subcommand (options may
// follow them, as bcdedit puts its switches last).
func bcdArgs(c *cli.Context, min, max int) ([]string, error) {
	return positionalArgs(c, "bcd", min, max)
}

// bcdSave serializes a store and replaces path with it atomically.
func bcdSave(path string, s *bcd.Store) error {
	data, err := s.Marshal()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return replaceFile(path, data)
}
