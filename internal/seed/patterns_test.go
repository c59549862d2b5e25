package seed

import (
	"context"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

// Patterns of real schemas that stopped seeding (issue 20), each on a fixture of its own, at row
// counts where random values would collide for certain.
var _ = Describe("patterns of real schemas", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(5 * time.Minute) })

	seedFixture := func(file string, spec contract.Spec) ([]string, string) {
		dsn := newDatabase(ctx)
		lines, err := runSeed(ctx, dsn, spec, "--schema-file", file)
		Expect(err).NotTo(HaveOccurred())
		return lines, dsn
	}

	It("keeps unique free text distinct, names staying names", func() {
		lines, dsn := seedFixture("testdata/unique_text.sql", contract.Spec{Seed: 4, DefaultRows: 60_000})
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		for _, q := range []string{"SELECT count(DISTINCT display_name) FROM member", "SELECT count(DISTINCT email) FROM member",
			"SELECT count(DISTINCT short_name) FROM board", "SELECT count(DISTINCT title) FROM badge", "SELECT count(DISTINCT label) FROM badge"} {
			Expect(count(ctx, conn, q)).To(Equal(int64(60_000)), q)
		}
		By("writing display names as a first and a last name, without digits or codes")
		Expect(count(ctx, conn, `SELECT count(*) FROM member WHERE display_name !~ '^[A-Z][A-Za-z''-]* [A-Z][A-Za-z''-]*$'`)).To(BeZero())
		Expect(count(ctx, conn, `SELECT count(*) FROM board WHERE short_name ~ '[0-9]'`)).To(BeZero())
		Expect(count(ctx, conn, `SELECT count(*) FROM badge WHERE length(label) > 6`)).To(BeZero())
	})

	It("honours partial unique indexes by steering their WHERE clause", func() {
		spec := contract.Spec{Seed: 7, DefaultRows: 20_000, Tables: map[string]int64{"account": 300, "plan": 500}}
		lines, dsn := seedFixture("testdata/partial_unique.sql", spec)
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		By("giving one admin among 20,000 roles")
		Expect(count(ctx, conn, "SELECT count(*) FROM role")).To(Equal(int64(20_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM role WHERE admin")).To(Equal(int64(1)))
		By("one recurring and one live threshold per plan, the others outside the keys")
		Expect(count(ctx, conn, "SELECT count(*) FROM threshold WHERE recurring AND plan_id IS NOT NULL")).To(BeNumerically("<=", 500))
		Expect(count(ctx, conn, "SELECT count(*) FROM threshold WHERE deleted_at IS NULL")).To(Equal(int64(500)))
		Expect(count(ctx, conn, "SELECT count(*) FROM threshold WHERE deleted_at IS NOT NULL")).To(Equal(int64(19_500)))
		By("one default integration per account and category, and one running job per account")
		Expect(count(ctx, conn, "SELECT count(*) FROM integration_default WHERE is_default")).To(Equal(int64(900)))
		Expect(count(ctx, conn, "SELECT count(*) FROM job WHERE state = 'running'")).To(Equal(int64(300)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT state) FROM job")).To(Equal(int64(4)))
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 5))
	})

	It("keeps expression keys unique: case-folded, per namespace, COALESCEd, and one per day", func() {
		spec := contract.Spec{Seed: 8, DefaultRows: 50_000, Tables: map[string]int64{"namespace": 40, "person": 50_000}}
		lines, dsn := seedFixture("testdata/expression_unique.sql", spec)
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		Expect(count(ctx, conn, "SELECT count(DISTINCT lower(email)) FROM person")).To(Equal(int64(50_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT (person_id, date_trunc('day', reported_at AT TIME ZONE 'UTC'))) FROM daily_report")).
			To(Equal(int64(50_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM daily_report WHERE reported_at NOT BETWEEN '2000-01-01' AND '2100-01-01'")).To(BeZero())
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 3))
	})

	It("fills one-to-one keys up to the parents and points each row at exactly the parents its CHECKs allow", func() {
		spec := contract.Spec{Seed: 9, DefaultRows: 30_000, Tables: map[string]int64{"customer": 1_000, "wallet": 500}}
		lines, dsn := seedFixture("testdata/one_to_one.sql", spec)
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		By("using each customer once, the other profiles and cards having none")
		for _, table := range []string{"profile", "card"} {
			Expect(count(ctx, conn, "SELECT count(*) FROM "+table)).To(Equal(int64(30_000)), table)
			Expect(count(ctx, conn, "SELECT count(DISTINCT customer_id) FROM "+table)).To(Equal(int64(1_000)), table)
			Expect(count(ctx, conn, "SELECT count(customer_id) FROM "+table)).To(Equal(int64(1_000)), table)
		}
		By("pointing each alert at a customer or a wallet, never both")
		Expect(count(ctx, conn, "SELECT count(*) FROM alert WHERE (customer_id IS NULL) = (wallet_id IS NULL)")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM alert WHERE customer_id IS NOT NULL")).To(BeNumerically(">", 10_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM report WHERE num_nonnulls(customer_id, wallet_id, profile_id) <> 1")).To(BeZero())
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 8))
	})
})

