package dsl

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// settingsVersion checks required_version before anything else, so a recipe
// for a newer language fails with one clear message instead of many.
func (l *loader) settingsVersion(blocks []*hcl.Block) (*hcl.BodyContent, bool) {
	if len(blocks) == 0 {
		return nil, true
	}
	for _, b := range blocks[1:] {
		l.errorf(b.DefRange, "Duplicate wimbuild block", "A recipe has at most one wimbuild block; the first is at %s. Merge the settings into it.", blocks[0].DefRange)
	}
	b := blocks[0]
	l.r.Settings.DeclRange = b.DefRange
	content, ds := b.Body.Content(settingsSchema)
	l.addAll(ds)
	if a := content.Attributes["required_version"]; a != nil {
		v, ok := l.eval(a.Expr, refsNone, cty.String, "required_version")
		if !ok || v.IsNull() {
			return content, true
		}
		s := v.AsString()
		l.r.Settings.RequiredVersion = String{Value: s, Range: a.Expr.Range()}
		ok, err := versionAllowed(s, LanguageVersion)
		if err != nil {
			l.errorf(a.Expr.Range(), "Invalid version constraint", "%v. Write constraints such as \">= 0.1\" or \">= 0.1, < 1.0\" (operators =, !=, >, >=, <, <=, ~>).", err)
			return content, true
		}
		if !ok {
			l.errorf(a.Expr.Range(), "Unsupported wimbuild version", "This recipe requires a wimbuild recipe language %s, but this wimbuild implements version %s. Upgrade wimbuild, or relax required_version if the recipe does not need newer features.", s, LanguageVersion)
			return content, false
		}
	}
	return content, true
}

// settingsRest decodes source_date_epoch and allow_paths (they may use
// variables) and builds the path checker.
func (l *loader) settingsRest(content *hcl.BodyContent) {
	l.pc = &pathChecker{root: l.root}
	l.funcs = functions(l.pc)
	set := &l.r.Settings
	if content != nil {
		if a := content.Attributes["allow_paths"]; a != nil {
			list, _ := l.strListMode(a, refsVars, "allow_paths")
			for _, s := range list {
				if s.Value == "" {
					l.errorf(s.Range, "Empty path", "An allow_paths entry is an empty string. Give a directory, absolute or relative to the recipe directory.")
					continue
				}
				if strings.IndexByte(s.Value, 0) >= 0 {
					l.errorf(s.Range, "Invalid path", "An allow_paths entry contains a NUL character. Remove it.")
					continue
				}
				p := hostPath(l.root, s.Value)
				l.pc.allowed = append(l.pc.allowed, p)
				set.AllowPaths = append(set.AllowPaths, Path{Abs: p, Range: s.Range, Sensitive: s.Sensitive})
			}
			for i := range set.AllowPaths {
				set.AllowPaths[i].Rel = l.pc.rel(set.AllowPaths[i].Abs)
			}
		}
		if a := content.Attributes["source_date_epoch"]; a != nil {
			v, sens, ok := l.evalSensitive(a.Expr, refsVars, cty.Number, "source_date_epoch")
			if ok && !v.IsNull() {
				if iv, ok := l.toInt(v, a.Expr.Range(), "source_date_epoch", sens); ok {
					if iv.Value < 0 || iv.Value > 253402300799 {
						l.errorf(a.Expr.Range(), "Invalid source_date_epoch", "source_date_epoch is %s; it must be a Unix time in seconds between 0 and 253402300799 (year 9999).", iv.Display())
					} else {
						set.SourceDateEpoch = iv
					}
				}
			}
			return
		}
	}
	if s, ok := l.env["SOURCE_DATE_EPOCH"]; ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 && n <= 253402300799 {
			set.SourceDateEpoch = Int{Value: n}
		} else {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid SOURCE_DATE_EPOCH",
				Detail: fmt.Sprintf("The SOURCE_DATE_EPOCH environment variable is %q; it must be a Unix time in whole seconds. Fix or unset it, or set wimbuild { source_date_epoch = … } in the recipe.", s)})
		}
	}
}

func (l *loader) strListMode(a *hcl.Attribute, mode refMode, what string) ([]String, bool) {
	v, sens, ok := l.evalSensitive(a.Expr, mode, cty.List(cty.String), what)
	if !ok || v.IsNull() {
		return nil, false
	}
	elems, ds := hcl.ExprList(a.Expr)
	var out []String
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		rng := a.Expr.Range()
		if !ds.HasErrors() && i < len(elems) && len(elems) == v.LengthInt() {
			rng = elems[i].Range()
		}
		if ev.IsNull() {
			l.errorf(rng, "Null list element", "The %s cannot contain null. Remove the element.", what)
			continue
		}
		out = append(out, String{Value: ev.AsString(), Range: rng, Sensitive: sens})
	}
	return out, true
}

