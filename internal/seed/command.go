package seed

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/load"
	"github.com/envmirror/envmirror/internal/seed/mysql"
	"github.com/envmirror/envmirror/internal/seed/plan"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const usage = `usage: manager seed [flags]

Gives a PostgreSQL, MySQL or MariaDB database a schema (optional) and synthetic, deterministic rows.
Connection: --dsn, else $ENVMIRROR_SEED_DSN, else (PostgreSQL) the libpq environment variables
(PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE). MySQL/MariaDB (--engine=mysql):
mysql://user:password@host:3306/database. Spec: JSON in $ENVMIRROR_SEED_SPEC or --spec-file.
Progress: one JSON object per line on stdout; the last line is the summary.

flags:
`

// Options are the parsed flags of the seed command.
type Options struct {
	DSN         string
	SpecFile    string
	SchemaFile  string
	Reset       bool
	SummaryFile string
	WaitTimeout time.Duration
	Workers     int
	// SchemaFromDatabase: the schema Job copied prod's schema (see contract.FlagSchemaFromDatabase).
	SchemaFromDatabase bool
	// Engine is contract.EnginePostgres or contract.EngineMySQL (MySQL and MariaDB).
	Engine string
}

// Command runs `manager seed`: it waits for the database, optionally resets it and applies a
// schema, then seeds every table and verifies the result. Progress goes to stdout as JSON lines,
// the last being the Summary; the compact summary also goes to --summary-file (the operator
// passes the termination log). The returned error is also in the summary.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	opts, err := parseFlags(args)
	if err != nil {
		return err
	}
	ev := &events{w: stdout}
	start := time.Now()
	summary, err := run(ctx, opts, ev)
	summary.DurationSeconds = roundSeconds(time.Since(start).Seconds())
	if err != nil {
		summary.Error = err.Error()
		summary.Reason = contract.ReasonOf(err)
	}
	ev.write(summary)
	if opts.SummaryFile != "" {
		if werr := os.WriteFile(opts.SummaryFile, summary.Compact(), 0o644); werr != nil && err == nil {
			err = fmt.Errorf("writing the summary to %s: %w", opts.SummaryFile, werr)
		}
	}
	return err
}

func parseFlags(args []string) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.DSN, contract.FlagDSN, "", "PostgreSQL connection string (default: libpq environment variables)")
	fs.StringVar(&o.SpecFile, contract.FlagSpecFile, "", "file with the seed spec as JSON (default: $"+contract.SpecEnv+")")
	fs.StringVar(&o.SchemaFile, contract.FlagSchemaFile, "", "SQL to apply first, as pg_dump --schema-only writes it")
	fs.BoolVar(&o.Reset, contract.FlagReset, false, "drop every non-system schema before applying --schema-file (without it: only empty the tables)")
	fs.StringVar(&o.SummaryFile, contract.FlagSummaryFile, "", "write the compact JSON summary here (e.g. /dev/termination-log)")
	fs.DurationVar(&o.WaitTimeout, contract.FlagWaitTimeout, 5*time.Minute, "how long to wait for the database to accept connections")
	fs.IntVar(&o.Workers, contract.FlagWorkers, defaultWorkers(), "tables loaded in parallel")
	fs.StringVar(&o.Engine, contract.FlagEngine, contract.EnginePostgres, "the database engine: postgres, or mysql (MySQL and MariaDB)")
	fs.BoolVar(&o.SchemaFromDatabase, contract.FlagSchemaFromDatabase, false,
		"the schema was copied from prod by the schema Job: refuse a database without every table it listed")
	if err := fs.Parse(args); err != nil {
		var b strings.Builder
		b.WriteString(usage)
		fs.SetOutput(&b)
		fs.PrintDefaults()
		return o, fmt.Errorf("seed: %w\n%s", err, b.String())
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("seed: unexpected arguments %q", fs.Args())
	}
	if o.Workers < 1 {
		return o, fmt.Errorf("seed: --workers must be at least 1")
	}
	if o.Engine != contract.EnginePostgres && o.Engine != contract.EngineMySQL {
		return o, fmt.Errorf("seed: --%s must be %s or %s, not %q", contract.FlagEngine, contract.EnginePostgres, contract.EngineMySQL, o.Engine)
	}
	return o, nil
}

func defaultWorkers() int { return min(max(runtime.GOMAXPROCS(0), 2), 4) }

func loadSpec(o Options) (contract.Spec, error) {
	var data []byte
	switch {
	case o.SpecFile != "":
		b, err := os.ReadFile(o.SpecFile)
		if err != nil {
			return contract.Spec{}, fmt.Errorf("reading the seed spec: %w", err)
		}
		data = b
	case os.Getenv(contract.SpecEnv) != "":
		data = []byte(os.Getenv(contract.SpecEnv))
	default:
		return contract.Spec{DefaultRows: contract.DefaultRowsPerTable}, nil
	}
	return contract.ParseSpec(data)
}

