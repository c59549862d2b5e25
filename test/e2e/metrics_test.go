//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/envmirror/envmirror/internal/metrics"
)

// The operator as `make deploy` installs it: install.yaml applied for real (its Deployment's pod
// "runs" on a KWOK node), and bin/manager started as that pod's container would be, with the
// Deployment's args, the pod's downward-API environment and its ServiceAccount's token. Only
// the listen addresses differ: loopback and free ports, since the process shares this machine.
var _ = Describe("The operator as deployed", Ordered, func() {
	var d *deployedOperator

	BeforeAll(func() {
		if operator != nil {
			By("stopping the suite's operator: one operator at a time")
			operator.stop()
			operator = nil
		}
		d = deployOperator()
		operator = d.process
	})

	It("holds the leader-election lease in its own namespace", func() {
		Eventually(func(g Gomega) {
			g.Expect(leaseHolder(g)).NotTo(BeEmpty())
		}).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed())
	})

	It("seeds with its own pod's image", func() {
		name := envName("deployed")
		before := d.environments("Ready")
		createEnv(envOptions{name: name, data: true})
		waitForPhase(name, "Ready", readyTimeout)
		jobs := listJobs(Default, targetNamespace(name), labelEnvironment+"="+name)
		Expect(jobs.Items).NotTo(BeEmpty())
		for _, j := range jobs.Items {
			Expect(j.Spec.Template.Spec.Containers[0].Image).To(Equal(d.image), "Job %s", j.Name)
		}

		By("counting it in envmirror_environments{phase=\"Ready\"}")
		Eventually(func() float64 { return d.environments("Ready") }).
			WithTimeout(30*time.Second).WithPolling(time.Second).Should(Equal(before+1), "was %v before", before)
		mustKubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--wait=false")
		Eventually(func() float64 { return d.environments("Ready") }).
			WithTimeout(goneTimeout).WithPolling(time.Second).Should(Equal(before))
	})

	It("serves metrics only to callers allowed to GET /metrics", func() {
		code, _ := scrapeMetrics(d.metricsURL, "")
		Expect(code).To(Equal(http.StatusUnauthorized), "no token")
		code, body := scrapeMetrics(d.metricsURL, d.nosyToken)
		Expect(code).To(Equal(http.StatusForbidden), body)
		code, body = scrapeMetrics(d.metricsURL, d.readerToken)
		Expect(code).To(Equal(http.StatusOK), body)
		Expect(body).To(MatchRegexp(`controller_runtime_reconcile_total\{controller="mirrorenvironment",result="success"\} [1-9]`))
	})

	It("hands the lease over at once when it stops", func() {
		Expect(leaseHolder(Default)).NotTo(BeEmpty())
		stopped := time.Now()
		operator.kill(syscall.SIGTERM)
		operator = nil // the next spec that needs one starts the suite's own
		Eventually(leaseHolder).WithTimeout(5*time.Second).WithPolling(200*time.Millisecond).Should(BeEmpty(),
			"a clean stop releases the lease (LeaderElectionReleaseOnCancel)")
		By(fmt.Sprintf("lease released %s after SIGTERM", time.Since(stopped).Round(100*time.Millisecond)))
	})
})

// deployedOperator is bin/manager running as the deployed pod's container.
type deployedOperator struct {
	process                *operatorProcess
	image                  string // the Deployment's image
	metricsURL             string
	readerToken, nosyToken string // a ServiceAccount bound to envmirror-metrics-reader, and one not
}

// environments is the value of envmirror_environments{phase=...}.
func (d *deployedOperator) environments(phase string) float64 {
	GinkgoHelper()
	code, body := scrapeMetrics(d.metricsURL, d.readerToken)
	Expect(code).To(Equal(http.StatusOK), body)
	v, err := metrics.SeriesValue(body, fmt.Sprintf(`envmirror_environments{phase=%q}`, phase))
	Expect(err).NotTo(HaveOccurred())
	return v
}

