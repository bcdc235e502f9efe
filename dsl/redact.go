package dsl

import "reflect"

// Redact returns a deep copy of r for display (wimbuild inspect): every
// value computed from a sensitive variable is replaced by SensitiveValue.
// Strings and paths hold SensitiveValue itself, integers and booleans
// encode as SensitiveValue in JSON (their Display says so too), registry
// data is dropped, and a winpeshl line built from a sensitive path or
// argument is rebuilt from the masked parts. r is not changed; build from r,
// never from the copy.
func Redact(r *Recipe) *Recipe {
	if r == nil {
		return nil
	}
	c := reflect.New(reflect.TypeOf(*r)).Elem()
	redactCopy(c, reflect.ValueOf(r).Elem())
	out := c.Addr().Interface().(*Recipe)
	return out
}

var (
	stringType     = reflect.TypeOf(String{})
	intType        = reflect.TypeOf(Int{})
	boolType       = reflect.TypeOf(Bool{})
	pathType       = reflect.TypeOf(Path{})
	registryOpType = reflect.TypeOf(RegistryOp{})
	appType        = reflect.TypeOf(App{})
)

// redactCopy sets dst (settable, same type as src) to a deep copy of src
// with sensitive values masked.
func redactCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		redactCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		redactCopy(e, src.Elem())
		dst.Set(e)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			redactCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			redactCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		dst.Set(src) // unexported fields and plain values
		for i := 0; i < src.NumField(); i++ {
			if dst.Field(i).CanSet() {
				redactCopy(dst.Field(i), src.Field(i))
			}
		}
		redactValue(dst)
	default:
		dst.Set(src)
	}
}

// redactValue masks the value types that carry a Sensitive flag.
func redactValue(v reflect.Value) {
	switch v.Type() {
	case stringType:
		s := v.Addr().Interface().(*String)
		if s.Sensitive {
			s.Value = SensitiveValue
		}
	case pathType:
		p := v.Addr().Interface().(*Path)
		if p.Sensitive {
			p.Abs, p.Rel = SensitiveValue, SensitiveValue
		}
	case intType:
		n := v.Addr().Interface().(*Int)
		if n.Sensitive {
			n.Value, n.redacted = 0, true
		}
	case boolType:
		b := v.Addr().Interface().(*Bool)
		if b.Sensitive {
			b.Value, b.redacted = false, true
		}
	case registryOpType:
		op := v.Addr().Interface().(*RegistryOp)
		if op.ValueSensitive {
			op.String, op.Strings, op.Integer, op.Bytes = SensitiveValue, nil, 0, nil
		}
	case appType:
		a := v.Addr().Interface().(*App)
		if a.Path.Sensitive || a.Args.Sensitive {
			a.Line = a.Path.Value
			if a.Args.Value != "" {
				a.Line += ", " + a.Args.Value
			}
		}
	}
}
