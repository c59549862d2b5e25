package mirror

import (
	"testing"

	"github.com/envmirror/envmirror/internal/seed/contract"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

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
	s := SeedSpec(d, DefaultSeed("feature/x"))
	if s.Seed != DefaultSeed("feature/x") || s.DefaultRows != 50 || s.Tables["orders"] != 500 || len(s.Columns) != 2 {
		t.Fatalf("SpecFromAPI = %+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	d.Seed = &seed
	withSeed := SeedSpec(d, 99)
	if withSeed.Seed != 7 {
		t.Errorf("explicit seed not used: %d", withSeed.Seed)
	}
	if SeedSpec(v1alpha1.DatabaseSpec{}, 1).DefaultRows != contract.DefaultRowsPerTable {
		t.Error("default rows not applied")
	}
	// The hash is stable, insensitive to map order and nil-vs-empty, sensitive to content.
	a := contract.Spec{Seed: 1, DefaultRows: 10, Tables: map[string]int64{"a": 1, "b": 2}}
	b := contract.Spec{Seed: 1, DefaultRows: 10, Tables: map[string]int64{"b": 2, "a": 1}}
	if a.Hash() != b.Hash() || len(a.Hash()) != 16 {
		t.Errorf("hash differs for equal specs: %s %s", a.Hash(), b.Hash())
	}
	if (contract.Spec{Seed: 1, Tables: map[string]int64{}}).Hash() != (contract.Spec{Seed: 1}).Hash() {
		t.Error("empty and nil tables hash differently")
	}
	if a.Hash() == (contract.Spec{Seed: 2, DefaultRows: 10, Tables: a.Tables}).Hash() {
		t.Error("hash ignores the seed")
	}
	if DefaultSeed("main") != DefaultSeed("main") || DefaultSeed("main") == DefaultSeed("dev") {
		t.Error("DefaultSeed is not a stable hash")
	}
}
