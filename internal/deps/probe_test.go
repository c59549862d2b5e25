package deps

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// The probes run against real servers where Debian has them: hack/with-services.sh starts
// Redis, RabbitMQ and MariaDB and says where (make test runs the suite under it).
func serverURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		t.Skipf("$%s is not set: run under hack/with-services.sh", env)
	}
	return u
}

func probe(t *testing.T, engine v1alpha1.DependencyEngine, definitions bool, src, dst string) Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Probe(ctx, Options{Engine: engine, Definitions: definitions}, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProbeRedis(t *testing.T) {
	u := serverURL(t, "ENVMIRROR_TEST_REDIS_URL")
	s := probe(t, v1alpha1.EngineRedis, false, u, "")
	if want := os.Getenv("ENVMIRROR_TEST_REDIS_VERSION"); s.Version != want || s.Distribution != "redis" {
		t.Errorf("got %s %s, the server is redis %s", s.Distribution, s.Version, want)
	}
	r, err := Resolve(v1alpha1.EngineRedis, s.Version, "")
	if err != nil || r.Image != "redis:"+s.Version {
		t.Errorf("the probed version gives image %q (%v)", r.Image, err)
	}

	wrong, _ := url.Parse(u)
	wrong.User = url.UserPassword("default", "CANARY-wrong-password")
	_, err = Probe(context.Background(), Options{Engine: v1alpha1.EngineRedis}, wrong.String(), "")
	if err == nil || strings.Contains(err.Error(), "CANARY-wrong-password") {
		t.Errorf("a wrong password: %v", err)
	}
}

func TestParseRedisInfo(t *testing.T) {
	s, err := parseRedisInfo("# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\nredis_mode:standalone\r\n")
	if err != nil || s.Version != "8.0.1" || s.Distribution != "valkey" {
		t.Errorf("Valkey: %+v %v", s, err)
	}
	if _, err := parseRedisInfo("# Server\r\n"); err == nil {
		t.Error("no version, no error")
	}
}

func TestProbeRabbitMQ(t *testing.T) {
	u := serverURL(t, "ENVMIRROR_TEST_RABBITMQ_URL")
	s := probe(t, v1alpha1.EngineRabbitMQ, false, u, "")
	if want := os.Getenv("ENVMIRROR_TEST_RABBITMQ_VERSION"); s.Version != want || s.Distribution != "rabbitmq" {
		t.Errorf("got %s %s, the server is rabbitmq %s", s.Distribution, s.Version, want)
	}
}

// Prod's definitions reach the stand-in without users, permissions or parameters: prod is a
// fake management API (a definitions export of a real broker), the stand-in the real server.
func TestRabbitMQDefinitionsIntoARealBroker(t *testing.T) {
	target := serverURL(t, "ENVMIRROR_TEST_RABBITMQ_URL")
	vhost := "orders-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + time.Now().Format("150405.000")
	prod := newFakeAPI(t, map[string]string{
		"GET /api/overview": `{"rabbitmq_version":"3.10.8","product_name":"RabbitMQ"}`,
		"GET /api/definitions": `{"rabbit_version":"3.10.8","rabbitmq_version":"3.10.8",
			"users":[{"name":"prod-admin","password_hash":"CANARY-hash","hashing_algorithm":"rabbit_password_hashing_sha256","tags":["administrator"]}],
			"vhosts":[{"name":"` + vhost + `","description":"CANARY-desc"}],
			"permissions":[{"user":"prod-admin","vhost":"` + vhost + `","configure":".*","write":".*","read":".*"}],
			"topic_permissions":[],
			"parameters":[{"vhost":"` + vhost + `","component":"shovel","name":"s","value":{"src-uri":"amqps://u:CANARY-shovel@other"}}],
			"global_parameters":[{"name":"cluster_name","value":"prod-cluster"}],
			"policies":[{"vhost":"` + vhost + `","name":"ttl","pattern":"^orders","apply-to":"queues","definition":{"message-ttl":60000},"priority":0}],
			"queues":[{"name":"orders.created","vhost":"` + vhost + `","durable":true,"auto_delete":false,"arguments":{"x-queue-type":"classic"}}],
			"exchanges":[{"name":"orders","vhost":"` + vhost + `","type":"topic","durable":true,"auto_delete":false,"internal":false,"arguments":{}}],
			"bindings":[{"source":"orders","vhost":"` + vhost + `","destination":"orders.created","destination_type":"queue","routing_key":"order.created","arguments":{}}]}`,
	})
	s := probe(t, v1alpha1.EngineRabbitMQ, true, prod.url("prod-reader", "CANARY-prod"), target)
	if !strings.Contains(s.Definitions, "1 vhosts, 1 exchanges, 1 queues, 1 bindings and 1 policies") {
		t.Errorf("definitions: %q", s.Definitions)
	}
	api := newHTTPAPI(endpoint{URL: mustParse(t, target)})
	var queues []map[string]any
	if err := api.do(context.Background(), "GET", "/api/queues/"+url.PathEscape(vhost), nil, &queues); err != nil {
		t.Fatal(err)
	}
	if len(queues) != 1 || queues[0]["name"] != "orders.created" {
		t.Errorf("the stand-in's queues: %v", queues)
	}
	var users []map[string]any
	if err := api.do(context.Background(), "GET", "/api/users", nil, &users); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u["name"] == "prod-admin" {
			t.Error("prod's user was copied")
		}
	}
	var perms []map[string]any
	if err := api.do(context.Background(), "GET", "/api/vhosts/"+url.PathEscape(vhost)+"/permissions", nil, &perms); err != nil {
		t.Fatal(err)
	}
	if len(perms) != 1 || perms[0]["user"] != api.user {
		t.Errorf("the stand-in's user should have the vhost, and nobody else: %v", perms)
	}
	_ = api.do(context.Background(), "DELETE", "/api/vhosts/"+url.PathEscape(vhost), nil, nil)
}

