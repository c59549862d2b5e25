//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// ---- kubectl -------------------------------------------------------------------------------

// kubectlIn runs kubectl against the cluster with stdin and returns stdout; the error carries
// stderr.
func kubectlIn(stdin string, args ...string) (string, error) {
	cmd := exec.Command(kubectlBin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func kubectl(args ...string) (string, error) { return kubectlIn("", args...) }

// mustKubectl runs kubectl and fails the spec on error.
func mustKubectl(args ...string) string {
	GinkgoHelper()
	out, err := kubectl(args...)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// getJSON decodes `kubectl get ... -o json` into out.
func getJSON(g Gomega, out any, args ...string) {
	s, err := kubectl(append([]string{"get", "-o", "json"}, args...)...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(json.Unmarshal([]byte(s), out)).To(Succeed())
}

// notFound reports whether `kubectl get` says the object does not exist.
func notFound(args ...string) bool {
	_, err := kubectl(append([]string{"get"}, args...)...)
	return err != nil && strings.Contains(err.Error(), "NotFound")
}

// listArgs are kubectl get's arguments for a kind in a namespace, optionally by selector.
func listArgs(kind, ns, selector string) []string {
	args := []string{kind, "-n", ns}
	if selector != "" {
		args = append(args, "-l", selector)
	}
	return args
}

func listPods(g Gomega, ns, selector string) *corev1.PodList {
	var l corev1.PodList
	getJSON(g, &l, listArgs("pods", ns, selector)...)
	return &l
}

func listDeployments(g Gomega, ns, selector string) *appsv1.DeploymentList {
	var l appsv1.DeploymentList
	getJSON(g, &l, listArgs("deployments", ns, selector)...)
	return &l
}

func listStatefulSets(g Gomega, ns, selector string) *appsv1.StatefulSetList {
	var l appsv1.StatefulSetList
	getJSON(g, &l, listArgs("statefulsets", ns, selector)...)
	return &l
}

func listJobs(g Gomega, ns, selector string) *batchv1.JobList {
	var l batchv1.JobList
	getJSON(g, &l, listArgs("jobs", ns, selector)...)
	return &l
}

// ---- MirrorEnvironments ----------------------------------------------------------------------

// envOptions shape a MirrorEnvironment manifest for a spec.
type envOptions struct {
	name string
	ttl  string
	data bool // a stand-in postgres with the sample's schema
}

// envName gives a spec's environment a name unique to this run.
func envName(base string) string { return base + "-" + runID }

func (o envOptions) manifest() string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata:
  name: %s
  namespace: %s
spec:
  source:
    namespace: %s
    selector:
      matchLabels:
        app.kubernetes.io/part-of: shop
  branch: e2e/%s
  workloads:
    replicas: 1
`, o.name, envNamespace, sourceNamespace, o.name)
	if o.ttl != "" {
		fmt.Fprintf(&b, "  ttl: %q\n", o.ttl)
	}
	if o.data {
		fmt.Fprintf(&b, `  data:
  - name: orders-db
    engine: postgres
    standIn:
      version: "16.4"
    schema:
      configMapRef:
        name: %s
        key: schema.sql
    rows:
      default: 50
`, schemaConfigMap)
	}
	return b.String()
}

// createEnv applies the environment and registers its deletion (without waiting) as cleanup.
func createEnv(o envOptions) {
	GinkgoHelper()
	By(fmt.Sprintf("creating MirrorEnvironment %s/%s", envNamespace, o.name))
	_, err := kubectlIn(o.manifest(), "apply", "-f", "-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		_, _ = kubectl("-n", envNamespace, "delete", "mirrorenvironment", o.name, "--ignore-not-found", "--wait=false")
	})
}

func envField(name, jsonpath string) string {
	out, _ := kubectl("-n", envNamespace, "get", "mirrorenvironment", name, "-o", "jsonpath="+jsonpath)
	return out
}

// waitForPhase waits until the environment reports the phase; on timeout it fails with the
// conditions and the end of the operator's log.
func waitForPhase(name, phase string, timeout time.Duration) {
	GinkgoHelper()
	By(fmt.Sprintf("waiting up to %s for %s to be %s", timeout, name, phase))
	deadline := time.Now().Add(timeout)
	var failedSince time.Time
	for {
		current := envField(name, "{.status.phase}")
		if current == phase {
			return
		}
		// Failed may be on its way to a retry; a minute of it is an answer.
		switch {
		case current != "Failed":
			failedSince = time.Time{}
		case failedSince.IsZero():
			failedSince = time.Now()
		case phase != "Failed" && time.Since(failedSince) > time.Minute:
			deadline = time.Now()
		}
		if operator != nil && operator.exited() {
			Fail(fmt.Sprintf("the operator exited while %s/%s was on its way to %s:\n%s",
				envNamespace, name, phase, operator.logTail(40)))
		}
		if time.Now().After(deadline) {
			Fail(fmt.Sprintf("MirrorEnvironment %s/%s did not reach phase %s (waited up to %s).\nphase: %q\nconditions:\n%s\n%s",
				envNamespace, name, phase, timeout, envField(name, "{.status.phase}"),
				envField(name, `{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}`),
				operator.logTail(40)))
		}
		time.Sleep(poll)
	}
}

// targetNamespace is the copy's namespace as the status reports it.
func targetNamespace(name string) string {
	GinkgoHelper()
	ns := envField(name, "{.status.targetNamespace}")
	Expect(ns).NotTo(BeEmpty(), "status.targetNamespace of %s", name)
	return ns
}

// expectNamespaceGone waits until the namespace no longer exists.
func expectNamespaceGone(ns string) {
	GinkgoHelper()
	Eventually(func() bool { return notFound("namespace", ns) }).
		WithTimeout(goneTimeout).WithPolling(poll).Should(BeTrue(), "namespace %s still exists", ns)
}

// ---- images ----------------------------------------------------------------------------------

// digestOf returns the "sha256:<hex>" of an image reference or imageID, or "".
func digestOf(ref string) string {
	if i := strings.LastIndex(ref, "@"); i >= 0 {
		return ref[i+1:]
	}
	return ""
}

// repositoryOf strips the tag and digest (and an imageID's scheme) from an image reference.
func repositoryOf(ref string) string {
	if i := strings.Index(ref, "://"); i >= 0 {
		ref = ref[i+3:]
	}
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i >= 0 && !strings.Contains(ref[i:], "/") {
		ref = ref[:i]
	}
	return ref
}

// prodDigests maps "<workload>/<container>" to the digests prod's pods of that workload run.
func prodDigests(g Gomega) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	add := func(workload string, sel *metav1.LabelSelector) {
		selector, err := metav1.LabelSelectorAsSelector(sel)
		g.Expect(err).NotTo(HaveOccurred())
		for _, pod := range listPods(g, sourceNamespace, selector.String()).Items {
			for _, cs := range append(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses...) {
				key := workload + "/" + cs.Name
				if out[key] == nil {
					out[key] = map[string]bool{}
				}
				if d := digestOf(cs.ImageID); d != "" {
					out[key][d] = true
				}
			}
		}
	}
	for _, d := range listDeployments(g, sourceNamespace, "app.kubernetes.io/part-of=shop").Items {
		add(d.Name, d.Spec.Selector)
	}
	for _, s := range listStatefulSets(g, sourceNamespace, "app.kubernetes.io/part-of=shop").Items {
		add(s.Name, s.Spec.Selector)
	}
	return out
}

// ---- secrets and the audit log ---------------------------------------------------------------

// prodCanaries returns prod's secret values that must never appear in a copy: every value of
// config/samples/prod-shop marked FAKE-prod, and private keys.
func prodCanaries(g Gomega) []string {
	var secrets corev1.SecretList
	getJSON(g, &secrets, "secrets", "-n", sourceNamespace)
	var canaries []string
	for _, s := range secrets.Items {
		for _, v := range s.Data {
			if str := string(v); strings.Contains(str, "FAKE-prod") || strings.Contains(str, "PRIVATE KEY") {
				canaries = append(canaries, str)
			}
		}
	}
	g.Expect(canaries).NotTo(BeEmpty(), "prod's secrets hold no canary values: is config/samples/prod-shop applied?")
	return canaries
}

// expectNoProdSecretsIn scans every listable namespaced resource in ns for prod's secret values,
// raw and base64-encoded, and for any "FAKE-prod" marker (Secret data is decoded first).
func expectNoProdSecretsIn(ns string) {
	GinkgoHelper()
	canaries := prodCanaries(Default)
	kinds := strings.Fields(mustKubectl("api-resources", "--verbs=list", "--namespaced", "-o", "name"))
	Expect(kinds).NotTo(BeEmpty())
	var dump strings.Builder
	for _, kind := range kinds {
		if kind == "events" || kind == "events.events.k8s.io" {
			continue
		}
		out, err := kubectl("get", kind, "-n", ns, "-o", "json")
		if err != nil {
			continue // e.g. a kind whose API is not served right now
		}
		dump.WriteString(out)
		if kind == "secrets" {
			var l corev1.SecretList
			Expect(json.Unmarshal([]byte(out), &l)).To(Succeed())
			for _, s := range l.Items {
				for k, v := range s.Data {
					fmt.Fprintf(&dump, "\n%s/%s: %s\n", s.Name, k, v)
				}
			}
		}
	}
	text := dump.String()
	Expect(text).NotTo(ContainSubstring("FAKE-prod"), "a prod secret value (marked FAKE-prod) appears in namespace %s", ns)
	for _, c := range canaries {
		for _, form := range []string{c, base64.StdEncoding.EncodeToString([]byte(c))} {
			Expect(strings.Contains(text, form)).To(BeFalse(), "prod secret bytes %.24q... appear in namespace %s", c, ns)
		}
		for _, line := range strings.Split(c, "\n") {
			if len(line) >= 40 { // a line of a PEM body
				Expect(strings.Contains(text, line)).To(BeFalse(), "a line of a prod private key appears in namespace %s", ns)
			}
		}
	}
}

type auditEvent struct {
	Verb      string `json:"verb"`
	UserAgent string `json:"userAgent"`
	User      struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Subresource string `json:"subresource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
	} `json:"objectRef"`
	StageTimestamp time.Time `json:"stageTimestamp"`
}

// expectNoOperatorWritesToProd reads the cluster's audit log (every write is recorded) and fails
// when anyone but kubectl (this suite), KWOK and the control plane wrote to the source namespace
// during this run: the operator, which runs with the same admin credentials, must only read it.
func expectNoOperatorWritesToProd() {
	GinkgoHelper()
	path := filepath.Join(clusterDir, "logs", "audit.log")
	// Without the log nothing proves the operator stayed out of prod, so its absence fails the
	// spec (hack/cluster always writes it; an older cluster: make cluster-down cluster-up).
	f, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred(), "no audit log: nothing shows that the operator never wrote to prod")
	defer f.Close()
	allowed := []string{"kubectl/", "kwok/", "kube-controller-manager/", "kube-scheduler/", "kube-apiserver/"}
	var offending []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev auditEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.ObjectRef == nil || ev.ObjectRef.Namespace != sourceNamespace {
			continue
		}
		if ev.StageTimestamp.Before(suiteStart) {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || strings.HasPrefix(ev.UserAgent, a)
		}
		if !ok {
			res := ev.ObjectRef.Resource
			if ev.ObjectRef.Subresource != "" {
				res += "/" + ev.ObjectRef.Subresource
			}
			offending = append(offending, fmt.Sprintf("%s %s %s/%s by %s (%s)", ev.StageTimestamp.Format(time.RFC3339),
				ev.Verb, res, ev.ObjectRef.Name, ev.User.Username, ev.UserAgent))
		}
	}
	Expect(sc.Err()).NotTo(HaveOccurred())
	Expect(offending).To(BeEmpty(), "writes to the source namespace %s (from %s)", sourceNamespace, path)
}

