package controllers_test

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// mysqlSchemaSQL is what `mysqldump --no-data` writes, in short.
const mysqlSchemaSQL = "CREATE TABLE `customer` (`id` int NOT NULL AUTO_INCREMENT, `email` varchar(120) NOT NULL, PRIMARY KEY (`id`), UNIQUE KEY `customer_email` (`email`)) ENGINE=InnoDB;\n" +
	"CREATE TABLE `orders` (`id` bigint NOT NULL, `customer_id` int NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `orders_customer_fk` FOREIGN KEY (`customer_id`) REFERENCES `customer` (`id`)) ENGINE=InnoDB;\n"

// envOf maps a container's environment by name.
func envOf(c corev1.Container) map[string]corev1.EnvVar {
	out := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		out[e.Name] = e
	}
	return out
}

// expectMySQLSeedJob checks a MySQL seeding Job's connection: each part a value or a Secret
// reference, contract.DSNEnv composed of them, no password anywhere in the Job.
func expectMySQLSeedJob(job batchv1.Job, host, database, secret, password string) {
	GinkgoHelper()
	c := job.Spec.Template.Spec.Containers[0]
	Expect(c.Args).To(ContainElements("seed", "--engine=mysql", "--summary-file=/dev/termination-log"))
	env := envOf(c)
	Expect(env[mirror.EnvSeedHost].Value).To(Equal(host))
	Expect(env[mirror.EnvSeedPort].Value).To(Equal("3306"))
	Expect(env[mirror.EnvSeedDatabase].Value).To(Equal(database))
	Expect(env[mirror.EnvSeedPassword].Value).To(BeEmpty())
	Expect(env[mirror.EnvSeedPassword].ValueFrom.SecretKeyRef.Name).To(Equal(secret))
	Expect(env[contract.DSNEnv].Value).To(Equal("$(ENVMIRROR_DB_USER):$(ENVMIRROR_DB_PASSWORD)@tcp($(ENVMIRROR_DB_HOST):$(ENVMIRROR_DB_PORT))/$(ENVMIRROR_DB_NAME)"))
	Expect(env).NotTo(HaveKey("PGPASSWORD"))
	b, err := json.Marshal(job)
	Expect(err).NotTo(HaveOccurred())
	Expect(string(b)).NotTo(ContainSubstring(password), "the password is only referenced")
}

