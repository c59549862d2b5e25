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
// the copy equals prod's), pipes prod's schema into it with pg_dump --schema-only (which
// reads the catalog, never a row), then copies prod's size and shape into PrivateSchema:
// pg_class.reltuples per table and pg_stats' null_frac, n_distinct and avg_width per column.
// It never selects a statistic that holds prod values (most_common_vals, most_common_freqs,
// histogram_bounds, most_common_elems, most_common_elem_freqs, elem_count_histogram): only
// the columns named below leave prod.
func SchemaJobScript() string { return schemaJobScript }

const schemaJobScript = `set -eu
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
pg_dump --schema-only --no-owner --no-privileges "$SOURCE_DSN" | psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q
echo "schema copied"
psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "CREATE SCHEMA ` + PrivateSchema + `;
  CREATE TABLE ` + ProdTablesTable + ` (schema_name name, table_name name, reltuples float8);
  CREATE TABLE ` + ProdColumnsTable + ` (schema_name name, table_name name, column_name name,
    inherited bool, null_frac float4, n_distinct float4, avg_width int4);"
psql "$SOURCE_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy (SELECT n.nspname, c.relname, c.reltuples::float8
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema') TO STDOUT" |
  psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy ` + ProdTablesTable + ` FROM STDIN"
psql "$SOURCE_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy (SELECT s.schemaname, s.tablename, s.attname, s.inherited,
  s.null_frac, s.n_distinct, s.avg_width
  FROM pg_catalog.pg_stats s WHERE s.schemaname NOT LIKE 'pg\_%' AND s.schemaname <> 'information_schema') TO STDOUT" |
  psql "$TARGET_DSN" -X -v ON_ERROR_STOP=1 -q -c "\copy ` + ProdColumnsTable + ` FROM STDIN"
echo "statistics copied"
`

// ValueStatistics are the columns of pg_stats (and of the catalogs behind it: pg_statistic's
// value slots, extended statistics' data) that hold prod's values. Nothing of envmirror reads
// them. (pg_dump reads pg_statistic_ext, the definitions of CREATE STATISTICS: no values.)
var ValueStatistics = []string{"most_common_vals", "most_common_freqs", "histogram_bounds",
	"most_common_elems", "most_common_elem_freqs", "elem_count_histogram", "stavalues", "pg_statistic_ext_data",
	"pg_stats_ext"}
