package gen

import (
	"github.com/brianvoe/gofakeit/v7"
)

// Values are written in COPY's text format: the PostgreSQL text input of each value, with
// backslash, tab, newline and carriage return escaped, \N for NULL. Text input is what every type
// accepts (enums, domains, ranges, extension types) and what column rules hand us.

// ValueGen writes one column's value at a row.
type ValueGen interface {
	AppendValue(dst []byte, row int64) []byte
}

// orderedGen is a generator of ordered values (numbers, dates, timestamps) whose value at a row
// other columns can read: a row's shipped_at follows its created_at.
type orderedGen interface {
	ValueGen
	// ordinal returns the value in the generator's unit; ok is false for NULL.
	ordinal(row int64) (v int64, ok bool)
	unit() OrdinalUnit
}

// OrdinalUnit says what an ordinal counts: a number with scale decimal digits, days, seconds.
type OrdinalUnit struct {
	Family int // see typeInfo.ordinalFamily
	Scale  int
}

// Recipe is the immutable description of a generator, built once per plan. Each loading
// goroutine instantiates its own generators from the recipes (generators hold random state).
type Recipe interface {
	Instantiate(ctx *InstContext) ValueGen
}

// InstContext instantiates recipes for one goroutine, sharing one generator per recipe: a
// composite foreign key's columns share their parent-row pick, and a column another column
// relates to is generated once.
type InstContext struct {
	gens  map[any]any
	depth int
}

func NewInstContext() *InstContext { return &InstContext{gens: map[any]any{}} }

