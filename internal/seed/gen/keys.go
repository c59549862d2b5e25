package gen

// Generators for keys: foreign keys pick a parent row and write that row's key (computed, not
// read: the parent's values are a function of its row number), combinations make composite
// unique keys distinct, and partition keys fall inside a partition's bounds.

type FKMode int

const (
	// FKRandom picks any parent row.
	FKRandom FKMode = iota
	// FKSelf picks an earlier row of the same table (a tree: categories.parent_id).
	FKSelf
	// FKCombo takes the parent row from a combination, for unique keys made of foreign keys.
	FKCombo
	// FKChain points each row at the row before it (a version chain: previous_version_id), so
	// the column is distinct on every row.
	FKChain
)

// FKRecipe picks the parent row of one foreign key for each row.
type FKRecipe struct {
	Seed         uint64
	ParentRows   int64
	Mode         FKMode
	NullPermille int // nullable foreign keys: share of rows without a parent
	Combo        *ComboRecipe
	Dim          int
	Refs         []Recipe // the parent's generators of the referenced columns, in key order
	// ParentPart and ParentLeaf restrict parents to the rows routed to one partition (a foreign
	// key that references a partition): ParentPart is the parent's partition picker.
	ParentPart *PartitionRecipe
	ParentLeaf int
}

type fkPicker struct {
	r          *FKRecipe
	rr         *rowRand
	combo      *comboPicker
	refs       []ValueGen
	cachedRow  int64
	cachedPick int64
	// inLeaf are the parent rows routed to ParentLeaf, listed on first use.
	inLeaf []int64
	leaves *partitionPicker
}