func run(ctx context.Context, o Options, ev *events) (contract.Summary, error) {
	spec, err := loadSpec(o)
	if err != nil {
		return contract.Summary{}, contract.WithReason(contract.ReasonInvalidSpec, err)
	}
	var schema string
	if o.SchemaFile != "" {
		b, err := os.ReadFile(o.SchemaFile)
		if err != nil {
			return contract.Summary{}, fmt.Errorf("reading the schema: %w", err)
		}
		schema = string(b)
	}
	if o.Engine == contract.EngineMySQL {
		return mysql.Run(ctx, mysql.Options{DSN: o.DSN, Schema: schema, Reset: o.Reset, SchemaFromDatabase: o.SchemaFromDatabase,
			Workers: o.Workers, WaitTimeout: o.WaitTimeout}, spec, func(e map[string]any) { ev.write(e) })
	}
	if o.DSN == "" {
		o.DSN = os.Getenv(contract.DSNEnv) // else the libpq environment variables
	}
	cfg, err := connConfig(o.DSN)
	if err != nil {
		return contract.Summary{}, err
	}
	conn, err := waitForDatabase(ctx, cfg, o.WaitTimeout, ev)
	if err != nil {
		return contract.Summary{}, contract.WithReason(contract.ReasonDatabaseUnavailable, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if o.SchemaFile != "" {
		if conn, err = prepareSchema(ctx, cfg, conn, o, schema, ev); err != nil {
			return contract.Summary{}, err
		}
		defer conn.Close(context.WithoutCancel(ctx))
	}
	if err := checkSchemaComplete(ctx, conn, schema, o.SchemaFromDatabase); err != nil {
		return contract.Summary{}, err
	}
	return seed(ctx, cfg, conn, spec, o.Workers, ev)
}

func closeAll(ctx context.Context, conns []*pgx.Conn) {
	for _, c := range conns {
		_ = c.Close(context.WithoutCancel(ctx))
	}
}

// connConfig reads the connection settings: --dsn, else the libpq environment variables.
func connConfig(dsn string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("reading the connection settings: %w", err)
	}
	// Literals are read and written in these settings (timestamps in UTC, ISO dates).
	cfg.RuntimeParams["application_name"] = "envmirror-seed"
	cfg.RuntimeParams["timezone"] = "UTC"
	cfg.RuntimeParams["datestyle"] = "ISO, YMD"
	cfg.RuntimeParams["intervalstyle"] = "postgres"
	cfg.RuntimeParams["extra_float_digits"] = "1"
	return cfg, nil
}

// connect opens a seeding session. Seeding writes throwaway data, so commits do not wait for the
// disk, and where the role may, triggers are off: user triggers would stamp now() into the
// rows (breaking determinism) and foreign key triggers are replaced by verification.
func connect(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SET synchronous_commit = off"); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	// Needs superuser (or, from 15, a grant); without it triggers stay on, which is correct too.
	_, _ = conn.Exec(ctx, "SET session_replication_role = replica")
	return conn, nil
}

// triggersOff says whether the session runs with triggers (and so foreign key checks) disabled.
func triggersOff(ctx context.Context, conn *pgx.Conn) bool {
	var role string
	err := conn.QueryRow(ctx, "SELECT current_setting('session_replication_role')").Scan(&role)
	return err == nil && role == "replica"
}

// waitForDatabase retries connecting with backoff until the database accepts connections or
// the timeout passes.
func waitForDatabase(ctx context.Context, cfg *pgx.ConnConfig, timeout time.Duration, ev *events) (*pgx.Conn, error) {
	deadline := time.Now().Add(timeout)
	delay := 250 * time.Millisecond
	attempt := 0
	for {
		attempt++
		attemptCtx, cancel := context.WithDeadline(ctx, deadline)
		conn, err := connect(attemptCtx, cfg)
		cancel()
		if err == nil {
			ev.write(map[string]any{"event": "connected", "host": cfg.Host, "database": cfg.Database, "attempts": attempt})
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if permanentConnectError(err) {
			return nil, fmt.Errorf("connecting to %s:%d/%s: %s", cfg.Host, cfg.Port, cfg.Database, load.DescribeError(err))
		}
		if time.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("the database at %s:%d/%s did not accept connections within %s; last error: %s",
				cfg.Host, cfg.Port, cfg.Database, timeout, load.DescribeError(err))
		}
		ev.write(map[string]any{"event": "waiting", "attempt": attempt, "error": load.DescribeError(err)})
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// permanentConnectError says whether waiting cannot help: wrong password, unknown database or
// role. A database still starting up answers 57P03 and is retried.
func permanentConnectError(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	switch pg.Code {
	case "28P01", "28000":
		// Wrong password or no such role: the credentials, not the timing, are wrong.
		return true
	}
	return false
}

// events writes progress as JSON lines; loading goroutines share it.
type events struct {
	mu sync.Mutex
	w  io.Writer
}

func (e *events) write(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(append(b, '\n'))
}

// tableEvent is the progress line of a table: "tableStarted" with the planned rows, then
// "table" with the rows written and the seconds it took.
type tableEvent struct {
	Event   string   `json:"event"`
	Table   string   `json:"table"`
	Rows    int64    `json:"rows"`
	Seconds *float64 `json:"seconds,omitempty"`
}

func (e *events) TableStarted(tp *plan.TablePlan) {
	e.write(tableEvent{Event: "tableStarted", Table: tp.Table.QualifiedName(), Rows: tp.Rows})
}

func (e *events) TableDone(r load.Result) {
	seconds := roundSeconds(r.Seconds)
	e.write(tableEvent{Event: "table", Table: r.Plan.Table.QualifiedName(), Rows: r.Plan.Rows, Seconds: &seconds})
}

func roundSeconds(s float64) float64 { return float64(int64(s*1000+0.5)) / 1000 }
