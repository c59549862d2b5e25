//go:build realpods

package realpods

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// operatorNamespace is where dist/install.yaml installs the operator (and where its schema and
// probe Jobs run).
const operatorNamespace = "envmirror-system"

// installOperator applies dist/install.yaml (rendered by `make build-installer` with the locally
// built image) and waits until the operator's pod is Ready; it returns that pod's name.
func installOperator() string {
	GinkgoHelper()
	install := os.Getenv("ENVMIRROR_REALPODS_INSTALL")
	if install == "" {
		install = filepath.Join(repoRoot, "dist", "install.yaml")
	}
	raw, err := os.ReadFile(install)
	Expect(err).NotTo(HaveOccurred(), "render it: make build-installer IMG=%s", managerImage())
	Expect(string(raw)).To(ContainSubstring("image: "+managerImage()), "%s must run the locally built image", install)
	_, err = kubectlIn(string(raw), "apply", "--server-side", "--force-conflicts", "--field-manager=realpods", "-f", "-")
	Expect(err).NotTo(HaveOccurred())
	if _, err := kubectl("-n", operatorNamespace, "rollout", "status", "deployment/envmirror-manager", "--timeout=3m"); err != nil {
		// Say why: the pod's state, its events and the operator's own log.
		for _, args := range [][]string{
			{"-n", operatorNamespace, "get", "pods", "-o", "wide"},
			{"-n", operatorNamespace, "describe", "pods", "-l", "app.kubernetes.io/name=envmirror"},
			{"-n", operatorNamespace, "logs", "deployment/envmirror-manager", "--tail=60"},
		} {
			out, _ := kubectl(args...)
			GinkgoWriter.Printf("kubectl %s:\n%s\n", strings.Join(args, " "), out)
		}
		Fail("the operator did not become ready: " + err.Error())
	}
	pod := mustKubectl("-n", operatorNamespace, "get", "pods", "-l", "app.kubernetes.io/name=envmirror",
		"--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].metadata.name}")
	Expect(pod).NotTo(BeEmpty())
	return pod
}

// managerImage is the operator's image as the Makefile built and tagged it.
func managerImage() string {
	if img := os.Getenv("ENVMIRROR_REALPODS_MANAGER_IMAGE"); img != "" {
		return img
	}
	return "envmirror/manager:dev"
}

// operatorLogs is the end of the operator's log, for failure messages.
func operatorLogs() string {
	out, _ := kubectl("-n", operatorNamespace, "logs", "deployment/envmirror-manager", "--tail=60")
	return out
}

// postgresStatefulSet is a real PostgreSQL (the postgres:15 test image) with a volume, as prod
// runs it.
func postgresStatefulSet(ns, name, user, password, db string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  selector: {app.kubernetes.io/name: %[2]s}
  ports: [{name: postgres, port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: %[2]s, namespace: %[1]s}
spec:
  serviceName: %[2]s
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: %[2]s}}
  template:
    metadata: {labels: {app.kubernetes.io/name: %[2]s}}
    spec:
      securityContext: {runAsUser: 999, runAsGroup: 999, fsGroup: 999}
      containers:
      - name: postgres
        image: postgres:15
        env:
        - {name: POSTGRES_USER, value: %[3]s}
        - {name: POSTGRES_PASSWORD, value: %[4]s}
        - {name: POSTGRES_DB, value: %[5]s}
        - {name: PGDATA, value: /var/lib/postgresql/data/pgdata}
        ports: [{name: postgres, containerPort: 5432}]
        readinessProbe:
          exec: {command: [sh, -c, 'pg_isready -U %[3]s -d %[5]s -h 127.0.0.1']}
          periodSeconds: 2
        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`, ns, name, user, password, db)
}

// psqlIn runs SQL in a PostgreSQL pod as the given user over its socket-free loopback (the
// container's own POSTGRES_* are not assumed: stand-ins and prod set them differently).
func psqlIn(ns, pod, user, password, db, sql string) (string, error) {
	return kubectlIn(sql, "-n", ns, "exec", "-i", pod, "--", "env", "PGPASSWORD="+password,
		"psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", user, "-d", db)
}

// standInCredentials reads a stand-in's generated credentials (the operator's Secret).
func standInCredentials(ns, name string) (user, password, db string) {
	GinkgoHelper()
	get := func(key string) string {
		out := mustKubectl("-n", ns, "get", "secret", name+"-credentials", "-o", "jsonpath={.data."+key+"}")
		b, err := decodeBase64(out)
		Expect(err).NotTo(HaveOccurred())
		return b
	}
	return get("username"), get("password"), get("database")
}

// kubectlWarnings runs kubectl and returns its stderr (the API server's warnings) as well.
func kubectlWarnings(args ...string) (string, string, error) {
	cmd := exec.Command(kubectlBin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return strings.TrimSpace(out.String()), strings.TrimSpace(errb.String()), err
}

// waitEnvPhase waits for a MirrorEnvironment's phase, failing with its conditions and the
// operator's log.
func waitEnvPhase(ns, name, phase string, timeout time.Duration) {
	GinkgoHelper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		last, _ = kubectl("-n", ns, "get", "mirrorenvironment", name, "-o", "jsonpath={.status.phase}")
		if last == phase {
			return
		}
		time.Sleep(2 * time.Second)
	}
	conds, _ := kubectl("-n", ns, "get", "mirrorenvironment", name, "-o",
		`jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}{.status.data}`)
	Fail(fmt.Sprintf("%s/%s: phase %q, not %s, after %s\n%s\noperator log:\n%s", ns, name, last, phase, timeout, conds, operatorLogs()))
}
