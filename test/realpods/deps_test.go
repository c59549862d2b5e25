//go:build realpods

package realpods

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// The dependency stand-ins on real pods: each engine's test image started by the operator's
// unchanged pod spec, proved by talking to it from a pod.
var _ = Describe("dependency stand-ins on real pods", Label("operator", "dependencies"), Ordered, ContinueOnFailure, func() {
	var prod, rds, envNS string
	const env = "deps"

	BeforeAll(func() {
		installOperator()
		envNS = newNamespace("rp-deps-envs")
		rds = newNamespace("rp-deps-managed")
		prod = newNamespace("rp-deps-prod")
		apply(joinLines(prodBroker(rds), "---", prodMariaDB(rds)))
		mustKubectl("-n", rds, "rollout", "status", "statefulset/broker", "--timeout=4m")
		mustKubectl("-n", rds, "rollout", "status", "statefulset/mariadb", "--timeout=4m")
		By("prod's broker gets an exchange, a queue and a binding (its definitions, no messages)")
		_, err := kubectlIn(prodDefinitions, "-n", rds, "exec", "-i", "broker-0", "--", "sh", "-c",
			"cat > /tmp/defs.json && rabbitmqctl import_definitions /tmp/defs.json")
		Expect(err).NotTo(HaveOccurred())
		apply(joinLines(depsApp(prod), "---", mirrorSource(prod, envNS), "---", depsEnvironment(envNS, env, prod, rds)))
	})

	It("Redis: the stand-in asks for its generated password, which the copied app gets through its injected Secret", func() {
		target := waitDependencies(envNS, env)
		mustKubectl("-n", target, "rollout", "status", "deployment/worker", "--timeout=2m")
		app := mustKubectl("-n", target, "get", "pods", "-l", "app=worker", "-o", "jsonpath={.items[0].metadata.name}")
		Expect(execIn(target, app, "sh", "-c", `redis-cli -u "$REDIS_URL" --no-auth-warning PING`)).To(Equal("PONG"))
		Expect(execIn(target, app, "sh", "-c", `redis-cli -u "$REDIS_URL" --no-auth-warning SET k v`)).To(Equal("OK"))
		out, _ := execIn(target, app, "sh", "-c", `redis-cli -h cache --no-auth-warning -a wrong PING 2>&1`)
		Expect(out).To(SatisfyAll(ContainSubstring("WRONGPASS"), ContainSubstring("NOAUTH")), "the stand-in refuses a wrong password")
		Expect(execIn(target, app, "sh", "-c", `redis-cli -h cache PING 2>&1`)).To(ContainSubstring("NOAUTH"), "and no password")
		Expect(execIn(target, app, "sh", "-c", `echo "$REDIS_URL"`)).NotTo(ContainSubstring("FAKE-prod"))
	})

	It("RabbitMQ: definitionsFromProd copies a real prod broker's exchange, queue and binding into the stand-in", func() {
		target := waitDependencies(envNS, env)
		waitPodReady(target, "broker-0", 3*time.Minute)
		Eventually(func() (string, error) {
			return execIn(target, "broker-0", "rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name")
		}).WithTimeout(2 * time.Minute).WithPolling(3 * time.Second).Should(ContainSubstring("orders.created"))
		Expect(execIn(target, "broker-0", "rabbitmqctl", "list_exchanges", "-q", "--no-table-headers", "name")).
			To(ContainSubstring("orders"))
		Expect(execIn(target, "broker-0", "rabbitmqctl", "list_users", "-q", "--no-table-headers")).
			NotTo(ContainSubstring("prod-admin"), "no prod user reaches the copy")
	})

	It("MariaDB: a probe Job reads prod's version from the real server, and the stand-in runs it", func() {
		target := waitDependencies(envNS, env)
		prodVersion := mustKubectl("-n", rds, "exec", "mariadb-0", "--", "mariadb", "-uroot", "-pFAKE-prod-root-pw-mdb",
			"-N", "-e", "SELECT VERSION()")
		e := getEnv(envNS, env)
		var status *v1alpha1.DependencyStatus
		for i := range e.Status.Dependencies {
			if e.Status.Dependencies[i].Name == "catalog-db" {
				status = &e.Status.Dependencies[i]
			}
		}
		Expect(status).NotTo(BeNil())
		Expect(prodVersion).To(HavePrefix(status.ProdVersion), "the probe read prod's server")
		waitPodReady(target, "catalog-db-0", 3*time.Minute)
		user, password, db := standInCredentials(target, "catalog-db")
		standIn := mustKubectl("-n", target, "exec", "catalog-db-0", "--", "mariadb", "-u"+user, "-p"+password, db, "-N", "-e", "SELECT VERSION()")
		Expect(strings.SplitN(standIn, "-", 2)[0]).To(Equal(strings.SplitN(prodVersion, "-", 2)[0]))
	})

	// Fails until the stand-ins keep fsGroup from re-opening RabbitMQ's Erlang cookie on a
	// remount (issue 18 §3, Recreation).
	It("Recreation: each dependency stand-in with a volume comes back Ready with its data after its pod is deleted", func() {
		target := waitDependencies(envNS, env)
		user, password, db := standInCredentials(target, "catalog-db")
		mariadb := func(sql string) (string, error) {
			return execIn(target, "catalog-db-0", "mariadb", "-u"+user, "-p"+password, db, "-N", "-e", sql)
		}
		_, err := mariadb("CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES ('before-recreation')")
		Expect(err).NotTo(HaveOccurred())
		for _, pod := range []string{"broker-0", "catalog-db-0"} {
			uid := mustKubectl("-n", target, "get", "pod", pod, "-o", "jsonpath={.metadata.uid}")
			mustKubectl("-n", target, "delete", "pod", pod, "--wait=true")
			Eventually(func() string {
				out, _ := kubectl("-n", target, "get", "pod", pod, "-o", "jsonpath={.metadata.uid}")
				return out
			}).WithTimeout(podTimeout).WithPolling(poll).ShouldNot(Or(BeEmpty(), Equal(uid)))
			// RabbitMQ after a remount: fsGroup makes its Erlang cookie group-readable, which Erlang
			// refuses (issue 18); the broker must still come back.
			waitPodReady(target, pod, 3*time.Minute)
		}
		Expect(mariadb("SELECT v FROM kept")).To(Equal("before-recreation"))
		Expect(execIn(target, "broker-0", "rabbitmqctl", "list_queues", "-q", "--no-table-headers", "name")).
			To(ContainSubstring("orders.created"))
		Eventually(func(g Gomega) {
			for _, d := range getEnv(envNS, env).Status.Dependencies {
				g.Expect(d.Ready).To(BeTrue(), d.Name)
			}
		}).WithTimeout(2 * time.Minute).WithPolling(3 * time.Second).Should(Succeed())
	})
})

