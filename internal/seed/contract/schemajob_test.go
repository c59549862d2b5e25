package contract

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The schema Job's script runs for real here: with the shells the postgres images have as
// /bin/sh (dash in the Debian-based ones, BusyBox ash in the Alpine ones) against a real
// PostgreSQL (hack/with-postgres.sh), as the Job runs it with `sh -c`.

const pgDSNEnv = "ENVMIRROR_TEST_POSTGRES_DSN"

// requirePostgres returns the admin DSN and the server's bin directory; without them the test
// is skipped, except in CI (CI set) where it fails: a green CI must have run it.
func requirePostgres(t *testing.T) (string, string) {
	t.Helper()
	dsn, bin := os.Getenv(pgDSNEnv), os.Getenv("ENVMIRROR_TEST_PG_BIN")
	if dsn == "" || bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s and ENVMIRROR_TEST_PG_BIN must be set in CI: run under hack/with-postgres.sh", pgDSNEnv)
		}
		t.Skipf("%s or ENVMIRROR_TEST_PG_BIN is not set: run under hack/with-postgres.sh", pgDSNEnv)
	}
	return dsn, bin
}

// testDatabase creates an empty database for one test and drops it afterwards.
func testDatabase(t *testing.T, ctx context.Context, admin string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "envmirror_schemajob_" + hex.EncodeToString(b[:])
	execSQL(t, ctx, admin, "CREATE DATABASE "+name+" TEMPLATE template0")
	t.Cleanup(func() { execSQL(t, context.Background(), admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func execSQL(t *testing.T, ctx context.Context, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}

func countTables(t *testing.T, ctx context.Context, dsn string) int {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// shells are the /bin/sh of the images the Job may run in: dash always (it is Debian's /bin/sh),
// BusyBox ash where BusyBox is installed.
func shells(t *testing.T) map[string][]string {
	dash, err := exec.LookPath("dash")
	if err != nil {
		t.Fatal("dash (Debian's /bin/sh) is not installed")
	}
	out := map[string][]string{"dash": {dash}}
	if bb, err := exec.LookPath("busybox"); err == nil {
		out["ash"] = []string{bb, "ash"}
	} else {
		t.Log("BusyBox is not installed: the script runs under dash only")
	}
	return out
}

func runSchemaScript(t *testing.T, ctx context.Context, shell []string, bin, source, target string) (string, error) {
	t.Helper()
	args := append(append([]string{}, shell[1:]...), "-c", SchemaJobScript())
	cmd := exec.CommandContext(ctx, shell[0], args...)
	cmd.Env = append(os.Environ(), "SOURCE_DSN="+source, "TARGET_DSN="+target, "TMPDIR="+t.TempDir(),
		"PATH="+bin+string(filepath.ListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// prodSchemaSQL is a small prod: two tables, one of them readable by the schema reader only if
// granted.
const prodSchemaSQL = `
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts, total numeric(10,2));
INSERT INTO accounts SELECT i, 'a' || i FROM generate_series(1, 100) i;
ANALYZE;`

func TestSchemaJobScriptCopiesTheSchema(t *testing.T) {
	admin, bin := requirePostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for name, shell := range shells(t) {
		t.Run(name, func(t *testing.T) {
			source, target := testDatabase(t, ctx, admin), testDatabase(t, ctx, admin)
			execSQL(t, ctx, source, prodSchemaSQL)
			out, err := runSchemaScript(t, ctx, shell, bin, source, target)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, "statistics copied") {
				t.Errorf("output: %s", out)
			}
			if n := countTables(t, ctx, target); n != 2 {
				t.Errorf("the copy has %d tables, prod 2", n)
			}
		})
	}
}

// A dump that fails after connecting (the reader may not lock one of prod's tables), and a prod
// that cannot be reached at all, must fail the Job: piped into psql, an empty dump used to leave
// a database without tables that seeding then reported Seeded.
func TestSchemaJobScriptFailsWhenTheDumpFails(t *testing.T) {
	admin, bin := requirePostgres(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	role := "envmirror_reader_" + hex.EncodeToString(b[:])
	execSQL(t, ctx, admin, "CREATE ROLE "+role+" LOGIN PASSWORD 'reader'")
	// Cleanups run last first: the database that holds the grant goes before the role.
	t.Cleanup(func() { execSQL(t, context.Background(), admin, "DROP ROLE IF EXISTS "+role) })
	source := testDatabase(t, ctx, admin)
	execSQL(t, ctx, source, prodSchemaSQL)
	// The reader may read accounts but not invoices: pg_dump connects, reads the catalog, then
	// fails to lock invoices.
	execSQL(t, ctx, source, "GRANT SELECT ON accounts TO "+role)
	noLock, _ := url.Parse(source)
	noLock.User = url.UserPassword(role, "reader")
	unreachable, _ := url.Parse(source)
	unreachable.User = url.UserPassword(role, "not-the-password")

	for name, shell := range shells(t) {
		for what, dsn := range map[string]string{"a table it may not lock": noLock.String(), "a wrong password": unreachable.String()} {
			t.Run(name+"/"+what, func(t *testing.T) {
				target := testDatabase(t, ctx, admin)
				out, err := runSchemaScript(t, ctx, shell, bin, dsn, target)
				if err == nil {
					t.Fatalf("the script succeeded with a failed dump; the copy has %d tables\n%s", countTables(t, ctx, target), out)
				}
				if strings.Contains(out, "schema copied") {
					t.Errorf("the script said the schema was copied:\n%s", out)
				}
			})
		}
	}
}