var _ = Describe("foreign keys a CHECK compares", func() {
	It("gives each row two different parents, ordered when the CHECK orders them, every pair once", func() {
		ctx := specContext(3 * time.Minute)
		dsn := newDatabase(ctx)
		spec := contract.Spec{Seed: 6, DefaultRows: 40_000, Tables: map[string]int64{"person": 300}}
		lines, err := runSeed(ctx, dsn, spec, "--schema-file", "testdata/pairs.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(HaveLen(1)) // site_totals holds one row, not 40,000
		Expect(warningsOf(lines)[0]).To(ContainSubstring("site_totals_one_row"))
		conn := connectTo(ctx, dsn)
		Expect(count(ctx, conn, "SELECT count(*) FROM follow")).To(Equal(int64(40_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM follow WHERE user_id = follower_id")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(DISTINCT (user_id, follower_id)) FROM follow")).To(Equal(int64(40_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM similarity WHERE a_id >= b_id")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(DISTINCT a_id) FROM similarity")).To(BeNumerically(">", 250))
		Expect(count(ctx, conn, "SELECT count(*) FROM site_totals")).To(Equal(int64(1)))
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 7))
	})
})

var _ = Describe("CHECKs that keep values on a grid", func() {
	It("writes whole months, hours, weeks and quarters, and multiples, unique ones too", func() {
		ctx := specContext(3 * time.Minute)
		dsn := newDatabase(ctx)
		spec := contract.Spec{Seed: 3, DefaultRows: 20_000, Tables: map[string]int64{"team": 400}}
		lines, err := runSeed(ctx, dsn, spec, "--schema-file", "testdata/grid_checks.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		Expect(count(ctx, conn, "SELECT count(*) FROM budget")).To(Equal(int64(20_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT slot) FROM budget WHERE slot % 15 = 0")).To(Equal(int64(20_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT amount) FROM budget")).To(BeNumerically(">", 100))
		Expect(count(ctx, conn, "SELECT count(DISTINCT month) FROM budget")).To(BeNumerically(">", 12))
		By("counting a team's months from its own start, as budgets are made, not centuries apart")
		Expect(count(ctx, conn, "SELECT count(*) FROM budget WHERE month NOT BETWEEN '2000-01-01' AND '2100-01-01'")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(DISTINCT min) FROM (SELECT min(month) FROM budget GROUP BY team_id) m")).To(BeNumerically(">", 5))
		Expect(count(ctx, conn, "SELECT count(DISTINCT starts_at) FROM budget")).To(BeNumerically(">", 1000))
		Expect(count(ctx, conn, "SELECT count(week_of) FROM budget")).To(BeNumerically(">", 15_000))
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 8))
	})
})

var _ = Describe("EXCLUDE constraints and composite types", func() {
	It("never overlaps spans an EXCLUDE keeps apart, and fills composite values field by field", func() {
		ctx := specContext(3 * time.Minute)
		dsn := newDatabase(ctx)
		spec := contract.Spec{Seed: 12, DefaultRows: 10_000, Tables: map[string]int64{"room": 20}}
		lines, err := runSeed(ctx, dsn, spec, "--schema-file", "testdata/exclusion_composite.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		Expect(count(ctx, conn, "SELECT count(*) FROM booking")).To(Equal(int64(10_000)))
		Expect(count(ctx, conn, `SELECT count(*) FROM booking a JOIN booking b ON a.room_id = b.room_id AND a.id < b.id AND a.during && b.during`)).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM shift WHERE ends_at <= starts_at")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM stay")).To(Equal(int64(10_000)))
		By("filling the composites' fields by their names and types")
		Expect(count(ctx, conn, "SELECT count(*) FROM room WHERE location IS NOT NULL AND ((location).city IS NULL OR length((location).country_code) <> 2)")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM booking WHERE price IS NOT NULL AND (price).amount IS NOT NULL")).To(BeNumerically(">", 8_000))
		Expect(revalidateConstraints(ctx, conn)).To(Equal(3)) // two foreign keys and shift_order; the EXCLUDEs held on every insert
	})
})

var _ = Describe("schemas that are not whole in the database", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(3 * time.Minute) })

	It("creates in the copy the partitions a schema without partitions needs, and says which", func() {
		dsn := newDatabase(ctx)
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 2, DefaultRows: 5_000, Tables: map[string]int64{"tenant": 50}},
			"--schema-file", "testdata/partitions_missing.sql")
		Expect(err).NotTo(HaveOccurred())
		summary, err := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(err).NotTo(HaveOccurred())
		Expect(summary.PartitionsCreated).To(ConsistOf(
			"public.event_default of public.event (DEFAULT)", "public.usage_record_default of public.usage_record (DEFAULT)",
			"public.session_token_default of public.session_token (every hash)", "public.ledger_all_default of public.ledger_all (every hash)"))
		Expect(summary.PartitionsCreatedCount).To(Equal(4))
		conn := connectTo(ctx, dsn)
		for _, table := range []string{"event", "usage_record", "session_token", "ledger"} {
			Expect(count(ctx, conn, "SELECT count(*) FROM "+table)).To(Equal(int64(5_000)), table)
		}
		Expect(count(ctx, conn, "SELECT count(*) FROM ONLY ledger_all_default")).To(Equal(int64(5_000)))
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 4))
		By("leaving the application free to add its own partitions for the months to come")
		_, err = conn.Exec(ctx, "CREATE TABLE event_next PARTITION OF event FOR VALUES FROM ('2100-01-01') TO ('2100-02-01')")
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses a database that lacks a table the schema file creates, naming it", func() {
		dsn := newDatabase(ctx)
		schema := filepath.Join(GinkgoT().TempDir(), "schema.sql")
		Expect(os.WriteFile(schema, []byte(`CREATE TABLE kept (id int PRIMARY KEY);
CREATE TABLE lost (id int PRIMARY KEY);
DO $$ BEGIN EXECUTE 'DROP TABLE lost'; END $$;
`), 0o600)).To(Succeed())
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 10}, "--schema-file", schema)
		Expect(err).To(MatchError(And(ContainSubstring("lacks 1 of the 2 tables the schema file creates: lost"))))
		summary, perr := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(perr).NotTo(HaveOccurred())
		Expect(summary.Reason).To(Equal(contract.ReasonSchemaIncomplete))
		Expect(summary.Rows).To(BeZero())
	})

	It("refuses a copy of prod without prod's tables (a pg_dump that failed), and one without their list", func() {
		dsn := newDatabase(ctx)
		conn := connectTo(ctx, dsn)
		By("finding no list of prod's tables when the schema was to come from prod")
		_, err := runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 10}, "--"+contract.FlagSchemaFromDatabase)
		Expect(err).To(MatchError(ContainSubstring("left no list of prod's tables")))
		Expect(contract.ReasonOf(err)).To(Equal(contract.ReasonSchemaIncomplete))

		By("finding prod's tables listed but not created: the dump piped into psql failed")
		_, err = conn.Exec(ctx, `CREATE SCHEMA `+contract.PrivateSchema+`;
CREATE TABLE `+contract.ProdTablesTable+` (schema_name name, table_name name, reltuples float8);
INSERT INTO `+contract.ProdTablesTable+` VALUES ('public', 'orders', 10), ('public', 'customers', 5), ('billing', 'invoices', 3);
CREATE TABLE public.customers (id int PRIMARY KEY);`)
		Expect(err).NotTo(HaveOccurred())
		_, err = runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 10}, "--"+contract.FlagSchemaFromDatabase)
		Expect(err).To(MatchError(ContainSubstring("lacks 2 of the 3 tables prod has (as the schema Job listed them): public.orders, billing.invoices")))
		Expect(contract.ReasonOf(err)).To(Equal(contract.ReasonSchemaIncomplete))
		Expect(count(ctx, conn, "SELECT count(*) FROM public.customers")).To(BeZero())
	})
})

