package controllers_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

func copyOf[T client.Object](ns, name string, obj T) T {
	ExpectWithOffset(1, k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)).To(Succeed(), "the copy %T %s/%s", obj, ns, name)
	return obj
}

func pinned(image string) string { return mirror.PinImage(image, digest(image)) }

var _ = Describe("mirroring prod's workloads", Ordered, func() {
	var (
		shop   *prodShop
		devNS  string
		env    *v1alpha1.MirrorEnvironment
		target string
	)

	BeforeAll(func() {
		devNS = unique("dev")
		createNamespace(devNS, nil)
		shop = &prodShop{ns: unique("shop-prod")}
		shop.create()
		env = newEnv(devNS, "checkout-fix-42", shop.ns)
		env.Spec.Workloads.Resources = &v1alpha1.ResourceScaling{ScalePercent: ptr.To[int32](25),
			Max: map[corev1.ResourceName]v1alpha1.Quantity{corev1.ResourceMemory: "256Mi"}}
		env.Spec.Workloads.StorageSize = ptr.To(v1alpha1.Quantity("5Gi"))
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = shop.ns + "-checkout-fix-42"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
	})

	It("copies Deployments scaled down, pinned to prod's digests, with rewritten DNS", func() {
		d := copyOf(target, "api", &appsv1.Deployment{})
		Expect(*d.Spec.Replicas).To(Equal(int32(1)))
		Expect(d.Labels).To(HaveKeyWithValue("app", "api"))
		Expect(d.Labels).To(HaveKeyWithValue(mirror.LabelManagedBy, "envmirror"))
		Expect(d.Annotations).NotTo(HaveKey("kubectl.kubernetes.io/last-applied-configuration"))
		Expect(d.Annotations).To(HaveKeyWithValue(mirror.AnnotationSource, "Deployment/"+shop.ns+"/api"))

		c := d.Spec.Template.Spec.Containers[0]
		Expect(c.Image).To(Equal(pinned(apiImage)))
		Expect(c.Image).To(HavePrefix("registry.example/shop/api:1.8.2@sha256:"))
		Expect(d.Spec.Template.Spec.InitContainers[0].Image).To(Equal(pinned(apiImage)))
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		Expect(env).To(HaveKeyWithValue("CATALOG_URL", "http://catalog."+target+".svc.cluster.local:8080/v1"))
		Expect(env).To(HaveKeyWithValue("REDIS_ADDR", "redis."+target+".svc:6379"))
		Expect(env).To(HaveKeyWithValue("WORKER_HOST", "worker."+target))
		Expect(env["ORDERS_URL"]).To(HavePrefix("postgres://app:"))
		Expect(env["ORDERS_URL"]).To(HaveSuffix("@postgres." + target + ":5432/orders"))
		Expect(env["API_TOKEN"]).NotTo(BeEmpty())
		Expect(c.Env[5].ValueFrom.SecretKeyRef.Name).To(Equal("app-secrets"), "references to Secrets keep their names: the Secret is copied too")
		init := d.Spec.Template.Spec.InitContainers[0]
		Expect(init.Args[2]).To(Equal("--target=postgres." + target + ".svc.cluster.local"))

		// 25% of prod, memory capped at 256Mi, never above prod.
		Expect(c.Resources.Requests.Cpu().String()).To(Equal("125m"))
		Expect(c.Resources.Limits.Cpu().String()).To(Equal("500m"))
		Expect(c.Resources.Requests.Memory().String()).To(Equal("256Mi"))
		Expect(c.Resources.Limits.Memory().String()).To(Equal("256Mi"))

		w := copyOf(target, "worker", &appsv1.Deployment{})
		Expect(w.Spec.Template.Spec.Containers[0].Args).To(Equal([]string{"--queue=redis://redis." + target + ".svc.cluster.local:6379/0"}))
		Expect(copyOf(target, "redis", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image).To(Equal(pinned(redisImage)))
	})

	It("copies StatefulSets with fresh, smaller claims", func() {
		s := copyOf(target, "postgres", &appsv1.StatefulSet{})
		Expect(*s.Spec.Replicas).To(Equal(int32(1)))
		Expect(s.Spec.ServiceName).To(Equal("postgres"))
		Expect(s.Spec.Template.Spec.Containers[0].Image).To(Equal(pinned(pgImage)))
		Expect(s.Spec.VolumeClaimTemplates).To(HaveLen(1))
		Expect(s.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests.Storage().String()).To(Equal("5Gi"))

		pvc := copyOf(target, "uploads", &corev1.PersistentVolumeClaim{})
		Expect(pvc.Spec.VolumeName).To(BeEmpty(), "a copy must never bind prod's volume")
		Expect(pvc.Spec.Resources.Requests.Storage().String()).To(Equal("5Gi"))
	})

	It("copies DaemonSets as one-replica Deployments and CronJobs suspended", func() {
		d := copyOf(target, "log-agent", &appsv1.Deployment{})
		Expect(*d.Spec.Replicas).To(Equal(int32(1)))
		Expect(d.Spec.Template.Spec.Containers[0].Image).To(Equal(pinned(agentImage)))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "log-agent"}, &appsv1.DaemonSet{})).NotTo(Succeed())

		cj := copyOf(target, "nightly-report", &batchv1.CronJob{})
		Expect(*cj.Spec.Suspend).To(BeTrue())
		// No run of the CronJob is left in prod; its tag is pinned to what the api runs.
		Expect(cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image).To(Equal(pinned(apiImage)))

		st := getEnv(env).Status
		var agent, report v1alpha1.ServiceStatus
		for _, s := range st.Services {
			switch s.Name {
			case "log-agent":
				agent = s
			case "nightly-report":
				report = s
			}
		}
		Expect(agent.Kind).To(Equal("Deployment"))
		Expect(agent.SourceKind).To(Equal("DaemonSet"))
		Expect(agent.Message).To(ContainSubstring("one replica"))
		Expect(report.Message).To(ContainSubstring("suspended"))
	})

	It("copies Services without allocated addresses, as in-cluster services", func() {
		web := copyOf(target, "web", &corev1.Service{})
		Expect(web.Spec.Type).To(Equal(corev1.ServiceTypeClusterIP))
		Expect(web.Annotations).NotTo(HaveKey("external-dns.alpha.kubernetes.io/hostname"))
		Expect(web.Annotations).NotTo(HaveKey("service.beta.kubernetes.io/aws-load-balancer-type"))
		admin := copyOf(target, "admin", &corev1.Service{})
		Expect(admin.Spec.Type).To(Equal(corev1.ServiceTypeClusterIP))
		Expect(admin.Spec.Ports[0].NodePort).To(BeZero())
		pg := copyOf(target, "postgres", &corev1.Service{})
		Expect(pg.Spec.ClusterIP).To(Equal(corev1.ClusterIPNone))
		prodAPI := copyOf(shop.ns, "api", &corev1.Service{})
		Expect(copyOf(target, "api", &corev1.Service{}).Spec.ClusterIP).NotTo(Equal(prodAPI.Spec.ClusterIP))
		Expect(copyOf(target, "orders-db", &corev1.Service{}).Spec.ExternalName).To(Equal("orders.prod.rds.example.com"))
	})

	It("copies RBAC with subjects moved to the copy", func() {
		sa := copyOf(target, "api", &corev1.ServiceAccount{})
		Expect(sa.ImagePullSecrets).To(Equal([]corev1.LocalObjectReference{{Name: "regcred"}}))
		copyOf(target, "api-reader", &rbacv1.Role{})
		rb := copyOf(target, "api-reader", &rbacv1.RoleBinding{})
		Expect(rb.Subjects).To(ConsistOf(
			rbacv1.Subject{Kind: "ServiceAccount", Name: "api", Namespace: target},
			rbacv1.Subject{Kind: "ServiceAccount", Name: "monitor", Namespace: "monitoring"},
		))
	})

	It("copies Ingresses with hosts of their own and NetworkPolicies pointed at the copy", func() {
		ing := copyOf(target, "shop", &networkingv1.Ingress{})
		Expect(ing.Spec.Rules[0].Host).To(Equal("shop-checkout-fix-42.example.com"))
		Expect(ing.Spec.TLS[0].Hosts).To(Equal([]string{"shop-checkout-fix-42.example.com"}))
		Expect(ing.Annotations).NotTo(HaveKey("external-dns.alpha.kubernetes.io/hostname"))
		Expect(ing.Annotations).NotTo(HaveKey("cert-manager.io/cluster-issuer"))
		Expect(ing.Annotations).To(HaveKeyWithValue("nginx.ingress.kubernetes.io/auth-url", "http://auth."+target+".svc.cluster.local/verify"))

		np := copyOf(target, "api-ingress", &networkingv1.NetworkPolicy{})
		Expect(np.Spec.Ingress[0].From[0].NamespaceSelector.MatchLabels).To(HaveKeyWithValue(corev1.LabelMetadataName, target))
		Expect(np.Spec.Ingress[0].From[1].NamespaceSelector.MatchLabels).To(HaveKeyWithValue(corev1.LabelMetadataName, "ingress-nginx"))
	})

	It("drops HPAs, PDBs and Pods", func() {
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, &autoscalingv2.HorizontalPodAutoscaler{})).NotTo(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, &policyv1.PodDisruptionBudget{})).NotTo(Succeed())
		pods := &corev1.PodList{}
		Expect(k8s.List(ctx, pods, client.InNamespace(target))).To(Succeed())
		Expect(pods.Items).To(BeEmpty())
	})

	It("reports the pins and becomes Ready when the copies are", func() {
		st := getEnv(env).Status
		Expect(st.TotalServices).To(Equal(int32(7)))
		Expect(st.Parity.Pinned).To(Equal(int32(8)), "7 workloads, the api with an init container")
		Expect(st.Parity.Unpinned).To(BeZero())
		Expect(st.Parity.PinnedSummary).To(Equal("8/8"))
		c := condition(env, v1alpha1.ConditionVersionsPinned)
		Expect(c.Status).To(Equal(metav1.ConditionTrue))
		var api v1alpha1.ServiceStatus
		for _, s := range st.Services {
			if s.Name == "api" {
				api = s
			}
		}
		Expect(api.Containers).To(ContainElement(v1alpha1.ContainerImageStatus{Name: "api", SourceImage: apiImage, Image: pinned(apiImage), Pinned: true}))
		Expect(api.Containers).To(ContainElement(v1alpha1.ContainerImageStatus{Name: "migrate", Init: true, SourceImage: apiImage, Image: pinned(apiImage), Pinned: true}))
		Expect(st.Phase).To(Equal(v1alpha1.PhaseProvisioning))
		Expect(condition(env, v1alpha1.ConditionReady).Message).To(ContainSubstring("waiting for"))

		markCopiesReady(target)
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		st = getEnv(env).Status
		Expect(st.ServicesReady).To(Equal("7/7"))
		Expect(st.Phase).To(Equal(v1alpha1.PhaseReady))
	})

	It("writes nothing when reconciling a converged environment", func() {
		settled(env)
		rv := resourceVersions(target)
		// Other specs' environments live on in this API server (and record their periodic
		// check once a minute): count the writes about this environment and its copy.
		before := writes.mark()
		// Any annotation change wakes the reconciler up; the copy is what prod implies already.
		for i := range 3 {
			updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
				e.Annotations = map[string]string{"test/poke": strings.Repeat("x", i+1)}
			})
			time.Sleep(700 * time.Millisecond)
		}
		Expect(writes.since(before, devNS, target)).To(BeEmpty(), "API writes during reconciles of a converged environment")
		Expect(resourceVersions(target)).To(Equal(rv))
		GinkgoWriter.Printf("writes for 3 reconciles of a converged environment: %d\n", len(writes.since(before, devNS, target)))
	})

	It("never writes to prod", func() {
		for _, obj := range []client.Object{&appsv1.Deployment{}, &corev1.ConfigMap{}, &corev1.Secret{}, &corev1.Service{}, &corev1.Pod{}} {
			list := listOf(obj)
			Expect(k8s.List(ctx, list, client.InNamespace(shop.ns))).To(Succeed())
			for _, item := range items(list) {
				for _, mf := range item.GetManagedFields() {
					Expect(mf.Manager).NotTo(Equal(mirror.FieldOwner), "%T %s was written by envmirror", item, item.GetName())
				}
				Expect(item.GetLabels()).NotTo(HaveKey(mirror.LabelManagedBy))
			}
		}
		// The API server itself would refuse: the operator may write only where its copy-writer
		// binding is.
		Expect(canOperator("create", "apps", "deployments", shop.ns)).To(BeFalse())
		Expect(canOperator("patch", "", "secrets", shop.ns)).To(BeFalse())
		Expect(canOperator("delete", "", "configmaps", shop.ns)).To(BeFalse())
		Expect(canOperator("patch", "apps", "deployments", target)).To(BeTrue())
	})

	It("follows prod: a rollout re-pins, a deleted workload is pruned", func() {
		// The worker's tag moved: new pods run a new digest, the old ones are gone.
		pods := &corev1.PodList{}
		Expect(k8s.List(ctx, pods, client.InNamespace(shop.ns), client.MatchingLabels{"app": "worker"})).To(Succeed())
		for i := range pods.Items {
			Expect(k8s.Delete(ctx, &pods.Items[i])).To(Succeed())
		}
		spec := copyOf(shop.ns, "worker", &appsv1.Deployment{}).Spec.Template.Spec
		shop.runPods("worker", 2, spec, "v2")
		Eventually(func() string {
			return copyOf(target, "worker", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image
		}, 20*time.Second).Should(Equal(mirror.PinImage(workerImage, digest(workerImage+"v2"))))

		Expect(k8s.Delete(ctx, copyOf(shop.ns, "redis", &appsv1.Deployment{}))).To(Succeed())
		Eventually(gone(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: target, Name: "redis"}}), 20*time.Second).Should(BeTrue())
		Eventually(func() int32 { return getEnv(env).Status.TotalServices }, 10*time.Second).Should(Equal(int32(6)))
	})

	It("reverts hand edits of a copy", func() {
		d := copyOf(target, "web", &appsv1.Deployment{})
		d.Spec.Template.Spec.Containers[0].Image = "registry.example/shop/web:hacked"
		Expect(k8s.Update(ctx, d)).To(Succeed())
		Eventually(func() string {
			return copyOf(target, "web", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image
		}, 20*time.Second).Should(Equal(pinned(webImage)))
	})

	It("leaves edits outside the copy's fields alone, and stops writing once it knows", func() {
		d := copyOf(target, "worker", &appsv1.Deployment{})
		d.Annotations["team.example/owner"] = "alice"
		Expect(k8s.Update(ctx, d)).To(Succeed())
		poke := func(i int) {
			updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
				e.Annotations = map[string]string{"test/poke": fmt.Sprint("edit-", i)}
			})
			time.Sleep(time.Second)
		}
		poke(1)
		settled(env)
		before := writes.mark()
		poke(2)
		poke(3)
		Expect(writes.since(before, devNS, target)).To(BeEmpty(), "a harmless edit must not cost a write per reconcile")
		Expect(copyOf(target, "worker", &appsv1.Deployment{}).Annotations).To(HaveKeyWithValue("team.example/owner", "alice"))
	})

	It("applies overrides and excludes, and prunes what is no longer copied", func() {
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Overrides = []v1alpha1.Override{{Workload: "api", Image: "registry.example/shop/api:sha-1f2e3d",
				Env: []v1alpha1.EnvVar{{Name: "FEATURE_X", Value: "on"}, {Name: "REDIS_ADDR", Value: "localhost:6379"}}}}
			e.Spec.Workloads.Exclude = []string{"web"}
		})
		Eventually(func(g Gomega) {
			d := &appsv1.Deployment{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, d)).To(Succeed())
			c := d.Spec.Template.Spec.Containers[0]
			g.Expect(c.Image).To(Equal("registry.example/shop/api:sha-1f2e3d"))
			g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "FEATURE_X", Value: "on"}))
			g.Expect(c.Env).To(ContainElement(corev1.EnvVar{Name: "REDIS_ADDR", Value: "localhost:6379"}))
			g.Expect(d.Spec.Template.Spec.InitContainers[0].Image).To(Equal(pinned(apiImage)), "the override names the first container only")
		}, 20*time.Second).Should(Succeed())
		Eventually(gone(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: target, Name: "web"}}), 20*time.Second).Should(BeTrue())
		Eventually(gone(&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: target, Name: "web"}}), 20*time.Second).Should(BeTrue(),
			"a Service that fronts only excluded workloads goes with them")
		Eventually(func() int32 { return getEnv(env).Status.Parity.Overridden }, 10*time.Second).Should(Equal(int32(1)))
	})

	It("refuses an override that names nothing, without touching the copy", func() {
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Overrides = append(e.Spec.Overrides, v1alpha1.Override{Workload: "checkout", Image: "x:1"})
		})
		c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonOverrideNotFound)
		Expect(c.Message).To(ContainSubstring("workload checkout"))
		Expect(c.Message).To(ContainSubstring("api"), "the message lists what exists")
		Expect(getEnv(env).Status.Phase).To(Equal(v1alpha1.PhaseFailed))
		copyOf(target, "api", &appsv1.Deployment{})
	})
})

