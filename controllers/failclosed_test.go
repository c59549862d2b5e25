package controllers_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// writesAuditPolicy records every write to the main API server, metadata only.
const writesAuditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  resources:
  - group: ""
    resources: ["events"]
  - group: events.k8s.io
  - group: coordination.k8s.io
- level: Metadata
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`

// auditedDeletes lists the deletes the API server carried out in namespace ns since a moment,
// as its audit log records them ("resource/name by user").
func auditedDeletes(ns string, since time.Time) []string {
	f, err := os.Open(auditLog)
	Expect(err).NotTo(HaveOccurred(), "the API server keeps no audit log: no delete could be counted")
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Verb      string                    `json:"verb"`
			User      struct{ Username string } `json:"user"`
			ObjectRef *struct {
				Resource, Namespace, Name string
			} `json:"objectRef"`
			ResponseStatus *struct{ Code int } `json:"responseStatus"`
			StageTimestamp time.Time           `json:"stageTimestamp"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.ObjectRef == nil || ev.StageTimestamp.Before(since) {
			continue
		}
		if (ev.Verb == "delete" || ev.Verb == "deletecollection") && ev.ObjectRef.Namespace == ns &&
			(ev.ResponseStatus == nil || ev.ResponseStatus.Code < 300) {
			out = append(out, ev.ObjectRef.Resource+"/"+ev.ObjectRef.Name+" by "+ev.User.Username)
		}
	}
	return out
}

// faultyProxy stands between the operator and a prod API server, as a load balancer or an
// aggregation layer would, and makes the failures the census must survive: discovery failing
// altogether, one API group's discovery failing, one kind's list failing. Failures answer with
// a body of the proxy's choosing, which must never reach status.
type faultyProxy struct {
	srv   *httptest.Server
	fault atomic.Value // string: "", "census", "discovery", "list"
}

const proxyCanary = "PROXY-OWN-WORDS-5e0b"

func startFaultyProxy(backend *rest.Config) *faultyProxy {
	target, err := url.Parse(backend.Host)
	Expect(err).NotTo(HaveOccurred())
	transport, err := rest.TransportFor(backend)
	Expect(err).NotTo(HaveOccurred())
	p := &faultyProxy{}
	p.fault.Store("")
	rp := &httputil.ReverseProxy{Transport: transport, FlushInterval: -1,
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) }}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fault, _ := p.fault.Load().(string)
		discovery := r.URL.Path == "/api" || r.URL.Path == "/apis"
		fail := false
		switch fault {
		case "census":
			fail = discovery
		case "discovery":
			// Without aggregated discovery, each group is asked for on its own: an API server
			// or an aggregation layer whose argoproj.io answers 503.
			if discovery {
				r.Header.Set("Accept", "application/json")
			}
			fail = strings.HasPrefix(r.URL.Path, "/apis/argoproj.io/")
		case "list":
			// Rollouts cannot be listed nor watched.
			fail = strings.HasSuffix(r.URL.Path, "/rollouts")
		}
		if fail {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"reason":%q,"code":503}`, proxyCanary, proxyCanary)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	return p
}

func (p *faultyProxy) kubeconfig() []byte {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: prod, cluster: {server: %q, certificate-authority-data: %s}}]
users: [{name: reader, user: {token: proxied}}]
contexts: [{name: prod, context: {cluster: prod, user: reader}}]
current-context: prod
`, p.srv.URL, base64.StdEncoding.EncodeToString(ca)))
}

