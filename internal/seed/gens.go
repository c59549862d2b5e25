package seed

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"
)

// Values are written in COPY's text format: the PostgreSQL text input of each value, with
// backslash, tab, newline and carriage return escaped, \N for NULL. Text input is what every type
// accepts (enums, domains, ranges, extension types) and what column rules hand us.

// valueGen writes one column's value at a row.
type valueGen interface {
	appendValue(dst []byte, row int64) []byte
}

// orderedGen is a generator of ordered values (numbers, dates, timestamps) whose value at a row
// other columns can read: a row's shipped_at follows its created_at.
type orderedGen interface {
	valueGen
	// ordinal returns the value in the generator's unit; ok is false for NULL.
	ordinal(row int64) (v int64, ok bool)
	unit() ordinalUnit
}

// ordinalUnit says what an ordinal counts: a number with scale decimal digits, days, seconds.
type ordinalUnit struct {
	family int // see typeInfo.ordinalFamily
	scale  int
}

// recipe is the immutable description of a generator, built once per plan. Each loading
// goroutine instantiates its own generators from the recipes (generators hold random state).
type recipe interface {
	instantiate(ctx *instContext) valueGen
}

// instContext instantiates recipes for one goroutine, sharing one generator per recipe: a
// composite foreign key's columns share their parent-row pick, and a column another column
// relates to is generated once.
type instContext struct {
	gens  map[any]any
	depth int
}

func newInstContext() *instContext { return &instContext{gens: map[any]any{}} }

func (c *instContext) gen(r recipe) valueGen {
	if g, ok := c.gens[r]; ok {
		return g.(valueGen)
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 {
		// Keys that reference each other in a circle cannot be computed; NULL breaks the loop
		// and verification reports what went wrong.
		return nullGen{}
	}
	g := r.instantiate(c)
	c.gens[r] = g
	return g
}

// shared returns the context's instance of a helper (pickers), creating it once.
func (c *instContext) shared(key any, create func() any) any {
	if v, ok := c.gens[key]; ok {
		return v
	}
	v := create()
	c.gens[key] = v
	return v
}

const nullText = `\N`

// appendEscaped appends s in COPY text format.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// truncateRunes cuts s to at most n characters (PostgreSQL lengths count characters).
func truncateRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}

// ---- NULL and constants ----

type nullGen struct{}

func (nullGen) appendValue(dst []byte, _ int64) []byte { return append(dst, nullText...) }

type nullRecipe struct{}

func (r *nullRecipe) instantiate(*instContext) valueGen { return nullGen{} }

// choiceRecipe picks among literal texts (enum labels, CHECK IN lists, oneOf, constant). With
// unique, row i takes the i-th value.
type choiceRecipe struct {
	seed         uint64
	values       []string
	unique       bool
	nullPermille int
}

type choiceGen struct {
	r       *choiceRecipe
	rr      *rowRand
	escaped [][]byte
}

func (r *choiceRecipe) instantiate(*instContext) valueGen {
	g := &choiceGen{r: r, rr: newRowRand(r.seed)}
	for _, v := range r.values {
		g.escaped = append(g.escaped, appendEscaped(nil, v))
	}
	return g
}

func (g *choiceGen) appendValue(dst []byte, row int64) []byte {
	if len(g.escaped) == 0 {
		return append(dst, nullText...)
	}
	if g.r.unique {
		return append(dst, g.escaped[row%int64(len(g.escaped))]...)
	}
	g.rr.at(row)
	if g.rr.chance(g.r.nullPermille) {
		return append(dst, nullText...)
	}
	return append(dst, g.escaped[g.rr.intn(int64(len(g.escaped)))]...)
}

// ---- free-form values from a function ----

// funcRecipe generates values with a function of the row's random stream; the function appends
// the value's text input (unescaped; the generator escapes it).
type funcRecipe struct {
	seed         uint64
	nullPermille int
	fn           func(f *gofakeit.Faker, rr *rowRand, row int64, dst []byte) []byte
}

type funcGen struct {
	r   *funcRecipe
	rr  *rowRand
	raw []byte
}

func (r *funcRecipe) instantiate(*instContext) valueGen {
	return &funcGen{r: r, rr: newRowRand(r.seed)}
}

func (g *funcGen) appendValue(dst []byte, row int64) []byte {
	f := g.rr.at(row)
	if g.rr.chance(g.r.nullPermille) {
		return append(dst, nullText...)
	}
	g.raw = g.r.fn(f, g.rr, row, g.raw[:0])
	for _, c := range g.raw {
		if c == '\\' || c == '\t' || c == '\n' || c == '\r' {
			return appendEscaped(dst, string(g.raw))
		}
	}
	return append(dst, g.raw...)
}

// ---- text ----

// textRecipe generates strings from a producer, fitted to length limits; with unique, a suffix
// derived from the row number makes every value distinct (see appendUnique).
type textRecipe struct {
	seed         uint64
	produce      textFn
	minLen       int
	maxLen       int // 0: unlimited
	unique       bool
	emailStyle   bool // unique suffix before the '@'
	nullPermille int
}

