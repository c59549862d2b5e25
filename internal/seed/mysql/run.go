package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// Options are what a MySQL seeding run is asked to do (the seed command's flags).
type Options struct {
	DSN                string
	Schema             string // the schema script's text; "" for none
	Reset              bool
	SchemaFromDatabase bool
	Workers            int
	WaitTimeout        time.Duration
}

// Emit writes a progress event (a JSON line of the seed command).
type Emit func(event map[string]any)

// ParseDSN reads mysql://user:password@host:port/database?param=value, or the driver's own
// user:password@tcp(host:port)/database form.
func ParseDSN(dsn string) (*mysqldriver.Config, error) {
	if dsn == "" {
		dsn = os.Getenv(contract.DSNEnv)
	}
	if dsn == "" {
		return nil, fmt.Errorf("no MySQL connection: give --dsn or $%s (mysql://user:password@host:3306/database)", contract.DSNEnv)
	}
	if strings.HasPrefix(dsn, "mysql://") || strings.HasPrefix(dsn, "mariadb://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, fmt.Errorf("reading the MySQL connection string: %w", err)
		}
		cfg := mysqldriver.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, strings.TrimPrefix(u.Path, "/")
		if u.Port() == "" {
			cfg.Addr = u.Host + ":3306"
		}
		for k, v := range u.Query() {
			cfg.Params[k] = v[0]
		}
		return withSettings(cfg), nil
	}
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("reading the MySQL connection string: %w", err)
	}
	return withSettings(cfg), nil
}

func withSettings(cfg *mysqldriver.Config) *mysqldriver.Config {
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Loc = time.UTC
	return cfg
}

// Run seeds the database: it waits for it, optionally empties it and applies the schema,
// refuses one that lacks a table of its schema source, plans with the same planner as
// PostgreSQL, loads every table and verifies every constraint.
func Run(ctx context.Context, o Options, spec contract.Spec, emit Emit) (contract.Summary, error) {
	cfg, err := ParseDSN(o.DSN)
	if err != nil {
		return contract.Summary{}, contract.WithReason(contract.ReasonInvalidSpec, err)
	}
	connector, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		return contract.Summary{}, err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := waitFor(ctx, db, o.WaitTimeout, cfg, emit)
	if err != nil {
		return contract.Summary{}, contract.WithReason(contract.ReasonDatabaseUnavailable, err)
	}
	defer conn.Close()
	if err := prepare(ctx, conn, o, emit); err != nil {
		return contract.Summary{}, err
	}
	s, err := ReadSchema(ctx, conn)
	if err != nil {
		return contract.Summary{}, err
	}
	stats, err := prodStats(ctx, conn, s)
	if err != nil {
		return contract.Summary{}, err
	}
	if stats == nil && spec.Scale > 0 {
		emit(map[string]any{"event": "warning", "message": "rows.scale is set but no statistics of prod were found (" +
			contract.MySQLProdTablesTable + ", left by the schema Job): tables get the default row count"})
	}
	p, err := plan.Build(s.Catalog, spec, stats, nil)
	if err != nil {
		return contract.Summary{}, contract.WithReason(contract.ReasonConstraintUnsatisfiable, err)
	}
	emitPlan(p, spec, emit)
	return seedPlanned(ctx, db, conn, s, p, o.Workers, stats != nil, emit)
}

func waitFor(ctx context.Context, db *sql.DB, timeout time.Duration, cfg *mysqldriver.Config, emit Emit) (*sql.Conn, error) {
	deadline := time.Now().Add(timeout)
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		conn, err := db.Conn(ctx)
		if err == nil {
			if err = conn.PingContext(ctx); err == nil {
				emit(map[string]any{"event": "connected", "host": cfg.Addr, "database": cfg.DBName, "attempts": attempt, "engine": contract.EngineMySQL})
				return conn, nil
			}
			conn.Close()
		}
		var me *mysqldriver.MySQLError
		if errors.As(err, &me) && me.Number != 1040 && me.Number != 1053 {
			// The server answered (access denied, unknown database, ...): waiting cannot help.
			// Too many connections (1040) and a server shutting down (1053) may pass.
			return nil, fmt.Errorf("connecting to %s/%s: %w", cfg.Addr, cfg.DBName, err)
		}
		if ctx.Err() != nil || time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("the database at %s/%s did not accept connections within %s; last error: %v", cfg.Addr, cfg.DBName, timeout, err)
		}
		emit(map[string]any{"event": "waiting", "attempt": attempt, "error": err.Error()})
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// prodStats reads prod's row estimates the MySQL schema Job left (nil when there are none).
func prodStats(ctx context.Context, conn *sql.Conn, s *Schema) (*catalog.ProdStats, error) {
	if _, ok := s.TableRows[contract.MySQLProdTablesTable]; !ok {
		return nil, nil
	}
	rows, err := conn.QueryContext(ctx, "SELECT table_name, table_rows FROM "+quote(contract.MySQLProdTablesTable))
	if err != nil {
		return nil, fmt.Errorf("reading prod's row estimates: %w", err)
	}
	defer rows.Close()
	stats := &catalog.ProdStats{Rows: map[string]float64{}, Columns: map[string]catalog.ColumnStats{}}
	for rows.Next() {
		var name string
		var n sql.NullInt64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		if n.Valid {
			stats.Rows[s.Database+"."+name] = float64(n.Int64)
		}
	}
	return stats, rows.Err()
}

func emitPlan(p *plan.Plan, spec contract.Spec, emit Emit) {
	var planned int64
	for _, tp := range p.Tables {
		planned += tp.Rows
	}
	emit(map[string]any{"event": "plan", "tables": len(p.Tables), "rows": planned, "seed": spec.Seed, "specHash": spec.Hash(), "engine": contract.EngineMySQL})
	for _, w := range p.Warnings {
		emit(map[string]any{"event": "warning", "message": w})
	}
}