func hostPath(root, s string) string {
	p := fromRecipePath(s)
	if !isAbs(p) {
		p = joinPath(root, p)
	}
	return cleanPath(p)
}

// declareVariables decodes the variable blocks.
func (l *loader) declareVariables(blocks []*hcl.Block) {
	for _, b := range blocks {
		name := b.Labels[0]
		if !validIdent(name) {
			l.errorf(b.LabelRanges[0], "Invalid variable name", "%q is not a valid variable name: use letters, digits, underscores and dashes, starting with a letter.", name)
			continue
		}
		if prev, dup := l.vars[name]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate variable", "A variable named %q was already declared at %s. Variable names must be unique; rename or remove one.", name, prev.v.DeclRange)
			continue
		}
		content, ds := b.Body.Content(variableSchema)
		l.addAll(ds)
		vd := &varDecl{v: &Variable{Name: name, DeclRange: b.DefRange, Type: "any"}, ty: cty.DynamicPseudoType}
		l.vars[name] = vd
		l.varOrder = append(l.varOrder, vd)
		if a := content.Attributes["type"]; a != nil {
			ty, ds := typeexpr.TypeConstraint(a.Expr)
			if ds.HasErrors() {
				hint := typeHint(a.Expr)
				for _, d := range ds {
					d.Summary = "Invalid type"
					if d.Subject == nil {
						d.Subject = a.Expr.Range().Ptr()
					}
					d.Detail = strings.TrimSuffix(d.Detail, ".") + "." + hint + " Types are written without quotes: string, number, bool, list(string), map(string), object({…}) or any."
				}
				l.addAll(ds)
				vd.bad = true
			} else {
				vd.ty = ty
				vd.v.Type = typeexpr.TypeString(ty)
			}
		}
		if a := content.Attributes["description"]; a != nil {
			if v, ok := l.eval(a.Expr, refsNone, cty.String, "description"); ok && !v.IsNull() {
				vd.v.Description = v.AsString()
			}
		}
		if a := content.Attributes["sensitive"]; a != nil {
			if v, ok := l.eval(a.Expr, refsNone, cty.Bool, "sensitive"); ok && !v.IsNull() {
				vd.v.Sensitive = v.True()
			}
		}
		if a := content.Attributes["default"]; a != nil {
			v, ok := l.eval(a.Expr, refsNone, cty.DynamicPseudoType, "default")
			if ok {
				cv, err := convert.Convert(v, vd.ty)
				if err != nil {
					l.errorf(a.Expr.Range(), "Invalid default value for variable", "The default value of variable %q does not match its type %s: %s. Change the default or the type.", name, vd.v.Type, err)
					vd.bad = true
				} else {
					vd.def, vd.hasDef = cv, true
					vd.value, vd.set = cv, true
					r := a.Expr.Range()
					vd.valueRange = &r
					vd.v.ValueSource = "default"
				}
			} else {
				vd.bad = true
			}
		}
		vd.validations = content.Blocks.OfType("validation")
	}
}

// typeKeywords are the type names and type constructors of a variable's
// type constraint.
var typeKeywords = []string{"any", "bool", "list", "map", "number", "object", "set", "string", "tuple"}

// typeHint suggests the type keyword a wrong type expression probably
// meant: a keyword or constructor in the wrong case (String, List(string)),
// a misspelling (strng), or a quoted type name ("string"). It returns "" or
// a sentence that starts with a space.
func typeHint(expr hcl.Expression) string {
	name := hcl.ExprAsKeyword(expr)
	if call, ok := expr.(*hclsyntax.FunctionCallExpr); ok && name == "" {
		name = call.Name
		if slices.Contains(typeKeywords, name) && len(call.Args) == 1 {
			return typeHint(call.Args[0]) // list(String)
		}
	}
	if name == "" {
		if v, ds := expr.Value(nil); !ds.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			if s := v.AsString(); slices.Contains(typeKeywords, strings.ToLower(s)) {
				return fmt.Sprintf(" Did you mean %s, without quotes?", strings.ToLower(s))
			}
		}
		return ""
	}
	if slices.Contains(typeKeywords, name) {
		return ""
	}
	if low := strings.ToLower(name); slices.Contains(typeKeywords, low) {
		return fmt.Sprintf(" Did you mean %q? Type names are lower case.", low)
	}
	return didYouMean(strings.ToLower(name), typeKeywords)
}

