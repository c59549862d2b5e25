package seed

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// plan is everything loading needs: the tables in order, each with its row count and the
// recipes of the values of its columns.
type plan struct {
	tables   []*tablePlan
	byTable  map[*Table]*tablePlan
	warnings []string
}

type tablePlan struct {
	table *Table
	rows  int64
	// deps are the tables that must be loaded (committed) first.
	deps []*tablePlan
	// columns are written by COPY in this order, with recipes[i] generating columns[i].
	columns  []*Column
	recipes  []recipe
	deferred []*deferredFK
	// sequences are advanced past the generated keys after loading.
	sequences []sequenceFix
}

// deferredFK is a foreign key that closes a cycle: NULL while loading, set by an UPDATE after.
type deferredFK struct {
	fk         *ForeignKey
	key        []*Column // identifies the rows to update
	keyRecipes []recipe
	fkRecipes  []recipe
}

type sequenceFix struct {
	sequence string
	column   *Column
}

// columnSlot stands for a column's recipe before it is chosen, so recipes can refer to columns
// of tables that are planned later (foreign keys closing a cycle, relations).
type columnSlot struct {
	col  *Column
	info typeInfo
	r    recipe
}

func (s *columnSlot) instantiate(ctx *instContext) valueGen {
	if s.r == nil {
		return nullGen{}
	}
	return ctx.gen(s.r)
}

type builder struct {
	cat      *Catalog
	spec     Spec
	slots    map[*Column]*columnSlot
	rows     map[*Table]int64
	deferred map[*ForeignKey]bool
	rules    map[*Column]ColumnRule
	plan     *plan
	// distinct are columns (of tables planned so far) whose values differ on every row.
	distinct map[*Column]bool
}

// buildPlan decides how every column of every table is generated.
func buildPlan(cat *Catalog, spec Spec) (*plan, error) {
	b := &builder{cat: cat, spec: spec, slots: map[*Column]*columnSlot{}, plan: &plan{byTable: map[*Table]*tablePlan{}}, distinct: map[*Column]bool{}}
	var err error
	if b.rows, err = rowCounts(cat, spec); err != nil {
		return nil, err
	}
	if b.rules, err = columnRules(cat, spec); err != nil {
		return nil, err
	}
	order, deferred, err := orderTables(cat.Tables)
	if err != nil {
		return nil, err
	}
	b.deferred = deferred
	for _, t := range cat.Tables {
		for _, c := range t.Columns {
			base, typmod, _, _ := c.resolved()
			b.slots[c] = &columnSlot{col: c, info: typeInfoOf(base, typmod)}
		}
	}
	for _, t := range order {
		tp := &tablePlan{table: t, rows: b.rows[t]}
		b.plan.tables = append(b.plan.tables, tp)
		b.plan.byTable[t] = tp
	}
	for _, tp := range b.plan.tables {
		for _, fk := range tp.table.ForeignKeys {
			if fk.RefTable != tp.table && !deferred[fk] {
				tp.deps = appendPlan(tp.deps, b.plan.byTable[fk.RefTable])
			}
		}
		if err := b.buildTable(tp); err != nil {
			return nil, err
		}
	}
	return b.plan, nil
}

func appendPlan(list []*tablePlan, tp *tablePlan) []*tablePlan {
	for _, x := range list {
		if x == tp {
			return list
		}
	}
	return append(list, tp)
}

func (b *builder) warnf(format string, args ...any) {
	b.plan.warnings = append(b.plan.warnings, fmt.Sprintf(format, args...))
}

