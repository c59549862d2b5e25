package controllers_test

import (
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	schema2 "k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// The operator's half of the hostile table (issue 15): manifests the API server admits, each of
// which the running operator must report with the condition testdata/hostile/operator.yaml
// gives, without a hot loop. They are created all at once, next to each other, so the table also
// shows that no bad environment holds up the others.

// hostileCase is one entry of testdata/hostile/operator.yaml.
type hostileCase struct {
	Name       string `json:"name"`
	EnvName    string `json:"envName"`
	Spec       string `json:"spec"`
	Kubeconfig string `json:"kubeconfig"`
	Ready      bool   `json:"ready"`
	Expect     struct {
		Condition string                 `json:"condition"`
		Status    metav1.ConditionStatus `json:"status"`
		Reason    string                 `json:"reason"`
		Message   string                 `json:"message"`
		Stalled   bool                   `json:"stalled"`
	} `json:"expect"`

	env *v1alpha1.MirrorEnvironment
}

func loadHostileCases() []*hostileCase {
	data, err := os.ReadFile("testdata/hostile/operator.yaml")
	if err != nil {
		panic(err)
	}
	var cases []*hostileCase
	if err := yaml.UnmarshalStrict(data, &cases); err != nil {
		panic(err)
	}
	return cases
}

// hostileProd creates the namespaces the table's placeholders name and returns the placeholders.
func hostileProd(devNS string) map[string]string {
	prod, nodigest, ungranted, tenant := unique("hostile-prod"), unique("hostile-nodigest"), unique("hostile-ungranted"), unique("hostile-tenant")
	smallProd(prod)
	Expect(k8s.Create(ctx, &corev1.Service{ObjectMeta: meta(prod, "api", nil), Spec: corev1.ServiceSpec{
		Selector: labels("api"), Ports: []corev1.ServicePort{{Port: 80}}}})).To(Succeed())
	Expect(k8s.Create(ctx, &networkingv1.Ingress{ObjectMeta: meta(prod, "api", nil), Spec: networkingv1.IngressSpec{
		Rules: []networkingv1.IngressRule{{Host: "shop.example.com", IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix),
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "api", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}}}}}})).To(Succeed())
	Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: meta(prod, "stripe", nil),
		StringData: map[string]string{"publishable-key": "pk_live_public", "secret-key": "sk_live_HOSTILE-canary"}})).To(Succeed())
	grantMirroring(prod, v1alpha1.SecretKeys{Secret: "stripe", Keys: []string{"publishable-key"}})

	smallProd(nodigest) // then its pods go, and with them the only record of the digest prod runs
	Expect(k8s.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(nodigest))).To(Succeed())
	grantMirroring(nodigest)
	createNamespace(ungranted, nil)
	createNamespace(tenant, nil)

	return map[string]string{
		"$PROD": prod, "$NODIGEST": nodigest, "$UNGRANTED": ungranted, "$TENANT": tenant, "$DEV": devNS,
		"$OPERATOR": operatorNamespace,
		"$FAR":      time.Now().Add(2000 * time.Hour).UTC().Format(time.RFC3339),
		"$CA":       base64.StdEncoding.EncodeToString(adminCfg.CAData),
		"$LONG_NAME": strings.Join([]string{strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63),
			strings.Repeat("d", 61)}, "."),
		"$FIFTY_OVERRIDES":       flowList(50, func(i int) string { return fmt.Sprintf("{workload: w%d, image: 'registry.example/w%d:1'}", i, i) }),
		"$TWO_HUNDRED_NAMES":     flowList(200, func(i int) string { return fmt.Sprintf("w%d", i) }),
		"$HUNDRED_REWRITES":      flowList(100, func(i int) string { return fmt.Sprintf("{from: h%d.prod.example.com, to: h%d}", i, i) }),
		"$TWO_HUNDRED_KEEPPLAIN": flowList(200, func(i int) string { return fmt.Sprintf("{configMap: c%d, key: k%d}", i, i) }),
		"$FIFTY_CIDRS":           flowList(50, func(i int) string { return fmt.Sprintf("10.%d.0.0/16", i) }),
		"$THIRTY_ANNOTATIONS": "{" + strings.Trim(flowList(30, func(i int) string {
			return fmt.Sprintf("example.com/a%d: '{{ .Branch }}-{{ .Environment }}'", i)
		}), "[]") + "}",
		// Ten bytes, made ten times longer six times: 10 MB from a template of 300 characters.
		"$GROW":           `{{ $x := "aaaaaaaaaa" }}` + strings.Repeat(`{{ $x = print $x $x $x $x $x $x $x $x $x $x }}`, 6),
		"$NESTED_REPLACE": strings.Repeat(`(replace "a" "aaaaaaaaaa" `, 6) + `"aaaaaaaaaa"` + strings.Repeat(")", 6),
	}
}

