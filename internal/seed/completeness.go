package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/load"
	"github.com/envmirror/envmirror/internal/seed/schemasql"
)

// checkSchemaComplete refuses a database with fewer tables than its schema source: the tables
// the schema file creates, and prod's tables as the schema Job listed them (required when
// fromDatabase). A pg_dump that failed while piped into psql gives an empty database that would
// otherwise seed "successfully" with nothing in it.
func checkSchemaComplete(ctx context.Context, conn *pgx.Conn, schemaSQL string, fromDatabase bool) error {
	have, err := userTables(ctx, conn)
	if err != nil {
		return err
	}
	var want []schemasql.Table
	source := "the schema file creates"
	if schemaSQL != "" {
		want = schemasql.CreatedTables(schemaSQL)
	}
	prod, listed, err := prodTables(ctx, conn)
	if err != nil {
		return err
	}
	switch {
	case listed:
		want, source = append(want, prod...), "prod has (as the schema Job listed them)"
	case fromDatabase:
		return contract.WithReason(contract.ReasonSchemaIncomplete, fmt.Errorf(
			"the schema was to be copied from prod, but the schema Job left no list of prod's tables (%s): "+
				"it did not finish; its log says why", contract.ProdTablesTable))
	}
	missing := missingTables(want, have)
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, 0, 10)
	for i, t := range missing {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(missing)-10))
			break
		}
		names = append(names, t.String())
	}
	return contract.WithReason(contract.ReasonSchemaIncomplete, fmt.Errorf(
		"the database lacks %d of the %d tables %s: %s; the schema did not arrive whole (for schema.fromDatabase: "+
			"did pg_dump fail? the schema Job's log says why), so nothing is seeded",
		len(missing), len(want), source, strings.Join(names, ", ")))
}

// missingTables are the wanted tables the database does not have; an unqualified name is found
// in any schema.
func missingTables(want []schemasql.Table, have map[schemasql.Table]bool) []schemasql.Table {
	bare := map[string]bool{}
	for t := range have {
		bare[t.Name] = true
	}
	var out []schemasql.Table
	seen := map[schemasql.Table]bool{}
	for _, t := range want {
		found := have[t] || t.Schema == "" && bare[t.Name]
		if !found && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// userTables lists the tables and partitions of the user's schemas.
func userTables(ctx context.Context, conn *pgx.Conn) (map[schemasql.Table]bool, error) {
	rows, err := conn.Query(ctx, `SELECT n.nspname::text, c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> $1`,
		contract.PrivateSchema)
	if err != nil {
		return nil, fmt.Errorf("listing the database's tables: %s", load.DescribeError(err))
	}
	have := map[schemasql.Table]bool{}
	for rows.Next() {
		var t schemasql.Table
		if err := rows.Scan(&t.Schema, &t.Name); err != nil {
			return nil, err
		}
		have[t] = true
	}
	return have, rows.Err()
}

// prodTables reads the list of prod's tables the schema Job left; listed is false when there is
// none.
func prodTables(ctx context.Context, conn *pgx.Conn) (tables []schemasql.Table, listed bool, err error) {
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", contract.ProdTablesTable).Scan(&listed); err != nil || !listed {
		return nil, false, err
	}
	rows, err := conn.Query(ctx, "SELECT schema_name::text, table_name::text FROM "+contract.ProdTablesTable)
	if err != nil {
		return nil, false, fmt.Errorf("reading the list of prod's tables: %s", load.DescribeError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var t schemasql.Table
		if err := rows.Scan(&t.Schema, &t.Name); err != nil {
			return nil, false, err
		}
		tables = append(tables, t)
	}
	return tables, true, rows.Err()
}
