package plan

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// The candidates the server judges for a condition the planner does not read: they are a
// function of the seed and the schema, so the judged pools, and the data, are deterministic.

// mixedTuples mixes the columns' natural values with the literals the conditions name (and
// variants of LIKE patterns and regular expressions) and NULL where a column allows it.
func (b *builder) mixedTuples(tb *tableBuild, gi int, group []oracleCond, cols []*catalog.Column, natural [][]*string) [][]*string {
	var texts []string
	for _, cond := range group {
		texts = append(texts, cond.text)
	}
	all := candidateLiterals(strings.Join(texts, " "), b.calledBodies(texts))
	literals := make([][]string, len(cols))
	for j, c := range cols {
		literals[j] = literalsFor(b.slots[c].info, all) // a literal its type refuses would only cost the server an error
	}
	rr := gen.NewSampler(gen.DeriveSeed(b.spec.Seed, tb.tp.Table.QualifiedName(), "oracle-candidates", fmt.Sprint(gi)))
	out := make([][]*string, 0, mixedRows)
	// Every combination of literals first, while there are few.
	combos := 1
	for _, l := range literals {
		combos = min(combos*max(len(l), 1), mixedRows)
	}
	if combos <= mixedRows/2 {
		for k := 0; k < combos; k++ {
			t := make([]*string, len(cols))
			for j, n := 0, k; j < len(cols); j++ {
				if len(literals[j]) == 0 {
					t[j] = natural[k%len(natural)][j]
					continue
				}
				t[j] = &literals[j][n%len(literals[j])]
				n /= len(literals[j])
			}
			out = append(out, t)
		}
	}
	for len(out) < mixedRows {
		t := make([]*string, len(cols))
		for j, c := range cols {
			switch x := rr.Intn(10); {
			case x < 4 && len(literals[j]) > 0:
				t[j] = &literals[j][rr.Intn(len(literals[j]))]
			case x == 9 && !b.notNull(tb, c):
				t[j] = nil
			default:
				t[j] = natural[rr.Intn(len(natural))][j]
			}
		}
		out = append(out, t)
	}
	return out
}

// calledBodies are the sources of the schema's functions the conditions call.
func (b *builder) calledBodies(texts []string) []string {
	var out []string
	for _, t := range texts {
		for _, fn := range pgexpr.Functions(t) {
			out = append(out, b.cat.FunctionBodies[fn]...)
		}
	}
	return out
}

// candidateLiterals are a condition's literals (and those of the functions it calls) and, for
// LIKE and SIMILAR TO patterns and regular expressions, strings that may match them.
func candidateLiterals(text string, bodies []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	lits := pgexpr.Literals(text)
	for _, body := range bodies {
		lits = append(lits, pgexpr.StringLiterals(body)...)
	}
	for _, lit := range lits {
		if !strings.Contains(lit, "%") {
			add(lit) // a LIKE pattern is rarely a value itself; its variants below are
		}
		if strings.ContainsAny(lit, "%_") {
			add(strings.NewReplacer("%", "", "_", "a").Replace(lit))
			add(strings.NewReplacer("%", "x", "_", "b").Replace(lit))
			add(strings.NewReplacer("%", "12", "_", "7").Replace(lit))
		}
		for _, s := range gen.RegexSamples(lit, 128) {
			add(s)
		}
	}
	return out
}

// around are values near a threshold a condition names (for numbers: on both sides of it, at
// growing distances), as the column's type writes them.
func around(v int64, info gen.TypeInfo) []string {
	unit := int64(1)
	for i := 0; i < info.OrdinalScale(); i++ {
		unit *= 10
	}
	switch info.Kind {
	case gen.KindTimestamp, gen.KindTimestamptz:
		unit = gen.SecondsPerDay
	}
	var out []string
	for _, k := range []int64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233} {
		out = append(out, string(gen.AppendOrdinal(nil, v-k*unit, info)), string(gen.AppendOrdinal(nil, v+k*unit, info)))
	}
	return out
}

// between spreads values over the span a condition's numbers delimit (2 and 40 in "VALUE
// BETWEEN 2 AND 40"): up to 64 of them, every one when the span is that small.
func between(literals []string, info gen.TypeInfo) []string {
	lo, hi, n := int64(0), int64(0), 0
	for _, l := range literals {
		if v, ok := ordinalOfLiteral(l, info); ok {
			if n == 0 || v < lo {
				lo = v
			}
			if n == 0 || v > hi {
				hi = v
			}
			n++
		}
	}
	if n < 2 || hi <= lo {
		return nil
	}
	step := max((hi-lo)/64, 1)
	var out []string
	for v := lo; v <= hi && len(out) < 65; v += step {
		out = append(out, string(gen.AppendOrdinal(nil, v, info)))
	}
	return out
}

// literalsFor keeps the literals a column's type reads: numbers for numbers, dates for dates,
// labels for enums, anything for text and types the generator has no reading of.
func literalsFor(info gen.TypeInfo, literals []string) []string {
	var out []string
	if info.IsOrdinal() {
		out = between(literals, info)
	}
	for _, l := range literals {
		ok := true
		switch {
		case info.Kind == gen.KindEnum:
			ok = slices.Contains(info.Labels, l)
		case info.Kind == gen.KindBool:
			ok = slices.Contains([]string{"t", "f", "true", "false"}, strings.ToLower(l))
		case info.IsOrdinal():
			var v int64
			if v, ok = ordinalOfLiteral(l, info); ok {
				out = append(out, around(v, info)...)
			}
		case info.Kind == gen.KindUUID:
			ok = len(l) == 36
		}
		if ok && info.MaxLen > 0 && info.Kind == gen.KindText {
			ok = utf8.RuneCountInString(l) <= info.MaxLen
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}