// Reading from a real broker: what reaches the stand-in (a fake that records it) holds the
// structure and no user.
func TestRabbitMQDefinitionsFromARealBroker(t *testing.T) {
	prod := serverURL(t, "ENVMIRROR_TEST_RABBITMQ_URL")
	standIn := newFakeAPI(t, map[string]string{"POST /api/definitions": `{}`, "PUT /api/permissions/%2F/app": `{}`})
	probe(t, v1alpha1.EngineRabbitMQ, true, prod, standIn.url("app", "pw"))
	posted := standIn.body("POST /api/definitions")
	var defs map[string]any
	if err := json.Unmarshal([]byte(posted), &defs); err != nil {
		t.Fatalf("posted %q: %v", posted, err)
	}
	for _, k := range []string{"users", "permissions", "topic_permissions", "parameters", "global_parameters"} {
		if _, ok := defs[k]; ok {
			t.Errorf("%s were sent to the stand-in", k)
		}
	}
	if _, ok := defs["vhosts"]; !ok || strings.Contains(posted, "envmirror") {
		t.Errorf("the definitions: %s", posted)
	}
}

func TestProbeMySQL(t *testing.T) {
	base := serverURL(t, "ENVMIRROR_TEST_MYSQL_URL")
	db := "probe_" + time.Now().Format("150405000")
	admin := openTestMySQL(t, base)
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + db) })
	s := probe(t, v1alpha1.EngineMySQL, false, base+db, "")
	if want := os.Getenv("ENVMIRROR_TEST_MYSQL_VERSION"); s.Version != want || s.Distribution != "mariadb" || s.Database != db {
		t.Errorf("got %+v, the server is %s", s, want)
	}
	r, err := Resolve(v1alpha1.EngineMariaDB, s.Version, "")
	if err != nil || !strings.HasPrefix(r.Image, "mariadb:10.") {
		t.Errorf("the probed version gives image %q (%v)", r.Image, err)
	}
}

