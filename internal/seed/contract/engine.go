package contract

// The engines `manager seed` seeds (FlagEngine).
const (
	// EnginePostgres is PostgreSQL (the default): the connection from --dsn or the libpq
	// environment variables.
	EnginePostgres = "postgres"
	// EngineMySQL is MySQL or MariaDB: the connection from --dsn or DSNEnv, as
	// mysql://user:password@host:3306/database (or the Go driver's user:password@tcp(host:3306)/database).
	// The seeder loads with LOAD DATA LOCAL INFILE: it turns the server's local_infile on when
	// it may (the stand-in's root may), else the load fails saying so.
	EngineMySQL = "mysql"
)

// FlagEngine selects the engine: EnginePostgres or EngineMySQL.
const FlagEngine = "engine"

// DSNEnv is the environment variable the seeding Job may read its connection string from when
// --dsn is not given (so it can come from a Secret: valueFrom.secretKeyRef, or be composed with
// $(VAR) references to other variables).
const DSNEnv = "ENVMIRROR_SEED_DSN"

// MySQLProdTablesTable is the table, in the copy's own database, where the MySQL schema Job
// leaves prod's tables and their estimated row counts (information_schema.TABLES.TABLE_ROWS:
// an estimate, never a value) for the seeder: table_name, table_rows. The seeder never seeds
// it and drops it after a successful run, as PrivateSchema for PostgreSQL.
const MySQLProdTablesTable = "_envmirror_prod_tables"

// MySQLSchemaJobScript is the shell script of a MySQL schema Job (run with `sh -c` in an image
// with the mysql client at least as new as prod's server: the official mysql or mariadb image;
// $SOURCE_HOST/$SOURCE_PORT/$SOURCE_USER/$SOURCE_PASSWORD/$SOURCE_DATABASE: prod, read-only;
// $TARGET_HOST/$TARGET_PORT/$TARGET_USER/$TARGET_PASSWORD/$TARGET_DATABASE: the copy). It
// copies prod's schema with mysqldump --no-data (which reads the catalog, never a row), every
// pipe failing on its first failure, then prod's row estimates into MySQLProdTablesTable.
func MySQLSchemaJobScript() string { return mysqlSchemaJobScript }

const mysqlSchemaJobScript = `set -eu
src() { MYSQL_PWD="$SOURCE_PASSWORD" "$@" --host="$SOURCE_HOST" --port="${SOURCE_PORT:-3306}" --user="$SOURCE_USER"; }
dst() { MYSQL_PWD="$TARGET_PASSWORD" "$@" --host="$TARGET_HOST" --port="${TARGET_PORT:-3306}" --user="$TARGET_USER"; }
# The stand-in's Service reaches kube-proxy a moment after its pod is ready, and prod's server
# may be restarting: wait up to two minutes for each to answer.
ready() {
  tries=0
  until "$1" mysql --batch --skip-column-names -e "SELECT 1" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then echo "$2 does not accept connections after 2 minutes" >&2; "$1" mysql -e "SELECT 1"; return 1; fi
    sleep 2
  done
}
ready dst "the copy's database"
ready src "prod's database"
dump=$(mktemp)
src mysqldump --no-data --single-transaction --skip-add-locks --routines --triggers --events "$SOURCE_DATABASE" >"$dump"
dst mysql "$TARGET_DATABASE" <"$dump"
echo "schema copied"
dst mysql "$TARGET_DATABASE" -e "CREATE TABLE ` + MySQLProdTablesTable + ` (table_name varchar(64) NOT NULL PRIMARY KEY, table_rows bigint)"
src mysql --batch --skip-column-names -e "SELECT TABLE_NAME, COALESCE(TABLE_ROWS, -1) FROM information_schema.TABLES
  WHERE TABLE_SCHEMA = '$SOURCE_DATABASE' AND TABLE_TYPE = 'BASE TABLE'" >"$dump"
sed "s/'/''/g" "$dump" >"$dump.quoted"
while IFS="$(printf '\t')" read -r name rows; do
  dst mysql "$TARGET_DATABASE" -e "INSERT INTO ` + MySQLProdTablesTable + ` VALUES ('$name', $rows)"
done <"$dump.quoted"
rm -f "$dump" "$dump.quoted"
echo "statistics copied"
`
