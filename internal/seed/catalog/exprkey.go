package catalog

import (
	"regexp"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// truncations are the index expressions that cut a time to a unit: date_trunc('day', at),
// date_trunc('day', at AT TIME ZONE 'UTC'), at::date, date(at). Times a unit or more apart stay
// distinct through them (a month is at most 31 days, a year 366).
var truncations = []*regexp.Regexp{
	regexp.MustCompile(`^date_trunc\('(\w+)'(?:::text)?, \(?"?(\w+)"?(?: AT TIME ZONE [^()]*)?\)?\)$`),
	regexp.MustCompile(`^\(?"?(\w+)"?\)?::(date)$`),
	regexp.MustCompile(`^(date)\("?(\w+)"?\)$`),
}

// flagCase is an index element that is NULL except on rows meeting a condition: (CASE WHEN
// "primary" THEN true ELSE NULL::boolean END) makes (user_id, that) unique among primary rows
// only, as a partial index WHERE "primary" would.
var flagCase = regexp.MustCompile(`(?s)^\(?\s*CASE\s+WHEN\s+(.+?)\s+THEN\s+(?:true|false|'[^']*'(?:::[\w ]+)?|-?\d+)\s+ELSE\s+NULL(?:::[\w ]+)?\s+END\s*\)?$`)

// flagCondition returns the condition of a flagCase element.
func flagCondition(el string) (string, bool) {
	m := flagCase.FindStringSubmatch(el)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// flagElements moves the flagCase elements of a key into its predicate: the key holds on the
// rows where every such element is not NULL (unless NULLs are not distinct).
func flagElements(elems []string, predicate string, nullsNotDistinct bool) ([]string, string) {
	if nullsNotDistinct {
		return elems, predicate
	}
	var kept, conds []string
	if predicate != "" {
		conds = append(conds, "("+predicate+")")
	}
	for _, el := range elems {
		if cond, ok := flagCondition(el); ok {
			conds = append(conds, "("+cond+")")
		} else {
			kept = append(kept, el)
		}
	}
	if len(kept) == len(elems) {
		return elems, predicate
	}
	return kept, strings.Join(conds, " AND ")
}

// truncation returns the unit and column of a truncating expression.
func truncation(el string) (unit, col string, ok bool) {
	for i, re := range truncations {
		if m := re.FindStringSubmatch(el); m != nil {
			switch i {
			case 0:
				return m[1], m[2], true
			case 1:
				return "day", m[1], true
			default:
				return "day", m[2], true
			}
		}
	}
	return "", "", false
}

// keyColumns reads the elements of a unique index (pg_get_indexdef's texts: a column name or an
// expression) into the columns they read, and of those, the columns only read through an
// expression that may map distinct values to one. Expressions that keep distinct values
// distinct for the values the generator writes (case folding of text whose distinctness lies
// in its digits, casts to text, trimming, COALESCE of the column with constants) read the
// column as it is; anything else (date_trunc, left, arithmetic, a function of the schema's own)
// collapses it. An expression that cannot be parsed collapses every column whose name it
// contains.
func keyColumns(t *Table, elems []string) (cols, collapsed, coalesced []*Column, truncated map[*Column]string) {
	plain := map[*Column]bool{}
	var all []*Column
	for _, el := range elems {
		if unit, name, ok := truncation(el); ok && t.Column(name) != nil {
			c := t.Column(name)
			if truncated == nil {
				truncated = map[*Column]string{}
			}
			truncated[c] = unit
			all = append(all, c)
			continue
		}
		e, err := pgexpr.Parse(el)
		if err != nil {
			for _, name := range pgexpr.Identifiers(el) {
				if c := t.Column(name); c != nil {
					all = append(all, c)
				}
			}
			continue
		}
		name, nullIsValue := injectiveColumn(e)
		if c := t.Column(name); c != nil {
			plain[c] = true
			all = append(all, c)
			if nullIsValue {
				coalesced = append(coalesced, c)
			}
			continue
		}
		for _, name := range pgexpr.Columns(e) {
			if c := t.Column(name); c != nil {
				all = append(all, c)
			}
		}
	}
	cols = dedupeColumns(all)
	for _, c := range cols {
		if !plain[c] {
			collapsed = append(collapsed, c)
		}
	}
	return cols, collapsed, dedupeColumns(coalesced), truncated
}

// injectiveFuncs keep generated values distinct (see keyColumns).
var injectiveFuncs = map[string]bool{"lower": true, "upper": true, "btrim": true, "trim": true, "ltrim": true, "rtrim": true,
	"text": true, "unaccent": true}

// injectiveColumn returns the column an expression reads when it keeps its distinct values
// distinct ("" otherwise), and whether a NULL of it is a value of the key (under COALESCE).
func injectiveColumn(e pgexpr.Expr) (name string, nullIsValue bool) {
	for i := 0; i < 8; i++ {
		switch x := pgexpr.StripCasts(e).(type) {
		case pgexpr.Col:
			return x.Name, nullIsValue
		case pgexpr.Func:
			if x.Name == "coalesce" && len(x.Args) >= 2 {
				for _, a := range x.Args[1:] {
					if _, ok := pgexpr.Literal(a); !ok {
						return "", false
					}
				}
				e, nullIsValue = x.Args[0], true
				continue
			}
			if !injectiveFuncs[x.Name] || len(x.Args) != 1 {
				return "", false
			}
			e = x.Args[0]
		default:
			return "", false
		}
	}
	return "", false
}
