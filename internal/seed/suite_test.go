package seed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The database suite needs a PostgreSQL server: ENVMIRROR_TEST_POSTGRES_DSN, as
// hack/with-postgres.sh exports it. Without one the suite is skipped, loudly, except in CI
// (CI set) where it fails: a green CI must have run it.

const dsnEnv = "ENVMIRROR_TEST_POSTGRES_DSN"

const howToRun = "run: hack/with-postgres.sh go test ./internal/seed/..."

func TestSeedDatabase(t *testing.T) {
	RegisterFailHandler(Fail)
	if os.Getenv(dsnEnv) == "" && os.Getenv("CI") == "" {
		fmt.Fprintf(os.Stderr, "\n*** SKIPPING the PostgreSQL suite of internal/seed: %s is not set.\n*** %s\n\n", dsnEnv, howToRun)
	}
	RunSpecs(t, "seed PostgreSQL suite")
}

// requirePostgres skips (or, in CI, fails) a spec when no server is configured.
func requirePostgres() string {
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			Fail(dsnEnv + " is not set in CI: the PostgreSQL suite must run; " + howToRun)
		}
		Skip(dsnEnv + " is not set; " + howToRun)
	}
	return dsn
}

// specContext gives a spec a context bounded by timeout; without a PostgreSQL server the spec is
// skipped (in CI, failed).
func specContext(timeout time.Duration) context.Context {
	requirePostgres()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	DeferCleanup(cancel)
	return ctx
}

// createDatabase makes an empty database of its own for a test, so tests can run in parallel.
func createDatabase(ctx context.Context, adminDSN string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "envmirror_seed_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), adminDSN)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return withDatabase(adminDSN, name), drop, nil
}

// withDatabase points a DSN (URL or keyword form) at another database.
func withDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		return u.String()
	}
	return strings.TrimSpace(dsn) + " dbname=" + db
}

func newDatabase(ctx context.Context) string {
	dsn, drop, err := createDatabase(ctx, requirePostgres())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(drop)
	return dsn
}

// requireExtension skips a spec whose server lacks the extension it needs, and fails it in CI,
// where hack/with-postgres.sh must have installed it: a spec that skips there never runs.
func requireExtension(ctx context.Context, conn *pgx.Conn, name, how string) {
	if count(ctx, conn, "SELECT count(*) FROM pg_available_extensions WHERE name = $1", name) > 0 {
		return
	}
	msg := "the extension " + name + " is not available on this server (" + how + ")"
	if os.Getenv("CI") != "" {
		Fail(msg + ": in CI it must be")
	}
	Skip(msg)
}

func pgBin(tool string) string {
	dir := os.Getenv("ENVMIRROR_TEST_PG_BIN")
	if dir == "" {
		if os.Getenv("CI") != "" {
			Fail("ENVMIRROR_TEST_PG_BIN is not set in CI; " + howToRun)
		}
		Skip("ENVMIRROR_TEST_PG_BIN is not set (the server's pg_dump and psql); " + howToRun)
	}
	return dir + "/" + tool
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
