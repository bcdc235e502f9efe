package dsl

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// maxFuncFileSize bounds what file(), filebase64() and filesha256() read.
const maxFuncFileSize = 16 << 20

// functions returns the functions recipes can call. Pure functions come from
// go-cty's stdlib; the file-system ones are confined by pc.
func functions(pc *pathChecker) map[string]function.Function {
	fs := map[string]function.Function{
		"abs":             stdlib.AbsoluteFunc,
		"ceil":            stdlib.CeilFunc,
		"chomp":           stdlib.ChompFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"csvdecode":       stdlib.CSVDecodeFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"floor":           stdlib.FloorFunc,
		"format":          guarded(stdlib.FormatFunc, checkFormatString),
		"formatdate":      stdlib.FormatDateFunc,
		"formatlist":      guarded(stdlib.FormatListFunc, checkFormatString),
		"indent":          guarded(stdlib.IndentFunc, checkIndent),
		"index":           stdlib.IndexFunc,
		"join":            stdlib.JoinFunc,
		"jsondecode":      stdlib.JSONDecodeFunc,
		"jsonencode":      stdlib.JSONEncodeFunc,
		"keys":            stdlib.KeysFunc,
		"length":          stdlib.LengthFunc,
		"log":             stdlib.LogFunc,
		"lookup":          stdlib.LookupFunc,
		"lower":           stdlib.LowerFunc,
		"max":             stdlib.MaxFunc,
		"merge":           stdlib.MergeFunc,
		"min":             stdlib.MinFunc,
		"parseint":        stdlib.ParseIntFunc,
		"pow":             stdlib.PowFunc,
		"range":           stdlib.RangeFunc,
		"regex":           stdlib.RegexFunc,
		"regexall":        stdlib.RegexAllFunc,
		"regex_replace":   stdlib.RegexReplaceFunc,
		"replace":         stdlib.ReplaceFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"signum":          stdlib.SignumFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"split":           stdlib.SplitFunc,
		"strlen":          stdlib.StrlenFunc,
		"strrev":          stdlib.ReverseFunc,
		"substr":          stdlib.SubstrFunc,
		"timeadd":         stdlib.TimeAddFunc,
		"title":           stdlib.TitleFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"trim":            stdlib.TrimFunc,
		"trimprefix":      stdlib.TrimPrefixFunc,
		"trimspace":       stdlib.TrimSpaceFunc,
		"trimsuffix":      stdlib.TrimSuffixFunc,
		"upper":           stdlib.UpperFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,
		"try":             tryfunc.TryFunc,
		"can":             tryfunc.CanFunc,

		"sha256":       sha256Func,
		"base64encode": base64EncodeFunc,
		"base64decode": base64DecodeFunc,
		"basename":     basenameFunc,
		"dirname":      dirnameFunc,
	}
	fs["file"] = fileFunc(pc, "file")
	fs["filebase64"] = fileFunc(pc, "filebase64")
	fs["filesha256"] = fileFunc(pc, "filesha256")
	fs["fileexists"] = fileExistsFunc(pc)
	fs["abspath"] = absPathFunc(pc)
	return fs
}

// FunctionNames lists the functions a recipe can call, sorted.
func FunctionNames() []string {
	fs := functions(&pathChecker{root: "/"})
	names := make([]string, 0, len(fs))
	for n := range fs {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}

var sha256Func = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		h := sha256.Sum256([]byte(args[0].AsString()))
		return cty.StringVal(hex.EncodeToString(h[:])), nil
	},
})

var base64EncodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(base64.StdEncoding.EncodeToString([]byte(args[0].AsString()))), nil
	},
})

var base64DecodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b, err := base64.StdEncoding.DecodeString(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "invalid base64: %v", err)
		}
		if !utf8.Valid(b) {
			return cty.NilVal, function.NewArgErrorf(0, "the decoded bytes are not valid UTF-8")
		}
		return cty.StringVal(string(b)), nil
	},
})