// ---- the operator process --------------------------------------------------------------------

type operatorProcess struct {
	cmd     *exec.Cmd
	logPath string
	port    int
	done    chan struct{}
}

// startOperator runs bin/manager against the cluster, as `make demo` does, and waits until its
// readiness probe answers.
func startOperator() *operatorProcess {
	GinkgoHelper()
	if _, err := os.Stat(managerBin); err != nil {
		Fail(fmt.Sprintf("%s is missing (build it: go build -o bin/manager .; `make test-e2e` does)", managerBin))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	port := l.Addr().(*net.TCPAddr).Port
	Expect(l.Close()).To(Succeed())

	logPath := filepath.Join(clusterDir, "logs", "manager-e2e.log")
	Expect(os.MkdirAll(filepath.Dir(logPath), 0o755)).To(Succeed())
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	Expect(err).NotTo(HaveOccurred())
	defer logFile.Close()
	args := []string{"--kubeconfig=" + operatorKubeconfig(), "--leader-elect=false", "--metrics-bind-address=0",
		"--health-probe-bind-address=127.0.0.1:" + strconv.Itoa(port)}
	fmt.Fprintf(logFile, "\n==== %s: e2e starts %s %s\n", time.Now().Format(time.RFC3339), managerBin, strings.Join(args, " "))
	cmd := exec.Command(managerBin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	Expect(cmd.Start()).To(Succeed())
	op := &operatorProcess{cmd: cmd, logPath: logPath, port: port, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(op.done) }()

	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	Eventually(func(g Gomega) {
		select {
		case <-op.done:
			StopTrying("the operator exited during start:\n" + op.logTail(40)).Now()
		default:
		}
		resp, err := http.Get(url)
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}).WithTimeout(90*time.Second).WithPolling(500*time.Millisecond).Should(Succeed(),
		"the operator did not become ready on %s; log %s", url, logPath)
	By(fmt.Sprintf("operator running (pid %d, log %s)", cmd.Process.Pid, logPath))
	return op
}

// operatorKubeconfig is a kubeconfig for a user that holds only config/rbac/role.yaml (what
// `make deploy` grants the operator), so that the suite also proves the RBAC markers suffice;
// ENVMIRROR_E2E_OPERATOR_RBAC=0 runs the operator as the cluster admin instead.
func operatorKubeconfig() string {
	GinkgoHelper()
	if os.Getenv("ENVMIRROR_E2E_OPERATOR_RBAC") == "0" {
		return kubeconfig
	}
	const user = "envmirror-operator"
	rolePath := filepath.Join(repoRoot, "config/rbac/role.yaml")
	raw, err := os.ReadFile(rolePath)
	Expect(err).NotTo(HaveOccurred())
	var roles []string
	for _, doc := range strings.Split(string(raw), "\n---") {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		Expect(yaml.Unmarshal([]byte(doc), &meta)).To(Succeed())
		if meta.Kind != "ClusterRole" && meta.Kind != "Role" {
			continue
		}
		if meta.Kind == "Role" { // e.g. leader election in the operator's own namespace
			_, _ = kubectl("create", "namespace", meta.Metadata.Namespace)
		}
		_, err := kubectlIn(doc, "apply", "--server-side", "--force-conflicts", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		binding := fmt.Sprintf(`apiVersion: rbac.authorization.k8s.io/v1
kind: %sBinding
metadata: {name: envmirror-e2e-operator, namespace: %q}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: %s, name: %s}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: %s}]
`, meta.Kind, meta.Metadata.Namespace, meta.Kind, meta.Metadata.Name, user)
		_, err = kubectlIn(binding, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		roles = append(roles, meta.Kind+"/"+meta.Metadata.Name)
	}
	Expect(roles).NotTo(BeEmpty(), "%s holds no roles", rolePath)
	clusterBin := os.Getenv("ENVMIRROR_E2E_CLUSTER")
	if clusterBin == "" {
		clusterBin = "bin/envmirror-cluster"
	}
	if !filepath.IsAbs(clusterBin) {
		clusterBin = filepath.Join(repoRoot, clusterBin)
	}
	cmd := exec.Command(clusterBin, "user", user)
	cmd.Env = append(os.Environ(), "ENVMIRROR_CLUSTER_DIR="+clusterDir)
	out, err := cmd.Output()
	Expect(err).NotTo(HaveOccurred(), "%s user %s (build it: make cluster-up)", clusterBin, user)
	By(fmt.Sprintf("the operator runs as user %s bound to %s", user, strings.Join(roles, ", ")))
	return strings.TrimSpace(string(out))
}

// exited reports whether the operator process has ended.
func (o *operatorProcess) exited() bool {
	select {
	case <-o.done:
		return true
	default:
		return false
	}
}

// kill sends sig and waits for the process to exit.
func (o *operatorProcess) kill(sig syscall.Signal) {
	GinkgoHelper()
	select {
	case <-o.done:
		return
	default:
	}
	Expect(o.cmd.Process.Signal(sig)).To(Succeed())
	Eventually(o.done).WithTimeout(30 * time.Second).Should(BeClosed())
}

// stop asks the operator to stop (SIGTERM), then kills it after 20s.
func (o *operatorProcess) stop() {
	select {
	case <-o.done:
		return
	default:
	}
	_ = o.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.done:
	case <-time.After(20 * time.Second):
		_ = o.cmd.Process.Kill()
		<-o.done
	}
}

func (o *operatorProcess) logTail(n int) string {
	if o == nil {
		return ""
	}
	b, err := os.ReadFile(o.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read the operator log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("--- the last %d lines of %s ---\n%s", len(lines), o.logPath, strings.Join(lines, "\n"))
}

// demoOperatorRunning reports the demo's operator (recorded by `make demo` in the cluster folder).
func demoOperatorRunning() (int, bool) {
	b, err := os.ReadFile(filepath.Join(clusterDir, "pids", "manager.pid"))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return 0, false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// Same start time as recorded: the same process, not a reused PID.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 20 || fields[0] == "Z" || fields[19] != f[1] {
		return 0, false
	}
	return pid, true
}

// names returns the sorted names of objects.
func names[T any](items []T, name func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, name(it))
	}
	sort.Strings(out)
	return out
}
