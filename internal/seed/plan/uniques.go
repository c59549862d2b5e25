package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

func (b *builder) planForeignKeys(tb *tableBuild) error {
	t := tb.tp.Table
	for _, fk := range t.ForeignKeys {
		parentRows := b.rows[fk.RefTable]
		if b.deferred[fk] {
			for _, c := range fk.Columns {
				tb.deferred[c] = true
			}
		}
		if parentRows == 0 && !fkNullable(fk) && tb.tp.Rows > 0 {
			return fmt.Errorf("%s gets %d rows, but its NOT NULL foreign key %s %s references %s, which gets 0 rows: "+
				"give %s rows or %s none", t.QualifiedName(), tb.tp.Rows, fk.Name, catalog.DescribeColumns(fk.Columns),
				fk.RefTable.QualifiedName(), fk.RefTable.QualifiedName(), t.QualifiedName())
		}
		r := &gen.FKRecipe{
			Seed:       gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), fk.Name, "fk"),
			ParentRows: parentRows,
		}
		if err := b.referenceLeaf(fk, r); err != nil {
			return err
		}
		if fkNullable(fk) {
			r.NullPermille = 50
		}
		if fk.RefTable == t {
			r.Mode = gen.FKSelf
			r.NullPermille = 0
			if fkNullable(fk) {
				r.NullPermille = 150 // some roots besides the first row
			}
		}
		for _, rc := range fk.RefColumns {
			r.Refs = append(r.Refs, b.slots[rc])
		}
		for i, c := range fk.Columns {
			if prev, taken := tb.fkOf[c]; taken && prev != nil {
				b.warnf("%s is in more than one foreign key; values follow the first, %s may not hold", c, fk.Name)
				continue
			}
			tb.fkOf[c] = r
			tb.fkIndex[c] = i
		}
	}
	return nil
}

// planUniques makes every unique key hold: a key with a column that can be made distinct per row
// uses it; keys made of foreign keys (and small-domain columns) map rows to distinct
// combinations, capping the row count at the number of combinations.
func (b *builder) planUniques(tb *tableBuild) error {
	t := tb.tp.Table
	for _, c := range t.Columns {
		info := b.slots[c].info
		if (c.Identity != 0 || catalog.SequenceOf(c) != "") && info.Kind == gen.KindInt && tb.fkOf[c] == nil {
			tb.rowUnique[c] = true
		}
	}
	keys := append([]*catalog.UniqueKey(nil), t.Uniques...)
	sort.SliceStable(keys, func(i, j int) bool { return len(keys[i].Columns) < len(keys[j].Columns) })
	comboUsed := map[*gen.FKRecipe]bool{}
	for _, key := range keys {
		for _, c := range key.Columns {
			tb.inUnique[c] = true
			if fk := tb.fkOf[c]; fk != nil && key.NullIsValue(c) {
				fk.NullPermille = 0 // a NULL would be a value that repeats
			}
		}
		if b.keySatisfied(tb, key) || b.pairKey(tb, key) {
			continue
		}
		if len(key.Columns) == 0 && len(key.Exprs) > 0 {
			b.constantKey(tb, key)
			continue
		}
		var groups []*gen.FKRecipe
		var others []*catalog.Column
		for _, c := range key.Columns {
			fk := tb.fkOf[c]
			if fk != nil && !tb.deferred[c] && fk.Mode != gen.FKSelf && !comboUsed[fk] && tb.pairs[c] == nil && fk.ParentPart == nil && b.fkDistinctWithin(fk, tb, key) {
				if len(groups) == 0 || groups[len(groups)-1] != fk {
					groups = appendFK(groups, fk)
				}
				continue
			}
			others = append(others, c)
		}
		if len(groups) > 0 && len(others) == 1 && b.rowUniquable(tb, others[0]) {
			if b.slots[others[0]].info.Kind == gen.KindInt {
				b.counterCombo(tb, key, groups, others[0], comboUsed)
				continue
			}
			if b.timeCounter(tb, key, groups, others[0], comboUsed) {
				continue
			}
		}
		if c := chainable(tb, others); c != nil {
			// A version chain: each row's previous is the row before it, so no two rows share it.
			tb.fkOf[c].Mode = gen.FKChain
			tb.rowUnique[c] = true
			continue
		}
		if c := b.pickRowUnique(tb, b.distinguishing(tb, key, others)); c != nil {
			tb.rowUnique[c] = true
			continue
		}
		if len(groups) > 0 || len(others) > 0 {
			if b.finiteCombo(tb, key, groups, others, comboUsed) {
				continue
			}
		}
		b.warnf("%s: cannot guarantee unique key %s %s; loading may fail on it", t.QualifiedName(), key.Name, describeKey(key))
	}
	return nil
}

