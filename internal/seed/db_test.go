package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/load"

	"github.com/jackc/pgx/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const ecommerceSchema = "testdata/ecommerce.sql"

var ecommerceRows = map[string]int64{
	"shop.customers": 300, "shop.addresses": 500, "shop.categories": 40, "shop.products": 200,
	"shop.orders": 1200, "shop.order_items": 3000, "shop.reviews": 400, "public.audit_events": 150,
}

func ecommerceSpec(seed int64) contract.Spec {
	return contract.Spec{Seed: seed, DefaultRows: 100, Tables: ecommerceRows}
}

// runSeed runs the seed command with a spec file and returns its stdout lines.
func runSeed(ctx context.Context, dsn string, spec contract.Spec, extra ...string) ([]string, error) {
	specFile := filepath.Join(GinkgoT().TempDir(), "spec.json")
	Expect(os.WriteFile(specFile, mustJSON(spec), 0o600)).To(Succeed())
	var out bytes.Buffer
	args := append([]string{"--dsn", dsn, "--spec-file", specFile}, extra...)
	err := Command(ctx, args, &out)
	return strings.Split(strings.TrimSpace(out.String()), "\n"), err
}

func connectTo(ctx context.Context, dsn string) *pgx.Conn {
	conn, err := pgx.Connect(ctx, dsn)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(ctx context.Context, conn *pgx.Conn, query string, args ...any) int64 {
	var n int64
	Expect(conn.QueryRow(ctx, query, args...).Scan(&n)).To(Succeed(), query)
	return n
}

// superuser reports whether the role of dsn may turn triggers (and so foreign keys) off while
// loading.
func superuser(ctx context.Context, dsn string) bool {
	return count(ctx, connectTo(ctx, dsn), "SELECT count(*) FROM pg_roles WHERE rolname = current_user AND rolsuper") == 1
}

// tableHashes fingerprints the contents of every seeded table.
func tableHashes(ctx context.Context, conn *pgx.Conn) map[string]string {
	hashes := map[string]string{}
	for table := range ecommerceRows {
		hashes[table] = tableHash(ctx, conn, table)
	}
	return hashes
}

func tableHash(ctx context.Context, conn *pgx.Conn, table string) string {
	var h string
	Expect(conn.QueryRow(ctx, fmt.Sprintf("SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM %s t", table)).Scan(&h)).To(Succeed())
	return h
}

// revalidateConstraints has PostgreSQL itself check every foreign key and CHECK of the seeded
// tables and their partitions against all rows: each is added again under another name, then
// dropped.
func revalidateConstraints(ctx context.Context, conn *pgx.Conn) int {
	rows, err := conn.Query(ctx, `
SELECT format('%I.%I', n.nspname, c.relname), k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('f', 'c') AND k.conparentid = 0
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')`)
	Expect(err).NotTo(HaveOccurred())
	type con struct{ table, name, def string }
	var cons []con
	for rows.Next() {
		var c con
		Expect(rows.Scan(&c.table, &c.name, &c.def)).To(Succeed())
		cons = append(cons, c)
	}
	Expect(rows.Err()).NotTo(HaveOccurred())
	for _, c := range cons {
		// Adding a constraint (without NOT VALID) checks every existing row.
		copyName := "recheck_" + c.name
		_, err := conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", c.table, copyName, strings.TrimSuffix(c.def, " NOT VALID")))
		Expect(err).NotTo(HaveOccurred(), "constraint %s of %s does not hold: %s", c.name, c.table, c.def)
		_, err = conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", c.table, copyName))
		Expect(err).NotTo(HaveOccurred())
	}
	return len(cons)
}

var _ = Describe("seeding the e-commerce schema", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(5 * time.Minute) })

	It("fills every table with the requested rows, keys resolving and constraints holding", func() {
		dsn := newDatabase(ctx)
		_, err := runSeed(ctx, dsn, ecommerceSpec(42), "--schema-file", ecommerceSchema)
		Expect(err).NotTo(HaveOccurred())
		conn := connectTo(ctx, dsn)
		for table, rows := range ecommerceRows {
			Expect(count(ctx, conn, "SELECT count(*) FROM "+table)).To(Equal(rows), table)
		}
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 15))

		By("routing orders to every partition")
		for _, p := range []string{"shop.orders_2023", "shop.orders_2024h1", "shop.orders_2024h2"} {
			Expect(count(ctx, conn, "SELECT count(*) FROM "+p)).To(BeNumerically(">", 0), p)
		}
		By("setting the foreign key that closes the customers/addresses cycle")
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.customers WHERE default_address_id IS NOT NULL")).To(BeNumerically(">", 250))
		By("building the category tree from earlier rows")
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.categories WHERE parent_id >= id")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.categories WHERE parent_id IS NULL")).To(BeNumerically(">", 0))
		By("numbering order lines within each order")
		Expect(count(ctx, conn, "SELECT count(DISTINCT order_id) FROM shop.order_items")).To(Equal(int64(1200)))
		Expect(count(ctx, conn, "SELECT max(line_no) FROM shop.order_items")).To(Equal(int64(3)))
		By("honouring column relations, enums and CHECK lists")
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.customers WHERE updated_at < created_at")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.orders WHERE shipped_at IS NOT NULL")).To(BeNumerically(">", 1000))
		Expect(count(ctx, conn, "SELECT count(DISTINCT status) FROM shop.orders")).To(Equal(int64(6)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT action) FROM public.audit_events")).To(Equal(int64(4)))
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.products WHERE sale_price IS NOT NULL")).To(BeNumerically(">", 150))
		By("leaving generated columns to the database")
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.customers WHERE full_name <> first_name || ' ' || last_name")).To(BeZero())
		By("advancing sequences past the generated keys")
		Expect(count(ctx, conn, "SELECT nextval('shop.customers_id_seq')")).To(Equal(int64(301)))
		Expect(count(ctx, conn, "SELECT min(invoice_number) FROM shop.orders")).To(Equal(int64(10000)))
		Expect(count(ctx, conn, "SELECT nextval('shop.invoice_number_seq')")).To(Equal(int64(11200)))
		By("letting the application insert afterwards")
		_, err = conn.Exec(ctx, "INSERT INTO shop.customers (email, first_name, last_name) VALUES ('new@example.com', 'New', 'Person')")
		Expect(err).NotTo(HaveOccurred())
	})

	It("writes identical bytes for the same seed and different ones for another seed", func() {
		dsns := []string{newDatabase(ctx), newDatabase(ctx), newDatabase(ctx)}
		for i, dsn := range dsns {
			seed := int64(7)
			if i == 2 {
				seed = 8
			}
			_, err := runSeed(ctx, dsn, ecommerceSpec(seed), "--schema-file", ecommerceSchema, "--workers", fmt.Sprint(1+i*2))
			Expect(err).NotTo(HaveOccurred())
		}
		first := tableHashes(ctx, connectTo(ctx, dsns[0]))
		Expect(tableHashes(ctx, connectTo(ctx, dsns[1]))).To(Equal(first))
		other := tableHashes(ctx, connectTo(ctx, dsns[2]))
		for table, h := range first {
			Expect(other[table]).NotTo(Equal(h), table)
		}
	})

	It("applies the schema exactly as psql does, after a reset too", func() {
		viaSeed, viaPsql := newDatabase(ctx), newDatabase(ctx)
		conn := connectTo(ctx, viaSeed)
		_, err := conn.Exec(ctx, "CREATE SCHEMA leftover; CREATE TABLE leftover.junk (x int); CREATE TABLE public.old (y int)")
		Expect(err).NotTo(HaveOccurred())
		_, err = runSeed(ctx, viaSeed, contract.Spec{Seed: 1, DefaultRows: 5}, "--schema-file", ecommerceSchema, "--reset")
		Expect(err).NotTo(HaveOccurred())

		out, err := exec.CommandContext(ctx, pgBin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", ecommerceSchema, viaPsql).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))

		Expect(schemaDump(ctx, viaSeed)).To(Equal(schemaDump(ctx, viaPsql)))
	})

	It("starts clean when rerun after a failure, and names table, column and constraint", func() {
		dsn := newDatabase(ctx)
		broken := ecommerceSpec(3)
		broken.Columns = []contract.ColumnRule{{Table: "shop.order_items", Column: "quantity", Generator: "constant", Values: []string{"0"}}}
		_, err := runSeed(ctx, dsn, broken, "--schema-file", ecommerceSchema)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("shop.order_items"))
		Expect(err.Error()).To(ContainSubstring("order_items_quantity_check"))
		Expect(err.Error()).To(ContainSubstring("columns rule"))

		conn := connectTo(ctx, dsn)
		Expect(count(ctx, conn, "SELECT count(*) FROM shop.order_items")).To(BeZero())
		for table, rows := range ecommerceRows {
			// Tables load in parallel and the failure stops the others: each has all its rows or none.
			Expect(count(ctx, conn, "SELECT count(*) FROM "+table)).To(Or(BeZero(), Equal(rows)), table)
		}

		tooLong := ecommerceSpec(3)
		tooLong.Columns = []contract.ColumnRule{{Table: "customers", Column: "phone", Generator: "constant", Values: []string{strings.Repeat("9", 40)}}}
		_, err = runSeed(ctx, dsn, tooLong)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("shop.customers"))
		Expect(err.Error()).To(ContainSubstring("phone"))

		_, err = runSeed(ctx, dsn, ecommerceSpec(3))
		Expect(err).NotTo(HaveOccurred())
		for table, rows := range ecommerceRows {
			Expect(count(ctx, conn, "SELECT count(*) FROM "+table)).To(Equal(rows), table)
		}
	})

	It("rejects a spec naming unknown tables or columns, and NOT NULL parents without rows", func() {
		dsn := newDatabase(ctx)
		_, err := runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 1, Tables: map[string]int64{"ordrs": 5}}, "--schema-file", ecommerceSchema)
		Expect(err).To(MatchError(ContainSubstring(`"ordrs"`)))
		_, err = runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 1, Tables: map[string]int64{"orders_2023": 5}})
		Expect(err).To(MatchError(ContainSubstring("is a partition of shop.orders")))
		_, err = runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 1, Columns: []contract.ColumnRule{{Table: "shop.products", Column: "colour", Generator: "word"}}})
		Expect(err).To(MatchError(ContainSubstring(`no column "colour"`)))
		_, err = runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 1, Columns: []contract.ColumnRule{{Table: "shop.products", Column: "price", Generator: "email"}}})
		Expect(err).To(MatchError(ContainSubstring("shop.products.price")))
		_, err = runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 10, Tables: map[string]int64{"shop.categories": 0}})
		Expect(err).To(MatchError(And(ContainSubstring("shop.products"), ContainSubstring("shop.categories"), ContainSubstring("0 rows"))))
	})
})

