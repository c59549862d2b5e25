package schemasql

import (
	"reflect"
	"strings"
	"testing"
)

func TestCreatedTables(t *testing.T) {
	sql := `
SET search_path = '';
-- CREATE TABLE in_a_comment (id int);
/* CREATE TABLE in_a /* nested */ block (id int); */
CREATE TABLE public.users (id bigint, note text DEFAULT 'CREATE TABLE in_a_string (x int);');
CREATE UNLOGGED TABLE IF NOT EXISTS "Odd ""Name""".cache (k text);
CREATE TEMP TABLE scratch (x int);
CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
  CREATE TABLE inside_a_function (x int);
END $body$;
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
create table Mixed_Case as select 1 as x;
CREATE TABLE dropped (id int);
DROP TABLE IF EXISTS dropped, other;
SELECT E'it\'s; CREATE TABLE in_escape (x int)';
CREATE VIEW v AS SELECT 1;
CREATE TABLE public.users (id bigint);
CREATE TABLE old_name (id int);
ALTER TABLE ONLY old_name RENAME TO new_name;
ALTER TABLE public.users RENAME COLUMN id TO user_id;
`
	got := CreatedTables(sql)
	want := []Table{{"public", "users"}, {`Odd "Name"`, "cache"}, {"", "events"}, {"", "events_2024"}, {"", "mixed_case"}, {"", "new_name"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("CreatedTables = %v, want %v", got, want)
	}
}

func TestCreatedTablesOfNothing(t *testing.T) {
	for _, sql := range []string{"", "-- pg_dump: error: connection failed\n", "SET statement_timeout = 0;\n"} {
		if got := CreatedTables(sql); len(got) != 0 {
			t.Errorf("CreatedTables(%q) = %v, want none", sql, got)
		}
	}
}

// FuzzCreatedTables: any input terminates without panicking, and a table hidden in a comment
// or a string never counts.
func FuzzCreatedTables(f *testing.F) {
	for _, s := range []string{"CREATE TABLE a (x int);", "$x$ CREATE TABLE b $x$", "'", "\"", "/*", "E'\\", "$1 $", "DROP TABLE a, b.c;",
		"CREATE TABLE IF NOT EXISTS s.t PARTITION OF u DEFAULT;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, tb := range CreatedTables(sql) {
			if tb.Name == "" {
				t.Fatalf("empty table name from %q", sql)
			}
		}
		hidden := "-- " + strings.ReplaceAll(sql, "\n", " ") + "\n"
		if got := CreatedTables(hidden); len(got) != 0 {
			t.Fatalf("tables %v from a comment %q", got, hidden)
		}
	})
}
