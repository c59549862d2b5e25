package plan

import (
	"fmt"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// collectChecks reads the table's CHECK constraints and the domains' CHECKs into per-column facts.
func (b *builder) collectChecks(tb *tableBuild) {
	t := tb.tp.Table
	for _, ck := range t.Checks {
		if len(ck.Leaves) > 0 && tb.partition != nil {
			continue // for the rows routed to those partitions: see planLeafChecks
		}
		f := parseCheck(ck.Def)
		tb.merge(f)
		for _, term := range pgexpr.Terms(checkBody(ck.Def)) {
			tb.checkTerms = append(tb.checkTerms, oracleCond{text: term.Text, expr: term.Expr,
				source: "CHECK constraint " + ck.Name, cols: termColumns(t, term)})
		}
		for _, term := range f.unsupported {
			cond := oracleCond{text: term.Text, expr: term.Expr, source: "CHECK constraint " + ck.Name, cols: termColumns(t, term)}
			if term.Expr != nil && isNullnessTerm(term.Expr) {
				tb.nullConds = append(tb.nullConds, cond) // see planNullness
				continue
			}
			b.notUnderstood(tb, cond)
		}
	}
	for _, c := range t.Columns {
		for d := c.Type; d != nil && d.Kind == 'd'; d = d.Base {
			for _, def := range d.DomainChecks {
				f := parseCheck(def)
				tb.merge(f.renameColumn("value", c.Name))
				if len(f.unsupported) > 0 {
					// The whole CHECK is judged: values drawn from what passes must pass the
					// conditions the planner did read as well.
					b.notUnderstood(tb, oracleCond{text: checkBody(def), source: "the CHECK of domain " + d.Display,
						cols: []*catalog.Column{c}, valueType: d.BaseDisplay})
				}
			}
		}
	}
}

// termColumns lists the table's columns a condition reads.
func termColumns(t *catalog.Table, term pgexpr.Term) []*catalog.Column {
	names := pgexpr.Identifiers(term.Text)
	if term.Expr != nil {
		names = pgexpr.Columns(term.Expr)
	}
	var out []*catalog.Column
	for _, c := range t.Columns {
		for _, n := range names {
			if c.Name == n {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// notUnderstood handles a CHECK condition the generator cannot honour by itself: PostgreSQL is
// asked which candidate values pass it (applyOracle) when it can be; otherwise see unsupported.
func (b *builder) notUnderstood(tb *tableBuild, cond oracleCond) {
	if b.oracle != nil {
		tb.oracleConds = append(tb.oracleConds, cond)
		return
	}
	b.unsupported(tb, cond, "")
}

// unsupported handles a CHECK condition nothing honours. A CHECK passes when its condition is
// NULL, so a nullable column that the condition depends on strictly (no IS NULL, OR, COALESCE)
// is left NULL; otherwise the load may fail and the error names it.
// why says what was tried ("" when the server could not be asked).
func (b *builder) unsupported(tb *tableBuild, cond oracleCond, why string) {
	what := fmt.Sprintf("%s condition %s is not understood", cond.source, cond.text)
	if why != "" {
		what += " and " + why
	}
	if cond.expr != nil && nullStrict(cond.expr) {
		for _, c := range cond.cols {
			if !c.NotNull && c.Generated == 0 && b.rules[c].Generator == "" && !b.notNullByCheck(tb, c) {
				tb.nullOnly[c] = true
				b.warnf("%s: %s; the column is left NULL, or %s", c, what, ruleAdvice([]*catalog.Column{c}))
				return
			}
		}
	}
	b.warnf("%s: %s; values may violate it: %s", tb.tp.Table.QualifiedName(), what, ruleAdvice(cond.cols))
}

func (b *builder) notNullByCheck(tb *tableBuild, c *catalog.Column) bool {
	f := tb.facts[c.Name]
	_, _, _, domainNotNull := c.Resolved()
	return domainNotNull || f != nil && f.notNull[c.Name]
}

// ruleAdvice names the column rule that settles a condition the generator cannot meet.
func ruleAdvice(cols []*catalog.Column) string {
	if len(cols) == 0 {
		return "the condition reads no column of the table"
	}
	c := cols[0]
	return fmt.Sprintf("add a columns rule {table: %s, column: %s, generator: oneOf, values: [...]} with values that pass it",
		c.Table.QualifiedName(), c.Name)
}

// nullStrict says whether a NULL in any column makes the expression NULL.
func nullStrict(e pgexpr.Expr) bool {
	strict := true
	var walk func(pgexpr.Expr)
	walk = func(e pgexpr.Expr) {
		switch x := e.(type) {
		case pgexpr.IsNull, pgexpr.IsBool, pgexpr.Or, pgexpr.Case:
			strict = false
		case pgexpr.Binary:
			if strings.HasPrefix(x.Op, "IS ") {
				strict = false // IS [NOT] DISTINCT FROM
			}
			walk(x.L)
			walk(x.R)
		case pgexpr.Func:
			if x.Name == "coalesce" || x.Name == "nullif" || strings.Contains(x.Name, "concat") {
				strict = false
			}
			for _, a := range x.Args {
				walk(a)
			}
		case pgexpr.Cast:
			walk(x.X)
		case pgexpr.Unary:
			walk(x.X)
		case pgexpr.Not:
			walk(x.X)
		case pgexpr.And:
			strict = false
		}
	}
	walk(e)
	return strict
}

// merge adds one CHECK's facts to the table's, per column, and its relations.
func (tb *tableBuild) merge(f *checkFacts) {
	factsFor := func(col string) *checkFacts {
		if tb.facts[col] == nil {
			tb.facts[col] = newCheckFacts()
		}
		return tb.facts[col]
	}
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
	for col, g := range f.grid {
		factsFor(col).grid[col] = g
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
	for col, shape := range f.jsonShape {
		factsFor(col).jsonShape[col] = shape
	}
	for col, p := range f.patterns {
		factsFor(col).patterns[col] = append(factsFor(col).patterns[col], p...)
	}
	for col, v := range f.excluded {
		factsFor(col).exclude(col, v...)
	}
	for col, n := range f.minItems {
		factsFor(col).minItems[col] = max(factsFor(col).minItems[col], n)
	}
	for col, n := range f.maxItems {
		factsFor(col).maxItems[col] = minPositive(factsFor(col).maxItems[col], n)
	}
	for col, n := range f.maxBytes {
		factsFor(col).maxBytes[col] = minPositive(factsFor(col).maxBytes[col], n)
	}
	for col, g := range f.geo {
		factsFor(col).mergeGeo(col, g)
	}
	tb.relations = append(tb.relations, f.relations...)
}