func (r *FKRecipe) picker(ctx *InstContext) *fkPicker {
	return ctx.shared(r, func() any {
		p := &fkPicker{r: r, rr: newRowRand(r.Seed), cachedRow: -1}
		// Shared before the parents are resolved: a self-reference resolves to this table's own
		// key generator, which does not need the picker.
		ctx.gens[r] = p
		if r.Combo != nil {
			p.combo = r.Combo.picker(ctx)
		}
		if r.ParentPart != nil {
			p.leaves = r.ParentPart.picker(ctx)
		}
		for _, ref := range r.Refs {
			p.refs = append(p.refs, ctx.Gen(ref))
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
	if r.ParentRows <= 0 {
		return -1
	}
	p.rr.at(row)
	switch r.Mode {
	case FKCombo:
		return p.combo.digit(row, r.Dim)
	case FKChain:
		if r.NullPermille == 0 {
			return min(row, r.ParentRows-1) // NOT NULL: a row is its own first version
		}
		if row == 0 || row > r.ParentRows || p.rr.chance(r.NullPermille) {
			return -1
		}
		return row - 1
	case FKSelf:
		// Row 0 has no earlier row: a root (NULL), or itself when the column is NOT NULL.
		if row == 0 {
			if r.NullPermille > 0 {
				return -1
			}
			return 0
		}
		if p.rr.chance(r.NullPermille) {
			return -1
		}
		return p.rr.intn(min(row, r.ParentRows))
	}
	if p.rr.chance(r.NullPermille) {
		return -1
	}
	if p.leaves != nil {
		return p.pickInLeaf()
	}
	return p.rr.intn(r.ParentRows)
}

// pickInLeaf picks among the parent rows routed to the referenced partition (their partition
// is a function of their row number, so the list is computed, not read).
func (p *fkPicker) pickInLeaf() int64 {
	if p.inLeaf == nil {
		p.inLeaf = []int64{}
		for row := int64(0); row < p.r.ParentRows; row++ {
			p.leaves.pick(row)
			if p.leaves.leaf == p.r.ParentLeaf {
				p.inLeaf = append(p.inLeaf, row)
			}
		}
	}
	if len(p.inLeaf) == 0 {
		return -1 // no parent row went there: verification names the key
	}
	return p.inLeaf[p.rr.intn(int64(len(p.inLeaf)))]
}

// FKColumnRecipe writes one column of a foreign key: the parent row's value of the referenced
// column.
type FKColumnRecipe struct {
	Group *FKRecipe
	Index int
}

type fkColumnGen struct {
	p   *fkPicker
	ref ValueGen
}

func (r *FKColumnRecipe) Instantiate(ctx *InstContext) ValueGen {
	p := r.Group.picker(ctx)
	return &fkColumnGen{p: p, ref: p.refs[r.Index]}
}

func (g *fkColumnGen) AppendValue(dst []byte, row int64) []byte {
	parent := g.p.pick(row)
	if parent < 0 {
		return append(dst, nullText...)
	}
	return g.ref.AppendValue(dst, parent)
}

func (g *fkColumnGen) ordinal(row int64) (int64, bool) {
	parent := g.p.pick(row)
	if parent < 0 {
		return 0, false
	}
	return ordinalAt(g.ref, parent)
}

func (g *fkColumnGen) unit() OrdinalUnit { return unitOf(g.ref) }

// ordinalAt is a generator's ordinal at a row, when it has ordinals.
func ordinalAt(g ValueGen, row int64) (int64, bool) {
	if og, ok := g.(orderedGen); ok {
		return og.ordinal(row)
	}
	return 0, false
}

// unitOf is a generator's ordinal unit, the zero unit when it has no ordinals.
func unitOf(g ValueGen) OrdinalUnit {
	if og, ok := g.(orderedGen); ok {
		return og.unit()
	}
	return OrdinalUnit{}
}

// ComboRecipe maps rows to distinct combinations of values of several columns (dimensions of
// the given sizes), so a unique key made only of foreign keys and small-domain columns holds.
// With counter, a further integer column counts up per combination: order_items get line numbers
// 1, 2, 3 within each order.
type ComboRecipe struct {
	Seed    uint64
	Sizes   []int64
	Counter bool
}

// capacity is the number of distinct combinations (saturating).
func (r *ComboRecipe) Capacity() int64 {
	total := int64(1)
	for _, s := range r.Sizes {
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
	r         *ComboRecipe
	perm      affinePerm
	dimPerms  []affinePerm
	total     int64
	cachedRow int64
	digits    []int64
	count     int64
	idx       int64 // the row's combination
}

func (r *ComboRecipe) picker(ctx *InstContext) *comboPicker {
	return ctx.shared(r, func() any {
		total := r.Capacity()
		p := &comboPicker{r: r, total: total, cachedRow: -1, digits: make([]int64, len(r.Sizes))}
		p.perm = newAffinePerm(uint64(total), r.Seed)
		for i, s := range r.Sizes {
			p.dimPerms = append(p.dimPerms, newAffinePerm(uint64(s), r.Seed+uint64(i)+1))
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
	if p.r.Counter {
		idx = row % p.total
		p.count = row / p.total
	} else {
		idx = int64(p.perm.apply(uint64(row)))
	}
	p.idx = idx
	for i, s := range p.r.Sizes {
		p.digits[i] = int64(p.dimPerms[i].apply(uint64(idx % s)))
		idx /= s
	}
}

func (p *comboPicker) digit(row int64, dim int) int64 {
	p.at(row)
	return p.digits[dim]
}

// ComboChoiceRecipe writes a small-domain column (enum, boolean, IN list) that is a dimension of
// a combination.
type ComboChoiceRecipe struct {
	Combo  *ComboRecipe
	Dim    int
	Values []string
}

type comboChoiceGen struct {
	p       *comboPicker
	dim     int
	escaped [][]byte
}

func (r *ComboChoiceRecipe) Instantiate(ctx *InstContext) ValueGen {
	g := &comboChoiceGen{p: r.Combo.picker(ctx), dim: r.Dim}
	for _, v := range r.Values {
		g.escaped = append(g.escaped, appendEscaped(nil, v))
	}
	return g
}

func (g *comboChoiceGen) AppendValue(dst []byte, row int64) []byte {
	return append(dst, g.escaped[g.p.digit(row, g.dim)]...)
}

// ComboCounterRecipe writes the counter of a combination: lo, lo+1, ... per combination. A
// time counter (one report per person and day, one budget per team and month) steps by Step
// from its own start: Lo plus an offset below Spread that is a function of the combination
// alone, so each combination's values stay distinct while combinations start apart; Grid
// snaps the values to the unit.
type ComboCounterRecipe struct {
	Combo  *ComboRecipe
	Lo     int64
	Info   TypeInfo
	Step   int64 // 0 is 1
	Spread int64 // offsets in [0, Spread) steps; 0 for none
	Grid   *Grid
}

type comboCounterGen struct {
	r *ComboCounterRecipe
	p *comboPicker
}

func (r *ComboCounterRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &comboCounterGen{r: r, p: r.Combo.picker(ctx)}
}

func (g *comboCounterGen) ordinal(row int64) (int64, bool) {
	g.p.at(row)
	step := max(g.r.Step, 1)
	n := g.p.count
	if g.r.Spread > 0 {
		n += int64(mix64(uint64(g.p.idx)^g.r.Combo.Seed) % uint64(g.r.Spread))
	}
	return g.r.Grid.Snap(g.r.Lo + n*step), true
}

func (g *comboCounterGen) unit() OrdinalUnit {
	return OrdinalUnit{Family: g.r.Info.OrdinalFamily(), Scale: g.r.Info.OrdinalScale()}
}

func (g *comboCounterGen) AppendValue(dst []byte, row int64) []byte {
	v, _ := g.ordinal(row)
	return AppendOrdinal(dst, v, g.r.Info)
}

// ParentValueRecipe is, for each row, a column's value at the parent row its foreign key picks:
// an order's created_at reads its customer's, so the order can come after the customer. It is
// only read by other generators (as an ordinal), never written.
type ParentValueRecipe struct {
	FK     *FKRecipe
	Parent Recipe
}

// Instantiate reads the parent's generator at the picked parent row, as a foreign key column
// does.
func (r *ParentValueRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &fkColumnGen{p: r.FK.picker(ctx), ref: ctx.Gen(r.Parent)}
}
