package pgexpr

import (
	"reflect"
	"testing"
)

func TestSplitAnd(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"((a > 0) AND (b < 5))", []string{"a > 0", "b < 5"}},
		{"(((a > 0) AND (b < 5)) AND (c IS NOT NULL))", []string{"a > 0", "b < 5", "c IS NOT NULL"}},
		{"((a > 0) OR (b < 5))", []string{"(a > 0) OR (b < 5)"}},
		{"(a > 0) OR (b < 5)", []string{"(a > 0) OR (b < 5)"}},
		{"x BETWEEN 1 AND 3 AND y > 2", []string{"x BETWEEN 1 AND 3", "y > 2"}},
		{"CASE WHEN (n > 5) AND (m > 1) THEN true ELSE false END AND (k = 1)",
			[]string{"CASE WHEN (n > 5) AND (m > 1) THEN true ELSE false END", "k = 1"}},
		{"f(a AND b) AND g[1]", []string{"f(a AND b)", "g[1]"}},
		{"'unterminated", []string{"'unterminated"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := SplitAnd(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitAnd(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTermsParseEachCondition(t *testing.T) {
	terms := Terms("((a > 0) AND CASE WHEN (n > 5) THEN ((n % 2) = 0) ELSE true END)")
	if len(terms) != 2 || terms[0].Expr == nil || terms[1].Expr == nil || terms[1].Err != nil {
		t.Fatalf("Terms = %+v", terms)
	}
	if _, isCase := terms[1].Expr.(Case); !isCase {
		t.Errorf("the CASE term parsed as %#v", terms[1].Expr)
	}
	unread := Terms("((a > 0) AND (EXISTS (SELECT 1)))")
	if len(unread) != 2 || unread[0].Expr == nil || unread[1].Expr != nil || unread[1].Err == nil {
		t.Fatalf("Terms with an unreadable condition = %+v", unread)
	}
	if terms[1].Text != "CASE WHEN (n > 5) THEN ((n % 2) = 0) ELSE true END" {
		t.Errorf("text of the CASE = %q", terms[1].Text)
	}
}

func TestLiteralsAndIdentifiers(t *testing.T) {
	expr := `((rating ~~ 'PG%'::text) OR (rating = ANY (ARRAY['G'::text, 'R'::text])) OR ("Size" > -5) OR (lower(code) = 'x'::character varying))`
	if got, want := Literals(expr), []string{"PG%", "G", "R", "-5", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Literals = %q, want %q", got, want)
	}
	got := Identifiers(expr)
	for _, name := range []string{"rating", "Size", "code"} {
		if !contains(got, name) {
			t.Errorf("Identifiers = %q: %s missing", got, name)
		}
	}
	for _, name := range []string{"text", "lower", "character"} {
		if contains(got, name) {
			t.Errorf("Identifiers = %q: %s is not a column", got, name)
		}
	}
}

func TestFunctionsAndStringLiterals(t *testing.T) {
	if got, want := Functions("(public.valid_sku(sku) AND (lower(x) = 'a'::text))"), []string{"valid_sku", "lower"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Functions = %q, want %q", got, want)
	}
	body := "BEGIN\n  -- it's a comment\n  RETURN s ~ '^[A-Z]{3}$' AND s <> E'x\\'y';\nEND;"
	if got, want := StringLiterals(body), []string{"^[A-Z]{3}$", "x'y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("StringLiterals = %q, want %q", got, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func FuzzSplitAnd(f *testing.F) {
	f.Add("((a > 0) AND (b < 5))")
	f.Add("CASE WHEN a AND b THEN 1 END AND x BETWEEN 1 AND 2")
	f.Add("(((")
	f.Add("CASE x WHEN 1 THEN (a IS NULL) IS TRUE ELSE b IS DISTINCT FROM c END")
	f.Fuzz(func(t *testing.T, s string) {
		for _, term := range SplitAnd(s) {
			if term == "" {
				t.Fatalf("empty condition from %q", s)
			}
			_ = Terms(term)
		}
		_ = Literals(s)
		_ = Identifiers(s)
		_ = Functions(s)
		_ = StringLiterals(s)
	})
}
