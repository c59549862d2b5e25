package controllers_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// scanStats is what the last scan covered.
var scanStats struct{ types, objects int }

// scanNamespace lists every namespaced resource type the API server serves (found through
// discovery, not a list of kinds we think of) in ns, serializes every object, and returns each
// canary found: as is, base64-encoded (std or URL), hex-encoded, or inside any string value that
// decodes from base64 (Secret data is base64 in JSON, at any alignment).
func scanNamespace(ns string, canaries []string) []string {
	dc, err := discovery.NewDiscoveryClientForConfig(adminCfg)
	Expect(err).NotTo(HaveOccurred())
	dyn, err := dynamic.NewForConfig(adminCfg)
	Expect(err).NotTo(HaveOccurred())
	lists, err := dc.ServerPreferredNamespacedResources()
	Expect(err).NotTo(HaveOccurred())

	var findings []string
	scanStats.types, scanStats.objects = 0, 0
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		Expect(err).NotTo(HaveOccurred())
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			scanStats.types++
			objs, err := dyn.Resource(gv.WithResource(r.Name)).Namespace(ns).List(ctx, metav1.ListOptions{})
			Expect(err).NotTo(HaveOccurred(), "listing %s", r.Name)
			for _, o := range objs.Items {
				scanStats.objects++
				raw, err := json.Marshal(o.Object)
				Expect(err).NotTo(HaveOccurred())
				hay := string(raw) + "\n" + decodedStrings(o.Object)
				for _, c := range canaries {
					for enc, needle := range encodings(c) {
						if strings.Contains(hay, needle) {
							findings = append(findings, fmt.Sprintf("%s/%s holds canary %q (%s)", r.Kind, o.GetName(), c, enc))
						}
					}
				}
			}
		}
	}
	sort.Strings(findings)
	GinkgoWriter.Printf("canary scan of %s: %d resource types, %d objects, %d canaries, %d findings\n",
		ns, scanStats.types, scanStats.objects, len(canaries), len(findings))
	return findings
}

func encodings(c string) map[string]string {
	return map[string]string{
		"plain":      c,
		"base64":     base64.StdEncoding.EncodeToString([]byte(c)),
		"base64url":  base64.URLEncoding.EncodeToString([]byte(c)),
		"base64-raw": base64.RawStdEncoding.EncodeToString([]byte(c)),
		"hex":        hex.EncodeToString([]byte(c)),
	}
}

// decodedStrings joins every string value of an object that decodes from base64.
func decodedStrings(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		case string:
			if d, err := base64.StdEncoding.DecodeString(t); err == nil {
				b.Write(d)
				b.WriteByte('\n')
			}
		}
	}
	walk(v)
	return b.String()
}

