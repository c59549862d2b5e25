package plan

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// addComparison records "left op right" between a column (or a function of one) and a literal,
// or between two columns of the row.
func (f *checkFacts) addComparison(x pgexpr.Binary) bool {
	if f.addGrid(x) {
		return true
	}
	l, r := pgexpr.StripCasts(x.L), pgexpr.StripCasts(x.R)
	op := x.Op
	switch op {
	case "~", "~*", "~~", "~~*":
		return f.addPattern(op, l, r)
	}
	if _, ok := flippedOp[op]; !ok {
		return false
	}
	// The column (or function) on the left: "0 < rating" is "rating > 0".
	if _, isConst := l.(pgexpr.Const); isConst {
		l, r, op = r, l, flippedOp[op]
	}
	switch lx := l.(type) {
	case pgexpr.Col:
		if rc, ok := r.(pgexpr.Col); ok {
			if op == "=" || op == "<>" || op == "!=" {
				return false
			}
			f.relations = append(f.relations, relation{left: lx.Name, op: op, right: rc.Name})
			return true
		}
		lit, ok := pgexpr.Literal(r)
		if !ok {
			return false
		}
		return f.addBound(lx.Name, op, lit)
	case pgexpr.Func:
		lit, ok := pgexpr.Literal(r)
		if !ok {
			return false
		}
		return f.addFuncComparison(lx, op, lit)
	}
	return false
}

// addAny records "c = ANY (values)" (allowed) and "c <> ALL (values)" or NOT (c = ANY) (excluded).
func (f *checkFacts) addAny(x pgexpr.Any, negated bool) bool {
	col, ok := pgexpr.StripCasts(x.L).(pgexpr.Col)
	if !ok {
		return false
	}
	values, ok := pgexpr.LiteralList(pgexpr.StripCasts(x.R))
	if !ok {
		return false
	}
	switch {
	case x.Op == "=" && !x.All && !negated:
		f.allow(col.Name, values)
	case x.Op == "=" && !x.All && negated, (x.Op == "<>" || x.Op == "!=") && x.All && !negated:
		f.exclude(col.Name, values...)
	default:
		return false
	}
	return true
}

func (f *checkFacts) exclude(col string, values ...string) {
	f.excluded[col] = append(f.excluded[col], values...)
}

// addFuncComparison records a bound on a function of one column: its length in characters or
// bytes, an array's element count, a JSON value's type.
func (f *checkFacts) addFuncComparison(fn pgexpr.Func, op, lit string) bool {
	if len(fn.Args) == 0 {
		return false
	}
	col, ok := pgexpr.StripCasts(fn.Args[0]).(pgexpr.Col)
	if !ok {
		return false
	}
	switch {
	case (fn.Name == "jsonb_typeof" || fn.Name == "json_typeof") && len(fn.Args) == 1 && op == "=":
		f.jsonShape[col.Name] = lit
		return true
	case fn.Name == "array_ndims" && len(fn.Args) == 1:
		// Arrays are generated with one dimension (and an empty one has none: NULL passes).
		return (op == "=" || op == "<=") && lit == "1"
	case isGeoFunc(fn.Name) && len(fn.Args) == 1 && op == "=":
		return f.addGeo(col.Name, fn.Name, lit)
	case isLengthFunc(fn.Name) && len(fn.Args) == 1:
		lo, hi, ok := sizeBounds(op, lit)
		if ok {
			f.minLength[col.Name] = max(f.minLength[col.Name], lo)
			if hi >= 0 {
				f.setMaxLength(col.Name, hi)
				if fn.Name == "octet_length" {
					f.maxBytes[col.Name] = minPositive(f.maxBytes[col.Name], hi)
				}
			}
		}
		return ok
	case fn.Name == "cardinality" && len(fn.Args) == 1, fn.Name == "array_length" && len(fn.Args) == 2 && firstDimension(fn.Args[1]):
		lo, hi, ok := sizeBounds(op, lit)
		if ok {
			f.minItems[col.Name] = max(f.minItems[col.Name], lo)
			if hi >= 0 {
				f.maxItems[col.Name] = minPositive(f.maxItems[col.Name], hi)
			}
		}
		return ok
	}
	return false
}

func firstDimension(e pgexpr.Expr) bool {
	lit, ok := pgexpr.Literal(e)
	return ok && lit == "1"
}

// sizeBounds turns "size op n" into [lo, hi] (hi -1: unbounded).
func sizeBounds(op, lit string) (lo, hi int, ok bool) {
	n, err := strconv.Atoi(lit)
	if err != nil {
		return 0, 0, false
	}
	switch op {
	case ">":
		return n + 1, -1, true
	case ">=":
		return n, -1, true
	case "<":
		return 0, max(n-1, 0), true
	case "<=":
		return 0, n, true
	case "=":
		return n, n, true
	}
	return 0, 0, false
}

func minPositive(prev, n int) int {
	if prev <= 0 || n < prev {
		return n
	}
	return prev
}

func isLengthFunc(name string) bool {
	switch name {
	case "length", "char_length", "character_length", "octet_length", "pg_catalog.length":
		return true
	}
	return false
}

