package plan

import (
	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// cover is how a column serves a partial unique key: its first rows take the value that puts
// them under the key's WHERE clause (covered; nil is NULL), the others a value that does not.
type cover struct {
	rows             int64
	covered, outside *string
}

// coverPartially honours a partial unique key (WHERE deleted_at IS NULL, WHERE active, WHERE
// NOT archived) whose combinations are fewer than the rows: the first capacity rows are the ones
// it covers, with distinct combinations; the others fall outside it (deleted_at set, active
// false) and may repeat one. It reports whether the key's clause is one it can steer.
func (b *builder) coverPartially(tb *tableBuild, key *catalog.UniqueKey, capacity int64) bool {
	if !key.Partial {
		return false
	}
	e, err := pgexpr.Parse(key.Predicate)
	if err != nil {
		return false
	}
	t, f := "t", "f"
	name, cv := "", cover{rows: capacity}
	switch x := pgexpr.StripCasts(e).(type) {
	case pgexpr.IsNull:
		col, ok := pgexpr.StripCasts(x.X).(pgexpr.Col)
		if !ok || x.Not {
			return false
		}
		name = col.Name // covered: NULL; outside: the column's own values
	case pgexpr.Col:
		name, cv.covered, cv.outside = x.Name, &t, &f
	case pgexpr.Not:
		col, ok := pgexpr.StripCasts(x.X).(pgexpr.Col)
		if !ok {
			return false
		}
		name, cv.covered, cv.outside = col.Name, &f, &t
	default:
		return false
	}
	c := tb.tp.Table.Column(name)
	if c == nil || containsColumn(key.Columns, c) || tb.fkOf[c] != nil || c.Generated != 0 || tb.partKeys[c.Name] {
		return false
	}
	if _, ruled := b.rules[c]; ruled || cv.covered == nil && b.notNull(tb, c) {
		return false
	}
	if cv.covered != nil && b.slots[c].info.Kind != gen.KindBool {
		return false
	}
	tb.cover[c] = &cv
	return true
}

// coverRecipe wraps a column's values for a partial unique key (see coverPartially).
func coverRecipe(cv *cover, inner gen.Recipe) gen.Recipe {
	if cv.outside != nil {
		inner = &gen.ChoiceRecipe{Values: []string{*cv.outside}}
	}
	return &gen.CoverRecipe{Inner: inner, Rows: cv.rows, Covered: cv.covered}
}