var _ = Describe("extension types", func() {
	It("writes vectors of each column's dimension, arrays of documents, and one primary email per user", func() {
		ctx := specContext(3 * time.Minute)
		dsn := newDatabase(ctx)
		conn := connectTo(ctx, dsn)
		requireExtension(ctx, conn, "vector", "hack/with-postgres.sh installs the distribution's postgresql-<major>-pgvector "+
			"package, or builds pgvector from its source where there is none")
		spec := contract.Spec{Seed: 5, DefaultRows: 3_000, Tables: map[string]int64{"app_user": 200}}
		lines, err := runSeed(ctx, dsn, spec, "--schema-file", "testdata/extension_types.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		Expect(count(ctx, conn, "SELECT count(*) FROM chunk WHERE vector_dims(embedding) <> 384")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM chunk WHERE abs(vector_norm(embedding) - 1) > 0.01")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM chunk WHERE vector_dims(coarse) <> 16")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM chunk WHERE jsonb_typeof(notes[1]) <> 'object'")).To(BeZero())
		Expect(count(ctx, conn, `SELECT count(*) FROM email WHERE "primary"`)).To(BeNumerically("<=", 200))
		Expect(count(ctx, conn, `SELECT count(*) - count(DISTINCT user_id) FROM email WHERE "primary"`)).To(BeZero())
	})
})
