package plan

import (
	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// A unique key whose values are fewer than the rows (a boolean, a foreign key to a small table,
// an enum) still holds when the rows past its capacity are not in it: a partial key's rows are
// those its WHERE clause accepts, and a key with a NULL column holds no row at all (unless it is
// NULLS NOT DISTINCT). So the first rows get distinct combinations and are in the key; the
// others are steered out of it by one column: a condition of the WHERE clause made false on them
// (deleted_at set for WHERE deleted_at IS NULL, false for WHERE active), or a nullable column
// of the key made NULL (a one-to-one key to a parent with fewer rows).

// valueKind says what a steered column writes on one side of the split.
type valueKind int

const (
	valGenerated valueKind = iota // the column's own (non-NULL) values
	valNull                       // NULL
	valLiteral                    // one literal
	valAvoid                      // the column's own values, never the literal
)

// steerValue is what a steered column writes on one side.
type steerValue struct {
	kind valueKind
	lit  string
}

// cover is how a column steers rows in or out of partial keys: the first rows take in, the
// others out.
type cover struct {
	rows    int64
	in, out steerValue
}

// steer is a column that can take a key's rows out of it: in keeps a row in (the condition
// holds), out takes it out. fixed is true when in is one literal (the column is constant on
// the rows in the key, so it adds nothing to the key's combinations).
type steer struct {
	col     *catalog.Column
	in, out steerValue
}

func (s steer) fixed() bool { return s.in.kind == valLiteral }

// steerFor picks the column that takes rows out of a key: a condition of its WHERE clause,
// preferring one a column already steers alike, then a soft delete, then the first; failing
// that, a nullable column of the key. ok is false when nothing can.
func (b *builder) steerFor(tb *tableBuild, key *catalog.UniqueKey) (steer, bool) {
	var options []steer
	if key.Partial {
		if e, err := pgexpr.Parse(key.Predicate); err == nil {
			for _, term := range pgexpr.Conjuncts(e) {
				if s, ok := b.steerOf(tb, term); ok {
					options = append(options, s)
				}
			}
		}
	}
	for _, c := range key.Columns {
		if key.NullIsValue(c) {
			continue
		}
		if s, ok := b.nullableSteer(tb, c); ok {
			options = append(options, s)
		}
	}
	rank := func(s steer) int {
		if cv := tb.cover[s.col]; cv != nil {
			return 0
		}
		if s.in.kind == valNull && gen.GuessSemantic(s.col.Table.Name, s.col.Name) == gen.SemDeletedAt {
			return 1
		}
		return 2
	}
	best, found := steer{}, false
	for _, s := range options {
		if cv := tb.cover[s.col]; cv != nil && (cv.in != s.in || cv.out != s.out) {
			continue // the column already steers another key the other way
		}
		if !found || rank(s) < rank(best) {
			best, found = s, true
		}
	}
	return best, found
}

// steerOf reads one condition of a WHERE clause: col IS [NOT] NULL, col, NOT col,
// col IS [NOT] TRUE/FALSE, col = true/false/'literal'.
func (b *builder) steerOf(tb *tableBuild, term pgexpr.Expr) (steer, bool) {
	t, f := steerValue{kind: valLiteral, lit: "t"}, steerValue{kind: valLiteral, lit: "f"}
	var name string
	var s steer
	switch x := pgexpr.StripCasts(term).(type) {
	case pgexpr.IsNull:
		name = columnName(x.X)
		s.in, s.out = steerValue{kind: valNull}, steerValue{kind: valGenerated}
		if x.Not {
			s.in, s.out = s.out, s.in
		}
	case pgexpr.Col:
		name, s.in, s.out = x.Name, t, f
	case pgexpr.Not:
		name, s.in, s.out = columnName(x.X), f, t
	case pgexpr.IsBool:
		name, s.in, s.out = columnName(x.X), t, f
		if x.Value == x.Not { // IS FALSE, IS NOT TRUE
			s.in, s.out = f, t
		}
	case pgexpr.Binary:
		lit, ok := pgexpr.Literal(x.R)
		if x.Op != "=" || !ok {
			return steer{}, false
		}
		name = columnName(x.L)
		switch lit {
		case "true":
			s.in, s.out = t, f
		case "false":
			s.in, s.out = f, t
		default:
			s.in, s.out = steerValue{kind: valLiteral, lit: lit}, steerValue{kind: valAvoid, lit: lit}
		}
	default:
		return steer{}, false
	}
	s.col = tb.tp.Table.Column(name)
	return s, s.col != nil && b.steerable(tb, s)
}

func columnName(e pgexpr.Expr) string {
	if c, ok := pgexpr.StripCasts(e).(pgexpr.Col); ok {
		return c.Name
	}
	return ""
}

// nullableSteer takes rows out of a key by a NULL in one of its nullable columns.
func (b *builder) nullableSteer(tb *tableBuild, c *catalog.Column) (steer, bool) {
	s := steer{col: c, in: steerValue{kind: valGenerated}, out: steerValue{kind: valNull}}
	return s, b.steerable(tb, s)
}

// steerable says whether the generator can write a steer's values into its column.
func (b *builder) steerable(tb *tableBuild, s steer) bool {
	c := s.col
	if c.Generated != 0 || tb.partKeys[c.Name] || tb.deferred[c] || tb.nullOnly[c] {
		return false
	}
	if _, ruled := b.rules[c]; ruled {
		return false
	}
	if fk := tb.fkOf[c]; fk != nil && (len(fk.Refs) != 1 || s.in.kind == valLiteral || s.out.kind == valLiteral) {
		return false // one column of a composite key alone, or a literal parent: not steerable
	}
	if (s.in.kind == valNull || s.out.kind == valNull) && b.notNull(tb, c) {
		return false
	}
	if s.in.lit == "t" || s.in.lit == "f" {
		if b.slots[c].info.Kind != gen.KindBool {
			return false
		}
	}
	if s.out.kind == valAvoid {
		values := b.finiteValues(tb, c)
		return len(values) == 0 || len(without(values, []string{s.out.lit})) > 0
	}
	return true
}

// applySteer records that the first rows of the table are in a key and the others out of it,
// steered by s. A column steering several keys keeps them all: the smallest capacity wins.
func (tb *tableBuild) applySteer(s steer, capacity int64) {
	if cv := tb.cover[s.col]; cv != nil {
		cv.rows = min(cv.rows, capacity)
		return
	}
	tb.cover[s.col] = &cover{rows: capacity, in: s.in, out: s.out}
	if fk := tb.fkOf[s.col]; fk != nil {
		fk.NullPermille = 0 // NULL only where the steer says so
	}
}

// coverRecipe wraps a column's own values for the keys it steers (see cover).
func coverRecipe(cv *cover, own gen.Recipe) gen.Recipe {
	side := func(v steerValue) gen.Recipe {
		switch v.kind {
		case valNull:
			return &gen.NullRecipe{}
		case valLiteral:
			return &gen.ChoiceRecipe{Values: []string{v.lit}}
		case valAvoid:
			return &gen.AvoidRecipe{Inner: own, Values: []string{v.lit}, Stride: max(cv.rows, 1)}
		}
		return own
	}
	return &gen.CoverRecipe{Rows: cv.rows, In: side(cv.in), Out: side(cv.out)}
}
