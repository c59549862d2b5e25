package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/pgexpr"
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
	patterns    map[string][]string // regular expressions (LIKE patterns are translated)
	jsonShape   map[string]string   // jsonb_typeof(col) = 'array' and the like
	unsupported []pgexpr.Expr
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
		jsonShape: map[string]string{},
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
	e, err := pgexpr.Parse(body)
	if err != nil {
		return nil, err
	}
	f := newCheckFacts()
	for _, term := range pgexpr.Conjuncts(e) {
		if !f.add(term) {
			f.unsupported = append(f.unsupported, term)
		}
	}
	return f, nil
}

var flippedOp = map[string]string{"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "<>": "<>", "!=": "!="}

// add records one conjunct; it reports whether the conjunct was understood.
func (f *checkFacts) add(e pgexpr.Expr) bool {
	switch x := e.(type) {
	case pgexpr.Const:
		return !x.IsNull && x.Text != "false"
	case pgexpr.Binary:
		return f.addComparison(x)
	case pgexpr.Any:
		col, ok := pgexpr.StripCasts(x.L).(pgexpr.Col)
		if !ok || x.Op != "=" || x.All {
			return false
		}
		values, ok := pgexpr.LiteralList(pgexpr.StripCasts(x.R))
		if !ok {
			return false
		}
		f.allow(col.Name, values)
		return true
	case pgexpr.In:
		col, ok := pgexpr.StripCasts(x.X).(pgexpr.Col)
		if !ok || x.Not {
			return false
		}
		values, ok := pgexpr.LiteralList(pgexpr.Row{Elems: x.List})
		if !ok {
			return false
		}
		f.allow(col.Name, values)
		return true
	case pgexpr.IsNull:
		col, ok := pgexpr.StripCasts(x.X).(pgexpr.Col)
		if !ok || !x.Not {
			return false
		}
		f.notNull[col.Name] = true
		return true
	case pgexpr.Or:
		return f.addDisjunction(x)
	}
	return false
}

// addDisjunction understands "c = 'a' OR c = 'b'" as an allowed list.
func (f *checkFacts) addDisjunction(x pgexpr.Or) bool {
	var name string
	var values []string
	for _, t := range x.Terms {
		b, ok := t.(pgexpr.Binary)
		if !ok || b.Op != "=" {
			return false
		}
		col, ok := pgexpr.StripCasts(b.L).(pgexpr.Col)
		lit, ok2 := pgexpr.Literal(b.R)
		if !ok || !ok2 {
			return false
		}
		if name != "" && name != col.Name {
			return false
		}
		name = col.Name
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

func (f *checkFacts) addComparison(x pgexpr.Binary) bool {
	l, r := pgexpr.StripCasts(x.L), pgexpr.StripCasts(x.R)
	op := x.Op
	if op == "~" || op == "~*" || op == "~~" || op == "~~*" {
		col, ok := l.(pgexpr.Col)
		lit, ok2 := pgexpr.Literal(r)
		if !ok || !ok2 {
			return false
		}
		f.patterns[col.Name] = append(f.patterns[col.Name], patternRegex(op, lit))
		return true
	}
	if fn, ok := l.(pgexpr.Func); ok && (fn.Name == "jsonb_typeof" || fn.Name == "json_typeof") && len(fn.Args) == 1 && op == "=" {
		col, ok := pgexpr.StripCasts(fn.Args[0]).(pgexpr.Col)
		lit, ok2 := pgexpr.Literal(r)
		if !ok || !ok2 {
			return false
		}
		f.jsonShape[col.Name] = lit
		return true
	}
	if _, ok := flippedOp[op]; !ok {
		return false
	}
	if _, isCol := r.(pgexpr.Col); isCol {
		if _, lIsCol := l.(pgexpr.Col); !lIsCol {
			l, r, op = r, l, flippedOp[op]
		}
	}
	if lc, ok := l.(pgexpr.Col); ok {
		if rc, ok := r.(pgexpr.Col); ok {
			if op == "=" || op == "<>" || op == "!=" {
				return false
			}
			f.relations = append(f.relations, relation{left: lc.Name, op: op, right: rc.Name})
			return true
		}
		lit, ok := pgexpr.Literal(r)
		if !ok {
			return false
		}
		return f.addBound(lc.Name, op, lit)
	}
	// length(col) op n, char_length(col) op n
	if fn, ok := l.(pgexpr.Func); ok && len(fn.Args) == 1 && isLengthFunc(fn.Name) {
		col, ok := pgexpr.StripCasts(fn.Args[0]).(pgexpr.Col)
		lit, ok2 := pgexpr.Literal(r)
		if !ok || !ok2 {
			return false
		}
		var n int
		if _, err := fmt.Sscanf(lit, "%d", &n); err != nil {
			return false
		}
		switch op {
		case ">":
			f.minLength[col.Name] = max(f.minLength[col.Name], n+1)
		case ">=":
			f.minLength[col.Name] = max(f.minLength[col.Name], n)
		case "<":
			f.setMaxLength(col.Name, n-1)
		case "<=":
			f.setMaxLength(col.Name, n)
		case "=":
			f.minLength[col.Name] = max(f.minLength[col.Name], n)
			f.setMaxLength(col.Name, n)
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
	for k, v := range f.jsonShape {
		g.jsonShape[rn(k)] = v
	}
	g.unsupported = f.unsupported
	return g
}

// patternRegex turns the pattern of a ~, ~*, LIKE (~~) or ILIKE (~~*) test into a regular
// expression in Go's syntax (PostgreSQL's is a superset for the patterns CHECKs use).
func patternRegex(op, pattern string) string {
	if op == "~" {
		return pattern
	}
	if op == "~*" {
		return "(?i)" + pattern
	}
	var b strings.Builder
	if op == "~~*" {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			i++
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return b.String()
}
