package seed

import (
	"fmt"
	"strings"
)

// checkFacts is what the generator can honour of a CHECK constraint: bounds, allowed values,
// relations between two columns of the row, lengths and patterns. Conjuncts it does not
// understand are listed in unsupported; a CHECK passes on NULL, which is the fallback for them.
type checkFacts struct {
	bounds      map[string]*bound
	allowed     map[string][]string // literal texts of the allowed values
	relations   []relation
	notNull     map[string]bool
	minLength   map[string]int
	maxLength   map[string]int
	patterns    map[string][]string
	unsupported []expr
}

// bound is a range on one column; literals are SQL texts (numbers, dates, timestamps).
type bound struct {
	lo, hi             string
	hasLo, hasHi       bool
	loStrict, hiStrict bool
}

// relation says left op right between two columns of the same row, op one of < <= > >=.
type relation struct {
	left, op, right string
}

func newCheckFacts() *checkFacts {
	return &checkFacts{
		bounds:    map[string]*bound{},
		allowed:   map[string][]string{},
		notNull:   map[string]bool{},
		minLength: map[string]int{},
		maxLength: map[string]int{},
		patterns:  map[string][]string{},
	}
}

// parseCheck reads a constraint definition as pg_get_constraintdef prints it ("CHECK (...)",
// optionally followed by NOT VALID / NO INHERIT) or a bare expression.
func parseCheck(def string) (*checkFacts, error) {
	body := strings.TrimSpace(def)
	upper := strings.ToUpper(body)
	for _, suffix := range []string{" NOT VALID", " NO INHERIT"} {
		if strings.HasSuffix(upper, suffix) {
			body = strings.TrimSpace(body[:len(body)-len(suffix)])
			upper = upper[:len(upper)-len(suffix)]
		}
	}
	if strings.HasPrefix(upper, "CHECK") {
		body = strings.TrimSpace(body[len("CHECK"):])
	}
	e, err := parseExpr(body)
	if err != nil {
		return nil, err
	}
	f := newCheckFacts()
	for _, term := range conjuncts(e) {
		if !f.add(term) {
			f.unsupported = append(f.unsupported, term)
		}
	}
	return f, nil
}

func conjuncts(e expr) []expr {
	if a, ok := e.(andExpr); ok {
		var out []expr
		for _, t := range a.terms {
			out = append(out, conjuncts(t)...)
		}
		return out
	}
	return []expr{e}
}

// columnsOf lists the column names an expression mentions.
func columnsOf(e expr) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(expr)
	walk = func(e expr) {
		switch x := e.(type) {
		case colExpr:
			if !seen[x.name] {
				seen[x.name] = true
				out = append(out, x.name)
			}
		case castExpr:
			walk(x.x)
		case binExpr:
			walk(x.l)
			walk(x.r)
		case unaryExpr:
			walk(x.x)
		case andExpr:
			for _, t := range x.terms {
				walk(t)
			}
		case orExpr:
			for _, t := range x.terms {
				walk(t)
			}
		case notExpr:
			walk(x.x)
		case funcExpr:
			for _, t := range x.args {
				walk(t)
			}
		case arrayExpr:
			for _, t := range x.elems {
				walk(t)
			}
		case rowExpr:
			for _, t := range x.elems {
				walk(t)
			}
		case anyExpr:
			walk(x.l)
			walk(x.r)
		case inExpr:
			walk(x.x)
			for _, t := range x.list {
				walk(t)
			}
		case isNullExpr:
			walk(x.x)
		}
	}
	walk(e)
	return out
}

var flippedOp = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>", "!=": "!="}

// add records one conjunct; it reports whether the conjunct was understood.
func (f *checkFacts) add(e expr) bool {
	switch x := e.(type) {
	case constExpr:
		return !x.isNull && x.text != "false"
	case binExpr:
		return f.addComparison(x)
	case anyExpr:
		col, ok := stripCasts(x.l).(colExpr)
		if !ok || x.op != "=" || x.all {
			return false
		}
		values, ok := literalList(stripCasts(x.r))
		if !ok {
			return false
		}
		f.allow(col.name, values)
		return true
	case inExpr:
		col, ok := stripCasts(x.x).(colExpr)
		if !ok || x.not {
			return false
		}
		values, ok := literalList(rowExpr{x.list})
		if !ok {
			return false
		}
		f.allow(col.name, values)
		return true
	case isNullExpr:
		col, ok := stripCasts(x.x).(colExpr)
		if !ok || !x.not {
			return false
		}
		f.notNull[col.name] = true
		return true
	case orExpr:
		return f.addDisjunction(x)
	}
	return false
}

// addDisjunction understands "c = 'a' OR c = 'b'" as an allowed list.
func (f *checkFacts) addDisjunction(x orExpr) bool {
	var name string
	var values []string
	for _, t := range x.terms {
		b, ok := t.(binExpr)
		if !ok || b.op != "=" {
			return false
		}
		col, ok := stripCasts(b.l).(colExpr)
		lit, ok2 := literal(b.r)
		if !ok || !ok2 {
			return false
		}
		if name != "" && name != col.name {
			return false
		}
		name = col.name
		values = append(values, lit)
	}
	f.allow(name, values)
	return true
}

func (f *checkFacts) allow(col string, values []string) {
	if prev, ok := f.allowed[col]; ok {
		values = intersect(prev, values)
	}
	f.allowed[col] = values
}