var _ = Describe("MySQL and MariaDB databases with a ConfigMap schema", Ordered, func() {
	var (
		env          *v1alpha1.MirrorEnvironment
		target       string
		shop, legacy batchv1.Job
	)

	BeforeAll(func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "shop-schema"},
			Data: map[string]string{"schema.sql": mysqlSchemaSQL}})).To(Succeed())
		env = newEnv(devNS, "mysql", prodNS)
		schema := &v1alpha1.SchemaSource{ConfigMapRef: &v1alpha1.ConfigMapKeyRef{Name: "shop-schema"}}
		env.Spec.Data = []v1alpha1.DatabaseSpec{
			{Name: "shop-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{Version: "8.0.36"}, Schema: schema,
				Rows: v1alpha1.RowsSpec{Tables: map[string]int64{"orders": 3000}}},
			{Name: "legacy-db", Engine: v1alpha1.DatabaseMariaDB, StandIn: &v1alpha1.StandInSpec{Version: "10.11.6", Database: "legacy"}, Schema: schema},
		}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = prodNS + "-mysql"
	})

	It("runs each stand-in on its engine's official image, with local_infile on, and waits for it", func() {
		for name, image := range map[string]string{"shop-db": "mysql:8.0.36", "legacy-db": "mariadb:10.11.6"} {
			Eventually(func() error {
				return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: name}, &appsv1.StatefulSet{})
			}, 20*time.Second).Should(Succeed())
			c := copyOf(target, name, &appsv1.StatefulSet{}).Spec.Template.Spec.Containers[0]
			Expect(c.Image).To(Equal(image))
			Expect(c.Args).To(ContainElements("--datadir=/var/lib/mysql/data", "--local-infile=1"))
			Expect(copyOf(target, name, &corev1.Service{}).Spec.Ports[0].Port).To(Equal(int32(3306)))
		}
		creds := copyOf(target, "legacy-db-credentials", &corev1.Secret{})
		Expect(string(creds.Data["uri"])).To(Equal("mysql://app:" + string(creds.Data["password"]) + "@legacy-db:3306/legacy"))
		Expect(copyOf(target, "shop-db-schema", &corev1.ConfigMap{}).Data["schema.sql"]).To(Equal(mysqlSchemaSQL))
		Eventually(func() string { return dataStatus(env, "shop-db").Message }, 10*time.Second).
			Should(ContainSubstring("waiting for the stand-in mysql 8.0.36 to be ready"))
		Expect(seedJobs(target, "shop-db")).To(BeEmpty(), "no seeding before the database is ready")
	})

	It("seeds each once it is ready, with --engine=mysql and a connection string of references, and reports the rows", func() {
		markStandInReady(target, "shop-db")
		markStandInReady(target, "legacy-db")
		Eventually(func() int { return len(seedJobs(target, "shop-db")) + len(seedJobs(target, "legacy-db")) }, 20*time.Second).Should(Equal(2))
		shop, legacy = seedJobs(target, "shop-db")[0], seedJobs(target, "legacy-db")[0]
		expectMySQLSeedJob(shop, "shop-db", "app", "shop-db-credentials", string(copyOf(target, "shop-db-credentials", &corev1.Secret{}).Data["password"]))
		expectMySQLSeedJob(legacy, "legacy-db", "legacy", "legacy-db-credentials", string(copyOf(target, "legacy-db-credentials", &corev1.Secret{}).Data["password"]))
		Expect(shop.Spec.Template.Spec.Containers[0].Args).To(ContainElements("--reset", "--schema-file=/schema/schema.sql"))
		var spec contract.Spec
		Expect(json.Unmarshal([]byte(envOf(shop.Spec.Template.Spec.Containers[0])[contract.SpecEnv].Value), &spec)).To(Succeed())
		Expect(spec.Tables).To(HaveKeyWithValue("orders", int64(3000)))

		finishJob(&shop, contract.Summary{Tables: 2, Rows: 4000, DurationSeconds: 1.5, RowsPerSecond: 2666, PerTable: []contract.TableSummary{
			{Table: "app.orders", Rows: 3000, Seconds: 1}, {Table: "app.customer", Rows: 1000, Seconds: 0.4}}}, true)
		finishJob(&legacy, contract.Summary{Tables: 2, Rows: 2000, DurationSeconds: 0.9, RowsPerSecond: 2222}, true)
		Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "shop-db").Phase }, 20*time.Second).Should(Equal(v1alpha1.DataSeeded))
		st := dataStatus(env, "shop-db")
		Expect(st.Rows).To(Equal(int64(4000)))
		Expect(st.Tables).To(Equal(int32(2)))
		Expect(st.Duration).To(Equal("1.5s"))
		Expect(st.TablesSeeded).To(Equal([]v1alpha1.TableRows{{Table: "app.orders", Rows: 3000}, {Table: "app.customer", Rows: 1000}}))
		Expect(st.PartitionsCreated).To(BeEmpty())
		c := eventuallyCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionTrue, v1alpha1.ReasonSeeded)
		Expect(c.Message).To(ContainSubstring("shop-db (4000 rows in 2 tables"))
		Expect(c.Message).To(ContainSubstring("legacy-db (2000 rows in 2 tables"))
	})

	It("reseeds from scratch when the data spec changes, and names the table, column and constraint that failed", func() {
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Data[1].Rows.Default = ptr.To[int64](50) })
		Eventually(func() string {
			jobs := seedJobs(target, "legacy-db")
			if len(jobs) != 1 {
				return ""
			}
			return jobs[0].Name
		}, 20*time.Second).ShouldNot(Or(BeEmpty(), Equal(legacy.Name)))
		legacy = seedJobs(target, "legacy-db")[0]
		finishJob(&legacy, contract.Summary{Reason: contract.ReasonVerificationFailed,
			Error: "verification: table legacy.orders column customer_id: 3 rows violate foreign key orders_customer_fk (orders.customer_id = 1001)"}, false)
		c := eventuallyCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionFalse, contract.ReasonVerificationFailed)
		Expect(c.Message).To(ContainSubstring("legacy.orders column customer_id"))
		Expect(c.Message).To(ContainSubstring("orders_customer_fk"))
		Expect(c.Message).To(ContainSubstring("kubectl logs -n " + target + " job/" + legacy.Name))
		Expect(dataStatus(env, "shop-db").Phase).To(Equal(v1alpha1.DataSeeded), "the other database keeps its data")
	})
})

