package contract

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestArgs(t *testing.T) {
	got := Args(Invocation{SchemaFile: "/schema/schema.sql", Reset: true, SummaryFile: TerminationLog,
		WaitTimeout: 10 * time.Minute, Workers: 3})
	want := []string{"seed", "--wait-timeout=10m0s", "--summary-file=/dev/termination-log", "--reset",
		"--schema-file=/schema/schema.sql", "--workers=3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Args = %q, want %q", got, want)
	}
	if got := Args(Invocation{}); !reflect.DeepEqual(got, []string{"seed"}) {
		t.Errorf("Args of nothing = %q", got)
	}
	got = Args(Invocation{Engine: EngineMySQL, SchemaFromDatabase: true, SummaryFile: TerminationLog})
	want = []string{"seed", "--engine=mysql", "--summary-file=/dev/termination-log", "--schema-from-database"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Args for MySQL = %q, want %q", got, want)
	}
	if got := Args(Invocation{Engine: EnginePostgres}); !reflect.DeepEqual(got, []string{"seed"}) {
		t.Errorf("Args for PostgreSQL = %q: the default engine needs no flag", got)
	}
}

// The MySQL schema Job fails on its first failure and never reads a row of prod.
func TestMySQLSchemaJobScript(t *testing.T) {
	s := MySQLSchemaJobScript()
	for _, want := range []string{"set -eu", "mysqldump --no-data", MySQLProdTablesTable, "information_schema.TABLES"} {
		if !strings.Contains(s, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	if strings.Contains(s, "|") {
		t.Errorf("a pipe hides the failure of its first command without pipefail, which sh lacks: %s", s)
	}
	for _, forbidden := range []string{"SELECT *", "--no-create-info", "mysqldump --complete-insert"} {
		if strings.Contains(s, forbidden) {
			t.Errorf("the script reads rows (%q)", forbidden)
		}
	}
}

func TestRequiredExtensions(t *testing.T) {
	sql := `--
-- Name: postgis; Type: EXTENSION; Schema: -; Owner: -
-- CREATE EXTENSION commented_out;
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;
create extension "uuid-ossp";
CREATE EXTENSION  Citext SCHEMA public VERSION '1.6' CASCADE;
CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;
COMMENT ON EXTENSION postgis IS 'PostGIS geometry and geography spatial types and functions';
`
	want := []string{"citext", "postgis", "uuid-ossp"}
	if got := RequiredExtensions(sql); !reflect.DeepEqual(got, want) {
		t.Errorf("RequiredExtensions = %q, want %q", got, want)
	}
	if got := RequiredExtensions("CREATE TABLE t (id int);"); got != nil {
		t.Errorf("no extensions: %q", got)
	}
}

func TestStandInImage(t *testing.T) {
	for _, tc := range []struct {
		version string
		exts    []string
		want    string
	}{
		{"16.4", nil, "postgres:16.4"},
		{"16.4", []string{"citext", "pgcrypto"}, "postgres:16.4"},
		{"15", []string{"citext", "postgis"}, "postgis/postgis:15-" + PostGISVersion},
		{"17.2", []string{"postgis_topology"}, "postgis/postgis:17-" + PostGISVersion},
		{"16.1", []string{"vector"}, "pgvector/pgvector:pg16"},
	} {
		if got := StandInImage(tc.version, tc.exts); got != tc.want {
			t.Errorf("StandInImage(%s, %v) = %s, want %s", tc.version, tc.exts, got, tc.want)
		}
	}
}

func TestScaledRows(t *testing.T) {
	s := Spec{Scale: 0.01, MinRows: 10, MaxRows: 5000}
	for _, tc := range []struct {
		prod float64
		want int64
		ok   bool
	}{{1e6, 5000, true}, {250_000, 2500, true}, {100, 10, true}, {-1, 0, false}} {
		got, ok := s.ScaledRows(tc.prod)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ScaledRows(%v) = %d, %v; want %d, %v", tc.prod, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := (Spec{}).ScaledRows(1000); ok {
		t.Error("a spec without scale scales")
	}
	for _, bad := range []Spec{{Scale: 1.5}, {Scale: -0.1}, {MinRows: 10, MaxRows: 5}, {MaxRows: -1}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) passed", bad)
		}
	}
}

