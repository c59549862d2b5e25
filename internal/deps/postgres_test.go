package deps

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

// The PostgreSQL probe runs against a real server (hack/with-postgres.sh): it reads prod's
// server_version and extensions as a role that may read no table, sends nothing but its two
// catalog queries (prod's statement log says so), and keeps the password out of its errors.

func postgresAdmin(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("ENVMIRROR_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("ENVMIRROR_TEST_POSTGRES_DSN must be set in CI: run under hack/with-postgres.sh")
		}
		t.Skip("$ENVMIRROR_TEST_POSTGRES_DSN is not set: run under hack/with-postgres.sh")
	}
	return dsn
}

func pgExec(t *testing.T, dsn string, statements ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// prodDatabase makes a "prod" database with extensions and a table, and a role that may connect
// to it and nothing else. It returns the role's DSN.
func prodDatabase(t *testing.T, admin string) (string, string) {
	t.Helper()
	db, role := randomName("envmirror_probe_"), randomName("envmirror_prober_")
	pgExec(t, admin, "CREATE ROLE "+role+" LOGIN PASSWORD 'CANARY-probe-password'", "ALTER ROLE "+role+" SET log_statement = 'all'")
	t.Cleanup(func() { pgExec(t, admin, "DROP ROLE IF EXISTS "+role) })
	pgExec(t, admin, "CREATE DATABASE "+db+" TEMPLATE template0")
	t.Cleanup(func() { pgExec(t, admin, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	pgExec(t, u.String(), "CREATE EXTENSION citext", "CREATE EXTENSION pg_trgm",
		"CREATE TABLE secrets (v text)", "INSERT INTO secrets VALUES ('CANARY-row')")
	u.User = url.UserPassword(role, "CANARY-probe-password")
	return u.String(), role
}

func TestProbePostgres(t *testing.T) {
	admin := postgresAdmin(t)
	dsn, _ := prodDatabase(t, admin)
	logFile := os.Getenv("ENVMIRROR_TEST_PG_LOG")
	var logStart int64
	if st, err := os.Stat(logFile); err == nil {
		logStart = st.Size()
	}
	s := probe(t, EnginePostgres, false, dsn, "")

	var serverVersion string
	conn, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), "SHOW server_version").Scan(&serverVersion); err != nil {
		t.Fatal(err)
	}
	if s.Version != serverVersion || s.Distribution != "postgres" || !strings.HasPrefix(s.Database, "envmirror_probe_") {
		t.Errorf("got %+v, the server is %s", s, serverVersion)
	}
	var names []string
	for _, e := range s.Extensions {
		names = append(names, e.Name)
		if e.Version == "" {
			t.Errorf("extension %s without its version", e.Name)
		}
	}
	if !slices.Equal(names, []string{"citext", "pg_trgm", "plpgsql"}) {
		t.Errorf("extensions %v", names)
	}
	if got := contract.ChooseStandInImage(s.Version, s.Extensions); got.Image != "postgres:"+contract.PostgresVersion(serverVersion) {
		t.Errorf("the probed version gives image %q", got.Image)
	}

	if logFile == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("ENVMIRROR_TEST_PG_LOG must be set in CI: prod's statement log is what shows the probe reads no row")
		}
		t.Log("ENVMIRROR_TEST_PG_LOG is not set: prod's statement log not checked")
		return
	}
	// The log is flushed as statements run; the probe's session has ended.
	statements := loggedStatements(t, logFile, logStart)
	want := []string{"begin read only", postgresVersionQuery, postgresExtensionsQuery, "rollback"}
	if !slices.Equal(statements, want) {
		t.Errorf("the probe sent %q, want exactly %q", statements, want)
	}
}

// loggedStatements are the statements logged since offset (only the probe's role logs them).
func loggedStatements(t *testing.T, file string, offset int64) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	re := regexp.MustCompile(`LOG:  (?:statement|execute [^:]*): (.*)`)
	for {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range re.FindAllStringSubmatch(string(b[offset:]), -1) {
			out = append(out, strings.TrimSpace(m[1]))
		}
		if len(out) >= 4 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// libpq's keyword form works as well as a URL, and neither form's password leaves in an error.
func TestProbePostgresDSNForms(t *testing.T) {
	admin := postgresAdmin(t)
	dsn, role := prodDatabase(t, admin)
	u, _ := url.Parse(dsn)
	keyword := "host=" + u.Hostname() + " port=" + u.Port() + " dbname=" + strings.TrimPrefix(u.Path, "/") +
		" user=" + role + " password=CANARY-probe-password sslmode=disable"
	if s := probe(t, EnginePostgres, false, keyword, ""); s.Version == "" || len(s.Extensions) != 3 {
		t.Errorf("keyword DSN: %+v", s)
	}
	for _, wrong := range []string{
		strings.Replace(dsn, "CANARY-probe-password", "CANARY-wrong-password", 1),
		strings.Replace(keyword, "CANARY-probe-password", "CANARY-wrong-password", 1),
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s, err := Probe(ctx, Options{Engine: EnginePostgres}, wrong, "")
		cancel()
		if err == nil || strings.Contains(err.Error(), "CANARY") || strings.Contains(string(s.Compact()), "CANARY") {
			t.Errorf("a wrong password: %v (summary %s)", err, s.Compact())
		}
	}
}

// A summary with more extensions than fit keeps their names before their versions.
func TestSummaryKeepsExtensionNames(t *testing.T) {
	s := Summary{Engine: "postgres", Version: "16.4"}
	for i := 0; i < 80; i++ {
		s.Extensions = append(s.Extensions, contract.Extension{Name: "extension_" + strings.Repeat("x", 10) + hex.EncodeToString([]byte{byte(i)}), Version: "1.2.3"})
	}
	b := s.Compact()
	if len(b) > MaxSummaryBytes {
		t.Fatalf("%d bytes", len(b))
	}
	got, err := ParseSummary(b)
	if err != nil || len(got.Extensions) != 80 || got.Extensions[0].Version != "" || got.ExtensionsCut {
		t.Errorf("%d extensions, first %+v, cut %v (%v)", len(got.Extensions), got.Extensions[0], got.ExtensionsCut, err)
	}
	if s.Extensions[0].Version != "1.2.3" {
		t.Error("Compact changed the caller's summary")
	}
}
