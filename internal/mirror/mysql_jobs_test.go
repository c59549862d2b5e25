package mirror_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// The MySQL Jobs this package builds, run for real: the stand-in's server started with the
// StatefulSet's arguments, the seeding Job's exact command line and environment (its password
// resolved from the credentials Secret, its connection string expanded from $(VAR)s as the
// kubelet does) against it, and for a schema read from prod the probe's and the schema Job's
// commands against a database of the with-services MariaDB playing prod.

// shopSchema is mysqldump-shaped SQL: keys, foreign keys in a cycle, CHECKs, ENUM, SET, JSON,
// generated and spatial columns (internal/seed's fixture), and a view and a trigger with prod's
// DEFINER, which the stand-in's app user may create only without it, and only with
// log_bin_trust_function_creators on (binary logging is on, as MySQL 8 has it).
func shopSchema(t *testing.T, definer string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "seed", "testdata", "mysql", "shop.sql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`" + definer + "`@`%` SQL SECURITY DEFINER */\n" +
		"/*!50001 VIEW `paid_orders` AS SELECT `id`, `customer_id` FROM `orders` WHERE `state` = 'paid' */;\n" +
		"/*!50003 CREATE*/ /*!50017 DEFINER=`" + definer + "`@`%`*/ /*!50003 TRIGGER `product_name_trim` BEFORE INSERT ON `product` " +
		"FOR EACH ROW SET NEW.`name` = TRIM(NEW.`name`) */;\n"
}

var shopTables = []string{"address", "customer", "order_item", "orders", "product"}

const standInPassword = "x7Rk2Vq9Lm4Tz8Wd"

// standInFor builds a database entry's stand-in objects and starts its server here.
func standInFor(t *testing.T, env *v1alpha1.MirrorEnvironment, s mirror.StandIns) (standInServer, map[string]map[string][]byte) {
	t.Helper()
	d := &env.Spec.Data[0]
	objs := objectsByKey(s.Objects(builder(t, env, nil)))
	sts, ok := objs["StatefulSet/"+d.Name].(*appsv1.StatefulSet)
	if !ok {
		t.Fatalf("no stand-in StatefulSet: %v", keysOf(objs))
	}
	secret := objs["Secret/"+mirror.StandInSecretName(d.Name)].(*corev1.Secret)
	secrets := map[string]map[string][]byte{secret.Name: secret.Data}
	return startStandInServer(t, sts.Spec.Template.Spec.Containers[0], secrets), secrets
}

