package gen

// Partitioned tables: each row goes to one leaf partition, and the columns that route it (and
// those some partitions constrain further) follow that pick.

// PartitionRecipe picks, for each row, the leaf partition the row goes to; the partition key
// columns then take values inside that leaf's bounds.
type PartitionRecipe struct {
	Seed   uint64
	Leaves []LeafValues
}

// LeafValues are the values that route a row to one leaf, per key column.
type LeafValues struct {
	Name string
	Cols map[string]KeyRange
}

// KeyRange is where a key column's value lies in a leaf: an ordinal interval [lo, hi], a list
// of literals (list partitions), or one literal (a range bound of a type without ordinals).
type KeyRange struct {
	Ordinal bool
	Lo, Hi  int64
	Values  []string
}

type partitionPicker struct {
	r         *PartitionRecipe
	rr        *rowRand
	cachedRow int64
	leaf      int
}

func (r *PartitionRecipe) picker(ctx *InstContext) *partitionPicker {
	return ctx.shared(r, func() any {
		return &partitionPicker{r: r, rr: newRowRand(r.Seed), cachedRow: -1}
	}).(*partitionPicker)
}

func (p *partitionPicker) pick(row int64) *LeafValues {
	if row != p.cachedRow {
		p.cachedRow = row
		p.rr.at(row)
		p.leaf = int(p.rr.intn(int64(len(p.r.Leaves))))
	}
	return &p.r.Leaves[p.leaf]
}

// PartitionColumnRecipe writes a partition key column.
type PartitionColumnRecipe struct {
	Part     *PartitionRecipe
	Column   string
	Seed     uint64
	Info     TypeInfo
	Unit     OrdinalUnit
	Fallback Recipe // for leaves that do not constrain this column
}

type partitionColumnGen struct {
	r        *PartitionColumnRecipe
	p        *partitionPicker
	rr       *rowRand
	fallback ValueGen
}

func (r *PartitionColumnRecipe) Instantiate(ctx *InstContext) ValueGen {
	g := &partitionColumnGen{r: r, p: r.Part.picker(ctx), rr: newRowRand(r.Seed)}
	if r.Fallback != nil {
		g.fallback = ctx.Gen(r.Fallback)
	}
	return g
}

func (g *partitionColumnGen) unit() OrdinalUnit { return g.r.Unit }

func (g *partitionColumnGen) ordinal(row int64) (int64, bool) {
	leaf := g.p.pick(row)
	kr, ok := leaf.Cols[g.r.Column]
	if !ok {
		if og, isOrd := g.fallback.(orderedGen); isOrd {
			return og.ordinal(row)
		}
		return 0, false
	}
	if !kr.Ordinal {
		return 0, false
	}
	g.rr.at(row)
	return g.rr.between(kr.Lo, kr.Hi), true
}

func (g *partitionColumnGen) AppendValue(dst []byte, row int64) []byte {
	leaf := g.p.pick(row)
	kr, ok := leaf.Cols[g.r.Column]
	switch {
	case !ok && g.fallback != nil:
		return g.fallback.AppendValue(dst, row)
	case !ok:
		return append(dst, nullText...)
	case kr.Ordinal:
		v, _ := g.ordinal(row)
		return AppendOrdinal(dst, v, g.r.Info)
	case len(kr.Values) == 0:
		return append(dst, nullText...)
	}
	g.rr.at(row)
	return appendEscaped(dst, kr.Values[g.rr.intn(int64(len(kr.Values)))])
}

// LeafSwitchRecipe generates a column with a different generator for the rows routed to some
// partitions: the ones whose own CHECKs constrain it further (PerLeaf[i] for Part's i-th leaf;
// nil entries use Default).
type LeafSwitchRecipe struct {
	Part    *PartitionRecipe
	PerLeaf []Recipe
	Default Recipe
}

type leafSwitchGen struct {
	p    *partitionPicker
	gens []ValueGen
}

func (r *LeafSwitchRecipe) Instantiate(ctx *InstContext) ValueGen {
	g := &leafSwitchGen{p: r.Part.picker(ctx)}
	def := ctx.Gen(r.Default)
	for _, l := range r.PerLeaf {
		if l == nil {
			g.gens = append(g.gens, def)
		} else {
			g.gens = append(g.gens, ctx.Gen(l))
		}
	}
	return g
}

func (g *leafSwitchGen) at(row int64) ValueGen {
	g.p.pick(row)
	return g.gens[g.p.leaf]
}

func (g *leafSwitchGen) AppendValue(dst []byte, row int64) []byte {
	return g.at(row).AppendValue(dst, row)
}

func (g *leafSwitchGen) ordinal(row int64) (int64, bool) { return ordinalAt(g.at(row), row) }

func (g *leafSwitchGen) unit() OrdinalUnit {
	for _, x := range g.gens {
		if u := unitOf(x); u != (OrdinalUnit{}) {
			return u
		}
	}
	return OrdinalUnit{}
}
