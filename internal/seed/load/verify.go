package load

import (
	"context"
	"fmt"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/plan"

	"github.com/jackc/pgx/v5"
)

// Verify checks the loaded data against the plan and the schema: every table has the planned
// number of rows and every foreign key resolves. CHECK, NOT NULL and unique constraints are
// enforced by PostgreSQL while loading; foreign keys are checked here because loading may have
// run with triggers (and so foreign key checks) disabled.
func Verify(ctx context.Context, conn *pgx.Conn, p *plan.Plan) error {
	for _, tp := range p.Tables {
		if err := verifyCount(ctx, conn, tp); err != nil {
			return err
		}
	}
	for _, tp := range p.Tables {
		for _, fk := range tp.Table.ForeignKeys {
			if err := verifyForeignKey(ctx, conn, fk); err != nil {
				return err
			}
		}
	}
	return nil
}

func verifyCount(ctx context.Context, conn *pgx.Conn, tp *plan.TablePlan) error {
	only := "ONLY "
	if tp.Table.Partitioned {
		only = ""
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+only+tp.Table.Ident()).Scan(&n); err != nil {
		return fmt.Errorf("counting the rows of %s: %s", tp.Table.QualifiedName(), DescribeError(err))
	}
	if n != tp.Rows {
		return fmt.Errorf("verification: %s has %d rows, %d were planned", tp.Table.QualifiedName(), n, tp.Rows)
	}
	return nil
}

// verifyForeignKey counts child rows whose (non-NULL) key has no parent, as MATCH SIMPLE does.
func verifyForeignKey(ctx context.Context, conn *pgx.Conn, fk *catalog.ForeignKey) error {
	var notNull, join []string
	for i, c := range fk.Columns {
		notNull = append(notNull, "c."+c.Ident()+" IS NOT NULL")
		join = append(join, "p."+fk.RefColumns[i].Ident()+" = c."+c.Ident())
	}
	q := fmt.Sprintf("SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)",
		fk.Table.Ident(), strings.Join(notNull, " AND "), fk.RefTable.Ident(), strings.Join(join, " AND "))
	var orphans int64
	if err := conn.QueryRow(ctx, q).Scan(&orphans); err != nil {
		return fmt.Errorf("checking foreign key %s of %s: %s", fk.Name, fk.Table.QualifiedName(), DescribeError(err))
	}
	if orphans > 0 {
		return fmt.Errorf("verification: foreign key %s of %s %s: %d rows reference no row of %s %s",
			fk.Name, fk.Table.QualifiedName(), catalog.DescribeColumns(fk.Columns), orphans,
			fk.RefTable.QualifiedName(), catalog.DescribeColumns(fk.RefColumns))
	}
	return nil
}
