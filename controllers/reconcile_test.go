package controllers_test

import (
	"context"
	"encoding/base64"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// These specs hold the reconciler to what issues 11, 13 and 15 ask: retries that are neither
// lost nor hot, stalls that cost nothing at rest and end when the input is fixed, grants,
// developer access, a frozen copy that reports drift, and expiry that can be extended.

// smallProd makes a prod namespace with one Deployment whose pod reports a digest.
func smallProd(ns string) {
	createNamespace(ns, nil)
	d := &appsv1.Deployment{ObjectMeta: meta(ns, "api", labels("api")), Spec: appsv1.DeploymentSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels("api")},
		Template: podTemplate("api", container("app", "registry.example/api:1.0")),
	}}
	Expect(k8s.Create(ctx, d)).To(Succeed())
	(&prodShop{ns: ns}).runPods("api", 1, d.Spec.Template.Spec, "")
}

func canUser(user string, verb, group, resource, ns string) bool {
	sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{User: user,
		ResourceAttributes: &authzv1.ResourceAttributes{Verb: verb, Group: group, Resource: resource, Namespace: ns}}}
	Expect(k8s.Create(ctx, sar)).To(Succeed())
	return sar.Status.Allowed
}

var _ = Describe("reconcile outcomes", func() {
	It("costs nothing while stalled, retries an unreachable prod slowly, and recovers when fixed (checked at the end of the suite)", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)

		// Stalled: prod's owners have not granted the namespace.
		stalled := newEnv(devNS, "not-granted", prodNS)
		Expect(k8s.Create(ctx, stalled)).To(Succeed())
		eventuallyCondition(stalled, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSourceNotGranted)
		c := condition(stalled, v1alpha1.ConditionProvisioned)
		Expect(c.Message).To(ContainSubstring(`"kind":"MirrorSource"`), "the message shows what to apply")
		Expect(getEnv(stalled).Status.Phase).To(Equal(v1alpha1.PhaseFailed))

		// Waiting: a remote prod that does not answer.
		kubeconfigSecret(devNS, "down", []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: `+base64.StdEncoding.EncodeToString(adminCfg.CAData)+`}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`))
		down := newEnv(devNS, "prod-down", "shop")
		down.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "down"}
		Expect(k8s.Create(ctx, down)).To(Succeed())
		eventuallyCondition(down, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceUnreachable)

		time.Sleep(2 * time.Second) // let the first reconciles settle
		stalledBefore, downBefore := reconciles.of(stalled), reconciles.of(down)
		target := prodNS + "-not-granted"
		writesBefore := writes.mark()
		// At least 65 s, at the end of the suite: the other specs run meanwhile.
		atRest.after(func(rested time.Duration) {
			Expect(reconciles.of(stalled)-stalledBefore).To(BeZero(), "reconciles of a stalled environment at rest")
			Expect(writes.since(writesBefore, devNS, target)).To(BeEmpty(), "API writes for a stalled environment at rest")
			retried := reconciles.of(down) - downBefore
			// Every 30 s, plus the time a retry takes.
			Expect(retried).To(And(BeNumerically(">=", int(rested/(32*time.Second))), BeNumerically("<=", int(rested/(28*time.Second))+1)),
				"an unreachable prod is retried every 30 s, neither lost to the resync nor in a hot loop (%s at rest)", rested)
			GinkgoWriter.Printf("over %s at rest: stalled %d reconciles, unreachable %d reconciles\n",
				rested.Round(time.Second), reconciles.of(stalled)-stalledBefore, retried)

			// Fixed: the grant wakes the stalled environment, which provisions.
			grantMirroring(prodNS)
			eventuallyCondition(stalled, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
			markCopiesReady(target)
			eventuallyCondition(stalled, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
			Expect(condition(stalled, v1alpha1.ConditionStalled).Type).To(BeEmpty(), "Stalled is removed once the stall ends")
		})
	})

	It("refuses Keep rules the source does not grant", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: meta(prodNS, "stripe", nil),
			StringData: map[string]string{"publishable-key": "pk_live_public", "secret-key": "sk_live_SECRET-canary"}})).To(Succeed())
		grantMirroring(prodNS, v1alpha1.SecretKeys{Secret: "stripe", Keys: []string{"publishable-key"}})
		env := newEnv(devNS, "keeps", prodNS)
		env.Spec.Config.Secrets.Rules = []v1alpha1.SecretRule{{Secret: "stripe", Key: "secret-key", Policy: v1alpha1.SecretKeep}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionConfigScrubbed, metav1.ConditionFalse, v1alpha1.ReasonKeepNotGranted)
		Expect(c.Message).To(ContainSubstring("stripe/secret-key"))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: prodNS + "-keeps", Name: "stripe"}, &corev1.Secret{})).NotTo(Succeed(),
			"nothing of the configuration is copied")

		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Config.Secrets.Rules[0].Key = "publishable-key" })
		eventuallyCondition(env, v1alpha1.ConditionConfigScrubbed, metav1.ConditionTrue, v1alpha1.ReasonScrubbed)
	})

	It("refuses a stand-in that would take the name of a Service fronting prod's pods", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		Expect(k8s.Create(ctx, &corev1.Service{ObjectMeta: meta(prodNS, "api", nil), Spec: corev1.ServiceSpec{
			Selector: labels("api"), Ports: []corev1.ServicePort{{Port: 80}}}})).To(Succeed())
		env := newEnv(devNS, "collide", prodNS)
		env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "api", StandIn: &v1alpha1.StandInSpec{Version: "16.4"}}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonNameCollision)
		Expect(c.Message).To(And(ContainSubstring("Service/api"), ContainSubstring("spec.data[api]")))
		Expect(condition(env, v1alpha1.ConditionStalled).Status).To(Equal(metav1.ConditionTrue))
	})
})

// staleReads is a client whose reads of one environment return an older copy of it: what a
// reconcile sees when its cache has not yet caught up with the previous reconcile's write.
type staleReads struct {
	client.Client
	old *v1alpha1.MirrorEnvironment
}

func (c staleReads) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if e, ok := obj.(*v1alpha1.MirrorEnvironment); ok && key == client.ObjectKeyFromObject(c.old) {
		c.old.DeepCopyInto(e)
		return nil
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

var _ = Describe("a reconcile that read a stale environment", func() {
	It("does not overwrite the newer status", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		env := newEnv(devNS, "stale", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		old := getEnv(env) // Provisioned, not yet Ready: its pods are not ready
		Expect(old.Status.ProvisionedAt).To(BeNil())
		Eventually(func(g Gomega) {
			markCopiesReady(prodNS + "-stale")
			g.Expect(condition(env, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue))
		}, 30*time.Second, time.Second).Should(Succeed())
		newer := getEnv(env)
		Expect(newer.Status.ProvisionedAt).NotTo(BeNil())

		time.Sleep(1100 * time.Millisecond) // a status computed now differs in its times
		r := newReconciler(staleReads{Client: mgrClient, old: old})
		_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(env)})
		Expect(err).NotTo(HaveOccurred(), "a stale read is not an error: the newer version's event reconciles again")
		Expect(getEnv(env).Status).To(Equal(newer.Status), "a status computed from the stale read is refused")
	})
})

var _ = Describe("developer access, preview URLs and expiry", Ordered, func() {
	var devNS, prodNS, target string
	var env *v1alpha1.MirrorEnvironment

	BeforeAll(func() {
		devNS, prodNS = unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		env = newEnv(devNS, "access", prodNS)
		env.Spec.Access = &v1alpha1.AccessSpec{Subjects: []v1alpha1.AccessSubject{{Kind: "User", Name: "alice@example.com"}}}
		env.Spec.TTL = ptr.To(v1alpha1.Duration("48h"))
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = prodNS + "-access"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		markCopiesReady(target)
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
	})

	It("lets the environment's developers edit the copy, and nothing else", func() {
		rb := &rbacv1.RoleBinding{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: mirror.AccessBindingName}, rb)).To(Succeed())
		Expect(rb.RoleRef.Name).To(Equal("edit"))
		// envtest bootstraps "edit" as an aggregated role but runs no controller to aggregate its
		// rules: give it the rules a cluster's aggregation would.
		edit := &rbacv1.ClusterRole{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: "edit"}, edit)).To(Succeed())
		if len(edit.Rules) == 0 {
			edit.Rules = []rbacv1.PolicyRule{
				{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"*"}},
				{APIGroups: []string{""}, Resources: []string{"pods", "pods/log", "services", "configmaps", "secrets"}, Verbs: []string{"*"}},
			}
			Expect(k8s.Update(ctx, edit)).To(Succeed())
		}
		// The authorizer sees a new ClusterRole a moment after it is created.
		Eventually(func() bool { return canUser("alice@example.com", "patch", "apps", "deployments", target) }, 10*time.Second).
			Should(BeTrue(), "in the copy")
		Expect(canUser("alice@example.com", "patch", "apps", "deployments", prodNS)).To(BeFalse(), "in prod")
		Expect(canUser("alice@example.com", "get", "", "secrets", prodNS)).To(BeFalse(), "prod's secrets")
		Expect(canUser("bob@example.com", "patch", "apps", "deployments", target)).To(BeFalse(), "someone not listed")

		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Access = nil })
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: mirror.AccessBindingName}, &rbacv1.RoleBinding{})
		}, 20*time.Second).ShouldNot(Succeed(), "removing the subjects removes the binding")
	})

	It("refuses a role outside the operator's allow-list", func() {
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Access = &v1alpha1.AccessSpec{ClusterRole: "cluster-admin", Subjects: []v1alpha1.AccessSubject{{Kind: "Group", Name: "devs"}}}
		})
		c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonAccessRoleForbidden)
		Expect(c.Message).To(ContainSubstring("edit, view"))
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Access.ClusterRole = "view" })
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
	})

	It("moves the expiry with spec.expiresAt, within the operator's maximum", func() {
		created := getEnv(env).CreationTimestamp.Time
		Expect(getEnv(env).Status.ExpiresAt.Time).To(BeTemporally("~", created.Add(48*time.Hour), time.Second))
		later := metav1.NewTime(time.Now().Add(96 * time.Hour).Truncate(time.Second))
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.ExpiresAt = &later })
		Eventually(func() time.Time { return getEnv(env).Status.ExpiresAt.Time }, 10*time.Second).Should(BeTemporally("==", later.Time))

		tooFar := metav1.NewTime(time.Now().Add(2000 * time.Hour))
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.ExpiresAt = &tooFar })
		Eventually(func() string { return condition(env, v1alpha1.ConditionReady).Message }, 10*time.Second).
			Should(ContainSubstring("more than the operator's maximum lifetime"))
		Expect(getEnv(env).Status.ExpiresAt.Time).To(BeTemporally("==", later.Time), "the expiry stays where it was")
	})
})

var _ = Describe("a frozen copy (followProd: Never)", func() {
	It("keeps what it was provisioned with and reports what prod changed, per axis", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
		Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: meta(prodNS, "app-config", nil), Data: map[string]string{"LOG_LEVEL": "info"}})).To(Succeed())
		env := newEnv(devNS, "frozen", prodNS)
		env.Spec.FollowProd = v1alpha1.FollowNever
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-frozen"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		markCopiesReady(target)
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		copied := &appsv1.Deployment{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, copied)).To(Succeed())
		image := copied.Spec.Template.Spec.Containers[0].Image

		// Prod rolls out a new image and adds a config key.
		d := &appsv1.Deployment{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: prodNS, Name: "api"}, d)).To(Succeed())
		d.Spec.Template.Spec.Containers[0].Image = "registry.example/api:2.0"
		Expect(k8s.Update(ctx, d)).To(Succeed())
		(&prodShop{ns: prodNS}).runPods("api", 1, d.Spec.Template.Spec, "v2")
		cm := &corev1.ConfigMap{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: prodNS, Name: "app-config"}, cm)).To(Succeed())
		cm.Data["FEATURE_X"] = "on"
		Expect(k8s.Update(ctx, cm)).To(Succeed())

		c := eventuallyCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionTrue, v1alpha1.ReasonFrozen)
		Eventually(func() []string { return getEnv(env).Status.Parity.Drifted }, 20*time.Second).Should(ContainElements(
			And(HavePrefix("Deployment/api: images: container app: prod runs registry.example/api:2.0"), ContainSubstring(image)),
			Equal("ConfigMap/app-config: config: keys added in prod: FEATURE_X"),
		))
		Expect(c.Message).To(ContainSubstring("followProd is Never"))
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, copied)).To(Succeed())
		Expect(copied.Spec.Template.Spec.Containers[0].Image).To(Equal(image), "the frozen copy keeps its image")
		Expect(condition(env, v1alpha1.ConditionReady).Status).To(Equal(metav1.ConditionTrue), "drift is reported, not a failure")

		// Following again applies prod's changes and ends the drift.
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.FollowProd = v1alpha1.FollowAlways })
		eventuallyCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionFalse, v1alpha1.ReasonNoDrift)
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "api"}, copied)).To(Succeed())
		Expect(copied.Spec.Template.Spec.Containers[0].Image).To(ContainSubstring("registry.example/api:2.0@sha256:"))
	})
})

var _ = Describe("re-creating an environment under the same name", func() {
	It("waits for the old namespace to go instead of calling it someone else's", func() {
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		env := newEnv(devNS, "again", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
		Expect(k8s.Delete(ctx, env)).To(Succeed())
		Eventually(gone(env), 20*time.Second).Should(BeTrue())
		// envtest runs no namespace controller: the old namespace stays Terminating, as it
		// does for a while in a real cluster.
		again := newEnv(devNS, "again", prodNS)
		Expect(k8s.Create(ctx, again)).To(Succeed())
		c := eventuallyCondition(again, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonNamespaceTerminating)
		Expect(c.Message).To(ContainSubstring("still being deleted"))
		Expect(getEnv(again).Status.Phase).NotTo(Equal(v1alpha1.PhaseFailed))
	})
})
