package gen

import (
	"strings"
	"testing"
)

// Past every (first, last) pair, distinct people get a middle initial, and names stay distinct
// case folded.
func TestDistinctPersonsStayDistinctPastEveryPair(t *testing.T) {
	pairs := int64(len(lexFirst) * len(lexLast))
	p := &PersonRecipe{Seed: 11, Distinct: true}
	g := (&PersonColumnRecipe{Person: p, Part: PartFullName, Unique: true}).Instantiate(NewInstContext())
	seen := map[string]int64{}
	var buf []byte
	check := func(row int64) {
		buf = g.AppendValue(buf[:0], row)
		name := strings.ToLower(string(buf))
		if prev, dup := seen[name]; dup {
			t.Fatalf("rows %d and %d are both %q", prev, row, buf)
		}
		seen[name] = row
	}
	for row := int64(0); row < 200_000; row++ {
		check(row)
	}
	for row := pairs - 50_000; row < pairs+50_000; row++ {
		check(row)
	}
	buf = g.AppendValue(buf[:0], pairs+7)
	if !strings.Contains(string(buf), " A. ") {
		t.Fatalf("row %d past every pair is %q, want a middle initial", pairs+7, buf)
	}
	buf = g.AppendValue(buf[:0], 5)
	if strings.ContainsAny(string(buf), "0123456789.-") {
		t.Fatalf("row 5 is %q, want a plain name", buf)
	}
}
