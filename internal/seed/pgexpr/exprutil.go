package pgexpr

import "strings"

func Conjuncts(e Expr) []Expr {
	if a, ok := e.(And); ok {
		var out []Expr
		for _, t := range a.Terms {
			out = append(out, Conjuncts(t)...)
		}
		return out
	}
	return []Expr{e}
}

// Columns lists the column names an expression mentions.
func Columns(e Expr) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case Col:
			if !seen[x.Name] {
				seen[x.Name] = true
				out = append(out, x.Name)
			}
		case Cast:
			walk(x.X)
		case Binary:
			walk(x.L)
			walk(x.R)
		case Unary:
			walk(x.X)
		case And:
			for _, t := range x.Terms {
				walk(t)
			}
		case Or:
			for _, t := range x.Terms {
				walk(t)
			}
		case Not:
			walk(x.X)
		case Func:
			for _, t := range x.Args {
				walk(t)
			}
		case Array:
			for _, t := range x.Elems {
				walk(t)
			}
		case Row:
			for _, t := range x.Elems {
				walk(t)
			}
		case Any:
			walk(x.L)
			walk(x.R)
		case In:
			walk(x.X)
			for _, t := range x.List {
				walk(t)
			}
		case IsNull:
			walk(x.X)
		case IsBool:
			walk(x.X)
		case Case:
			for _, t := range append(append([]Expr{x.Operand, x.Else}, x.Whens...), x.Thens...) {
				if t != nil {
					walk(t)
				}
			}
		}
	}
	walk(e)
	return out
}

// Literal returns the SQL text of a constant (with casts removed).
func Literal(e Expr) (string, bool) {
	c, ok := StripCasts(e).(Const)
	if !ok || c.IsNull {
		return "", false
	}
	return c.Text, true
}

func LiteralList(e Expr) ([]string, bool) {
	var elems []Expr
	switch x := e.(type) {
	case Array:
		elems = x.Elems
	case Row:
		elems = x.Elems
	case Const:
		// '{a,b}'::text[] written as an array literal string.
		if x.IsString && strings.HasPrefix(x.Text, "{") && strings.HasSuffix(x.Text, "}") {
			return splitArrayLiteral(x.Text), true
		}
		return nil, false
	default:
		return nil, false
	}
	out := make([]string, 0, len(elems))
	for _, el := range elems {
		lit, ok := Literal(el)
		if !ok {
			return nil, false
		}
		out = append(out, lit)
	}
	return out, true
}

// splitArrayLiteral splits a one-dimensional array literal such as {a,"b c"}.
func splitArrayLiteral(s string) []string {
	s = s[1 : len(s)-1]
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if len(s) > 0 {
		out = append(out, cur.String())
	}
	return out
}
