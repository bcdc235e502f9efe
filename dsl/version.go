package dsl

import (
	"fmt"
	"strconv"
	"strings"
)

// versionAllowed reports whether version satisfies constraint, a
// comma-separated list of "OP VERSION" clauses (OP one of =, !=, >, >=, <,
// <=, ~>; "=" when omitted). "~> 1.2" means ">= 1.2, < 2.0"; "~> 1.2.3"
// means ">= 1.2.3, < 1.3.0".
func versionAllowed(constraint, version string) (bool, error) {
	have, _, err := parseVersion(version)
	if err != nil {
		return false, err
	}
	clauses := strings.Split(constraint, ",")
	if strings.TrimSpace(constraint) == "" {
		return false, fmt.Errorf("the version constraint is empty")
	}
	ok := true
	for _, c := range clauses {
		c = strings.TrimSpace(c)
		op := "="
		for _, o := range []string{">=", "<=", "!=", "~>", ">", "<", "="} {
			if strings.HasPrefix(c, o) {
				op = o
				c = strings.TrimSpace(c[len(o):])
				break
			}
		}
		want, n, err := parseVersion(c)
		if err != nil {
			return false, err
		}
		cmp := compareVersions(have, want)
		switch op {
		case "=":
			ok = ok && cmp == 0
		case "!=":
			ok = ok && cmp != 0
		case ">":
			ok = ok && cmp > 0
		case ">=":
			ok = ok && cmp >= 0
		case "<":
			ok = ok && cmp < 0
		case "<=":
			ok = ok && cmp <= 0
		case "~>":
			upper := want
			if n <= 1 {
				return false, fmt.Errorf("%q: ~> needs at least MAJOR.MINOR", c)
			}
			upper[n-2]++
			for i := n - 1; i < 3; i++ {
				upper[i] = 0
			}
			ok = ok && cmp >= 0 && compareVersions(have, upper) < 0
		}
	}
	return ok, nil
}

// parseVersion parses MAJOR[.MINOR[.PATCH]] and reports how many parts were
// given.
func parseVersion(s string) ([3]int, int, error) {
	var v [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 {
		return v, 0, fmt.Errorf("%q is not a version such as 0.1 or 1.2.3", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1<<20 || strings.HasPrefix(p, "+") {
			return v, 0, fmt.Errorf("%q is not a version such as 0.1 or 1.2.3", s)
		}
		v[i] = n
	}
	return v, len(parts), nil
}

func compareVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