func (c *InstContext) Gen(r Recipe) ValueGen {
	if g, ok := c.gens[r]; ok {
		return g.(ValueGen)
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 {
		// Keys that reference each other in a circle cannot be computed; NULL breaks the loop
		// and verification reports what went wrong.
		return NullGen{}
	}
	g := r.Instantiate(c)
	c.gens[r] = g
	return g
}

// shared returns the context's instance of a helper (pickers), creating it once.
func (c *InstContext) shared(key any, create func() any) any {
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

// TruncateRunes cuts s to at most n characters (PostgreSQL lengths count characters).
func TruncateRunes(s string, n int) string {
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

type NullGen struct{}

func (NullGen) AppendValue(dst []byte, _ int64) []byte { return append(dst, nullText...) }

type NullRecipe struct{}

func (r *NullRecipe) Instantiate(*InstContext) ValueGen { return NullGen{} }

// ChoiceRecipe picks among literal texts (enum labels, CHECK IN lists, oneOf, constant). With
// unique, row i takes the i-th value.
type ChoiceRecipe struct {
	Seed         uint64
	Values       []string
	Unique       bool
	NullPermille int
}

type choiceGen struct {
	r       *ChoiceRecipe
	rr      *rowRand
	escaped [][]byte
}

func (r *ChoiceRecipe) Instantiate(*InstContext) ValueGen {
	g := &choiceGen{r: r, rr: newRowRand(r.Seed)}
	for _, v := range r.Values {
		g.escaped = append(g.escaped, appendEscaped(nil, v))
	}
	return g
}

func (g *choiceGen) AppendValue(dst []byte, row int64) []byte {
	if len(g.escaped) == 0 {
		return append(dst, nullText...)
	}
	if g.r.Unique {
		return append(dst, g.escaped[row%int64(len(g.escaped))]...)
	}
	g.rr.at(row)
	if g.rr.chance(g.r.NullPermille) {
		return append(dst, nullText...)
	}
	return append(dst, g.escaped[g.rr.intn(int64(len(g.escaped)))]...)
}

// ---- free-form values from a function ----

// FuncRecipe generates values with a function of the row's random stream; the function appends
// the value's text input (unescaped; the generator escapes it).
type FuncRecipe struct {
	Seed         uint64
	NullPermille int
	Fn           func(f *gofakeit.Faker, rr *rowRand, row int64, dst []byte) []byte
}

type funcGen struct {
	r   *FuncRecipe
	rr  *rowRand
	raw []byte
}

func (r *FuncRecipe) Instantiate(*InstContext) ValueGen {
	return &funcGen{r: r, rr: newRowRand(r.Seed)}
}

func (g *funcGen) AppendValue(dst []byte, row int64) []byte {
	f := g.rr.at(row)
	if g.rr.chance(g.r.NullPermille) {
		return append(dst, nullText...)
	}
	g.raw = g.r.Fn(f, g.rr, row, g.raw[:0])
	for _, c := range g.raw {
		if c == '\\' || c == '\t' || c == '\n' || c == '\r' {
			return appendEscaped(dst, string(g.raw))
		}
	}
	return append(dst, g.raw...)
}

// ---- text ----

// ---- ordered values: integers, numerics, dates, timestamps ----

// RepeatRecipe draws a column's values from only Distinct of its rows, so the column has at most
// Distinct distinct values (prod's n_distinct). Only for columns no other column relates to:
// the value of row r is the inner generator's value at another row.
type RepeatRecipe struct {
	Inner    Recipe
	Distinct int64
	Seed     uint64
}

type repeatGen struct {
	inner    ValueGen
	distinct uint64
	seed     uint64
}

func (r *RepeatRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &repeatGen{inner: ctx.Gen(r.Inner), distinct: uint64(max(r.Distinct, 1)), seed: r.Seed}
}

func (g *repeatGen) AppendValue(dst []byte, row int64) []byte {
	return g.inner.AppendValue(dst, int64(mix64(uint64(row)^g.seed)%g.distinct))
}

// AvoidRecipe keeps a generator's values off a list (a CHECK's <>, NOT IN, <> ALL): a row whose
// value is excluded takes the generator's value at row + k*Stride instead, for the first k that
// gives an allowed one. Stride is at least the table's rows, so a generator whose values differ
// per row still gives distinct values.
type AvoidRecipe struct {
	Inner  Recipe
	Values []string // text of the excluded values, as the inner generator writes them
	Stride int64
}

type avoidGen struct {
	inner    ValueGen
	excluded map[string]bool
	stride   int64
}

func (r *AvoidRecipe) Instantiate(ctx *InstContext) ValueGen {
	g := &avoidGen{inner: ctx.Gen(r.Inner), excluded: map[string]bool{}, stride: max(r.Stride, 1)}
	for _, v := range r.Values {
		g.excluded[string(appendEscaped(nil, v))] = true
	}
	return g
}

func (g *avoidGen) AppendValue(dst []byte, row int64) []byte {
	start := len(dst)
	for k := int64(0); k < 32; k++ {
		dst = g.inner.AppendValue(dst[:start], row+k*g.stride)
		if !g.excluded[string(dst[start:])] {
			return dst
		}
	}
	return dst // every try excluded: the load names the CHECK
}

// CoverRecipe serves unique keys with fewer distinct values than the table has rows (see
// plan's steer): the first Rows rows are in the keys and take In, the others take Out, which
// leaves them out of the keys (a NULL, a soft delete, a false flag), so they may repeat a key.
type CoverRecipe struct {
	Rows    int64
	In, Out Recipe
}

type coverGen struct {
	rows    int64
	in, out ValueGen
}

func (r *CoverRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &coverGen{rows: r.Rows, in: ctx.Gen(r.In), out: ctx.Gen(r.Out)}
}

func (g *coverGen) side(row int64) ValueGen {
	if row < g.rows {
		return g.in
	}
	return g.out
}

func (g *coverGen) AppendValue(dst []byte, row int64) []byte {
	return g.side(row).AppendValue(dst, row)
}

func (g *coverGen) ordinal(row int64) (int64, bool) { return ordinalAt(g.side(row), row) }

func (g *coverGen) unit() OrdinalUnit {
	if u := unitOf(g.out); u != (OrdinalUnit{}) {
		return u
	}
	return unitOf(g.in)
}

// NullPatternRecipe picks, for each row, one of Patterns: which of a set of columns are NULL
// (true) in that row. The columns' NullMaskRecipes read the same pick.
type NullPatternRecipe struct {
	Seed     uint64
	Patterns [][]bool
}

type nullPatternPicker struct {
	r         *NullPatternRecipe
	rr        *rowRand
	cachedRow int64
	pick      []bool
}

func (r *NullPatternRecipe) picker(ctx *InstContext) *nullPatternPicker {
	return ctx.shared(r, func() any { return &nullPatternPicker{r: r, rr: newRowRand(r.Seed), cachedRow: -1} }).(*nullPatternPicker)
}

func (p *nullPatternPicker) at(row int64) []bool {
	if row != p.cachedRow {
		p.cachedRow = row
		p.rr.at(row)
		p.pick = p.r.Patterns[p.rr.intn(int64(len(p.r.Patterns)))]
	}
	return p.pick
}

// NullMaskRecipe writes NULL where the row's pattern says column Index is NULL, and Inner's
// value elsewhere.
type NullMaskRecipe struct {
	Pattern *NullPatternRecipe
	Index   int
	Inner   Recipe
}

type nullMaskGen struct {
	p     *nullPatternPicker
	index int
	inner ValueGen
}

func (r *NullMaskRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &nullMaskGen{p: r.Pattern.picker(ctx), index: r.Index, inner: ctx.Gen(r.Inner)}
}

func (g *nullMaskGen) AppendValue(dst []byte, row int64) []byte {
	if g.p.at(row)[g.index] {
		return append(dst, nullText...)
	}
	return g.inner.AppendValue(dst, row)
}

func (g *nullMaskGen) ordinal(row int64) (int64, bool) {
	if g.p.at(row)[g.index] {
		return 0, false
	}
	return ordinalAt(g.inner, row)
}

func (g *nullMaskGen) unit() OrdinalUnit { return unitOf(g.inner) }
