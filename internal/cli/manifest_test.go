package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

func TestParseOverride(t *testing.T) {
	for in, want := range map[string]v1alpha1.Override{
		"api=registry.example/api:sha-1":                 {Workload: "api", Image: "registry.example/api:sha-1"},
		"api=app=registry.example:5000/api@sha256:abcd":  {Workload: "api", Container: "app", Image: "registry.example:5000/api@sha256:abcd"},
		"checkout=sidecar=envoyproxy/envoy:v1.31-latest": {Workload: "checkout", Container: "sidecar", Image: "envoyproxy/envoy:v1.31-latest"},
	} {
		got, err := ParseOverride(in)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("ParseOverride(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"api", "api=", "=img", "a=b=c=d", "api= img", ""} {
		if _, err := ParseOverride(bad); err == nil {
			t.Errorf("ParseOverride(%q) accepted it", bad)
		}
	}
}

func TestManifest(t *testing.T) {
	base, err := ReadBase([]byte(`apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata: {name: ignored}
spec:
  source: {namespace: shop-prod, selector: {matchLabels: {app.kubernetes.io/part-of: shop}}}
  overrides:
  - {workload: api, image: "registry.example/api:base"}
  - {workload: worker, image: "registry.example/worker:base"}
  access:
    subjects: [{kind: Group, name: shop-devs}]
  data:
  - {name: orders-db, standIn: {version: "16.4"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := Manifest(Desired{
		Name: "feature-x-3f1c9a2b", Namespace: "dev-envs", Branch: "feature/x", TTL: "48h", Base: base,
		Overrides: []v1alpha1.Override{{Workload: "api", Image: "registry.example/api:sha-1"}},
		Subjects:  []v1alpha1.AccessSubject{{Kind: "Group", Name: "shop-devs"}, {Kind: "User", Name: "jane@example.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := yaml.Marshal(obj.Object)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: envmirror.io/v1alpha1
kind: MirrorEnvironment
metadata:
  name: feature-x-3f1c9a2b
  namespace: dev-envs
spec:
  access:
    subjects:
    - kind: Group
      name: shop-devs
    - kind: User
      name: jane@example.com
  branch: feature/x
  data:
  - name: orders-db
    standIn:
      version: "16.4"
  overrides:
  - image: registry.example/worker:base
    workload: worker
  - image: registry.example/api:sha-1
    workload: api
  source:
    namespace: shop-prod
    selector:
      matchLabels:
        app.kubernetes.io/part-of: shop
  ttl: 48h
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if base["overrides"].([]any)[0].(map[string]any)["image"] != "registry.example/api:base" {
		t.Error("Manifest changed the base it was given")
	}

	// Flags alone: only what they say, nothing the flags did not set (no ttl, no access).
	obj, err = Manifest(Desired{Name: "main", Namespace: "dev-envs", Branch: "main", Source: "shop-prod"})
	if err != nil {
		t.Fatal(err)
	}
	spec := obj.Object["spec"].(map[string]any)
	if diff := cmp.Diff(map[string]any{"branch": "main", "source": map[string]any{"namespace": "shop-prod"}}, spec); diff != "" {
		t.Errorf("spec from flags alone (-want +got):\n%s", diff)
	}
	if _, err := Manifest(Desired{Name: "main", Namespace: "dev-envs", Branch: "main"}); err == nil || !strings.Contains(err.Error(), "--from") {
		t.Errorf("a manifest without a source: %v, want an error asking for --from", err)
	}
}

func TestReadBaseRefusesOtherKinds(t *testing.T) {
	for _, in := range []string{"kind: ConfigMap\ndata: {}", "not: [yaml", "kind: MirrorEnvironment"} {
		if _, err := ReadBase([]byte(in)); err == nil {
			t.Errorf("ReadBase(%q) accepted it", in)
		}
	}
}

func TestSubjectFor(t *testing.T) {
	for in, want := range map[string]*v1alpha1.AccessSubject{
		"jane@example.com":                          {Kind: "User", Name: "jane@example.com"},
		"kubernetes-admin":                          {Kind: "User", Name: "kubernetes-admin"},
		"system:serviceaccount:ci:preview-deployer": {Kind: "ServiceAccount", Namespace: "ci", Name: "preview-deployer"},
		"system:serviceaccount:ci":                  nil,
		"":                                          nil,
	} {
		got, ok := SubjectFor(in)
		if (want == nil) == ok || (want != nil && got != *want) {
			t.Errorf("SubjectFor(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	for in, want := range map[string]time.Time{
		"+24h":                 now.Add(24 * time.Hour),
		"24h":                  now.Add(24 * time.Hour),
		"+90m":                 now.Add(90 * time.Minute),
		"2026-12-01T18:00:00Z": time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC),
	} {
		got, err := ParseExpiry(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"-1h", "+0s", "0", "2026-11-30T11:00:00Z", "tomorrow", ""} {
		if got, err := ParseExpiry(bad, now); err == nil {
			t.Errorf("ParseExpiry(%q) = %v, want it refused", bad, got)
		}
	}
}

func TestSeedDatabase(t *testing.T) {
	env := provisioning()
	if d, err := SeedDatabase(env, ""); err != nil || d.Job != "orders-db-seed-abc123" {
		t.Errorf("the only database: %+v, %v", d, err)
	}
	if _, err := SeedDatabase(env, "nope"); err == nil || !strings.Contains(err.Error(), "orders-db") {
		t.Errorf("an unknown database: %v", err)
	}
	env.Spec.Data = append(env.Spec.Data, v1alpha1.DatabaseSpec{Name: "billing-db"})
	if _, err := SeedDatabase(env, ""); err == nil || !strings.Contains(err.Error(), "--seed") {
		t.Errorf("two databases and no --seed: %v", err)
	}
	if _, err := SeedDatabase(env, "billing-db"); err == nil || !strings.Contains(err.Error(), "no seeding Job yet") {
		t.Errorf("a database without a Job: %v", err)
	}
}

func TestTargetPort(t *testing.T) {
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}}}
	for _, tc := range []struct {
		port corev1.ServicePort
		want int
		ok   bool
	}{
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromInt32(8080)}, 8080, true},
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}, 8080, true},
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("grpc")}, 0, false},
		{corev1.ServicePort{Port: 80}, 80, true},
	} {
		if got, ok := TargetPort(pod, tc.port); got != tc.want || ok != tc.ok {
			t.Errorf("TargetPort(%v) = %d, %v; want %d, %v", tc.port.TargetPort, got, ok, tc.want, tc.ok)
		}
	}
}

func TestWebURLs(t *testing.T) {
	got := WebURLs([]string{"https://a.example.com", "kubectl port-forward -n ns svc/frontend 8080:80", "http://b.example.com/"})
	if diff := cmp.Diff([]string{"https://a.example.com", "http://b.example.com/"}, got); diff != "" {
		t.Error(diff)
	}
}

func TestExitCode(t *testing.T) {
	if ExitCode(nil) != ExitOK || ExitCode(&ExitErr{Code: ExitTimeout, Err: errNoURL}) != ExitTimeout || ExitCode(errNoURL) != ExitError {
		t.Error("exit codes")
	}
}

func TestFrontendBackend(t *testing.T) {
	path := func(p, svc string) networkingv1.HTTPIngressPath {
		return networkingv1.HTTPIngressPath{Path: p, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc}}}
	}
	ing := func(paths ...networkingv1.HTTPIngressPath) networkingv1.Ingress {
		return networkingv1.Ingress{Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}}}}}}
	}
	for _, tc := range []struct {
		ings []networkingv1.Ingress
		want string
	}{
		{[]networkingv1.Ingress{ing(path("/api", "api"), path("/", "frontend"))}, "frontend"},
		{[]networkingv1.Ingress{ing(path("/api", "api")), ing(path("/", "web"))}, "web"},
		{[]networkingv1.Ingress{ing(path("/api", "api"))}, "api"},
		{nil, ""},
	} {
		if got := FrontendBackend(tc.ings); got != tc.want {
			t.Errorf("FrontendBackend = %q, want %q", got, tc.want)
		}
	}
}
