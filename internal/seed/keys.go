package seed

// Generators for keys: foreign keys pick a parent row and write that row's key (computed, not
// read: the parent's values are a function of its row number), combinations make composite
// unique keys distinct, and partition keys fall inside a partition's bounds.

type fkMode int

const (
	// fkRandom picks any parent row.
	fkRandom fkMode = iota
	// fkSelf picks an earlier row of the same table (a tree: categories.parent_id).
	fkSelf
	// fkCombo takes the parent row from a combination, for unique keys made of foreign keys.
	fkCombo
)

// fkRecipe picks the parent row of one foreign key for each row.
type fkRecipe struct {
	seed         uint64
	parentRows   int64
	mode         fkMode
	nullPermille int // nullable foreign keys: share of rows without a parent
	combo        *comboRecipe
	dim          int
	refs         []recipe // the parent's generators of the referenced columns, in key order
}

type fkPicker struct {
	r          *fkRecipe
	rr         *rowRand
	combo      *comboPicker
	refs       []valueGen
	cachedRow  int64
	cachedPick int64
}

func (r *fkRecipe) picker(ctx *instContext) *fkPicker {
	return ctx.shared(r, func() any {
		p := &fkPicker{r: r, rr: newRowRand(r.seed), cachedRow: -1}
		// Shared before the parents are resolved: a self-reference resolves to this table's own
		// key generator, which does not need the picker.
		ctx.gens[r] = p
		if r.combo != nil {
			p.combo = r.combo.picker(ctx)
		}
		for _, ref := range r.refs {
			p.refs = append(p.refs, ctx.gen(ref))
		}
		return p
	}).(*fkPicker)
}

// pick returns the parent row for a row, or -1 for NULL.
func (p *fkPicker) pick(row int64) int64 {
	if row == p.cachedRow {
		return p.cachedPick
	}
	p.cachedRow, p.cachedPick = row, p.compute(row)
	return p.cachedPick
}

func (p *fkPicker) compute(row int64) int64 {
	r := p.r
	if r.parentRows <= 0 {
		return -1
	}
	p.rr.at(row)
	switch r.mode {
	case fkCombo:
		return p.combo.digit(row, r.dim)
	case fkSelf:
		// Row 0 has no earlier row: a root (NULL), or itself when the column is NOT NULL.
		if row == 0 {
			if r.nullPermille > 0 {
				return -1
			}
			return 0
		}
		if p.rr.chance(r.nullPermille) {
			return -1
		}
		return p.rr.intn(min(row, r.parentRows))
	}
	if p.rr.chance(r.nullPermille) {
		return -1
	}
	return p.rr.intn(r.parentRows)
}

// fkColumnRecipe writes one column of a foreign key: the parent row's value of the referenced
// column.
type fkColumnRecipe struct {
	group *fkRecipe
	index int
}

type fkColumnGen struct {
	p   *fkPicker
	ref valueGen
}

func (r *fkColumnRecipe) instantiate(ctx *instContext) valueGen {
	p := r.group.picker(ctx)
	return &fkColumnGen{p: p, ref: p.refs[r.index]}
}

func (g *fkColumnGen) appendValue(dst []byte, row int64) []byte {
	parent := g.p.pick(row)
	if parent < 0 {
		return append(dst, nullText...)
	}
	return g.ref.appendValue(dst, parent)
}

func (g *fkColumnGen) ordinal(row int64) (int64, bool) {
	og, ok := g.ref.(orderedGen)
	parent := g.p.pick(row)
	if !ok || parent < 0 {
		return 0, false
	}
	return og.ordinal(parent)
}

func (g *fkColumnGen) unit() ordinalUnit {
	if og, ok := g.ref.(orderedGen); ok {
		return og.unit()
	}
	return ordinalUnit{}
}

// comboRecipe maps rows to distinct combinations of values of several columns (dimensions of
// the given sizes), so a unique key made only of foreign keys and small-domain columns holds.
// With counter, a further integer column counts up per combination: order_items get line numbers
// 1, 2, 3 within each order.
type comboRecipe struct {
	seed    uint64
	sizes   []int64
	counter bool
}

// capacity is the number of distinct combinations (saturating).
func (r *comboRecipe) capacity() int64 {
	total := int64(1)
	for _, s := range r.sizes {
		if s <= 0 {
			return 0
		}
		if total > (1<<62)/s {
			return 1 << 62
		}
		total *= s
	}
	return total
}

type comboPicker struct {
	r         *comboRecipe
	perm      affinePerm
	dimPerms  []affinePerm
	total     int64
	cachedRow int64
	digits    []int64
	count     int64
}

func (r *comboRecipe) picker(ctx *instContext) *comboPicker {
	return ctx.shared(r, func() any {
		total := r.capacity()
		p := &comboPicker{r: r, total: total, cachedRow: -1, digits: make([]int64, len(r.sizes))}
		p.perm = newAffinePerm(uint64(total), r.seed)
		for i, s := range r.sizes {
			p.dimPerms = append(p.dimPerms, newAffinePerm(uint64(s), r.seed+uint64(i)+1))
		}
		return p
	}).(*comboPicker)
}

