package mirror_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

const mysqlPassword = "Zq8pW3nV5tR7yK2m"

func mysqlEnv(entries ...v1alpha1.DatabaseSpec) *v1alpha1.MirrorEnvironment {
	return testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Spec.Data = entries })
}

func mysqlStandIns(env *v1alpha1.MirrorEnvironment) mirror.StandIns {
	return mirror.NewStandIns(env, func(string) string { return mysqlPassword }, nil)
}

// A MySQL or MariaDB database of spec.data runs the same stand-in as a spec.dependencies entry of
// that engine: the official image at the version asked, as the image's own user, its data below
// the volume root, local_infile on, the app user's password from the credentials Secret.
func TestMySQLDatabaseStandIns(t *testing.T) {
	for _, tc := range []struct {
		engine              v1alpha1.DatabaseEngine
		version, wantImage  string
		database, wantDB    string
		wantURIWithPassword string
	}{
		{engine: v1alpha1.DatabaseMySQL, version: "8.0.36", wantImage: "mysql:8.0.36", wantDB: "app",
			wantURIWithPassword: "mysql://app:" + mysqlPassword + "@orders-db:3306/app"},
		{engine: v1alpha1.DatabaseMariaDB, version: "10.11", database: "orders", wantImage: "mariadb:10.11", wantDB: "orders",
			wantURIWithPassword: "mysql://app:" + mysqlPassword + "@orders-db:3306/orders"},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			env := mysqlEnv(v1alpha1.DatabaseSpec{Name: "orders-db", Engine: tc.engine,
				StandIn: &v1alpha1.StandInSpec{Version: tc.version, Database: tc.database}})
			objs := objectsByKey(mysqlStandIns(env).Objects(builder(t, env, nil)))
			if len(objs) != 3 {
				t.Fatalf("objects %v", keysOf(objs))
			}
			sec := objs["Secret/orders-db-credentials"].(*corev1.Secret)
			for key, want := range map[string]string{"host": "orders-db", "port": "3306", "database": tc.wantDB, "username": "app",
				"password": mysqlPassword, "uri": tc.wantURIWithPassword} {
				if got := string(sec.Data[key]); got != want {
					t.Errorf("credentials %s = %q, want %q", key, got, want)
				}
			}
			svc := objs["Service/orders-db"].(*corev1.Service)
			if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 3306 {
				t.Errorf("service ports %+v", svc.Spec.Ports)
			}
			sts := objs["StatefulSet/orders-db"].(*appsv1.StatefulSet)
			if sts.Labels["app.kubernetes.io/component"] != "database-stand-in" || sts.Labels["envmirror.io/engine"] != string(tc.engine) {
				t.Errorf("labels %v", sts.Labels)
			}
			for k, v := range svc.Spec.Selector {
				if sts.Spec.Template.Labels[k] != v {
					t.Errorf("the Service selects %s=%s, the pods have %q", k, v, sts.Spec.Template.Labels[k])
				}
			}
			c := sts.Spec.Template.Spec.Containers[0]
			if c.Image != tc.wantImage {
				t.Errorf("image %s, want %s", c.Image, tc.wantImage)
			}
			if !slices.Contains(c.Args, "--local-infile=1") || !slices.Contains(c.Args, "--datadir=/var/lib/mysql/data") {
				t.Errorf("args %q: the seeder's LOAD DATA LOCAL needs local_infile on, and the data lives below the volume root", c.Args)
			}
			envs := envByName(c.Env)
			if ref := envs["MYSQL_PASSWORD"].ValueFrom; ref == nil || ref.SecretKeyRef.Name != "orders-db-credentials" || ref.SecretKeyRef.Key != "password" {
				t.Errorf("MYSQL_PASSWORD %+v", envs["MYSQL_PASSWORD"])
			}
			if envs["MYSQL_DATABASE"].Value != tc.wantDB || envs["MYSQL_USER"].Value != "app" {
				t.Errorf("env %+v", c.Env)
			}
			if len(sts.Spec.VolumeClaimTemplates) != 1 || c.VolumeMounts[0].MountPath != "/var/lib/mysql" {
				t.Errorf("volume %+v, mounts %+v", sts.Spec.VolumeClaimTemplates, c.VolumeMounts)
			}
			assertNoPassword(t, sts, mysqlPassword)
			if got := string(mirror.StandInCredentials(&env.Spec.Data[0], mysqlPassword)["uri"]); got != tc.wantURIWithPassword {
				t.Errorf("StandInCredentials uri %q (Secret templates read these)", got)
			}
		})
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func envByName(env []corev1.EnvVar) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range env {
		out[e.Name] = e
	}
	return out
}