// rowCounts resolves the spec's row counts to tables. A name that matches no table is an error:
// a typo would otherwise seed the default silently.
func rowCounts(cat *Catalog, spec Spec) (map[*Table]int64, error) {
	counts := map[*Table]int64{}
	for _, t := range cat.Tables {
		counts[t] = spec.DefaultRows
	}
	names := make([]string, 0, len(spec.Tables))
	for name := range spec.Tables {
		names = append(names, name)
	}
	// Bare names first, so "schema.table" wins over "table" for the same table.
	sort.Slice(names, func(i, j int) bool {
		di, dj := strings.Contains(names[i], "."), strings.Contains(names[j], ".")
		if di != dj {
			return !di
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		matched := matchTables(cat, name)
		if len(matched) == 0 {
			return nil, fmt.Errorf("rows.tables names %q, which is not a table of the database%s", name, partitionHint(cat, name))
		}
		for _, t := range matched {
			counts[t] = spec.Tables[name]
		}
	}
	return counts, nil
}

func matchTables(cat *Catalog, name string) []*Table {
	var out []*Table
	for _, t := range cat.Tables {
		if t.QualifiedName() == name || !strings.Contains(name, ".") && t.Name == name {
			out = append(out, t)
		}
	}
	return out
}

func partitionHint(cat *Catalog, name string) string {
	for _, t := range cat.Tables {
		for _, l := range t.Leaves {
			if l.Name == name || strings.HasSuffix(l.Name, "."+name) {
				return fmt.Sprintf(" (%s is a partition of %s: set the rows of %s)", l.Name, t.QualifiedName(), t.QualifiedName())
			}
		}
	}
	return ""
}

func columnRules(cat *Catalog, spec Spec) (map[*Column]ColumnRule, error) {
	rules := map[*Column]ColumnRule{}
	for _, r := range spec.Columns {
		tables := matchTables(cat, r.Table)
		if len(tables) == 0 {
			return nil, fmt.Errorf("columns rule for %s.%s: no table %q in the database", r.Table, r.Column, r.Table)
		}
		for _, t := range tables {
			c := t.Column(r.Column)
			if c == nil {
				return nil, fmt.Errorf("columns rule for %s.%s: table %s has no column %q", r.Table, r.Column, t.QualifiedName(), r.Column)
			}
			if c.Generated != 0 {
				return nil, fmt.Errorf("columns rule for %s: the column is GENERATED ALWAYS AS (...) STORED and cannot be written", c)
			}
			rules[c] = r
		}
	}
	return rules, nil
}

// tableBuild holds what is decided about one table while its columns are planned.
type tableBuild struct {
	tp        *tablePlan
	facts     map[string]*checkFacts // per column: everything the CHECKs say about it
	relations []relation
	fkOf      map[*Column]*fkRecipe
	fkIndex   map[*Column]int
	combo     map[*Column]recipe // columns generated by a combination
	rowUnique map[*Column]bool
	partition *partitionRecipe
	partKeys  map[string]bool
	nullOnly  map[*Column]bool // unsupported CHECKs on nullable columns: NULL passes them
	inUnique  map[*Column]bool
	deferred  map[*Column]bool
}

func (b *builder) buildTable(tp *tablePlan) error {
	t := tp.table
	tb := &tableBuild{
		tp: tp, facts: map[string]*checkFacts{}, fkOf: map[*Column]*fkRecipe{}, fkIndex: map[*Column]int{},
		combo: map[*Column]recipe{}, rowUnique: map[*Column]bool{}, partKeys: map[string]bool{},
		nullOnly: map[*Column]bool{}, inUnique: map[*Column]bool{}, deferred: map[*Column]bool{},
	}
	b.collectChecks(tb)
	for _, name := range t.Exclusions {
		b.warnf("%s: EXCLUDE constraint %s is not generated for; loading may fail on it", t.QualifiedName(), name)
	}
	if err := b.planForeignKeys(tb); err != nil {
		return err
	}
	b.planPartitions(tb)
	if err := b.planUniques(tb); err != nil {
		return err
	}
	for c := range tb.rowUnique {
		b.distinct[c] = true
	}
	for _, c := range t.Columns {
		if c.Generated != 0 {
			continue // GENERATED ALWAYS AS (...) STORED: the database computes it
		}
		r, err := b.columnRecipe(tb, c)
		if err != nil {
			return err
		}
		if r == nil {
			continue // left to its default
		}
		b.slots[c].r = r
		tp.columns = append(tp.columns, c)
		tp.recipes = append(tp.recipes, b.slots[c])
		if seq := sequenceOf(c); seq != "" {
			tp.sequences = append(tp.sequences, sequenceFix{sequence: seq, column: c})
		}
	}
	b.wireRelations(tb)
	return b.planDeferred(tb)
}

var nextvalRE = regexp.MustCompile(`^nextval\('((?:[^']|'')+)'::regclass\)$`)

// sequenceOf names the sequence that hands out a column's values: the owned sequence of a serial
// or identity column, or the one its nextval() default names.
func sequenceOf(c *Column) string {
	if c.Sequence != "" {
		return c.Sequence
	}
	if m := nextvalRE.FindStringSubmatch(c.Default); m != nil {
		return strings.ReplaceAll(m[1], "''", "'")
	}
	return ""
}

// collectChecks reads the table's CHECK constraints and the domains' CHECKs into per-column facts.
func (b *builder) collectChecks(tb *tableBuild) {
	t := tb.tp.table
	factsFor := func(col string) *checkFacts {
		if tb.facts[col] == nil {
			tb.facts[col] = newCheckFacts()
		}
		return tb.facts[col]
	}
	merge := func(f *checkFacts, source string) {
		for col, bd := range f.bounds {
			dst := factsFor(col)
			if prev := dst.bounds[col]; prev != nil {
				if bd.hasLo {
					prev.lo, prev.hasLo, prev.loStrict = bd.lo, true, bd.loStrict
				}
				if bd.hasHi {
					prev.hi, prev.hasHi, prev.hiStrict = bd.hi, true, bd.hiStrict
				}
			} else {
				dst.bounds[col] = bd
			}
		}
		for col, v := range f.allowed {
			factsFor(col).allow(col, v)
		}
		for col := range f.notNull {
			factsFor(col).notNull[col] = true
		}
		for col, n := range f.minLength {
			factsFor(col).minLength[col] = max(factsFor(col).minLength[col], n)
		}
		for col, n := range f.maxLength {
			factsFor(col).setMaxLength(col, n)
		}
		for col, p := range f.patterns {
			factsFor(col).patterns[col] = append(factsFor(col).patterns[col], p...)
		}
		tb.relations = append(tb.relations, f.relations...)
		for _, e := range f.unsupported {
			b.unsupportedCheck(tb, source, e)
		}
	}
	for _, ck := range t.Checks {
		f, err := parseCheck(ck.Def)
		if err != nil {
			b.unsupportedWhole(tb, ck)
			continue
		}
		merge(f, "constraint "+ck.Name)
	}
	for _, c := range t.Columns {
		_, _, domainChecks, _ := c.resolved()
		for _, def := range domainChecks {
			f, err := parseCheck(def)
			if err != nil {
				b.warnf("%s: the domain CHECK %s is not understood; values may violate it", c, def)
				continue
			}
			merge(f.renameColumn("value", c.Name), "domain "+c.Type.Display)
		}
	}
}

// unsupportedCheck handles a CHECK condition the generator cannot honour. A CHECK passes when
// its condition is NULL, so a nullable column that the condition depends on strictly (no IS
// NULL, OR, COALESCE) is left NULL; otherwise the load may fail and the error names it.
func (b *builder) unsupportedCheck(tb *tableBuild, source string, e expr) {
	if !nullStrict(e) {
		b.warnf("%s: %s condition %s is not understood; values may violate it", tb.tp.table.QualifiedName(), source, e)
		return
	}
	for _, name := range columnsOf(e) {
		c := tb.tp.table.Column(name)
		if c != nil && !c.NotNull && c.Generated == 0 {
			tb.nullOnly[c] = true
			b.warnf("%s: %s condition %s is not understood; the column is left NULL", c, source, e)
			return
		}
	}
	b.warnf("%s: %s condition %s is not understood; values may violate it", tb.tp.table.QualifiedName(), source, e)
}

func (b *builder) unsupportedWhole(tb *tableBuild, ck *Check) {
	b.warnf("%s: CHECK constraint %s (%s) could not be parsed; values may violate it", tb.tp.table.QualifiedName(), ck.Name, ck.Def)
}

// nullStrict says whether a NULL in any column makes the expression NULL.
func nullStrict(e expr) bool {
	strict := true
	var walk func(expr)
	walk = func(e expr) {
		switch x := e.(type) {
		case isNullExpr, orExpr:
			strict = false
		case funcExpr:
			if x.name == "coalesce" || x.name == "nullif" || strings.Contains(x.name, "concat") {
				strict = false
			}
			for _, a := range x.args {
				walk(a)
			}
		case binExpr:
			walk(x.l)
			walk(x.r)
		case castExpr:
			walk(x.x)
		case unaryExpr:
			walk(x.x)
		case notExpr:
			walk(x.x)
		case andExpr:
			strict = false
		}
	}
	walk(e)
	return strict
}

func (b *builder) planForeignKeys(tb *tableBuild) error {
	t := tb.tp.table
	for _, fk := range t.ForeignKeys {
		parentRows := b.rows[fk.RefTable]
		if b.deferred[fk] {
			for _, c := range fk.Columns {
				tb.deferred[c] = true
			}
		}
		if parentRows == 0 && !fkNullable(fk) && tb.tp.rows > 0 {
			return fmt.Errorf("%s gets %d rows, but its NOT NULL foreign key %s %s references %s, which gets 0 rows: "+
				"give %s rows or %s none", t.QualifiedName(), tb.tp.rows, fk.Name, describeColumns(fk.Columns),
				fk.RefTable.QualifiedName(), fk.RefTable.QualifiedName(), t.QualifiedName())
		}
		r := &fkRecipe{
			seed:       deriveSeed(b.spec.Seed, t.QualifiedName(), fk.Name, "fk"),
			parentRows: parentRows,
		}
		if fkNullable(fk) {
			r.nullPermille = 50
		}
		if fk.RefTable == t {
			r.mode = fkSelf
			r.nullPermille = 0
			if fkNullable(fk) {
				r.nullPermille = 150 // some roots besides the first row
			}
		}
		for _, rc := range fk.RefColumns {
			r.refs = append(r.refs, b.slots[rc])
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
	t := tb.tp.table
	for _, c := range t.Columns {
		info := b.slots[c].info
		if (c.Identity != 0 || sequenceOf(c) != "") && info.kind == kInt && tb.fkOf[c] == nil {
			tb.rowUnique[c] = true
		}
	}
	keys := append([]*UniqueKey(nil), t.Uniques...)
	sort.SliceStable(keys, func(i, j int) bool { return len(keys[i].Columns) < len(keys[j].Columns) })
	comboUsed := map[*fkRecipe]bool{}
	for _, key := range keys {
		for _, c := range key.Columns {
			tb.inUnique[c] = true
		}
		if b.keySatisfied(tb, key) {
			continue
		}
		var groups []*fkRecipe
		var others []*Column
		for _, c := range key.Columns {
			fk := tb.fkOf[c]
			if fk != nil && !tb.deferred[c] && fk.mode != fkSelf && !comboUsed[fk] && b.fkDistinctWithin(fk, tb, key) {
				if len(groups) == 0 || groups[len(groups)-1] != fk {
					groups = appendFK(groups, fk)
				}
				continue
			}
			others = append(others, c)
		}
		if len(groups) > 0 && len(others) == 1 && b.slots[others[0]].info.kind == kInt && b.rowUniquable(tb, others[0]) {
			b.counterCombo(tb, key, groups, others[0], comboUsed)
			continue
		}
		if c := b.pickRowUnique(tb, others); c != nil {
			tb.rowUnique[c] = true
			continue
		}
		if len(groups) > 0 || len(others) > 0 {
			if b.finiteCombo(tb, key, groups, others, comboUsed) {
				continue
			}
		}
		b.warnf("%s: cannot guarantee unique key %s %s; loading may fail on it", t.QualifiedName(), key.Name, describeColumns(key.Columns))
	}
	return nil
}

func appendFK(list []*fkRecipe, fk *fkRecipe) []*fkRecipe {
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
func (b *builder) fkDistinctWithin(fk *fkRecipe, tb *tableBuild, key *UniqueKey) bool {
	all := true
	var refs []*Column
	for _, c := range tb.tp.table.Columns {
		if tb.fkOf[c] != fk {
			continue
		}
		if containsColumn(key.Columns, c) {
			refs = append(refs, fk.refs[tb.fkIndex[c]].(*columnSlot).col)
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

func (b *builder) keySatisfied(tb *tableBuild, key *UniqueKey) bool {
	for _, c := range key.Columns {
		if tb.rowUnique[c] {
			return true
		}
		if _, ok := tb.combo[c]; ok && comboCoversKey(tb, key) {
			return true
		}
	}
	return false
}

// comboCoversKey: a combination's columns, all in the key, make the key unique.
func comboCoversKey(tb *tableBuild, key *UniqueKey) bool {
	var combo *comboRecipe
	for _, c := range key.Columns {
		switch r := tb.combo[c].(type) {
		case *comboCounterRecipe:
			combo = r.combo
		case *comboChoiceRecipe:
			combo = r.combo
		}
		if fk := tb.fkOf[c]; fk != nil && fk.combo != nil {
			combo = fk.combo
		}
	}
	if combo == nil {
		return false
	}
	for c, r := range tb.combo {
		var cr *comboRecipe
		switch x := r.(type) {
		case *comboCounterRecipe:
			cr = x.combo
		case *comboChoiceRecipe:
			cr = x.combo
		}
		if cr == combo && !containsColumn(key.Columns, c) {
			return false
		}
	}
	for c, fk := range tb.fkOf {
		if fk.combo == combo && !containsColumn(key.Columns, c) {
			return false
		}
	}
	return true
}

func containsColumn(cols []*Column, c *Column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

// rowUniquable says whether a column's values can be made distinct from the row number.
func (b *builder) rowUniquable(tb *tableBuild, c *Column) bool {
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
	switch b.slots[c].info.kind {
	case kInt, kNumeric, kText, kUUID, kDate, kTimestamp, kTimestamptz, kBytea, kInet, kFloat, kMoney:
		return true
	}
	return false
}

// pickRowUnique chooses the column that makes a key unique: integers, then UUIDs, then text,
// then anything else that can be.
func (b *builder) pickRowUnique(tb *tableBuild, cols []*Column) *Column {
	rank := func(c *Column) int {
		switch b.slots[c].info.kind {
		case kInt:
			return 0
		case kUUID:
			return 1
		case kText:
			return 2
		}
		return 3
	}
	var best *Column
	for _, c := range cols {
		if b.rowUniquable(tb, c) && (best == nil || rank(c) < rank(best)) {
			best = c
		}
	}
	return best
}

func (b *builder) counterCombo(tb *tableBuild, key *UniqueKey, groups []*fkRecipe, counter *Column, used map[*fkRecipe]bool) {
	t := tb.tp.table
	combo := &comboRecipe{seed: deriveSeed(b.spec.Seed, t.QualifiedName(), key.Name, "combo"), counter: true}
	for i, g := range groups {
		combo.sizes = append(combo.sizes, max(g.parentRows, 1))
		g.mode, g.combo, g.dim = fkCombo, combo, i
		used[g] = true
	}
	lo := int64(1)
	if f := tb.facts[counter.Name]; f != nil {
		if bd := f.bounds[counter.Name]; bd != nil && bd.hasLo {
			if v, ok := parseDecimalUnits(bd.lo, 0); ok {
				lo = v
				if bd.loStrict {
					lo++
				}
			}
		}
	}
	tb.combo[counter] = &comboCounterRecipe{combo: combo, lo: lo, info: b.slots[counter].info}
}

// finiteCombo builds a combination over foreign keys and small-domain columns (enums, booleans,
// IN lists). It caps the table's rows at the number of distinct combinations.
func (b *builder) finiteCombo(tb *tableBuild, key *UniqueKey, groups []*fkRecipe, others []*Column, used map[*fkRecipe]bool) bool {
	var finite [][]string
	for _, c := range others {
		values := b.finiteValues(tb, c)
		if values == nil {
			return false
		}
		finite = append(finite, values)
	}
	t := tb.tp.table
	combo := &comboRecipe{seed: deriveSeed(b.spec.Seed, t.QualifiedName(), key.Name, "combo")}
	for i, g := range groups {
		combo.sizes = append(combo.sizes, g.parentRows)
		g.mode, g.combo, g.dim = fkCombo, combo, i
		used[g] = true
	}
	for i, c := range others {
		combo.sizes = append(combo.sizes, int64(len(finite[i])))
		tb.combo[c] = &comboChoiceRecipe{combo: combo, dim: len(groups) + i, values: finite[i]}
	}
	if capacity := combo.capacity(); tb.tp.rows > capacity {
		b.warnf("%s: unique key %s %s allows only %d distinct rows; seeding %d instead of %d",
			t.QualifiedName(), key.Name, describeColumns(key.Columns), capacity, capacity, tb.tp.rows)
		tb.tp.rows = capacity
	}
	return true
}

func (b *builder) finiteValues(tb *tableBuild, c *Column) []string {
	if f := tb.facts[c.Name]; f != nil && len(f.allowed[c.Name]) > 0 {
		return f.allowed[c.Name]
	}
	info := b.slots[c].info
	switch info.kind {
	case kEnum:
		return info.labels
	case kBool:
		return []string{"t", "f"}
	}
	return nil
}

// planPartitions reads the leaves' bounds into value ranges for the partition key columns.
func (b *builder) planPartitions(tb *tableBuild) {
	t := tb.tp.table
	if !t.Partitioned {
		return
	}
	if t.PartitionProblem != "" {
		b.warnf("%s: partition bounds not used (%s); rows may find no partition", t.QualifiedName(), t.PartitionProblem)
		return
	}
	pr := &partitionRecipe{seed: deriveSeed(b.spec.Seed, t.QualifiedName(), "partition")}
	var defaults []leafValues
	for _, leaf := range t.Leaves {
		lv := leafValues{name: leaf.Name, cols: map[string]keyRange{}}
		isDefault := false
		usable := true
		for _, step := range leaf.Steps {
			if step.Bound.isDefault {
				isDefault = true
				continue
			}
			if step.Bound.hash {
				continue
			}
			for i, colName := range step.Columns {
				c := t.Column(colName)
				if c == nil {
					usable = false
					break
				}
				kr, ok := keyRangeOf(step.Bound, i, b.slots[c].info)
				if !ok {
					usable = false
					break
				}
				lv.cols[colName] = kr
				tb.partKeys[colName] = true
			}
		}
		switch {
		case !usable:
			b.warnf("%s: bounds of partition %s are not understood; no rows are generated for it", t.QualifiedName(), leaf.Name)
		case isDefault:
			defaults = append(defaults, lv)
		default:
			pr.leaves = append(pr.leaves, lv)
		}
	}
	if len(pr.leaves) == 0 {
		pr.leaves = defaults
	}
	if len(pr.leaves) > 0 {
		tb.partition = pr
	}
}

// keyRangeOf turns the bound of the i-th key column into the values to generate. For range
// bounds with several columns only the first column whose bounds differ is constrained to the
// interval; the columns before it take the common value.
func keyRangeOf(bd partitionBound, i int, info typeInfo) (keyRange, bool) {
	if len(bd.in) > 0 {
		var values []string
		for _, v := range bd.in {
			if !v.null {
				values = append(values, v.text)
			}
		}
		if i > 0 || len(values) == 0 {
			return keyRange{}, false
		}
		return keyRange{values: values}, true
	}
	if i >= len(bd.from) || i >= len(bd.to) {
		return keyRange{}, false
	}
	from, to := bd.from[i], bd.to[i]
	// Columns after the first differing one are free within that bound: take the lower one.
	for j := 0; j < i; j++ {
		if bd.from[j].text != bd.to[j].text || bd.from[j].minValue || bd.to[j].maxVal {
			if from.minValue || from.maxVal {
				return keyRange{}, false
			}
			return keyRange{values: []string{from.text}}, true
		}
	}
	if !info.isOrdinal() {
		if from.minValue || from.maxVal {
			return keyRange{}, false
		}
		return keyRange{values: []string{from.text}}, true
	}
	lo, okLo := ordinalOfLiteral(from.text, info)
	hi, okHi := ordinalOfLiteral(to.text, info)
	switch {
	case from.minValue && okHi:
		lo, okLo = hi-defaultSpan(info), true
	case to.maxVal && okLo:
		hi, okHi = lo+defaultSpan(info), true
	}
	if !okLo || !okHi {
		return keyRange{}, false
	}
	if from.text == to.text && !from.minValue && !to.maxVal {
		return keyRange{ordinal: true, lo: lo, hi: lo}, true
	}
	return keyRange{ordinal: true, lo: lo, hi: hi - 1}, hi > lo
}

// defaultSpan is the width of an open-ended interval: two years of time, or 10000.
func defaultSpan(info typeInfo) int64 {
	switch info.kind {
	case kDate:
		return 730
	case kTimestamp, kTimestamptz:
		return 730 * secondsPerDay
	case kTime:
		return secondsPerDay - 1
	}
	s := int64(10000)
	for i := 0; i < info.ordinalScale(); i++ {
		s *= 10
	}
	return s
}

// ordinalOfLiteral reads a literal in the unit of an ordinal type.
func ordinalOfLiteral(text string, info typeInfo) (int64, bool) {
	switch info.kind {
	case kInt, kNumeric, kFloat, kMoney:
		return parseDecimalUnits(strings.TrimPrefix(text, "$"), info.ordinalScale())
	case kDate:
		t, ok := parseTimeLiteral(text)
		if !ok {
			return 0, false
		}
		return t.Unix() / secondsPerDay, true
	case kTimestamp, kTimestamptz:
		t, ok := parseTimeLiteral(text)
		if !ok {
			return 0, false
		}
		return t.Unix(), true
	case kTime:
		t, err := time.Parse("15:04:05", strings.TrimSpace(text))
		if err != nil {
			return 0, false
		}
		return int64(t.Hour()*3600 + t.Minute()*60 + t.Second()), true
	}
	return 0, false
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseTimeLiteral reads dates and timestamps as PostgreSQL prints them with DateStyle ISO
// (seeding sessions set it). Timestamps without a zone are taken as UTC.
func parseTimeLiteral(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
