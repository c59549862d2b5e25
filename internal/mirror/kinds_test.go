package mirror_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

func obj(apiVersion, kind, name string, spec map[string]any) unstructured.Unstructured {
	return unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": src, "labels": map[string]any{"app": name}},
		"spec":     spec,
		"status":   map[string]any{"phase": "Healthy"},
	}}
}

var (
	serviceMonitor = schema.GroupKind{Group: "monitoring.coreos.com", Kind: "ServiceMonitor"}
	hpa            = schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}
	pdb            = schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}
	virtualService = schema.GroupKind{Group: "networking.istio.io", Kind: "VirtualService"}
)

// kindsSnapshot is a prod that runs an Argo Rollout (and one that references its Deployment),
// gets its secrets from external-secrets and its certificates from cert-manager, scales with an
// HPA, and has kinds envmirror knows nothing about.
func kindsSnapshot() *source.Snapshot {
	tpl := map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"app": "checkout"}},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": "registry.example/checkout:2.1"}}},
	}
	webTemplate := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.example/web:3.0"}}}}
	return &source.Snapshot{
		Namespace: src,
		Deployments: []appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: src},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](0), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, Template: webTemplate}}},
		Secrets: []corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Name: "app-secrets"}, Data: map[string][]byte{"stripe": []byte("x")}}},
		Pods: []corev1.Pod{{ObjectMeta: metav1.ObjectMeta{Name: "checkout-6f9-abc", Namespace: src, Labels: map[string]string{"app": "checkout", "rollouts-pod-template-hash": "6f9"}},
			Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/checkout:2.1"}}},
			Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "app", ImageID: "registry.example/checkout@" + dig}}}}},
		Custom: &source.CustomKinds{
			Census: []source.KindCensus{
				{GroupKind: mirror.KindRollout, Resource: "rollouts", Count: 2},
				{GroupKind: mirror.KindExternalSecret, Resource: "externalsecrets", Count: 3},
				{GroupKind: mirror.KindCertificate, Resource: "certificates", Count: 2},
				{GroupKind: hpa, Resource: "horizontalpodautoscalers", Count: 2},
				{GroupKind: pdb, Resource: "poddisruptionbudgets", Count: 1},
				{GroupKind: serviceMonitor, Resource: "servicemonitors", Count: 1},
				{GroupKind: virtualService, Resource: "virtualservices", Count: 4},
				{GroupKind: schema.GroupKind{Group: "keda.sh", Kind: "ScaledObject"}, Resource: "scaledobjects", Forbidden: true},
				{GroupKind: schema.GroupKind{Group: "example.com", Kind: "Widget"}, Resource: "widgets", Forbidden: true},
			},
			Objects: map[schema.GroupKind][]unstructured.Unstructured{
				mirror.KindRollout: {
					obj("argoproj.io/v1alpha1", "Rollout", "checkout", map[string]any{"replicas": int64(5), "template": tpl,
						"selector": map[string]any{"matchLabels": map[string]any{"app": "checkout"}},
						"strategy": map[string]any{"canary": map[string]any{"steps": []any{map[string]any{"setWeight": int64(20)}}}}}),
					obj("argoproj.io/v1alpha1", "Rollout", "web", map[string]any{"replicas": int64(3),
						"selector":    map[string]any{"matchLabels": map[string]any{"app": "web"}},
						"workloadRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}),
				},
				mirror.KindExternalSecret: {
					obj("external-secrets.io/v1beta1", "ExternalSecret", "db-creds", map[string]any{
						"target": map[string]any{"name": "db"},
						"data": []any{map[string]any{"secretKey": "password", "remoteRef": map[string]any{"key": "prod/db"}},
							map[string]any{"secretKey": "username", "remoteRef": map[string]any{"key": "prod/db"}}}}),
					obj("external-secrets.io/v1beta1", "ExternalSecret", "app-secrets", map[string]any{
						"data": []any{map[string]any{"secretKey": "stripe", "remoteRef": map[string]any{"key": "prod/stripe"}}}}),
					obj("external-secrets.io/v1beta1", "ExternalSecret", "everything", map[string]any{
						"dataFrom": []any{map[string]any{"extract": map[string]any{"key": "prod/all"}}}}),
				},
				mirror.KindCertificate: {
					obj("cert-manager.io/v1", "Certificate", "shop", map[string]any{"secretName": "shop-tls",
						"dnsNames": []any{"shop.example.com"}, "ipAddresses": []any{"203.0.113.7"},
						"issuerRef": map[string]any{"kind": "ClusterIssuer", "name": "letsencrypt"},
						"keystores": map[string]any{"pkcs12": map[string]any{"passwordSecretRef": map[string]any{"name": "ks"}}}}),
					obj("cert-manager.io/v1", "Certificate", "internal", map[string]any{"secretName": "internal-tls",
						"dnsNames": []any{"api.internal.example.com"}, "issuerRef": map[string]any{"kind": "Issuer", "name": "prod-ca"}}),
				},
				serviceMonitor: {obj("monitoring.coreos.com/v1", "ServiceMonitor", "api", map[string]any{
					"namespaceSelector": map[string]any{"matchNames": []any{src}},
					"endpoints":         []any{map[string]any{"port": "metrics", "bearerTokenSecret": map[string]any{"name": "tok"}, "params": map[string]any{"token": []any{"Bearer CANARY-bearer-9f8e7d"}}}},
				})},
			},
		},
	}
}

