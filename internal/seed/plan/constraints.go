package plan

import (
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// collectChecks reads the table's CHECK constraints and the domains' CHECKs into per-column facts.
func (b *builder) collectChecks(tb *tableBuild) {
	t := tb.tp.Table
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
		for col, shape := range f.jsonShape {
			factsFor(col).jsonShape[col] = shape
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
		_, _, domainChecks, _ := c.Resolved()
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
func (b *builder) unsupportedCheck(tb *tableBuild, source string, e pgexpr.Expr) {
	if !nullStrict(e) {
		b.warnf("%s: %s condition %s is not understood; values may violate it", tb.tp.Table.QualifiedName(), source, e)
		return
	}
	for _, name := range pgexpr.Columns(e) {
		c := tb.tp.Table.Column(name)
		if c != nil && !c.NotNull && c.Generated == 0 {
			tb.nullOnly[c] = true
			b.warnf("%s: %s condition %s is not understood; the column is left NULL", c, source, e)
			return
		}
	}
	b.warnf("%s: %s condition %s is not understood; values may violate it", tb.tp.Table.QualifiedName(), source, e)
}

func (b *builder) unsupportedWhole(tb *tableBuild, ck *catalog.Check) {
	b.warnf("%s: CHECK constraint %s (%s) could not be parsed; values may violate it", tb.tp.Table.QualifiedName(), ck.Name, ck.Def)
}

// nullStrict says whether a NULL in any column makes the expression NULL.
func nullStrict(e pgexpr.Expr) bool {
	strict := true
	var walk func(pgexpr.Expr)
	walk = func(e pgexpr.Expr) {
		switch x := e.(type) {
		case pgexpr.IsNull, pgexpr.Or:
			strict = false
		case pgexpr.Func:
			if x.Name == "coalesce" || x.Name == "nullif" || strings.Contains(x.Name, "concat") {
				strict = false
			}
			for _, a := range x.Args {
				walk(a)
			}
		case pgexpr.Binary:
			walk(x.L)
			walk(x.R)
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
