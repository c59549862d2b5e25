//go:build realpods

package realpods

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
)

// The node itself: what every other spec relies on, each proved by a pod doing it.
var _ = Describe("the real node", Label("smoke"), func() {
	It("runs a pod, and reports its image by the local config digest", func() {
		ns := newNamespace("smoke-pod")
		clientPod(ns, "hello")
		Expect(execIn(ns, "hello", "echo", "hello from a real container")).To(Equal("hello from a real container"))
		var pod corev1.Pod
		getJSON(Default, &pod, "-n", ns, "get", "pod", "hello")
		Expect(pod.Spec.NodeName).To(Equal(realNode))
		Expect(pod.Status.ContainerStatuses).To(HaveLen(1))
		// A local runtime that never pulled reports the bare config digest (issue 18, "Image identity").
		Expect(pod.Status.ContainerStatuses[0].ImageID).To(MatchRegexp(`^sha256:[0-9a-f]{64}$`))
	})

	It("resolves a Service's name through CoreDNS and reaches its pods through kube-proxy", func() {
		ns := newNamespace("smoke-dns")
		apply(fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: %[1]s}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: %[2]s
        command: [sh, -c, 'mkdir -p /www && echo served-by-web > /www/index.html && exec httpd -f -p 8080 -h /www']
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %[1]s}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`, ns, imageRef(busyboxName)))
		mustKubectl("-n", ns, "rollout", "status", "deployment/web", "--timeout=2m")
		clientPod(ns, "client")
		Eventually(func(g Gomega) {
			out, err := execIn(ns, "client", "nslookup", "web."+ns+".svc.cluster.local")
			g.Expect(err).NotTo(HaveOccurred(), out)
			clusterIP := mustKubectl("-n", ns, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}")
			g.Expect(out).To(ContainSubstring(clusterIP))
		}).WithTimeout(time.Minute).WithPolling(2 * time.Second).Should(Succeed())
		// The short name through the pod's search path, and an HTTP answer through the Service.
		Eventually(func() (string, error) {
			return execIn(ns, "client", "wget", "-q", "-O", "-", "http://web/")
		}).WithTimeout(time.Minute).WithPolling(2 * time.Second).Should(Equal("served-by-web"))
		// The cluster's own apiserver through the kubernetes Service (the in-cluster operator's path).
		Expect(canConnect(ns, "client", "kubernetes.default.svc.cluster.local", 443)).To(BeTrue())
	})

	It("binds a PVC and writes to it, and the data survives the pod", func() {
		ns := newNamespace("smoke-pvc")
		writer := func(name, cmd string) string {
			return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 999, runAsGroup: 999, fsGroup: 999}
  containers:
  - name: c
    image: %s
    command: [sh, -c, %q]
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: data}
`, name, ns, imageRef(busyboxName), cmd)
		}
		apply(fmt.Sprintf(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: %s}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 64Mi}}
`, ns) + "---\n" + writer("write", "echo written-by-999 > /data/f && ls -ln /data/f"))
		Eventually(func() string {
			return mustKubectl("-n", ns, "get", "pod", "write", "-o", "jsonpath={.status.phase}")
		}).WithTimeout(podTimeout).WithPolling(poll).Should(Equal("Succeeded"))
		Expect(mustKubectl("-n", ns, "get", "pvc", "data", "-o", "jsonpath={.status.phase}")).To(Equal("Bound"))
		pv := mustKubectl("-n", ns, "get", "pvc", "data", "-o", "jsonpath={.spec.volumeName}")
		Expect(mustKubectl("get", "pv", pv, "-o", "jsonpath={.spec.local.path}")).NotTo(BeEmpty(), "a local PV (fsGroup applies)")
		apply(writer("read", "cat /data/f"))
		Eventually(func() string {
			return mustKubectl("-n", ns, "get", "pod", "read", "-o", "jsonpath={.status.phase}")
		}).WithTimeout(podTimeout).WithPolling(poll).Should(Equal("Succeeded"))
		Expect(mustKubectl("-n", ns, "logs", "read")).To(Equal("written-by-999"))
	})

	It("enforces a NetworkPolicy: denies what it does not allow, allows what it does", func() {
		ns := newNamespace("smoke-netpol")
		apply(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: server, namespace: %s, labels: {app: server}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: server
    image: %s
    command: [sh, -c, 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www']
`, ns, imageRef(busyboxName)))
		waitPodReady(ns, "server", podTimeout)
		clientPod(ns, "allowed", "role: frontend")
		clientPod(ns, "denied", "role: other")
		ip := mustKubectl("-n", ns, "get", "pod", "server", "-o", "jsonpath={.status.podIP}")
		// Without a policy both reach it: a later refusal is the policy's doing.
		Expect(canConnect(ns, "allowed", ip, 8080)).To(BeTrue())
		Expect(canConnect(ns, "denied", ip, 8080)).To(BeTrue())
		apply(fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-frontend, namespace: %s}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: frontend}}}]
    ports: [{port: 8080}]
