package dsl

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// loader holds the state of one Load.
type loader struct {
	// refusedSources holds the keys of source blocks refused (e.g. an
	// unknown type): references to them are not reported again.
	refusedSources map[string]bool

	root  string
	opts  LoadOptions
	env   map[string]string
	diags hcl.Diagnostics
	pc    *pathChecker
	funcs map[string]function.Function

	vars      map[string]*varDecl
	varOrder  []*varDecl
	locals    map[string]*localDecl
	localList []*localDecl

	r *Recipe

	localsDone bool             // all locals evaluated: the context is final
	ctxCache   *hcl.EvalContext // context with locals, once localsDone

	// secrets are the strings of sensitive variables and the strings
	// computed from them; maskSecrets removes them from every diagnostic.
	secrets map[string]bool
}

type varDecl struct {
	v           *Variable
	ty          cty.Type
	def         cty.Value
	hasDef      bool
	validations []*hcl.Block
	value       cty.Value
	valueRange  *hcl.Range // where the final value was written (nil: CLI/env)
	set         bool
	bad         bool
}

type localDecl struct {
	name  string
	attr  *hcl.Attribute
	state int // 0 new, 1 evaluating, 2 done
	value cty.Value
}

func (l *loader) add(d ...*hcl.Diagnostic) { l.diags = append(l.diags, d...) }

// addAll adds a body's decoding diagnostics. A misspelled required
// argument gives HCL two errors (unsupported "destinaton", missing
// "destination"); the first, with its did-you-mean, says it all, so the
// second is dropped.
func (l *loader) addAll(ds hcl.Diagnostics) {
	meant := map[string]bool{}
	for _, d := range ds {
		if d.Summary == "Unsupported argument" {
			if _, after, ok := strings.Cut(d.Detail, "Did you mean "); ok {
				meant[strings.TrimSuffix(strings.TrimSpace(after), "?")] = true
			}
		}
	}
	for _, d := range ds {
		if d.Summary == "Missing required argument" {
			if _, after, ok := strings.Cut(d.Detail, "The argument "); ok {
				if name, _, ok := strings.Cut(after, " is required"); ok && meant[name] {
					continue
				}
			}
		}
		l.diags = append(l.diags, d)
	}
}

func (l *loader) errorf(rng hcl.Range, summary, detail string, args ...any) {
	l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: rng.Ptr()})
}

func (l *loader) warnf(rng hcl.Range, summary, detail string, args ...any) {
	l.add(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(detail, args...), Subject: rng.Ptr()})
}

// ctx returns the evaluation context for recipe expressions.
func (l *loader) ctx(withLocals bool) *hcl.EvalContext {
	if withLocals && l.localsDone {
		if l.ctxCache == nil {
			l.ctxCache = l.buildCtx(true)
		}
		return l.ctxCache
	}
	return l.buildCtx(withLocals)
}

