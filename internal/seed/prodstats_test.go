package seed

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

// prodSchema is a small "prod" with rows, so ANALYZE has statistics to give.
const prodSchema = `
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text, note text, bio text, summary text);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, total numeric(10,2) NOT NULL);
INSERT INTO accounts SELECT i, 'secret-' || i || '@prod.example', CASE WHEN i % 4 = 0 THEN NULL ELSE 'plan-' || (i % 3) END,
  'prod-value-' || (i % 7), repeat(md5(i::text), 10), substr(md5(i::text), 1, 12) FROM generate_series(1, 20000) i;
INSERT INTO invoices SELECT i, 1 + i % 20000, i % 1000 FROM generate_series(1, 60000) i;
ANALYZE;
`

var _ = Describe("prod's statistics", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(4 * time.Minute) })

	// runSchemaJob runs the schema Job's script as the Job does, against two local databases.
	runSchemaJob := func(source, target string) {
		cmd := exec.CommandContext(ctx, "sh", "-c", contract.SchemaJobScript())
		cmd.Env = append(os.Environ(), "SOURCE_DSN="+source, "TARGET_DSN="+target,
			"PATH="+filepath.Dir(pgBin("psql"))+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("statistics copied"))
	}

	It("copies prod's schema and statistics without reading a value, and seeds at prod's scale", func() {
		source, target := newDatabase(ctx), newDatabase(ctx)
		_, err := connectTo(ctx, source).Exec(ctx, prodSchema)
		Expect(err).NotTo(HaveOccurred())
		logFile := os.Getenv("ENVMIRROR_TEST_PG_LOG")
		var logStart int64
		if logFile != "" {
			// Only sessions on the source database log their statements.
			_, err = connectTo(ctx, source).Exec(ctx, "ALTER DATABASE "+pgx.Identifier{dbName(source)}.Sanitize()+" SET log_statement = 'all'")
			Expect(err).NotTo(HaveOccurred())
			st, err := os.Stat(logFile)
			Expect(err).NotTo(HaveOccurred())
			logStart = st.Size()
		}
		runSchemaJob(source, target)

		if logFile != "" {
			By("reading the statements prod received: no statistic that holds values")
			logged := readFrom(logFile, logStart)
			statements := regexp.MustCompile(`(?m)LOG:  statement: `).FindAllStringIndex(logged, -1)
			Expect(len(statements)).To(BeNumerically(">", 5), "statement logging did not record the schema Job")
			Expect(logged).To(ContainSubstring("pg_stats"))
			for _, forbidden := range contract.ValueStatistics {
				Expect(logged).NotTo(ContainSubstring(forbidden))
			}
			Expect(logged).NotTo(MatchRegexp(`\bpg_statistic\b`))
			Expect(logged).NotTo(MatchRegexp(`(?i)from\s+(public\.)?(accounts|invoices)\b`), "a row of prod was read")
		} else {
			GinkgoWriter.Println("ENVMIRROR_TEST_PG_LOG is not set: statement logging not checked")
		}

		By("seeding a hundredth of prod, within the bounds, following null fractions and distinct counts")
		lines, err := runSeed(ctx, target, contract.Spec{Seed: 4, DefaultRows: 7, Scale: 0.01, MinRows: 250, MaxRows: 5000})
		Expect(err).NotTo(HaveOccurred())
		conn := connectTo(ctx, target)
		Expect(count(ctx, conn, "SELECT count(*) FROM accounts")).To(Equal(int64(250)))
		Expect(count(ctx, conn, "SELECT count(*) FROM invoices")).To(Equal(int64(600)))
		Expect(count(ctx, conn, "SELECT count(*) FROM accounts WHERE plan IS NULL")).To(BeNumerically("~", 62, 25))
		Expect(count(ctx, conn, "SELECT count(DISTINCT note) FROM accounts")).To(BeNumerically("<=", 7))
		Expect(count(ctx, conn, "SELECT count(*) FROM accounts WHERE email LIKE '%prod.example%' OR note LIKE 'prod-value%'")).To(BeZero())
		By("writing free text as long as prod's on average (pg_stats.avg_width)")
		Expect(count(ctx, conn, "SELECT avg(octet_length(bio))::int FROM accounts")).To(BeNumerically("~", 320, 40))
		Expect(count(ctx, conn, "SELECT avg(octet_length(summary))::int FROM accounts")).To(BeNumerically("~", 12, 4))
		summary, err := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(err).NotTo(HaveOccurred())
		prod := map[string]int64{}
		for _, t := range summary.PerTable {
			Expect(t.ProdRows).NotTo(BeNil(), t.Table)
			prod[t.Table] = *t.ProdRows
		}
		Expect(prod).To(Equal(map[string]int64{"public.accounts": 20000, "public.invoices": 60000}))

		By("leaving the copy's schema equal to prod's")
		Expect(schemaDump(ctx, target)).To(Equal(schemaDump(ctx, source)))
	})

	It("names a missing extension and the image that has it before applying anything", func() {
		dsn := newDatabase(ctx)
		file := filepath.Join(GinkgoT().TempDir(), "schema.sql")
		Expect(os.WriteFile(file, []byte("CREATE EXTENSION IF NOT EXISTS no_such_extension;\nCREATE TABLE t (id int);\n"), 0o600)).To(Succeed())
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 1, DefaultRows: 1}, "--schema-file", file)
		Expect(err).To(MatchError(And(ContainSubstring("no_such_extension"), ContainSubstring("standIn.image"), ContainSubstring("postgres:15"))))
		summary, perr := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(perr).NotTo(HaveOccurred())
		Expect(summary.Reason).To(Equal(contract.ReasonExtensionMissing))
		Expect(count(ctx, connectTo(ctx, dsn), "SELECT count(*) FROM pg_tables WHERE tablename = 't'")).To(BeZero())
	})
})

func dbName(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	Expect(err).NotTo(HaveOccurred())
	return cfg.Database
}

func readFrom(file string, offset int64) string {
	b, err := os.ReadFile(file)
	Expect(err).NotTo(HaveOccurred())
	if offset > int64(len(b)) {
		return ""
	}
	return strings.ToValidUTF8(string(b[offset:]), "?")
}
