package cli

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

var _ = Describe("up", func() {
	It("applies the branch's environment with server-side apply and adds the caller", func() {
		res := run(devKubeconfig, "up", "--branch", "feature/apply", "--from", prodNamespace, "--set", "api=registry.example/api:sha-1")
		Expect(res.code).To(Equal(ExitOK), res.String())
		name := EnvironmentName("feature/apply")
		Expect(res.stdout).To(ContainSubstring("mirrorenvironment dev/%s created (branch feature/apply)", name))

		env := getEnv(name)
		Expect(env.Spec.Branch).To(Equal("feature/apply"))
		Expect(env.Spec.Source.Namespace).To(Equal(prodNamespace))
		Expect(env.Spec.TTL).To(HaveValue(BeEquivalentTo("48h")))
		Expect(env.Spec.Overrides).To(HaveLen(1))
		Expect(string(env.Spec.Overrides[0].Image)).To(Equal("registry.example/api:sha-1"))
		Expect(env.Spec.Access).NotTo(BeNil())
		Expect(env.Spec.Access.Subjects).To(ConsistOf(v1alpha1.AccessSubject{Kind: "User", Name: developer}))
		var applied bool
		for _, m := range env.ManagedFields {
			applied = applied || (m.Manager == FieldManager && m.Operation == metav1.ManagedFieldsOperationApply)
		}
		Expect(applied).To(BeTrue(), "no server-side apply by %s in %v", FieldManager, env.ManagedFields)

		By("changing nothing when run again with the same flags")
		res = run(devKubeconfig, "up", "--branch", "feature/apply", "--from", prodNamespace, "--set", "api=registry.example/api:sha-1")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("updated"))
		Expect(getEnv(name).Generation).To(Equal(env.Generation))

		By("dropping an override left out, and keeping what another manager wrote")
		patch := client.MergeFrom(env.DeepCopy())
		env.Spec.Workloads.Exclude = []string{"analytics"}
		Expect(k8s.Patch(ctx, env, patch, client.FieldOwner("someone-else"))).To(Succeed())
		res = run(devKubeconfig, "up", "--branch", "feature/apply", "--no-access")
		Expect(res.code).To(Equal(ExitOK), res.String())
		env = getEnv(name)
		Expect(env.Spec.Overrides).To(BeEmpty())
		Expect(env.Spec.Workloads.Exclude).To(Equal([]string{"analytics"}))
		Expect(env.Spec.Source.Namespace).To(Equal(prodNamespace), "the existing environment's source is the default --from")
		Expect(env.Spec.Access.Subjects).To(ConsistOf(v1alpha1.AccessSubject{Kind: "User", Name: developer}),
			"--no-access keeps the subjects that are there")
	})

	It("refuses to take over an environment of the same name that serves another branch", func() {
		Expect(k8s.Create(ctx, &v1alpha1.MirrorEnvironment{
			ObjectMeta: metav1.ObjectMeta{Name: "main", Namespace: devNamespace},
			Spec:       v1alpha1.MirrorEnvironmentSpec{Source: v1alpha1.SourceSpec{Namespace: prodNamespace}, Branch: "release/main"},
		})).To(Succeed())
		res := run(devKubeconfig, "up", "--branch", "main", "--from", prodNamespace)
		Expect(res.code).To(Equal(ExitError), res.String())
		Expect(res.stderr).To(ContainSubstring(`already serves branch "release/main", not "main": pass --name`))
		Expect(getEnv("main").Spec.Branch).To(Equal("release/main"))
	})

	It("takes --from from the one MirrorSource that grants the namespace, and asks when there is none or several", func() {
		res := run(devKubeconfig, "up", "--branch", "feature/granted")
		Expect(res.code).To(Equal(ExitError), res.String())
		Expect(res.stderr).To(ContainSubstring("no MirrorSource grants namespace dev"))

		grant := func(ns string, from v1alpha1.MirrorSourceFrom) *v1alpha1.MirrorSource {
			src := &v1alpha1.MirrorSource{ObjectMeta: metav1.ObjectMeta{Name: "grant", Namespace: ns},
				Spec: v1alpha1.MirrorSourceSpec{From: []v1alpha1.MirrorSourceFrom{from}}}
			Expect(k8s.Create(ctx, src)).To(Succeed())
			DeferCleanup(func() { Expect(k8s.Delete(ctx, src)).To(Succeed()) })
			return src
		}
		grant(prodNamespace, v1alpha1.MirrorSourceFrom{Namespace: devNamespace})
		res = run(devKubeconfig, "up", "--branch", "feature/granted")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(getEnv(EnvironmentName("feature/granted")).Spec.Source.Namespace).To(Equal(prodNamespace))

		grant("other-prod", v1alpha1.MirrorSourceFrom{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}}})
		res = run(devKubeconfig, "up", "--branch", "feature/granted-2")
		Expect(res.code).To(Equal(ExitError), res.String())
		Expect(res.stderr).To(ContainSubstring("pass --from: MirrorSources in other-prod, prod grant namespace dev"))
	})

	It("rejects a bad --set before talking to the cluster", func() {
		res := run(devKubeconfig, "up", "--branch", "feature/bad-set", "--from", prodNamespace, "--set", "api")
		Expect(res.code).To(Equal(ExitError))
		Expect(res.stderr).To(ContainSubstring("want workload=image or workload=container=image"))
	})
})