func TestReasons(t *testing.T) {
	inner := WithReason(ReasonExtensionMissing, errors.New("no postgis"))
	outer := WithReason(ReasonSchemaApplyFailed, fmt.Errorf("applying: %w", inner))
	if ReasonOf(outer) != ReasonExtensionMissing {
		t.Errorf("the innermost reason is lost: %s", ReasonOf(outer))
	}
	if ReasonOf(errors.New("x")) != ReasonSeedFailed || ReasonOf(nil) != "" || WithReason("X", nil) != nil {
		t.Error("defaults are wrong")
	}
}

func TestCompactKeepsTheBiggestTables(t *testing.T) {
	s := Summary{Tables: 400, Rows: 1, Error: "boom", Reason: ReasonLoadFailed}
	for i := 0; i < 400; i++ {
		prod := int64(i * 10)
		s.PerTable = append(s.PerTable, TableSummary{Table: fmt.Sprintf("public.table_%03d", i), Rows: int64(i), ProdRows: &prod})
	}
	b := s.Compact()
	if len(b) > MaxSummaryBytes {
		t.Fatalf("%d bytes", len(b))
	}
	got, err := ParseSummary(b)
	if err != nil || got.Reason != ReasonLoadFailed || got.Error != "boom" {
		t.Fatalf("%+v, %v", got, err)
	}
	if len(got.PerTable) < 20 || got.PerTable[0].Table != "public.table_399" || *got.PerTable[0].ProdRows != 3990 {
		t.Fatalf("kept %d tables, first %+v", len(got.PerTable), got.PerTable[0])
	}
	for i := 1; i < len(got.PerTable); i++ {
		if got.PerTable[i].Rows > got.PerTable[i-1].Rows {
			t.Fatal("not sorted by rows")
		}
	}
}

// TestSchemaJobScriptSelectsNoValues reads the script: the only statistics it selects from prod
// are aggregates. (The database suite runs it with statement logging and checks the same.)
func TestSchemaJobScriptSelectsNoValues(t *testing.T) {
	script := SchemaJobScript()
	for _, forbidden := range ValueStatistics {
		if strings.Contains(script, forbidden) {
			t.Errorf("the schema Job script mentions %s", forbidden)
		}
	}
	for _, want := range []string{"s.null_frac", "s.n_distinct", "s.avg_width", "c.reltuples", "pg_dump --schema-only"} {
		if !strings.Contains(script, want) {
			t.Errorf("the schema Job script does not copy %s", want)
		}
	}
}

func FuzzRequiredExtensions(f *testing.F) {
	f.Add("CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;")
	f.Add(`create extension "a""b"; -- CREATE EXTENSION x`)
	f.Fuzz(func(t *testing.T, sql string) {
		got := RequiredExtensions(sql)
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("not sorted and unique: %q", got)
			}
		}
		for _, e := range got {
			if e == "" {
				t.Fatal("empty extension name")
			}
		}
	})
}

// Hundreds of created partitions still fit the termination message; their number survives.
func TestCompactCutsCreatedPartitions(t *testing.T) {
	s := Summary{Tables: 3, PartitionsCreatedCount: 600}
	for i := 0; i < 600; i++ {
		s.PartitionsCreated = append(s.PartitionsCreated, fmt.Sprintf("public.events_%03d_default of public.events_%03d (DEFAULT)", i, i))
	}
	b := s.Compact()
	if len(b) > MaxSummaryBytes {
		t.Fatalf("compact summary has %d bytes", len(b))
	}
	got, err := ParseSummary(b)
	if err != nil || got.PartitionsCreatedCount != 600 || len(got.PartitionsCreated) == 0 || got.PartitionsCreated[0] != s.PartitionsCreated[0] {
		t.Fatalf("compacted to %+v (%v)", got, err)
	}
}
