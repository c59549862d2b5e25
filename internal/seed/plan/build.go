package plan

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// Plan is everything loading needs: the tables in order, each with its row count and the
// recipes of the values of its columns.
type Plan struct {
	Tables   []*TablePlan
	ByTable  map[*catalog.Table]*TablePlan
	Warnings []string
}

type TablePlan struct {
	Table *catalog.Table
	Rows  int64
	// deps are the tables that must be loaded (committed) first.
	Deps []*TablePlan
	// columns are written by COPY in this order, with recipes[i] generating columns[i].
	Columns  []*catalog.Column
	Recipes  []gen.Recipe
	Deferred []*DeferredFK
	// sequences are advanced past the generated keys after loading.
	Sequences []SequenceFix
	// ProdRows is prod's estimated row count, when its statistics are known.
	ProdRows *int64
	// Partition picks the leaf of each row of a partitioned table (nil when not steered).
	Partition *gen.PartitionRecipe
}

// DeferredFK is a foreign key that closes a cycle: NULL while loading, set by an UPDATE after.
type DeferredFK struct {
	FK         *catalog.ForeignKey
	Key        []*catalog.Column // identifies the rows to update
	KeyRecipes []gen.Recipe
	FKRecipes  []gen.Recipe
}

type SequenceFix struct {
	Sequence string
	Column   *catalog.Column
}

// columnSlot stands for a column's recipe before it is chosen, so recipes can refer to columns
// of tables that are planned later (foreign keys closing a cycle, relations).
type columnSlot struct {
	col  *catalog.Column
	info gen.TypeInfo
	r    gen.Recipe
}

func (s *columnSlot) Instantiate(ctx *gen.InstContext) gen.ValueGen {
	if s.r == nil {
		return gen.NullGen{}
	}
	return ctx.Gen(s.r)
}

type builder struct {
	oracle   Oracle
	stats    *catalog.ProdStats
	cat      *catalog.Catalog
	spec     contract.Spec
	slots    map[*catalog.Column]*columnSlot
	rows     map[*catalog.Table]int64
	deferred map[*catalog.ForeignKey]bool
	rules    map[*catalog.Column]contract.ColumnRule
	plan     *Plan
	// countSource says where each table's row count comes from (sourceTables, ...).
	countSource map[*catalog.Table]string
	// tooLarge are the tables asked for more rows than a unique key allows, as messages.
	tooLarge []string
	// distinct are columns (of tables planned so far) whose values differ on every row.
	distinct map[*catalog.Column]bool
}

// Build decides how every column of every table is generated. stats (prod's statistics) and
// oracle (the server, for the CHECKs the planner does not read) may be nil.
func Build(cat *catalog.Catalog, spec contract.Spec, stats *catalog.ProdStats, oracle Oracle) (*Plan, error) {
	b := &builder{cat: cat, spec: spec, stats: stats, oracle: oracle, slots: map[*catalog.Column]*columnSlot{}, plan: &Plan{ByTable: map[*catalog.Table]*TablePlan{}}, distinct: map[*catalog.Column]bool{}}
	var err error
	if b.rows, b.countSource, err = rowCounts(cat, spec, stats); err != nil {
		return nil, contract.WithReason(contract.ReasonInvalidSpec, err)
	}
	if b.rules, err = columnRules(cat, spec); err != nil {
		return nil, contract.WithReason(contract.ReasonInvalidSpec, err)
	}
	order, deferred, err := orderTables(cat.Tables)
	if err != nil {
		return nil, err
	}
	b.deferred = deferred
	for _, t := range cat.Tables {
		for _, c := range t.Columns {
			base, typmod, _, _ := c.Resolved()
			b.slots[c] = &columnSlot{col: c, info: gen.TypeInfoOf(base, typmod)}
		}
	}
	for _, t := range order {
		tp := &TablePlan{Table: t, Rows: b.rows[t]}
		if n, ok := stats.TableRows(t); ok {
			prod := int64(n + 0.5)
			tp.ProdRows = &prod
		}
		b.plan.Tables = append(b.plan.Tables, tp)
		b.plan.ByTable[t] = tp
	}
	for _, tp := range b.plan.Tables {
		for _, fk := range tp.Table.ForeignKeys {
			if fk.RefTable != tp.Table && !deferred[fk] {
				tp.Deps = appendPlan(tp.Deps, b.plan.ByTable[fk.RefTable])
			}
		}
		if err := b.buildTable(tp); err != nil {
			return nil, err
		}
		// A count cut to a unique key's capacity is what children pick their parents among.
		b.rows[tp.Table] = tp.Rows
	}
	for _, tp := range b.plan.Tables {
		for _, d := range tp.Deferred { // planned before the table they reference was cut
			d.FKRecipes[0].(*gen.FKColumnRecipe).Group.ParentRows = b.rows[d.FK.RefTable]
		}
	}
	if len(b.tooLarge) > 0 {
		return nil, contract.WithReason(contract.ReasonRowCountTooLarge, errors.New(strings.Join(b.tooLarge, "; ")))
	}
	return b.plan, nil
}

