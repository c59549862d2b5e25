//go:build realpods

package realpods

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// MySQL and MariaDB databases of spec.data on real pods: the operator's stand-in (the mariadb
// test image, started by the StatefulSet the operator writes), its seeding Job (LOAD DATA LOCAL
// through the stand-in's local_infile), and for a schema read from prod the probe and the
// schema Job in the operator's namespace against a real prod server. Every count is read from
// the databases themselves.
var _ = Describe("MySQL and MariaDB data on real pods", Label("operator", "mysql"), Ordered, ContinueOnFailure, func() {
	var prod, rds, envNS string
	const env = "mysqldata"

	BeforeAll(func() {
		installOperator()
		envNS = newNamespace("rp-mysql-envs")
		rds = newNamespace("rp-mysql-managed")
		prod = newNamespace("rp-mysql-prod")
		apply(prodMariaDB(rds))
		mustKubectl("-n", rds, "rollout", "status", "statefulset/mariadb", "--timeout=4m")
		Eventually(func() error { _, err := prodMariaDBSQL(rds, "SELECT 1"); return err }).
			WithTimeout(podTimeout).WithPolling(poll).Should(Succeed())
		_, err := prodMariaDBSQL(rds, prodCatalogSQL)
		Expect(err).NotTo(HaveOccurred())
		schema, err := os.ReadFile(filepath.Join(repoRoot, "internal", "seed", "testdata", "mysql", "shop.sql"))
		Expect(err).NotTo(HaveOccurred())
		apply(joinLines(mirrorSource(prod, envNS), "---", mysqlEnvironment(envNS, env, prod, rds, string(schema))))
	})

	It("a MariaDB stand-in with a ConfigMap schema: seeded as status says, constraints hold", func() {
		e := waitDatabasesSeeded(envNS, env, 2)
		target := e.Status.TargetNamespace
		st := databaseStatus(e, "shop-db")
		waitPodReady(target, "shop-db-0", podTimeout)
		sql := standInSQL(target, "shop-db")

		Expect(st.TablesSeeded).To(HaveLen(5), "the shop's five tables")
		var sum int64
		for _, t := range st.TablesSeeded {
			name := t.Table[strings.LastIndexByte(t.Table, '.')+1:]
			n, err := strconv.ParseInt(sql("SELECT COUNT(*) FROM `"+name+"`"), 10, 64)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(t.Rows), "rows of %s", t.Table)
			want := int64(50)
			if name == "orders" {
				want = 300
			}
			Expect(n).To(Equal(want), "rows of %s as spec.data asks", t.Table)
			sum += n
		}
		Expect(st.Rows).To(Equal(sum))
		Expect(sql("SELECT COUNT(*) FROM `orders` o LEFT JOIN `customer` c ON c.id = o.customer_id WHERE c.id IS NULL")).To(Equal("0"))
		Expect(sql("SELECT COUNT(*) - COUNT(DISTINCT `email`) FROM `customer`")).To(Equal("0"))
		Expect(sql("SELECT COUNT(*) FROM `order_item` WHERE `quantity` NOT BETWEEN 1 AND 20")).To(Equal("0"))
		Expect(sql("SELECT @@GLOBAL.local_infile")).To(Equal("1"), "the stand-in starts with local_infile on")
	})

	It("a MariaDB stand-in with prod's schema and statistics: the probe, the schema Job, rows.scale; prod untouched", func() {
		e := waitDatabasesSeeded(envNS, env, 2)
		target := e.Status.TargetNamespace
		st := databaseStatus(e, "catalog-db")
		waitPodReady(target, "catalog-db-0", podTimeout)
		sql := standInSQL(target, "catalog-db")

		prodVersion, err := prodMariaDBSQL(rds, "SELECT VERSION()")
		Expect(err).NotTo(HaveOccurred())
		Expect(strings.SplitN(sql("SELECT VERSION()"), "-", 2)[0]).To(Equal(strings.SplitN(prodVersion, "-", 2)[0]),
			"the stand-in runs the version the probe read")
		Expect(sql("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_envmirror_prod_tables'")).
			To(Equal("0"), "prod's statistics are dropped after seeding")
		for _, t := range st.TablesSeeded {
			name := t.Table[strings.LastIndexByte(t.Table, '.')+1:]
			prodRows, err := prodMariaDBSQL(rds, "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'catalog' AND TABLE_NAME = '"+name+"'")
			Expect(err).NotTo(HaveOccurred())
			Expect(t.ProdRows).NotTo(BeNil(), t.Table)
			Expect(strconv.FormatInt(*t.ProdRows, 10)).To(Equal(prodRows), "prod's estimate of %s", t.Table)
			Expect(t.Rows).To(Equal((*t.ProdRows+1)/2), "rows.scale 0.5 of %s", t.Table)
			Expect(sql("SELECT COUNT(*) FROM `"+name+"`")).To(Equal(strconv.FormatInt(t.Rows, 10)), "rows of %s", t.Table)
		}
		Expect(prodMariaDBSQL(rds, "SELECT CONCAT((SELECT COUNT(*) FROM product), '/', (SELECT COUNT(*) FROM review))")).
			To(Equal("200/600"), "prod's rows are as they were")
		copied := mustKubectl("-n", target, "get", "secrets,configmaps,pods,jobs", "-o", "yaml")
		Expect(copied).NotTo(ContainSubstring("FAKE-prod-reader-pw-mdb"), "prod's DSN never enters the copy")
	})
})