// assertNoPassword fails when the password is anywhere in the object (a value, an annotation,
// an argument): only references to the Secret that holds it may be.
func assertNoPassword(t *testing.T, obj any, password string) {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), password) {
		t.Errorf("the password is in the object: %s", b)
	}
}

// Which image and version a MySQL or MariaDB stand-in runs: the pinned version, else prod's as
// the probe read it (which also tells MariaDB from MySQL), on the engine's official image.
func TestMySQLStandInVersions(t *testing.T) {
	fromProd := &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "prod-dsn"}}}
	for _, tc := range []struct {
		name         string
		engine       v1alpha1.DatabaseEngine
		version      string
		image        v1alpha1.ImageReference
		schema       *v1alpha1.SchemaSource
		probed       *mirror.ProdDatabase // nil: no probe answered (yet)
		wantKnown    bool
		wantImage    string
		wantMismatch string
		wantProblem  string
	}{
		{name: "pinned, ConfigMap schema", engine: v1alpha1.DatabaseMySQL, version: "8.4", wantKnown: true, wantImage: "mysql:8.4"},
		{name: "pinned X.Y.Z", engine: v1alpha1.DatabaseMariaDB, version: "10.11.6", wantKnown: true, wantImage: "mariadb:10.11.6"},
		{name: "from prod: waits for the probe", engine: v1alpha1.DatabaseMySQL, schema: fromProd},
		{name: "from prod: prod's version", engine: v1alpha1.DatabaseMySQL, schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "8.0.36", Distribution: "mysql"}, wantKnown: true, wantImage: "mysql:8.0.36"},
		{name: "Aurora MySQL runs its MySQL line", engine: v1alpha1.DatabaseMySQL, schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "8.0.mysql_aurora.3.05.2", Distribution: "aurora-mysql"}, wantKnown: true, wantImage: "mysql:8.0"},
		{name: "MariaDB's version string", engine: v1alpha1.DatabaseMariaDB, schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "10.11.6-MariaDB-log", Distribution: "mariadb"}, wantKnown: true, wantImage: "mariadb:10.11.6"},
		{name: "a pinned version that is not prod's", engine: v1alpha1.DatabaseMySQL, version: "8.0.35", schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "8.0.36", Distribution: "mysql"}, wantKnown: true, wantImage: "mysql:8.0.35",
			wantMismatch: "spec.data[orders-db].standIn.version runs MySQL 8.0.35, prod runs 8.0.36"},
		{name: "a pinned minor is prod's", engine: v1alpha1.DatabaseMySQL, version: "8.0", schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "8.0.36", Distribution: "mysql"}, wantKnown: true, wantImage: "mysql:8.0"},
		{name: "an image of the spec", engine: v1alpha1.DatabaseMariaDB, version: "11.4", image: "registry.example/mariadb:11.4.2",
			wantKnown: true, wantImage: "registry.example/mariadb:11.4.2"},
		{name: "prod is MariaDB, the entry says mysql", engine: v1alpha1.DatabaseMySQL, schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "10.11.6-MariaDB", Distribution: "mariadb"}, wantKnown: true,
			wantProblem: "set engine: mariadb"},
		{name: "prod is MySQL, the entry says mariadb", engine: v1alpha1.DatabaseMariaDB, schema: fromProd,
			probed: &mirror.ProdDatabase{ServerVersion: "8.0.36", Distribution: "mysql"}, wantKnown: true, wantProblem: "set engine: mysql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := mysqlEnv(v1alpha1.DatabaseSpec{Name: "orders-db", Engine: tc.engine, Schema: tc.schema,
				StandIn: &v1alpha1.StandInSpec{Version: tc.version, Image: tc.image}})
			probed := map[string]mirror.ProdDatabase{}
			if tc.probed != nil {
				probed["orders-db"] = *tc.probed
			}
			s := mysqlStandIns(env).WithProdDatabases(probed)
			ds, known := s.Database(&env.Spec.Data[0])
			if known != tc.wantKnown || ds.Image != tc.wantImage || ds.Mismatch != tc.wantMismatch || !strings.Contains(ds.Problem, tc.wantProblem) ||
				(tc.wantProblem == "") != (ds.Problem == "") {
				t.Fatalf("known %v, %+v", known, ds)
			}
			_, built := objectsByKey(s.Objects(builder(t, env, nil)))["StatefulSet/orders-db"]
			if built != (known && ds.Problem == "") {
				t.Errorf("StatefulSet built: %v, known %v, problem %q", built, known, ds.Problem)
			}
			if !s.Names()["orders-db"] {
				t.Error("the stand-in's name is not reserved")
			}
		})
	}
}