// kinds runs the conversions over kindsSnapshot, with a Skip rule for PodDisruptionBudgets and
// a Copy rule for ServiceMonitors, and one usable ClusterIssuer.
func kinds(t *testing.T) (*mirror.KindsResult, *v1alpha1.MirrorEnvironment, *source.Snapshot) {
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Kinds = []v1alpha1.KindRule{
			{Group: "policy", Kind: "PodDisruptionBudget", Action: v1alpha1.KindSkip},
			{Group: "monitoring.coreos.com", Kind: "ServiceMonitor", Action: v1alpha1.KindCopy},
		}
	})
	snap := kindsSnapshot()
	r := builder(t, env, nil).Kinds(mirror.KindsInput{Snapshot: snap, Issuers: map[string]bool{"letsencrypt": true}})
	if len(snap.Deployments) != 1 || snap.Custom.Objects[mirror.KindRollout][0].Object["status"] == nil {
		t.Fatal("prod's snapshot was changed")
	}
	return r, env, snap
}

func TestKindsNotCopied(t *testing.T) {
	r, _, _ := kinds(t)
	if diff := cmp.Diff([]v1alpha1.KindCount{
		{Kind: "external-secrets.io/ExternalSecret", Count: 3, Reason: "everything: its keys come from dataFrom, which only prod's secret store can tell; the copy has no Secret everything"},
		{Kind: "autoscaling/HorizontalPodAutoscaler", Count: 2, Reason: "autoscaling is not copied: the copy runs spec.workloads.replicas"},
		{Kind: "networking.istio.io/VirtualService", Count: 4, Reason: "no built-in handling: a spec.kinds rule may Copy or Skip it"},
		{Kind: "2 kinds", Reason: "the operator may not list them in prod, so it cannot tell whether prod has any (grant it list on: scaledobjects.keda.sh, widgets.example.com)"},
	}, r.NotCopied); diff != "" {
		t.Errorf("not copied (-want +got):\n%s", diff)
	}
}

// The Rollouts are Deployments Build copies like any other: pinned, scaled down.
func TestKindsRollouts(t *testing.T) {
	r, env, _ := kinds(t)
	res := mirror.Build(r.Snapshot, mirror.Options{Env: env, TargetNamespace: target, Scrubber: scrubberFor(t, env)})
	r.Finish(res)
	byName := map[string]*appsv1.Deployment{}
	for _, w := range res.Workloads {
		d := w.(*appsv1.Deployment)
		byName[d.Name] = d
	}
	checkout := byName["checkout"]
	if checkout == nil || checkout.Spec.Template.Spec.Containers[0].Image != "registry.example/checkout:2.1@"+dig || *checkout.Spec.Replicas != 1 {
		t.Fatalf("the Rollout's copy: %+v", checkout)
	}
	if checkout.Annotations[mirror.AnnotationSource] != "Rollout/"+src+"/checkout" {
		t.Errorf("source annotation %q", checkout.Annotations[mirror.AnnotationSource])
	}
	web := byName["web"]
	if web == nil || web.Spec.Template.Spec.Containers[0].Image != "registry.example/web:3.0" || len(byName) != 2 {
		t.Errorf("the Rollout with a workloadRef takes its Deployment's template and place: %v", byName)
	}
	for _, sv := range res.Services {
		if sv.SourceKind != "Rollout" || !strings.Contains(sv.Message, "Rollout") {
			t.Errorf("service %s: source kind %q", sv.Name, sv.SourceKind)
		}
	}
}