// assignVariables applies var files, environment and --var in precedence
// order (later wins).
func (l *loader) assignVariables(p parserFunc, files []sourceFile) {
	for _, sf := range files {
		f, ds := p(sf)
		l.addAll(ds)
		if f == nil {
			continue
		}
		attrs, ds := f.Body.JustAttributes()
		for _, d := range ds {
			if strings.HasPrefix(d.Summary, "Unexpected") {
				d.Detail += " " + varFileSchemaNote
			}
		}
		l.addAll(ds)
		for _, a := range attrsInOrder(attrs) {
			vd, ok := l.vars[a.Name]
			if !ok {
				l.warnf(a.NameRange, "Undeclared variable", "The variable file sets %q, but the recipe declares no such variable.%s The value is ignored; remove it or declare the variable.", a.Name, didYouMean(a.Name, l.varNames()))
				continue
			}
			v, ok := l.eval(a.Expr, refsNone, cty.DynamicPseudoType, "value")
			if !ok {
				vd.bad = true
				continue
			}
			r := a.Expr.Range()
			l.setVar(vd, v, &r, sf.name)
		}
	}
	for _, kv := range sortedEnv(l.env) {
		if !strings.HasPrefix(kv[0], EnvVarPrefix) {
			continue
		}
		name := strings.TrimPrefix(kv[0], EnvVarPrefix)
		vd, ok := l.vars[name]
		if !ok {
			continue // like other tools, unrelated environment is ignored
		}
		l.setRaw(vd, kv[1], "environment variable "+kv[0])
	}
	for _, s := range l.opts.Vars {
		name, val, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --var option",
				Detail: fmt.Sprintf("The option --var %q is not of the form NAME=VALUE. Write for example --var arch=x86.", s)})
			continue
		}
		vd, ok := l.vars[name]
		if !ok {
			l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Undeclared variable",
				Detail: fmt.Sprintf("--var sets %q, but the recipe declares no such variable.%s Declare it or fix the name.", name, didYouMean(name, l.varNames()))})
			continue
		}
		l.setRaw(vd, val, "--var "+name)
	}
	for _, vd := range l.varOrder {
		if vd.set || vd.bad {
			continue
		}
		vd.bad = true
		l.errorf(vd.v.DeclRange, "Missing value for variable", "Variable %q has no default and no value was given. Set it with --var %s=VALUE, a --var-file, a *%s file or the %s%s environment variable, or give the variable a default.", vd.v.Name, vd.v.Name, AutoVarsSuffix, EnvVarPrefix, vd.v.Name)
	}
	for _, vd := range l.varOrder {
		if vd.bad {
			vd.value = cty.UnknownVal(vd.ty)
		}
	}
}

type parserFunc func(sourceFile) (*hcl.File, hcl.Diagnostics)

func (l *loader) setVar(vd *varDecl, v cty.Value, rng *hcl.Range, from string) {
	cv, err := convert.Convert(v, vd.ty)
	if err != nil {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value for variable %q from %s does not match its type %s: %s.", vd.v.Name, from, vd.v.Type, err)}
		if rng != nil {
			d.Subject = rng.Ptr()
		}
		l.add(d)
		vd.bad = true
		return
	}
	vd.value, vd.set, vd.valueRange = cv, true, rng
	vd.v.ValueSource = from
	vd.bad = false
}

// setRaw sets a variable from command-line or environment text: taken
// literally for string variables, parsed as an HCL expression otherwise.
func (l *loader) setRaw(vd *varDecl, raw, from string) {
	shown := strconv.Quote(raw)
	if vd.v.Sensitive {
		l.addSecret(raw)
		shown = SensitiveValue
	}
	if vd.ty == cty.String || vd.ty == cty.DynamicPseudoType {
		l.setVar(vd, cty.StringVal(raw), nil, from)
		return
	}
	expr, ds := hclsyntax.ParseExpression([]byte(raw), from, hcl.InitialPos)
	if ds.HasErrors() {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value %s for variable %q from %s is not a valid %s expression: %s.", shown, vd.v.Name, from, vd.v.Type, ds[0].Summary)})
		vd.bad = true
		return
	}
	if len(expr.Variables()) > 0 {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value %s for variable %q from %s contains a reference; give a literal value.", shown, vd.v.Name, from)})
		vd.bad = true
		return
	}
	v, ds := expr.Value(nil)
	if ds.HasErrors() {
		l.add(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
			Detail: fmt.Sprintf("The value %s for variable %q from %s cannot be evaluated: %s.", shown, vd.v.Name, from, ds[0].Detail)})
		vd.bad = true
		return
	}
	l.setVar(vd, v, nil, from)
}