var _ = Describe("up --wait", func() {
	// operatorSays writes the status the operator would once the environment exists.
	operatorSays := func(name string, conds ...metav1.Condition) {
		go func() {
			defer GinkgoRecover()
			env := &v1alpha1.MirrorEnvironment{}
			Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Namespace: devNamespace, Name: name}, env) }).
				WithTimeout(20 * time.Second).Should(Succeed())
			env.Status.ObservedGeneration = env.Generation
			env.Status.TargetNamespace = prodNamespace + "-" + name
			env.Status.URLs = []string{"https://shop-" + name + ".example.com"}
			for _, c := range conds {
				c.ObservedGeneration = env.Generation
				c.LastTransitionTime = metav1.Now()
				apimeta.SetStatusCondition(&env.Status.Conditions, c)
				if c.Type == v1alpha1.ConditionReady && c.Status == metav1.ConditionTrue {
					env.Status.Phase = v1alpha1.PhaseReady
				}
			}
			Expect(k8s.Status().Update(ctx, env)).To(Succeed())
		}()
	}

	It("exits 0 once Ready, with the namespace and URL", func() {
		name := EnvironmentName("feature/ready")
		operatorSays(name, metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonReady, Message: "3 of 3 services ready"})
		res := run(devKubeconfig, "up", "--branch", "feature/ready", "--from", prodNamespace, "--wait", "--timeout", "30s")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("namespace: prod-" + name))
		Expect(res.stdout).To(ContainSubstring("url: https://shop-" + name + ".example.com"))
	})

	It("exits 2 at once with the reason when the environment is Stalled", func() {
		name := EnvironmentName("feature/stalled")
		operatorSays(name,
			metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonOverrideNotFound, Message: "Provisioned: spec.overrides names nosuch"},
			metav1.Condition{Type: v1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonOverrideNotFound, Message: "spec.overrides names nosuch"})
		start := time.Now()
		res := run(devKubeconfig, "up", "--branch", "feature/stalled", "--from", prodNamespace, "--set", "nosuch=x:1", "--wait", "--timeout", "1m")
		Expect(res.code).To(Equal(ExitFailed), res.String())
		Expect(res.stderr).To(ContainSubstring("failed: OverrideNotFound: spec.overrides names nosuch"))
		Expect(time.Since(start)).To(BeNumerically("<", DefaultFailureGrace), "Stalled needs no grace")
	})

	It("exits 3 when no operator answers before --timeout", func() {
		res := run(devKubeconfig, "up", "--branch", "feature/no-operator", "--from", prodNamespace, "--wait", "--timeout", "3s")
		Expect(res.code).To(Equal(ExitTimeout), res.String())
		Expect(res.stderr).To(ContainSubstring("timed out after 3s waiting for"))
		Expect(res.stderr).To(ContainSubstring("has not reconciled generation 1 yet"))
	})
})

var _ = Describe("extend, ls, status and down", func() {
	It("manage an existing environment", func() {
		Expect(run(devKubeconfig, "up", "--branch", "feature/life", "--from", prodNamespace).code).To(Equal(ExitOK))
		name := EnvironmentName("feature/life")

		before := time.Now()
		res := run(devKubeconfig, "extend", "--branch", "feature/life", "+24h")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(getEnv(name).Spec.ExpiresAt.Time).To(BeTemporally("~", before.Add(24*time.Hour), 5*time.Second))
		res = run(devKubeconfig, "extend", name, "--", "-1h")
		Expect(res.code).To(Equal(ExitError))
		Expect(res.stderr).To(ContainSubstring("not in the future"))

		res = run(devKubeconfig, "ls")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).To(MatchRegexp(`(?m)^dev +%s +feature/life +Pending `, name))

		res = run(devKubeconfig, "status", name)
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stdout).To(ContainSubstring("(requested; not yet confirmed by the operator)"))

		res = run(devKubeconfig, "down", name)
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(run(devKubeconfig, "status", name).code).To(Equal(ExitError))
		Expect(run(devKubeconfig, "down", name, "--ignore-not-found").code).To(Equal(ExitOK))
	})

	It("ls shows the caller's namespace when they may not list all of them", func() {
		Expect(k8s.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "menv-reader", Namespace: devNamespace},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{v1alpha1.GroupVersion.Group}, Resources: []string{"mirrorenvironments"}, Verbs: []string{"list", "get"}}}})).To(Succeed())
		Expect(k8s.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "bob", Namespace: devNamespace},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "menv-reader"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}}})).To(Succeed())
		Expect(run(devKubeconfig, "up", "--branch", "feature/bob", "--from", prodNamespace).code).To(Equal(ExitOK))

		res := run(userKubeconfig(envtest.User{Name: "bob"}, devNamespace), "ls")
		Expect(res.code).To(Equal(ExitOK), res.String())
		Expect(res.stderr).To(ContainSubstring("you may not list environments in all namespaces; showing namespace dev"))
		Expect(res.stdout).To(ContainSubstring(EnvironmentName("feature/bob")))
	})
})