func (p *comboPicker) at(row int64) {
	if row == p.cachedRow {
		return
	}
	p.cachedRow = row
	var idx int64
	if p.r.counter {
		idx = row % p.total
		p.count = row / p.total
	} else {
		idx = int64(p.perm.apply(uint64(row)))
	}
	for i, s := range p.r.sizes {
		p.digits[i] = int64(p.dimPerms[i].apply(uint64(idx % s)))
		idx /= s
	}
}

func (p *comboPicker) digit(row int64, dim int) int64 {
	p.at(row)
	return p.digits[dim]
}

// comboChoiceRecipe writes a small-domain column (enum, boolean, IN list) that is a dimension of
// a combination.
type comboChoiceRecipe struct {
	combo  *comboRecipe
	dim    int
	values []string
}

type comboChoiceGen struct {
	p       *comboPicker
	dim     int
	escaped [][]byte
}

func (r *comboChoiceRecipe) instantiate(ctx *instContext) valueGen {
	g := &comboChoiceGen{p: r.combo.picker(ctx), dim: r.dim}
	for _, v := range r.values {
		g.escaped = append(g.escaped, appendEscaped(nil, v))
	}
	return g
}

func (g *comboChoiceGen) appendValue(dst []byte, row int64) []byte {
	return append(dst, g.escaped[g.p.digit(row, g.dim)]...)
}

// comboCounterRecipe writes the counter of a combination: lo, lo+1, ... per combination.
type comboCounterRecipe struct {
	combo *comboRecipe
	lo    int64
	info  typeInfo
}

type comboCounterGen struct {
	r *comboCounterRecipe
	p *comboPicker
}

func (r *comboCounterRecipe) instantiate(ctx *instContext) valueGen {
	return &comboCounterGen{r: r, p: r.combo.picker(ctx)}
}

func (g *comboCounterGen) ordinal(row int64) (int64, bool) {
	g.p.at(row)
	return g.r.lo + g.p.count, true
}

func (g *comboCounterGen) unit() ordinalUnit {
	return ordinalUnit{family: g.r.info.ordinalFamily(), scale: g.r.info.ordinalScale()}
}

func (g *comboCounterGen) appendValue(dst []byte, row int64) []byte {
	v, _ := g.ordinal(row)
	return appendOrdinal(dst, v, g.r.info)
}

// partitionRecipe picks, for each row, the leaf partition the row goes to; the partition key
// columns then take values inside that leaf's bounds.
type partitionRecipe struct {
	seed   uint64
	leaves []leafValues
}

// leafValues are the values that route a row to one leaf, per key column.
type leafValues struct {
	name string
	cols map[string]keyRange
}

// keyRange is where a key column's value lies in a leaf: an ordinal interval [lo, hi], a list
// of literals (list partitions), or one literal (a range bound of a type without ordinals).
type keyRange struct {
	ordinal bool
	lo, hi  int64
	values  []string
}

type partitionPicker struct {
	r         *partitionRecipe
	rr        *rowRand
	cachedRow int64
	leaf      int
}

func (r *partitionRecipe) picker(ctx *instContext) *partitionPicker {
	return ctx.shared(r, func() any {
		return &partitionPicker{r: r, rr: newRowRand(r.seed), cachedRow: -1}
	}).(*partitionPicker)
}

func (p *partitionPicker) pick(row int64) *leafValues {
	if row != p.cachedRow {
		p.cachedRow = row
		p.rr.at(row)
		p.leaf = int(p.rr.intn(int64(len(p.r.leaves))))
	}
	return &p.r.leaves[p.leaf]
}

// partitionColumnRecipe writes a partition key column.
type partitionColumnRecipe struct {
	part     *partitionRecipe
	column   string
	seed     uint64
	info     typeInfo
	u        ordinalUnit
	fallback recipe // for leaves that do not constrain this column
}

type partitionColumnGen struct {
	r        *partitionColumnRecipe
	p        *partitionPicker
	rr       *rowRand
	fallback valueGen
}

func (r *partitionColumnRecipe) instantiate(ctx *instContext) valueGen {
	g := &partitionColumnGen{r: r, p: r.part.picker(ctx), rr: newRowRand(r.seed)}
	if r.fallback != nil {
		g.fallback = ctx.gen(r.fallback)
	}
	return g
}

func (g *partitionColumnGen) unit() ordinalUnit { return g.r.u }

func (g *partitionColumnGen) ordinal(row int64) (int64, bool) {
	leaf := g.p.pick(row)
	kr, ok := leaf.cols[g.r.column]
	if !ok {
		if og, isOrd := g.fallback.(orderedGen); isOrd {
			return og.ordinal(row)
		}
		return 0, false
	}
	if !kr.ordinal {
		return 0, false
	}
	g.rr.at(row)
	return g.rr.between(kr.lo, kr.hi), true
}

func (g *partitionColumnGen) appendValue(dst []byte, row int64) []byte {
	leaf := g.p.pick(row)
	kr, ok := leaf.cols[g.r.column]
	switch {
	case !ok && g.fallback != nil:
		return g.fallback.appendValue(dst, row)
	case !ok:
		return append(dst, nullText...)
	case kr.ordinal:
		v, _ := g.ordinal(row)
		return appendOrdinal(dst, v, g.r.info)
	case len(kr.values) == 0:
		return append(dst, nullText...)
	}
	g.rr.at(row)
	return appendEscaped(dst, kr.values[g.rr.intn(int64(len(kr.values)))])
}