func appendPlan(list []*TablePlan, tp *TablePlan) []*TablePlan {
	for _, x := range list {
		if x == tp {
			return list
		}
	}
	return append(list, tp)
}

func (b *builder) warnf(format string, args ...any) {
	b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf(format, args...))
}

// rowCounts resolves the spec's row counts to tables. A name that matches no table is an error:
// a typo would otherwise seed the default silently.
// It also says where each count comes from: sourceTables, sourceDefault or sourceScale.
func rowCounts(cat *catalog.Catalog, spec contract.Spec, stats *catalog.ProdStats) (map[*catalog.Table]int64, map[*catalog.Table]string, error) {
	counts, sources := map[*catalog.Table]int64{}, map[*catalog.Table]string{}
	for _, t := range cat.Tables {
		counts[t], sources[t] = spec.DefaultRows, sourceDefault
		if prod, ok := stats.TableRows(t); ok {
			if n, ok := spec.ScaledRows(prod); ok {
				counts[t], sources[t] = n, sourceScale
			}
		}
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
			return nil, nil, fmt.Errorf("rows.tables names %q, which is not a table of the database%s", name, partitionHint(cat, name))
		}
		for _, t := range matched {
			counts[t], sources[t] = spec.Tables[name], sourceTables
		}
	}
	return counts, sources, nil
}

// Where a table's row count comes from, as the spec's fields are named.
const (
	sourceTables  = "rows.tables"
	sourceDefault = "rows.default"
	sourceScale   = "rows.scale"
)

func matchTables(cat *catalog.Catalog, name string) []*catalog.Table {
	var out []*catalog.Table
	for _, t := range cat.Tables {
		if t.QualifiedName() == name || !strings.Contains(name, ".") && t.Name == name {
			out = append(out, t)
		}
	}
	return out
}

func partitionHint(cat *catalog.Catalog, name string) string {
	for _, t := range cat.Tables {
		for _, l := range t.Leaves {
			if l.Name == name || strings.HasSuffix(l.Name, "."+name) {
				return fmt.Sprintf(" (%s is a partition of %s: set the rows of %s)", l.Name, t.QualifiedName(), t.QualifiedName())
			}
		}
	}
	return ""
}