// addPattern records a ~, ~*, LIKE (~~), ILIKE (~~*) or SIMILAR TO test as a regular expression.
// A pattern Go's regexp package does not read (lookahead, back references, PostgreSQL's own
// escapes) is not understood, so the server judges it instead.
func (f *checkFacts) addPattern(op string, l, r pgexpr.Expr) bool {
	col, ok := l.(pgexpr.Col)
	if !ok {
		return false
	}
	var re string
	if fn, isFunc := r.(pgexpr.Func); isFunc && op == "~" && (fn.Name == "similar_to_escape" || fn.Name == "similar_escape") {
		// SIMILAR TO, as the server prints it: col ~ similar_to_escape('pattern'[, 'escape']).
		pattern, ok := pgexpr.Literal(fn.Args[0])
		if !ok || len(fn.Args) > 2 {
			return false
		}
		escape, hasEscape := `\`, true
		if len(fn.Args) == 2 {
			if c, isConst := pgexpr.StripCasts(fn.Args[1]).(pgexpr.Const); !isConst || !c.IsNull {
				escape, hasEscape = pgexpr.Literal(fn.Args[1])
			}
		}
		re = similarToRegex(pattern, escape, hasEscape && escape != "")
	} else {
		lit, ok := pgexpr.Literal(r)
		if !ok {
			return false
		}
		re = patternRegex(op, lit)
	}
	if _, err := regexp.Compile(re); err != nil {
		return false
	}
	f.patterns[col.Name] = append(f.patterns[col.Name], re)
	return true
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

// similarToRegex translates a SIMILAR TO pattern into a regular expression, as PostgreSQL does:
// the whole string must match; % and _ are .* and .; | * + ? {m,n} ( ) and [...] keep their
// regular-expression meaning; anything else (. ^ $ included) is itself; the escape character
// makes the next character itself.
func similarToRegex(pattern, escape string, hasEscape bool) string {
	var b strings.Builder
	b.WriteString("^(?:")
	inBracket := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case hasEscape && strings.HasPrefix(pattern[i:], escape) && i+len(escape) < len(pattern):
			i += len(escape)
			b.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case inBracket:
			b.WriteByte(c)
			inBracket = c != ']'
		case c == '[':
			inBracket = true
			b.WriteByte(c)
		case c == '%':
			b.WriteString(".*")
		case c == '_':
			b.WriteString(".")
		case strings.IndexByte("|*+?{}(),0123456789", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(")$")
	return b.String()
}

// geoFacts are what PostGIS CHECKs (AddGeometryColumn's enforce_srid, enforce_geotype and
// enforce_dims) say of a geometry column.
type geoFacts struct {
	srid  *int
	shape string // "Point", "MultiPolygon", ...
	dims  int    // 2, 3 (Z) or 4 (ZM)
}

func isGeoFunc(name string) bool {
	switch name {
	case "st_srid", "srid", "geometrytype", "st_geometrytype", "st_ndims", "ndims", "st_coorddim":
		return true
	}
	return false
}

var geoShapeNames = map[string]string{"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon",
	"MULTIPOINT": "MultiPoint", "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon",
	"GEOMETRYCOLLECTION": "GeometryCollection"}

func (f *checkFacts) addGeo(col, fn, lit string) bool {
	g := f.geo[col]
	if g == nil {
		g = &geoFacts{}
		f.geo[col] = g
	}
	switch fn {
	case "st_srid", "srid":
		n, err := strconv.Atoi(lit)
		if err != nil {
			return false
		}
		g.srid = &n
	case "geometrytype", "st_geometrytype":
		shape, ok := geoShapeNames[strings.ToUpper(strings.TrimPrefix(lit, "ST_"))]
		if !ok {
			return false
		}
		g.shape = shape
	default:
		n, err := strconv.Atoi(lit)
		if err != nil || n < 2 || n > 4 {
			return false
		}
		g.dims = n
	}
	return true
}

func (f *checkFacts) mergeGeo(col string, g *geoFacts) {
	dst := f.geo[col]
	if dst == nil {
		dst = &geoFacts{}
		f.geo[col] = dst
	}
	if g.srid != nil {
		dst.srid = g.srid
	}
	if g.shape != "" {
		dst.shape = g.shape
	}
	if g.dims != 0 {
		dst.dims = g.dims
	}
}

// addGrid reads a CHECK that keeps a column on a grid: col % k = r, mod(col, k) = r (either
// side), col = date_trunc('unit', col).
func (f *checkFacts) addGrid(x pgexpr.Binary) bool {
	if x.Op != "=" {
		return false
	}
	for _, sides := range [][2]pgexpr.Expr{{x.L, x.R}, {x.R, x.L}} {
		l, r := pgexpr.StripCasts(sides[0]), pgexpr.StripCasts(sides[1])
		if rem, ok := pgexpr.Literal(r); ok {
			if col, mod, ok := moduloOf(l); ok {
				f.grid[col] = gridFact{mod: mod, rem: rem}
				return true
			}
		}
		if c, ok := l.(pgexpr.Col); ok {
			if fn, ok := r.(pgexpr.Func); ok && fn.Name == "date_trunc" && len(fn.Args) == 2 {
				unit, ok := pgexpr.Literal(fn.Args[0])
				if ok && columnName(fn.Args[1]) == c.Name {
					f.grid[c.Name] = gridFact{unit: unit}
					return true
				}
			}
		}
	}
	return false
}

// moduloOf reads col % k or mod(col, k).
func moduloOf(e pgexpr.Expr) (col, mod string, ok bool) {
	var l, r pgexpr.Expr
	switch x := e.(type) {
	case pgexpr.Binary:
		if x.Op != "%" {
			return "", "", false
		}
		l, r = x.L, x.R
	case pgexpr.Func:
		if x.Name != "mod" || len(x.Args) != 2 {
			return "", "", false
		}
		l, r = x.Args[0], x.Args[1]
	default:
		return "", "", false
	}
	col = columnName(l)
	mod, ok = pgexpr.Literal(r)
	return col, mod, ok && col != ""
}
