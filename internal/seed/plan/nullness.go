package plan

import (
	"strconv"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// CHECKs that only ask which columns are NULL are common where one row points at one of several
// parents (an exclusive arc: num_nonnulls(image_id, comment_id, post_id) = 1, (plan_id IS NOT
// NULL) <> (subscription_id IS NOT NULL), credit_note_id IS NOT NULL OR refund_id IS NOT NULL).
// Random NULLs break them and candidate values cannot help: what passes is a pattern of NULLs.
// The planner evaluates such conditions itself on every pattern of the columns they read, and
// each row takes one pattern that passes them all: a column is NULL where its pattern says so
// and has its own (non-NULL) value elsewhere.

// maxNullColumns bounds the columns of one set of conditions (2^n patterns are tried).
const maxNullColumns = 14

// nullValue is a condition's value on a pattern: a boolean or a count.
type nullValue struct {
	isInt bool
	b     bool
	i     int64
}

// isNullnessTerm says whether a condition reads its columns only through IS [NOT] NULL,
// num_nulls or num_nonnulls.
func isNullnessTerm(e pgexpr.Expr) bool {
	_, ok := evalNullness(e, func(string) bool { return false })
	return ok && len(pgexpr.Columns(e)) > 0
}

// evalNullness evaluates a nullness condition with isNull saying which columns are NULL; ok is
// false when the condition reads a column otherwise, or holds something else.
func evalNullness(e pgexpr.Expr, isNull func(string) bool) (nullValue, bool) {
	switch x := e.(type) {
	case pgexpr.IsNull:
		name := columnName(x.X)
		return nullValue{b: name != "" && isNull(name) != x.Not}, name != ""
	case pgexpr.Func:
		return evalNullCount(x, isNull)
	case pgexpr.Const:
		return constNullValue(x)
	case pgexpr.Cast:
		v, ok := evalNullness(x.X, isNull)
		if ok && !v.isInt && strings.HasPrefix(x.Type, "int") {
			return nullValue{isInt: true, i: boolInt(v.b)}, true
		}
		return v, ok
	case pgexpr.Not:
		v, ok := evalNullness(x.X, isNull)
		return nullValue{b: !v.b}, ok && !v.isInt
	case pgexpr.IsBool:
		v, ok := evalNullness(x.X, isNull)
		return nullValue{b: (v.b == x.Value) != x.Not}, ok && !v.isInt
	case pgexpr.And:
		return evalNullTerms(x.Terms, isNull, true)
	case pgexpr.Or:
		return evalNullTerms(x.Terms, isNull, false)
	case pgexpr.Binary:
		return evalNullBinary(x, isNull)
	case pgexpr.Case:
		return evalNullCase(x, isNull)
	}
	return nullValue{}, false
}

// evalNullCase evaluates a CASE WHEN cond THEN value ... ELSE value END (no operand).
func evalNullCase(x pgexpr.Case, isNull func(string) bool) (nullValue, bool) {
	if x.Operand != nil || x.Else == nil {
		return nullValue{}, false
	}
	for i, w := range x.Whens {
		cond, ok := evalNullness(w, isNull)
		if !ok || cond.isInt {
			return nullValue{}, false
		}
		if cond.b {
			return evalNullness(x.Thens[i], isNull)
		}
	}
	return evalNullness(x.Else, isNull)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func constNullValue(c pgexpr.Const) (nullValue, bool) {
	switch strings.ToLower(c.Text) {
	case "true":
		return nullValue{b: true}, !c.IsString
	case "false":
		return nullValue{}, !c.IsString
	}
	n, err := strconv.ParseInt(c.Text, 10, 64)
	return nullValue{isInt: true, i: n}, err == nil && !c.IsString
}

func evalNullCount(f pgexpr.Func, isNull func(string) bool) (nullValue, bool) {
	if f.Name != "num_nulls" && f.Name != "num_nonnulls" {
		return nullValue{}, false
	}
	var n int64
	for _, a := range f.Args {
		name := columnName(a)
		if name == "" {
			return nullValue{}, false
		}
		if isNull(name) == (f.Name == "num_nulls") {
			n++
		}
	}
	return nullValue{isInt: true, i: n}, true
}

func evalNullTerms(terms []pgexpr.Expr, isNull func(string) bool, and bool) (nullValue, bool) {
	out := and
	for _, t := range terms {
		v, ok := evalNullness(t, isNull)
		if !ok || v.isInt {
			return nullValue{}, false
		}
		if and {
			out = out && v.b
		} else {
			out = out || v.b
		}
	}
	return nullValue{b: out}, true
}

func evalNullBinary(x pgexpr.Binary, isNull func(string) bool) (nullValue, bool) {
	l, lok := evalNullness(x.L, isNull)
	r, rok := evalNullness(x.R, isNull)
	if !lok || !rok || l.isInt != r.isInt {
		return nullValue{}, false
	}
	a, b := l.i, r.i
	if !l.isInt {
		a, b = boolInt(l.b), boolInt(r.b)
	}
	switch x.Op {
	case "+":
		return nullValue{isInt: true, i: a + b}, l.isInt
	case "-":
		return nullValue{isInt: true, i: a - b}, l.isInt
	case "=", "IS NOT DISTINCT FROM":
		return nullValue{b: a == b}, true
	case "<>", "!=", "IS DISTINCT FROM":
		return nullValue{b: a != b}, true
	case "<":
		return nullValue{b: a < b}, true
	case "<=":
		return nullValue{b: a <= b}, true
	case ">":
		return nullValue{b: a > b}, true
	case ">=":
		return nullValue{b: a >= b}, true
	}
	return nullValue{}, false
}

// planNullness gives the columns of the table's nullness conditions a pattern of NULLs per row
// that passes them all (see gen.NullPatternRecipe). Conditions over a column the generator does
// not write freely are left to the oracle, as before.
func (b *builder) planNullness(tb *tableBuild) {
	var terms []oracleCond
	var cols []*catalog.Column
	for _, cond := range tb.nullConds {
		free := true
		for _, c := range cond.cols {
			free = free && b.nullSteerable(tb, c)
		}
		if !free || len(cond.cols) == 0 {
			b.notUnderstood(tb, cond)
			continue
		}
		terms = append(terms, cond)
		for _, c := range cond.cols {
			if indexOfColumn(cols, c) < 0 {
				cols = append(cols, c)
			}
		}
	}
	if len(terms) == 0 {
		return
	}
	if len(cols) > maxNullColumns {
		for _, cond := range terms {
			b.notUnderstood(tb, cond)
		}
		return
	}
	patterns := b.passingPatterns(tb, terms, cols)
	if len(patterns) == 0 {
		b.warnf("%s: no pattern of NULLs in %s passes %s; loading will fail on it", tb.tp.Table.QualifiedName(),
			catalog.DescribeColumns(cols), terms[0].text)
		return
	}
	r := &gen.NullPatternRecipe{Seed: gen.DeriveSeed(b.spec.Seed, tb.tp.Table.QualifiedName(), "null-pattern"), Patterns: patterns}
	for i, c := range cols {
		tb.nullMask[c] = &gen.NullMaskRecipe{Pattern: r, Index: i}
		if fk := tb.fkOf[c]; fk != nil {
			fk.NullPermille = 0 // NULL exactly where the pattern says
		}
	}
}

// passingPatterns lists the patterns of NULLs (true: NULL) of cols that pass every term and
// leave the NOT NULL columns set.
func (b *builder) passingPatterns(tb *tableBuild, terms []oracleCond, cols []*catalog.Column) [][]bool {
	var out [][]bool
	for mask := 0; mask < 1<<len(cols); mask++ {
		pattern := make([]bool, len(cols))
		ok := true
		for i, c := range cols {
			pattern[i] = mask&(1<<i) != 0
			ok = ok && !(pattern[i] && b.notNull(tb, c))
		}
		isNull := func(name string) bool {
			for i, c := range cols {
				if c.Name == name {
					return pattern[i]
				}
			}
			return false
		}
		for _, t := range terms {
			v, evaluated := evalNullness(t.expr, isNull)
			ok = ok && evaluated && v.b
		}
		if ok {
			out = append(out, pattern)
		}
	}
	return out
}

// nullSteerable says whether a column's NULLs can follow a pattern.
func (b *builder) nullSteerable(tb *tableBuild, c *catalog.Column) bool {
	if c.Generated != 0 || tb.cover[c] != nil || tb.partKeys[c.Name] || tb.deferred[c] {
		return false
	}
	for _, k := range tb.tp.Table.Uniques {
		if containsColumn(k.Columns, c) && k.NullIsValue(c) && !requiresNotNull(k, c) {
			return false // a NULL would be a value that repeats
		}
	}
	_, ruled := b.rules[c]
	return !ruled
}

// requiresNotNull says whether a partial key's WHERE clause holds only where c is not NULL
// (a conjunct c IS NOT NULL): a NULL there takes the row out of the key, NULLS NOT DISTINCT or
// not.
func requiresNotNull(k *catalog.UniqueKey, c *catalog.Column) bool {
	if !k.Partial {
		return false
	}
	e, err := pgexpr.Parse(k.Predicate)
	if err != nil {
		return false
	}
	for _, term := range pgexpr.Conjuncts(e) {
		if n, ok := pgexpr.StripCasts(term).(pgexpr.IsNull); ok && n.Not && columnName(n.X) == c.Name {
			return true
		}
	}
	return false
}