// The seeding Job of a MySQL or MariaDB database reaches it with contract.DSNEnv, composed of
// variables the kubelet expands: the password a reference to the Secret that holds it.
func TestMySQLSeedJob(t *testing.T) {
	standIn := v1alpha1.DatabaseSpec{Name: "orders-db", Engine: v1alpha1.DatabaseMariaDB, StandIn: &v1alpha1.StandInSpec{Version: "10.11"},
		Schema: &v1alpha1.SchemaSource{ConfigMapRef: &v1alpha1.ConfigMapKeyRef{Name: "orders-schema"}}}
	workload := v1alpha1.DatabaseSpec{Name: "shop-db", Engine: v1alpha1.DatabaseMySQL, Workload: "mysql",
		Connection: &v1alpha1.ConnectionSpec{Database: "shop", User: "shop", PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "mysql-auth", Key: "pw"}}}
	fromProd := v1alpha1.DatabaseSpec{Name: "orders-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{Version: "8.0.36"},
		Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "prod-dsn"}}}}
	for _, tc := range []struct {
		name      string
		db        v1alpha1.DatabaseSpec
		schemaSQL bool
		wantArgs  []string
		notArgs   []string
		want      map[string]string // literal values
		password  corev1.SecretKeySelector
	}{
		{name: "a stand-in with a ConfigMap schema", db: standIn, schemaSQL: true,
			wantArgs: []string{"seed", "--engine=mysql", "--reset", "--schema-file=/schema/schema.sql", "--summary-file=/dev/termination-log"},
			notArgs:  []string{"--schema-from-database"},
			want:     map[string]string{mirror.EnvSeedHost: "orders-db", mirror.EnvSeedPort: "3306", mirror.EnvSeedDatabase: "app", mirror.EnvSeedUser: "app"},
			password: secretKey("orders-db-credentials", "password")},
		{name: "a copied workload's database, on MySQL's port by default", db: workload,
			wantArgs: []string{"seed", "--engine=mysql"}, notArgs: []string{"--reset", "--schema-file=/schema/schema.sql", "--schema-from-database"},
			want:     map[string]string{mirror.EnvSeedHost: "mysql", mirror.EnvSeedPort: "3306", mirror.EnvSeedDatabase: "shop", mirror.EnvSeedUser: "shop"},
			password: secretKey("mysql-auth", "pw")},
		{name: "a schema copied from prod is kept, and must be whole", db: fromProd,
			wantArgs: []string{"seed", "--engine=mysql", "--schema-from-database"}, notArgs: []string{"--reset", "--schema-file=/schema/schema.sql"},
			want:     map[string]string{mirror.EnvSeedHost: "orders-db", mirror.EnvSeedPort: "3306"},
			password: secretKey("orders-db-credentials", "password")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := mysqlEnv(tc.db)
			job := builder(t, env, nil).SeedJob(mirror.SeedJobInput{Database: &env.Spec.Data[0], Hash: "h1", Image: "envmirror/manager:test",
				SpecJSON: `{"defaultRows":10}`, SchemaSQL: tc.schemaSQL})
			c := job.Spec.Template.Spec.Containers[0]
			for _, a := range tc.wantArgs {
				if !slices.Contains(c.Args, a) {
					t.Errorf("args %q lack %s", c.Args, a)
				}
			}
			for _, a := range tc.notArgs {
				if slices.Contains(c.Args, a) {
					t.Errorf("args %q have %s", c.Args, a)
				}
			}
			envs := envByName(c.Env)
			for name, want := range tc.want {
				if envs[name].Value != want || envs[name].ValueFrom != nil {
					t.Errorf("%s = %+v, want %q", name, envs[name], want)
				}
			}
			if ref := envs[mirror.EnvSeedPassword].ValueFrom; ref == nil || *ref.SecretKeyRef != tc.password || envs[mirror.EnvSeedPassword].Value != "" {
				t.Errorf("%s %+v, want a reference to %+v", mirror.EnvSeedPassword, envs[mirror.EnvSeedPassword], tc.password)
			}
			assertDSNComposedOfEarlierVars(t, c.Env)
			if _, ok := envs["PGPASSWORD"]; ok {
				t.Error("libpq's variables in a MySQL seeding Job")
			}
			if envs[contract.SpecEnv].Value != `{"defaultRows":10}` {
				t.Errorf("spec %+v", envs[contract.SpecEnv])
			}
			assertNoPassword(t, job, mysqlPassword)
		})
	}
}

