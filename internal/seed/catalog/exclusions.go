package catalog

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// readExclusions reads the elements and operators of the EXCLUDE constraints.
func readExclusions(ctx context.Context, conn *pgx.Conn, cat *Catalog, oids []uint32) error {
	rows, err := conn.Query(ctx, `
SELECT k.conrelid, k.conname,
       ARRAY(SELECT pg_get_indexdef(k.conindid, e.i::int, true) FROM generate_series(1, cardinality(k.conexclop)) e(i) ORDER BY e.i),
       ARRAY(SELECT o.oprname::text FROM unnest(k.conexclop) WITH ORDINALITY u(op, i) JOIN pg_operator o ON o.oid = u.op ORDER BY u.i),
       COALESCE((SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i WHERE i.indexrelid = k.conindid), '')
FROM pg_constraint k WHERE k.conrelid = ANY($1) AND k.contype = 'x' AND k.conparentid = 0`, oids)
	if err != nil {
		return fmt.Errorf("reading EXCLUDE constraints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel uint32
		var x Exclusion
		if err := rows.Scan(&rel, &x.Name, &x.Elems, &x.Ops, &x.Predicate); err != nil {
			return err
		}
		for _, e := range cat.byOID[rel].Exclusions {
			if e.Name == x.Name {
				*e = x
			}
		}
	}
	return rows.Err()
}