// Prod's tables and views reach the stand-in's database without a row, and without the next
// AUTO_INCREMENT value that would tell how many rows prod made.
func TestMySQLDefinitions(t *testing.T) {
	base := serverURL(t, "ENVMIRROR_TEST_MYSQL_URL")
	suffix := time.Now().Format("150405000")
	prodDB, copyDB := "shop_"+suffix, "copy_"+suffix
	admin := openTestMySQL(t, base)
	for _, stmt := range []string{
		"CREATE DATABASE " + prodDB, "CREATE DATABASE " + copyDB,
		"CREATE TABLE " + prodDB + ".customers (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE)",
		"CREATE TABLE " + prodDB + ".orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id BIGINT NOT NULL, total DECIMAL(10,2) CHECK (total >= 0), " +
			"FOREIGN KEY (customer_id) REFERENCES customers(id))",
		"INSERT INTO " + prodDB + ".customers (email) VALUES ('CANARY-a@example.com'), ('CANARY-b@example.com')",
		"INSERT INTO " + prodDB + ".orders (customer_id, total) VALUES (1, 10.5)",
		"CREATE VIEW " + prodDB + ".big_orders AS SELECT * FROM " + prodDB + ".orders WHERE total > 100",
		"CREATE VIEW " + prodDB + ".a_view_of_a_view AS SELECT id FROM " + prodDB + ".big_orders",
	} {
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + prodDB); _, _ = admin.Exec("DROP DATABASE " + copyDB) })

	s := probe(t, v1alpha1.EngineMariaDB, true, base+prodDB, base+copyDB)
	if s.Definitions != "2 tables and 2 views of database "+prodDB+" (no rows)" {
		t.Errorf("definitions: %q", s.Definitions)
	}
	var rows int
	if err := admin.QueryRow("SELECT COUNT(*) FROM " + copyDB + ".customers").Scan(&rows); err != nil || rows != 0 {
		t.Errorf("the copy's customers: %d rows (%v)", rows, err)
	}
	var name, create string
	if err := admin.QueryRow("SHOW CREATE TABLE "+copyDB+".customers").Scan(&name, &create); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(create, "AUTO_INCREMENT=") {
		t.Errorf("prod's next AUTO_INCREMENT value was copied: %s", create)
	}
	if err := admin.QueryRow("SHOW CREATE TABLE "+copyDB+".orders").Scan(&name, &create); err != nil || !strings.Contains(create, "FOREIGN KEY") {
		t.Errorf("the copy's orders: %s (%v)", create, err)
	}
	if _, err := admin.Exec("SELECT * FROM " + copyDB + ".a_view_of_a_view"); err != nil {
		t.Errorf("the view of a view: %v", err)
	}
	// Running again (a Job retried) changes nothing.
	probe(t, v1alpha1.EngineMariaDB, true, base+prodDB, base+copyDB)
}

func openTestMySQL(t *testing.T, raw string) *sql.DB {
	t.Helper()
	db, _, err := openMySQL(endpoint{URL: mustParse(t, raw)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMySQLStatements(t *testing.T) {
	if got := tableDefinition("CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB AUTO_INCREMENT=48213 DEFAULT CHARSET=utf8mb4"); got !=
		"CREATE TABLE IF NOT EXISTS `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" {
		t.Errorf("table: %q", got)
	}
	if got := viewDefinition("CREATE ALGORITHM=UNDEFINED DEFINER=`admin`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1"); got !=
		"CREATE OR REPLACE ALGORITHM=UNDEFINED VIEW `v` AS select 1" {
		t.Errorf("view: %q", got)
	}
	for v, want := range map[string]string{"8.0.35": "mysql", "8.0.mysql_aurora.3.05.2": "aurora-mysql", "10.11.6-MariaDB-log": "mariadb"} {
		if got := mysqlDistribution(v); got != want {
			t.Errorf("%s: %s", v, got)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
