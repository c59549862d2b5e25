package v1alpha1_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

var counter int

// apply creates a MirrorEnvironment from a spec written in YAML.
func apply(spec string) error {
	counter++
	doc := fmt.Sprintf("apiVersion: envmirror.io/v1alpha1\nkind: MirrorEnvironment\nmetadata: {name: env-%d, namespace: dev}\nspec:\n%s", counter, spec)
	u := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal([]byte(doc), &u.Object)).To(Succeed())
	return k8s.Create(ctx, u)
}

var _ = DescribeTable("rejects bad manifests with a clear message",
	func(spec, message string) {
		err := apply(spec)
		Expect(err).To(HaveOccurred(), "the API server accepted:\n%s", spec)
		Expect(err.Error()).To(ContainSubstring(message))
	},
	Entry("no source", "  branch: x\n", "spec.source: Required value"),
	Entry("no source namespace", "  source: {}\n", "spec.source.namespace: Required value"),
	Entry("source namespace not a DNS label", "  source: {namespace: Shop_Prod}\n", "spec.source.namespace: Invalid value"),
	Entry("target equals source in the same cluster", "  source: {namespace: shop}\n  targetNamespace: shop\n",
		"targetNamespace must differ from source.namespace"),
	Entry("target not a DNS label", "  source: {namespace: shop}\n  targetNamespace: shop.dev\n", "spec.targetNamespace: Invalid value"),
	Entry("target too long", fmt.Sprintf("  source: {namespace: shop}\n  targetNamespace: %s\n", longName(64)), "Too long"),
	Entry("ttl not a duration", "  source: {namespace: shop}\n  ttl: 2 days\n", "spec.ttl: Invalid value"),
	Entry("ttl with a unit Go does not know", "  source: {namespace: shop}\n  ttl: 2d\n", "spec.ttl: Invalid value"),
	Entry("branch with whitespace", "  source: {namespace: shop}\n  branch: 'my branch'\n", "spec.branch: Invalid value"),
	Entry("unknown version policy", "  source: {namespace: shop}\n  versions: {policy: Latest}\n", "supported values: \"PinDigest\", \"RequireDigest\", \"KeepTag\""),
	Entry("override without a workload", "  source: {namespace: shop}\n  overrides: [{image: x}]\n", "spec.overrides[0].workload: Required value"),
	Entry("override with an empty workload", "  source: {namespace: shop}\n  overrides: [{workload: '', image: x}]\n", "spec.overrides[0].workload"),
	Entry("override that changes nothing", "  source: {namespace: shop}\n  overrides: [{workload: api}]\n", "an override sets image, env, or both"),
	Entry("the same container overridden twice", "  source: {namespace: shop}\n  overrides: [{workload: api, image: a}, {workload: api, image: b}]\n",
		"each workload/container may be overridden only once"),
	Entry("negative replicas", "  source: {namespace: shop}\n  workloads: {replicas: -1}\n", "spec.workloads.replicas: Invalid value"),
	Entry("scaling up", "  source: {namespace: shop}\n  workloads: {resources: {scalePercent: 150}}\n", "spec.workloads.resources.scalePercent"),
	Entry("secret default other than Generate", "  source: {namespace: shop}\n  config: {secrets: {default: Keep}}\n", "the default secret policy can only be Generate"),
	Entry("template and fromSecret together", "  source: {namespace: shop}\n  config: {secrets: {rules: [{secret: s, key: k, template: x, fromSecret: {name: d}}]}}\n",
		"at most one of template and fromSecret"),
	Entry("Template policy without a template", "  source: {namespace: shop}\n  config: {secrets: {rules: [{secret: s, key: k, policy: Template}]}}\n",
		"policy Template needs a template"),
	Entry("Keep with a template", "  source: {namespace: shop}\n  config: {secrets: {rules: [{secret: s, key: k, policy: Keep, template: x}]}}\n",
		"a template needs policy Template"),
	Entry("FromSecret without a source", "  source: {namespace: shop}\n  config: {secrets: {rules: [{secret: s, policy: FromSecret}]}}\n",
		"policy FromSecret needs fromSecret"),
	Entry("a rule that says nothing", "  source: {namespace: shop}\n  config: {secrets: {rules: [{secret: s, key: k}]}}\n",
		"a rule needs a policy, a template or fromSecret"),
	Entry("a keepPlain rule naming both", "  source: {namespace: shop}\n  config: {keepPlain: [{configMap: a, workload: b, key: k}]}\n",
		"exactly one of configMap and workload"),
	Entry("unknown isolation", "  source: {namespace: shop}\n  network: {isolation: Some}\n", "spec.network.isolation: Unsupported value"),
	Entry("egress that is not a CIDR", "  source: {namespace: shop}\n  network: {allowedEgressCIDRs: [10.0.0.0]}\n", "each entry is a CIDR"),
	Entry("negative default rows", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, rows: {default: -5}}]\n",
		"spec.data[0].rows.default: Invalid value"),
	Entry("negative table rows", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, rows: {tables: {orders: -1}}}]\n",
		"row counts are between 0 and 100000000"),
	Entry("database without a home", "  source: {namespace: shop}\n  data: [{name: db}]\n", "exactly one of standIn"),
	Entry("database with two homes", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, workload: pg}]\n", "exactly one of standIn"),
	Entry("workload database without connection", "  source: {namespace: shop}\n  data: [{name: db, workload: pg}]\n", "needs connection"),
	Entry("unknown engine", "  source: {namespace: shop}\n  data: [{name: db, engine: oracle, standIn: {version: '19'}}]\n", "spec.data[0].engine: Unsupported value"),
	Entry("stand-in version not a version", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: latest}}]\n", "spec.data[0].standIn.version: Invalid value"),
	Entry("two schema sources", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, schema: {configMapRef: {name: a}, fromDatabase: {secretRef: {name: b}}}}]\n",
		"exactly one of configMapRef and fromDatabase"),
	Entry("two databases with one name", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}}, {name: db, standIn: {version: '15'}}]\n",
		"Duplicate value"),
	Entry("unknown column generator", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, columns: [{table: t, column: c, generator: ssn}]}]\n",
		"spec.data[0].columns[0].generator: Unsupported value"),
	Entry("oneOf without values", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, columns: [{table: t, column: c, generator: oneOf}]}]\n",
		"values is required by the constant and oneOf generators"),
	Entry("constant with two values", "  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}, columns: [{table: t, column: c, generator: constant, values: [a, b]}]}]\n",
		"exactly one value"),
)

