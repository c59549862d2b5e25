package mirror

import (
	"hash/fnv"

	"github.com/envmirror/envmirror/internal/seed/contract"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// SeedSpec turns a database's API spec into the seeding program's Spec (the contract with
// `manager seed`). defaultSeed is used
// when the API spec sets no seed (see DefaultSeed).
func SeedSpec(d v1alpha1.DatabaseSpec, defaultSeed int64) contract.Spec {
	s := contract.Spec{Seed: defaultSeed, DefaultRows: contract.DefaultRowsPerTable}
	if d.Seed != nil {
		s.Seed = *d.Seed
	}
	if d.Rows.Default != nil {
		s.DefaultRows = *d.Rows.Default
	}
	if d.Rows.Scale != nil {
		if v, err := d.Rows.Scale.Parse(); err == nil { // validated before planning
			s.Scale = v
		}
	}
	if d.Rows.Min != nil {
		s.MinRows = *d.Rows.Min
	}
	if d.Rows.Max != nil {
		s.MaxRows = *d.Rows.Max
	}
	if len(d.Rows.Tables) > 0 {
		s.Tables = make(map[string]int64, len(d.Rows.Tables))
		for k, v := range d.Rows.Tables {
			s.Tables[k] = v
		}
	}
	for _, c := range d.Columns {
		s.Columns = append(s.Columns, contract.ColumnRule{
			Table:     c.Table,
			Column:    c.Column,
			Generator: string(c.Generator),
			Values:    append([]string(nil), c.Values...),
		})
	}
	return s
}

// DefaultSeed derives a seed from a name (the branch, or the environment's name when no branch
// is set), so re-creating the environment for the same branch yields identical data.
func DefaultSeed(s string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return int64(h.Sum64())
}
