package gen

// SpanRecipe lays rows out on a line without overlap, for EXCLUDE constraints of the booking
// kind (room WITH =, during WITH &&): row i spans [Lo + i*Step, Lo + i*Step + length), its
// length drawn between Step/4 and Step, so no two rows' spans overlap, whatever else they share.
type SpanRecipe struct {
	Seed     uint64
	Lo, Step int64
	Info     TypeInfo // of the span's ends
}

type spanPicker struct {
	r          *SpanRecipe
	rr         *rowRand
	cachedRow  int64
	start, end int64
}

func (r *SpanRecipe) picker(ctx *InstContext) *spanPicker {
	return ctx.shared(r, func() any { return &spanPicker{r: r, rr: newRowRand(r.Seed), cachedRow: -1} }).(*spanPicker)
}

func (p *spanPicker) at(row int64) (int64, int64) {
	if row != p.cachedRow {
		p.cachedRow = row
		p.rr.at(row)
		p.start = p.r.Lo + row*p.r.Step
		p.end = p.start + p.rr.between(max(p.r.Step/4, 1), p.r.Step)
	}
	return p.start, p.end
}

// SpanColumnRecipe writes one end of a row's span (a starts_at or an ends_at column), or with
// Range the whole span as a range value [start,end).
type SpanColumnRecipe struct {
	Span  *SpanRecipe
	End   bool
	Range bool
}

type spanColumnGen struct {
	r *SpanColumnRecipe
	p *spanPicker
}

func (r *SpanColumnRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &spanColumnGen{r: r, p: r.Span.picker(ctx)}
}

func (g *spanColumnGen) ordinal(row int64) (int64, bool) {
	start, end := g.p.at(row)
	if g.r.End {
		return end, true
	}
	return start, true
}

func (g *spanColumnGen) unit() OrdinalUnit {
	return OrdinalUnit{Family: g.r.Span.Info.OrdinalFamily(), Scale: g.r.Span.Info.OrdinalScale()}
}

func (g *spanColumnGen) AppendValue(dst []byte, row int64) []byte {
	if g.r.Range {
		start, end := g.p.at(row)
		return appendRange(dst, start, end, g.r.Span.Info)
	}
	v, _ := g.ordinal(row)
	return AppendOrdinal(dst, v, g.r.Span.Info)
}

// SpanStep is the distance between spans' starts: two hours of time, two days, or ten.
func SpanStep(info TypeInfo) int64 {
	switch info.Kind {
	case KindTimestamp, KindTimestamptz:
		return 2 * 3600
	case KindDate:
		return 2
	}
	step := int64(10)
	for i := 0; i < info.OrdinalScale(); i++ {
		step *= 10
	}
	return step
}