var _ = DescribeTable("accepts good manifests",
	func(spec string) {
		Expect(apply(spec)).To(Succeed())
	},
	Entry("the smallest", "  source: {namespace: shop}\n"),
	Entry("target equals source across clusters", "  source: {namespace: shop, kubeconfigSecretRef: {name: prod}}\n  targetNamespace: shop\n"),
	Entry("the design's example", `  source:
    namespace: shop-prod
    selector: {matchLabels: {app.kubernetes.io/part-of: shop}}
  targetNamespace: shop-checkout-fix-42
  branch: feature/checkout-fix-42
  ttl: 48h
  workloads:
    replicas: 1
    resources: {scalePercent: 25, max: {cpu: 500m, memory: 512Mi}}
    exclude: [analytics-exporter]
  overrides:
  - {workload: checkout, container: app, image: registry.example/checkout:sha-1f2e3d}
  - {workload: checkout, container: sidecar, env: [{name: DEBUG, value: "1"}]}
  versions: {policy: PinDigest}
  config:
    secrets:
      default: Generate
      rules:
      - {secret: stripe, key: publishable-key, policy: Keep}
      - {secret: app-env, key: DATABASE_URL, template: 'postgres://app:{{ secret "orders-db" "password" }}@orders-db:5432/orders'}
      - {secret: payments, fromSecret: {name: payments-sandbox}}
    rewrite:
    - {from: orders.prod.rds.example.com, to: orders-db}
  network: {isolation: DenyProd, ingressHost: '{{ .Branch }}.dev.example.com', allowedEgressCIDRs: [203.0.113.0/24]}
  data:
  - name: orders-db
    engine: postgres
    standIn: {version: "16.4"}
    schema: {configMapRef: {name: orders-schema}}
    rows: {default: 1000, tables: {orders: 50000, audit_log: 0}}
    seed: 42
    columns: [{table: users, column: email, generator: email}, {table: users, column: tier, generator: oneOf, values: [gold, silver]}]
`),
	Entry("ttl in minutes and seconds", "  source: {namespace: shop}\n  ttl: 1h30m10s\n"),
)

var _ = Describe("defaults", func() {
	It("fills the schema defaults", func() {
		Expect(apply("  source: {namespace: shop}\n  data: [{name: db, standIn: {version: '16'}}]\n")).To(Succeed())
		env := &v1alpha1.MirrorEnvironment{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "dev", Name: fmt.Sprintf("env-%d", counter)}, env)).To(Succeed())
		Expect(*env.Spec.Workloads.Replicas).To(Equal(int32(1)))
		Expect(env.Spec.Versions.Policy).To(Equal(v1alpha1.VersionPinDigest))
		Expect(env.Spec.Config.Secrets.Default).To(Equal(v1alpha1.SecretGenerate))
		Expect(env.Spec.Network.Isolation).To(Equal(v1alpha1.IsolationDenyProd))
		Expect(env.Spec.Data[0].Engine).To(Equal(v1alpha1.DatabasePostgres))
		Expect(*env.Spec.Data[0].Rows.Default).To(Equal(int64(1000)))
	})

	It("keeps targetNamespace immutable", func() {
		Expect(apply("  source: {namespace: shop}\n  targetNamespace: first\n")).To(Succeed())
		env := &v1alpha1.MirrorEnvironment{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "dev", Name: fmt.Sprintf("env-%d", counter)}, env)).To(Succeed())
		env.Spec.TargetNamespace = "second"
		err := k8s.Update(ctx, env)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("targetNamespace is immutable"))
	})
})

func longName(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}
