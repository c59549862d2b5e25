package seed

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec([]byte(`{"seed":42,"defaultRows":10,"tables":{"shop.orders":5},
		"columns":[{"table":"users","column":"email","generator":"email"},
		{"table":"users","column":"plan","generator":"oneOf","values":["free","pro"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Seed != 42 || s.DefaultRows != 10 || s.Tables["shop.orders"] != 5 || len(s.Columns) != 2 {
		t.Fatalf("unexpected spec %+v", s)
	}
	bad := map[string]string{
		`{"seed":1,"defaultRows":-1}`:                                                                          "defaultRows",
		`{"seed":1,"defaultRows":1,"tables":{"t":200000000}}`:                                                  "tables",
		`{"seed":1,"defaultRows":1,"columns":[{"table":"t","column":"c","generator":"nope"}]}`:                 "unknown generator",
		`{"seed":1,"defaultRows":1,"columns":[{"table":"t","column":"c","generator":"constant"}]}`:             "exactly one value",
		`{"seed":1,"defaultRows":1,"columns":[{"table":"t","column":"c","generator":"email","values":["x"]}]}`: "only used by",
		`{"seed":1,"defaultRows":1,"colums":[]}`:                                                               "unknown field",
		`{"seed":1} {}`:                                                                                        "unexpected data",
		`not json`:                                                                                             "seed spec",
	}
	for in, want := range bad {
		if _, err := ParseSpec([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%s) error = %v, want one mentioning %q", in, err, want)
		}
	}
}

func TestSpecFromAPIAndHash(t *testing.T) {
	seed, rows := int64(7), int64(50)
	d := v1alpha1.DatabaseSpec{
		Name: "orders-db",
		Rows: v1alpha1.RowsSpec{Default: &rows, Tables: map[string]int64{"orders": 500}},
		Columns: []v1alpha1.ColumnRule{
			{Table: "users", Column: "email", Generator: "email"},
			{Table: "users", Column: "tier", Generator: "oneOf", Values: []string{"a", "b"}},
		},
	}
	s := SpecFromAPI(d, DefaultSeed("feature/x"))
	if s.Seed != DefaultSeed("feature/x") || s.DefaultRows != 50 || s.Tables["orders"] != 500 || len(s.Columns) != 2 {
		t.Fatalf("SpecFromAPI = %+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	d.Seed = &seed
	withSeed := SpecFromAPI(d, 99)
	if withSeed.Seed != 7 {
		t.Errorf("explicit seed not used: %d", withSeed.Seed)
	}
	if SpecFromAPI(v1alpha1.DatabaseSpec{}, 1).DefaultRows != DefaultRowsPerTable {
		t.Error("default rows not applied")
	}
	// The hash is stable, insensitive to map order and nil-vs-empty, sensitive to content.
	a := Spec{Seed: 1, DefaultRows: 10, Tables: map[string]int64{"a": 1, "b": 2}}
	b := Spec{Seed: 1, DefaultRows: 10, Tables: map[string]int64{"b": 2, "a": 1}}
	if a.Hash() != b.Hash() || len(a.Hash()) != 16 {
		t.Errorf("hash differs for equal specs: %s %s", a.Hash(), b.Hash())
	}
	if (Spec{Seed: 1, Tables: map[string]int64{}}).Hash() != (Spec{Seed: 1}).Hash() {
		t.Error("empty and nil tables hash differently")
	}
	if a.Hash() == (Spec{Seed: 2, DefaultRows: 10, Tables: a.Tables}).Hash() {
		t.Error("hash ignores the seed")
	}
	if DefaultSeed("main") != DefaultSeed("main") || DefaultSeed("main") == DefaultSeed("dev") {
		t.Error("DefaultSeed is not a stable hash")
	}
}

func TestSummaryCompact(t *testing.T) {
	s := Summary{Tables: 2, Rows: 30, DurationSeconds: 1.5, RowsPerSecond: 20,
		PerTable: []TableSummary{{Table: "public.a", Rows: 10, Seconds: 0.1}, {Table: "public.b", Rows: 20, Seconds: 0.2}}}
	got, err := ParseSummary(s.Compact())
	if err != nil || got.Rows != 30 || len(got.PerTable) != 2 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for i := 0; i < 500; i++ {
		s.PerTable = append(s.PerTable, TableSummary{Table: strings.Repeat("t", 40), Rows: int64(i)})
	}
	s.Error = strings.Repeat("é\"<", 3000)
	b := s.Compact()
	if len(b) > MaxSummaryBytes {
		t.Fatalf("compact summary is %d bytes", len(b))
	}
	got, err = ParseSummary(b)
	if err != nil || got.PerTable != nil || got.Rows != 30 || !strings.HasSuffix(got.Error, "…") {
		t.Fatalf("shortened summary: %+v, %v", got, err)
	}
	if !json.Valid(b) {
		t.Fatal("invalid JSON")
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"seed":1,"defaultRows":100,"tables":{"public.a":5}}`))
	f.Add([]byte(`{"seed":-9,"defaultRows":0,"columns":[{"table":"t","column":"c","generator":"oneOf","values":["x"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data)
		if err != nil {
			return
		}
		if s.Validate() != nil {
			t.Fatal("ParseSpec returned an invalid spec")
		}
		again, err := ParseSpec(mustMarshal(s))
		if err != nil || again.Hash() != s.Hash() {
			t.Fatalf("spec does not survive a round trip: %v", err)
		}
	})
}

func FuzzParseSummary(f *testing.F) {
	f.Add([]byte(`{"tables":1,"rows":2,"durationSeconds":0.5,"rowsPerSecond":4}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSummary(data)
		if err != nil {
			return
		}
		if len(s.Compact()) > MaxSummaryBytes {
			t.Fatal("compact summary too long")
		}
	})
}
