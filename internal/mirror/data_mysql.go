package mirror

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// The seeding Job's connection to a MySQL or MariaDB database: each part in a variable of its
// own, the password a reference to a Secret of the copy, and contract.DSNEnv composed of them
// with $(VAR) references, which the kubelet expands when it starts the container. No password
// is ever a value in the Job.
const (
	EnvSeedHost     = "ENVMIRROR_DB_HOST"
	EnvSeedPort     = "ENVMIRROR_DB_PORT"
	EnvSeedDatabase = "ENVMIRROR_DB_NAME"
	EnvSeedUser     = "ENVMIRROR_DB_USER"
	EnvSeedPassword = "ENVMIRROR_DB_PASSWORD"
)

// mysqlSeedDSN is the Go driver's DSN form, user:password@tcp(host:port)/database: unlike a URL,
// it takes a password as it is (the driver splits at the last '@' before the last '/', and the
// first ':' before it), so a password with '@', '/', ':' or '%' needs no escaping. A database
// name or user with those characters is refused at admission instead.
const mysqlSeedDSN = "$(" + EnvSeedUser + "):$(" + EnvSeedPassword + ")@tcp($(" + EnvSeedHost + "):$(" + EnvSeedPort + "))/$(" + EnvSeedDatabase + ")"

// mysqlSeedEnv is the seeding Job's connection to a MySQL or MariaDB database. The kubelet
// expands a $(VAR) only when VAR is defined before it: the parts come first.
func mysqlSeedEnv(conn Connection) []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: EnvSeedHost, Value: conn.Host},
		{Name: EnvSeedPort, Value: strconv.Itoa(int(conn.Port))},
		{Name: EnvSeedDatabase, Value: conn.Database},
		{Name: EnvSeedUser, Value: conn.User},
		{Name: EnvSeedPassword, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: conn.Password.DeepCopy()}},
		{Name: contract.DSNEnv, Value: mysqlSeedDSN},
	}
}

// MySQLEndpoint is a MySQL or MariaDB server and database, as a DSN names them.
type MySQLEndpoint struct {
	Host                     string
	Port                     int
	User, Password, Database string
	// TLS is the DSN's tls parameter (true, skip-verify, preferred, false), which the version
	// probe honours.
	TLS string
}

// definerClause is a DEFINER clause as mysqldump and SHOW CREATE write it (DEFINER=`user`@`host`,
// quotes doubled inside), or as people write it (quoted with ' or not at all).
var definerClause = regexp.MustCompile("DEFINER\\s*=\\s*(`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z0-9_.$-]+)@(`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z0-9_.%$-]+)")

// withoutDefiners drops the DEFINER clauses of a MySQL schema. A view, trigger, routine or event
// is defined for prod's user, whom the copy does not have, and only a user with SET USER
// (SUPER) may name another definer than itself, which the copy's app user has not: without the
// clause each object is defined by the user who creates it, the copy's own.
func withoutDefiners(sql string) string { return definerClause.ReplaceAllString(sql, "") }

// hostName is a host name or an IP address (v6 too).
var hostName = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)

// errMySQLDSN never repeats the DSN: it holds a password.
var errMySQLDSN = errors.New("it is not a MySQL connection string: write mysql://user:password@host:3306/database " +
	"(password percent-encoded) or user:password@tcp(host:3306)/database")

// ParseMySQLDSN reads prod's DSN (schema.fromDatabase): mysql://user:password@host:port/database
// (mariadb:// too; ?tls=...), or the Go driver's user:password@tcp(host:port)/database. Its
// errors never hold the DSN or any part of it.
func ParseMySQLDSN(dsn string) (MySQLEndpoint, error) {
	dsn = strings.TrimSpace(dsn)
	var ep MySQLEndpoint
	port := ""
	if strings.HasPrefix(dsn, "mysql://") || strings.HasPrefix(dsn, "mariadb://") {
		u, err := url.Parse(dsn)
		if err != nil || u.Host == "" || u.User == nil {
			return MySQLEndpoint{}, errMySQLDSN
		}
		ep.User = u.User.Username()
		ep.Password, _ = u.User.Password()
		ep.Host, port = u.Hostname(), u.Port()
		ep.Database, ep.TLS = strings.TrimPrefix(u.Path, "/"), u.Query().Get("tls")
	} else {
		cfg, err := mysqldriver.ParseDSN(dsn)
		if err != nil || cfg.Net != "tcp" || !strings.Contains(dsn, "@tcp(") {
			return MySQLEndpoint{}, errMySQLDSN
		}
		host, p, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			host, p = cfg.Addr, ""
		}
		ep.User, ep.Password, ep.Host, port = cfg.User, cfg.Passwd, host, p
		ep.Database, ep.TLS = cfg.DBName, cfg.TLSConfig
	}
	return ep.withPort(port)
}

