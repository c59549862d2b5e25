package controllers_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
	"github.com/envmirror/envmirror/internal/mirror"
)

var _ = Describe("the environment's namespace and lifecycle", func() {
	var devNS, prodNS string

	BeforeEach(func() {
		devNS, prodNS = unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
	})

	It("adds a finalizer, creates a labelled target namespace and reports status", func() {
		env := newEnv(devNS, "checkout-fix", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())

		target := prodNS + "-checkout-fix"
		ns := &corev1.Namespace{}
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Name: target}, ns) }, 20*time.Second).Should(Succeed())
		Expect(ns.Labels).To(HaveKeyWithValue(mirror.LabelEnvironment, "checkout-fix"))
		Expect(ns.Labels).To(HaveKeyWithValue(mirror.LabelEnvironmentNamespace, devNS))
		Expect(ns.Labels).To(HaveKeyWithValue(mirror.LabelEnvironmentUID, string(getEnv(env).UID)))
		Expect(ns.Labels).To(HaveKeyWithValue(mirror.LabelManagedBy, "envmirror"))

		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		got := getEnv(env)
		Expect(got.Finalizers).To(ContainElement(controllers.Finalizer))
		Expect(got.Status.TargetNamespace).To(Equal(target))
		Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
		Expect(got.Status.Phase).To(Equal(v1alpha1.PhaseReady))
		Expect(got.Status.ServicesReady).To(Equal("0/0"))
		for _, typ := range []string{v1alpha1.ConditionProvisioned, v1alpha1.ConditionConfigScrubbed, v1alpha1.ConditionIsolated, v1alpha1.ConditionSeeded} {
			c := condition(env, typ)
			Expect(c.Status).To(Equal(metav1.ConditionTrue), "%s: %+v", typ, c)
			Expect(c.Reason).NotTo(BeEmpty())
			Expect(c.Message).NotTo(BeEmpty())
			Expect(c.ObservedGeneration).To(Equal(got.Generation))
		}
	})

	It("derives a stable target name of at most 63 characters", func() {
		long := strings.Repeat("a-very-long-branch-name-", 4) + "end"
		env := newEnv(devNS, long, prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		want := mirror.DefaultTargetNamespace(env)
		Expect(len(want)).To(BeNumerically("<=", 63))
		Expect(want).To(HavePrefix(prodNS + "-a-very-long"))
		Expect(mirror.DefaultTargetNamespace(env)).To(Equal(want), "the name must not change between calls")
		Eventually(func() string { return getEnv(env).Status.TargetNamespace }, 20*time.Second).Should(Equal(want))
		Expect(k8s.Get(ctx, client.ObjectKey{Name: want}, &corev1.Namespace{})).To(Succeed())
	})

	It("never adopts an existing namespace that is not its own", func() {
		target := unique("taken")
		createNamespace(target, map[string]string{"team": "payments"})
		before := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: target}, before)).To(Succeed())

		env := newEnv(devNS, "adopt", prodNS)
		env.Spec.TargetNamespace = target
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonNamespaceNotOwned)
		Expect(c.Message).To(ContainSubstring(target))
		Expect(c.Message).To(ContainSubstring("left untouched"))
		Eventually(func() v1alpha1.Phase { return getEnv(env).Status.Phase }).Should(Equal(v1alpha1.PhaseFailed))

		Consistently(func(g Gomega) {
			now := &corev1.Namespace{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Name: target}, now)).To(Succeed())
			g.Expect(now.ResourceVersion).To(Equal(before.ResourceVersion), "the namespace was written to")
		}, 2*time.Second).Should(Succeed())
		list := &corev1.ConfigMapList{}
		Expect(k8s.List(ctx, list, client.InNamespace(target), client.HasLabels{mirror.LabelEnvironmentUID})).To(Succeed())
		Expect(list.Items).To(BeEmpty())

		// Deleting the environment leaves the namespace that was never its own.
		Expect(k8s.Delete(ctx, env)).To(Succeed())
		Eventually(gone(env), 20*time.Second).Should(BeTrue())
		now := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: target}, now)).To(Succeed())
		Expect(now.DeletionTimestamp).To(BeNil())
	})

	It("deletes the namespace it owns, then removes its finalizer", func() {
		env := newEnv(devNS, "to-delete", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		target := getEnv(env).Status.TargetNamespace

		Expect(k8s.Delete(ctx, env)).To(Succeed())
		Eventually(gone(env), 20*time.Second).Should(BeTrue())
		// envtest runs no namespace controller, so the namespace stays Terminating; that the
		// deletion was requested is what the operator is responsible for.
		ns := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: target}, ns)).To(Succeed())
		Expect(ns.DeletionTimestamp).NotTo(BeNil())
	})

	It("reports a missing source namespace", func() {
		env := newEnv(devNS, "nosource", unique("missing"))
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceNotFound)
		Expect(c.Message).To(ContainSubstring("does not exist"))
	})

	It("expires after its ttl and cleans up", func() {
		env := newEnv(devNS, "short-lived", prodNS)
		env.Spec.TTL = ptr.To(v1alpha1.Duration("4s"))
		Expect(k8s.Create(ctx, env)).To(Succeed())
		Eventually(func() *metav1.Time { return getEnv(env).Status.ExpiresAt }, 10*time.Second).ShouldNot(BeNil())
		got := getEnv(env)
		Expect(got.Status.ExpiresAt.Time).To(BeTemporally("~", got.CreationTimestamp.Add(4*time.Second), time.Second))
		target := got.Status.TargetNamespace
		Eventually(gone(env), 20*time.Second).Should(BeTrue())
		ns := &corev1.Namespace{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: target}, ns)).To(Succeed())
		Expect(ns.DeletionTimestamp).NotTo(BeNil())
	})

	It("shows the printer columns in kubectl get", func() {
		kubectl := filepath.Join(os.Getenv("KUBEBUILDER_ASSETS"), "kubectl")
		if _, err := os.Stat(kubectl); err != nil {
			Fail("kubectl is not in KUBEBUILDER_ASSETS; `make test` builds it")
		}
		env := newEnv(devNS, "columns", prodNS)
		env.Spec.TTL = ptr.To(v1alpha1.Duration("48h"))
		Expect(k8s.Create(ctx, env)).To(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)

		admin, err := testEnv.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
		Expect(err).NotTo(HaveOccurred())
		kubeconfig, err := admin.KubeConfig()
		Expect(err).NotTo(HaveOccurred())
		path := filepath.Join(GinkgoT().TempDir(), "kubeconfig")
		Expect(os.WriteFile(path, kubeconfig, 0o600)).To(Succeed())

		out, err := exec.Command(kubectl, "--kubeconfig", path, "get", "mirrorenvironments", "-n", devNS).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		GinkgoWriter.Printf("kubectl get mirrorenvironments:\n%s\n", out)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		Expect(strings.Fields(lines[0])).To(Equal([]string{"NAME", "BRANCH", "PHASE", "READY", "PINNED", "SLEEP", "EXPIRES", "AGE"}))
		Expect(strings.Fields(lines[1])[:5]).To(Equal([]string{"columns", "feature/columns", "Ready", "0/0", "0/0"}))

		out, err = exec.Command(kubectl, "--kubeconfig", path, "get", "menv", "-n", devNS, "-o", "wide").CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(string(out)).To(ContainSubstring("TARGET"))
		Expect(string(out)).To(ContainSubstring(prodNS + "-columns"))
	})
})
