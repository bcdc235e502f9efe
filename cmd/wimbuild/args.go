package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
)

// positionalArgs returns the positional arguments of a subcommand of group
// ("wim", "bcd", "reg") and checks their number (max < 0: no limit).
// Options may follow positional arguments, as wimlib-imagex and bcdedit
// users write them: urfave/cli stops parsing flags at the first positional
// argument, so the remaining options are applied here. "--" ends options.
func positionalArgs(c *cli.Context, group string, min, max int) ([]string, error) {
	cmd := c.Command.Name
	var pos []string
	raw := c.Args().Slice()
	for i := 0; i < len(raw); i++ {
		a := raw[i]
		if a == "--" {
			pos = append(pos, raw[i+1:]...)
			break
		}
		if group == "bcd" && len(a) > 1 && a[0] == '/' {
			// bcdedit spells options /addlast; a file of that name
			// (a store path) is still taken as an argument.
			if f := findFlag(c.Command.Flags, strings.ToLower(a[1:])); f != nil {
				if _, err := os.Stat(a); err != nil {
					return nil, commandUsageErrorf(c, "options are written %s here, not %s as in bcdedit", dashed(f.Names()[0]), a)
				}
			}
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "h" || name == "help" {
			_ = cli.ShowSubcommandHelp(c)
			return nil, errHelpShown
		}
		f := findFlag(c.Command.Flags, name)
		if f == nil {
			return nil, commandUsageErrorf(c, "unknown flag %s", a)
		}
		if _, isBool := f.(*cli.BoolFlag); isBool && !hasValue {
			value, hasValue = "true", true
		}
		if !hasValue {
			if i+1 >= len(raw) {
				return nil, commandUsageErrorf(c, "flag %s needs a value", a)
			}
			i++
			value = raw[i]
		}
		if err := c.Set(f.Names()[0], value); err != nil {
			why := err.Error()
			if why == "parse error" || why == "value out of range" {
				why = flagWants(c, f.Names()[0], why)
			}
			return nil, commandUsageErrorf(c, "invalid value %q for %s: %s", value, dashed(name), why)
		}
	}
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		return nil, usageErrorf("%s %s: wrong number of arguments\nusage: wimbuild %s %s %s", group, cmd, group, cmd, c.Command.ArgsUsage)
	}
	return pos, nil
}

// findFlag returns the flag answering to name (or one of its aliases).
func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// replaceFile replaces path with data atomically: a temporary file beside
// it is written, synced and renamed over it, so a failed or killed command
// never leaves a half-written file. An existing file's permissions are kept
// (new files get 0644).
func replaceFile(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
