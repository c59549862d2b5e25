package seed

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/internal/seed/contract"
)

var _ = Describe("types beyond the built-in scalars", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = specContext(4 * time.Minute) })

	It("fills extension, network, bit, money, range, multirange, array, XML and JSON columns", func() {
		dsn := newDatabase(ctx)
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 5, DefaultRows: 20_000}, "--schema-file", "testdata/types.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		conn := connectTo(ctx, dsn)
		Expect(count(ctx, conn, "SELECT count(*) FROM item")).To(Equal(int64(20_000)))

		By("deriving the search column from the row's own text")
		Expect(count(ctx, conn, `SELECT count(*) FROM item WHERE NOT search @@ to_tsquery('simple',
			lower(regexp_replace(split_part(title, ' ', 1), '[^a-zA-Z]', '', 'g')))`)).To(BeZero())
		By("giving hstore, ltree, network, bit and money columns values of their shape")
		Expect(count(ctx, conn, "SELECT count(DISTINCT k) FROM item, skeys(attrs) k")).To(BeNumerically("<=", 5))
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE nlevel(path) BETWEEN 1 AND 4")).To(Equal(int64(20_000)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT ip) FROM item")).To(BeNumerically(">", 19_000))
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE masklen(net) = 24")).To(Equal(int64(20_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE length(flags) = 12")).To(Equal(int64(20_000)))
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE price > 0::money")).To(Equal(int64(20_000)))
		By("making ranges non-empty and multiranges of disjoint ranges")
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE isempty(span)")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE days = '{}'::datemultirange")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE (SELECT count(*) FROM unnest(amounts)) > 1")).To(BeNumerically(">", 0))
		By("drawing array elements of a domain from values its CHECKs accept")
		Expect(count(ctx, conn, "SELECT count(*) FROM item, unnest(codes) c WHERE c::text !~ '^[A-Z]{3}-[0-9]{3}$'")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(DISTINCT c) FROM item, unnest(codes) c")).To(BeNumerically(">", 100))
		Expect(count(ctx, conn, "SELECT count(DISTINCT e) FROM item, unnest(evens) e")).To(Equal(int64(20)))
		Expect(count(ctx, conn, "SELECT count(DISTINCT m) FROM item, unnest(moods) m")).To(Equal(int64(3)))
		By("keeping one schema of keys per JSON column, named after what it holds")
		Expect(count(ctx, conn, "SELECT count(DISTINCT (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(metadata) k)) FROM item")).To(Equal(int64(1)))
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE shipping_address IS NOT NULL AND NOT shipping_address ?& ARRAY['street', 'city', 'postcode', 'country']")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE settings IS NOT NULL AND (settings->>'theme') IS NULL")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE jsonb_typeof(tags) <> 'array'")).To(BeZero())
		Expect(count(ctx, conn, "SELECT count(*) FROM item WHERE xml_is_well_formed_document(doc::text)")).To(Equal(int64(20_000)))
	})

	It("makes valid PostGIS shapes at each column's SRID, type and dimensions", func() {
		dsn := newDatabase(ctx)
		conn := connectTo(ctx, dsn)
		requireExtension(ctx, conn, "postgis", "hack/with-postgres.sh installs the distribution's postgresql-<major>-postgis-3 package")
		lines, err := runSeed(ctx, dsn, contract.Spec{Seed: 8, DefaultRows: 20_000}, "--schema-file", "testdata/spatial.sql")
		Expect(err).NotTo(HaveOccurred())
		Expect(warningsOf(lines)).To(BeEmpty())
		for _, q := range []string{
			"SELECT count(*) FROM place WHERE st_srid(spot) <> 4326 OR geometrytype(spot) <> 'POINT'",
			"SELECT count(*) FROM place WHERE abs(st_x(spot)) > 180 OR abs(st_y(spot)) > 90",
			"SELECT count(*) FROM place WHERE NOT st_isvalid(area) OR geometrytype(area) <> 'MULTIPOLYGON'",
			"SELECT count(*) FROM place WHERE st_ndims(route) <> 3 OR st_srid(route) <> 3857",
			"SELECT count(*) FROM place WHERE geometrytype(parcels) <> 'GEOMETRYCOLLECTION'",
			"SELECT count(*) FROM place WHERE geometrytype(crossings) <> 'MULTILINESTRINGM'",
			"SELECT count(*) FROM place WHERE geometrytype(anything) <> 'POINT' OR st_srid(anything) <> 0",
			"SELECT count(*) FROM place WHERE NOT st_isvalid(around::geometry) OR st_srid(around::geometry) <> 4326",
			"SELECT count(*) FROM place WHERE st_srid(visit::geometry) <> 4326",
			"SELECT count(*) FROM place WHERE st_srid(legacy) <> 2163 OR geometrytype(legacy) <> 'POLYGON' OR NOT st_isvalid(legacy)",
		} {
			Expect(count(ctx, conn, q)).To(BeZero(), q)
		}
		Expect(count(ctx, conn, "SELECT count(DISTINCT spot) FROM place")).To(BeNumerically(">", 19_000))
		Expect(revalidateConstraints(ctx, conn)).To(BeNumerically(">=", 3)) // and postgis's own spatial_ref_sys
	})
})