// lastSep returns the index of the last "/" or "\" in s, or -1.
func lastSep(s string) int { return strings.LastIndexAny(s, `/\`) }

var basenameFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s := strings.TrimRight(args[0].AsString(), `/\`)
		if s == "" {
			if args[0].AsString() != "" {
				return cty.StringVal("/"), nil
			}
			return cty.StringVal("."), nil
		}
		return cty.StringVal(s[lastSep(s)+1:]), nil
	},
})

var dirnameFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		s := strings.TrimRight(args[0].AsString(), `/\`)
		i := lastSep(s)
		switch {
		case i < 0:
			if s == "" && args[0].AsString() != "" {
				return cty.StringVal(args[0].AsString()[:1]), nil
			}
			return cty.StringVal("."), nil
		case i == 0:
			return cty.StringVal(s[:1]), nil
		}
		return cty.StringVal(strings.TrimRight(s[:i], `/\`)), nil
	},
})

func readConfined(pc *pathChecker, p string) ([]byte, error) {
	abs, err := pc.resolve(p)
	if err != nil {
		if err == errPathEscape {
			return nil, fmt.Errorf("%q is outside the recipe directory; declare its directory in wimbuild { allow_paths = [...] }", p)
		}
		return nil, fmt.Errorf("%q: %v", p, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: no such file in the recipe directory", p)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%q is a directory, not a file", p)
	}
	if st.Size() > maxFuncFileSize {
		return nil, fmt.Errorf("%q is %d bytes; file functions read at most %d bytes", p, st.Size(), maxFuncFileSize)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", p, err)
	}
	if int64(len(b)) > maxFuncFileSize {
		return nil, fmt.Errorf("%q grew beyond %d bytes while being read", p, maxFuncFileSize)
	}
	return b, nil
}

func fileFunc(pc *pathChecker, name string) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := readConfined(pc, args[0].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			switch name {
			case "filebase64":
				return cty.StringVal(base64.StdEncoding.EncodeToString(b)), nil
			case "filesha256":
				h := sha256.Sum256(b)
				return cty.StringVal(hex.EncodeToString(h[:])), nil
			}
			if !utf8.Valid(b) {
				return cty.NilVal, function.NewArgErrorf(0, "%q is not UTF-8 text; use filebase64 for binary files", args[0].AsString())
			}
			return cty.StringVal(string(b)), nil
		},
	})
}

func fileExistsFunc(pc *pathChecker) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			abs, err := pc.resolve(args[0].AsString())
			if err != nil {
				if err == errPathEscape {
					return cty.NilVal, function.NewArgErrorf(0, "%q is outside the recipe directory; declare its directory in wimbuild { allow_paths = [...] }", args[0].AsString())
				}
				return cty.NilVal, function.NewArgError(0, err)
			}
			st, err := os.Stat(abs)
			return cty.BoolVal(err == nil && st.Mode().IsRegular()), nil
		},
	})
}

func absPathFunc(pc *pathChecker) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			abs, err := pc.resolve(args[0].AsString())
			if err != nil {
				if err == errPathEscape {
					return cty.NilVal, function.NewArgErrorf(0, "%q is outside the recipe directory; declare its directory in wimbuild { allow_paths = [...] }", args[0].AsString())
				}
				return cty.NilVal, function.NewArgError(0, err)
			}
			return cty.StringVal(strings.ReplaceAll(abs, `\`, "/")), nil
		},
	})
}

// maxFormatWidth bounds widths and precisions in format verbs and indent
// counts, so a recipe cannot make a function allocate gigabytes.
const maxFormatWidth = 4096

var fmtNumberRe = regexp.MustCompile(`%[-+# 0]*(\[\d+\])?(\d*)(\.(\d*))?`)

// guarded wraps a function so check runs on the arguments first.
func guarded(fn function.Function, check func(args []cty.Value) error) function.Function {
	spec := &function.Spec{
		Description: fn.Description(),
		Params:      fn.Params(),
		VarParam:    fn.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return fn.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if err := check(args); err != nil {
				return cty.NilVal, err
			}
			return fn.Call(args)
		},
	}
	return function.New(spec)
}

func checkFormatString(args []cty.Value) error {
	if len(args) == 0 || !args[0].IsKnown() || args[0].IsNull() || args[0].Type() != cty.String {
		return nil
	}
	for _, m := range fmtNumberRe.FindAllStringSubmatch(args[0].AsString(), -1) {
		for _, n := range []string{m[2], m[4]} {
			if len(n) > 4 || (n != "" && atoiSafe(n) > maxFormatWidth) {
				return function.NewArgErrorf(0, "a width or precision in the format string is larger than %d", maxFormatWidth)
			}
		}
	}
	return nil
}

func checkIndent(args []cty.Value) error {
	if len(args) == 0 || !args[0].IsKnown() || args[0].IsNull() {
		return nil
	}
	if f, _ := args[0].AsBigFloat().Float64(); f > maxFormatWidth || f < 0 {
		return function.NewArgErrorf(0, "indent takes 0 to %d spaces", maxFormatWidth)
	}
	return nil
}

func atoiSafe(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
		if n > 1<<30 {
			return n
		}
	}
	return n
}