// flowList renders n flow-style YAML items made by item(i).
func flowList(n int, item func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = item(i)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// expand replaces the placeholders, longest first, so that none is read as the start of another.
func expand(s string, vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, vars[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// createHostile creates one entry's environment (and its kubeconfig Secret).
func (c *hostileCase) create(devNS string, i int, vars map[string]string) {
	name := fmt.Sprintf("hostile-%02d", i)
	if c.EnvName != "" {
		name = expand(c.EnvName, vars)
	}
	vars = maps.Clone(vars)
	vars["$SELF"] = name
	if c.Kubeconfig != "" {
		kubeconfigSecret(devNS, name, []byte(expand(c.Kubeconfig, vars)))
	}
	env := &v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: name}}
	spec := expand(c.Spec, vars)
	Expect(yaml.UnmarshalStrict([]byte(spec), &env.Spec)).To(Succeed(), "%s: spec:\n%s", c.Name, spec)
	if env.Spec.Branch == "" {
		env.Spec.Branch = "feature/" + name[:min(len(name), 40)]
	}
	Expect(k8s.Create(ctx, env, client.FieldValidation("Strict"))).To(Succeed(), "the API server refused %q", c.Name)
	c.env = env
	c.Expect.Message = expand(c.Expect.Message, vars)
}

// check waits for the entry's expected report.
func (c *hostileCase) check() {
	if c.Ready {
		eventuallyCondition(c.env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		target := getEnv(c.env).Status.TargetNamespace
		Expect(validation.IsDNS1123Label(target)).To(BeEmpty(), "the target namespace %q", target)
		markCopiesReady(target)
		ingresses := &networkingv1.IngressList{}
		Expect(k8s.List(ctx, ingresses, client.InNamespace(target))).To(Succeed())
		Expect(ingresses.Items).NotTo(BeEmpty())
		for _, in := range ingresses.Items {
			for _, r := range in.Spec.Rules {
				Expect(validation.IsDNS1123Subdomain(r.Host)).To(BeEmpty(), "the copy's host %q", r.Host)
			}
		}
	}
	e := c.Expect
	got := eventuallyCondition(c.env, e.Condition, e.Status, e.Reason)
	Expect(got.Message).To(ContainSubstring(e.Message))
	stalled := condition(c.env, v1alpha1.ConditionStalled)
	if e.Stalled {
		Expect(stalled.Status).To(Equal(metav1.ConditionTrue), "Stalled: %+v", stalled)
		Expect(stalled.Reason).To(Equal(e.Reason))
	} else {
		Expect(stalled.Status).NotTo(Equal(metav1.ConditionTrue), "Stalled: %+v", stalled)
	}
	Expect(getEnv(c.env).Status.ObservedGeneration).To(Equal(getEnv(c.env).Generation))
}

var _ = Describe("the hostile table: reported by the operator", Ordered, ContinueOnFailure, func() {
	cases := loadHostileCases()
	var devNS string
	var vars map[string]string
	var reported int

	BeforeAll(func() {
		devNS = unique("hostile-dev")
		createNamespace(devNS, nil)
		vars = hostileProd(devNS)
		for i, c := range cases {
			c.create(devNS, i, vars)
		}
	})

	for _, c := range cases {
		It("reports "+c.Name, func() {
			c.check()
			reported++
		})
	}

	It("reconciles none of them in a loop", func() {
		time.Sleep(2 * time.Second) // the last events of provisioning settle
		before := map[*hostileCase]int{}
		for _, c := range cases {
			before[c] = reconciles.of(c.env)
		}
		writesBefore := writes.inNamespaces(devNS)
		time.Sleep(4 * time.Second)
		total := 0
		for _, c := range cases {
			n := reconciles.of(c.env) - before[c]
			total += n
			if c.Expect.Stalled {
				Expect(n).To(BeZero(), "reconciles of %q, stalled, at rest", c.Name)
			} else {
				Expect(n).To(BeNumerically("<=", 1), "reconciles of %q at rest", c.Name)
			}
		}
		Expect(writes.inNamespaces(devNS)-writesBefore).To(BeNumerically("<=", 2), "writes to the environments at rest")
		Expect(writes.since(0, "kube-system", vars["$TENANT"], vars["$PROD"], vars["$NODIGEST"], vars["$UNGRANTED"])).
			To(BeEmpty(), "writes to prod, to the system or to another team's namespace")
		_, err := os.Stat("/tmp/envmirror-hostile-pwned")
		Expect(os.IsNotExist(err)).To(BeTrue(), "a kubeconfig's exec plugin ran")
		GinkgoWriter.Printf("hostile table (operator): %d environments, %d reconciles in 4 s at rest\n", len(cases), total)
	})

	AfterAll(func() {
		fmt.Printf("hostile table (operator): %d of %d manifests reported in a condition\n", reported, len(cases))
	})
})

var _ = Describe("an environment that cannot be processed", func() {
	var devNS, prodNS string

	BeforeEach(func() {
		devNS, prodNS = unique("isolation-dev"), unique("isolation-prod")
		createNamespace(devNS, nil)
		smallProd(prodNS)
		grantMirroring(prodNS)
	})

	// provisions waits for a good environment to become Ready in spite of its neighbours.
	provisions := func(env *v1alpha1.MirrorEnvironment) {
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		markCopiesReady(getEnv(env).Status.TargetNamespace)
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
	}

	It("never stops the environment next to it", func() {
		bad := newEnv(devNS, "bad", prodNS)
		bad.Spec.Config.Secrets.Rules = []v1alpha1.SecretRule{{Secret: "s", Key: "k", Template: "{{ range 1000000000 }}{{ range 1000000000 }}{{ end }}{{ end }}"}}
		Expect(k8s.Create(ctx, bad)).To(Succeed())
		good := newEnv(devNS, "good", prodNS)
		Expect(k8s.Create(ctx, good)).To(Succeed())
		provisions(good)
		eventuallyCondition(bad, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSpecInvalid)
	})

	It("never stops the others when the operator cannot even decode it", func() {
		good := newEnv(devNS, "before", prodNS)
		Expect(k8s.Create(ctx, good)).To(Succeed())
		provisions(good)

		// An object whose spec does not fit the operator's types, as an older or looser CRD
		// (or a write straight to etcd) leaves behind: replicas as a word.
		undecodable := storeThroughLooserSchema(devNS, "undecodable", prodNS)
		DeferCleanup(func() {
			Expect(k8s.Delete(ctx, undecodable)).To(Succeed())
			Eventually(gone(undecodable), 20*time.Second).Should(BeTrue(), "its deletion completes")
		})

		// It is reported on its own...
		c := eventuallyCondition(&v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "undecodable"}},
			v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonSpecInvalid)
		Expect(c.Message).To(ContainSubstring("replicas"))
		// ...while an environment created after it, and one changed after it, still reconcile.
		after := newEnv(devNS, "after", prodNS)
		Expect(k8s.Create(ctx, after)).To(Succeed())
		provisions(after)
		updateEnv(good, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Workloads.Exclude = []string{"api"} })
		Eventually(func() int64 { return getEnv(good).Status.ObservedGeneration }, 20*time.Second).Should(Equal(getEnv(good).Generation))
	})
})