func secretKey(name, key string) corev1.SecretKeySelector {
	return corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

// assertDSNComposedOfEarlierVars checks that contract.DSNEnv is the driver's DSN of the five
// parts, each a variable defined before it (the kubelet leaves a later one unexpanded).
func assertDSNComposedOfEarlierVars(t *testing.T, env []corev1.EnvVar) {
	t.Helper()
	want := "$(ENVMIRROR_DB_USER):$(ENVMIRROR_DB_PASSWORD)@tcp($(ENVMIRROR_DB_HOST):$(ENVMIRROR_DB_PORT))/$(ENVMIRROR_DB_NAME)"
	defined := map[string]bool{}
	for _, e := range env {
		if e.Name == contract.DSNEnv {
			if e.Value != want || e.ValueFrom != nil {
				t.Errorf("%s = %q, want %q", contract.DSNEnv, e.Value, want)
			}
			for _, v := range []string{mirror.EnvSeedUser, mirror.EnvSeedPassword, mirror.EnvSeedHost, mirror.EnvSeedPort, mirror.EnvSeedDatabase} {
				if !defined[v] {
					t.Errorf("%s refers to %s, which is not defined before it", contract.DSNEnv, v)
				}
			}
			return
		}
		defined[e.Name] = true
	}
	t.Errorf("no %s in %+v", contract.DSNEnv, env)
}

// The MySQL schema Job runs in the operator's namespace, reading every connection setting from
// the Secret there; it runs the contract's script after the prologue.
func TestMySQLSchemaJob(t *testing.T) {
	env := mysqlEnv(v1alpha1.DatabaseSpec{Name: "orders-db", Engine: v1alpha1.DatabaseMariaDB, StandIn: &v1alpha1.StandInSpec{Version: "11.4"}})
	job := mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: "s1", SecretName: "s1",
		Image: "mariadb:11.4", Engine: v1alpha1.DatabaseMariaDB})
	if job.Namespace != "envmirror-system" || job.Labels[mirror.LabelEnvironmentUID] != "uid-1" {
		t.Errorf("namespace %s, labels %v", job.Namespace, job.Labels)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if c.Image != "mariadb:11.4" || len(c.Command) != 3 || c.Command[0] != "sh" ||
		c.Command[2] != mirror.MySQLSchemaJobPrologue+contract.MySQLSchemaJobScript() {
		t.Errorf("image %s, command %q", c.Image, c.Command)
	}
	var keys []string
	for _, e := range c.Env {
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef.Name != "s1" || e.ValueFrom.SecretKeyRef.Key != e.Name {
			t.Errorf("%s: %+v, want the key of the same name in Secret s1", e.Name, e)
		}
		keys = append(keys, e.Name)
	}
	data := mirror.MySQLSchemaSecretData(mirror.MySQLEndpoint{Host: "prod.example", Port: 3306, User: "ro", Password: "p", Database: "shop"},
		mirror.ConnectionFor(&env.Spec.Data[0]), target, "t")
	if got := keysOf(data); !slices.Equal(got, sortedCopy(keys)) {
		t.Errorf("the Job reads %v, the Secret has %v", keys, got)
	}
	if string(data["TARGET_HOST"]) != "orders-db."+target+".svc" || string(data["TARGET_PORT"]) != "3306" || string(data["TARGET_USER"]) != "app" {
		t.Errorf("target %q:%q as %q", data["TARGET_HOST"], data["TARGET_PORT"], data["TARGET_USER"])
	}
	// A PostgreSQL entry still gets pg_dump's Job.
	pg := mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: "s2", SecretName: "s2", Image: "postgres:16"})
	if !strings.Contains(pg.Spec.Template.Spec.Containers[0].Command[2], "pg_dump --schema-only") {
		t.Error("a PostgreSQL schema Job does not run pg_dump")
	}
	var _ *batchv1.Job = job
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestParseMySQLDSN(t *testing.T) {
	for _, tc := range []struct {
		dsn     string
		want    mirror.MySQLEndpoint
		wantErr string
	}{
		{dsn: "mysql://ro:s3cret@orders.prod.rds.example.com:3306/orders",
			want: mirror.MySQLEndpoint{Host: "orders.prod.rds.example.com", Port: 3306, User: "ro", Password: "s3cret", Database: "orders"}},
		{dsn: "mysql://ro:p%40ss%2Fw@db.example/shop?tls=true",
			want: mirror.MySQLEndpoint{Host: "db.example", Port: 3306, User: "ro", Password: "p@ss/w", Database: "shop", TLS: "true"}},
		{dsn: "mariadb://ro:pw@[::1]:3307/shop", want: mirror.MySQLEndpoint{Host: "::1", Port: 3307, User: "ro", Password: "pw", Database: "shop"}},
		{dsn: "ro:p@ss:w/rd@tcp(db.example:3307)/shop?tls=skip-verify",
			want: mirror.MySQLEndpoint{Host: "db.example", Port: 3307, User: "ro", Password: "p@ss:w/rd", Database: "shop", TLS: "skip-verify"}},
		{dsn: "ro:pw@tcp(db.example)/shop", want: mirror.MySQLEndpoint{Host: "db.example", Port: 3306, User: "ro", Password: "pw", Database: "shop"}},
		{dsn: "mysql://ro:pw@db.example:3306/", wantErr: "names no database"},
		{dsn: "ro:pw@/shop", wantErr: "not a MySQL connection string"},
		{dsn: "ro:pw@unix(/run/mysqld.sock)/shop", wantErr: "not a MySQL connection string"},
		{dsn: "postgres://ro:pw@db.example:5432/shop", wantErr: "not a MySQL connection string"},
		{dsn: "mysql://db.example/shop", wantErr: "not a MySQL connection string"},
		{dsn: "mysql://ro:pw@db.example:99999/shop", wantErr: "not a MySQL connection string"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			got, err := mirror.ParseMySQLDSN(tc.dsn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "pw") {
					t.Errorf("the error repeats the password: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("%+v, %v; want %+v", got, err, tc.want)
			}
			again, err := mirror.ParseMySQLDSN(got.URL())
			if err != nil || again != got {
				t.Errorf("URL %q reads back as %+v, %v", got.URL(), again, err)
			}
		})
	}
}

