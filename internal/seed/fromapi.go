package seed

import (
	"hash/fnv"

	"github.com/envmirror/envmirror/internal/seed/contract"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// SpecFromAPI turns a database's API spec into the seeding program's Spec. defaultSeed is used
// when the API spec sets no seed (see DefaultSeed).
func SpecFromAPI(d v1alpha1.DatabaseSpec, defaultSeed int64) contract.Spec {
	s := contract.Spec{Seed: defaultSeed, DefaultRows: contract.DefaultRowsPerTable}
	if d.Seed != nil {
		s.Seed = *d.Seed
	}
	if d.Rows.Default != nil {
		s.DefaultRows = *d.Rows.Default
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