func appendFK(list []*gen.FKRecipe, fk *gen.FKRecipe) []*gen.FKRecipe {
	for _, x := range list {
		if x == fk {
			return list
		}
	}
	return append(list, fk)
}

// fkDistinctWithin says whether distinct parent rows give distinct values of the key's columns
// of a foreign key: when all its columns are in the key, or when the key's part of it references
// parent columns that differ on every parent row (orders.id of a partitioned orders whose primary
// key is (id, created_at)).
func (b *builder) fkDistinctWithin(fk *gen.FKRecipe, tb *tableBuild, key *catalog.UniqueKey) bool {
	all := true
	var refs []*catalog.Column
	for _, c := range tb.tp.Table.Columns {
		if tb.fkOf[c] != fk {
			continue
		}
		if containsColumn(key.Columns, c) {
			refs = append(refs, fk.Refs[tb.fkIndex[c]].(*columnSlot).col)
		} else {
			all = false
		}
	}
	if all {
		return true
	}
	for _, r := range refs {
		if b.distinct[r] {
			return true
		}
	}
	if len(refs) == 0 {
		return false
	}
	for _, u := range refs[0].Table.Uniques {
		covered := true
		for _, uc := range u.Columns {
			covered = covered && containsColumn(refs, uc)
		}
		if covered {
			return true
		}
	}
	return false
}

func (b *builder) keySatisfied(tb *tableBuild, key *catalog.UniqueKey) bool {
	for _, set := range tb.distinctSets {
		within := len(set) > 0
		for _, c := range set {
			within = within && containsColumn(key.Columns, c) && key.Distinguishes(c)
		}
		if within {
			return true
		}
	}
	for _, c := range key.Columns {
		if tb.rowUnique[c] && (key.Distinguishes(c) || tb.uniqueStep[c] >= truncStep(key.Truncated[c], b.slots[c].info) && tb.uniqueStep[c] > 0) {
			return true
		}
		if _, ok := tb.combo[c]; ok && comboCoversKey(tb, key) {
			return true
		}
	}
	return false
}

// comboCoversKey: a combination's columns, all in the key, make the key unique.
func comboCoversKey(tb *tableBuild, key *catalog.UniqueKey) bool {
	var combo *gen.ComboRecipe
	for _, c := range key.Columns {
		switch r := tb.combo[c].(type) {
		case *gen.ComboCounterRecipe:
			combo = r.Combo
		case *gen.ComboChoiceRecipe:
			combo = r.Combo
		}
		if fk := tb.fkOf[c]; fk != nil && fk.Combo != nil {
			combo = fk.Combo
		}
	}
	if combo == nil {
		return false
	}
	for c, r := range tb.combo {
		var cr *gen.ComboRecipe
		switch x := r.(type) {
		case *gen.ComboCounterRecipe:
			cr = x.Combo
		case *gen.ComboChoiceRecipe:
			cr = x.Combo
		}
		if cr == combo && !containsColumn(key.Columns, c) {
			return false
		}
	}
	for c, fk := range tb.fkOf {
		if fk.Combo == combo && !containsColumn(key.Columns, c) {
			return false
		}
	}
	return true
}

func containsColumn(cols []*catalog.Column, c *catalog.Column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// rowUniquable says whether a column's values can be made distinct from the row number.
func (b *builder) rowUniquable(tb *tableBuild, c *catalog.Column) bool {
	if c.Generated != 0 || tb.fkOf[c] != nil || tb.partKeys[c.Name] || tb.nullOnly[c] {
		return false
	}
	if f := tb.facts[c.Name]; f != nil && len(f.allowed[c.Name]) > 0 {
		return false
	}
	if rule, ok := b.rules[c]; ok {
		switch rule.Generator {
		case "constant", "oneOf", "null", "boolean", "country", "countryCode", "currency", "state":
			return false
		}
	}
	switch b.slots[c].info.Kind {
	case gen.KindInt, gen.KindNumeric, gen.KindText, gen.KindUUID, gen.KindDate, gen.KindTimestamp, gen.KindTimestamptz, gen.KindBytea, gen.KindInet, gen.KindFloat, gen.KindMoney:
		return true
	}
	return false
}

// pickRowUnique chooses the column that makes a key unique: integers, then UUIDs, then text,
// then anything else that can be.
func (b *builder) pickRowUnique(tb *tableBuild, cols []*catalog.Column) *catalog.Column {
	rank := func(c *catalog.Column) int {
		switch b.slots[c].info.Kind {
		case gen.KindInt:
			return 0
		case gen.KindUUID:
			return 1
		case gen.KindText:
			return 2
		}
		return 3
	}
	var best *catalog.Column
	for _, c := range cols {
		if b.rowUniquable(tb, c) && (best == nil || rank(c) < rank(best)) {
			best = c
		}
	}
	return best
}

func (b *builder) counterCombo(tb *tableBuild, key *catalog.UniqueKey, groups []*gen.FKRecipe, counter *catalog.Column, used map[*gen.FKRecipe]bool) {
	t := tb.tp.Table
	combo := &gen.ComboRecipe{Seed: gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), key.Name, "combo"), Counter: true}
	for i, g := range groups {
		combo.Sizes = append(combo.Sizes, max(g.ParentRows, 1))
		g.Mode, g.Combo, g.Dim = gen.FKCombo, combo, i
		used[g] = true
	}
	lo := int64(1)
	if f := tb.facts[counter.Name]; f != nil {
		if bd := f.bounds[counter.Name]; bd != nil && bd.hasLo {
			if v, ok := gen.ParseDecimalUnits(bd.lo, 0); ok {
				lo = v
				if bd.loStrict {
					lo++
				}
			}
		}
	}
	tb.combo[counter] = &gen.ComboCounterRecipe{Combo: combo, Lo: lo, Info: b.slots[counter].info}
}