// copiedObjects maps "Kind/name" to uid for everything of the environment in namespace ns,
// ServiceMonitors included.
func copiedObjects(ns string, env *v1alpha1.MirrorEnvironment) map[string]types.UID {
	out := map[string]types.UID{}
	sel := client.MatchingLabels{mirror.LabelEnvironmentUID: string(getEnv(env).UID)}
	for _, k := range copyKinds {
		list := listOf(k)
		Expect(k8s.List(ctx, list, client.InNamespace(ns), sel)).To(Succeed())
		for _, o := range items(list) {
			if o.GetDeletionTimestamp().IsZero() {
				out[fmt.Sprintf("%T/%s", o, o.GetName())] = o.GetUID()
			}
		}
	}
	monitors := &unstructured.UnstructuredList{}
	monitors.SetGroupVersionKind(schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitorList"})
	Expect(k8s.List(ctx, monitors, client.InNamespace(ns), sel)).To(Succeed())
	for _, o := range monitors.Items {
		if o.GetDeletionTimestamp().IsZero() {
			out["ServiceMonitor/"+o.GetName()] = o.GetUID()
		}
	}
	return out
}

var _ = Describe("failing closed on partial knowledge of prod", Ordered, func() {
	var (
		prod   *prodCluster
		proxy  *faultyProxy
		shop   *prodShop
		env    *v1alpha1.MirrorEnvironment
		target = "failclosed-copy"
	)

	BeforeAll(func() {
		crds := envtest.CRDInstallOptions{Paths: []string{filepath.Join("testdata", "crds")}}
		_, err := envtest.InstallCRDs(adminCfg, crds)
		Expect(err).NotTo(HaveOccurred())
		prod = startProdCluster()
		DeferCleanup(func() { Expect(prod.env.Stop()).To(Succeed()) })
		_, err = envtest.InstallCRDs(prod.env.Config, crds)
		Expect(err).NotTo(HaveOccurred())
		// This prod's reader may read every kind (the census lists them all).
		Expect(prod.c.Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "read-all"}, Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}}}})).To(Succeed())
		Expect(prod.c.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "read-all"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "read-all"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: prodReader}}})).To(Succeed())
		reader, err := prod.env.AddUser(envtest.User{Name: prodReader}, nil)
		Expect(err).NotTo(HaveOccurred())
		proxy = startFaultyProxy(reader.Config())
		DeferCleanup(proxy.srv.Close)

		shop = &prodShop{ns: "shop", c: prod.c}
		shop.create()
		for _, o := range []client.Object{
			custom("argoproj.io/v1alpha1", "Rollout", shop.ns, "checkout", map[string]any{"replicas": int64(2),
				"selector": map[string]any{"matchLabels": map[string]any{"app": "checkout"}},
				"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "checkout"}},
					"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": checkoutImage}}}}}),
			custom("external-secrets.io/v1beta1", "ExternalSecret", shop.ns, "db-creds", map[string]any{
				"secretStoreRef": map[string]any{"kind": "ClusterSecretStore", "name": "vault"}, "target": map[string]any{"name": "db"},
				"data": []any{map[string]any{"secretKey": "password", "remoteRef": map[string]any{"key": "prod/db"}}}}),
			custom("monitoring.coreos.com/v1", "ServiceMonitor", shop.ns, "api", map[string]any{"endpoints": []any{map[string]any{"port": "metrics"}}}),
		} {
			Expect(prod.c.Create(ctx, o)).To(Succeed())
		}

		grantOperator("monitoring.coreos.com", "servicemonitors") // the copy-writer may write the kind
		devNS := unique("dev")
		createNamespace(devNS, nil)
		kubeconfigSecret(devNS, "prod-via-proxy", proxy.kubeconfig())
		env = newEnv(devNS, "failclosed", shop.ns)
		env.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "prod-via-proxy"}
		env.Spec.TargetNamespace = target
		env.Spec.Kinds = []v1alpha1.KindRule{{Group: "monitoring.coreos.com", Kind: "ServiceMonitor", Action: v1alpha1.KindCopy}}
		Expect(k8s.Create(ctx, env)).To(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
		Eventually(func() map[string]types.UID { return copiedObjects(target, env) }, 30*time.Second).Should(And(
			HaveKey("*v1.Deployment/checkout"), HaveKey("*v1.Secret/db"), HaveKey("ServiceMonitor/api")),
			"the copy has what each of prod's other kinds makes: the faults below must not take it away")
	})

	// rereadProd makes the operator read prod afresh, as it does after a restart or when the
	// kubeconfig's credentials are rotated: new bytes are a new cache of prod, whose watches,
	// discovery and census start from nothing, and so meet the fault. (An established watch
	// keeps what it knew: a list failing later changes nothing.)
	rotations := 0
	rereadProd := func() {
		rotations++
		sec := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: "prod-via-proxy"}, sec)).To(Succeed())
		sec.Data["kubeconfig"] = append(proxy.kubeconfig(), fmt.Sprintf("# rotated %d\n", rotations)...)
		Expect(k8s.Update(ctx, sec)).To(Succeed())
	}

	DescribeTable("keeps every copied object when part of prod cannot be read, says what is unknown, and converges once it can",
		func(fault string, status metav1.ConditionStatus, reason, unknown string) {
			before := copiedObjects(target, env)
			start := time.Now()
			proxy.fault.Store(fault)
			rereadProd()
			c := eventuallyCondition(env, v1alpha1.ConditionProvisioned, status, reason)
			Expect(c.Message).To(ContainSubstring(unknown))
			Consistently(func() map[string]types.UID { return copiedObjects(target, env) }, 4*time.Second, 250*time.Millisecond).
				Should(Equal(before), "a copied object went away while prod could not be read")
			Expect(auditedDeletes(target, start)).To(BeEmpty(), "deletes in the copy while prod could not be read")
			st := getEnv(env).Status
			Expect(st.TotalServices).To(BeNumerically(">=", 1))
			out, err := json.Marshal(st)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(out)).NotTo(ContainSubstring(proxyCanary), "a prod server's words reached status")

			proxy.fault.Store("")
			// No spec change now: the retry of the partial read alone brings it back.
			eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied)
			Expect(copiedObjects(target, env)).To(Equal(before))
		},
		// Without discovery, prod cannot be read at all: nothing is applied, so nothing pruned.
		Entry("discovery fails altogether", "census", metav1.ConditionFalse, v1alpha1.ReasonSourceUnreachable, "reading prod"),
		Entry("one API group's discovery fails", "discovery", metav1.ConditionUnknown, v1alpha1.ReasonSourcePartiallyRead, "prod's argoproj.io/Rollout (discovering argoproj.io/v1alpha1: the API server answered HTTP 503)"),
		Entry("one kind cannot be listed or watched", "list", metav1.ConditionUnknown, v1alpha1.ReasonSourcePartiallyRead, "prod's argoproj.io/Rollout (watching rollouts in prod: listing it failed: the API server answered HTTP 503)"),
	)

	It("still prunes what a complete read shows prod no longer has", func() {
		start := time.Now()
		Expect(prod.c.Delete(ctx, custom("argoproj.io/v1alpha1", "Rollout", shop.ns, "checkout", nil))).To(Succeed())
		Eventually(func() map[string]types.UID { return copiedObjects(target, env) }, 30*time.Second).ShouldNot(HaveKey("*v1.Deployment/checkout"))
		Expect(auditedDeletes(target, start)).To(ContainElement(HavePrefix("deployments/checkout by ")),
			"the audit log did not record the prune: the counts above would prove nothing")
	})
})