// runSeedJob runs the seeding Job's container here and returns its summary.
func runSeedJob(t *testing.T, env *v1alpha1.MirrorEnvironment, srv standInServer, secrets map[string]map[string][]byte, schemaSQL string) contract.Summary {
	t.Helper()
	d := &env.Spec.Data[0]
	b := builder(t, env, nil)
	spec, _ := json.Marshal(mirror.SeedSpec(*d, mirror.DefaultSeed(env.Spec.Branch)))
	job := b.SeedJob(mirror.SeedJobInput{Database: d, Hash: "h1", Image: "envmirror/manager:test", SpecJSON: string(spec), SchemaSQL: schemaSQL != ""})
	c := job.Spec.Template.Spec.Containers[0]
	if !slices.Equal(c.Command, []string{"/manager"}) {
		t.Fatalf("command %q", c.Command)
	}
	dir := t.TempDir()
	mounts := map[string]string{contract.TerminationLog: filepath.Join(dir, "termination-log")}
	for _, m := range c.VolumeMounts {
		if m.Name == "schema" {
			cm := b.SchemaConfigMap(d, schemaSQL)
			for key, text := range cm.Data {
				if err := os.WriteFile(filepath.Join(dir, key), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			mounts[m.MountPath+"/"] = dir + "/"
		}
	}
	network := map[string]route{mirror.EnvSeedHost: {d.Name, "127.0.0.1"}, mirror.EnvSeedPort: {"3306", strconv.Itoa(srv.port)}}
	out, err := runContainer(t, append([]string{managerBinary(t)}, c.Args...), containerEnv(t, c, secrets, network), mounts)
	summaryText, _ := os.ReadFile(mounts[contract.TerminationLog])
	if err != nil {
		t.Fatalf("the seeding Job failed: %v\n%s", err, out)
	}
	summary, err := contract.ParseSummary(summaryText)
	if err != nil || summary.Error != "" {
		t.Fatalf("summary %q (%v)\n%s", summaryText, err, out)
	}
	return summary
}

// assertRowsFromOutside counts each table's rows on the server and compares them with the
// summary's.
func assertRowsFromOutside(t *testing.T, db *sql.DB, summary contract.Summary) {
	t.Helper()
	var total int64
	for _, ts := range summary.PerTable {
		name := ts.Table[strings.LastIndexByte(ts.Table, '.')+1:]
		if got := count(t, db, "SELECT COUNT(*) FROM `"+name+"`"); got != ts.Rows {
			t.Errorf("%s has %d rows, the summary says %d", ts.Table, got, ts.Rows)
		}
		total += ts.Rows
	}
	if total != summary.Rows || summary.Tables != len(shopTables) || len(summary.PerTable) != len(shopTables) {
		t.Errorf("summary: %d rows in %d tables (%d listed), per table %d", summary.Rows, summary.Tables, len(summary.PerTable), total)
	}
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestMySQLJobsRunAgainstMariaDB(t *testing.T) {
	prod := prodMySQL(t)
	manager := managerBinary(t)
	t.Cleanup(func() { _ = os.RemoveAll(filepath.Dir(manager)) }) // the only test that runs it
	t.Run("a stand-in seeded from a ConfigMap schema", func(t *testing.T) { seedFromConfigMap(t) })
	t.Run("a stand-in seeded from prod's schema and statistics", func(t *testing.T) { seedFromProd(t, prod) })
}

func seedFromConfigMap(t *testing.T) {
	schema := shopSchema(t, "shop_owner")
	env := mysqlEnv(v1alpha1.DatabaseSpec{Name: "orders-db", Engine: v1alpha1.DatabaseMariaDB,
		StandIn: &v1alpha1.StandInSpec{Version: "10.11", Database: "orders"},
		Schema:  &v1alpha1.SchemaSource{ConfigMapRef: &v1alpha1.ConfigMapKeyRef{Name: "orders-schema"}},
		Rows:    v1alpha1.RowsSpec{Default: ptr.To[int64](40), Tables: map[string]int64{"orders": 120}}})
	s := mirror.NewStandIns(env, func(string) string { return standInPassword }, map[string]string{"orders-db": schema})
	srv, secrets := standInFor(t, env, s)
	app := openMySQL(t, mirror.MySQLEndpoint{Host: "127.0.0.1", Port: srv.port, User: "app", Password: standInPassword}, "orders")
	// The arguments the StatefulSet starts the server with: LOAD DATA LOCAL allowed, and the
	// app user may create triggers although binary logging is on.
	if n := count(t, app, "SELECT @@GLOBAL.local_infile + @@GLOBAL.log_bin_trust_function_creators + @@GLOBAL.log_bin"); n != 3 {
		t.Fatalf("local_infile + log_bin_trust_function_creators + log_bin = %d, want 3", n)
	}

	summary := runSeedJob(t, env, srv, secrets, schema)
	assertRowsFromOutside(t, app, summary)
	for _, ts := range summary.PerTable {
		want := int64(40)
		if ts.Table == "orders.orders" {
			want = 120
		}
		if ts.Rows != want {
			t.Errorf("%s: %d rows, want %d", ts.Table, ts.Rows, want)
		}
	}
	if n := count(t, app, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'orders'") +
		count(t, app, "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'orders'"); n != 2 {
		t.Errorf("the schema's trigger and view: %d of 2 are there", n)
	}
}

// prodShop creates prod's database on the with-services server, with rows (seeded by the
// manager itself) and fresh statistics, and a read-only user; it returns prod's DSN as a user
// writes it into the schema.fromDatabase Secret, and prod's estimated row counts.
func prodShop(t *testing.T, admin mirror.MySQLEndpoint) (string, map[string]int64) {
	t.Helper()
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	name, user, password := "prod_"+suffix, "ro_"+suffix, "r0/p@ss:w%rd"
	root := openMySQL(t, admin, "mysql")
	mustExec(t, root, "CREATE DATABASE `"+name+"`")
	t.Cleanup(func() {
		_, _ = root.Exec("DROP DATABASE `" + name + "`")
		_, _ = root.Exec("DROP USER '" + user + "'@'%'")
	})
	schemaFile := filepath.Join(t.TempDir(), "shop.sql")
	if err := os.WriteFile(schemaFile, []byte(shopSchema(t, admin.User)), 0o644); err != nil {
		t.Fatal(err)
	}
	seedProd := exec.Command(managerBinary(t), "seed", "--engine=mysql", "--schema-file="+schemaFile, "--wait-timeout=30s")
	adminDSN := admin
	adminDSN.Database = name
	seedProd.Env = []string{contract.DSNEnv + "=" + adminDSN.URL(),
		contract.SpecEnv + `={"defaultRows":200,"tables":{"orders":600,"order_item":900},"seed":7}`}
	if out, err := seedProd.CombinedOutput(); err != nil {
		t.Fatalf("seeding prod: %v\n%s", err, out)
	}
	db := openMySQL(t, adminDSN, name)
	mustExec(t, db, "ANALYZE TABLE "+strings.Join(shopTables, ", "),
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password),
		fmt.Sprintf("GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON `%s`.* TO '%s'@'%%'", name, user))
	rows := map[string]int64{}
	for _, tbl := range shopTables {
		rows[tbl] = count(t, db, "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", name, tbl)
	}
	dsn := fmt.Sprintf("mysql://%s:%s@%s:%d/%s", user, url.QueryEscape(password), admin.Host, admin.Port, name)
	return dsn, rows
}

func seedFromProd(t *testing.T, admin mirror.MySQLEndpoint) {
	dsn, prodRows := prodShop(t, admin)
	ep, err := mirror.ParseMySQLDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	env := mysqlEnv(v1alpha1.DatabaseSpec{Name: "orders-db", Engine: v1alpha1.DatabaseMariaDB, StandIn: &v1alpha1.StandInSpec{},
		Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "prod-dsn"}}},
		Rows:   v1alpha1.RowsSpec{Scale: ptr.To(v1alpha1.Fraction("0.5"))}})
	d := &env.Spec.Data[0]

	// The probe reads prod's version, which chooses the stand-in.
	probed := runProbeJob(t, env, ep)
	s := mirror.NewStandIns(env, func(string) string { return standInPassword }, nil).
		WithProdDatabases(map[string]mirror.ProdDatabase{d.Name: mirror.ProdDatabaseFromProbe(probed)})
	if v := os.Getenv("ENVMIRROR_TEST_MYSQL_VERSION"); v != "" && probed.Version != v {
		t.Errorf("the probe read version %q, the server says %q", probed.Version, v)
	}
	ds, known := s.Database(d)
	if want := "mariadb:" + deps.NormalizeVersion(probed.Version); !known || ds.Image != want || ds.Problem != "" {
		t.Fatalf("the stand-in runs %+v (known %v), want %s", ds, known, want)
	}
	srv, _ := standInFor(t, env, s)
	app := openMySQL(t, mirror.MySQLEndpoint{Host: "127.0.0.1", Port: srv.port, User: "app", Password: standInPassword}, "app")

	secret := mirror.MySQLSchemaSecretData(ep, mirror.ConnectionFor(d), target, standInPassword)
	job := mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: "schema-1", SecretName: "schema-1",
		Image: ds.Image, Engine: d.Engine})
	// First as in the mariadb image of MariaDB 11, whose sh is dash and which has no mysql or
	// mysqldump; then again, as in the mysql image (bash), over the copy the first run made and a
	// table prod does not have.
	runSchemaJob(t, job.Spec.Template.Spec.Containers[0], secret, srv, "dash", mariaDB11Tools(t))
	if n := count(t, app, "SELECT COUNT(*) FROM `"+contract.MySQLProdTablesTable+"`"); n != int64(len(shopTables)) {
		t.Fatalf("%s lists %d tables", contract.MySQLProdTablesTable, n)
	}
	mustExec(t, app, "CREATE TABLE `gone_from_prod` (id int PRIMARY KEY)")
	runSchemaJob(t, job.Spec.Template.Spec.Containers[0], secret, srv, "bash", os.Getenv("PATH"))
	if n := count(t, app, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'gone_from_prod'"); n != 0 {
		t.Error("the schema Job left a table prod does not have")
	}
	// MySQL's mysqldump (which cannot run here) is told not to write prod's GTIDs nor read its
	// tablespaces: a stand-in for it refuses to dump otherwise.
	runSchemaJob(t, job.Spec.Template.Spec.Containers[0], secret, srv, "dash", gtidAwareDump(t)+":"+os.Getenv("PATH"))

	summary := runSeedJob(t, env, srv, map[string]map[string][]byte{mirror.StandInSecretName(d.Name): mirror.StandInCredentials(d, standInPassword)}, "")
	assertRowsFromOutside(t, app, summary)
	spec := mirror.SeedSpec(*d, 0)
	for _, ts := range summary.PerTable {
		tbl := ts.Table[strings.LastIndexByte(ts.Table, '.')+1:]
		if ts.ProdRows == nil || *ts.ProdRows != prodRows[tbl] {
			t.Errorf("%s: prod rows %v, prod's TABLE_ROWS says %d", ts.Table, ts.ProdRows, prodRows[tbl])
		}
		if want, _ := spec.ScaledRows(float64(prodRows[tbl])); (tbl == "customer" || tbl == "product") && ts.Rows != want {
			t.Errorf("%s: %d rows, want half of prod's %d", ts.Table, ts.Rows, prodRows[tbl])
		}
	}
	if n := count(t, app, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = ?", contract.MySQLProdTablesTable); n != 0 {
		t.Errorf("%s stays after seeding", contract.MySQLProdTablesTable)
	}
	prodDB := openMySQL(t, admin, ep.Database)
	for tbl, n := range prodRows {
		if got := count(t, prodDB, "SELECT COUNT(*) FROM `"+tbl+"`"); got < n/2 || got > n*2 {
			t.Errorf("prod's %s has %d rows, its estimate was %d", tbl, got, n)
		}
	}
}