func (ep MySQLEndpoint) withPort(port string) (MySQLEndpoint, error) {
	ep.Port = mysqlPort
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return MySQLEndpoint{}, errMySQLDSN
		}
		ep.Port = n
	}
	switch {
	case !hostName.MatchString(ep.Host), strings.Contains(ep.Host, ":") && net.ParseIP(ep.Host) == nil:
		// A colon belongs only to an IPv6 address: tcp(:0:) is no host, and the probe's URL
		// could not carry it.
		return MySQLEndpoint{}, fmt.Errorf("%w (it names no host)", errMySQLDSN)
	case ep.User == "":
		return MySQLEndpoint{}, fmt.Errorf("%w (it names no user)", errMySQLDSN)
	case ep.Database == "" || strings.Contains(ep.Database, "/"):
		return MySQLEndpoint{}, fmt.Errorf("%w (it names no database: the schema is read from one)", errMySQLDSN)
	}
	return ep, nil
}

// URL is the endpoint as `manager probe --engine=mysql` reads it (mysql://, escaped).
func (ep MySQLEndpoint) URL() string {
	u := url.URL{Scheme: "mysql", User: url.UserPassword(ep.User, ep.Password),
		Host: net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)), Path: "/" + ep.Database}
	if ep.TLS != "" {
		u.RawQuery = "tls=" + url.QueryEscape(ep.TLS)
	}
	return u.String()
}

// mysqlSchemaJobKeys are the keys of the MySQL schema Job's Secret (MySQLSchemaSecretData), each
// read into the variable of the same name that contract.MySQLSchemaJobScript reads.
var mysqlSchemaJobKeys = []string{"SOURCE_HOST", "SOURCE_PORT", "SOURCE_USER", "SOURCE_PASSWORD", "SOURCE_DATABASE",
	"TARGET_HOST", "TARGET_PORT", "TARGET_USER", "TARGET_PASSWORD", "TARGET_DATABASE"}

// MySQLSchemaSecretData is the MySQL schema Job's Secret, in the operator's namespace: prod's
// endpoint (read-only) and the copy's database, reached through its Service from outside the
// copy's namespace.
func MySQLSchemaSecretData(prod MySQLEndpoint, target Connection, targetNamespace, targetPassword string) map[string][]byte {
	return map[string][]byte{
		"SOURCE_HOST": []byte(prod.Host), "SOURCE_PORT": []byte(strconv.Itoa(prod.Port)), "SOURCE_USER": []byte(prod.User),
		"SOURCE_PASSWORD": []byte(prod.Password), "SOURCE_DATABASE": []byte(prod.Database),
		"TARGET_HOST": []byte(target.Host + "." + targetNamespace + ".svc"), "TARGET_PORT": []byte(strconv.Itoa(int(target.Port))),
		"TARGET_USER": []byte(target.User), "TARGET_PASSWORD": []byte(targetPassword), "TARGET_DATABASE": []byte(target.Database),
	}
}

