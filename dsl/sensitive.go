package dsl

import (
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Sensitive values
//
// A variable declared sensitive = true enters the evaluation context marked
// (cty marks), so HCL's diagnostic writer never prints it, and every value
// computed from it carries the mark. eval records whether a decoded value
// was marked in the model's Sensitive flags (String, Int, Bool, Path,
// RegistryOp.ValueSensitive), and the diagnostics written here quote such
// values as SensitiveValue. As a second line of defence, the strings of
// sensitive variables and of the values computed from them are recorded as
// secrets, and maskSecrets replaces them in every diagnostic before Load
// returns: function errors (file("${var.pw}")) and any message that quotes
// a value directly are covered too.

// minRawSecret is the shortest secret masked where it appears inside other
// text. Shorter ones are masked only where they appear quoted, so a one- or
// two-character secret does not garble every message.
const minRawSecret = 3

// addSecrets records the strings in v (a sensitive value).
func (l *loader) addSecrets(v cty.Value) {
	v, _ = v.UnmarkDeep()
	_ = cty.Walk(v, func(_ cty.Path, e cty.Value) (bool, error) {
		e, _ = e.Unmark()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			l.addSecret(e.AsString())
		}
		return true, nil
	})
}

func (l *loader) addSecret(s string) {
	if s == "" {
		return
	}
	if l.secrets == nil {
		l.secrets = map[string]bool{}
	}
	l.secrets[s] = true
}

// maskSecrets replaces recorded secrets in the summary and detail of every
// diagnostic with SensitiveValue: quoted forms first, then (for secrets of
// minRawSecret bytes or more) the bare text, longest first.
func (l *loader) maskSecrets() {
	if r := l.masker(); r != nil {
		for _, d := range l.diags {
			d.Summary = r.Replace(d.Summary)
			d.Detail = r.Replace(d.Detail)
		}
	}
}

// masker builds the replacer of the recorded secrets (nil when none).
func (l *loader) masker() *strings.Replacer {
	if len(l.secrets) == 0 {
		return nil
	}
	var secrets []string
	for s := range l.secrets {
		secrets = append(secrets, s)
	}
	sort.Slice(secrets, func(i, j int) bool {
		if len(secrets[i]) != len(secrets[j]) {
			return len(secrets[i]) > len(secrets[j])
		}
		return secrets[i] < secrets[j]
	})
	var pairs []string
	for _, s := range secrets {
		pairs = append(pairs, strconv.Quote(s), SensitiveValue)
	}
	for _, s := range secrets {
		if len(s) < minRawSecret {
			continue
		}
		if q := strconv.Quote(s); q[1:len(q)-1] != s {
			pairs = append(pairs, q[1:len(q)-1], SensitiveValue) // escaped form, as inside %q
		}
		pairs = append(pairs, s, SensitiveValue)
	}
	return strings.NewReplacer(pairs...)
}

// Mask returns s with every sensitive value of the recipe (the strings of
// sensitive variables and of values computed from them) replaced by
// SensitiveValue. Whoever reports errors about a recipe — the builder's
// plan diagnostics and step errors — masks them with it, as Load masks its
// own.
func (r *Recipe) Mask(s string) string {
	if r == nil || r.mask == nil {
		return s
	}
	return r.mask.Replace(s)
}

// MaskDiagnostics masks the summary and detail of every diagnostic.
func (r *Recipe) MaskDiagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		d.Summary = r.Mask(d.Summary)
		d.Detail = r.Mask(d.Detail)
	}
}

// maskIf returns shown, or SensitiveValue when sensitive.
func maskIf(sensitive bool, shown string) string {
	if sensitive {
		return SensitiveValue
	}
	return shown
}
