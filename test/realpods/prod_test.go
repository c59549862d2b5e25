//go:build realpods

package realpods

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// prodSchema is prod's orders database: a partitioned table, foreign keys (one to the partitioned
// table's parent), CHECKs, a unique expression index, an enum and rows whose values are
// recognisably prod's (every email ends in @prod.realpods.example).
const prodSchema = `
CREATE TYPE plan AS ENUM ('free', 'pro', 'team');
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  plan plan NOT NULL,
  seats integer NOT NULL CHECK (seats BETWEEN 1 AND 500),
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX accounts_email_lower_key ON accounts (lower(email));
CREATE TABLE events (
  id bigint NOT NULL,
  account_id bigint NOT NULL REFERENCES accounts(id),
  happened_on date NOT NULL,
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  PRIMARY KEY (id, happened_on)
) PARTITION BY RANGE (happened_on);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  number text NOT NULL UNIQUE,
  total_cents integer NOT NULL CHECK (total_cents > 0)
);
INSERT INTO accounts SELECT g, 'owner' || g || '@prod.realpods.example', (ARRAY['free','pro','team']::plan[])[1 + g % 3],
  1 + g % 50, timestamptz '2024-06-01' + g * interval '1 day' FROM generate_series(1, 300) g;
INSERT INTO events SELECT g, 1 + g % 300, date '2025-01-01' + (g % 700), g % 10000 FROM generate_series(1, 3000) g;
INSERT INTO invoices SELECT g, 1 + g % 300, 'INV-PROD-' || g, 100 + g FROM generate_series(1, 900) g;
ANALYZE;
CREATE ROLE reader LOGIN PASSWORD 'FAKE-prod-reader-pw-9dK2';
GRANT pg_read_all_data TO reader;
`

// prodTables are prod's tables (partitions included), for checksums and counts.
var prodTables = []string{"accounts", "events", "events_2025", "events_2026", "invoices"}

const (
	prodDBUser     = "prod_admin"
	prodDBPassword = "FAKE-prod-admin-pw-Hq3z"
	prodDBName     = "orders"
)

// prodChecksums is every prod table's rows, hashed in a stable order: equal before and after
// means byte-identical.
func prodChecksums(ns, pod string) map[string]string {
	GinkgoHelper()
	out := map[string]string{}
	for _, t := range prodTables {
		sum, err := psqlIn(ns, pod, prodDBUser, prodDBPassword, prodDBName,
			fmt.Sprintf("SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ONLY %s t", t))
		Expect(err).NotTo(HaveOccurred())
		out[t] = sum
	}
	return out
}

// prodApp is prod's application: an API (busybox httpd as a stand-in for the real one) whose
// configuration names the database, and a Secret with prod values.
func prodApp(ns, dbHost string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: api-config, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
data:
  DB_HOST: %[2]s
---
apiVersion: v1
kind: Secret
metadata: {name: api-secrets, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
stringData:
  DATABASE_URL: postgres://%[4]s:%[5]s@%[2]s:5432/orders
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop-api, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp, app: shop-api}}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop-api}}
  template:
    metadata: {labels: {app: shop-api, app.kubernetes.io/part-of: rp}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
      terminationGracePeriodSeconds: 1
      containers:
      - name: api
        image: %[3]s
        command: [sh, -c, 'mkdir -p /tmp/www && echo api > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www']
        envFrom: [{configMapRef: {name: api-config}}, {secretRef: {name: api-secrets}}]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: http}, periodSeconds: 2}
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: shop-api, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
spec:
  selector: {app: shop-api}
  ports: [{name: http, port: 8080, targetPort: http}]
`, ns, dbHost, imageRef(busyboxName), prodDBUser, prodDBPassword)
}

// onlineBoutiquePolicies is the shape of Online Boutique's own policy set
// (GoogleCloudPlatform/microservices-demo, kustomize/components/network-policies): a deny-all
// for ingress and egress, and per service an allow for its callers plus all egress. Here the API
// is the frontend (reachable by anyone), and the database admits the API and the operator's
// namespace (prod grants the schema read).
func onlineBoutiquePolicies(ns string) string {
	return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: shop-api, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
spec:
  podSelector: {matchLabels: {app: shop-api}}
  policyTypes: [Ingress, Egress]
  ingress:
  - ports: [{port: 8080, protocol: TCP}]
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: db}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {matchLabels: {app: shop-api}}
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %[2]s}}
    ports: [{port: 5432, protocol: TCP}]
  egress:
  - {}
`, ns, operatorNamespace)
}

// mirrorSource lets the environment namespace copy prod.
func mirrorSource(prodNS, envNS string) string {
	return fmt.Sprintf(`apiVersion: envmirror.io/v1alpha1
kind: MirrorSource
metadata: {name: realpods, namespace: %s}
spec:
  from: [{namespace: %s}]
`, prodNS, envNS)
}

// environment is a MirrorEnvironment copying prod's app, whose orders database gets a stand-in
// with prod's schema read from prod's database (fromDatabase) and synthetic rows.
func environment(envNS, name, prodNS, dbHost string, rows int) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: prod-readonly, namespace: %[1]s}
stringData:
  dsn: postgres://reader:FAKE-prod-reader-pw-9dK2@%[4]s:5432/orders?sslmode=disable
---
apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  source:
    namespace: %[3]s
    selector: {matchLabels: {app.kubernetes.io/part-of: rp}}
  branch: feature/realpods-%[2]s
  workloads: {replicas: 1}
  network: {isolation: DenyProd}
  config:
    rewrite: [{from: %[4]s, to: orders-db}]
  data:
  - name: orders-db
    engine: postgres
    standIn: {version: "15"}
    schema:
      fromDatabase: {secretRef: {name: prod-readonly, key: dsn}}
    rows: {default: %[5]d}
`, envNS, name, prodNS, dbHost, rows)
}

// loadProd starts prod's database in ns (labelled app.kubernetes.io/name=db, not part of the
// copied app) and loads the schema and rows.
func loadProd(ns string) {
	GinkgoHelper()
	apply(postgresStatefulSet(ns, "db", prodDBUser, prodDBPassword, prodDBName))
	mustKubectl("-n", ns, "rollout", "status", "statefulset/db", "--timeout=3m")
	Eventually(func() error {
		_, err := psqlIn(ns, "db-0", prodDBUser, prodDBPassword, prodDBName, "SELECT 1")
		return err
	}).WithTimeout(podTimeout).WithPolling(poll).Should(Succeed())
	_, err := psqlIn(ns, "db-0", prodDBUser, prodDBPassword, prodDBName, prodSchema)
	Expect(err).NotTo(HaveOccurred())
}

func dbHost(ns string) string { return "db." + ns + ".svc.cluster.local" }

func joinLines(lines ...string) string { return strings.Join(lines, "\n") }
