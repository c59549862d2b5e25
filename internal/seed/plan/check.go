package plan

import (
	"fmt"
	"sort"
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
	excluded    map[string][]string // literal texts the column may not hold (<>, NOT IN, <> ALL)
	minItems    map[string]int      // array element counts (cardinality, array_length)
	maxItems    map[string]int
	maxBytes    map[string]int // octet_length bounds
	geo         map[string]*geoFacts
	grid        map[string]gridFact // x % 5 = 0, d = date_trunc('month', d)
	unsupported []pgexpr.Term
}

// gridFact is a CHECK that keeps a column on a grid: multiples of mod plus rem (literal texts
// in the column's unit: "5" and "0", "0.25" and "0"), or the starts of a unit of time (unit:
// date_trunc's field).
type gridFact struct {
	mod, rem, unit string
}

// bound is a range on one column; literals are SQL texts (numbers, dates, timestamps).
type bound struct {
	lo, hi             string
	hasLo, hasHi       bool
	loStrict, hiStrict bool
}

// relation says left op right between two columns of the same row, op one of < <= > >=.
// implied relations come from the columns' names, not from a CHECK.
type relation struct {
	left, op, right string
	implied         bool
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
		excluded:  map[string][]string{},
		minItems:  map[string]int{},
		maxItems:  map[string]int{},
		maxBytes:  map[string]int{},
		geo:       map[string]*geoFacts{},
		grid:      map[string]gridFact{},
	}
}

// parseCheck reads a constraint definition as pg_get_constraintdef prints it ("CHECK (...)",
// optionally followed by NOT VALID / NO INHERIT) or a bare expression. Each condition of its
// top-level AND is read on its own; the ones the generator cannot honour (or the parser cannot
// read) are kept, with their text, in unsupported.
func parseCheck(def string) *checkFacts {
	f := newCheckFacts()
	for _, term := range pgexpr.Terms(checkBody(def)) {
		if term.Expr == nil {
			f.unsupported = append(f.unsupported, term)
			continue
		}
		understood := true
		for _, c := range pgexpr.Conjuncts(term.Expr) {
			understood = f.add(c) && understood
		}
		if !understood {
			f.unsupported = append(f.unsupported, term)
		}
	}
	return f
}

// checkBody is the condition of a CHECK definition: "CHECK ((a > 0)) NOT VALID" is "(a > 0)".
func checkBody(def string) string {
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
	return body
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
		return f.addAny(x, false)
	case pgexpr.Not:
		// NOT (c = ANY (...)) is c <> ALL (...): the values are excluded.
		if a, ok := x.X.(pgexpr.Any); ok && a.Op == "=" && !a.All {
			return f.addAny(a, true)
		}
		return false
	case pgexpr.In:
		col, ok := pgexpr.StripCasts(x.X).(pgexpr.Col)
		if !ok {
			return false
		}
		values, ok := pgexpr.LiteralList(pgexpr.Row{Elems: x.List})
		if !ok {
			return false
		}
		if x.Not {
			f.exclude(col.Name, values...)
		} else {
			f.allow(col.Name, values)
		}
		return true
	case pgexpr.IsNull:
		col, ok := pgexpr.StripCasts(x.X).(pgexpr.Col)
		if !ok || !x.Not {
			return false
		}
		f.notNull[col.Name] = true
		return true
	case pgexpr.Or:
		if rest, ok := withoutIsNull(x); ok {
			// "shape OR col IS NULL" (AddGeometryColumn's CHECKs, optional values): making the
			// other condition true is enough.
			return f.add(rest)
		}
		return f.addDisjunction(x)
	}
	return false
}

// withoutIsNull returns the one condition of a disjunction besides its "col IS NULL" terms.
func withoutIsNull(x pgexpr.Or) (pgexpr.Expr, bool) {
	var rest []pgexpr.Expr
	for _, t := range x.Terms {
		if n, ok := t.(pgexpr.IsNull); ok && !n.Not {
			continue
		}
		rest = append(rest, t)
	}
	if len(rest) != 1 || len(rest) == len(x.Terms) {
		return nil, false
	}
	return rest[0], true
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

func (f *checkFacts) setMaxLength(col string, n int) {
	if prev, ok := f.maxLength[col]; !ok || n < prev {
		f.maxLength[col] = n
	}
}

func (f *checkFacts) addBound(col, op, lit string) bool {
	switch op {
	case "=":
		f.allow(col, []string{lit})
		return true
	case "<>", "!=":
		f.exclude(col, lit)
		return true
	}
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
	default:
		return false
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

// clone returns a copy of the facts that merging into leaves these unchanged.
func (f *checkFacts) clone() *checkFacts { return f.renameColumn("", "") }

// columns lists the columns the facts constrain (relations aside).
func (f *checkFacts) columns() []string {
	seen := map[string]bool{}
	for _, m := range []map[string]int{f.minLength, f.maxLength, f.minItems, f.maxItems, f.maxBytes} {
		addKeys(seen, m)
	}
	for _, m := range []map[string][]string{f.allowed, f.patterns, f.excluded} {
		addKeys(seen, m)
	}
	addKeys(seen, f.bounds)
	addKeys(seen, f.jsonShape)
	addKeys(seen, f.geo)
	addKeys(seen, f.grid)
	out := make([]string, 0, len(seen))
	for col := range seen {
		out = append(out, col)
	}
	sort.Strings(out)
	return out
}

func addKeys[V any](seen map[string]bool, m map[string]V) {
	for k := range m {
		seen[k] = true
	}
}

// renamed copies a map with its keys renamed.
func renamed[V any](m map[string]V, rn func(string) string) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[rn(k)] = v
	}
	return out
}

// renameColumn returns the facts with one column name replaced (a domain's VALUE becomes the
// column that has the domain as its type).
func (f *checkFacts) renameColumn(from, to string) *checkFacts {
	rn := func(s string) string {
		if s == from {
			return to
		}
		return s
	}
	g := &checkFacts{
		bounds: map[string]*bound{}, allowed: renamed(f.allowed, rn), notNull: renamed(f.notNull, rn),
		minLength: renamed(f.minLength, rn), maxLength: renamed(f.maxLength, rn), patterns: renamed(f.patterns, rn),
		jsonShape: renamed(f.jsonShape, rn), excluded: renamed(f.excluded, rn), minItems: renamed(f.minItems, rn),
		maxItems: renamed(f.maxItems, rn), maxBytes: renamed(f.maxBytes, rn), geo: map[string]*geoFacts{},
		grid: renamed(f.grid, rn), unsupported: f.unsupported,
	}
	// Merging later facts must not change these: the bounds and shapes are copied.
	for k, v := range f.bounds {
		copied := *v
		g.bounds[rn(k)] = &copied
	}
	for k, v := range f.geo {
		copied := *v
		g.geo[rn(k)] = &copied
	}
	for _, r := range f.relations {
		g.relations = append(g.relations, relation{left: rn(r.left), op: r.op, right: rn(r.right)})
	}
	return g
}