func (l *loader) buildCtx(withLocals bool) *hcl.EvalContext {
	vars := map[string]cty.Value{}
	for _, v := range l.varOrder {
		val := v.value
		if v.v.Sensitive {
			// Marked values are never printed by HCL's diagnostic writer.
			val = val.Mark(sensitiveMark)
		}
		vars[v.v.Name] = val
	}
	vv := map[string]cty.Value{
		"var":  cty.ObjectVal(vars),
		"path": cty.ObjectVal(map[string]cty.Value{"root": cty.StringVal(strings.ReplaceAll(l.root, `\`, "/"))}),
	}
	if withLocals {
		locs := map[string]cty.Value{}
		for _, lc := range l.localList {
			if lc.state == 2 {
				locs[lc.name] = lc.value
			} else {
				locs[lc.name] = cty.DynamicVal
			}
		}
		vv["local"] = cty.ObjectVal(locs)
	}
	return &hcl.EvalContext{Variables: vv, Functions: l.funcs}
}

// sensitiveMark marks values derived from sensitive variables.
const sensitiveMark = "sensitive"

// refMode says which references an expression may contain.
type refMode int

const (
	refsNone   refMode = iota // literal values only (defaults, var files)
	refsVars                  // var.* and path.root (settings, validations)
	refsLocals                // var.*, local.*, path.root
)

// checkRefs reports references that expr may not make, with the tightest
// range. It returns false when evaluation should be skipped.
func (l *loader) checkRefs(expr hcl.Expression, mode refMode) bool {
	ok := true
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		rng := tr.SourceRange()
		if mode == refsNone {
			l.errorf(rng, "Variables not allowed", "A reference to %s cannot be used here: this value must be a literal because it is read before any variable or local value exists. Write the value itself, or move the computation into a locals block.", traversalString(tr))
			ok = false
			continue
		}
		switch root {
		case "var":
			name, ok2 := attrName(tr, 1)
			if !ok2 {
				l.errorf(rng, "Invalid reference", "A reference to an input variable is written var.NAME.")
				ok = false
				continue
			}
			if _, found := l.vars[name]; !found {
				l.errorf(tr[1].SourceRange(), "Reference to undeclared variable", "No variable named %q is declared.%s Declare it with a variable %q { type = string } block.", name, didYouMean(name, l.varNames()), name)
				ok = false
			}
		case "local":
			if mode < refsLocals {
				l.errorf(rng, "Local values not allowed", "Local values cannot be used here: this value is evaluated before locals. Use a variable or a literal instead.")
				ok = false
				continue
			}
			name, ok2 := attrName(tr, 1)
			if !ok2 {
				l.errorf(rng, "Invalid reference", "A reference to a local value is written local.NAME.")
				ok = false
				continue
			}
			if _, found := l.locals[name]; !found {
				l.errorf(tr[1].SourceRange(), "Reference to undeclared local value", "No local value named %q is declared.%s Add %s = … to a locals block.", name, didYouMean(name, l.localNames()), name)
				ok = false
			}
		case "path":
			name, ok2 := attrName(tr, 1)
			if !ok2 || name != "root" {
				l.errorf(rng, "Invalid reference", "The only path value is path.root, the absolute recipe directory.")
				ok = false
			}
		case "image", "source", "pxe", "media":
			l.errorf(rng, "Block reference not allowed here", "%s names %s block; block references are only allowed in from, images, default and image arguments, where they create a dependency. Use a variable or local value for text shared between blocks.", traversalString(tr), article(root))
			ok = false
		default:
			l.errorf(rng, "Unknown reference", "There is no value named %q.%s A recipe expression can refer to var.NAME, local.NAME and path.root.", root, didYouMean(root, []string{"var", "local", "path"}))
			ok = false
		}
	}
	return ok
}

func attrName(tr hcl.Traversal, i int) (string, bool) {
	if len(tr) <= i {
		return "", false
	}
	a, ok := tr[i].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	return a.Name, true
}

func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	for i, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case hcl.TraverseIndex:
			b.WriteString("[…]")
		default:
			b.WriteString("[…]")
		}
	}
	return b.String()
}

func (l *loader) varNames() []string {
	var n []string
	for k := range l.vars {
		n = append(n, k)
	}
	return n
}

func (l *loader) localNames() []string {
	var n []string
	for k := range l.locals {
		n = append(n, k)
	}
	return n
}

// eval evaluates expr with mode's references and converts it to ty. ok is
// false when an error was reported or the value depends on an earlier
// error (unknown); null is returned as is with ok true.
func (l *loader) eval(expr hcl.Expression, mode refMode, ty cty.Type, what string) (cty.Value, bool) {
	v, _, ok := l.evalSensitive(expr, mode, ty, what)
	return v, ok
}

// evalSensitive is eval that also reports whether the value was computed
// from a sensitive variable. The value's strings are then recorded as
// secrets.
func (l *loader) evalSensitive(expr hcl.Expression, mode refMode, ty cty.Type, what string) (cty.Value, bool, bool) {
	if !l.checkRefs(expr, mode) {
		return cty.NilVal, false, false
	}
	var ctx *hcl.EvalContext
	switch mode {
	case refsNone:
		ctx = &hcl.EvalContext{Functions: l.funcs}
	case refsVars:
		ctx = l.ctx(false)
	default:
		ctx = l.ctx(true)
	}
	v, ds := expr.Value(ctx)
	if ds.HasErrors() {
		l.addAll(ds)
		return cty.NilVal, false, false
	}
	l.addAll(ds)
	if !v.IsWhollyKnown() {
		return cty.NilVal, false, false
	}
	sensitive := v.ContainsMarked()
	if sensitive {
		l.addSecrets(v)
	}
	if v.IsNull() {
		return v, sensitive, true
	}
	if ty == cty.DynamicPseudoType {
		return v, sensitive, true // locals keep sensitivity marks
	}
	v, _ = v.UnmarkDeep()
	cv, err := convert.Convert(v, ty)
	if err != nil {
		l.add(&hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("The %s must be %s: %s.", what, typeName(ty), err.Error()),
			Subject:  expr.Range().Ptr(),
		})
		return cty.NilVal, false, false
	}
	return cty.UnknownAsNull(cv), sensitive, true
}

func typeName(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a boolean (true or false)"
	case ty.IsListType() && ty.ElementType() == cty.String:
		return "a list of strings"
	}
	return ty.FriendlyName()
}

// Typed attribute accessors. Each returns ok=false when the attribute is
// absent, null, or invalid (after reporting why).

func (l *loader) str(a *hcl.Attribute, what string) (String, bool) {
	if a == nil {
		return String{}, false
	}
	v, sens, ok := l.evalSensitive(a.Expr, refsLocals, cty.String, what)
	if !ok || v.IsNull() {
		return String{}, false
	}
	return String{Value: v.AsString(), Range: a.Expr.Range(), Sensitive: sens}, true
}

func (l *loader) intv(a *hcl.Attribute, what string) (Int, bool) {
	if a == nil {
		return Int{}, false
	}
	v, sens, ok := l.evalSensitive(a.Expr, refsLocals, cty.Number, what)
	if !ok || v.IsNull() {
		return Int{}, false
	}
	return l.toInt(v, a.Expr.Range(), what, sens)
}

func (l *loader) toInt(v cty.Value, rng hcl.Range, what string, sensitive bool) (Int, bool) {
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		shown := bf.Text('g', 10)
		if sensitive {
			shown = SensitiveValue
		}
		l.errorf(rng, "Invalid number", "The %s must be a whole number, not %s.", what, shown)
		return Int{}, false
	}
	i, acc := bf.Int64()
	if acc != big.Exact {
		l.errorf(rng, "Invalid number", "The %s is out of range.", what)
		return Int{}, false
	}
	return Int{Value: i, Range: rng, Sensitive: sensitive}, true
}

func (l *loader) boolv(a *hcl.Attribute, what string) (Bool, bool) {
	if a == nil {
		return Bool{}, false
	}
	v, sens, ok := l.evalSensitive(a.Expr, refsLocals, cty.Bool, what)
	if !ok || v.IsNull() {
		return Bool{}, false
	}
	return Bool{Value: v.True(), Range: a.Expr.Range(), Sensitive: sens}, true
}

// strList evaluates a list of strings, keeping each element's range when the
// list is written as [a, b, c].
func (l *loader) strList(a *hcl.Attribute, what string) ([]String, bool) {
	if a == nil {
		return nil, false
	}
	if elems, ds := hcl.ExprList(a.Expr); !ds.HasErrors() {
		var out []String
		ok := true
		for _, e := range elems {
			v, sens, good := l.evalSensitive(e, refsLocals, cty.String, "element of "+what)
			if !good {
				ok = false
				continue
			}
			if v.IsNull() {
				l.errorf(e.Range(), "Null list element", "The %s cannot contain null. Remove the element.", what)
				ok = false
				continue
			}
			out = append(out, String{Value: v.AsString(), Range: e.Range(), Sensitive: sens})
		}
		return out, ok
	}
	v, sens, ok := l.evalSensitive(a.Expr, refsLocals, cty.List(cty.String), what)
	if !ok || v.IsNull() {
		return nil, false
	}
	var out []String
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			l.errorf(a.Expr.Range(), "Null list element", "The %s cannot contain null. Remove the element.", what)
			return nil, false
		}
		out = append(out, String{Value: ev.AsString(), Range: a.Expr.Range(), Sensitive: sens})
	}
	return out, true
}

func (l *loader) pathv(a *hcl.Attribute, what string) (Path, bool) {
	s, ok := l.str(a, what)
	if !ok {
		return Path{}, false
	}
	p, ds := l.pc.path(s.Value, s.Range, what, s.Sensitive)
	l.addAll(ds)
	return p, !ds.HasErrors()
}

// ref decodes a block reference of one of the given kinds.
func (l *loader) ref(expr hcl.Expression, what string, kinds ...RefKind) (Ref, bool) {
	tr, ds := hcl.AbsTraversalForExpr(expr)
	if ds.HasErrors() {
		l.errorf(expr.Range(), "Invalid reference", "The %s must be a reference such as %s, written without quotes.", what, refExample(kinds))
		return Ref{}, false
	}
	root := tr.RootName()
	kindOK := false
	for _, k := range kinds {
		if string(k) == root {
			kindOK = true
		}
	}
	if !kindOK {
		l.errorf(tr.SourceRange(), "Invalid reference", "The %s must refer to %s, such as %s; %s is not one.", what, kindList(kinds), refExample(kinds), traversalString(tr))
		return Ref{}, false
	}
	want := 2
	if root == string(RefSource) {
		want = 3
	}
	var parts []string
	for i := 1; i < len(tr); i++ {
		a, ok := tr[i].(hcl.TraverseAttr)
		if !ok {
			l.errorf(tr.SourceRange(), "Invalid reference", "The %s must be a plain reference such as %s, without index brackets.", what, refExample(kinds))
			return Ref{}, false
		}
		parts = append(parts, a.Name)
	}
	if len(tr) != want {
		l.errorf(tr.SourceRange(), "Invalid reference", "%s is not a complete block reference: write %s.", traversalString(tr), map[bool]string{true: "source.TYPE.NAME", false: root + ".NAME"}[want == 3])
		return Ref{}, false
	}
	r := Ref{Kind: RefKind(root), Range: tr.SourceRange()}
	if want == 3 {
		r.Type, r.Name = parts[0], parts[1]
	} else {
		r.Name = parts[0]
	}
	return r, true
}

func refExample(kinds []RefKind) string {
	var ex []string
	for _, k := range kinds {
		switch k {
		case RefSource:
			ex = append(ex, "source.wim.media")
		case RefImage:
			ex = append(ex, "image.boot")
		default:
			ex = append(ex, string(k)+".NAME")
		}
	}
	return strings.Join(ex, " or ")
}

func kindList(kinds []RefKind) string {
	var ex []string
	for _, k := range kinds {
		ex = append(ex, "a "+string(k)+" block")
	}
	return strings.Join(ex, " or ")
}

// didYouMean suggests the closest name, or returns "".
func didYouMean(name string, candidates []string) string {
	best, bestD := "", 3
	candidates = append([]string(nil), candidates...) // never reorder the caller's slice
	sort.Strings(candidates)
	for _, c := range candidates {
		if d := levenshtein(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortStrings(s []string) { sort.Strings(s) }

// validIdent reports whether s is a valid HCL identifier.
func validIdent(s string) bool { return hclsyntax.ValidIdentifier(s) }

// attrs returns content attributes in source order.
func attrsInOrder(m hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return rangeLess(out[i].Range, out[j].Range) })
	return out
}

func rangeLess(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}

func sortPairs(p [][2]string) { sort.Slice(p, func(i, j int) bool { return p[i][0] < p[j][0] }) }

// article prefixes a block type with "a" or "an".
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