// waitDependencies waits until every dependency stand-in is Ready and returns the target namespace.
func waitDependencies(ns, name string) string {
	GinkgoHelper()
	var target string
	Eventually(func(g Gomega) {
		e := getEnv(ns, name)
		target = e.Status.TargetNamespace
		g.Expect(e.Status.Dependencies).To(HaveLen(3))
		for _, d := range e.Status.Dependencies {
			g.Expect(d.Ready).To(BeTrue(), "%s: %s %s", d.Name, d.Reason, d.Message)
		}
	}).WithTimeout(seedTimeout).WithPolling(3*time.Second).Should(Succeed(), func() string { return operatorLogs() })
	return target
}

// prodDefinitions are prod's broker definitions: an exchange, a queue and a binding, and a user
// that must not reach the copy.
const prodDefinitions = `{"users": [{"name": "prod-admin", "password": "FAKE-prod-mq-admin-pw", "tags": "administrator"}],
 "vhosts": [{"name": "/"}],
 "permissions": [{"user": "prod-admin", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
 "exchanges": [{"name": "orders", "vhost": "/", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}],
 "queues": [{"name": "orders.created", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-queue-type": "classic"}}],
 "bindings": [{"source": "orders", "vhost": "/", "destination": "orders.created", "destination_type": "queue", "routing_key": "order.created", "arguments": {}}]}`

