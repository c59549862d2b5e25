package seed

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

var _ = Describe("unique keys over foreign keys and partial unique indexes", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(4 * time.Minute) })

	keysRows := map[string]int64{"person": 300, "team": 200, "membership": 60_000, "seat": 80_000}

	It("fills a junction table to its last combination and keeps partial keys among the rows they cover", func() {
		dsn := newDatabase(ctx)
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 9, DefaultRows: 50_000, Tables: keysRows}, "--schema-file", "testdata/keys.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)

		By("giving every one of the 300 × 200 pairs once")
		Expect(count(ctx, conn, "SELECT count(DISTINCT (person_id, team_id)) FROM membership")).To(Equal(int64(60_000)))
		By("seating 80k rows where only 60k pairs exist: the rest are soft-deleted, after they were created")
		Expect(count(ctx, conn, "SELECT count(*) FROM seat")).To(Equal(int64(80_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM seat WHERE deleted_at IS NULL")).To(Equal(int64(60_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT (person_id, team_id)) FROM seat WHERE deleted_at IS NULL")).To(Equal(int64(60_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM seat WHERE deleted_at < created_at")).To(BeZero())
		By("pinning one active row per person among 50k")
		Expect(count(ctx, conn, "SELECT count(*) FROM pin WHERE active")).To(Equal(int64(300)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT person_id) FROM pin WHERE active")).To(Equal(int64(300)))
		Expect(revalidateConstraints(ctx, conn)).To(Equal(6))
	})

	It("refuses one row more than the combinations, naming the largest count that fits", func() {
		dsn := newDatabase(ctx)
		tooMany := map[string]int64{"person": 300, "team": 200, "membership": 60_001, "seat": 10}
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 9, DefaultRows: 10, Tables: tooMany}, "--schema-file", "testdata/keys.sql")
		Expect(err).To(MatchError(And(ContainSubstring("public.membership: unique key membership_pkey (person_id, team_id) allows at most 60000"),
			ContainSubstring("rows.tables asks for 60001"), ContainSubstring("ask for at most 60000 rows of public.membership"))))
		summary, perr := contract.ParseSummary([]byte(lines[len(lines)-1]))
		Expect(perr).NotTo(HaveOccurred())
		Expect(summary.Reason).To(Equal(contract.ReasonRowCountTooLarge))
	})
})
