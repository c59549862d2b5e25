package plan

import (
	"slices"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// planLeafChecks honours the CHECKs only some partitions declare (Check.Leaves): a column they
// constrain gets, for the rows routed to each such partition, a generator that also meets that
// partition's CHECKs. (A table whose rows are not steered to partitions, such as one with hash
// partitions, meets them on every row: collectChecks merged them.) Partition key columns are
// left to the partition's bounds, which such CHECKs usually restate.
func (b *builder) planLeafChecks(tb *tableBuild) error {
	if tb.partition == nil {
		return nil
	}
	perLeaf := map[*catalog.Column][]gen.Recipe{}
	for i, leaf := range tb.partition.Leaves {
		var ownChecks []*catalog.Check
		for _, ck := range tb.tp.Table.Checks {
			if slices.Contains(ck.Leaves, leaf.Name) {
				ownChecks = append(ownChecks, ck)
			}
		}
		if len(ownChecks) == 0 {
			continue
		}
		leafTB := *tb
		leafTB.facts = map[string]*checkFacts{}
		for col, f := range tb.facts {
			leafTB.facts[col] = f.clone()
		}
		var constrained []string
		for _, ck := range ownChecks {
			f := parseCheck(ck.Def)
			leafTB.merge(f)
			for _, term := range f.unsupported {
				b.warnf("%s: CHECK constraint %s of partition %s: condition %s is not understood; its rows may violate it: %s",
					tb.tp.Table.QualifiedName(), ck.Name, leaf.Name, term.Text, ruleAdvice(termColumns(tb.tp.Table, term)))
			}
			constrained = append(constrained, f.columns()...)
		}
		slices.Sort(constrained)
		for _, name := range slices.Compact(constrained) {
			c := tb.tp.Table.Column(name)
			if c == nil || !b.leafSteerable(tb, c) {
				continue
			}
			r, err := b.valueRecipe(&leafTB, c, false)
			if err != nil {
				return err
			}
			if perLeaf[c] == nil {
				perLeaf[c] = make([]gen.Recipe, len(tb.partition.Leaves))
			}
			perLeaf[c][i] = r
		}
	}
	for c, recipes := range perLeaf {
		b.slots[c].r = &gen.LeafSwitchRecipe{Part: tb.partition, PerLeaf: recipes, Default: b.slots[c].r}
	}
	return nil
}

// leafSteerable says whether a column's generator may differ per partition: a plain value, not
// a key, a partition key, a combination's or a person's.
func (b *builder) leafSteerable(tb *tableBuild, c *catalog.Column) bool {
	_, inCombo := tb.combo[c]
	_, ruled := b.rules[c]
	_, person := tb.personParts[c]
	return b.slots[c].r != nil && tb.fkOf[c] == nil && !tb.partKeys[c.Name] && !tb.rowUnique[c] && !inCombo && !ruled && !person
}
