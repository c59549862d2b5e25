//go:build e2e

package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const (
	// sourceNamespace is the "production" namespace of config/samples/prod-shop.
	sourceNamespace = "shop-prod"
	// envNamespace holds the suite's MirrorEnvironments (and the schema ConfigMap of
	// config/samples/dev-envs.yaml).
	envNamespace = "dev-envs"
	// schemaConfigMap is the orders schema in envNamespace.
	schemaConfigMap = "shop-orders-schema"
	readyTimeout    = 5 * time.Minute
	goneTimeout     = 3 * time.Minute
	poll            = 2 * time.Second
)

var (
	repoRoot   string
	clusterDir string
	kubeconfig string
	kubectlBin string
	managerBin string
	// runID keeps each run's environment names apart from leftovers of an earlier run.
	runID string
	// suiteStart bounds the audit-log scan to this run.
	suiteStart time.Time
	operator   *operatorProcess
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "envmirror e2e suite")
}

var _ = BeforeSuite(func() {
	suiteStart = time.Now().Add(-time.Second)
	var err error
	repoRoot, err = filepath.Abs("../..")
	Expect(err).NotTo(HaveOccurred())
	// Relative paths are taken from the repository root (go test runs in test/e2e).
	abs := func(envVar, def string) string {
		v := os.Getenv(envVar)
		if v == "" {
			v = def
		}
		if !filepath.IsAbs(v) {
			v = filepath.Join(repoRoot, v)
		}
		return filepath.Clean(v)
	}
	clusterDir = abs("ENVMIRROR_CLUSTER_DIR", "bin/cluster")
	kubeconfig = abs("ENVMIRROR_E2E_KUBECONFIG", "bin/cluster/kubeconfig")
	kubectlBin = abs("ENVMIRROR_E2E_KUBECTL", "bin/k8s/kubectl")
	managerBin = abs("ENVMIRROR_E2E_MANAGER", "bin/manager")
	runID = fmt.Sprintf("%04x", rand.IntN(1<<16))
	for _, f := range []struct{ path, hint string }{
		{kubeconfig, "start the local cluster: make cluster-up"},
		{kubectlBin, "build it: make k8s-assets"},
	} {
		if _, err := os.Stat(f.path); err != nil {
			Fail(fmt.Sprintf("%s is missing (%s); `make test-e2e` does all of it", f.path, f.hint))
		}
	}
	By(fmt.Sprintf("using kubeconfig %s, run id %s", kubeconfig, runID))
	Expect(kubectl("get", "--raw", "/readyz")).To(Equal("ok"), "the cluster's apiserver is not ready: make cluster-up")
	if pid, ok := demoOperatorRunning(); ok {
		Fail(fmt.Sprintf("the demo's operator (pid %d) runs against this cluster; two operators would fight over the "+
			"same objects. Stop it first: make demo-down (or bin/envmirror-cluster stop manager)", pid))
	}

	By("installing the CRDs")
	mustKubectl("apply", "--server-side", "--force-conflicts", "-f", filepath.Join(repoRoot, "config/crd/bases"))
	// Polled, not `kubectl wait`: that fails at once when it meets a CRD before the API server
	// wrote any condition (".status.conditions accessor error: <nil>").
	for _, crd := range []string{"mirrorenvironments.envmirror.io", "mirrorsources.envmirror.io"} {
		Eventually(func() (string, error) {
			return kubectl("get", "crd", crd, "-o", `jsonpath={.status.conditions[?(@.type=="Established")].status}`)
		}, 60*time.Second, 200*time.Millisecond).Should(Equal("True"), "crd/%s established", crd)
	}
	// The ClusterRole the operator binds to itself in each target namespace (make deploy installs
	// it with the rest of config/rbac).
	if _, err := os.Stat(filepath.Join(repoRoot, "config/rbac/copywriter")); err == nil {
		mustKubectl("apply", "--server-side", "--force-conflicts", "-f", filepath.Join(repoRoot, "config/rbac/copywriter"))
	}

	By("applying the prod shop and waiting until it runs")
	mustKubectl("apply", "-f", filepath.Join(repoRoot, "config/samples/prod-shop/"))
	mustKubectl("apply", "-f", filepath.Join(repoRoot, "config/samples/dev-envs.yaml"))
	mustKubectl("-n", sourceNamespace, "wait", "--for", "condition=Available", "--timeout=180s", "deployment", "--all")
	mustKubectl("-n", sourceNamespace, "rollout", "status", "statefulset/postgres", "--timeout=180s")
	// What the operator pins to: every prod pod reports the digest it runs, as on a real kubelet.
	Eventually(func(g Gomega) {
		pods := listPods(g, sourceNamespace, "app.kubernetes.io/part-of=shop")
		g.Expect(pods.Items).NotTo(BeEmpty())
		for _, pod := range pods.Items {
			g.Expect(pod.Status.ContainerStatuses).To(HaveLen(len(pod.Spec.Containers)), "pod %s", pod.Name)
			for _, cs := range append(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses...) {
				g.Expect(cs.ImageID).To(MatchRegexp(`^docker-pullable://[^@]+@sha256:[0-9a-f]{64}$`),
					"pod %s container %s", pod.Name, cs.Name)
			}
		}
	}).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed())
	// The operator starts with the first MirrorEnvironment spec, so the cluster's own specs run
	// without it: go test -tags e2e ./test/e2e/ -ginkgo.focus="local cluster".
})

var _ = AfterSuite(func() {
	if operator != nil {
		operator.stop()
		By("operator log: " + operator.logPath)
	}
})