// finiteCombo builds a combination over foreign keys and small-domain columns (enums, booleans,
// IN lists). It caps the table's rows at the number of distinct combinations.
func (b *builder) finiteCombo(tb *tableBuild, key *catalog.UniqueKey, groups []*gen.FKRecipe, others []*catalog.Column, used map[*gen.FKRecipe]bool) bool {
	var finite [][]string
	var kept []*catalog.Column
	for _, c := range others {
		values := b.finiteValues(tb, c)
		if values == nil {
			if tb.fkOf[c] == nil && tb.combo[c] == nil {
				return false
			}
			// A foreign key another key's combination drives, or a column of it: distinct
			// combinations of the other columns make the whole key distinct.
			continue
		}
		kept = append(kept, c)
		finite = append(finite, values)
	}
	others = kept
	if len(groups) == 0 && len(others) == 0 {
		return false
	}
	if full := comboCapacity(groups, finite); tb.tp.Rows > full {
		s, ok := b.steerFor(tb, key)
		if ok {
			if i := indexOfColumn(others, s.col); i >= 0 && s.fixed() {
				// Constant on the rows in the key: the other columns make them distinct.
				others = append(append([]*catalog.Column(nil), others[:i]...), others[i+1:]...)
				finite = append(append([][]string(nil), finite[:i]...), finite[i+1:]...)
			}
			b.buildCombo(tb, key, groups, others, finite, used)
			tb.applySteer(s, comboCapacity(groups, finite))
			return true
		}
	}
	b.buildCombo(tb, key, groups, others, finite, used)
	if capacity := comboCapacity(groups, finite); tb.tp.Rows > capacity {
		b.tooManyRows(tb, key, capacity, b.comboParts(groups, others, finite))
	}
	// Every row now has its own combination of these columns: any key holding them all holds.
	set := append([]*catalog.Column(nil), others...)
	for c, fk := range tb.fkOf {
		for _, g := range groups {
			if fk == g && !containsColumn(set, c) {
				set = append(set, c)
			}
		}
	}
	tb.distinctSets = append(tb.distinctSets, set)
	return true
}

// comboCapacity is the number of distinct combinations of foreign keys and small domains.
func comboCapacity(groups []*gen.FKRecipe, finite [][]string) int64 {
	c := &gen.ComboRecipe{}
	for _, g := range groups {
		c.Sizes = append(c.Sizes, g.ParentRows)
	}
	for _, f := range finite {
		c.Sizes = append(c.Sizes, int64(len(f)))
	}
	return c.Capacity()
}

// distinguishing are the columns of cols whose distinct values make the key distinct: read as
// they are, or times cut to a unit (then a unique time steps by the unit, see truncStep).
func (b *builder) distinguishing(tb *tableBuild, key *catalog.UniqueKey, cols []*catalog.Column) []*catalog.Column {
	var out []*catalog.Column
	for _, c := range cols {
		if key.Distinguishes(c) {
			out = append(out, c)
		} else if step := truncStep(key.Truncated[c], b.slots[c].info); step > 0 && b.rowUniquable(tb, c) {
			tb.uniqueStep[c] = max(tb.uniqueStep[c], step)
			out = append(out, c)
		}
	}
	return out
}

// truncStep is the step, in a time column's ordinal unit, that keeps values in distinct units of
// date_trunc (0 when the unit or the type is not one it knows).
func truncStep(unit string, info gen.TypeInfo) int64 {
	days := map[string]int64{"day": 1, "week": 7, "month": 31, "quarter": 92, "year": 366}
	seconds := map[string]int64{"second": 1, "minute": 60, "hour": 3600}
	switch info.Kind {
	case gen.KindDate:
		return days[unit]
	case gen.KindTimestamp, gen.KindTimestamptz:
		if d := days[unit]; d > 0 {
			return d * gen.SecondsPerDay
		}
		return seconds[unit]
	}
	return 0
}

