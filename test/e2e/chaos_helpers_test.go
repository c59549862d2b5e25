//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/internal/metrics"
)

// Helpers of the failover and chaos specs: the cluster tool, managers under leader election,
// and the two checks every chaos spec ends with (exactly one of each copy; nothing left behind).

const (
	labelEnvironmentUID = "envmirror.io/environment-uid"
	labelDatabase       = "envmirror.io/database"
	annotationSource    = "envmirror.io/source"
)

// copiedKinds are the kinds the operator writes into a copy (and the operator's namespace).
var copiedKinds = strings.Join([]string{
	"deployments", "statefulsets", "daemonsets", "cronjobs", "jobs", "services", "serviceaccounts",
	"configmaps", "secrets", "roles", "rolebindings", "networkpolicies", "ingresses", "persistentvolumeclaims",
}, ",")

// clusterTool runs bin/envmirror-cluster (ENVMIRROR_E2E_CLUSTER) on the suite's cluster folder.
func clusterTool(args ...string) string {
	GinkgoHelper()
	bin := os.Getenv("ENVMIRROR_E2E_CLUSTER")
	if bin == "" {
		bin = "bin/envmirror-cluster"
	}
	if !filepath.IsAbs(bin) {
		bin = filepath.Join(repoRoot, bin)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = repoRoot // where its default paths (bin/k8s, bin/kwok) are
	cmd.Env = append(os.Environ(), "ENVMIRROR_CLUSTER_DIR="+clusterDir)
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "%s %s:\n%s", bin, strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// ---- managers under leader election ----------------------------------------------------------

// electedManager is bin/manager run with --leader-elect, serving plain metrics on loopback so
// that the spec can see whether it leads and whether it has reconciled.
type electedManager struct {
	name       string
	process    *operatorProcess
	metricsURL string
}

// startElectedManager starts a manager that elects its leader through a Lease in leaseNamespace.
func startElectedManager(name, kubeconfigPath, leaseNamespace string) *electedManager {
	GinkgoHelper()
	probePort, metricsPort := freeLocalPort(), freeLocalPort()
	args := []string{"--kubeconfig=" + kubeconfigPath, "--leader-elect", "--leader-election-namespace=" + leaseNamespace,
		"--metrics-secure=false", fmt.Sprintf("--metrics-bind-address=127.0.0.1:%d", metricsPort),
		fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", probePort)}
	m := &electedManager{name: name, metricsURL: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort)}
	m.process = launchOperator(args, nil, probePort)
	By(fmt.Sprintf("manager %s running (pid %d), electing through a Lease in %s", name, m.process.cmd.Process.Pid, leaseNamespace))
	return m
}

// managerState is what a manager's metrics say: whether it leads, and how many reconciles of
// MirrorEnvironments it has finished (whatever their result).
type managerState struct {
	leading    bool
	reconciles float64
}

// state scrapes the manager; a manager that does not answer neither leads nor reconciles.
func (m *electedManager) state() managerState {
	code, body, err := metrics.Scrape(m.metricsURL, "", false)
	if err != nil || code != 200 {
		return managerState{}
	}
	return managerState{
		leading:    sumSeries(body, "leader_election_master_status{") > 0,
		reconciles: sumSeries(body, `controller_runtime_reconcile_total{controller="mirrorenvironment",`),
	}
}

// sumSeries adds the values of every series whose line starts with prefix (a series that is not
// there yet counts as 0: client-go and controller-runtime create theirs only when first used).
func sumSeries(body, prefix string) float64 {
	var sum float64
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// takeover is when, after the leader was stopped, its successor led and first reconciled.
type takeover struct {
	lease, reconcile time.Duration
}

// awaitTakeover polls the successor from the moment the leader was signalled until it leads and
// has reconciled, or until limit passes (then the zero durations say what did not happen).
func awaitTakeover(successor *electedManager, signalled time.Time, limit time.Duration) takeover {
	var t takeover
	before := successor.state().reconciles
	for time.Since(signalled) < limit {
		s := successor.state()
		if s.leading && t.lease == 0 {
			t.lease = time.Since(signalled)
		}
		if s.leading && s.reconciles > before && t.reconcile == 0 {
			t.reconcile = time.Since(signalled)
			return t
		}
		time.Sleep(100 * time.Millisecond)
	}
	return t
}

// grantLeaderElection gives the user of kubeconfigPath config/rbac's leader-election Role in
// namespace, which must exist: the rights a deployed operator has in its own namespace, moved
// to where --leader-election-namespace points.
func grantLeaderElection(kubeconfigPath, namespace string) {
	GinkgoHelper()
	user := strings.TrimSpace(mustKubectl("--kubeconfig", kubeconfigPath, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"))
	Expect(user).NotTo(BeEmpty())
	raw, err := os.ReadFile(filepath.Join(repoRoot, "config/rbac/leader_election_role.yaml"))
	Expect(err).NotTo(HaveOccurred())
	var role unstructured.Unstructured
	Expect(yaml.Unmarshal(raw, &role.Object)).To(Succeed())
	Expect(role.GetKind()).To(Equal("Role"))
	role.SetNamespace(namespace)
	manifest, err := yaml.Marshal(role.Object)
	Expect(err).NotTo(HaveOccurred())
	_, err = kubectlIn(string(manifest), "apply", "--server-side", "-f", "-")
	Expect(err).NotTo(HaveOccurred())
	mustKubectl("-n", namespace, "create", "rolebinding", "e2e-leader-election", "--role="+role.GetName(), "--user="+user)
}

// ---- environments under chaos ----------------------------------------------------------------

// envPhases returns "name=phase" of the named environments in this order; a deleted one shows
// as "name=gone", one being deleted as "name=Deleting(phase)".
func envPhases(envs ...string) string {
	var list struct {
		Items []struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
			Status   struct {
				Phase string `json:"phase"`
			} `json:"status"`
		} `json:"items"`
	}
	out, err := kubectl("-n", envNamespace, "get", "mirrorenvironments", "-o", "json")
	if err != nil || json.Unmarshal([]byte(out), &list) != nil {
		return "(unreadable)"
	}
	phases := make([]string, 0, len(envs))
	for _, name := range envs {
		phase := "gone"
		for _, e := range list.Items {
			if e.Metadata.Name != name {
				continue
			}
			phase = e.Status.Phase
			if phase == "" {
				phase = "New"
			}
			if e.Metadata.DeletionTimestamp != nil {
				phase = "Deleting(" + phase + ")"
			}
		}
		phases = append(phases, name+"="+phase)
	}
	return strings.Join(phases, " ")
}

// busy reports whether a phase list of envPhases shows work in progress.
func busy(phases string) bool {
	for _, p := range strings.Fields(phases) {
		if !strings.HasSuffix(p, "=Ready") && !strings.HasSuffix(p, "=gone") {
			return true
		}
	}
	return false
}

// awaitCopyStarted waits until the operator has written the first Deployment of the copy.
func awaitCopyStarted(target string) {
	GinkgoHelper()
	Eventually(func() string {
		out, _ := kubectl("-n", target, "get", "deployments", "-o", "name")
		return strings.TrimSpace(out)
	}).WithTimeout(2*time.Minute).WithPolling(100*time.Millisecond).ShouldNot(BeEmpty(), "the copy in %s was not begun", target)
}

// expectExactlyOneOfEach checks a Ready environment's copy: prod's Deployments and
// StatefulSets by name (plus one stand-in per database), one seeding Job per database, and no
// prod object copied twice under another name.
func expectExactlyOneOfEach(name string, databases []string) {
	GinkgoHelper()
	target := targetNamespace(name)
	depName := func(d appsv1.Deployment) string { return d.Name }
	setName := func(s appsv1.StatefulSet) string { return s.Name }
	Expect(names(listDeployments(Default, target, "").Items, depName)).
		To(Equal(names(listDeployments(Default, sourceNamespace, prodSelector).Items, depName)), "Deployments of %s", target)
	prodSets := names(listStatefulSets(Default, sourceNamespace, prodSelector).Items, setName)
	copySets := names(listStatefulSets(Default, target, "").Items, setName)
	Expect(copySets).To(ConsistOf(append(prodSets, databases...)), "StatefulSets of %s: prod's and one stand-in per database", target)

	seedJobs := map[string][]string{}
	for _, j := range listJobs(Default, target, labelEnvironment+"="+name).Items {
		seedJobs[j.Labels[labelDatabase]] = append(seedJobs[j.Labels[labelDatabase]], j.Name)
	}
	Expect(seedJobs).To(HaveLen(len(databases)), "seeding Jobs in %s by database: %v", target, seedJobs)
	for _, db := range databases {
		Expect(seedJobs[db]).To(HaveLen(1), "seeding Jobs of database %s in %s", db, target)
	}

	var copies unstructured.UnstructuredList
	getJSON(Default, &copies, listArgs(copiedKinds, target, labelManagedBy+"=envmirror")...)
	bySource := map[string][]string{}
	for _, c := range copies.Items {
		if src := c.GetAnnotations()[annotationSource]; src != "" {
			bySource[c.GetKind()+" from "+src] = append(bySource[c.GetKind()+" from "+src], c.GetName())
		}
	}
	Expect(bySource).NotTo(BeEmpty(), "no object in %s says which prod object it copies (%s)", target, annotationSource)
	for what, copies := range bySource {
		Expect(copies).To(HaveLen(1), "%s: copied more than once in %s", what, target)
	}
}

// expectNothingLeftOf checks that a deleted environment left nothing: the MirrorEnvironment,
// its target namespace, any namespace carrying its uid, and whatever it wrote in the operator's
// namespace (schema Jobs, their pods and DSN Secrets) are all gone.
func expectNothingLeftOf(name, uid, target string) {
	GinkgoHelper()
	Eventually(func() bool { return notFound("-n", envNamespace, "mirrorenvironment", name) }).
		WithTimeout(goneTimeout).WithPolling(poll).Should(BeTrue(), "MirrorEnvironment %s is still there", name)
	expectNamespaceGone(target)
	byUID := labelEnvironmentUID + "=" + uid
	Eventually(func(g Gomega) {
		var left unstructured.UnstructuredList
		getJSON(g, &left, "namespaces", "-l", byUID)
		g.Expect(left.Items).To(BeEmpty(), "namespaces of the deleted %s", name)
		getJSON(g, &left, listArgs(copiedKinds+",pods", operatorNamespace, byUID)...)
		var what []string
		for _, o := range left.Items {
			what = append(what, o.GetKind()+"/"+o.GetName())
		}
		g.Expect(what).To(BeEmpty(), "objects of the deleted %s in %s", name, operatorNamespace)
	}).WithTimeout(time.Minute).WithPolling(poll).Should(Succeed())
}
