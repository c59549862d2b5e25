package load

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// constraint is one row of pg_constraint, on one relation (a table, a partition or an
// inheritance child), with what checking it needs.
type constraint struct {
	root                   uint32 // the seeded table whose rows reach the relation (its partition root)
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

// Verifier checks, by reading the rows, that every FOREIGN KEY, CHECK, UNIQUE, PRIMARY KEY,
// EXCLUDE and NOT NULL constraint of every table, partition and inheritance child of the user's
// schemas holds, whatever the plan believed. It lists them from the catalog once; Table checks
// one seeded table's as soon as it (and so its parents) is loaded, while other tables load;
// Rest checks what is left (the foreign keys set after loading, tables nobody seeded). A failure
// names each violated constraint, its relation, how many rows break it and one of them.
type Verifier struct {
	mu      sync.Mutex
	pending map[uint32][]constraint // by partition root, not checked yet
	// later are the foreign keys set after loading (they close a cycle), by root and name.
	later map[uint32]map[string]bool
}

// NewVerifier lists the constraints to check. p (nil for none) says which foreign keys are set
// after loading.
func NewVerifier(ctx context.Context, conn *pgx.Conn, p *plan.Plan) (*Verifier, error) {
	cons, err := readConstraints(ctx, conn)
	if err != nil {
		return nil, err
	}
	nulls, err := readNotNull(ctx, conn)
	if err != nil {
		return nil, err
	}
	v := &Verifier{pending: map[uint32][]constraint{}, later: map[uint32]map[string]bool{}}
	for _, c := range append(cons, nulls...) {
		v.pending[c.root] = append(v.pending[c.root], c)
	}
	if p != nil {
		for _, tp := range p.Tables {
			for _, d := range tp.Deferred {
				if v.later[tp.Table.OID] == nil {
					v.later[tp.Table.OID] = map[string]bool{}
				}
				v.later[tp.Table.OID][d.FK.Name] = true
			}
		}
	}
	return v, nil
}

// VerifyConstraints checks every constraint of the database (see Verifier).
func VerifyConstraints(ctx context.Context, conn *pgx.Conn) error {
	v, err := NewVerifier(ctx, conn, nil)
	if err != nil {
		return err
	}
	return Run(ctx, conn, v.RestChecks())
}

// Session prepares a connection for checking: hashing a big table's keys in memory rather than
// in batches spilled to disk (a unique key over 500k rows needs some 64MB) halves the checks.
// A unique key is checked by grouping on its columns; with the hash aggregate off, the planner
// reads the key's own index in order instead, which for a table loaded with COPY FREEZE (its
// pages marked all-visible, see CopyTable) reads the index alone. Only GROUP BY is affected:
// foreign keys still use hash joins.
func Session(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, "SET work_mem = '128MB'; SET enable_hashagg = off")
	return err
}

// A Check is one verification query (or one scan of a relation for its CHECK and NOT NULL
// constraints), independent of the others: it returns the violations it found.
type Check func(ctx context.Context, conn *pgx.Conn) (failures []string, err error)

// TableChecks are the checks of a loaded table: it has the planned number of rows, and the
// constraints of its relations hold, except the foreign keys set after loading. Its foreign keys
// read the tables it references, which must be loaded too.
func (v *Verifier) TableChecks(tp *plan.TablePlan) []Check {
	checks := []Check{func(ctx context.Context, conn *pgx.Conn) ([]string, error) { return verifyCount(ctx, conn, tp) }}
	v.mu.Lock()
	var now, keep []constraint
	for _, c := range v.pending[tp.Table.OID] {
		if c.kind == "FOREIGN KEY" && v.later[c.root][c.name] {
			keep = append(keep, c)
		} else {
			now = append(now, c)
		}
	}
	v.pending[tp.Table.OID] = keep
	v.mu.Unlock()
	return append(checks, checksOf(now)...)
}

