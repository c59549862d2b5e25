//go:build e2e

package e2e

import (
	"fmt"
	"sort"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Labels the operator puts on everything it writes.
const (
	labelEnvironment          = "envmirror.io/environment"
	labelEnvironmentNamespace = "envmirror.io/environment-namespace"
	labelManagedBy            = "app.kubernetes.io/managed-by"
	prodSelector              = "app.kubernetes.io/part-of=shop"
)

// Each spec has its own MirrorEnvironment (name suffixed with the run id) and so its own target
// namespace; they share the prod shop, which is only read.
var _ = Describe("MirrorEnvironment", func() {
	BeforeEach(func() {
		if operator == nil {
			By("starting the operator")
			operator = startOperator()
		}
	})

	expectOurs := func(kind string, meta metav1.ObjectMeta, name string) {
		GinkgoHelper()
		Expect(meta.Labels).To(HaveKeyWithValue(labelEnvironment, name), "%s %s", kind, meta.Name)
		Expect(meta.Labels).To(HaveKeyWithValue(labelEnvironmentNamespace, envNamespace), "%s %s", kind, meta.Name)
		Expect(meta.Labels).To(HaveKeyWithValue(labelManagedBy, "envmirror"), "%s %s", kind, meta.Name)
	}

	It("copies prod into its own namespace at prod's image digests and becomes Ready", func() {
		name := envName("copy")
		createEnv(envOptions{name: name})
		waitForPhase(name, "Ready", readyTimeout)
		target := targetNamespace(name)
		Expect(target).To(Equal(sourceNamespace+"-"+name), "the default target namespace is <source>-<name>")

		By("labelling the namespace and the copies as the environment's")
		var ns corev1.Namespace
		getJSON(Default, &ns, "namespace", target)
		expectOurs("Namespace", ns.ObjectMeta, name)

		prodDeps := listDeployments(Default, sourceNamespace, prodSelector)
		copyDeps := listDeployments(Default, target, "")
		depName := func(d appsv1.Deployment) string { return d.Name }
		Expect(names(copyDeps.Items, depName)).To(Equal(names(prodDeps.Items, depName)), "the copy keeps prod's Deployment names")
		prodSets := listStatefulSets(Default, sourceNamespace, prodSelector)
		copySets := listStatefulSets(Default, target, "")
		setName := func(s appsv1.StatefulSet) string { return s.Name }
		Expect(names(copySets.Items, setName)).To(Equal(names(prodSets.Items, setName)), "the copy keeps prod's StatefulSet names")
		for _, d := range copyDeps.Items {
			expectOurs("Deployment", d.ObjectMeta, name)
		}

		By("running the copied Deployments' pods in the target namespace")
		Eventually(func(g Gomega) {
			for _, d := range listDeployments(g, target, "").Items {
				g.Expect(d.Spec.Replicas).NotTo(BeNil())
				g.Expect(*d.Spec.Replicas).To(BeNumerically(">=", 1), "Deployment %s", d.Name)
				g.Expect(d.Status.ReadyReplicas).To(Equal(*d.Spec.Replicas), "Deployment %s", d.Name)
				sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
				g.Expect(err).NotTo(HaveOccurred())
				running := 0
				for _, p := range listPods(g, target, sel.String()).Items {
					if p.Status.Phase == corev1.PodRunning {
						running++
					}
				}
				g.Expect(running).To(BeNumerically(">=", int(*d.Spec.Replicas)), "running pods of Deployment %s", d.Name)
			}
		}).WithTimeout(2 * time.Minute).WithPolling(poll).Should(Succeed())

		By("pinning every image to the digest prod's pods run")
		digests := prodDigests(Default)
		prodImage := map[string]string{}
		for _, d := range prodDeps.Items {
			for _, c := range append(d.Spec.Template.Spec.InitContainers, d.Spec.Template.Spec.Containers...) {
				prodImage[d.Name+"/"+c.Name] = c.Image
			}
		}
		for _, s := range prodSets.Items {
			for _, c := range append(s.Spec.Template.Spec.InitContainers, s.Spec.Template.Spec.Containers...) {
				prodImage[s.Name+"/"+c.Name] = c.Image
			}
		}
		checked := 0
		check := func(workload string, spec corev1.PodSpec) {
			for _, c := range append(spec.InitContainers, spec.Containers...) {
				key := workload + "/" + c.Name
				Expect(prodImage).To(HaveKey(key), "container %s of the copy is not in prod", key)
				Expect(c.Image).To(MatchRegexp(`@sha256:[0-9a-f]{64}$`), "container %s is not pinned to a digest", key)
				Expect(digests[key]).To(HaveKey(digestOf(c.Image)),
					"container %s runs %s; prod's pods run %v", key, c.Image, digests[key])
				Expect(repositoryOf(c.Image)).To(Equal(repositoryOf(prodImage[key])), "container %s", key)
				checked++
			}
		}
		for _, d := range copyDeps.Items {
			check(d.Name, d.Spec.Template.Spec)
		}
		for _, s := range copySets.Items {
			check(s.Name, s.Spec.Template.Spec)
		}
		Expect(checked).To(Equal(len(prodImage)))
		By("and the copy's pods report those digests as their imageIDs")
		for _, p := range listPods(Default, target, "").Items {
			for _, cs := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
				Expect(digestOf(cs.ImageID)).To(Equal(digestOf(cs.Image)), "pod %s container %s", p.Name, cs.Name)
			}
		}

		By("leaving out what only makes sense in prod")
		Expect(strings.TrimSpace(mustKubectl("-n", target, "get", "horizontalpodautoscalers,poddisruptionbudgets", "-o", "name"))).
			To(BeEmpty(), "HPAs and PDBs are not copied")

		By("copying Secrets by shape: same names, types and keys")
		var prodSecrets, copySecrets corev1.SecretList
		getJSON(Default, &prodSecrets, "secrets", "-n", sourceNamespace, "-l", prodSelector)
		getJSON(Default, &copySecrets, "secrets", "-n", target)
		copied := map[string]corev1.Secret{}
		for _, s := range copySecrets.Items {
			copied[s.Name] = s
		}
		for _, s := range prodSecrets.Items {
			Expect(copied).To(HaveKey(s.Name), "Secret %s is not copied", s.Name)
			c := copied[s.Name]
			Expect(c.Type).To(Equal(s.Type), "Secret %s", s.Name)
			Expect(sortedKeys(c.Data)).To(Equal(sortedKeys(s.Data)), "Secret %s", s.Name)
			expectOurs("Secret", c.ObjectMeta, name)
		}
		By("and no byte of a prod secret value anywhere in the copy")
		expectNoProdSecretsIn(target)

		By("staying put once converged: the copies' generations do not move")
		generations := func(g Gomega) map[string]int64 {
			out := map[string]int64{}
			for _, d := range listDeployments(g, target, "").Items {
				out["deployment/"+d.Name] = d.Generation
			}
			for _, s := range listStatefulSets(g, target, "").Items {
				out["statefulset/"+s.Name] = s.Generation
			}
			return out
		}
		before := generations(Default)
		Consistently(generations).WithTimeout(15 * time.Second).WithPolling(3 * time.Second).Should(Equal(before))
		Expect(envField(name, "{.status.phase}")).To(Equal("Ready"))

		By("never writing to the source namespace")
		expectNoOperatorWritesToProd()
	})

	It("gives the copy a stand-in database and runs its seeding Job to completion", func() {
		name := envName("data")
		createEnv(envOptions{name: name, data: true})
		waitForPhase(name, "Ready", readyTimeout)
		target := targetNamespace(name)

		By("running the stand-in postgres at prod's version")
		prodSets := map[string]bool{}
		for _, s := range listStatefulSets(Default, sourceNamespace, prodSelector).Items {
			prodSets[s.Name] = true
		}
		var standIns []appsv1.StatefulSet
		for _, s := range listStatefulSets(Default, target, "").Items {
			if !prodSets[s.Name] {
				standIns = append(standIns, s)
			}
		}
		Expect(standIns).To(HaveLen(1), "one StatefulSet besides prod's: the stand-in")
		standIn := standIns[0]
		expectOurs("StatefulSet", standIn.ObjectMeta, name)
		Expect(standIn.Spec.Template.Spec.Containers[0].Image).To(HavePrefix("postgres:16.4"))
		Expect(standIn.Status.ReadyReplicas).To(BeNumerically(">=", 1))
		mustKubectl("-n", target, "get", "service", "orders-db")
		var creds corev1.Secret
		getJSON(Default, &creds, "secret", "orders-db-credentials", "-n", target)
		Expect(creds.Data).To(HaveKey("password"))

		By("completing the seeding Job")
		Eventually(func(g Gomega) {
			jobs := listJobs(g, target, labelEnvironment+"="+name)
			g.Expect(jobs.Items).To(HaveLen(1), "one seeding Job per database")
			g.Expect(jobComplete(jobs.Items[0])).To(BeTrue(), "Job %s is not Complete", jobs.Items[0].Name)
		}).WithTimeout(2 * time.Minute).WithPolling(poll).Should(Succeed())
		Expect(envField(name, `{.status.data[?(@.name=="orders-db")].phase}`)).To(Equal("Seeded"))
	})

	It("deletes its namespace when it is deleted", func() {
		name := envName("delete")
		createEnv(envOptions{name: name})
		waitForPhase(name, "Ready", readyTimeout)
		target := targetNamespace(name)

		mustKubectl("-n", envNamespace, "delete", "mirrorenvironment", name, "--wait=false")
		Eventually(func() bool { return notFound("-n", envNamespace, "mirrorenvironment", name) }).
			WithTimeout(goneTimeout).WithPolling(poll).Should(BeTrue(), "the MirrorEnvironment is still there:\n%s", operator.logTail(30))
		expectNamespaceGone(target)
	})

	It("expires by itself when its ttl passes, namespace and all", func() {
		name := envName("ttl")
		createEnv(envOptions{name: name, ttl: "8s"})
		created := time.Now()
		Eventually(func() bool { return notFound("-n", envNamespace, "mirrorenvironment", name) }).
			WithTimeout(goneTimeout).WithPolling(poll).Should(BeTrue(), "the MirrorEnvironment with ttl 8s is still there:\n%s", operator.logTail(30))
		Expect(time.Since(created)).To(BeNumerically(">=", 8*time.Second), "it went before its ttl passed")
		expectNamespaceGone(sourceNamespace + "-" + name)
	})

	It("converges without duplicates after the operator is killed mid-provisioning", func() {
		name := envName("crash")
		target := sourceNamespace + "-" + name
		createEnv(envOptions{name: name, data: true})

		By("waiting until the operator has begun writing the copy")
		Eventually(func() string {
			out, _ := kubectl("-n", target, "get", "deployments", "-o", "name")
			return strings.TrimSpace(out)
		}).WithTimeout(2 * time.Minute).WithPolling(100 * time.Millisecond).ShouldNot(BeEmpty())
		By(fmt.Sprintf("killing the operator with SIGKILL (phase %q)", envField(name, "{.status.phase}")))
		operator.kill(syscall.SIGKILL)
		operator = startOperator()

		waitForPhase(name, "Ready", readyTimeout)
		Expect(targetNamespace(name)).To(Equal(target))

		By("counting what the copy holds: exactly one of each")
		prodDeps := len(listDeployments(Default, sourceNamespace, prodSelector).Items)
		prodSets := len(listStatefulSets(Default, sourceNamespace, prodSelector).Items)
		Expect(listDeployments(Default, target, "").Items).To(HaveLen(prodDeps), "Deployments in %s", target)
		Expect(listStatefulSets(Default, target, "").Items).To(HaveLen(prodSets+1), "StatefulSets in %s (prod's and the stand-in)", target)
		jobs := listJobs(Default, target, "")
		Expect(jobs.Items).To(HaveLen(1), "Jobs in %s: %v", target, names(jobs.Items, func(j batchv1.Job) string { return j.Name }))
		expectOurs("Job", jobs.Items[0].ObjectMeta, name)
		Eventually(func(g Gomega) {
			g.Expect(jobComplete(listJobs(g, target, "").Items[0])).To(BeTrue())
		}).WithTimeout(2 * time.Minute).WithPolling(poll).Should(Succeed())

		By("never writing to the source namespace")
		expectNoOperatorWritesToProd()
	})
})

func jobComplete(j batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
