package manager_test

import (
	"io"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/internal/manager"
)

var _ = Describe("The seed image", func() {
	const ownImage = "registry.example/platform/envmirror-manager:v1.4.0"
	var operator client.Client

	BeforeEach(func() {
		var err error
		operator, err = client.New(operatorCfg, client.Options{Scheme: manager.Scheme()})
		Expect(err).NotTo(HaveOccurred())
	})

	// ownPod creates the manager's pod as a Deployment would: the manager container next to a
	// sidecar, with the pod's pull secrets.
	ownPod := func(name string) {
		GinkgoHelper()
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: operatorNamespace},
			Spec: corev1.PodSpec{
				ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}, {Name: "mirror-cred"}},
				Containers: []corev1.Container{
					{Name: "proxy", Image: "registry.example/sidecar:1"},
					{Name: manager.ManagerContainer, Image: ownImage},
				},
			},
		}
		Expect(admin.Create(ctx, pod)).To(Succeed())
		DeferCleanup(func() { Expect(admin.Delete(ctx, pod)).To(Succeed()) })
	}

	resolve := func(podName string, args ...string) (manager.Config, error) {
		GinkgoHelper()
		env := map[string]string{manager.EnvPodName: podName, manager.EnvPodNamespace: operatorNamespace}
		cfg, err := manager.Parse(args, func(k string) string { return env[k] }, "v0.0.1", io.Discard)
		Expect(err).NotTo(HaveOccurred())
		return cfg, cfg.ResolveSeedImage(ctx, operator)
	}
	secrets := func(names ...string) []corev1.LocalObjectReference {
		var out []corev1.LocalObjectReference
		for _, n := range names {
			out = append(out, corev1.LocalObjectReference{Name: n})
		}
		return out
	}

	It("is the manager container's image, with the pod's pull secrets, read with the operator's own rights", func() {
		ownPod("envmirror-manager-5f7c9-x2x4q")
		cfg, err := resolve("envmirror-manager-5f7c9-x2x4q")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.SeedImage).To(Equal(ownImage))
		Expect(cfg.SeedImagePullSecrets).To(Equal(secrets("regcred", "mirror-cred")))
	})

	It("gives way to the flags, each on its own", func() {
		ownPod("envmirror-manager-flags")
		cfg, err := resolve("envmirror-manager-flags", "--seed-image=registry.example/seed:v2")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.SeedImage).To(Equal("registry.example/seed:v2"))
		Expect(cfg.SeedImagePullSecrets).To(Equal(secrets("regcred", "mirror-cred")))

		cfg, err = resolve("envmirror-manager-flags", "--seed-image-pull-secrets=")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.SeedImage).To(Equal(ownImage))
		Expect(cfg.SeedImagePullSecrets).To(BeEmpty(), "an empty flag means no pull secrets, not the pod's")
	})

	It("does not read the pod when both flags are set", func() {
		cfg, err := resolve("no-such-pod", "--seed-image=registry.example/seed:v2", "--seed-image-pull-secrets=other")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.SeedImage).To(Equal("registry.example/seed:v2"))
		Expect(cfg.SeedImagePullSecrets).To(Equal(secrets("other")))
	})

	It("fails the start, naming the flags, when the pod cannot be read", func() {
		_, err := resolve("no-such-pod")
		Expect(err).To(MatchError(And(ContainSubstring("envmirror-system/no-such-pod"), ContainSubstring("--seed-image"))))
	})

	It("outside a pod is envmirror/manager at the build's version", func() {
		cfg, err := resolve("")
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.SeedImage).To(Equal("envmirror/manager:v0.0.1"))
		Expect(cfg.SeedImagePullSecrets).To(BeEmpty())
	})
})