// ParseMySQLDSN reads a DSN from a user's Secret: whatever it holds, it never panics, its error
// never repeats any of it, and what it accepts reads back the same from the probe's URL.
func FuzzParseMySQLDSN(f *testing.F) {
	for _, s := range []string{"mysql://ro:s3cret@db:3306/orders", "ro:p@ss@tcp(db:3307)/shop?tls=true", "mariadb://u:%zz@h/d",
		"u:pw@tcp(h:1)/d?collation=x", "mysql://u:pw@[::1]/d?tls=preferred", ":@tcp()/", "mysql://@/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		ep, err := mirror.ParseMySQLDSN(dsn)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "it is not a MySQL connection string") {
				t.Fatalf("unexpected error %q", err)
			}
			return
		}
		again, err := mirror.ParseMySQLDSN(ep.URL())
		if err != nil || again != ep {
			t.Fatalf("%q: %+v reads back from %q as %+v, %v", dsn, ep, ep.URL(), again, err)
		}
	})
}

// A MySQL schema's DEFINER clauses name prod's users, which only a SUPER user may name: the
// copy's schema ConfigMap drops them, in every form mysqldump and people write them, and only
// for MySQL and MariaDB.
func TestMySQLSchemaConfigMapDropsDefiners(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/*!50003 CREATE*/ /*!50017 DEFINER=`prod`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */;",
			"/*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */;"},
		{"/*!50013 DEFINER=`o``dd`@`10.0.%` SQL SECURITY DEFINER */", "/*!50013  SQL SECURITY DEFINER */"},
		{"CREATE DEFINER='app'@'localhost' PROCEDURE p() SELECT 1;", "CREATE  PROCEDURE p() SELECT 1;"},
		{"CREATE DEFINER = root@localhost EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1;", "CREATE  EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1;"},
		{"CREATE DEFINER=CURRENT_USER VIEW v AS SELECT 1;", "CREATE DEFINER=CURRENT_USER VIEW v AS SELECT 1;"},
	} {
		env := mysqlEnv(v1alpha1.DatabaseSpec{Name: "db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{Version: "8.4"}},
			v1alpha1.DatabaseSpec{Name: "pg", StandIn: &v1alpha1.StandInSpec{Version: "16"}})
		b := builder(t, env, nil)
		if got := b.SchemaConfigMap(&env.Spec.Data[0], tc.in).Data["schema.sql"]; got != tc.want {
			t.Errorf("%q\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if got := b.SchemaConfigMap(&env.Spec.Data[1], tc.in).Data["schema.sql"]; got != tc.in {
			t.Errorf("a PostgreSQL schema changed: %q", got)
		}
	}
}