func TestKindsSecretsAndCertificates(t *testing.T) {
	r, _, _ := kinds(t)
	// ExternalSecrets: a Secret of the target's name and keys, unless prod shows it already.
	if diff := cmp.Diff([]corev1.Secret{
		{ObjectMeta: metav1.ObjectMeta{Name: "db", Labels: map[string]string{"app": "db-creds"}}, Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"password": nil, "username": nil}},
		{ObjectMeta: metav1.ObjectMeta{Name: "internal-tls"}, Type: corev1.SecretTypeTLS,
			Data: map[string][]byte{"tls.crt": nil, "tls.key": nil, "ca.crt": nil}},
	}, r.SecretShapes); diff != "" {
		t.Errorf("secret shapes (-want +got):\n%s", diff)
	}
	// Certificates: copied for the copy's hosts with a usable ClusterIssuer, else self-signed.
	if !r.OwnedSecrets["shop-tls"] || r.OwnedSecrets["internal-tls"] {
		t.Errorf("owned secrets %v", r.OwnedSecrets)
	}
	if diff := cmp.Diff([]string{"api-fix-42.internal.example.com"}, r.TLSHosts); diff != "" {
		t.Errorf("self-signed hosts:\n%s", diff)
	}
	cert := objectOfKind(t, r, "Certificate")
	wantSpec := map[string]any{"secretName": "shop-tls", "dnsNames": []any{"shop-fix-42.example.com"}, "commonName": "shop-fix-42.example.com",
		"issuerRef": map[string]any{"kind": "ClusterIssuer", "name": "letsencrypt"}}
	if diff := cmp.Diff(wantSpec, cert.Object["spec"]); diff != "" {
		t.Errorf("certificate spec (-want +got):\n%s", diff)
	}
	if cert.GetNamespace() != target || cert.GetLabels()[mirror.LabelEnvironmentUID] != "uid-1" {
		t.Errorf("certificate meta %s %v", cert.GetNamespace(), cert.GetLabels())
	}
}

// A Copy rule copies as is, rewritten and scrubbed, without status.
func TestKindsCopyRule(t *testing.T) {
	r, _, _ := kinds(t)
	if len(r.Objects) != 2 {
		t.Fatalf("objects %v", r.Objects)
	}
	monitor := objectOfKind(t, r, "ServiceMonitor")
	if _, ok := monitor.Object["status"]; ok {
		t.Error("status was copied")
	}
	names, _, _ := unstructured.NestedStringSlice(monitor.Object, "spec", "namespaceSelector", "matchNames")
	if diff := cmp.Diff([]string{target}, names); diff != "" {
		t.Errorf("namespace references are rewritten:\n%s", diff)
	}
	if s := mustJSON(t, monitor.Object); strings.Contains(s, "CANARY-bearer-9f8e7d") {
		t.Errorf("a credential was copied: %s", s)
	}
}

func objectOfKind(t *testing.T, r *mirror.KindsResult, kind string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range r.Objects {
		if u := o.(*unstructured.Unstructured); u.GetKind() == kind {
			return u
		}
	}
	t.Fatalf("no %s among %v", kind, r.Objects)
	return nil
}

func TestWantedKinds(t *testing.T) {
	got := mirror.WantedKinds([]v1alpha1.KindRule{
		{Group: "argoproj.io", Kind: "Rollout", Action: v1alpha1.KindSkip},
		{Group: "monitoring.coreos.com", Kind: "ServiceMonitor", Action: v1alpha1.KindCopy},
		{Group: "networking.istio.io", Kind: "VirtualService", Action: v1alpha1.KindConvert},
	})
	want := []schema.GroupKind{mirror.KindCertificate, mirror.KindExternalSecret, serviceMonitor}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wanted kinds (-want +got):\n%s", diff)
	}
}

func scrubberFor(t *testing.T, env *v1alpha1.MirrorEnvironment) mirror.Scrubber {
	return scrubber{scrub.PlainInput{Rewriter: scrub.NewRewriter(src, target, env.Spec.Config.Rewrite), Keyring: mustKeyring(t)}}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