// validateVariables runs the validation blocks.
func (l *loader) validateVariables() {
	for _, vd := range l.varOrder {
		for _, vb := range vd.validations {
			content, ds := vb.Body.Content(validationSchema)
			l.addAll(ds)
			if vd.bad || ds.HasErrors() {
				continue
			}
			ca, ma := content.Attributes["condition"], content.Attributes["error_message"]
			msg, ok := l.eval(ma.Expr, refsNone, cty.String, "error_message")
			if !ok || msg.IsNull() {
				continue
			}
			cond, ok := l.eval(ca.Expr, refsVars, cty.Bool, "validation condition")
			if !ok {
				continue
			}
			if cond.IsNull() {
				l.errorf(ca.Expr.Range(), "Invalid validation condition", "The condition for variable %q evaluated to null; it must be true or false.", vd.v.Name)
				continue
			}
			if cond.True() {
				continue
			}
			d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable",
				Detail: fmt.Sprintf("%s\n\nThe value of variable %q (from %s) failed the validation rule at %s.", strings.TrimSpace(msg.AsString()), vd.v.Name, vd.v.ValueSource, ca.Range)}
			if vd.valueRange != nil {
				d.Subject = vd.valueRange.Ptr()
			} else {
				d.Subject = vd.v.DeclRange.Ptr()
			}
			l.add(d)
			vd.bad = true
			vd.value = cty.UnknownVal(vd.ty)
		}
	}
	for _, vd := range l.varOrder {
		if vd.v.Sensitive {
			l.addSecrets(vd.value)
		}
		vd.v.Value = displayValue(vd.value, vd.v.Sensitive)
		l.r.Variables = append(l.r.Variables, vd.v)
	}
}

func displayValue(v cty.Value, sensitive bool) string {
	if sensitive || v.ContainsMarked() {
		return SensitiveValue
	}
	if !v.IsWhollyKnown() {
		return "(invalid)"
	}
	if v.IsNull() {
		return "null"
	}
	if v.Type() == cty.String && !hasControl(v.AsString()) {
		return v.AsString()
	}
	return renderValue(v)
}

// renderValue writes v in HCL syntax.
func renderValue(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	if !v.IsKnown() {
		return "(unknown)"
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return strconv.Quote(v.AsString())
	case ty == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case ty == cty.Bool:
		return strconv.FormatBool(v.True())
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, renderValue(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case ty.IsMapType() || ty.IsObjectType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			parts = append(parts, strconv.Quote(k.AsString())+" = "+renderValue(e))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return v.GoString()
}

// declareLocals collects the locals blocks.
func (l *loader) declareLocals(blocks []*hcl.Block) {
	for _, b := range blocks {
		attrs, ds := b.Body.JustAttributes()
		l.addAll(ds)
		for _, a := range attrsInOrder(attrs) {
			if !validIdent(a.Name) {
				l.errorf(a.NameRange, "Invalid local value name", "%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", a.Name)
				continue
			}
			if prev, dup := l.locals[a.Name]; dup {
				l.errorf(a.NameRange, "Duplicate local value", "A local value named %q was already defined at %s. Local value names must be unique across all locals blocks.", a.Name, prev.attr.NameRange)
				continue
			}
			lc := &localDecl{name: a.Name, attr: a}
			l.locals[a.Name] = lc
			l.localList = append(l.localList, lc)
		}
	}
}

// evalLocals evaluates every local value in dependency order, reporting
// cycles.
func (l *loader) evalLocals() {
	for _, lc := range l.localList {
		l.evalLocal(lc, nil)
	}
	l.localsDone = true
	for _, lc := range l.localList {
		l.r.Locals = append(l.r.Locals, &Local{Name: lc.name, Value: displayValue(lc.value, false), DeclRange: lc.attr.Range})
	}
}

func (l *loader) evalLocal(lc *localDecl, stack []*localDecl) {
	if lc.state == 2 {
		return
	}
	if lc.state == 1 {
		var names []string
		start := 0
		for i, s := range stack {
			if s == lc {
				start = i
			}
		}
		for _, s := range stack[start:] {
			names = append(names, "local."+s.name)
		}
		names = append(names, "local."+lc.name)
		l.errorf(lc.attr.NameRange, "Local value cycle", "Local values refer to each other in a cycle: %s. Break the cycle by computing one of them from variables only.", strings.Join(names, " -> "))
		lc.value = cty.DynamicVal
		lc.state = 2
		return
	}
	lc.state = 1
	stack = append(stack, lc)
	for _, tr := range lc.attr.Expr.Variables() {
		if tr.RootName() != "local" {
			continue
		}
		if n, ok := attrName(tr, 1); ok {
			if dep := l.locals[n]; dep != nil && dep.state != 2 {
				l.evalLocal(dep, stack)
			}
		}
	}
	if lc.state == 2 { // resolved as part of a cycle report
		return
	}
	v, ok := l.eval(lc.attr.Expr, refsLocals, cty.DynamicPseudoType, "local value")
	if !ok {
		v = cty.DynamicVal
	}
	lc.value = v
	lc.state = 2
}

func sortedEnv(env map[string]string) [][2]string {
	var out [][2]string
	for k, v := range env {
		out = append(out, [2]string{k, v})
	}
	sortPairs(out)
	return out
}
