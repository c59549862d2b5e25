package contract

import (
	"encoding/json"
	"strings"
	"testing"
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
