//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
)

// These specs check the simulated cluster itself: what envtest cannot do and the operator relies
// on. They need no operator (`-ginkgo.focus="local cluster"` runs them alone).
var _ = Describe("The local cluster", func() {
	var (
		ns    string
		specs int
	)

	BeforeEach(func() {
		specs++
		ns = fmt.Sprintf("e2e-cluster-%s-%d", runID, specs)
		mustKubectl("create", "namespace", ns)
		DeferCleanup(func() { _, _ = kubectl("delete", "namespace", ns, "--ignore-not-found", "--wait=false") })
		Eventually(func() error { _, err := kubectl("-n", ns, "get", "serviceaccount", "default"); return err }).
			WithTimeout(time.Minute).WithPolling(500 * time.Millisecond).Should(Succeed())
	})

	It("runs Deployments to Ready and reports image digests like a kubelet", func() {
		const tagged = "registry.example/shop/api:1.8.2"
		sum := sha256.Sum256([]byte(tagged))
		wantTagged := "docker-pullable://registry.example/shop/api@sha256:" + hex.EncodeToString(sum[:])
		pinned := "redis@sha256:" + strings.Repeat("ab", 32)

		mustKubectl("-n", ns, "create", "deployment", "tagged", "--image="+tagged, "--replicas=2")
		mustKubectl("-n", ns, "create", "deployment", "pinned", "--image="+pinned)
		mustKubectl("-n", ns, "wait", "--for", "condition=Available", "--timeout=90s", "deployment", "--all")

		Eventually(func(g Gomega) {
			for app, want := range map[string]string{"tagged": wantTagged, "pinned": "docker-pullable://" + pinned} {
				pods := listPods(g, ns, "app="+app)
				g.Expect(pods.Items).NotTo(BeEmpty())
				for _, p := range pods.Items {
					g.Expect(p.Status.Phase).To(Equal(corev1.PodRunning))
					g.Expect(p.Spec.NodeName).To(HavePrefix("kwok-node-"))
					g.Expect(p.Status.ContainerStatuses).To(HaveLen(1))
					g.Expect(p.Status.ContainerStatuses[0].ImageID).To(Equal(want), "pod %s", p.Name)
				}
			}
		}).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed())
	})

	It("runs Jobs to completion, init containers included", func() {
		job := `apiVersion: batch/v1
kind: Job
metadata: {name: seed, namespace: ` + ns + `}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - {name: wait, image: "postgres:16.4", command: [pg_isready]}
      containers:
      - {name: seed, image: "envmirror/manager:dev", args: [seed]}
`
		_, err := kubectlIn(job, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())
		mustKubectl("-n", ns, "wait", "--for", "condition=Complete", "--timeout=90s", "job/seed")
		pods := listPods(Default, ns, "batch.kubernetes.io/job-name=seed")
		Expect(pods.Items).To(HaveLen(1))
		Expect(pods.Items[0].Status.Phase).To(Equal(corev1.PodSucceeded))
		Expect(pods.Items[0].Status.InitContainerStatuses[0].ImageID).To(HavePrefix("docker-pullable://postgres@sha256:"))
		Expect(pods.Items[0].Status.ContainerStatuses[0].ImageID).To(HavePrefix("docker-pullable://envmirror/manager@sha256:"))
	})

	It("binds the PersistentVolumeClaims of StatefulSets", func() {
		Expect(mustKubectl("-n", sourceNamespace, "get", "pvc", "data-postgres-0", "-o", "jsonpath={.status.phase}")).To(Equal("Bound"))
	})

	It("garbage-collects dependents and deletes namespaces for real", func() {
		mustKubectl("-n", ns, "create", "deployment", "web", "--image=nginx:1.27")
		mustKubectl("-n", ns, "wait", "--for", "condition=Available", "--timeout=90s", "deployment/web")
		uid := mustKubectl("-n", ns, "get", "deployment", "web", "-o", "jsonpath={.metadata.uid}")
		cm := fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: owned
  namespace: %s
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: %s}]
`, ns, uid)
		_, err := kubectlIn(cm, "apply", "-f", "-")
		Expect(err).NotTo(HaveOccurred())

		By("deleting the owner in the background: the garbage collector removes the dependents")
		mustKubectl("-n", ns, "delete", "deployment", "web", "--cascade=background")
		Eventually(func() bool { return notFound("-n", ns, "configmap", "owned") }).
			WithTimeout(time.Minute).WithPolling(time.Second).Should(BeTrue())
		Eventually(func(g Gomega) { g.Expect(listPods(g, ns, "app=web").Items).To(BeEmpty()) }).
			WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed())

		By("deleting the namespace: it goes away completely")
		mustKubectl("-n", ns, "create", "deployment", "again", "--image=nginx:1.27")
		mustKubectl("delete", "namespace", ns, "--wait=false")
		expectNamespaceGone(ns)
	})
})
