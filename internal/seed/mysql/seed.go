package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// prepare empties the database when asked, applies the schema script, and refuses a database
// that lacks a table of its schema source.
func prepare(ctx context.Context, conn *sql.Conn, o Options, emit Emit) error {
	if err := Session(ctx, conn); err != nil {
		return err
	}
	if o.Reset {
		if err := dropAll(ctx, conn); err != nil {
			return contract.WithReason(contract.ReasonSchemaApplyFailed, err)
		}
		emit(map[string]any{"event": "reset"})
	}
	if o.Schema != "" {
		start := time.Now()
		for i, stmt := range Statements(o.Schema) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return contract.WithReason(contract.ReasonSchemaApplyFailed, fmt.Errorf(
					"applying the schema failed at statement %d (%s): %w", i+1, firstLine(stmt), err))
			}
		}
		emit(map[string]any{"event": "schema", "bytes": len(o.Schema), "seconds": time.Since(start).Seconds()})
	}
	return checkComplete(ctx, conn, o)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// dropAll drops every table and view of the database but prod's statistics.
func dropAll(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
	if err != nil {
		return err
	}
	var stmts []string
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return err
		}
		if name == contract.MySQLProdTablesTable {
			continue // prod's statistics stay for this run
		}
		what := "TABLE"
		if kind == "VIEW" {
			what = "VIEW"
		}
		stmts = append(stmts, "DROP "+what+" IF EXISTS "+quote(name))
	}
	rows.Close()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return rows.Err()
}

// checkComplete compares the database's tables with the schema script's and prod's list.
func checkComplete(ctx context.Context, conn *sql.Conn, o Options) error {
	have := map[string]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'")
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		have[strings.ToLower(name)] = true
	}
	rows.Close()
	want, source := CreatedTables(o.Schema), "the schema file creates"
	if have[contract.MySQLProdTablesTable] {
		prod, err := listedTables(ctx, conn)
		if err != nil {
			return err
		}
		want, source = append(want, prod...), "prod has (as the schema Job listed them)"
	} else if o.SchemaFromDatabase {
		return contract.WithReason(contract.ReasonSchemaIncomplete, fmt.Errorf(
			"the schema was to be copied from prod, but the schema Job left no list of prod's tables (%s): it did not finish; its log says why",
			contract.MySQLProdTablesTable))
	}
	var missing []string
	for _, t := range want {
		if !have[t] && !containsString(missing, t) {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if len(missing) > 10 {
		missing = append(missing[:10], fmt.Sprintf("and %d more", len(missing)-10))
	}
	return contract.WithReason(contract.ReasonSchemaIncomplete, fmt.Errorf(
		"the database lacks tables %s: %s; the schema did not arrive whole, so nothing is seeded", source, strings.Join(missing, ", ")))
}

func listedTables(ctx context.Context, conn *sql.Conn) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT table_name FROM "+quote(contract.MySQLProdTablesTable))
	if err != nil {
		return nil, fmt.Errorf("reading the list of prod's tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, strings.ToLower(name))
	}
	return out, rows.Err()
}

// seedPlanned empties the tables, loads them over workers connections and verifies the result.
func seedPlanned(ctx context.Context, db *sql.DB, conn *sql.Conn, s *Schema, p *plan.Plan, workers int, hasStats bool, emit Emit) (contract.Summary, error) {
	summary := contract.Summary{Tables: len(p.Tables), Warnings: len(p.Warnings)}
	if err := truncateAll(ctx, conn, s.Catalog.Tables); err != nil {
		return summary, contract.WithReason(contract.ReasonLoadFailed, err)
	}
	enableLocalInfile(ctx, conn, emit)
	conns := []*sql.Conn{conn}
	defer func() {
		for _, c := range conns[1:] {
			c.Close()
		}
	}()
	for len(conns) < min(max(workers, 1), max(len(p.Tables), 1)) {
		c, err := db.Conn(ctx)
		if err == nil {
			err = Session(ctx, c)
		}
		if err != nil {
			return summary, contract.WithReason(contract.ReasonLoadFailed, err)
		}
		conns = append(conns, c)
	}
	start := time.Now()
	err := loadAll(ctx, conns, s, p, func(tp *plan.TablePlan, seconds float64) {
		summary.Rows += tp.Rows
		summary.PerTable = append(summary.PerTable, contract.TableSummary{Table: tp.Table.QualifiedName(), Rows: tp.Rows,
			ProdRows: tp.ProdRows, Seconds: seconds})
		emit(map[string]any{"event": "table", "table": tp.Table.QualifiedName(), "rows": tp.Rows, "seconds": seconds})
	})
	if err != nil {
		return summary, contract.WithReason(contract.ReasonLoadFailed, err)
	}
	if secs := time.Since(start).Seconds(); secs > 0 {
		summary.RowsPerSecond = int64(float64(summary.Rows) / secs)
	}
	planned := map[string]int64{}
	for _, tp := range p.Tables {
		planned[tp.Table.Name] = tp.Rows
	}
	start = time.Now()
	if err := Verify(ctx, conn, planned); err != nil {
		return summary, contract.WithReason(contract.ReasonVerificationFailed, err)
	}
	emit(map[string]any{"event": "verified", "tables": len(p.Tables), "seconds": time.Since(start).Seconds()})
	if hasStats {
		if _, err := conn.ExecContext(ctx, "DROP TABLE "+quote(contract.MySQLProdTablesTable)); err != nil {
			return summary, fmt.Errorf("dropping %s: %w", contract.MySQLProdTablesTable, err)
		}
	}
	return summary, nil
}

// enableLocalInfile turns the server's local_infile on when it is off and the user may (MySQL
// 8 ships it off; the stand-in's root may turn it on). Otherwise LOAD DATA LOCAL fails, saying so.
func enableLocalInfile(ctx context.Context, conn *sql.Conn, emit Emit) {
	var on int
	if err := conn.QueryRowContext(ctx, "SELECT @@GLOBAL.local_infile").Scan(&on); err != nil || on == 1 {
		return
	}
	if _, err := conn.ExecContext(ctx, "SET GLOBAL local_infile = 1"); err != nil {
		emit(map[string]any{"event": "warning", "message": "the server's local_infile is off and could not be turned on (" + err.Error() +
			"): loading will fail; run the seeding as a user with SYSTEM_VARIABLES_ADMIN, or start the server with --local-infile=1"})
		return
	}
	emit(map[string]any{"event": "localInfile", "message": "turned the server's local_infile on for LOAD DATA LOCAL"})
}