// deployOperator applies install.yaml (with an image of this run), waits for the Deployment's
// pod, and starts bin/manager as its container.
func deployOperator() *deployedOperator {
	GinkgoHelper()
	d := &deployedOperator{image: "registry.example/envmirror/manager:e2e-" + runID}
	const defaultImage = "image: envmirror/manager:dev"
	manifests := renderedInstall()
	Expect(strings.Count(manifests, defaultImage)).To(Equal(1), "install.yaml's manager image")
	manifests = strings.Replace(manifests, defaultImage, "image: "+d.image, 1)
	By("applying install.yaml with image " + d.image)
	_, err := kubectlIn(manifests, "apply", "--server-side", "--force-conflicts", "-f", "-")
	Expect(err).NotTo(HaveOccurred())
	mustKubectl("-n", operatorNamespace, "rollout", "status", "deployment/envmirror-manager", "--timeout=120s")
	var pod string
	Eventually(func(g Gomega) {
		pods := listPods(g, operatorNamespace, "app.kubernetes.io/name=envmirror")
		pod = ""
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && p.Spec.Containers[0].Image == d.image && p.Status.Phase == "Running" {
				pod = p.Name
			}
		}
		g.Expect(pod).NotTo(BeEmpty(), "a running pod of the Deployment with image %s", d.image)
	}).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed())

	deployment := managerDeployment(manifests)
	args := append([]string{}, deployment.Spec.Template.Spec.Containers[0].Args...)
	probePort, metricsPort := freeLocalPort(), freeLocalPort()
	args = append(args, "--kubeconfig="+serviceAccountKubeconfig(operatorNamespace, "envmirror-manager"),
		fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", probePort),
		fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", metricsPort))
	env := []string{"POD_NAME=" + pod, "POD_NAMESPACE=" + operatorNamespace}
	d.process = launchOperator(args, env, probePort)
	d.metricsURL = fmt.Sprintf("https://127.0.0.1:%d/metrics", metricsPort)

	reader, nosy := "e2e-metrics-reader-"+runID, "e2e-nosy-"+runID
	for _, sa := range []string{reader, nosy} {
		mustKubectl("-n", operatorNamespace, "create", "serviceaccount", sa)
		DeferCleanup(func() { _, _ = kubectl("-n", operatorNamespace, "delete", "serviceaccount", sa) })
	}
	mustKubectl("create", "clusterrolebinding", reader, "--clusterrole=envmirror-metrics-reader",
		"--serviceaccount="+operatorNamespace+":"+reader)
	DeferCleanup(func() { _, _ = kubectl("delete", "clusterrolebinding", reader) })
	d.readerToken = strings.TrimSpace(mustKubectl("-n", operatorNamespace, "create", "token", reader))
	d.nosyToken = strings.TrimSpace(mustKubectl("-n", operatorNamespace, "create", "token", nosy))
	return d
}

// serviceAccountKubeconfig writes a kubeconfig for the cluster with a token of the
// ServiceAccount, the credentials a pod of it would have.
func serviceAccountKubeconfig(namespace, sa string) string {
	GinkgoHelper()
	admin, err := clientcmd.LoadFromFile(kubeconfig)
	Expect(err).NotTo(HaveOccurred())
	cluster := admin.Clusters[admin.Contexts[admin.CurrentContext].Cluster]
	token := strings.TrimSpace(mustKubectl("-n", namespace, "create", "token", sa, "--duration=2h"))
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["cluster"] = cluster
	cfg.AuthInfos[sa] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["sa"] = &clientcmdapi.Context{Cluster: "cluster", AuthInfo: sa}
	cfg.CurrentContext = "sa"
	path := filepath.Join(clusterDir, sa+"-e2e.kubeconfig")
	Expect(clientcmd.WriteToFile(*cfg, path)).To(Succeed())
	return path
}

// launchOperator starts bin/manager with args and extra environment, logging to the suite's
// operator log, and waits until its readiness probe on probePort answers.
func launchOperator(args, env []string, probePort int) *operatorProcess {
	GinkgoHelper()
	logPath := filepath.Join(clusterDir, "logs", "manager-e2e.log")
	Expect(os.MkdirAll(filepath.Dir(logPath), 0o755)).To(Succeed())
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	Expect(err).NotTo(HaveOccurred())
	defer logFile.Close()
	fmt.Fprintf(logFile, "\n==== %s: e2e starts %s %s %s\n", time.Now().Format(time.RFC3339),
		strings.Join(env, " "), managerBin, strings.Join(args, " "))
	cmd := exec.Command(managerBin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	Expect(cmd.Start()).To(Succeed())
	op := &operatorProcess{cmd: cmd, logPath: logPath, port: probePort, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(op.done) }()
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", probePort)
	Eventually(func(g Gomega) {
		if op.exited() {
			StopTrying("the operator exited during start:\n" + op.logTail(40)).Now()
		}
		resp, err := http.Get(url)
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}).WithTimeout(90*time.Second).WithPolling(500*time.Millisecond).Should(Succeed(), "readiness on %s; log %s", url, logPath)
	return op
}

func freeLocalPort() int {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// leaseHolder is the holder of the operator's leader-election lease ("" when released).
func leaseHolder(g Gomega) string {
	var lease coordinationv1.Lease
	getJSON(g, &lease, "lease", "envmirror.io", "-n", operatorNamespace)
	if lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// scrapeMetrics GETs the manager's metrics; its certificate is self-signed.
func scrapeMetrics(url, token string) (int, string) {
	GinkgoHelper()
	code, body, err := metrics.Scrape(url, token, true)
	Expect(err).NotTo(HaveOccurred())
	return code, body
}