func intersect(a, b []string) []string {
	in := map[string]bool{}
	for _, v := range b {
		in[v] = true
	}
	var out []string
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}

func (f *checkFacts) addComparison(x binExpr) bool {
	l, r := stripCasts(x.l), stripCasts(x.r)
	op := x.op
	if op == "~" || op == "~*" || op == "~~" || op == "~~*" {
		col, ok := l.(colExpr)
		lit, ok2 := literal(r)
		if !ok || !ok2 {
			return false
		}
		f.patterns[col.name] = append(f.patterns[col.name], lit)
		return true
	}
	if _, ok := flippedOp[op]; !ok {
		return false
	}
	if _, isCol := r.(colExpr); isCol {
		if _, lIsCol := l.(colExpr); !lIsCol {
			l, r, op = r, l, flippedOp[op]
		}
	}
	if lc, ok := l.(colExpr); ok {
		if rc, ok := r.(colExpr); ok {
			if op == "=" || op == "<>" || op == "!=" {
				return false
			}
			f.relations = append(f.relations, relation{left: lc.name, op: op, right: rc.name})
			return true
		}
		lit, ok := literal(r)
		if !ok {
			return false
		}
		return f.addBound(lc.name, op, lit)
	}
	// length(col) op n, char_length(col) op n
	if fn, ok := l.(funcExpr); ok && len(fn.args) == 1 && isLengthFunc(fn.name) {
		col, ok := stripCasts(fn.args[0]).(colExpr)
		lit, ok2 := literal(r)
		if !ok || !ok2 {
			return false
		}
		var n int
		if _, err := fmt.Sscanf(lit, "%d", &n); err != nil {
			return false
		}
		switch op {
		case ">":
			f.minLength[col.name] = max(f.minLength[col.name], n+1)
		case ">=":
			f.minLength[col.name] = max(f.minLength[col.name], n)
		case "<":
			f.setMaxLength(col.name, n-1)
		case "<=":
			f.setMaxLength(col.name, n)
		case "=":
			f.minLength[col.name] = max(f.minLength[col.name], n)
			f.setMaxLength(col.name, n)
		default:
			return false
		}
		return true
	}
	return false
}

func (f *checkFacts) setMaxLength(col string, n int) {
	if prev, ok := f.maxLength[col]; !ok || n < prev {
		f.maxLength[col] = n
	}
}

func isLengthFunc(name string) bool {
	switch name {
	case "length", "char_length", "character_length", "octet_length", "pg_catalog.length":
		return true
	}
	return false
}

func (f *checkFacts) addBound(col, op, lit string) bool {
	b := f.bounds[col]
	if b == nil {
		b = &bound{}
		f.bounds[col] = b
	}
	switch op {
	case ">", ">=":
		// Keep the tighter of two lower bounds when both are plain numbers; otherwise the last.
		if !b.hasLo || numericLess(b.lo, lit) {
			b.lo, b.hasLo, b.loStrict = lit, true, op == ">"
		}
	case "<", "<=":
		if !b.hasHi || numericLess(lit, b.hi) {
			b.hi, b.hasHi, b.hiStrict = lit, true, op == "<"
		}
	case "=":
		f.allow(col, []string{lit})
	default:
		return false // <> and != are not worth a generator of their own
	}
	return true
}

// numericLess compares two literals as numbers when both are; otherwise it says true, so the
// later literal wins.
func numericLess(a, b string) bool {
	var x, y float64
	if _, err := fmt.Sscanf(a, "%g", &x); err != nil {
		return true
	}
	if _, err := fmt.Sscanf(b, "%g", &y); err != nil {
		return true
	}
	return x < y
}

// literal returns the SQL text of a constant (with casts removed).
func literal(e expr) (string, bool) {
	c, ok := stripCasts(e).(constExpr)
	if !ok || c.isNull {
		return "", false
	}
	return c.text, true
}

func literalList(e expr) ([]string, bool) {
	var elems []expr
	switch x := e.(type) {
	case arrayExpr:
		elems = x.elems
	case rowExpr:
		elems = x.elems
	case constExpr:
		// '{a,b}'::text[] written as an array literal string.
		if x.isString && strings.HasPrefix(x.text, "{") && strings.HasSuffix(x.text, "}") {
			return splitArrayLiteral(x.text), true
		}
		return nil, false
	default:
		return nil, false
	}
	out := make([]string, 0, len(elems))
	for _, el := range elems {
		lit, ok := literal(el)
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

// renameColumn returns the facts with one column name replaced (a domain's VALUE becomes the
// column that has the domain as its type).
func (f *checkFacts) renameColumn(from, to string) *checkFacts {
	g := newCheckFacts()
	rn := func(s string) string {
		if s == from {
			return to
		}
		return s
	}
	for k, v := range f.bounds {
		g.bounds[rn(k)] = v
	}
	for k, v := range f.allowed {
		g.allowed[rn(k)] = v
	}
	for _, r := range f.relations {
		g.relations = append(g.relations, relation{rn(r.left), r.op, rn(r.right)})
	}
	for k, v := range f.notNull {
		g.notNull[rn(k)] = v
	}
	for k, v := range f.minLength {
		g.minLength[rn(k)] = v
	}
	for k, v := range f.maxLength {
		g.maxLength[rn(k)] = v
	}
	for k, v := range f.patterns {
		g.patterns[rn(k)] = v
	}
	g.unsupported = f.unsupported
	return g
}