type textGen struct {
	r       *textRecipe
	rr      *rowRand
	scratch []byte
}

func (r *textRecipe) instantiate(*instContext) valueGen {
	return &textGen{r: r, rr: newRowRand(r.seed)}
}

func (g *textGen) appendValue(dst []byte, row int64) []byte {
	rr := g.rr
	rr.at(row)
	if rr.chance(g.r.nullPermille) {
		return append(dst, nullText...)
	}
	s := g.r.produce(rr, g.scratch[:0])
	for i := 0; i < 64 && utf8.RuneCount(s) < g.r.minLen; i++ {
		s = append(s, ' ')
		s = fastWord(rr, s)
	}
	if g.r.unique {
		s = appendUnique(s, row, g.r.maxLen, g.r.emailStyle)
	} else if g.r.maxLen > 0 {
		s = truncateRuneBytes(s, g.r.maxLen)
	}
	g.scratch = s
	return appendEscapedBytes(dst, s)
}

func appendEscapedBytes(dst, s []byte) []byte {
	for _, c := range s {
		if c == '\\' || c == '\t' || c == '\n' || c == '\r' {
			return appendEscaped(dst, string(s))
		}
	}
	return append(dst, s...)
}

// truncateRuneBytes cuts s to at most n characters.
func truncateRuneBytes(s []byte, n int) []byte {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := 0; i < len(s); {
		if count == n {
			return s[:i]
		}
		_, size := utf8.DecodeRune(s[i:])
		i += size
		count++
	}
	return s
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// appendUnique makes s distinct for each row: it appends "-" and the row number in base 36 (for
// emails "+row" before the '@'). The suffix is the text after the last separator and holds no
// separator itself, so two rows never collide whatever the base strings are, even after case
// folding (lower(email) indexes). When the limit leaves no room for a suffix, the value is the
// row number alone, padded to the limit.
func appendUnique(s []byte, row int64, maxLen int, emailStyle bool) []byte {
	var sufBuf [16]byte
	suffix := strconv.AppendInt(sufBuf[:0], row, 36)
	if emailStyle {
		if at := bytes.LastIndexByte(s, '@'); at > 0 {
			var domBuf [128]byte
			domain := append(domBuf[:0], s[at:]...)
			local := s[:at]
			if maxLen > 0 {
				room := maxLen - utf8.RuneCount(domain) - len(suffix) - 1
				if room < 1 {
					return appendRowCode(s[:0], row, maxLen)
				}
				local = truncateRuneBytes(local, room)
			}
			out := append(local, '+')
			out = append(out, suffix...)
			return append(out, domain...)
		}
	}
	if maxLen > 0 {
		room := maxLen - len(suffix) - 1
		if room < 1 {
			return appendRowCode(s[:0], row, maxLen)
		}
		s = truncateRuneBytes(s, room)
	}
	s = append(s, '-')
	return append(s, suffix...)
}

func appendRowCode(dst []byte, row int64, width int) []byte {
	start := len(dst)
	for i := 0; i < width; i++ {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= start; i-- {
		dst[i] = base36[row%36]
		row /= 36
	}
	return dst
}

// ---- ordered values: integers, numerics, dates, timestamps ----

// ordRef relates a column to another ordinal column of the same row.
type ordRef struct {
	ref    recipe
	strict bool
}

// ordinalRecipe generates ordered values in [lo, hi] (in the unit's terms). With unique, row i
// gets lo + i*step. lower/upper relate the value to other columns of the row: above every lower
// reference and below every upper reference.
type ordinalRecipe struct {
	seed         uint64
	info         typeInfo
	u            ordinalUnit
	lo, hi       int64
	unique       bool
	step         int64
	nullPermille int
	lower, upper []ordRef
	// spread is the usual distance from a related column (e.g. 30 days for shipped_at).
	spread int64
}

type ordinalGen struct {
	r            *ordinalRecipe
	rr           *rowRand
	lower, upper []orderedGen
	cachedRow    int64
	cachedV      int64
	cachedOK     bool
}

func (r *ordinalRecipe) instantiate(ctx *instContext) valueGen {
	g := &ordinalGen{r: r, rr: newRowRand(r.seed), cachedRow: -1}
	// Register before resolving references, so a relation back to this column finds it.
	ctx.gens[r] = g
	for _, l := range r.lower {
		if og, ok := ctx.gen(l.ref).(orderedGen); ok {
			g.lower = append(g.lower, og)
		}
	}
	for _, u := range r.upper {
		if og, ok := ctx.gen(u.ref).(orderedGen); ok {
			g.upper = append(g.upper, og)
		}
	}
	return g
}

func (g *ordinalGen) unit() ordinalUnit { return g.r.u }

func (g *ordinalGen) ordinal(row int64) (int64, bool) {
	if row == g.cachedRow {
		return g.cachedV, g.cachedOK
	}
	v, ok := g.compute(row)
	g.cachedRow, g.cachedV, g.cachedOK = row, v, ok
	return v, ok
}

func (g *ordinalGen) compute(row int64) (int64, bool) {
	r := g.r
	if r.unique {
		return r.lo + row*r.step, true
	}
	// Read the related columns first: they re-seed their own streams, not ours.
	var lowest, highest int64
	haveLower, haveUpper := false, false
	for i, l := range g.lower {
		if v, ok := l.ordinal(row); ok {
			v = convertOrdinal(v, l.unit(), r.u)
			if r.lower[i].strict {
				v++
			}
			if !haveLower || v > lowest {
				lowest = v
			}
			haveLower = true
		}
	}
	for i, u := range g.upper {
		if v, ok := u.ordinal(row); ok {
			v = convertOrdinal(v, u.unit(), r.u)
			if r.upper[i].strict {
				v--
			}
			if !haveUpper || v < highest {
				highest = v
			}
			haveUpper = true
		}
	}
	g.rr.at(row)
	if g.rr.chance(r.nullPermille) {
		return 0, false
	}
	switch {
	case haveLower && haveUpper:
		return g.rr.between(lowest, highest), true
	case haveLower:
		top := satAdd(lowest, r.spread)
		if r.hi >= lowest && top > r.hi {
			top = r.hi
		}
		return g.rr.between(lowest, top), true
	case haveUpper:
		bottom := satAdd(highest, -r.spread)
		if r.lo <= highest && bottom < r.lo {
			bottom = r.lo
		}
		return g.rr.between(bottom, highest), true
	}
	return g.rr.between(r.lo, r.hi), true
}

func satAdd(a, b int64) int64 {
	s := a + b
	if b > 0 && s < a {
		return 1<<63 - 1
	}
	if b < 0 && s > a {
		return -1 << 63
	}
	return s
}

func (g *ordinalGen) appendValue(dst []byte, row int64) []byte {
	v, ok := g.ordinal(row)
	if !ok {
		return append(dst, nullText...)
	}
	return appendOrdinal(dst, v, g.r.info)
}

// convertOrdinal rescales a value between units of the same family (numeric scales).
func convertOrdinal(v int64, from, to ordinalUnit) int64 {
	for s := from.scale; s < to.scale; s++ {
		v *= 10
	}
	for s := from.scale; s > to.scale; s-- {
		v /= 10
	}
	return v
}

// epoch anchors generated times: data never depends on when it was generated.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const secondsPerDay = 86400

// appendOrdinal writes an ordinal in the text input of its type.
func appendOrdinal(dst []byte, v int64, t typeInfo) []byte {
	switch t.kind {
	case kInt:
		return strconv.AppendInt(dst, v, 10)
	case kNumeric, kFloat, kMoney:
		return appendDecimal(dst, v, t.ordinalScale())
	case kDate:
		return appendDate(dst, v)
	case kTimestamp:
		return appendDateTime(dst, v)
	case kTimestamptz:
		return append(appendDateTime(dst, v), '+', '0', '0')
	case kTime:
		return appendClock(dst, v)
	}
	return strconv.AppendInt(dst, v, 10)
}

// appendDecimal writes v / 10^scale with exactly scale decimals.
func appendDecimal(dst []byte, v int64, scale int) []byte {
	if scale == 0 {
		return strconv.AppendInt(dst, v, 10)
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
		dst = append(dst, '-')
	}
	var pow uint64 = 1
	for i := 0; i < scale; i++ {
		pow *= 10
	}
	dst = strconv.AppendUint(dst, u/pow, 10)
	dst = append(dst, '.')
	frac := u % pow
	for p := pow / 10; p > 0; p /= 10 {
		dst = append(dst, byte('0'+frac/p%10))
	}
	return dst
}

// appendDate writes days since 1970-01-01 as YYYY-MM-DD (proleptic Gregorian, years 1-9999;
// outside them, through package time).
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	if y < 1 || y > 9999 {
		return time.Unix(days*secondsPerDay, 0).UTC().AppendFormat(dst, "2006-01-02")
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	dst = append(dst, byte('0'+m/10), byte('0'+m%10), '-')
	return append(dst, byte('0'+d/10), byte('0'+d%10))
}

func appendDateTime(dst []byte, seconds int64) []byte {
	days := seconds / secondsPerDay
	rem := seconds % secondsPerDay
	if rem < 0 {
		days--
		rem += secondsPerDay
	}
	dst = appendDate(dst, days)
	dst = append(dst, ' ')
	return appendClock(dst, rem)
}

func appendClock(dst []byte, s int64) []byte {
	h, m, sec := s/3600, s/60%60, s%60
	return append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+sec/10), byte('0'+sec%10))
}

// civilFromDays converts days since 1970-01-01 to a Gregorian date (Howard Hinnant's algorithm).
func civilFromDays(z int64) (year, month, day int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
