package controllers_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// A value the scrubber decided about without a rule that makes it sure is reported with where
// it is and the keepPlain rule that keeps it; the rule, applied as written, keeps it.
var _ = Describe("values the scrubber is unsure about", func() {
	It("are listed in status with the rule that keeps each, and that rule keeps it byte-identical", func() {
		const ref = "Zq8tT3kwP9zLm2xAb7cD4eF" // a partner reference: random-looking, under a neutral key
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		Expect(k8s.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: prodNS, Name: "features"},
			Data: map[string]string{"features.yaml": "features:\n  beta: true\n  partner_ref: " + ref + "\n  password: hunter2hunter2\n"}})).To(Succeed())
		env := newEnv(devNS, "unsure", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-unsure"

		By("the random-looking value is replaced, and reported with its rule")
		var entry v1alpha1.UncertainValue
		Eventually(func(g Gomega) {
			list := getEnv(env).Status.Config.Uncertain
			g.Expect(list).To(ContainElement(HaveField("Path", "features.partner_ref"), &entry))
		}, 20*time.Second).Should(Succeed())
		Expect(entry).To(Equal(v1alpha1.UncertainValue{Object: "ConfigMap/features", Key: "features.yaml", Path: "features.partner_ref",
			Decision: "Replaced", Reason: "replaced only because it looks random",
			KeepRule: `{configMap: features, key: "features.yaml#features.partner_ref"}`}))
		copied := func() string {
			cm := &corev1.ConfigMap{}
			if err := k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "features"}, cm); err != nil {
				return ""
			}
			return cm.Data["features.yaml"]
		}
		Eventually(copied, 20*time.Second).ShouldNot(BeEmpty())
		Expect(copied()).NotTo(ContainSubstring(ref))

		By("the user applies the rule the report names: the value is copied as prod has it, nothing else is")
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Config.KeepPlain = []v1alpha1.PlainValueRule{{ConfigMap: "features", Key: "features.yaml#features.partner_ref"}}
		})
		Eventually(copied, 20*time.Second).Should(ContainSubstring("partner_ref: " + ref + "\n"))
		Expect(copied()).NotTo(ContainSubstring("hunter2"), "a rule for one path keeps that path only")
		Eventually(func() []v1alpha1.UncertainValue { return getEnv(env).Status.Config.Uncertain }, 10*time.Second).
			ShouldNot(ContainElement(HaveField("Path", "features.partner_ref")), "a value kept by rule is no longer uncertain")
		Expect(strings.Count(copied(), "\n")).To(Equal(4), "the document keeps its shape")
		Expect(k8s.Delete(ctx, env)).To(Succeed())
	})
})

// A credential pasted into a label value is replaced in the object's labels, its pod template's
// and every selector that matches them, by the same stand-in: the copy's objects stay valid and
// its selectors still select.
var _ = Describe("credentials in label values", func() {
	It("are replaced everywhere the label appears, by one stand-in, so that selectors still select", func() {
		const token = "ghp_R2x9Lq7Wm4Tz8Kd1Vb6Np3Hs5Jc0Yf2Ga7Ue" // a GitHub token shape, pasted as a label
		devNS, prodNS := unique("dev"), unique("prod")
		createNamespace(devNS, nil)
		createNamespace(prodNS, nil)
		grantMirroring(prodNS)
		sel := map[string]string{"app": "agent", "agent-token": token}
		Expect(k8s.Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: prodNS, Name: "agent", Labels: sel},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: sel},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: sel},
					Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "registry.example/agent:1.0"}}}}}})).To(Succeed())
		Expect(k8s.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: prodNS, Name: "agent"},
			Spec: corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{{Port: 8080}}}})).To(Succeed())
		Expect(k8s.Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: prodNS, Name: "agent"},
			Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "agent-token", Operator: metav1.LabelSelectorOpIn, Values: []string{token}}}}}})).To(Succeed())
		env := newEnv(devNS, "labels", prodNS)
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target := prodNS + "-labels"

		var dep appsv1.Deployment
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "agent"}, &dep) }, 20*time.Second).Should(Succeed())
		standIn := dep.Spec.Template.Labels["agent-token"]
		Expect(standIn).NotTo(Or(BeEmpty(), Equal(token)))
		Expect(dep.Labels["agent-token"]).To(Equal(standIn))
		Expect(dep.Spec.Selector.MatchLabels["agent-token"]).To(Equal(standIn), "the selector still selects the template (the API server checks)")
		Expect(dep.Spec.Template.Labels["app"]).To(Equal("agent"), "a plain label stays")
		// Polled with Get, not copyOf: the Service and the policy may be applied a moment after
		// the Deployment, and copyOf fails at once on one not there yet.
		Eventually(func(g Gomega) {
			svc := &corev1.Service{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "agent"}, svc)).To(Succeed())
			g.Expect(svc.Spec.Selector["agent-token"]).To(Equal(standIn))
		}, 20*time.Second).Should(Succeed())
		Eventually(func(g Gomega) {
			np := &networkingv1.NetworkPolicy{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: target, Name: "agent"}, np)).To(Succeed())
			g.Expect(np.Spec.PodSelector.MatchExpressions).To(HaveLen(1))
			g.Expect(np.Spec.PodSelector.MatchExpressions[0].Values).To(Equal([]string{standIn}))
		}, 20*time.Second).Should(Succeed())
		Expect(scanNamespace(target, []string{token})).To(BeEmpty())
		Expect(k8s.Delete(ctx, env)).To(Succeed())
	})
})
