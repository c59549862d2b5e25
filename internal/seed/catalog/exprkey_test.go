package catalog

import (
	"reflect"
	"testing"
)

func TestKeyColumnsReadExpressions(t *testing.T) {
	tb := &Table{Schema: "public", Name: "person"}
	for i, name := range []string{"email", "name", "parent_id", "reported_at", "code"} {
		tb.Columns = append(tb.Columns, &Column{Table: tb, Num: int16(i + 1), Name: name})
	}
	col := func(name string) *Column { return tb.Column(name) }
	cols, collapsed, coalesced, truncated := keyColumns(tb, []string{"lower((email)::text)", "COALESCE(parent_id, (0)::bigint)",
		"date_trunc('day'::text, (reported_at AT TIME ZONE 'UTC'::text))", "\"left\"(code, 3)", "name"})
	if want := []*Column{col("email"), col("parent_id"), col("reported_at"), col("code"), col("name")}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v", cols)
	}
	if want := []*Column{col("reported_at"), col("code")}; !reflect.DeepEqual(collapsed, want) {
		t.Errorf("collapsed = %v", collapsed)
	}
	if want := []*Column{col("parent_id")}; !reflect.DeepEqual(coalesced, want) {
		t.Errorf("coalesced = %v", coalesced)
	}
	if truncated[col("reported_at")] != "day" || len(truncated) != 1 {
		t.Errorf("truncated = %v", truncated)
	}
}

func TestFlagElementsBecomeThePredicate(t *testing.T) {
	elems, pred := flagElements([]string{"user_id", "\nCASE\n    WHEN \"primary\" THEN true\n    ELSE NULL::boolean\nEND"}, "deleted_at IS NULL", false)
	if !reflect.DeepEqual(elems, []string{"user_id"}) || pred != `(deleted_at IS NULL) AND ("primary")` {
		t.Errorf("flagElements = %q, %q", elems, pred)
	}
	elems, pred = flagElements([]string{"a", "CASE WHEN b THEN 1 ELSE NULL END"}, "", true)
	if len(elems) != 2 || pred != "" {
		t.Errorf("NULLS NOT DISTINCT: a NULL is a value, the element stays: %q, %q", elems, pred)
	}
}

// FuzzIndexElements: reading any index element terminates, and never invents a column.
func FuzzIndexElements(f *testing.F) {
	for _, s := range []string{"lower((email)::text)", "date_trunc('month'::text, at)", "(at)::date", "CASE WHEN x THEN true ELSE NULL END",
		"COALESCE(a, 'x'::text)", "(("} {
		f.Add(s)
	}
	tb := &Table{Schema: "public", Name: "t"}
	tb.Columns = []*Column{{Table: tb, Num: 1, Name: "a"}, {Table: tb, Num: 2, Name: "at"}}
	f.Fuzz(func(t *testing.T, el string) {
		cols, _, _, _ := keyColumns(tb, []string{el})
		for _, c := range cols {
			if c != tb.Columns[0] && c != tb.Columns[1] {
				t.Fatalf("column %v from %q", c, el)
			}
		}
		_, _ = flagElements([]string{el}, "", false)
	})
}
