package load

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// Verify checks the loaded data: every table has the planned number of rows, and every
// constraint in the catalog holds (VerifyConstraints).
func Verify(ctx context.Context, conn *pgx.Conn, p *plan.Plan) error {
	for _, tp := range p.Tables {
		if err := verifyCount(ctx, conn, tp); err != nil {
			return err
		}
	}
	return VerifyConstraints(ctx, conn)
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

// constraint is one row of pg_constraint, on one relation (a table, a partition or an
// inheritance child), with what checking it needs.
type constraint struct {
	name, kind, table, def string
	check                  string   // CHECK: the expression
	cols                   []string // quoted column names (FOREIGN KEY, UNIQUE, PRIMARY KEY, EXCLUDE)
	refTable               string   // FOREIGN KEY: the referenced relation
	refCols                []string
	matchFull              bool     // FOREIGN KEY ... MATCH FULL
	nullsNotDistinct       bool     // UNIQUE NULLS NOT DISTINCT
	operators              []string // EXCLUDE: OPERATOR(schema.op) per column
	simpleExclusion        bool     // EXCLUDE on plain columns without a WHERE clause
}

// VerifyConstraints checks, by reading the rows, that every FOREIGN KEY, CHECK, UNIQUE,
// PRIMARY KEY, EXCLUDE and NOT NULL constraint of every table, partition and inheritance child
// of the user's schemas holds, whatever the plan believed. It names each violated constraint,
// its table, how many rows break it and one of them.
func VerifyConstraints(ctx context.Context, conn *pgx.Conn) error {
	cons, err := readConstraints(ctx, conn)
	if err != nil {
		return err
	}
	nulls, err := readNotNull(ctx, conn)
	if err != nil {
		return err
	}
	cons = append(cons, nulls...)
	var failures []string
	for _, c := range cons {
		query, ok := violationQuery(c)
		if !ok {
			continue
		}
		msg, err := violations(ctx, conn, c, query)
		if err != nil {
			return err
		}
		if msg != "" {
			failures = append(failures, msg)
		}
	}
	if len(failures) == 0 {
		return nil
	}
	more := ""
	if len(failures) > 5 {
		more = fmt.Sprintf("; and %d more", len(failures)-5)
		failures = failures[:5]
	}
	return contract.WithReason(contract.ReasonVerificationFailed,
		fmt.Errorf("verification: %d constraint(s) do not hold: %s%s", len(failures), strings.Join(failures, "; "), more))
}

// violations counts the rows query finds and describes the first.
func violations(ctx context.Context, conn *pgx.Conn, c constraint, query string) (string, error) {
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM ("+query+") v").Scan(&n); err != nil {
		return "", fmt.Errorf("verifying %s %s of %s: %s", c.kind, c.name, c.table, DescribeError(err))
	}
	if n == 0 {
		return "", nil
	}
	var sample string
	if err := conn.QueryRow(ctx, "SELECT left(v::text, 200) FROM ("+query+") v LIMIT 1").Scan(&sample); err != nil {
		sample = "(unreadable: " + DescribeError(err) + ")"
	}
	return fmt.Sprintf("%s %s of %s (%s) fails for %d row(s), e.g. %s", c.kind, c.name, c.table, c.def, n, sample), nil
}

// violationQuery selects the rows (or groups of rows) that break a constraint; ok is false for
// constraints only their index can check (EXCLUDE over expressions or with a WHERE clause,
// which the index enforced on every insert).
func violationQuery(c constraint) (string, bool) {
	switch c.kind {
	case "CHECK":
		return fmt.Sprintf("SELECT t.* FROM ONLY %s t WHERE NOT (%s)", c.table, c.check), true
	case "NOT NULL":
		return fmt.Sprintf("SELECT t.* FROM ONLY %s t WHERE %s", c.table, joinEach(c.cols, "%s IS NULL", " OR ")), true
	case "FOREIGN KEY":
		return foreignKeyQuery(c), true
	case "PRIMARY KEY", "UNIQUE":
		where := ""
		if !c.nullsNotDistinct {
			where = " WHERE " + joinEach(c.cols, "%s IS NOT NULL", " AND ")
		}
		cols := strings.Join(c.cols, ", ")
		return fmt.Sprintf("SELECT %s, count(*) AS copies FROM ONLY %s%s GROUP BY %s HAVING count(*) > 1", cols, c.table, where, cols), true
	case "EXCLUDE":
		if !c.simpleExclusion {
			return "", false
		}
		var on []string
		for i, col := range c.cols {
			on = append(on, fmt.Sprintf("a.%s %s b.%s", col, c.operators[i], col))
		}
		return fmt.Sprintf("SELECT a.* FROM ONLY %s a JOIN ONLY %s b ON a.ctid <> b.ctid AND %s", c.table, c.table, strings.Join(on, " AND ")), true
	}
	return "", false
}

// foreignKeyQuery selects the rows whose key has no parent: with MATCH SIMPLE a row with any NULL
// column passes; with MATCH FULL only an all-NULL key does.
func foreignKeyQuery(c constraint) string {
	var match []string
	for i, col := range c.cols {
		match = append(match, fmt.Sprintf("p.%s = t.%s", c.refCols[i], col))
	}
	orphan := fmt.Sprintf("(%s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s))",
		joinEach(c.cols, "t.%s IS NOT NULL", " AND "), c.refTable, strings.Join(match, " AND "))
	if c.matchFull && len(c.cols) > 1 {
		orphan += fmt.Sprintf(" OR ((%s) AND NOT (%s))", joinEach(c.cols, "t.%s IS NULL", " OR "), joinEach(c.cols, "t.%s IS NULL", " AND "))
	}
	return fmt.Sprintf("SELECT t.* FROM ONLY %s t WHERE %s", c.table, orphan)
}

func joinEach(items []string, format, sep string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf(format, s)
	}
	return strings.Join(out, sep)
}