var _ = Describe("configuration parity without prod secrets", Ordered, func() {
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
		Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: devNS, Name: "stripe-sandbox"},
			Data: map[string][]byte{"key": []byte("sk_test_sandbox")}})).To(Succeed())
		env = newEnv(devNS, "canary", shop.ns)
		env.Spec.Config.Secrets.Rules = []v1alpha1.SecretRule{
			{Secret: "app-secrets", Key: "publishable-key", Policy: v1alpha1.SecretKeep},
			{Secret: "app-secrets", Key: "stripe-key", FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-sandbox", Key: "key"}},
			{Secret: "app-secrets", Key: "DATABASE_URL", Template: `postgres://app:{{ secret "app-secrets" "db-password" }}@postgres:5432/orders`},
		}
		env.Spec.Config.Rewrite = []v1alpha1.RewriteRule{{From: "orders.prod.rds.example.com", To: "postgres"}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		target = shop.ns + "-canary"
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		markCopiesReady(target)
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
	})

	It("leaves no prod secret value anywhere in the copy", func() {
		Expect(shop.canaries).To(HaveLen(12))
		Expect(scanNamespace(target, shop.canaries)).To(BeEmpty())
		Expect(scanStats.types).To(BeNumerically(">=", 20), "discovery found too few resource types to trust the scan")
		Expect(scanStats.objects).To(BeNumerically(">=", 25))

		// The scan can fail: prod itself is full of canaries.
		Expect(len(scanNamespace(shop.ns, shop.canaries))).To(BeNumerically(">=", len(shop.canaries)))
	})

	It("copies Secrets by shape, with values by policy", func() {
		s := copyOf(target, "app-secrets", &corev1.Secret{})
		Expect(s.Type).To(Equal(corev1.SecretTypeOpaque))
		Expect(s.Data).To(HaveLen(5))
		Expect(s.Data).To(HaveKeyWithValue("publishable-key", []byte("pk_live_public_value")), "Keep copies prod's value")
		Expect(s.Data).To(HaveKeyWithValue("stripe-key", []byte("sk_test_sandbox")), "FromSecret takes the dev value")
		Expect(string(s.Data["DATABASE_URL"])).To(Equal("postgres://app:"+string(s.Data["db-password"])+"@postgres:5432/orders"),
			"the templated URL agrees with the generated password")
		Expect(s.Annotations).NotTo(HaveKey("kubectl.kubernetes.io/last-applied-configuration"))

		tls := copyOf(target, "shop-tls", &corev1.Secret{})
		Expect(tls.Type).To(Equal(corev1.SecretTypeTLS))
		Expect(string(tls.Data["tls.crt"])).To(HavePrefix("-----BEGIN CERTIFICATE-----"))
		Expect(tls.Annotations["envmirror.io/tls-hosts"]).To(ContainSubstring("shop-canary.example.com"))
		reg := copyOf(target, "regcred", &corev1.Secret{})
		Expect(reg.Type).To(Equal(corev1.SecretTypeDockerConfigJson))
		Expect(string(reg.Data[".dockerconfigjson"])).To(Equal(`{"auths":{}}`))

		st := getEnv(env).Status.Config
		Expect(st.Kept).To(Equal(int32(1)))
		Expect(st.KeptKeys).To(Equal([]string{"app-secrets/publishable-key"}))
		Expect(st.Templated).To(Equal(int32(1)))
		Expect(st.FromSecret).To(Equal(int32(1)))
		Expect(st.Generated).To(BeNumerically(">=", 8))
		c := condition(env, v1alpha1.ConditionConfigScrubbed)
		Expect(c.Status).To(Equal(metav1.ConditionTrue))
		Expect(c.Message).To(ContainSubstring("app-secrets/publishable-key"))
	})

	It("rewrites ConfigMaps and generates their sensitive values", func() {
		cm := copyOf(target, "shop-config", &corev1.ConfigMap{})
		Expect(cm.Data["CATALOG_URL"]).To(Equal("http://catalog." + target + ".svc.cluster.local:8080"))
		Expect(cm.Data["FEATURE_FLAGS"]).To(Equal("checkout-v2,fast-search"))
		Expect(cm.Data["SMTP_PASSWORD"]).NotTo(BeEmpty())
		Expect(cm.Data["application.properties"]).To(ContainSubstring("db.url=jdbc:postgresql://postgres." + target + ":5432/orders"))
		Expect(cm.Data["application.properties"]).To(ContainSubstring("db.user=app"))
		Expect(cm.Data["application.properties"]).To(MatchRegexp(`db\.password=\S+`))
		Expect(copyOf(target, "orders-db", &corev1.Service{}).Spec.ExternalName).To(Equal("postgres"), "the user's rewrite rule applies")
	})

	It("keeps generated values stable across reconciles", func() {
		before := copyOf(target, "app-secrets", &corev1.Secret{}).Data
		tlsBefore := copyOf(target, "shop-tls", &corev1.Secret{}).Data
		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Annotations = map[string]string{"poke": "1"} })
		time.Sleep(2 * time.Second)
		Expect(copyOf(target, "app-secrets", &corev1.Secret{}).Data).To(Equal(before))
		Expect(copyOf(target, "shop-tls", &corev1.Secret{}).Data).To(Equal(tlsBefore))
	})

	It("gives another environment of the same prod other values", func() {
		other := newEnv(devNS, "canary-two", shop.ns)
		Expect(k8s.Create(ctx, other)).To(Succeed())
		eventuallyCondition(other, v1alpha1.ConditionConfigScrubbed, metav1.ConditionTrue, v1alpha1.ReasonScrubbed)
		a := copyOf(target, "app-secrets", &corev1.Secret{}).Data["db-password"]
		b := copyOf(shop.ns+"-canary-two", "app-secrets", &corev1.Secret{}).Data["db-password"]
		Expect(a).NotTo(BeEmpty())
		Expect(b).NotTo(Equal(a))
	})

	It("isolates the copy from prod", func() {
		np := copyOf(target, mirror.IsolationPolicyName, &networkingv1.NetworkPolicy{})
		Expect(np.Spec.PodSelector.MatchLabels).To(BeEmpty())
		Expect(np.Spec.PolicyTypes).To(ConsistOf(networkingv1.PolicyTypeEgress))
		Expect(np.Spec.Egress).To(HaveLen(1))
		sel := np.Spec.Egress[0].To[0].NamespaceSelector.MatchExpressions[0]
		Expect(sel.Key).To(Equal(corev1.LabelMetadataName))
		Expect(string(sel.Operator)).To(Equal("NotIn"))
		Expect(sel.Values).To(Equal([]string{shop.ns}))
		eventuallyCondition(env, v1alpha1.ConditionIsolated, metav1.ConditionTrue, v1alpha1.ReasonIsolated)

		updateEnv(env, func(e *v1alpha1.MirrorEnvironment) { e.Spec.Network.Isolation = v1alpha1.IsolationNone })
		Eventually(gone(np), 20*time.Second).Should(BeTrue())
		eventuallyCondition(env, v1alpha1.ConditionIsolated, metav1.ConditionFalse, v1alpha1.ReasonIsolationDisabled)
		eventuallyCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady)
	})

	It("never copies the kubeconfig or any Secret of the environment's own namespace", func() {
		secrets := &corev1.SecretList{}
		Expect(k8s.List(ctx, secrets, client.InNamespace(target))).To(Succeed())
		for _, s := range secrets.Items {
			Expect(s.Name).NotTo(Equal("stripe-sandbox"))
		}
	})

	It("refuses configuration it cannot produce, naming the secret and key, and applies none of it", func() {
		bad := newEnv(devNS, "bad-config", shop.ns)
		bad.Spec.Config.Secrets.Rules = []v1alpha1.SecretRule{
			{Secret: "app-secrets", Key: "stripe-key", FromSecret: &v1alpha1.SecretKeyRef{Name: "missing-dev-secret"}},
			{Secret: "app-secrets", Key: "DATABASE_URL", Template: `{{ secret "app-secrets" "nope" }}`},
		}
		Expect(k8s.Create(ctx, bad)).To(Succeed())
		c := eventuallyCondition(bad, v1alpha1.ConditionConfigScrubbed, metav1.ConditionFalse, v1alpha1.ReasonConfigInvalid)
		Expect(c.Message).To(ContainSubstring("app-secrets"))
		Expect(c.Message).To(ContainSubstring("stripe-key"))
		Expect(c.Message).To(ContainSubstring("missing-dev-secret"))
		Expect(c.Message).To(ContainSubstring("DATABASE_URL"))
		Expect(getEnv(bad).Status.Phase).To(Equal(v1alpha1.PhaseFailed))
		badTarget := shop.ns + "-bad-config"
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: badTarget, Name: "app-secrets"}, &corev1.Secret{})).NotTo(Succeed())
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: badTarget, Name: "api"}, &appsv1.Deployment{})).NotTo(Succeed(),
			"workloads without their configuration are not started")
	})
})