`, ns))
		Eventually(func() bool { return canConnect(ns, "denied", ip, 8080) }).
			WithTimeout(time.Minute).WithPolling(2*time.Second).Should(BeFalse(), "the policy denies role=other")
		Consistently(func() bool { return canConnect(ns, "allowed", ip, 8080) }).
			WithTimeout(10*time.Second).WithPolling(2*time.Second).Should(BeTrue(), "the policy allows role=frontend")
		mustKubectl("-n", ns, "delete", "networkpolicy", "only-frontend")
		Eventually(func() bool { return canConnect(ns, "denied", ip, 8080) }).
			WithTimeout(time.Minute).WithPolling(2*time.Second).Should(BeTrue(), "deleting the policy lifts the denial")
	})

	It("starts the PostgreSQL test image, which takes a connection with POSTGRES_PASSWORD only", func() {
		ns := newNamespace("smoke-postgres")
		image := imageRef("postgres")
		apply(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: db, namespace: %[1]s, labels: {app: db}}
spec:
  securityContext: {runAsUser: 999, runAsGroup: 999, fsGroup: 999, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: postgres
    image: %[2]s
    env:
    - {name: POSTGRES_PASSWORD, value: s3cret-smoke}
    - {name: POSTGRES_USER, value: app}
    - {name: POSTGRES_DB, value: appdb}
    - {name: PGDATA, value: /var/lib/postgresql/data/pgdata}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    readinessProbe:
      exec: {command: [sh, -c, 'pg_isready -U app -d appdb -h 127.0.0.1']}
      periodSeconds: 1
    volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumes:
  - name: data
    emptyDir: {}
`, ns, image))
		waitPodReady(ns, "db", podTimeout)
		ip := mustKubectl("-n", ns, "get", "pod", "db", "-o", "jsonpath={.status.podIP}")
		apply(fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: psql, namespace: %s}
spec:
  securityContext: {runAsUser: 999}
  containers:
  - name: psql
    image: %s
    command: [sleep, "3600"]
`, ns, image))
		waitPodReady(ns, "psql", podTimeout)
		out, err := execIn(ns, "psql", "env", "PGPASSWORD=s3cret-smoke", "psql", "-h", ip, "-U", "app", "-d", "appdb", "-tAc",
			"SELECT current_user || ' ' || current_database() || ' ' || current_setting('server_version_num')")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(MatchRegexp(`^app appdb 15\d{4}$`))
		out, err = execIn(ns, "psql", "env", "PGPASSWORD=wrong", "psql", "-h", ip, "-U", "app", "-d", "appdb", "-tAc", "SELECT 1")
		Expect(err).To(HaveOccurred(), "a wrong password is refused (scram-sha-256), got %q", out)
		Expect(err.Error()).To(ContainSubstring("password authentication failed"))
	})

	It("runs a Job to completion", func() {
		ns := newNamespace("smoke-job")
		apply(fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata: {name: count, namespace: %s}
spec:
  completions: 2
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: %s
        command: [sh, -c, 'echo done $(hostname)']
`, ns, imageRef(busyboxName)))
		mustKubectl("-n", ns, "wait", "--for=condition=Complete", "job/count", "--timeout=2m")
		logs := mustKubectl("-n", ns, "logs", "job/count")
		Expect(strings.HasPrefix(logs, "done count-")).To(BeTrue(), logs)
	})
})
