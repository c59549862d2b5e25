package contract

// PrivateSchema is the schema of the copy's database where the schema Job leaves prod's
// statistics for the seeder. The seeder reads it, never seeds it, and drops it after a
// successful run, so the copy's schema ends up equal to prod's.
const PrivateSchema = "_envmirror"

// The tables of PrivateSchema.
const (
	// ProdTablesTable: schema_name, table_name, reltuples (pg_class's row estimate; -1 when the
	// table was never analyzed).
	ProdTablesTable = PrivateSchema + ".prod_tables"
	// ProdColumnsTable: schema_name, table_name, column_name, inherited, null_frac, n_distinct,
	// avg_width (pg_stats' aggregate statistics; no value of prod's).
	ProdColumnsTable = PrivateSchema + ".prod_columns"
)

// SchemaJobScript is the shell script of the schema Job (run with `sh -c` in a postgres image
// at least as new as prod's server, with $SOURCE_DSN: prod, read-only; $TARGET_DSN: the copy).
// It empties the copy's database (public is recreated as a new database has it, so a dump of
// the copy equals prod's), copies prod's schema into it with pg_dump --schema-only (which
// reads the catalog, never a row), then copies prod's size and shape into PrivateSchema:
// pg_class.reltuples per table and pg_stats' null_frac, n_distinct and avg_width per column.
// It never selects a statistic that holds prod values (most_common_vals, most_common_freqs,
// histogram_bounds, most_common_elems, most_common_elem_freqs, elem_count_histogram): only
// the columns named below leave prod.
//
// It has no pipe. /bin/sh is dash in the Debian-based images and BusyBox ash in the Alpine
// ones; dash has no pipefail, and in `pg_dump | psql` only psql's status counts, so a dump that
// failed left an empty database that seeding then reported Seeded. Every step instead writes
// to or reads from a file in a directory of its own under $TMPDIR (an emptyDir in the Job: see
// SchemaJobTmpDir), and `set -e` stops the script at the first command that fails.
func SchemaJobScript() string { return schemaJobScript }

// waitForPostgres defines ready: it waits up to two minutes for a server to accept
// connections. The Job starts once the stand-in's pod is ready, but its Service's endpoints
// reach kube-proxy a moment later (a connection is refused until then), and prod's server may
// be restarting: a wait here costs nothing when all is well and saves a failed Job when not.
const waitForPostgres = `ready() {
  tries=0
  until pg_isready -q -d "$1"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then echo "$2 does not accept connections after 2 minutes" >&2; return 1; fi
    sleep 2
  done
}`

// SchemaJobTmpDir is where the schema Job's script keeps prod's dump and statistics between
// steps: the Job mounts an emptyDir there and sets TMPDIR to it, so the container's root
// filesystem can stay read-only.
const SchemaJobTmpDir = "/tmp"

const schemaJobScript = `set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
` + waitForPostgres + `
ready "$TARGET_DSN" "the copy's database"
ready "$SOURCE_DSN" "prod's database"
psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "DO \$\$ DECLARE s text; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
  IF current_setting('server_version_num')::int >= 150000 THEN
    BEGIN
      CREATE SCHEMA public AUTHORIZATION pg_database_owner;
    EXCEPTION WHEN insufficient_privilege THEN
      CREATE SCHEMA public;
    END;
    GRANT USAGE ON SCHEMA public TO PUBLIC;
  ELSE
    CREATE SCHEMA public;
    GRANT ALL ON SCHEMA public TO PUBLIC;
  END IF;
  COMMENT ON SCHEMA public IS 'standard public schema';
END \$\$;"
pg_dump --schema-only --no-owner --no-privileges --file="$work/schema.sql" "$SOURCE_DSN"
psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q --file="$work/schema.sql"
echo "schema copied"
psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "CREATE SCHEMA ` + PrivateSchema + `;
  CREATE TABLE ` + ProdTablesTable + ` (schema_name name, table_name name, reltuples float8);
  CREATE TABLE ` + ProdColumnsTable + ` (schema_name name, table_name name, column_name name,
    inherited bool, null_frac float4, n_distinct float4, avg_width int4);"
psql "$SOURCE_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy (SELECT n.nspname, c.relname, c.reltuples::float8
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema') TO '$work/tables.tsv'"
psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy ` + ProdTablesTable + ` FROM '$work/tables.tsv'"
psql "$SOURCE_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy (SELECT s.schemaname, s.tablename, s.attname, s.inherited,
  s.null_frac, s.n_distinct, s.avg_width
  FROM pg_catalog.pg_stats s WHERE s.schemaname NOT LIKE 'pg\_%' AND s.schemaname <> 'information_schema') TO '$work/columns.tsv'"
psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy ` + ProdColumnsTable + ` FROM '$work/columns.tsv'"
echo "statistics copied"
`

// ValueStatistics are the columns of pg_stats (and of the catalogs behind it: pg_statistic's
// value slots, extended statistics' data) that hold prod's values. Nothing of envmirror reads
// them. (pg_dump reads pg_statistic_ext, the definitions of CREATE STATISTICS: no values.)
var ValueStatistics = []string{"most_common_vals", "most_common_freqs", "histogram_bounds",
	"most_common_elems", "most_common_elem_freqs", "elem_count_histogram", "stavalues", "pg_statistic_ext_data",
	"pg_stats_ext"}