// buildCombo maps rows to distinct combinations of the key's foreign keys and small-domain
// columns.
func (b *builder) buildCombo(tb *tableBuild, key *catalog.UniqueKey, groups []*gen.FKRecipe, others []*catalog.Column, finite [][]string, used map[*gen.FKRecipe]bool) {
	t := tb.tp.Table
	combo := &gen.ComboRecipe{Seed: gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), key.Name, "combo")}
	for i, g := range groups {
		combo.Sizes = append(combo.Sizes, g.ParentRows)
		g.Mode, g.Combo, g.Dim = gen.FKCombo, combo, i
		used[g] = true
	}
	for i, c := range others {
		combo.Sizes = append(combo.Sizes, int64(len(finite[i])))
		tb.combo[c] = &gen.ComboChoiceRecipe{Combo: combo, Dim: len(groups) + i, Values: finite[i]}
	}
}

// comboParts describes the factors of a combination's size: "60 public.users × 3 values of role".
func (b *builder) comboParts(groups []*gen.FKRecipe, others []*catalog.Column, finite [][]string) string {
	var parts []string
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%d rows of %s", g.ParentRows, g.Refs[0].(*columnSlot).col.Table.QualifiedName()))
	}
	for i, c := range others {
		parts = append(parts, fmt.Sprintf("%d values of %s", len(finite[i]), c.Name))
	}
	return strings.Join(parts, " × ")
}

// tooManyRows handles a table asked for more rows than a unique key has distinct values for.
// A count the user asked for by name (rows.tables) is an error naming the largest count that
// fits; a count that only applies to the table by default (rows.default: a table whose key
// holds one row, such as a lock or a settings singleton, cannot mean it) or scaled from prod's
// (rows.scale, whose rounding and bounds can overshoot) is cut to it with a warning naming the
// key. Planning goes on with the cut count, so one run names every table.
func (b *builder) tooManyRows(tb *tableBuild, key *catalog.UniqueKey, capacity int64, parts string) {
	t := tb.tp.Table
	source := b.countSource[t]
	described := describeKey(key)
	if source == sourceScale || source == sourceDefault {
		b.warnf("%s: unique key %s %s allows only %d distinct rows (%s); seeding %d instead of the %d of %s",
			t.QualifiedName(), key.Name, described, capacity, parts, capacity, tb.tp.Rows, source)
	} else {
		b.tooLarge = append(b.tooLarge, fmt.Sprintf("%s: unique key %s %s allows at most %d distinct rows (%s), and %s asks for %d: "+
			"ask for at most %d rows of %s (or more rows of the tables it references)",
			t.QualifiedName(), key.Name, described, capacity, parts, source, tb.tp.Rows, capacity, t.QualifiedName()))
	}
	tb.tp.Rows = capacity
}

func (b *builder) finiteValues(tb *tableBuild, c *catalog.Column) []string {
	if f := tb.facts[c.Name]; f != nil && len(f.allowed[c.Name]) > 0 {
		return f.allowed[c.Name]
	}
	info := b.slots[c].info
	switch info.Kind {
	case gen.KindEnum:
		return info.Labels
	case gen.KindBool:
		return []string{"t", "f"}
	}
	return nil
}

// chainable returns a column of cols that is a single-column foreign key to its own table: it can
// point every row at a different earlier row.
func chainable(tb *tableBuild, cols []*catalog.Column) *catalog.Column {
	for _, c := range cols {
		if fk := tb.fkOf[c]; fk != nil && fk.Mode == gen.FKSelf && len(fk.Refs) == 1 && !tb.deferred[c] {
			return c
		}
	}
	return nil
}

// constantKey handles a unique index on a constant (ON t ((true)): "one row only"): one row is
// in it; a partial one steers the others out of it.
func (b *builder) constantKey(tb *tableBuild, key *catalog.UniqueKey) {
	if tb.tp.Rows <= 1 {
		return
	}
	if s, ok := b.steerFor(tb, key); ok {
		tb.applySteer(s, 1)
		return
	}
	b.tooManyRows(tb, key, 1, "a constant expression")
}

// describeKey names a key's columns for messages, or its expressions when it has no column.
func describeKey(key *catalog.UniqueKey) string {
	if len(key.Columns) == 0 && len(key.Exprs) > 0 {
		return "(" + strings.Join(key.Exprs, ", ") + ")"
	}
	return catalog.DescribeColumns(key.Columns)
}
