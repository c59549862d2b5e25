package plan

import (
	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// rangeConstructors build a range from two columns in EXCLUDE elements: tstzrange(starts_at,
// ends_at, '[)').
var rangeConstructors = map[string]bool{"tsrange": true, "tstzrange": true, "daterange": true, "int4range": true,
	"int8range": true, "numrange": true}

// planExclusions honours EXCLUDE constraints that keep spans apart (a room's bookings: room_id
// WITH =, during WITH &&): the span of each row is laid out after the previous one's, so no two
// rows overlap at all, which holds whatever the other elements are (gen.SpanRecipe). The span is
// a range column, or two columns a range constructor joins. Other EXCLUDE constraints are named
// in a warning.
func (b *builder) planExclusions(tb *tableBuild) {
	t := tb.tp.Table
	for _, x := range t.Exclusions {
		if b.spanFor(tb, x) {
			continue
		}
		b.warnf("%s: EXCLUDE constraint %s is not generated for; loading may fail on it", t.QualifiedName(), x.Name)
	}
}

// spanFor plans the && element of an exclusion, reporting whether it could.
func (b *builder) spanFor(tb *tableBuild, x *catalog.Exclusion) bool {
	t := tb.tp.Table
	for i, el := range x.Elems {
		if i >= len(x.Ops) || x.Ops[i] != "&&" {
			continue
		}
		if c := t.Column(el); c != nil && b.spanFree(tb, c) && b.slots[c].info.Kind == gen.KindRange && b.slots[c].info.RangeSub.IsOrdinal() {
			if tb.spans[c] == nil {
				tb.spans[c] = &gen.SpanColumnRecipe{Span: b.newSpan(tb, c, *b.slots[c].info.RangeSub), Range: true}
			}
			return true
		}
		e, err := pgexpr.Parse(el)
		if err != nil {
			return false
		}
		fn, ok := pgexpr.StripCasts(e).(pgexpr.Func)
		if !ok || !rangeConstructors[fn.Name] || len(fn.Args) < 2 {
			return false
		}
		start, end := t.Column(columnName(fn.Args[0])), t.Column(columnName(fn.Args[1]))
		if start == nil || end == nil || start == end || !b.spanFree(tb, start) || !b.spanFree(tb, end) ||
			!b.slots[start].info.IsOrdinal() || b.slots[start].info.OrdinalFamily() != b.slots[end].info.OrdinalFamily() {
			return false
		}
		if tb.spans[start] != nil && tb.spans[end] != nil && tb.spans[start].Span == tb.spans[end].Span {
			return true
		}
		if tb.spans[start] != nil || tb.spans[end] != nil {
			return false
		}
		span := b.newSpan(tb, start, b.slots[start].info)
		tb.spans[start], tb.spans[end] = &gen.SpanColumnRecipe{Span: span}, &gen.SpanColumnRecipe{Span: span, End: true}
		return true
	}
	return false
}

func (b *builder) newSpan(tb *tableBuild, c *catalog.Column, info gen.TypeInfo) *gen.SpanRecipe {
	step := gen.SpanStep(info)
	// Centred on the generator's present, as bookings are.
	lo := gen.OrdinalEpoch(info) - tb.tp.Rows/2*step
	if info.Kind != gen.KindDate && info.Kind != gen.KindTimestamp && info.Kind != gen.KindTimestamptz {
		lo = 0
	}
	return &gen.SpanRecipe{Seed: gen.DeriveSeed(b.spec.Seed, c.String(), "span"), Lo: lo, Step: step, Info: info}
}

// spanFree says whether the generator may lay a column's values out as a span.
func (b *builder) spanFree(tb *tableBuild, c *catalog.Column) bool {
	_, ruled := b.rules[c]
	return !ruled && c.Generated == 0 && tb.fkOf[c] == nil && !tb.partKeys[c.Name] && tb.pairs[c] == nil
}