var _ = Describe("schemas the generator must work around", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(3 * time.Minute) })

	seedSQL := func(sql string, spec contract.Spec) (string, error) {
		dsn := newDatabase(ctx)
		file := filepath.Join(GinkgoT().TempDir(), "schema.sql")
		Expect(os.WriteFile(file, []byte(sql), 0o600)).To(Succeed())
		_, err := runSeed(ctx, dsn, spec, "--schema-file", file)
		return dsn, err
	}

	It("names the tables of a cycle made only of NOT NULL foreign keys", func() {
		_, err := seedSQL(`
CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL);
CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b DEFERRABLE INITIALLY DEFERRED;`, contract.Spec{Seed: 1, DefaultRows: 5})
		Expect(err).To(MatchError(And(ContainSubstring("public.a"), ContainSubstring("public.b"), ContainSubstring("NOT NULL"))))
	})

	It("reports a schema written for a newer PostgreSQL with its line and the server version", func() {
		_, err := seedSQL("CREATE TABLE t (id int);\n\nCREATE TABLE u (id uuid DEFAULT uuidv7());\n", contract.Spec{Seed: 1, DefaultRows: 1})
		Expect(err).To(MatchError(And(ContainSubstring("line 3"), ContainSubstring("uuidv7"), MatchRegexp(`runs PostgreSQL \d+`))))
	})

	It("handles junction tables, one-to-one keys, composite keys, odd types and unknown checks", func() {
		schema := `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (id uuid PRIMARY KEY, handle text, mood mood NOT NULL,
  tags varchar(12)[], scores int[] NOT NULL, window_ tstzrange, during daterange, bits bit(8), vbits varbit(20),
  doc xml, search tsvector, spot point, at_time time, at_timetz timetz, waited interval, cash money, net cidr,
  mac8 macaddr8, ratio real CHECK (ratio >= 0 AND ratio <= 1), odd text CHECK (reverse(odd) <> odd),
  code char(3) NOT NULL UNIQUE, born date CHECK (born > '1900-01-01'));
CREATE TABLE profiles (user_id uuid PRIMARY KEY REFERENCES users, bio text);
CREATE TABLE groups_ (id smallserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE memberships (user_id uuid NOT NULL REFERENCES users, group_id smallint NOT NULL REFERENCES groups_,
  role text NOT NULL CHECK (role IN ('owner', 'member')), PRIMARY KEY (user_id, group_id, role));
CREATE TABLE ledger (account text NOT NULL, seq int NOT NULL, amount numeric(6,2) NOT NULL CHECK (amount BETWEEN -500 AND 500),
  PRIMARY KEY (account, seq));
CREATE TABLE postings (account text NOT NULL, seq int NOT NULL, FOREIGN KEY (account, seq) REFERENCES ledger);
`
		By("refusing more rows than a one-to-one table's parent and a junction table's combinations allow, naming what fits")
		_, err := seedSQL(schema, contract.Spec{Seed: 5, DefaultRows: 60, Tables: map[string]int64{"profiles": 100, "groups_": 3, "memberships": 1000}})
		Expect(err).To(MatchError(And(ContainSubstring("public.profiles: unique key profiles_pkey (user_id) allows at most 60"),
			ContainSubstring("ask for at most 60 rows of public.profiles"),
			ContainSubstring("public.memberships: unique key memberships_pkey (user_id, group_id, role) allows at most 360"),
			ContainSubstring("60 rows of public.users × 3 rows of public.groups_ × 2 values of role"))))
		Expect(contract.ReasonOf(err)).To(Equal(contract.ReasonRowCountTooLarge))

		dsn, err := seedSQL(schema, contract.Spec{Seed: 5, DefaultRows: 60, Tables: map[string]int64{"profiles": 60, "groups_": 3, "memberships": 360}})
		Expect(err).NotTo(HaveOccurred())
		conn := connectTo(ctx, dsn)
		By("filling a one-to-one table and a junction table to their last combination")
		Expect(count(ctx, conn, "SELECT count(*) FROM profiles")).To(Equal(int64(60)))
		Expect(count(ctx, conn, "SELECT count(*) FROM memberships")).To(Equal(int64(60 * 3 * 2)))
		By("asking the server for values that pass a CHECK the planner does not read")
		Expect(count(ctx, conn, "SELECT count(*) FROM users WHERE odd IS NOT NULL")).To(BeNumerically(">", 40))
		Expect(count(ctx, conn, "SELECT count(*) FROM users WHERE reverse(odd) = odd")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM postings")).To(Equal(int64(60)))
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">", 3))
	})

	It("seeds as a role that cannot turn triggers off", func() {
		dsn := newDatabase(ctx)
		owner := connectTo(ctx, dsn)
		role := fmt.Sprintf("seeder_%d", time.Now().UnixNano())
		db := owner.Config().Database
		_, err := owner.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN NOSUPERUSER PASSWORD 'pw'; GRANT ALL ON SCHEMA public TO %s; GRANT CREATE ON DATABASE %s TO %s", role, role, db, role))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() {
			_, _ = owner.Exec(context.Background(), fmt.Sprintf("DROP OWNED BY %s; REVOKE ALL ON DATABASE %s FROM %s", role, db, role))
			_, _ = owner.Exec(context.Background(), "DROP ROLE "+role)
		})
		cfg := owner.Config()
		roleDSN := fmt.Sprintf("postgres://%s:pw@%s:%d/%s?sslmode=disable", role, cfg.Host, cfg.Port, db)
		_, err = runSeed(ctx, roleDSN, ecommerceSpec(11), "--schema-file", ecommerceSchema)
		Expect(err).NotTo(HaveOccurred())
		Expect(count(ctx, owner, "SELECT count(*) FROM shop.order_items")).To(Equal(int64(3000)))
		Expect(revalidateConstraints(ctx, owner)).To(BeNumerically(">=", 15))

		By("writing the same data as a superuser, whose load sets the cycle's key in the COPY")
		superuserDSN := newDatabase(ctx)
		_, err = runSeed(ctx, superuserDSN, ecommerceSpec(11), "--schema-file", ecommerceSchema)
		Expect(err).NotTo(HaveOccurred())
		Expect(tableHashes(ctx, owner)).To(Equal(tableHashes(ctx, connectTo(ctx, superuserDSN))))
	})
})

