package deps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// EnginePostgres is the probe of a spec.data database's prod (schema.fromDatabase): it has no
// stand-in of this package (internal/mirror runs PostgreSQL stand-ins), only a probe, which
// tells the operator which version to run and which extensions the image needs.
const EnginePostgres v1alpha1.DependencyEngine = "postgres"

// postgresProber reads prod's server_version and the names and versions of its extensions
// (pg_extension), in a read-only transaction of a read-only session. It never reads a row of a
// table of prod's.
type postgresProber struct{}

// The statements the probe sends, and nothing else (a test reads prod's log for them).
const (
	postgresVersionQuery    = "SELECT current_setting('server_version')"
	postgresExtensionsQuery = "SELECT extname, extversion FROM pg_catalog.pg_extension ORDER BY extname"
)

// version takes prod's DSN as it is: a URL or libpq's keyword form ("host=... user=...").
func (postgresProber) version(ctx context.Context, src endpoint) (Summary, error) {
	cfg, err := pgx.ParseConfig(strings.TrimSpace(src.raw))
	if err != nil {
		return Summary{}, fmt.Errorf("$%s is not a PostgreSQL connection string (postgres://user:password@host:5432/database or host=... user=...)", EnvSourceURL)
	}
	trustRoots(cfg.TLSConfig, src.roots)
	for _, fb := range cfg.Fallbacks {
		trustRoots(fb.TLSConfig, src.roots)
	}
	cfg.RuntimeParams["default_transaction_read_only"] = "on"
	cfg.RuntimeParams["application_name"] = "envmirror-probe"
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	s, err := readPostgres(ctx, cfg)
	if err != nil {
		return Summary{}, hidePassword(err, cfg.Password)
	}
	return s, nil
}

func readPostgres(ctx context.Context, cfg *pgx.ConnConfig) (Summary, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return Summary{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return Summary{}, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	s := Summary{Distribution: "postgres", Database: cfg.Database}
	if err := tx.QueryRow(ctx, postgresVersionQuery).Scan(&s.Version); err != nil {
		return Summary{}, err
	}
	rows, err := tx.Query(ctx, postgresExtensionsQuery)
	if err != nil {
		return Summary{}, err
	}
	s.Extensions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (contract.Extension, error) {
		var e contract.Extension
		return e, r.Scan(&e.Name, &e.Version)
	})
	if err != nil {
		return Summary{}, err
	}
	return s, nil
}

func (postgresProber) definitions(context.Context, endpoint, endpoint) (string, error) {
	return "", errors.New("a PostgreSQL database's schema is copied by the schema Job (spec.data[].schema.fromDatabase)")
}

// hidePassword removes a password from an error: the driver does not repeat it, but a message
// that leaves the probe must never be able to.
func hidePassword(err error, password string) error {
	if err == nil || password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), password, "xxxxx"))
}
