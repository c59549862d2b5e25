package gen

import (
	"bytes"
	"math"
)

// PairRecipe picks the parents of two foreign keys to the same table that a CHECK compares: a
// follower is not the followed (a <> b), a similarity is stored once (a < b). Each row gets two
// different parent rows; with Ordered, the one whose key is smaller goes first (the keys are
// compared as the parent writes them: numbers as numbers, UUIDs and text bytewise). With Unique,
// no two rows share a pair (a unique key over both columns), up to Capacity pairs.
type PairRecipe struct {
	Seed       uint64
	ParentRows int64
	Ordered    bool // a < b (Reversed: a > b)
	Reversed   bool
	Unique     bool
	Ref        Recipe // the parent's generator of the referenced column
}

// Capacity is how many distinct pairs the parents allow.
func (r *PairRecipe) Capacity() int64 {
	n := r.ParentRows
	if n < 2 {
		return 0
	}
	if r.Ordered {
		return n * (n - 1) / 2
	}
	return n * (n - 1)
}

type pairPicker struct {
	r         *PairRecipe
	rr        *rowRand
	perm      affinePerm
	ref       ValueGen
	cachedRow int64
	a, b      int64
	bufA      []byte
	bufB      []byte
}

func (r *PairRecipe) picker(ctx *InstContext) *pairPicker {
	return ctx.shared(r, func() any {
		p := &pairPicker{r: r, rr: newRowRand(r.Seed), cachedRow: -1}
		p.perm = newAffinePerm(uint64(max(r.Capacity(), 1)), r.Seed)
		ctx.gens[r] = p
		p.ref = ctx.Gen(r.Ref)
		return p
	}).(*pairPicker)
}

// at returns the two parent rows of a row (-1, -1 when the parents are too few).
func (p *pairPicker) at(row int64) (int64, int64) {
	if row == p.cachedRow {
		return p.a, p.b
	}
	p.cachedRow = row
	capacity := p.r.Capacity()
	if capacity <= 0 {
		p.a, p.b = -1, -1
		return p.a, p.b
	}
	var k int64
	if p.r.Unique {
		k = int64(p.perm.apply(uint64(row)))
	} else {
		p.rr.at(row)
		k = p.rr.intn(capacity)
	}
	p.a, p.b = p.decode(k)
	return p.a, p.b
}

// decode maps a pair index to two distinct parent rows: any ordered pair, or for Ordered an
// unordered one, oriented by the parents' keys.
func (p *pairPicker) decode(k int64) (int64, int64) {
	n := p.r.ParentRows
	if !p.r.Ordered {
		a, b := k/(n-1), k%(n-1)
		if b >= a {
			b++
		}
		return a, b
	}
	a, b := triangular(k, n)
	if p.less(b, a) != p.r.Reversed {
		a, b = b, a
	}
	return a, b
}

// triangular maps k in [0, n(n-1)/2) to the k-th pair (a, b), a < b, in row-major order.
func triangular(k, n int64) (int64, int64) {
	// Rows a hold n-1-a pairs; the first pair of row a is at a*(2n-a-1)/2.
	start := func(a int64) int64 { return a * (2*n - a - 1) / 2 }
	fa := float64(2*n-1) - math.Sqrt(float64(2*n-1)*float64(2*n-1)-8*float64(k))
	a := max(int64(fa/2), 0)
	for a > 0 && start(a) > k {
		a--
	}
	for a+1 < n && start(a+1) <= k {
		a++
	}
	return a, a + 1 + (k - start(a))
}

// less compares two parent rows' keys as the database would.
func (p *pairPicker) less(i, j int64) bool {
	if vi, ok := ordinalAt(p.ref, i); ok {
		if vj, ok := ordinalAt(p.ref, j); ok {
			return vi < vj
		}
	}
	p.bufA = p.ref.AppendValue(p.bufA[:0], i)
	p.bufB = p.ref.AppendValue(p.bufB[:0], j)
	return bytes.Compare(p.bufA, p.bufB) < 0
}

// PairColumnRecipe writes one side of a pair: the key of its parent row.
type PairColumnRecipe struct {
	Pair   *PairRecipe
	Second bool
}

type pairColumnGen struct {
	p      *pairPicker
	second bool
}

func (r *PairColumnRecipe) Instantiate(ctx *InstContext) ValueGen {
	return &pairColumnGen{p: r.Pair.picker(ctx), second: r.Second}
}

func (g *pairColumnGen) parent(row int64) int64 {
	a, b := g.p.at(row)
	if g.second {
		return b
	}
	return a
}

func (g *pairColumnGen) AppendValue(dst []byte, row int64) []byte {
	parent := g.parent(row)
	if parent < 0 {
		return append(dst, nullText...)
	}
	return g.p.ref.AppendValue(dst, parent)
}

func (g *pairColumnGen) ordinal(row int64) (int64, bool) {
	parent := g.parent(row)
	if parent < 0 {
		return 0, false
	}
	return ordinalAt(g.p.ref, parent)
}

func (g *pairColumnGen) unit() OrdinalUnit { return unitOf(g.p.ref) }