var _ = Describe("the seed command", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(3 * time.Minute) })

	It("reads the spec from the environment, reports progress lines and writes the summary file", func() {
		dsn := newDatabase(ctx)
		GinkgoT().Setenv(contract.SpecEnv, string(mustJSON(ecommerceSpec(9))))
		summaryFile := filepath.Join(GinkgoT().TempDir(), "termination-log")
		var out bytes.Buffer
		Expect(Command(ctx, []string{"--dsn", dsn, "--schema-file", ecommerceSchema, "--summary-file", summaryFile}, &out)).To(Succeed())

		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		started, finished := map[string]bool{}, map[string]int64{}
		for _, line := range lines[:len(lines)-1] {
			var ev struct {
				Event   string  `json:"event"`
				Table   string  `json:"table"`
				Rows    int64   `json:"rows"`
				Seconds float64 `json:"seconds"`
			}
			Expect(json.Unmarshal([]byte(line), &ev)).To(Succeed(), line)
			switch ev.Event {
			case "tableStarted":
				started[ev.Table] = true
			case "table":
				finished[ev.Table] = ev.Rows
			}
		}
		Expect(finished).To(Equal(ecommerceRows))
		Expect(started).To(HaveLen(len(ecommerceRows)))

		last, err := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(err).NotTo(HaveOccurred())
		Expect(last.Tables).To(Equal(8))
		Expect(last.Rows).To(Equal(int64(5790)))
		Expect(last.RowsPerSecond).To(BeNumerically(">", 0))
		Expect(last.Error).To(BeEmpty())
		Expect(last.PerTable).To(HaveLen(8))

		written, err := os.ReadFile(summaryFile)
		Expect(err).NotTo(HaveOccurred())
		fromFile, err := contract.ParseSummary(written)
		Expect(err).NotTo(HaveOccurred())
		Expect(fromFile.Rows).To(Equal(last.Rows))
		Expect(len(written)).To(BeNumerically("<=", contract.MaxSummaryBytes))
	})

	It("reads the connection from libpq environment variables", func() {
		dsn := newDatabase(ctx)
		cfg, err := pgx.ParseConfig(dsn)
		Expect(err).NotTo(HaveOccurred())
		for k, v := range map[string]string{"PGHOST": cfg.Host, "PGPORT": fmt.Sprint(cfg.Port), "PGDATABASE": cfg.Database,
			"PGUSER": cfg.User, "PGPASSWORD": cfg.Password, "PGSSLMODE": "disable"} {
			GinkgoT().Setenv(k, v)
		}
		GinkgoT().Setenv(contract.SpecEnv, `{"seed":1,"defaultRows":3}`)
		var out bytes.Buffer
		Expect(Command(ctx, []string{"--schema-file", ecommerceSchema}, &out)).To(Succeed())
		Expect(count(ctx, connectTo(ctx, dsn), "SELECT count(*) FROM shop.reviews")).To(Equal(int64(3)))
	})

	It("gives up waiting for a database that never comes, saying so in the summary file", func() {
		summaryFile := filepath.Join(GinkgoT().TempDir(), "termination-log")
		start := time.Now()
		err := Command(ctx, []string{"--dsn", "postgres://nobody@127.0.0.1:1/db?sslmode=disable&connect_timeout=1",
			"--wait-timeout", "2s", "--summary-file", summaryFile}, &bytes.Buffer{})
		Expect(err).To(MatchError(ContainSubstring("did not accept connections within 2s")))
		Expect(time.Since(start)).To(BeNumerically("<", 10*time.Second))
		written, _ := os.ReadFile(summaryFile)
		s, perr := contract.ParseSummary(written)
		Expect(perr).NotTo(HaveOccurred())
		Expect(s.Error).To(ContainSubstring("did not accept connections"))
	})

	It("rejects bad flags with the usage", func() {
		err := Command(ctx, []string{"--no-such-flag"}, &bytes.Buffer{})
		Expect(err).To(MatchError(And(ContainSubstring("no-such-flag"), ContainSubstring("-wait-timeout"))))
	})
})

