package catalog

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

// ProdStats is prod's size and shape, as the schema Job copied it into the copy's database
// (contract.SchemaJobScript): row estimates and per-column aggregate statistics, never a value.
type ProdStats struct {
	// Rows is pg_class.reltuples by "schema.table"; -1 when the table was never analyzed.
	Rows map[string]float64
	// Columns are pg_stats' aggregates by "schema.table.column" (the inherited row, for a
	// partitioned table, when there is one).
	Columns map[string]ColumnStats
}

// ColumnStats are a column's aggregate statistics in prod.
type ColumnStats struct {
	// NullFrac is the fraction of NULLs.
	NullFrac float64
	// NDistinct is the number of distinct values when positive; when negative, minus the
	// fraction of rows that are distinct (-1: unique).
	NDistinct float64
	// AvgWidth is the average width in bytes.
	AvgWidth int
}

// ReadProdStats reads the statistics the schema Job left; nil when there are none.
func ReadProdStats(ctx context.Context, conn *pgx.Conn) (*ProdStats, error) {
	var present bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL",
		contract.ProdTablesTable, contract.ProdColumnsTable).Scan(&present); err != nil || !present {
		return nil, err
	}
	s := &ProdStats{Rows: map[string]float64{}, Columns: map[string]ColumnStats{}}
	rows, err := conn.Query(ctx, "SELECT schema_name || '.' || table_name, reltuples FROM "+contract.ProdTablesTable)
	if err != nil {
		return nil, fmt.Errorf("reading prod's row estimates: %w", err)
	}
	for rows.Next() {
		var name string
		var n float64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		s.Rows[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Non-inherited rows first, so a partitioned table's inherited statistics win.
	rows, err = conn.Query(ctx, "SELECT schema_name || '.' || table_name || '.' || column_name, "+
		"coalesce(null_frac, 0), coalesce(n_distinct, 0), coalesce(avg_width, 0) FROM "+contract.ProdColumnsTable+
		" ORDER BY inherited, 1")
	if err != nil {
		return nil, fmt.Errorf("reading prod's column statistics: %w", err)
	}
	for rows.Next() {
		var name string
		var c ColumnStats
		if err := rows.Scan(&name, &c.NullFrac, &c.NDistinct, &c.AvgWidth); err != nil {
			return nil, err
		}
		s.Columns[name] = c
	}
	return s, rows.Err()
}

// TableRows is prod's estimated row count of a table: its own estimate, or for a partitioned
// table the sum of its leaves'. ok is false when nothing is known.
func (s *ProdStats) TableRows(t *Table) (float64, bool) {
	if s == nil {
		return 0, false
	}
	if !t.Partitioned {
		n, ok := s.Rows[t.QualifiedName()]
		return n, ok && n >= 0
	}
	var sum float64
	known := false
	for _, l := range t.Leaves {
		if n, ok := s.Rows[l.Name]; ok && n >= 0 {
			sum += n
			known = true
		}
	}
	return sum, known
}

// Column returns a column's statistics in prod.
func (s *ProdStats) Column(c *Column) (ColumnStats, bool) {
	if s == nil {
		return ColumnStats{}, false
	}
	st, ok := s.Columns[c.String()]
	return st, ok
}
