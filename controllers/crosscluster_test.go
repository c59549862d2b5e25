package controllers_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

const prodReader = "envmirror-reader"

// auditEvent is the part of an audit log line the test reads.
type auditEvent struct {
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
}

// prodCluster is a second API server playing prod, with an audit log of every request.
type prodCluster struct {
	env      *envtest.Environment
	c        client.Client
	auditLog string
	kubecfg  []byte
}

func startProdCluster() *prodCluster {
	dir := GinkgoT().TempDir()
	policy := filepath.Join(dir, "audit-policy.yaml")
	Expect(os.WriteFile(policy, []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n"), 0o600)).To(Succeed())
	p := &prodCluster{env: &envtest.Environment{}, auditLog: filepath.Join(dir, "audit.log")}
	p.env.ControlPlane.GetAPIServer().Configure().
		Set("audit-policy-file", policy).
		Set("audit-log-path", p.auditLog).
		Set("audit-log-mode", "blocking")
	cfg, err := p.env.Start()
	Expect(err).NotTo(HaveOccurred())
	p.c, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	// The operator's user on prod may only read.
	Expect(p.c.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "read-only"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{"", "apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io"},
		Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"},
	}}})).To(Succeed())
	Expect(p.c.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "read-only"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "read-only"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: prodReader}},
	})).To(Succeed())
	reader, err := p.env.AddUser(envtest.User{Name: prodReader}, nil)
	Expect(err).NotTo(HaveOccurred())
	p.kubecfg, err = reader.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	return p
}

// readerRequests returns the verbs the reader used, by verb.
func (p *prodCluster) readerRequests() map[string]int {
	f, err := os.Open(p.auditLog)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	verbs := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev auditEvent
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.User.Username == prodReader {
			verbs[ev.Verb]++
		}
	}
	return verbs
}

func kubeconfigSecret(ns, name string, data []byte) {
	Expect(k8s.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Data: map[string][]byte{"kubeconfig": data}})).To(Succeed())
}

var _ = Describe("prod in another cluster", Ordered, func() {
	var (
		prod  *prodCluster
		shop  *prodShop
		devNS string
		env   *v1alpha1.MirrorEnvironment
	)

	BeforeAll(func() {
		prod = startProdCluster()
		DeferCleanup(func() { Expect(prod.env.Stop()).To(Succeed()) })
		shop = &prodShop{ns: "shop", c: prod.c}
		shop.create()
		devNS = unique("dev")
		createNamespace(devNS, nil)
		kubeconfigSecret(devNS, "prod-readonly", prod.kubecfg)
		env = newEnv(devNS, "remote", shop.ns)
		env.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "prod-readonly"}
		// Another cluster: the copy may even use prod's namespace name.
		env.Spec.TargetNamespace = "shop"
		Expect(k8s.Create(ctx, env)).To(Succeed())
	})

	It("copies prod from the other cluster, pinned to the digests its pods run", func() {
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		d := copyOf("shop", "api", &appsv1.Deployment{})
		Expect(d.Spec.Template.Spec.Containers[0].Image).To(Equal(pinned(apiImage)))
		Expect(getEnv(env).Status.Parity.Unpinned).To(BeZero())
		// prod's credentials stay in the environment's namespace: the kubeconfig's key is nowhere
		// in the copy.
		kc, err := clientcmd.Load(prod.kubecfg)
		Expect(err).NotTo(HaveOccurred())
		var keys []string
		for _, a := range kc.AuthInfos {
			keys = append(keys, string(a.ClientKeyData[40:90]))
		}
		Expect(keys).NotTo(BeEmpty())
		Expect(scanNamespace("shop", append(keys, shop.canaries...))).To(BeEmpty())
		// Nothing of the copy went to prod.
		Expect(prod.c.Get(ctx, client.ObjectKey{Name: "shop-remote"}, &corev1.Namespace{})).NotTo(Succeed())
	})

	It("follows changes in prod through the remote cluster's watches", func() {
		pods := &corev1.PodList{}
		Expect(prod.c.List(ctx, pods, client.InNamespace(shop.ns), client.MatchingLabels{"app": "web"})).To(Succeed())
		for i := range pods.Items {
			Expect(prod.c.Delete(ctx, &pods.Items[i])).To(Succeed())
		}
		spec := podTemplate("web", container("web", webImage)).Spec
		shop.runPods("web", 1, spec, "v9")
		Eventually(func() string {
			return copyOf("shop", "web", &appsv1.Deployment{}).Spec.Template.Spec.Containers[0].Image
		}, 20*time.Second).Should(Equal(mirror.PinImage(webImage, digest(webImage+"v9"))))
	})

	It("only ever reads prod: the prod API server's audit log shows no write by the operator", func() {
		verbs := prod.readerRequests()
		GinkgoWriter.Printf("requests of the operator's user on prod, by verb: %v\n", verbs)
		Expect(verbs["list"]).To(BeNumerically(">", 0), "the audit log saw no reads; the check would prove nothing")
		var names []string
		for v := range verbs {
			names = append(names, v)
		}
		sort.Strings(names)
		for _, v := range names {
			Expect([]string{"get", "list", "watch"}).To(ContainElement(v), "the operator sent %q to prod", v)
		}
	})

	It("reports a kubeconfig it will not use, an unreachable prod and a missing namespace", func() {
		cases := []struct {
			name, kubeconfig, reason, message string
		}{
			{"garbage", "not a kubeconfig", v1alpha1.ReasonSourceInvalid, "does not parse"},
			{"exec", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: [-c, "touch /tmp/pwned"]}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`, v1alpha1.ReasonSourceInvalid, "exec plugin"},
			{"insecure", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`, v1alpha1.ReasonSourceInvalid, "insecure-skip-tls-verify"},
			{"plain-http-ssrf", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:18999"}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`, v1alpha1.ReasonSourceInvalid, "does not use https"},
			{"unreachable", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", certificate-authority-data: ` + base64.StdEncoding.EncodeToString(prod.env.Config.CAData) + `}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`, v1alpha1.ReasonSourceUnreachable, "could not be reached"},
		}
		for _, tc := range cases {
			kubeconfigSecret(devNS, "kc-"+tc.name, []byte(tc.kubeconfig))
			e := newEnv(devNS, "bad-"+tc.name, "shop")
			e.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "kc-" + tc.name}
			Expect(k8s.Create(ctx, e)).To(Succeed())
			c := eventuallyCondition(e, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, tc.reason)
			Expect(c.Message).To(ContainSubstring(tc.message), tc.name)
		}
		_, err := os.Stat("/tmp/pwned")
		Expect(os.IsNotExist(err)).To(BeTrue(), "the exec plugin ran")

		missing := newEnv(devNS, "missing-ns", "no-such-namespace")
		missing.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "prod-readonly"}
		Expect(k8s.Create(ctx, missing)).To(Succeed())
		c := eventuallyCondition(missing, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceNotFound)
		Expect(c.Message).To(ContainSubstring(`namespace "no-such-namespace" does not exist`))

		noSecret := newEnv(devNS, "no-secret", "shop")
		noSecret.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "nope"}
		Expect(k8s.Create(ctx, noSecret)).To(Succeed())
		c = eventuallyCondition(noSecret, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceInvalid)
		Expect(strings.Contains(c.Message, "kubeconfig Secret "+devNS+"/nope does not exist")).To(BeTrue(), c.Message)
	})
})