var dumpNoise = regexp.MustCompile(`(?m)^(\\restrict .*|\\unrestrict .*|-- Dumped (from|by) .*)$`)

// schemaDump is pg_dump --schema-only of a database, without the lines that differ between any
// two dumps (version comments, the random \restrict keys).
func schemaDump(ctx context.Context, dsn string) string {
	out, err := exec.CommandContext(ctx, pgBin("pg_dump"), "--schema-only", "--no-owner", dsn).Output()
	Expect(err).NotTo(HaveOccurred())
	return dumpNoise.ReplaceAllString(string(out), "")
}

var _ = Describe("verification", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(3 * time.Minute) })

	It("fails a load that breaks a foreign key, naming it with a sample row and the count", func() {
		dsn := newDatabase(ctx)
		broken := ecommerceSpec(5)
		broken.Columns = []contract.ColumnRule{{Table: "shop.orders", Column: "customer_id", Generator: "constant", Values: []string{"999999"}}}
		lines, err := runSeed(ctx, dsn, broken, "--schema-file", ecommerceSchema)
		// A seeding that reports success here is the failure this spec exists for: it must fail
		// whatever the role can do. A superuser loads with triggers off, so the rows go in and
		// verification must catch them; a role that cannot turn foreign keys off has the load
		// itself refuse them.
		Expect(err).To(HaveOccurred(), "a load that breaks a foreign key was reported as a success")
		summary, perr := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(perr).NotTo(HaveOccurred())
		if superuser(ctx, dsn) {
			Expect(err).To(MatchError(And(ContainSubstring("FOREIGN KEY orders_customer_id_fkey of shop.orders_2023"),
				MatchRegexp(`fails for [1-9]\d* row\(s\), e\.g\. \([^)]*,999999,`))))
			Expect(summary.Reason).To(Equal(contract.ReasonVerificationFailed))
		} else {
			Expect(err).To(MatchError(ContainSubstring("orders_customer_id_fkey")))
		}
		for _, l := range lines {
			Expect(l).NotTo(ContainSubstring(`"verified"`))
		}
	})

	It("reads every kind of constraint on tables, partitions and inheritance children", func() {
		dsn := newDatabase(ctx)
		conn := connectTo(ctx, dsn)
		_, err := conn.Exec(ctx, `
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE events (id int NOT NULL, at date NOT NULL, parent_id int, qty int) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE base (id int, code text);
CREATE TABLE child () INHERITS (base);
INSERT INTO parent VALUES (1);
INSERT INTO events VALUES (1, '2024-02-01', 1, 5), (2, '2024-03-01', 7, -1), (3, '2024-03-02', 8, -2);
INSERT INTO child VALUES (1, 'a'), (1, 'b');
ALTER TABLE events_2024 ADD CONSTRAINT events_parent_fk FOREIGN KEY (parent_id) REFERENCES parent NOT VALID;
ALTER TABLE events ADD CONSTRAINT events_qty_check CHECK (qty > 0) NOT VALID;
ALTER TABLE base ADD CONSTRAINT base_code_check CHECK (code <> 'b') NOT VALID;`)
		Expect(err).NotTo(HaveOccurred())
		err = load.VerifyConstraints(ctx, conn)
		Expect(err).To(MatchError(And(
			ContainSubstring("FOREIGN KEY events_parent_fk of public.events_2024"), ContainSubstring("fails for 2 row(s)"),
			ContainSubstring("CHECK events_qty_check of public.events_2024"),
			ContainSubstring("CHECK base_code_check of public.child"), ContainSubstring("(1,b)"))))
		Expect(contract.ReasonOf(err)).To(Equal(contract.ReasonVerificationFailed))

		_, err = conn.Exec(ctx, "DELETE FROM events WHERE qty < 0; DELETE FROM child WHERE code = 'b'")
		Expect(err).NotTo(HaveOccurred())
		Expect(load.VerifyConstraints(ctx, conn)).To(Succeed())
	})
})