// storeThroughLooserSchema stores a MirrorEnvironment with spec.workloads.replicas "many": it
// loosens the CRD's schema for replicas to int-or-string, creates the object, and restores the
// schema, as an upgrade from a looser CRD would leave things.
func storeThroughLooserSchema(ns, name, source string) *unstructured.Unstructured {
	const crdName = "mirrorenvironments.envmirror.io"
	replicasPath := []string{"spec", "versions", "0", "schema", "openAPIV3Schema", "properties", "spec", "properties",
		"workloads", "properties", "replicas"}
	setReplicasSchema := func(schema map[string]any) (previous map[string]any) {
		EventuallyWithOffset(1, func() error {
			crd := &unstructured.Unstructured{}
			crd.SetGroupVersionKind(schema2.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
			if err := k8s.Get(ctx, client.ObjectKey{Name: crdName}, crd); err != nil {
				return err
			}
			parent := crd.Object
			for _, p := range replicasPath[:len(replicasPath)-1] {
				switch v := parent[p].(type) {
				case map[string]any:
					parent = v
				case []any:
					parent = v[0].(map[string]any)
				}
			}
			previous = parent["replicas"].(map[string]any)
			parent["replicas"] = schema
			return k8s.Update(ctx, crd)
		}, 10*time.Second).Should(Succeed())
		return previous
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "envmirror.io/v1alpha1", "kind": "MirrorEnvironment",
		"metadata": map[string]any{"namespace": ns, "name": name},
		"spec":     map[string]any{"source": map[string]any{"namespace": source}, "workloads": map[string]any{"replicas": "many"}},
	}}
	original := setReplicasSchema(map[string]any{"x-kubernetes-int-or-string": true})
	Eventually(func() error { return k8s.Create(ctx, obj.DeepCopy()) }, 20*time.Second).Should(Succeed(), "the looser schema admits the object")
	setReplicasSchema(original)
	Eventually(func() error { return k8s.Create(ctx, obj.DeepCopy(), client.DryRunAll) }, 20*time.Second).
		ShouldNot(Succeed(), "the schema is strict again")
	return obj
}
