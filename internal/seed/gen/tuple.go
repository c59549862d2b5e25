package gen

// TupleRecipe draws, for each row, one of a set of value tuples: values of several columns that
// together pass a condition the server checked (see plan's oracle). The columns of a tuple stay
// consistent with each other, which drawing each column alone would not give.
type TupleRecipe struct {
	Seed uint64
	// Tuples hold the text input of each column (nil is NULL); every tuple has one value per
	// column.
	Tuples [][]*string
}

type tuplePicker struct {
	rr        *rowRand
	n         int64
	cachedRow int64
	cached    int64
	escaped   [][][]byte
}

func (r *TupleRecipe) picker(ctx *InstContext) *tuplePicker {
	return ctx.shared(r, func() any {
		p := &tuplePicker{rr: newRowRand(r.Seed), n: int64(len(r.Tuples)), cachedRow: -1}
		for _, t := range r.Tuples {
			row := make([][]byte, len(t))
			for i, v := range t {
				if v == nil {
					row[i] = []byte(nullText)
				} else {
					row[i] = appendEscaped(nil, *v)
				}
			}
			p.escaped = append(p.escaped, row)
		}
		return p
	}).(*tuplePicker)
}

func (p *tuplePicker) pick(row int64) int64 {
	if row != p.cachedRow {
		p.cachedRow = row
		p.rr.at(row)
		p.cached = p.rr.intn(p.n)
	}
	return p.cached
}

// TupleColumnRecipe writes one column of a TupleRecipe's tuples.
type TupleColumnRecipe struct {
	Tuple *TupleRecipe
	Index int
}

type tupleColumnGen struct {
	p     *tuplePicker
	index int
}

func (r *TupleColumnRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &tupleColumnGen{p: r.Tuple.picker(ctx), index: r.Index}
}

func (g *tupleColumnGen) AppendValue(dst []byte, row int64) []byte {
	if g.p.n == 0 {
		return append(dst, nullText...)
	}
	return append(dst, g.p.escaped[g.p.pick(row)][g.index]...)
}

// Sample returns what the recipes generate at rows 0..n-1 as text input (nil for NULL): element
// [i][j] is recipe j's value at row i. The recipes are instantiated together, so columns that
// follow each other (a relation, a foreign key's columns) are sampled consistently.
func Sample(recipes []Recipe, n int64) [][]*string {
	ctx := NewInstContext()
	gens := make([]ValueGen, len(recipes))
	for j, r := range recipes {
		gens[j] = ctx.Gen(r)
	}
	out := make([][]*string, n)
	var buf []byte
	for i := int64(0); i < n; i++ {
		out[i] = make([]*string, len(gens))
		for j, g := range gens {
			buf = g.AppendValue(buf[:0], i)
			out[i][j] = unescapeCopy(buf)
		}
	}
	return out
}

// unescapeCopy reads one value of COPY's text format: \N is NULL.
func unescapeCopy(b []byte) *string {
	if string(b) == nullText {
		return nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		i++
		switch b[i] {
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		default:
			out = append(out, b[i])
		}
	}
	s := string(out)
	return &s
}
