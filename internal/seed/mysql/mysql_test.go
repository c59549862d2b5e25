package mysql

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

// These tests need a MySQL or MariaDB server: ENVMIRROR_TEST_MYSQL_URL, as
// hack/with-services.sh exports it (Debian's MariaDB). Without one they skip, loudly, except in
// CI, where they fail.
const urlEnv = "ENVMIRROR_TEST_MYSQL_URL"

// testDatabase creates a database of its own for a test and returns its DSN and a connection.
func testDatabase(t *testing.T) (string, *sql.DB) {
	t.Helper()
	base := os.Getenv(urlEnv)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set in CI: run hack/with-services.sh go test ./internal/seed/mysql/", urlEnv)
		}
		t.Skipf("%s is not set; run: hack/with-services.sh go test ./internal/seed/mysql/", urlEnv)
	}
	name := "seed_" + strings.ReplaceAll(t.Name(), "/", "_") + "_" + time.Now().Format("150405000")
	admin := openDB(t, base)
	if _, err := admin.Exec("CREATE DATABASE " + quote(name)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + quote(name)) })
	dsn := strings.TrimSuffix(base, "/") + "/" + name
	return dsn, openDB(t, dsn)
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	cfg, err := ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	connector, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	return db
}

func seedShop(t *testing.T, dsn string, spec contract.Spec, o Options) (contract.Summary, []map[string]any, error) {
	t.Helper()
	schema, err := os.ReadFile("../testdata/mysql/shop.sql")
	if err != nil {
		t.Fatal(err)
	}
	o.DSN, o.Schema = dsn, string(schema)
	if o.Workers == 0 {
		o.Workers = 2
	}
	o.WaitTimeout = time.Minute
	var events []map[string]any
	s, err := Run(context.Background(), o, spec, func(e map[string]any) { events = append(events, e) })
	return s, events, err
}

func count(t *testing.T, db *sql.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeedsAShopAndEveryConstraintHolds(t *testing.T) {
	dsn, db := testDatabase(t)
	spec := contract.Spec{Seed: 7, DefaultRows: 20_000, Tables: map[string]int64{"customer": 2_000, "product": 500}}
	s, events, err := seedShop(t, dsn, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e["event"] == "warning" {
			t.Errorf("warning: %v", e["message"])
		}
	}
	if s.Rows != 2_000+500+3*20_000 || s.Tables != 5 {
		t.Errorf("summary %+v", s)
	}
	for q, want := range map[string]int64{
		"SELECT count(*) FROM order_item":                                                                                                            20_000,
		"SELECT count(DISTINCT order_id, product_id) FROM order_item":                                                                                20_000,
		"SELECT count(DISTINCT email) FROM customer":                                                                                                 2_000,
		"SELECT count(*) FROM customer WHERE is_admin NOT IN (0, 1)":                                                                                 0,
		"SELECT count(*) FROM customer WHERE status = ''":                                                                                            0,
		"SELECT count(*) FROM product WHERE final_price <> price - discount":                                                                         0,
		"SELECT count(*) FROM product WHERE attributes IS NOT NULL AND NOT json_valid(attributes)":                                                   0,
		"SELECT count(*) FROM orders WHERE shipped_at < placed_at":                                                                                   0,
		"SELECT count(*) FROM order_item WHERE quantity NOT BETWEEN 1 AND 20":                                                                        0,
		"SELECT count(*) FROM address a LEFT JOIN customer c ON c.id = a.customer_id WHERE c.id IS NULL":                                             0,
		"SELECT count(*) FROM customer c LEFT JOIN address a ON a.id = c.default_address_id WHERE c.default_address_id IS NOT NULL AND a.id IS NULL": 0,
	} {
		if got := count(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM address WHERE location IS NOT NULL AND ST_X(location) BETWEEN -180 AND 180"); n < 15_000 {
		t.Errorf("%d addresses have a point", n)
	}
	if n := count(t, db, "SELECT count(DISTINCT flags) FROM customer"); n < 3 {
		t.Errorf("%d distinct SET values", n)
	}

	// The same seed gives the same bytes.
	first := checksums(t, db)
	if _, _, err := seedShop(t, dsn, spec, Options{Reset: true}); err != nil {
		t.Fatal(err)
	}
	if again := checksums(t, db); again != first {
		t.Errorf("two runs with one seed differ:\n%s\n%s", first, again)
	}
}

func checksums(t *testing.T, db *sql.DB) string {
	t.Helper()
	var out []string
	for _, table := range []string{"customer", "address", "product", "orders", "order_item"} {
		var name string
		var sum sql.NullInt64
		if err := db.QueryRow("CHECKSUM TABLE "+table).Scan(&name, &sum); err != nil {
			t.Fatal(err)
		}
		out = append(out, name+"="+strconv.FormatInt(sum.Int64, 10))
	}
	return strings.Join(out, " ")
}

// A row that breaks a foreign key, put there behind the seeder's back, fails verification,
// naming the constraint: verification reads the rows, it does not trust the plan.
func TestVerificationFindsABrokenRow(t *testing.T) {
	dsn, db := testDatabase(t)
	spec := contract.Spec{Seed: 2, DefaultRows: 300}
	if _, _, err := seedShop(t, dsn, spec, Options{}); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "SET foreign_key_checks = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE orders SET customer_id = 999999 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	planned := map[string]int64{"customer": 300, "address": 300, "product": 300, "orders": 300, "order_item": 300}
	err = Verify(ctx, conn, planned)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY orders_customer_fk of orders fails for 1 row(s)") {
		t.Fatalf("Verify = %v", err)
	}
	planned["orders"] = 301
	if err := Verify(ctx, conn, planned); err == nil || !strings.Contains(err.Error(), "orders has 300 rows, 301 were planned") {
		t.Fatalf("Verify with a wrong count = %v", err)
	}
}

// Prod's table estimates (left by the schema Job) scale the rows; a table prod has that the copy
// lacks refuses seeding.
func TestProdTablesScaleAndCompleteness(t *testing.T) {
	dsn, db := testDatabase(t)
	stats := "CREATE TABLE " + contract.MySQLProdTablesTable + " (table_name varchar(64) PRIMARY KEY, table_rows bigint)"
	if _, err := db.Exec(stats); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO " + contract.MySQLProdTablesTable + " VALUES ('customer', 40000), ('address', 60000), " +
		"('product', 8000), ('orders', 100000), ('order_item', 300000), ('refund', 10)"); err != nil {
		t.Fatal(err)
	}
	spec := contract.Spec{Seed: 3, Scale: 0.01, DefaultRows: 10}
	_, _, err := seedShop(t, dsn, spec, Options{SchemaFromDatabase: true})
	if err == nil || contract.ReasonOf(err) != contract.ReasonSchemaIncomplete || !strings.Contains(err.Error(), "refund") {
		t.Fatalf("a copy without prod's refund table: %v", err)
	}
	if _, err := db.Exec("DELETE FROM " + contract.MySQLProdTablesTable + " WHERE table_name = 'refund'"); err != nil {
		t.Fatal(err)
	}
	s, _, err := seedShop(t, dsn, spec, Options{SchemaFromDatabase: true, Reset: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, "SELECT count(*) FROM order_item"); got != 3_000 {
		t.Errorf("order_item has %d rows, want 1%% of prod's 300000", got)
	}
	if s.PerTable[0].ProdRows == nil {
		t.Errorf("no prod rows in the summary: %+v", s.PerTable[0])
	}
	if count(t, db, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '"+
		contract.MySQLProdTablesTable+"'") != 0 {
		t.Errorf("prod's statistics are still in the copy")
	}
}
