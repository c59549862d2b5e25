package plan

import (
	"fmt"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// planPairs finds CHECKs that compare two foreign keys to the same parent column (a follower is
// not the followed: user_id <> follower_id; a pair is stored once: a_id < b_id) and has each row
// pick two different parents, ordered by their keys when the CHECK orders them (gen.PairRecipe).
// The conditions are then honoured by construction: they leave the oracle and the relations.
func (b *builder) planPairs(tb *tableBuild) {
	t := tb.tp.Table
	handled := map[string]bool{}
	for _, ck := range t.Checks {
		if len(ck.Leaves) > 0 {
			continue
		}
		for _, term := range pgexpr.Terms(checkBody(ck.Def)) {
			if b.pairOf(tb, term.Expr) {
				handled[term.Text] = true
			}
		}
	}
	if len(handled) == 0 {
		return
	}
	conds := tb.oracleConds[:0]
	for _, c := range tb.oracleConds {
		if !handled[c.text] {
			conds = append(conds, c)
		}
	}
	tb.oracleConds = conds
	rels := tb.relations[:0]
	for _, r := range tb.relations {
		if tb.pairs[t.Column(r.left)] == nil || tb.pairs[t.Column(r.right)] == nil {
			rels = append(rels, r)
		}
	}
	tb.relations = rels
}

// pairOf plans the pair a condition asks for, reporting whether it did.
func (b *builder) pairOf(tb *tableBuild, e pgexpr.Expr) bool {
	x, ok := e.(pgexpr.Binary)
	if !ok {
		return false
	}
	ordered, reversed := false, false
	switch x.Op {
	case "<>", "!=":
	case "<", "<=":
		ordered = true
	case ">", ">=":
		ordered, reversed = true, true
	default:
		return false
	}
	t := tb.tp.Table
	left, right := t.Column(columnName(x.L)), t.Column(columnName(x.R))
	if left == nil || right == nil || left == right {
		return false
	}
	if pl, pr := tb.pairs[left], tb.pairs[right]; pl != nil || pr != nil {
		if pl == nil || pr == nil || pl.Pair != pr.Pair {
			return false
		}
		if ordered { // a <> b and a < b: the pair is ordered
			pl.Pair.Ordered, pl.Pair.Reversed = true, reversed != pl.Second
		}
		return true
	}
	fl, fr := tb.fkOf[left], tb.fkOf[right]
	if fl == nil || fr == nil || fl == fr || len(fl.Refs) != 1 || len(fr.Refs) != 1 || fl.Refs[0] != fr.Refs[0] ||
		fl.Mode != gen.FKRandom || fr.Mode != gen.FKRandom || fl.ParentPart != nil || tb.deferred[left] || tb.deferred[right] {
		return false
	}
	pair := &gen.PairRecipe{Seed: gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), left.Name, right.Name, "pair"),
		ParentRows: fl.ParentRows, Ordered: ordered, Reversed: reversed, Ref: fl.Refs[0]}
	tb.pairs[left] = &gen.PairColumnRecipe{Pair: pair}
	tb.pairs[right] = &gen.PairColumnRecipe{Pair: pair, Second: true}
	return true
}

// pairKey makes a unique key over both columns of a pair hold: every row its own pair, up to
// the pairs the parents allow. It reports whether the key is such a key.
func (b *builder) pairKey(tb *tableBuild, key *catalog.UniqueKey) bool {
	for _, c := range key.Columns {
		p := tb.pairs[c]
		if p == nil || p.Second {
			continue
		}
		for _, d := range key.Columns {
			if q := tb.pairs[d]; q != nil && q.Pair == p.Pair && q.Second && key.Distinguishes(c) && key.Distinguishes(d) {
				p.Pair.Unique = true
				if capacity := p.Pair.Capacity(); tb.tp.Rows > capacity {
					b.tooManyRows(tb, key, capacity, fmt.Sprintf("%d rows of %s, taken two different at a time",
						p.Pair.ParentRows, c.Table.QualifiedName()))
				}
				return true
			}
		}
	}
	return false
}