// prodBroker and prodMariaDB are prod's managed services, as real servers of the test images.
func prodBroker(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: broker, namespace: %[1]s}
spec:
  selector: {app: broker}
  ports: [{name: amqp, port: 5672}, {name: management, port: 15672}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: broker, namespace: %[1]s}
spec:
  serviceName: broker
  replicas: 1
  selector: {matchLabels: {app: broker}}
  template:
    metadata: {labels: {app: broker}}
    spec:
      securityContext: {runAsUser: 999, runAsGroup: 999, fsGroup: 999}
      containers:
      - name: rabbitmq
        image: %[2]s
        env:
        - {name: RABBITMQ_DEFAULT_USER, value: reader}
        - {name: RABBITMQ_DEFAULT_PASS, value: FAKE-prod-mq-reader-pw}
        readinessProbe:
          tcpSocket: {port: 15672}
          periodSeconds: 3
`, ns, imageRef("rabbitmq"))
}

func prodMariaDB(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: mariadb, namespace: %[1]s}
spec:
  selector: {app: mariadb}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: mariadb, namespace: %[1]s}
spec:
  serviceName: mariadb
  replicas: 1
  selector: {matchLabels: {app: mariadb}}
  template:
    metadata: {labels: {app: mariadb}}
    spec:
      securityContext: {runAsUser: 999, runAsGroup: 999, fsGroup: 999}
      containers:
      - name: mariadb
        image: %[2]s
        env:
        - {name: MARIADB_ROOT_PASSWORD, value: FAKE-prod-root-pw-mdb}
        - {name: MARIADB_USER, value: reader}
        - {name: MARIADB_PASSWORD, value: FAKE-prod-reader-pw-mdb}
        - {name: MARIADB_DATABASE, value: catalog}
        readinessProbe:
          tcpSocket: {port: 3306}
          periodSeconds: 2
`, ns, imageRef("mariadb"))
}

// depsApp is prod's worker: the redis image's redis-cli, with prod's cache URL in a Secret.
func depsApp(ns string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: app-env, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
stringData:
  REDIS_URL: rediss://default:FAKE-prod-redis-pw@prod-cache.example.com:6380
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: %[1]s, labels: {app.kubernetes.io/part-of: rp}}
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker, app.kubernetes.io/part-of: rp}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 999, seccompProfile: {type: RuntimeDefault}}
      terminationGracePeriodSeconds: 1
      containers:
      - name: worker
        image: %[2]s
        command: [sleep, "3600"]
        envFrom: [{secretRef: {name: app-env}}]
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`, ns, imageRef("redis"))
}

// depsEnvironment copies the worker with three stand-ins: a Redis at the version Debian ships
// (the copied REDIS_URL becomes the stand-in's through a template), a RabbitMQ with prod's
// definitions, and a MariaDB at the version a probe reads from prod.
func depsEnvironment(envNS, name, prodNS, rds string) string {
	redisVersion := strings.TrimPrefix(imageRef("redis"), "docker.io/library/redis:")
	return fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: prod-services, namespace: %[1]s}
stringData:
  broker: http://reader:FAKE-prod-mq-reader-pw@broker.%[4]s.svc.cluster.local:15672
  mariadb: mysql://reader:FAKE-prod-reader-pw-mdb@mariadb.%[4]s.svc.cluster.local:3306/catalog
---
apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  source:
    namespace: %[3]s
    selector: {matchLabels: {app.kubernetes.io/part-of: rp}}
  branch: feature/realpods-deps
  workloads: {replicas: 1}
  config:
    secrets:
      rules:
      - {secret: app-env, key: REDIS_URL, template: '{{ secret "cache" "uri" }}'}
  dependencies:
  - {name: cache, engine: redis, version: "%[5]s", replaces: [prod-cache.example.com]}
  - name: broker
    engine: rabbitmq
    versionFrom: {secretRef: {name: prod-services, key: broker}}
    definitionsFromProd: true
  - name: catalog-db
    engine: mariadb
    versionFrom: {secretRef: {name: prod-services, key: mariadb}}
`, envNS, name, prodNS, rds, redisVersion)
}