func columnRules(cat *catalog.Catalog, spec contract.Spec) (map[*catalog.Column]contract.ColumnRule, error) {
	rules := map[*catalog.Column]contract.ColumnRule{}
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
	tp        *TablePlan
	facts     map[string]*checkFacts // per column: everything the CHECKs say about it
	relations []relation
	fkOf      map[*catalog.Column]*gen.FKRecipe
	fkIndex   map[*catalog.Column]int
	combo     map[*catalog.Column]gen.Recipe // columns generated by a combination
	rowUnique map[*catalog.Column]bool
	partition *gen.PartitionRecipe
	partKeys  map[string]bool
	nullOnly  map[*catalog.Column]bool // unsupported CHECKs on nullable columns: NULL passes them
	inUnique  map[*catalog.Column]bool
	deferred  map[*catalog.Column]bool
	// oracleConds are the CHECK conditions the planner does not read, for the server to judge;
	// checkTerms are all the conditions of the table's CHECKs (what a judged value must pass).
	oracleConds []oracleCond
	checkTerms  []oracleCond
	// person is who each row is about, for the columns in personParts (see planPersons).
	person      *gen.PersonRecipe
	personParts map[*catalog.Column]gen.PersonPart
	// cover are the columns steering unique keys (see steer).
	cover map[*catalog.Column]*cover
	// nullConds are the CHECK conditions on which columns are NULL; nullMask the columns whose
	// NULLs follow a pattern that passes them (see planNullness).
	nullConds []oracleCond
	nullMask  map[*catalog.Column]*gen.NullMaskRecipe
	// uniqueStep is the least step between a unique time column's values (a key on its day).
	uniqueStep map[*catalog.Column]int64
	// distinctSets are column sets whose values differ on every row (a combination that fits).
	distinctSets [][]*catalog.Column
	// pairs are the foreign keys a CHECK compares with each other (see planPairs).
	pairs map[*catalog.Column]*gen.PairColumnRecipe
	// spans are the columns laid out apart for EXCLUDE constraints (see planExclusions).
	spans map[*catalog.Column]*gen.SpanColumnRecipe
}

func (b *builder) buildTable(tp *TablePlan) error {
	t := tp.Table
	tb := &tableBuild{
		tp: tp, facts: map[string]*checkFacts{}, fkOf: map[*catalog.Column]*gen.FKRecipe{}, fkIndex: map[*catalog.Column]int{},
		combo: map[*catalog.Column]gen.Recipe{}, rowUnique: map[*catalog.Column]bool{}, partKeys: map[string]bool{},
		nullOnly: map[*catalog.Column]bool{}, inUnique: map[*catalog.Column]bool{}, deferred: map[*catalog.Column]bool{},
		cover: map[*catalog.Column]*cover{}, nullMask: map[*catalog.Column]*gen.NullMaskRecipe{},
		uniqueStep: map[*catalog.Column]int64{}, pairs: map[*catalog.Column]*gen.PairColumnRecipe{},
		spans: map[*catalog.Column]*gen.SpanColumnRecipe{},
	}
	b.planPartitions(tb)
	b.collectChecks(tb)
	if err := b.planForeignKeys(tb); err != nil {
		return err
	}
	b.planPairs(tb)
	b.planExclusions(tb)
	if err := b.planUniques(tb); err != nil {
		return err
	}
	for c := range tb.rowUnique {
		b.distinct[c] = true
	}
	b.planNullness(tb)
	b.planPersons(tb)
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
		tp.Columns = append(tp.Columns, c)
		tp.Recipes = append(tp.Recipes, b.slots[c])
		if seq := catalog.SequenceOf(c); seq != "" {
			tp.Sequences = append(tp.Sequences, SequenceFix{Sequence: seq, Column: c})
		}
	}
	b.wireRelations(tb)
	if err := b.planLeafChecks(tb); err != nil {
		return err
	}
	if err := b.applyOracle(tb); err != nil {
		return err
	}
	return b.planDeferred(tb)
}

// RecipesFor returns the recipes of the COPY columns. With triggers off (no foreign key checks
// while loading) the foreign keys closing a cycle are written right away, with the values the
// second pass would set; otherwise they are NULL until setDeferred.
func (tp *TablePlan) RecipesFor(deferredInline bool) []gen.Recipe {
	if !deferredInline || len(tp.Deferred) == 0 {
		return tp.Recipes
	}
	inline := map[*catalog.Column]gen.Recipe{}
	for _, d := range tp.Deferred {
		for i, c := range d.FK.Columns {
			inline[c] = d.FKRecipes[i]
		}
	}
	out := append([]gen.Recipe(nil), tp.Recipes...)
	for i, c := range tp.Columns {
		if r, ok := inline[c]; ok {
			out[i] = r
		}
	}
	return out
}