// runProbeJob runs the database probe Job's container against prod, as the operator's Secret
// gives it prod's DSN (as a mysql:// URL), and returns its summary.
func runProbeJob(t *testing.T, env *v1alpha1.MirrorEnvironment, prod mirror.MySQLEndpoint) deps.Summary {
	t.Helper()
	job := mirror.DatabaseProbeJob(mirror.DatabaseProbeJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: "probe-1",
		Database: &env.Spec.Data[0], Image: "envmirror/manager:test"})
	c := job.Spec.Template.Spec.Containers[0]
	if !slices.Contains(c.Args, "--engine=mariadb") {
		t.Fatalf("probe args %q", c.Args)
	}
	file := filepath.Join(t.TempDir(), "termination-log")
	secrets := map[string]map[string][]byte{"probe-1": {"SOURCE_URL": []byte(prod.URL())}}
	out, err := runContainer(t, append([]string{managerBinary(t)}, c.Args...), containerEnv(t, c, secrets, nil), map[string]string{deps.SummaryFile: file})
	if err != nil {
		t.Fatalf("the probe failed: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(file)
	s, err := deps.ParseSummary(b)
	if err != nil || s.Distribution != "mariadb" || s.Version == "" || strings.Contains(string(b), prod.Password) {
		t.Fatalf("probe summary %s (%v)", b, err)
	}
	return s
}

// runSchemaJob runs the schema Job's script with shell, its Secret resolved and the copy's
// Service pointed at the stand-in's server here.
func runSchemaJob(t *testing.T, c corev1.Container, secret map[string][]byte, srv standInServer, shell, path string) {
	t.Helper()
	if len(c.Command) != 3 || c.Command[0] != "sh" || c.Command[1] != "-c" {
		t.Fatalf("command %q", c.Command)
	}
	network := map[string]route{"TARGET_HOST": {"orders-db." + target + ".svc", "127.0.0.1"}, "TARGET_PORT": {"3306", strconv.Itoa(srv.port)}}
	env := containerEnv(t, c, map[string]map[string][]byte{"schema-1": secret}, network)
	tmp := t.TempDir()
	env = append(env, "PATH="+path, "HOME="+tmp, "TMPDIR="+tmp)
	out, err := runContainer(t, []string{shell, "-c", c.Command[2]}, env, nil)
	if err != nil || !strings.Contains(out, "statistics copied") {
		t.Fatalf("the schema Job (%s) failed: %v\n%s", shell, err, out)
	}
}

// mariaDB11Tools is a PATH with what the mariadb image of MariaDB 11 has for the script: the
// clients under their MariaDB names only, and the shell's tools.
func mariaDB11Tools(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"mariadb", "mariadb-dump", "mktemp", "sed", "rm", "wc", "grep"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// gtidAwareDump is a directory with a mysqldump that, as MySQL 8's does for a read-only user of a
// prod with GTIDs, lists --set-gtid-purged in its help, and dumps (with mariadb-dump) only when
// told --set-gtid-purged=OFF and --no-tablespaces.
func gtidAwareDump(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
case " $* " in *" --help "*) echo "  --set-gtid-purged=name  Add 'SET @@GLOBAL.GTID_PURGED' to the output."; exit 0 ;; esac
[ "$1" = --no-tablespaces ] || { echo "mysqldump: Access denied; you need the PROCESS privilege (to dump tablespaces)" >&2; exit 2; }
[ "$2" = --set-gtid-purged=OFF ] || { echo "mysqldump: would write prod's GTIDs: not given --set-gtid-purged=OFF" >&2; exit 2; }
shift 2
exec mariadb-dump --no-tablespaces "$@"
`
	if err := os.WriteFile(filepath.Join(dir, "mysqldump"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
