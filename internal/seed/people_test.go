package seed

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

var _ = Describe("rows that read as one story", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(4 * time.Minute) })

	It("names one person per row, keeps identifying columns distinct and times in order, at 60k rows", func() {
		dsn := newDatabase(ctx)
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 3, DefaultRows: 60_000}, "--schema-file", "testdata/people.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)

		By("deriving email and username from the row's own name")
		for _, col := range []string{"email", "username"} {
			Expect(count(ctx, conn, `SELECT count(*) FROM account WHERE NOT (
				replace(replace(`+col+`, '.', ''), '_', '') LIKE regexp_replace(lower(first_name), '[^a-z0-9]', '', 'g') ||
				regexp_replace(lower(last_name), '[^a-z0-9]', '', 'g') || '%' OR
				`+col+` LIKE left(regexp_replace(lower(first_name), '[^a-z0-9]', '', 'g'), 1) ||
				regexp_replace(lower(last_name), '[^a-z0-9]', '', 'g') || '%')`)).To(BeZero(), col)
		}
		By("making emails, usernames, slugs and tokens distinct without a unique index")
		Expect(count(ctx, conn, "SELECT count(DISTINCT lower(email)) FROM account")).To(Equal(int64(60_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT username) FROM account")).To(Equal(int64(60_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT slug) FROM account")).To(Equal(int64(60_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT api_token) - count(api_token) FROM account")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(DISTINCT first_name || last_name) FROM account")).To(BeNumerically(">", 50_000))

		By("keeping created, updated and deleted in order, deleted mostly NULL")
		Expect(count(ctx, conn, "SELECT count(*) FROM account WHERE updated_at < created_at OR deleted_at < created_at")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM account WHERE deleted_at IS NULL")).To(BeNumerically(">", 50_000))
		By("ending spans after they start")
		Expect(count(ctx, conn, "SELECT count(*) FROM subscription WHERE ends_at < starts_at OR valid_until < valid_from")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM subscription WHERE ends_at IS NOT NULL")).To(BeNumerically(">", 30_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM invoice WHERE period_end < period_start")).To(BeZero())
		By("creating children after their parents")
		Expect(count(ctx, conn, "SELECT count(*) FROM subscription s JOIN account a ON a.id = s.account_id WHERE s.created_at < a.created_at")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM invoice i JOIN subscription s ON s.id = i.subscription_id WHERE i.created_at < s.created_at")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(DISTINCT date_trunc('day', created_at)) FROM invoice")).To(BeNumerically(">", 300))
	})
})