// MySQLSchemaJobPrologue runs before contract.MySQLSchemaJobScript in the MySQL schema Job:
//   - The mariadb image names its clients mariadb and mariadb-dump only since MariaDB 11 (the
//     mysql and mysqldump names were dropped from it): the script's names then call those.
//   - mysqldump writes every view, trigger, routine and event with prod's DEFINER, which only a
//     user with SET USER (SUPER) may name, and the copy's app user has none: the dump loses its
//     DEFINER clauses (as the dependency probe's copied views do), so each object is defined
//     by the copy's user, who exists in the copy. The dump goes to a file first (no pipe: dash
//     has no pipefail), so a failed dump still stops the script.
//   - MySQL's mysqldump writes SET @@GLOBAL.GTID_PURGED and SET @@SESSION.SQL_LOG_BIN when prod
//     runs with GTIDs (--set-gtid-purged=AUTO), which only a SUPER user may run: the dump says
//     OFF when its mysqldump knows the option (MariaDB's does not, and writes neither).
//   - mysqldump needs the PROCESS privilege to dump tablespaces since MySQL 8.0.21, which a
//     read-only user rarely has, and the copy needs none of prod's tablespaces: --no-tablespaces
//     (both dumps know it).
//   - It first waits up to two minutes for each server to answer: a new pod's first connection
//     can be dropped while the network policy controller has not admitted the pod yet (seen
//     with kube-router on the real node: the first SELECT 1 from a fresh pod timed out, the
//     next, two seconds later, went through), and every retry of the Job is a new pod.
//   - It empties the copy's database, as the PostgreSQL schema Job does: the script adds prod's
//     tables without dropping any other, so a table prod dropped since, and the list of prod's
//     tables a failed seeding left behind (which the script then cannot create again), would
//     stay. Foreign keys are not checked, so the order does not matter.
//
// All of it belongs in the contract's script; they are here until it has them.
const MySQLSchemaJobPrologue = `set -eu
if ! command -v mysql >/dev/null 2>&1; then mysql() { mariadb "$@"; }; fi
_envmirror_target() { MYSQL_PWD="$TARGET_PASSWORD" mysql --host="$TARGET_HOST" --port="${TARGET_PORT:-3306}" --user="$TARGET_USER" --batch -e "SELECT 1"; }
_envmirror_source() { MYSQL_PWD="$SOURCE_PASSWORD" mysql --host="$SOURCE_HOST" --port="${SOURCE_PORT:-3306}" --user="$SOURCE_USER" --batch -e "SELECT 1"; }
_envmirror_wait() {
  _envmirror_tries=0
  until "$1" >/dev/null 2>&1; do
    _envmirror_tries=$((_envmirror_tries + 1))
    if [ "$_envmirror_tries" -ge 60 ]; then echo "$2 does not accept connections after 2 minutes:" >&2; "$1"; return 1; fi
    sleep 2
  done
}
_envmirror_wait _envmirror_target "the copy's database"
_envmirror_wait _envmirror_source "prod's database"
_envmirror_dump=mysqldump
command -v mysqldump >/dev/null 2>&1 || _envmirror_dump=mariadb-dump
_envmirror_gtid=
if "$_envmirror_dump" --help 2>/dev/null | grep -q -e --set-gtid-purged; then _envmirror_gtid=--set-gtid-purged=OFF; fi
_envmirror_bt=$(printf '\140')
mysqldump() {
  _envmirror_raw=$(mktemp)
  command "$_envmirror_dump" --no-tablespaces $_envmirror_gtid "$@" >"$_envmirror_raw"
  sed -E "s/DEFINER=${_envmirror_bt}([^${_envmirror_bt}]|${_envmirror_bt}${_envmirror_bt})*${_envmirror_bt}@${_envmirror_bt}([^${_envmirror_bt}]|${_envmirror_bt}${_envmirror_bt})*${_envmirror_bt}//g" "$_envmirror_raw"
  rm -f "$_envmirror_raw"
}
_envmirror_drops=$(mktemp)
MYSQL_PWD="$TARGET_PASSWORD" mysql --host="$TARGET_HOST" --port="${TARGET_PORT:-3306}" --user="$TARGET_USER" \
  --batch --raw --skip-column-names "$TARGET_DATABASE" -e "SELECT CONCAT('DROP ', IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE'),
  ' IF EXISTS ', CHAR(96 USING utf8mb4), REPLACE(TABLE_NAME, CHAR(96 USING utf8mb4), REPEAT(CHAR(96 USING utf8mb4), 2)),
  CHAR(96 USING utf8mb4), ';') FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()" >"$_envmirror_drops"
MYSQL_PWD="$TARGET_PASSWORD" mysql --host="$TARGET_HOST" --port="${TARGET_PORT:-3306}" --user="$TARGET_USER" \
  --init-command="SET FOREIGN_KEY_CHECKS=0" "$TARGET_DATABASE" <"$_envmirror_drops"
echo "copy emptied ($(wc -l <"$_envmirror_drops") tables and views dropped)"
rm -f "$_envmirror_drops"
`

// mysqlSchemaJob copies prod's MySQL or MariaDB schema (mysqldump --no-data) and row estimates
// into the copy's database with contract.MySQLSchemaJobScript, after MySQLSchemaJobPrologue. It
// runs in the operator's namespace, every connection setting from the Secret there, so prod's
// credentials never enter the copy's namespace; as the image's own user (mysql, 999).
func mysqlSchemaJob(in SchemaJobInput) *batchv1.Job {
	var env []corev1.EnvVar
	for _, key := range mysqlSchemaJobKeys {
		env = append(env, corev1.EnvVar{Name: key, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: in.SecretName}, Key: key}}})
	}
	return oneShotJob{
		meta:        metav1.ObjectMeta{Name: in.Name, Namespace: in.OperatorNamespace, Labels: OwnershipLabels(in.Env)},
		deadline:    1800,
		uid:         mysqlEngine(&v1alpha1.DatabaseSpec{Engine: in.Engine}).UID,
		pullSecrets: in.PullSecrets,
		container: corev1.Container{
			Name: "schema", Image: in.Image, Command: []string{"sh", "-c", MySQLSchemaJobPrologue + contract.MySQLSchemaJobScript()},
			Env:                      env,
			TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		},
	}.build()
}
