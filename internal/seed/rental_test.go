package seed

import (
	"context"
	"os/exec"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

const rentalSchema = "testdata/rental.sql"

// rentalRows are counts at which drawing keys independently would certainly collide.
var rentalRows = map[string]int64{
	"customer": 50_000, "staff": 5, "film": 1_000, "tag": 300, "film_tag": 50_000,
	"tag_version": 50_000, "rental": 20_000, "payment": 60_000, "refund": 10_000,
}

var _ = Describe("seeding a schema with constraints on partitions, chains and patterns", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(5 * time.Minute) })

	It("honours every constraint at 50k rows, twice byte for byte, and keeps the schema as given", func() {
		first, second := newDatabase(ctx), newDatabase(ctx)
		spec := contract.Spec{Seed: 21, DefaultRows: 10, Tables: rentalRows}
		for _, dsn := range []string{first, second} {
			lines, err := runSeed(ctx, dsn, spec, "--schema-file", rentalSchema)
			Expect(err).NotTo(HaveOccurred())
			Expect(lines[len(lines)-2]).To(ContainSubstring(`"verified"`))
		}
		conn := connectTo(ctx, first)
		for table, rows := range rentalRows {
			Expect(count(ctx, conn, "SELECT count(*) FROM "+table)).To(Equal(rows), table)
		}
		By("re-adding every foreign key and CHECK, partitions' own included")
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 20))
		By("giving distinct pairs of foreign keys and a version chain")
		Expect(count(ctx, conn, "SELECT count(DISTINCT (film_id, tag_id)) FROM film_tag")).To(Equal(int64(50_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM tag_version WHERE previous_version_id IS NOT NULL")).To(BeNumerically(">", 40_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM tag_version WHERE previous_version_id >= id")).To(BeZero())
		By("matching the pattern and shape CHECKs")
		Expect(count(ctx, conn, "SELECT count(DISTINCT code) FROM customer WHERE code ~ '^[a-z0-9_]{1,100}$'")).To(Equal(int64(50_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM tag_version WHERE jsonb_typeof(args) = 'array'")).To(Equal(int64(50_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT currency) FROM tag_version")).To(BeNumerically(">", 100))
		Expect(count(ctx, conn, "SELECT count(DISTINCT lower(email::text)) FROM customer")).To(Equal(int64(50_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM payment_p2022_02")).To(BeNumerically(">", 15_000))
		By("meeting the CHECKs some partitions declare on the rows routed there, and only there")
		Expect(count(ctx, conn, "SELECT count(*) FROM payment_p2022_01 WHERE amount > 50")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM payment_p2022_03 WHERE amount < 5 OR amount >= 100")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM payment_p2022_02 WHERE amount > 100")).To(BeNumerically(">", 5_000))
		By("picking the parents of a foreign key to a partition among the rows routed to it")
		Expect(count(ctx, conn, "SELECT count(*) FROM refund r JOIN payment_p2022_02 p ON p.id = r.payment_id")).To(Equal(int64(10_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT payment_id) FROM refund")).To(BeNumerically(">", 7_000))

		By("writing the same bytes in both databases")
		other := connectTo(ctx, second)
		for table := range rentalRows {
			Expect(tableHash(ctx, other, table)).To(Equal(tableHash(ctx, conn, table)), table)
		}
		By("leaving the schema as psql applies it")
		viaPsql := newDatabase(ctx)
		out, err := exec.CommandContext(ctx, pgBin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", rentalSchema, viaPsql).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(schemaDump(ctx, first)).To(Equal(schemaDump(ctx, viaPsql)))
	})
})
