package plan

import (
	"fmt"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// wireRelations makes columns follow the columns their CHECKs compare them with (shipped_at >
// created_at, sale_price <= price), and updated_at follow created_at.
func (b *builder) wireRelations(tb *tableBuild) {
	t := tb.tp.Table
	rels := append([]relation(nil), tb.relations...)
	implied := impliedRelations(t, rels)
	rels = append(rels, implied...)
	dependsOn := map[*catalog.Column][]*catalog.Column{}
	var reaches func(from, to *catalog.Column, depth int) bool
	reaches = func(from, to *catalog.Column, depth int) bool {
		if from == to {
			return true
		}
		if depth > 64 {
			return true
		}
		for _, d := range dependsOn[from] {
			if reaches(d, to, depth+1) {
				return true
			}
		}
		return false
	}
	free := func(c *catalog.Column) *gen.OrdinalRecipe {
		r, ok := b.slots[c].r.(*gen.OrdinalRecipe)
		if cv, isCover := b.slots[c].r.(*gen.CoverRecipe); isCover {
			// The rows with the column's own values follow relations.
			if r, ok = cv.Out.(*gen.OrdinalRecipe); !ok {
				r, ok = cv.In.(*gen.OrdinalRecipe)
			}
		}
		if !ok || r.Unique {
			return nil
		}
		return r
	}
	for _, rel := range rels {
		left, right := t.Column(rel.left), t.Column(rel.right)
		if left == nil || right == nil || left == right {
			continue
		}
		if sl, sr := tb.spans[left], tb.spans[right]; sl != nil && sr != nil && sl.Span == sr.Span {
			continue // a span ends after it starts (a CHECK ends_at > starts_at holds)
		}
		li, ri := b.slots[left].info, b.slots[right].info
		if li.OrdinalFamily() == 0 || li.OrdinalFamily() != ri.OrdinalFamily() {
			if rel.implied {
				continue // only the names suggested it
			}
			b.warnf("%s: cannot relate %s %s %s (types %s and %s)", t.QualifiedName(), rel.left, rel.op, rel.right, li.Name, ri.Name)
			continue
		}
		dep, ref, op := left, right, rel.op
		if free(dep) == nil || reaches(ref, dep, 0) {
			dep, ref, op = right, left, flippedOp[rel.op]
		}
		r := free(dep)
		if r == nil || reaches(ref, dep, 0) || b.slots[ref].r == nil {
			if rel.implied {
				continue
			}
			b.warnf("%s: cannot honour %s %s %s: neither column is free to follow the other", t.QualifiedName(), rel.left, rel.op, rel.right)
			continue
		}
		dependsOn[dep] = append(dependsOn[dep], ref)
		switch op {
		case ">":
			r.Lower = append(r.Lower, gen.OrdRef{Ref: b.slots[ref], Strict: true})
		case ">=":
			r.Lower = append(r.Lower, gen.OrdRef{Ref: b.slots[ref]})
		case "<":
			r.Upper = append(r.Upper, gen.OrdRef{Ref: b.slots[ref], Strict: true})
		case "<=":
			r.Upper = append(r.Upper, gen.OrdRef{Ref: b.slots[ref]})
		}
	}
	b.followParents(tb)
}

func relatedPair(rels []relation, a, b string) bool {
	for _, r := range rels {
		if r.left == a && r.right == b || r.left == b && r.right == a {
			return true
		}
	}
	return false
}

// planDeferred prepares the second pass of the foreign keys that close a cycle: rows are found
// by a key the generator wrote, and their foreign key columns set.
func (b *builder) planDeferred(tb *tableBuild) error {
	t := tb.tp.Table
	for _, fk := range t.ForeignKeys {
		if !b.deferred[fk] {
			continue
		}
		key := b.rowKey(tb)
		if key == nil {
			return fmt.Errorf("foreign key %s of %s closes a cycle and is set after loading, which needs a primary key "+
				"or a NOT NULL unique key on %s that the generator writes", fk.Name, t.QualifiedName(), t.QualifiedName())
		}
		r := &gen.FKRecipe{
			Seed:         gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), fk.Name, "fk"),
			ParentRows:   b.rows[fk.RefTable],
			NullPermille: 50,
		}
		for _, rc := range fk.RefColumns {
			r.Refs = append(r.Refs, b.slots[rc])
		}
		if err := b.referenceLeaf(fk, r); err != nil {
			return err
		}
		d := &DeferredFK{FK: fk, Key: key.Columns}
		for _, c := range key.Columns {
			d.KeyRecipes = append(d.KeyRecipes, b.slots[c])
		}
		for i := range fk.Columns {
			d.FKRecipes = append(d.FKRecipes, &gen.FKColumnRecipe{Group: r, Index: i})
		}
		tb.tp.Deferred = append(tb.tp.Deferred, d)
	}
	return nil
}

// rowKey is a unique key whose columns are all written by the generator, NOT NULL and not
// themselves set later: the primary key when it qualifies.
func (b *builder) rowKey(tb *tableBuild) *catalog.UniqueKey {
	written := map[*catalog.Column]bool{}
	for _, c := range tb.tp.Columns {
		written[c] = true
	}
	keys := append([]*catalog.UniqueKey(nil), tb.tp.Table.Uniques...)
	for _, primaryFirst := range []bool{true, false} {
		for _, k := range keys {
			if k.Primary != primaryFirst || k.Partial {
				continue
			}
			ok := true
			for _, c := range k.Columns {
				ok = ok && written[c] && !tb.deferred[c] && b.notNull(tb, c) && !tb.nullOnly[c]
			}
			if ok {
				return k
			}
		}
	}
	return nil
}