// RestChecks are the checks of every constraint not checked yet.
func (v *Verifier) RestChecks() []Check {
	v.mu.Lock()
	var all []constraint
	for root, cons := range v.pending {
		all = append(all, cons...)
		delete(v.pending, root)
	}
	v.mu.Unlock()
	return checksOf(all)
}

// Run runs checks one after the other and reports every violation they found.
func Run(ctx context.Context, conn *pgx.Conn, checks []Check) error {
	var failures []string
	for _, c := range checks {
		f, err := c(ctx, conn)
		if err != nil {
			return err
		}
		failures = append(failures, f...)
	}
	return Failed(failures)
}

// Failed is the error of a verification that found violations (nil for none): reason
// VerificationFailed, the first five described.
func Failed(failures []string) error {
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

func verifyCount(ctx context.Context, conn *pgx.Conn, tp *plan.TablePlan) ([]string, error) {
	only := "ONLY "
	if tp.Table.Partitioned {
		only = ""
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+only+tp.Table.Ident()).Scan(&n); err != nil {
		return nil, fmt.Errorf("counting the rows of %s: %s", tp.Table.QualifiedName(), DescribeError(err))
	}
	if n != tp.Rows {
		return []string{fmt.Sprintf("%s has %d rows, %d were planned", tp.Table.QualifiedName(), n, tp.Rows)}, nil
	}
	return nil, nil
}

// checksOf makes the checks of constraints: the CHECKs and NOT NULLs of a relation in one scan
// of it, the others one query each.
func checksOf(cons []constraint) []Check {
	var out []Check
	scanned := map[string][]constraint{}
	var relations []string
	for _, c := range cons {
		if c.kind == "CHECK" || c.kind == "NOT NULL" {
			if scanned[c.table] == nil {
				relations = append(relations, c.table)
			}
			scanned[c.table] = append(scanned[c.table], c)
			continue
		}
		query, ok := violationQuery(c)
		if !ok {
			continue
		}
		out = append(out, func(ctx context.Context, conn *pgx.Conn) ([]string, error) {
			msg, err := violations(ctx, conn, c, query)
			if err != nil || msg == "" {
				return nil, err
			}
			return []string{msg}, nil
		})
	}
	for _, rel := range relations {
		cons := scanned[rel]
		out = append(out, func(ctx context.Context, conn *pgx.Conn) ([]string, error) { return checkRows(ctx, conn, rel, cons) })
	}
	return out
}

// checkRows counts, in one scan of a relation, the rows that break each of its CHECK and NOT
// NULL constraints, and describes the broken ones.
func checkRows(ctx context.Context, conn *pgx.Conn, table string, cons []constraint) ([]string, error) {
	counts := make([]string, len(cons))
	for i, c := range cons {
		counts[i] = fmt.Sprintf("count(*) FILTER (WHERE %s)", violatedBy(c))
	}
	vals := make([]int64, len(cons))
	dest := make([]any, len(cons))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := conn.QueryRow(ctx, "SELECT "+strings.Join(counts, ", ")+" FROM ONLY "+table+" t").Scan(dest...); err != nil {
		return nil, fmt.Errorf("verifying the CHECK and NOT NULL constraints of %s: %s", table, DescribeError(err))
	}
	var out []string
	for i, c := range cons {
		if vals[i] == 0 {
			continue
		}
		query, _ := violationQuery(c)
		msg, err := violations(ctx, conn, c, query)
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}

// violatedBy is the condition a row of the relation breaks a CHECK or NOT NULL constraint on.
func violatedBy(c constraint) string {
	if c.kind == "CHECK" {
		return "NOT (" + c.check + ")" // NULL passes a CHECK, and FILTER counts only true
	}
	return joinEach(c.cols, "%s IS NULL", " OR ")
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
	case "CHECK", "NOT NULL":
		return fmt.Sprintf("SELECT t.* FROM ONLY %s t WHERE %s", c.table, violatedBy(c)), true
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