var _ = Describe("nothing is written for an environment before its source is granted", func() {
	It("claims no namespace, binding or keyring for an environment prod's owners did not allow", func() {
		prodNS := unique("ungranted-prod")
		createNamespace(prodNS, nil) // no MirrorSource in it
		devNS := unique("dev")
		createNamespace(devNS, nil)
		free := unique("free-name")
		start := time.Now()
		env := newEnv(devNS, "claimer", prodNS)
		env.Spec.TargetNamespace = free
		Expect(k8s.Create(ctx, env)).To(Succeed())
		eventuallyCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonSourceNotGranted)
		Consistently(func() error {
			return k8s.Get(ctx, client.ObjectKey{Name: free}, &corev1.Namespace{})
		}, 2*time.Second, 200*time.Millisecond).ShouldNot(Succeed(), "the environment claimed namespace %s without a grant", free)
		bindings := &rbacv1.RoleBindingList{}
		Expect(k8s.List(ctx, bindings, client.MatchingLabels{mirror.LabelEnvironmentUID: string(getEnv(env).UID)})).To(Succeed())
		Expect(bindings.Items).To(BeEmpty())
		secrets := &corev1.SecretList{}
		Expect(k8s.List(ctx, secrets, client.MatchingLabels{mirror.LabelEnvironmentUID: string(getEnv(env).UID)})).To(Succeed())
		Expect(secrets.Items).To(BeEmpty(), "a keyring was made without a grant")
		Expect(auditedDeletes(free, start)).To(BeEmpty())

		// Once granted, the same environment gets its namespace.
		grantMirroring(prodNS)
		Eventually(func() error { return k8s.Get(ctx, client.ObjectKey{Name: free}, &corev1.Namespace{}) }, 30*time.Second).Should(Succeed())
	})
})
