package load

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

// userRelations restricts a query on pg_class c / pg_namespace n to the tables of the user's
// schemas (not the system's, not the private schema of prod's statistics).
const userRelations = `c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND n.nspname <> '` + contract.PrivateSchema + `'`

// readConstraints lists every constraint of every user relation, each on the relation it is
// recorded on: partitions and inheritance children have their own rows (cloned or inherited).
func readConstraints(ctx context.Context, conn *pgx.Conn) ([]constraint, error) {
	rows, err := conn.Query(ctx, `
SELECT COALESCE(pg_partition_root(c.oid), c.oid)::oid, k.conname, k.contype::text, format('%I.%I', n.nspname, c.relname), pg_get_constraintdef(k.oid),
       COALESCE(pg_get_expr(k.conbin, k.conrelid), ''),
       ARRAY(SELECT quote_ident(a.attname) FROM unnest(k.conkey) WITH ORDINALITY u(num, i)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.i),
       COALESCE((SELECT format('%I.%I', rn.nspname, rc.relname) FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                 WHERE rc.oid = k.confrelid), ''),
       ARRAY(SELECT quote_ident(a.attname) FROM unnest(k.confkey) WITH ORDINALITY u(num, i)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.i),
       k.confmatchtype = 'f',
       COALESCE((SELECT i.indnullsnotdistinct FROM pg_index i WHERE i.indexrelid = k.conindid), false),
       ARRAY(SELECT format('OPERATOR(%I.%s)', opn.nspname, o.oprname) FROM unnest(k.conexclop) WITH ORDINALITY u(op, i)
             JOIN pg_operator o ON o.oid = u.op JOIN pg_namespace opn ON opn.oid = o.oprnamespace ORDER BY u.i),
       k.contype = 'x' AND 0 <> ALL (k.conkey) AND
         COALESCE((SELECT i.indpred IS NULL AND i.indexprs IS NULL FROM pg_index i WHERE i.indexrelid = k.conindid), false)
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('c', 'f', 'p', 'u', 'x') AND `+userRelations+`
  -- A foreign key to a partitioned table gets a clone per referenced partition: the parent's
  -- row, checked against the whole partitioned table, covers them.
  AND NOT (k.contype = 'f' AND k.conparentid <> 0 AND (SELECT rc.relispartition FROM pg_class rc WHERE rc.oid = k.confrelid))
ORDER BY n.nspname, c.relname, k.conname`)
	if err != nil {
		return nil, fmt.Errorf("verification: listing constraints: %s", DescribeError(err))
	}
	var out []constraint
	for rows.Next() {
		var c constraint
		if err := rows.Scan(&c.root, &c.name, &c.kind, &c.table, &c.def, &c.check, &c.cols, &c.refTable, &c.refCols,
			&c.matchFull, &c.nullsNotDistinct, &c.operators, &c.simpleExclusion); err != nil {
			return nil, err
		}
		c.kind = map[string]string{"c": "CHECK", "f": "FOREIGN KEY", "p": "PRIMARY KEY", "u": "UNIQUE", "x": "EXCLUDE"}[c.kind]
		out = append(out, c)
	}
	return out, rows.Err()
}

// readNotNull lists the NOT NULL columns of every user relation, one check per relation.
func readNotNull(ctx context.Context, conn *pgx.Conn) ([]constraint, error) {
	rows, err := conn.Query(ctx, `
SELECT COALESCE(pg_partition_root(c.oid), c.oid)::oid, format('%I.%I', n.nspname, c.relname), array_agg(quote_ident(a.attname) ORDER BY a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull AND c.relkind = 'r' AND `+userRelations+`
GROUP BY 1, 2 ORDER BY 2`)
	if err != nil {
		return nil, fmt.Errorf("verification: listing NOT NULL columns: %s", DescribeError(err))
	}
	var out []constraint
	for rows.Next() {
		c := constraint{kind: "NOT NULL"}
		if err := rows.Scan(&c.root, &c.table, &c.cols); err != nil {
			return nil, err
		}
		c.name, c.def = "("+strings.Join(c.cols, ", ")+")", "each NOT NULL"
		out = append(out, c)
	}
	return out, rows.Err()
}