// prodCatalogSQL is prod's catalog: a product table and its reviews, with rows, and fresh
// statistics (information_schema.TABLES.TABLE_ROWS).
const prodCatalogSQL = `CREATE TABLE product (id int PRIMARY KEY, sku varchar(32) NOT NULL UNIQUE, name varchar(200) NOT NULL,
  price decimal(10,2) NOT NULL CHECK (price > 0));
CREATE TABLE review (id int PRIMARY KEY, product_id int NOT NULL, stars tinyint NOT NULL CHECK (stars BETWEEN 1 AND 5),
  body text, CONSTRAINT review_product FOREIGN KEY (product_id) REFERENCES product (id));
INSERT INTO product WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
  SELECT i, CONCAT('SKU-', i), CONCAT('prod product ', i), 10 + i FROM n;
INSERT INTO review WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
  SELECT i, 1 + i % 200, 1 + i % 5, CONCAT('prod review ', i) FROM n;
ANALYZE TABLE product, review;`

// prodMariaDBSQL runs SQL in prod's catalog database as its root.
func prodMariaDBSQL(ns, sql string) (string, error) {
	return kubectlIn(sql, "-n", ns, "exec", "-i", "mariadb-0", "--", "mariadb", "-uroot", "-pFAKE-prod-root-pw-mdb",
		"-N", "catalog")
}

// standInSQL runs SQL in a MySQL or MariaDB stand-in as its app user, with the credentials the
// operator generated.
func standInSQL(ns, name string) func(sql string) string {
	user, password, db := standInCredentials(ns, name)
	return func(sql string) string {
		GinkgoHelper()
		out, err := kubectlIn(sql, "-n", ns, "exec", "-i", name+"-0", "--", "mariadb", "-h127.0.0.1", "-u"+user, "-p"+password, "-N", db)
		Expect(err).NotTo(HaveOccurred(), sql)
		return out
	}
}

// databaseStatus is the status of one of an environment's databases.
func databaseStatus(e *v1alpha1.MirrorEnvironment, name string) v1alpha1.DatabaseStatus {
	GinkgoHelper()
	for _, d := range e.Status.Data {
		if d.Name == name {
			return d
		}
	}
	Fail("no status of database " + name)
	return v1alpha1.DatabaseStatus{}
}

// waitDatabasesSeeded waits until the environment's n databases are Seeded, failing early when
// one failed.
func waitDatabasesSeeded(ns, name string, n int) *v1alpha1.MirrorEnvironment {
	GinkgoHelper()
	var e *v1alpha1.MirrorEnvironment
	Eventually(func(g Gomega) {
		e = getEnv(ns, name)
		g.Expect(e.Status.Data).To(HaveLen(n))
		for _, d := range e.Status.Data {
			if d.Phase == v1alpha1.DataFailed {
				StopTrying(fmt.Sprintf("database %s failed: %s: %s", d.Name, d.Reason, d.Message)).Now()
			}
			g.Expect(d.Phase).To(Equal(v1alpha1.DataSeeded), "%s: %s", d.Name, d.Message)
		}
	}).WithTimeout(seedTimeout).WithPolling(3*time.Second).Should(Succeed(), func() string {
		jobs, _ := kubectl("get", "jobs,pods", "-A", "-l", "app.kubernetes.io/managed-by=envmirror", "-o", "wide")
		schemaLog, _ := kubectl("-n", operatorNamespace, "logs", "-l", "envmirror.io/environment="+name, "--tail=30", "--prefix")
		return fmt.Sprintf("%s\nschema Job log:\n%s\noperator log:\n%s", jobs, schemaLog, operatorLogs())
	})
	return e
}

// mysqlEnvironment seeds two MariaDB stand-ins: one with the shop's schema from a ConfigMap
// (mysqldump --no-data output), one with prod's catalog schema and statistics (fromDatabase,
// at the version a probe reads from prod).
func mysqlEnvironment(envNS, name, prodNS, rds, schema string) string {
	indented := "    " + strings.ReplaceAll(strings.TrimSpace(schema), "\n", "\n    ")
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: shop-schema, namespace: %[1]s}
data:
  schema.sql: |
%[5]s
---
apiVersion: v1
kind: Secret
metadata: {name: catalog-prod, namespace: %[1]s}
stringData:
  dsn: mysql://reader:FAKE-prod-reader-pw-mdb@mariadb.%[4]s.svc.cluster.local:3306/catalog
---
apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  source:
    namespace: %[3]s
    selector: {matchLabels: {app.kubernetes.io/part-of: rp}}
  branch: feature/realpods-mysql
  workloads: {replicas: 1}
  data:
  - name: shop-db
    engine: mariadb
    standIn: {version: "%[6]s", database: shop}
    schema: {configMapRef: {name: shop-schema}}
    rows: {default: 50, tables: {orders: 300}}
  - name: catalog-db
    engine: mariadb
    standIn: {}
    schema: {fromDatabase: {secretRef: {name: catalog-prod}}}
    rows: {scale: "0.5"}
`, envNS, name, prodNS, rds, indented, mariadbImageVersion())
}

// mariadbImageVersion is the version of the node's mariadb image (its tag).
func mariadbImageVersion() string {
	ref := imageRef("mariadb")
	return ref[strings.LastIndexByte(ref, ':')+1:]
}
