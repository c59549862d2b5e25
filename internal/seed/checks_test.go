package seed

import (
	"context"
	"os/exec"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
	"github.com/envmirror/envmirror/internal/seed/oracle"
)

const checksSchema = "testdata/checks.sql"

var _ = Describe("CHECKs the planner reads and CHECKs the server judges", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(5 * time.Minute) })

	It("passes every CHECK at 50k rows with varied values, twice byte for byte, and names what nothing meets", func() {
		first, second := newDatabase(ctx), newDatabase(ctx)
		spec := contract.Spec{Seed: 31, DefaultRows: 50_000}
		var warnings []string
		for i, dsn := range []string{first, second} {
			lines, err := runSeed(ctx, dsn, spec, "--schema-file", checksSchema)
			Expect(err).NotTo(HaveOccurred())
			Expect(lines[len(lines)-2]).To(ContainSubstring(`"verified"`))
			if i == 0 {
				warnings = warningsOf(lines)
			}
		}
		conn := connectTo(ctx, first)
		Expect(count(ctx, conn, "SELECT count(*) FROM film")).To(Equal(int64(50_000)))
		Expect(revalidateConstraints(ctx, conn)).To(Equal(14))

		By("only the CHECK nothing can meet is named, with the column rule that settles it")
		Expect(warnings).To(HaveLen(1))
		Expect(warnings[0]).To(And(ContainSubstring("public.film.secret"), ContainSubstring("md5(secret)"),
			ContainSubstring("no candidate value but NULL passed it"), ContainSubstring("{table: public.film, column: secret")))
		Expect(count(ctx, conn, "SELECT count(*) FROM film WHERE secret IS NOT NULL")).To(BeZero())

		By("judging an OR across shapes, a function of the schema, a lookahead and a CASE in the server")
		Expect(count(ctx, conn, "SELECT count(DISTINCT rating) FROM film")).To(BeNumerically(">=", 4))
		Expect(count(ctx, conn, "SELECT count(*) FROM film WHERE rating LIKE 'PG%'")).To(BeNumerically(">", 0))
		Expect(count(ctx, conn, "SELECT count(DISTINCT sku) FROM film")).To(BeNumerically(">", 20))
		Expect(count(ctx, conn, "SELECT count(DISTINCT handle) FROM film")).To(BeNumerically(">=", 5))
		Expect(count(ctx, conn, "SELECT count(DISTINCT kind) FROM film")).To(Equal(int64(2)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT minutes) FROM film WHERE kind = 'short'")).To(BeNumerically(">", 5))
		Expect(count(ctx, conn, "SELECT count(DISTINCT minutes) FROM film WHERE kind = 'feature'")).To(BeNumerically(">", 5))

		By("reading SIMILAR TO, sizes, exclusions and domains itself")
		Expect(count(ctx, conn, "SELECT count(DISTINCT code) FROM film")).To(BeNumerically(">", 10_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM film WHERE cardinality(tags) = 1")).To(BeNumerically(">", 5_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM film WHERE cardinality(tags) = 3")).To(BeNumerically(">", 5_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM film WHERE dims IS NOT NULL")).To(BeNumerically(">", 40_000))
		Expect(count(ctx, conn, "SELECT count(DISTINCT region) FROM film")).To(BeNumerically(">", 300))
		Expect(count(ctx, conn, "SELECT count(*) FROM film WHERE note IS NOT NULL")).To(BeNumerically(">", 40_000))
		Expect(count(ctx, conn, "SELECT count(DISTINCT share) FROM film")).To(BeNumerically(">", 10))
		Expect(count(ctx, conn, "SELECT count(DISTINCT color) FROM film")).To(BeNumerically(">", 10_000))
		Expect(count(ctx, conn, "SELECT count(DISTINCT short::text) FROM film")).To(BeNumerically(">", 1_000))

		By("writing the same bytes in both databases and keeping the schema as given")
		Expect(tableHash(ctx, connectTo(ctx, second), "film")).To(Equal(tableHash(ctx, conn, "film")))
		viaPsql := newDatabase(ctx)
		out, err := exec.CommandContext(ctx, pgBin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", checksSchema, viaPsql).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(schemaDump(ctx, first)).To(Equal(schemaDump(ctx, viaPsql)))
	})
})

var _ = Describe("the server as judge", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(time.Minute) })

	It("judges all candidates in one query, or one by one when a candidate makes the query fail", func() {
		conn := connectTo(ctx, newDatabase(ctx))
		judge := oracle.New(ctx, conn)
		str := func(s string) *string { return &s }
		rows := [][]*string{{str("4")}, {str("-1")}, {nil}, {str("0")}}
		passed, err := judge.Accepts("10 / x > 1", []string{"x"}, []string{"integer"}, rows)
		Expect(err).NotTo(HaveOccurred())
		Expect(passed).To(Equal([]bool{true, false, true, false}), "NULL passes as in a CHECK; 10/0 raises and does not")
		passed, err = judge.Accepts("x > 0", []string{"x"}, []string{"integer"}, append(rows, []*string{str("abc")}))
		Expect(err).NotTo(HaveOccurred())
		Expect(passed).To(Equal([]bool{true, false, true, false, false}), "a value the type refuses does not pass")
		passed, err = judge.Accepts("VALUE ~ '^[a-z]+$'", []string{"value"}, []string{"text"}, [][]*string{{str("abc")}, {str("A1")}})
		Expect(err).NotTo(HaveOccurred())
		Expect(passed).To(Equal([]bool{true, false}))
		_, err = judge.Accepts("no_such_column > 0", []string{"x"}, []string{"integer"}, rows)
		Expect(err).To(MatchError(ContainSubstring("cannot evaluate it")))
		By("leaving nothing behind")
		Expect(count(ctx, conn, "SELECT count(*) FROM pg_proc WHERE proname LIKE 'envmirror_oracle%'")).To(BeZero())
	})
})

// warningsOf returns the messages of a run's warning events.
func warningsOf(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, `"event":"warning"`) {
			out = append(out, l)
		}
	}
	return out
}
