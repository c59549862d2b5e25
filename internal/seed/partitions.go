package seed

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/load"
)

// addMissingPartitions gives every partitioned table without partitions one partition that
// takes any row, in the copy only: applications that create their partitions at run time (by
// month, by pg_partman, by hash buckets) dump the parent alone, and rows could not be loaded
// ("no partition of relation found for row"). A range or list table gets a DEFAULT partition
// (the application can still create its partitions for ranges the seeded rows are not in); a
// hash table, which cannot have one, gets the partition of modulus 1. A partition that is
// itself partitioned is handled the same way, level by level. It returns what it created, as
// "schema.partition of schema.table (DEFAULT)".
func addMissingPartitions(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	var created []string
	for round := 0; round < 16; round++ {
		empty, err := childlessPartitioned(ctx, conn)
		if err != nil || len(empty) == 0 {
			return created, err
		}
		for _, p := range empty {
			name, err := freePartitionName(ctx, conn, p.schema, p.name)
			if err != nil {
				return created, err
			}
			bound, how := "DEFAULT", "DEFAULT"
			if p.strategy == "h" {
				bound, how = "FOR VALUES WITH (MODULUS 1, REMAINDER 0)", "every hash"
			}
			sql := fmt.Sprintf("CREATE TABLE %s PARTITION OF %s %s", pgx.Identifier{p.schema, name}.Sanitize(),
				pgx.Identifier{p.schema, p.name}.Sanitize(), bound)
			if _, err := conn.Exec(ctx, sql); err != nil {
				return created, fmt.Errorf("creating a partition for %s.%s, which has none: %s", p.schema, p.name, load.DescribeError(err))
			}
			created = append(created, fmt.Sprintf("%s.%s of %s.%s (%s)", p.schema, name, p.schema, p.name, how))
		}
	}
	return created, nil
}

type partitionedTable struct{ schema, name, strategy string }

func childlessPartitioned(ctx context.Context, conn *pgx.Conn) ([]partitionedTable, error) {
	rows, err := conn.Query(ctx, `
SELECT n.nspname::text, c.relname::text, pt.partstrat::text
FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = c.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("listing partitioned tables without partitions: %s", load.DescribeError(err))
	}
	var out []partitionedTable
	for rows.Next() {
		var p partitionedTable
		if err := rows.Scan(&p.schema, &p.name, &p.strategy); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// freePartitionName is "<table>_default" (cut to PostgreSQL's 63 bytes), or with a number when
// the schema has a relation of that name.
func freePartitionName(ctx context.Context, conn *pgx.Conn, schema, table string) (string, error) {
	for i := 0; i < 100; i++ {
		suffix := "_default"
		if i > 0 {
			suffix = fmt.Sprintf("_default%d", i)
		}
		base := table
		if len(base)+len(suffix) > 63 {
			cut := 63 - len(suffix)
			for cut > 0 && !utf8.RuneStart(base[cut]) {
				cut--
			}
			base = base[:cut]
		}
		name := base + suffix
		var taken bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2)`, schema, name).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free name for a partition of %s.%s", schema, table)
}