var _ = Describe("RequireDigest", func() {
	It("refuses to provision while an image has no known digest, and says which", func() {
		devNS := unique("dev")
		createNamespace(devNS, nil)
		prod := unique("prod")
		createNamespace(prod, nil)
		grantMirroring(prod)
		Expect(k8s.Create(ctx, &appsv1.Deployment{ObjectMeta: meta(prod, "billing", labels("billing")), Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels("billing")},
			Template: podTemplate("billing", container("app", "registry.example/billing:4.1"))}})).To(Succeed())
		env := newEnv(devNS, "strict", prod)
		env.Spec.Versions.Policy = v1alpha1.VersionRequireDigest
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonUnpinnedImages)
		Expect(c.Message).To(ContainSubstring("Deployment/billing container app (registry.example/billing:4.1)"))
		Expect(c.Message).To(ContainSubstring("no prod pod runs this workload"))
		Expect(condition(env, v1alpha1.ConditionVersionsPinned).Reason).To(Equal(v1alpha1.ReasonUnpinnedImages))
		target := getEnv(env).Status.TargetNamespace
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "billing"}, &appsv1.Deployment{})).NotTo(Succeed())

		// Once prod's pod reports its digest, the environment provisions by itself.
		shop := &prodShop{ns: prod}
		shop.runPods("billing", 1, podTemplate("billing", container("app", "registry.example/billing:4.1")).Spec, "")
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		Expect(copyOf(target, "billing", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image).
			To(Equal(pinned("registry.example/billing:4.1")))
	})

	It("pins what it can under PinDigest and reports the rest", func() {
		devNS := unique("dev")
		createNamespace(devNS, nil)
		prod := unique("prod")
		createNamespace(prod, nil)
		grantMirroring(prod)
		Expect(k8s.Create(ctx, &appsv1.Deployment{ObjectMeta: meta(prod, "billing", labels("billing")), Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels("billing")},
			Template: podTemplate("billing", container("app", "registry.example/billing:4.1"))}})).To(Succeed())
		env := newEnv(devNS, "lenient", prod)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionVersionsPinned, metav1.ConditionFalse, v1alpha1.ReasonPartiallyPinned)
		Expect(c.Message).To(ContainSubstring("0 of 1 images pinned"))
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		Expect(getEnv(env).Status.Parity.PinnedSummary).To(Equal("0/1"))
	})
})