var _ = Describe("MySQL and MariaDB databases", func() {
	It("copies a MySQL schema from prod with a Job in the operator's namespace; prod's DSN never enters the copy", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		canary := "CANARY-mysql-prod-pw"
		prodDSN := "mysql://readonly:" + canary + "@orders.prod.rds.example.com:3306/orders?tls=true"
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "orders-prod-dsn"},
			Data: map[string][]byte{"dsn": []byte(prodDSN)}})).To(Succeed())
		env := newEnv(devNS, "mysqlprod", prodNS)
		env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{},
			Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "orders-prod-dsn"}}},
			Rows:   v1alpha1.RowsSpec{Scale: ptr.To(v1alpha1.Fraction("0.1"))}}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-mysqlprod"

		By("reading prod's version with the probe first")
		probe := eventuallyDatabaseProbe(env)
		Expect(probe.Spec.Template.Spec.Containers[0].Args).To(ContainElement("--engine=mysql"))
		Expect(string(copyOf(operatorNamespace, probe.Name, &corev1.Secret{}).Data["SOURCE_URL"])).To(Equal(prodDSN))
		Eventually(func() string { return dataStatus(env, "orders-db").Message }, 10*time.Second).Should(ContainSubstring("reading prod's MySQL version"))
		finishProbe(&probe, deps.Summary{Engine: "mysql", Version: "8.0.36", Distribution: "mysql"}, true)

		By("running prod's version, then copying prod's schema in the operator's namespace")
		Eventually(func() string {
			sts := &appsv1.StatefulSet{}
			if k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "orders-db"}, sts) != nil {
				return ""
			}
			return sts.Spec.Template.Spec.Containers[0].Image
		}, 20*time.Second).Should(Equal("mysql:8.0.36"))
		markStandInReady(target, "orders-db")
		var schemaJob batchv1.Job
		Eventually(func(g Gomega) {
			jobs := &batchv1.JobList{}
			g.Expect(k8s.List(ctx, jobs, client.InNamespace(operatorNamespace), client.MatchingLabels{
				mirror.LabelEnvironmentUID: string(getEnv(env).UID), mirror.LabelComponent: mirror.ComponentData})).To(Succeed())
			g.Expect(jobs.Items).To(HaveLen(1))
			schemaJob = jobs.Items[0]
		}, 20*time.Second).Should(Succeed())
		c := schemaJob.Spec.Template.Spec.Containers[0]
		Expect(c.Image).To(Equal("mysql:8.0.36"))
		Expect(c.Command[2]).To(HaveSuffix(contract.MySQLSchemaJobScript()))
		for _, e := range c.Env {
			Expect(e.Value).To(BeEmpty(), "%s comes from the Secret", e.Name)
		}
		dsn := copyOf(operatorNamespace, schemaJob.Name, &corev1.Secret{})
		Expect(string(dsn.Data["SOURCE_PASSWORD"])).To(Equal(canary))
		Expect(string(dsn.Data["SOURCE_HOST"])).To(Equal("orders.prod.rds.example.com"))
		Expect(string(dsn.Data["SOURCE_DATABASE"])).To(Equal("orders"))
		Expect(string(dsn.Data["TARGET_HOST"])).To(Equal("orders-db." + target + ".svc"))
		Expect(string(dsn.Data["TARGET_PASSWORD"])).To(Equal(string(copyOf(target, "orders-db-credentials", &corev1.Secret{}).Data["password"])))
		Eventually(func() v1alpha1.DataPhase { return dataStatus(env, "orders-db").Phase }, 10*time.Second).Should(Equal(v1alpha1.DataApplyingSchema))
		Expect(seedJobs(target, "orders-db")).To(BeEmpty(), "seeding waits for the schema")

		By("seeding what the schema Job copied, which must be whole; prod's DSN gone")
		finishJob(&schemaJob, contract.Summary{}, true)
		Eventually(func() []batchv1.Job { return seedJobs(target, "orders-db") }, 20*time.Second).Should(HaveLen(1))
		seed := seedJobs(target, "orders-db")[0]
		args := seed.Spec.Template.Spec.Containers[0].Args
		Expect(args).To(ContainElements("--engine=mysql", "--schema-from-database"))
		Expect(strings.Join(args, " ")).NotTo(Or(ContainSubstring("--reset"), ContainSubstring("--schema-file")),
			"the schema copied from prod stays")
		Eventually(gone(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: schemaJob.Name}}), 10*time.Second).Should(BeTrue())
		Expect(scanNamespace(target, []string{canary, "orders.prod.rds.example.com"})).To(BeEmpty())

		prodRows := int64(120000)
		finishJob(&seed, contract.Summary{Tables: 1, Rows: 12000, DurationSeconds: 2, PerTable: []contract.TableSummary{
			{Table: "app.orders", Rows: 12000, ProdRows: &prodRows}}}, true)
		Eventually(func() []v1alpha1.TableRows { return dataStatus(env, "orders-db").TablesSeeded }, 20*time.Second).
			Should(Equal([]v1alpha1.TableRows{{Table: "app.orders", Rows: 12000, ProdRows: &prodRows}}))
		eventuallyCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionTrue, v1alpha1.ReasonSeeded)

		Expect(k8s.Delete(ctx, env)).To(Succeed())
		Eventually(gone(&schemaJob), 20*time.Second).Should(BeTrue())
		Eventually(gone(&probe), 20*time.Second).Should(BeTrue())
	})

	It("stops an entry whose prod is the other engine, and a DSN it cannot read, saying what to change", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "maria-dsn"},
			Data: map[string][]byte{"dsn": []byte("ro:pw@tcp(maria.prod.example.com:3306)/shop")}})).To(Succeed())
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "bad-dsn"},
			Data: map[string][]byte{"dsn": []byte("ro:CANARY-unread-pw@maria.prod.example.com/shop")}})).To(Succeed())
		env := newEnv(devNS, "mysqlwrong", prodNS)
		from := func(secret string) *v1alpha1.SchemaSource {
			return &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: secret}}}
		}
		env.Spec.Data = []v1alpha1.DatabaseSpec{
			{Name: "shop-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{}, Schema: from("maria-dsn")},
			{Name: "bad-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{}, Schema: from("bad-dsn")},
		}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-mysqlwrong"

		probe := eventuallyDatabaseProbeOf(env, "shop-db")
		Expect(string(copyOf(operatorNamespace, probe.Name, &corev1.Secret{}).Data["SOURCE_URL"])).
			To(Equal("mysql://ro:pw@maria.prod.example.com:3306/shop"), "the driver's DSN form, as the probe's URL")
		finishProbe(&probe, deps.Summary{Engine: "mysql", Version: "10.11.6-MariaDB-log", Distribution: "mariadb"}, true)
		Eventually(func() string { return dataStatus(env, "shop-db").Message }, 20*time.Second).
			Should(ContainSubstring("prod's database is MariaDB"))
		Expect(dataStatus(env, "shop-db").Message).To(ContainSubstring("set engine: mariadb"))
		Expect(dataStatus(env, "shop-db").Reason).To(Equal(v1alpha1.ReasonDataInvalid))
		Consistently(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "shop-db"}, &appsv1.StatefulSet{})
		}, 2*time.Second).ShouldNot(Succeed(), "no stand-in of the wrong engine")

		Eventually(func() string { return dataStatus(env, "bad-db").Message }, 20*time.Second).
			Should(ContainSubstring("is not a MySQL connection string"))
		Expect(dataStatus(env, "bad-db").Message).NotTo(ContainSubstring("CANARY-unread-pw"))
		Expect(dataStatus(env, "bad-db").Reason).To(Equal(v1alpha1.ReasonDataInvalid))
		Expect(getEnv(env).Status.Conditions).NotTo(ContainElement(HaveField("Message", ContainSubstring("CANARY-unread-pw"))))
	})

	It("seeds a database in a copied MySQL workload, on 3306 by default, with the copy's scrubbed password", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		prodPassword := "CANARY-prod-mysql-app-pw"
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: meta(prodNS, "mysql-auth", nil),
			Data: map[string][]byte{"password": []byte(prodPassword)}})).To(Succeed())
		Expect(k8s.Create(ctx, &appsv1.StatefulSet{ObjectMeta: meta(prodNS, "mysql", labels("mysql")), Spec: appsv1.StatefulSetSpec{
			ServiceName: "mysql", Selector: &metav1.LabelSelector{MatchLabels: labels("mysql")},
			Template: podTemplate("mysql", container("mysql", "mysql:8.0.36"))}})).To(Succeed())
		env := newEnv(devNS, "mysqlapp", prodNS)
		env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "shop-db", Engine: v1alpha1.DatabaseMySQL, Workload: "mysql",
			Connection: &v1alpha1.ConnectionSpec{Database: "shop", User: "shop", PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "mysql-auth"}}}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-mysqlapp"

		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "mysql"}, &appsv1.StatefulSet{})
		}, 20*time.Second).Should(Succeed())
		Eventually(func() string { return dataStatus(env, "shop-db").Message }, 10*time.Second).
			Should(ContainSubstring("waiting for the copied workload mysql"))
		markCopiesReady(target)
		Eventually(func() []batchv1.Job { return seedJobs(target, "shop-db") }, 20*time.Second).Should(HaveLen(1))
		job := seedJobs(target, "shop-db")[0]
		copied := copyOf(target, "mysql-auth", &corev1.Secret{})
		Expect(string(copied.Data["password"])).NotTo(Equal(prodPassword))
		expectMySQLSeedJob(job, "mysql", "shop", "mysql-auth", string(copied.Data["password"]))
		Expect(envOf(job.Spec.Template.Spec.Containers[0])[mirror.EnvSeedPassword].ValueFrom.SecretKeyRef.Key).To(Equal("password"))
		Expect(strings.Join(job.Spec.Template.Spec.Containers[0].Args, " ")).NotTo(ContainSubstring("--reset"),
			"the application's own schema stays")
		Expect(scanNamespace(target, []string{prodPassword})).To(BeEmpty())
	})

	DescribeTable("admission refuses a MySQL or MariaDB entry that cannot work",
		func(entry, message string) {
			err := createData(entry)
			Expect(err).To(HaveOccurred(), "the API server accepted:\n%s", entry)
			Expect(err.Error()).To(ContainSubstring(message))
		},
		Entry("no version, and none to read from prod", `{name: db, engine: mysql, standIn: {}}`,
			"standIn.version is required unless schema.fromDatabase is set"),
		Entry("an engine envmirror does not seed", `{name: db, engine: oracle, standIn: {version: "19"}}`,
			`supported values: "postgres", "mysql", "mariadb"`),
		Entry("a version with four parts", `{name: db, engine: mysql, standIn: {version: "8.0.36.1"}}`, "spec.data[0].standIn.version"),
		Entry("a PostgreSQL version of three parts", `{name: db, standIn: {version: "16.4.1"}}`,
			"a PostgreSQL standIn.version is MAJOR or MAJOR.MINOR"),
		Entry("a database name the connection string cannot carry", `{name: db, engine: mariadb, standIn: {version: "11.4", database: "my/db"}}`,
			"a MySQL or MariaDB standIn.database is letters, digits"),
		Entry("a user name the connection string cannot carry", `{name: db, engine: mysql, workload: mysql, connection: {database: app, user: "a:b", passwordSecretRef: {name: s}}}`,
			"connection.user has no ':'"),
		Entry("rows.scale without prod's statistics", `{name: db, engine: mysql, standIn: {version: "8.4"}, rows: {scale: "0.1"}}`,
			"rows.scale needs prod's statistics"),
	)

	It("admits the MySQL and MariaDB entries that can work", func() {
		for _, entry := range []string{
			`{name: db, engine: mysql, standIn: {version: "8.0.36"}}`,
			`{name: db, engine: mariadb, standIn: {version: "11.4", database: "shop_2"}}`,
			`{name: db, engine: mysql, standIn: {}, schema: {fromDatabase: {secretRef: {name: dsn}}}, rows: {scale: "0.01"}}`,
			`{name: db, engine: mariadb, workload: mariadb, connection: {database: app, user: app, passwordSecretRef: {name: s}}}`,
			`{name: db, standIn: {version: "16.4"}}`,
		} {
			Expect(createData(entry)).To(Succeed(), entry)
		}
	})
})

var admitNamespace = sync.OnceValue(func() string {
	ns := unique("admit")
	createNamespace(ns, nil)
	return ns
})

// createData dry-runs the creation of a MirrorEnvironment with one spec.data entry written in
// YAML (flow style).
func createData(entry string) error {
	GinkgoHelper()
	doc := "apiVersion: envmirror.io/v1alpha1\nkind: MirrorEnvironment\nmetadata: {name: admit, namespace: " + admitNamespace() +
		"}\nspec:\n  source: {namespace: shop}\n  data: [" + entry + "]\n"
	u := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal([]byte(doc), &u.Object)).To(Succeed())
	return k8s.Create(ctx, u, client.DryRunAll)
}
