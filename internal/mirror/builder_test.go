package mirror_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

const (
	src    = "shop-prod"
	target = "shop-prod-fix-42"
	dig    = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	dig2   = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// scrubber is the real internal/scrub behind the builders' seam.
type scrubber struct{ in scrub.PlainInput }

func (s scrubber) Rewrite(v string) string { return s.in.Rewriter.Rewrite(v) }
func (s scrubber) Value(scope, key, value string) string {
	out, _, _ := scrub.ConfigMap(scope, map[string]string{key: value}, nil, s.in)
	return out[key]
}
func (s scrubber) Env(w, c string, env []corev1.EnvVar) []corev1.EnvVar {
	out, _ := scrub.Env(w, c, env, s.in)
	return out
}
func (s scrubber) Args(w, c string, args []string) []string {
	out, _ := scrub.Args(w, c, args, s.in)
	return out
}

func testEnv(mutate ...func(*v1alpha1.MirrorEnvironment)) *v1alpha1.MirrorEnvironment {
	env := &v1alpha1.MirrorEnvironment{
		ObjectMeta: metav1.ObjectMeta{Name: "fix-42", Namespace: "dev", UID: "uid-1"},
		Spec: v1alpha1.MirrorEnvironmentSpec{
			Source:    v1alpha1.SourceSpec{Namespace: src},
			Branch:    "feature/Fix_42",
			Workloads: v1alpha1.WorkloadsSpec{Replicas: ptr.To[int32](1)},
			Versions:  v1alpha1.VersionsSpec{Policy: v1alpha1.VersionPinDigest},
			Network:   v1alpha1.NetworkSpec{Isolation: v1alpha1.IsolationDenyProd},
		},
	}
	for _, m := range mutate {
		m(env)
	}
	return env
}

func builder(t *testing.T, env *v1alpha1.MirrorEnvironment, pins mirror.Pins) *mirror.Builder {
	t.Helper()
	k, err := scrub.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	s := scrubber{scrub.PlainInput{Rewriter: scrub.NewRewriter(src, target, env.Spec.Config.Rewrite), Keyring: k}}
	return mirror.NewBuilder(mirror.Options{Env: env, TargetNamespace: target, Scrubber: s}, pins)
}

func prodMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name: name, Namespace: src, UID: "prod-uid", ResourceVersion: "123", Generation: 7,
		CreationTimestamp: metav1.Now(),
		Labels:            map[string]string{"app": name, "envmirror.io/environment": "spoofed"},
		Annotations: map[string]string{
			"kubectl.kubernetes.io/last-applied-configuration": "{...}",
			"deployment.kubernetes.io/revision":                "4",
			"argocd.argoproj.io/tracking-id":                   "shop:apps/Deployment:shop-prod/api",
			"meta.helm.sh/release-name":                        "shop",
			"team":                                             "checkout",
			"docs":                                             "see http://wiki." + src + ".svc/api",
		},
		OwnerReferences: []metav1.OwnerReference{{Kind: "Something", Name: "x", UID: "y"}},
		ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
	}
}

func wantMeta(kind, name string, extra ...map[string]string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{
		Name: name, Namespace: target,
		Labels: map[string]string{
			"app": name, mirror.LabelEnvironment: "fix-42", mirror.LabelEnvironmentNamespace: "dev",
			mirror.LabelEnvironmentUID: "uid-1", mirror.LabelManagedBy: "envmirror",
		},
		Annotations: map[string]string{
			mirror.AnnotationSource: kind + "/" + src + "/" + name,
			"team":                  "checkout",
			"docs":                  "see http://wiki." + target + ".svc/api",
		},
	}
	for _, e := range extra {
		for k, v := range e {
			m.Labels[k] = v
		}
	}
	return m
}

func apiContainer() corev1.Container {
	return corev1.Container{
		Name: "api", Image: "registry.example/api:1.8",
		Args: []string{"--catalog=http://catalog." + src + ".svc.cluster.local:8080", "--password=hunter2"},
		Env: []corev1.EnvVar{
			{Name: "REDIS", Value: "redis." + src + ":6379"},
			{Name: "EXTERNAL", Value: "api." + src + ".example.com"},
			{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("2Gi"), "nvidia.com/gpu": resource.MustParse("1")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"), "nvidia.com/gpu": resource.MustParse("1")},
		},
	}
}

func podSpec() corev1.PodSpec {
	return corev1.PodSpec{
		NodeName:       "prod-node-7",
		InitContainers: []corev1.Container{{Name: "migrate", Image: "registry.example/api:1.8"}},
		Containers:     []corev1.Container{apiContainer()},
		DNSConfig:      &corev1.PodDNSConfig{Searches: []string{src + ".svc.cluster.local"}},
	}
}

func TestDeployment(t *testing.T) {
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Workloads.Resources = &v1alpha1.ResourceScaling{ScalePercent: ptr.To[int32](25), Max: map[corev1.ResourceName]v1alpha1.Quantity{corev1.ResourceMemory: "768Mi"}}
	})
	pins := mirror.Pins{"Deployment/api": {"api": {Digest: dig}, "migrate": {Digest: dig}}}
	in := &appsv1.Deployment{
		ObjectMeta: prodMeta("api"),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](6),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "api"},
				Annotations: map[string]string{"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}, Spec: podSpec()},
		},
		Status: appsv1.DeploymentStatus{ReadyReplicas: 6},
	}
	got, st := builder(t, env, pins).Deployment(in)

	want := in.DeepCopy()
	want.TypeMeta = metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}
	want.ObjectMeta = wantMeta("Deployment", "api")
	want.Status = appsv1.DeploymentStatus{}
	want.Spec.Replicas = ptr.To[int32](1)
	spec := &want.Spec.Template.Spec
	spec.NodeName = ""
	spec.DNSConfig.Searches = []string{target + ".svc.cluster.local"}
	spec.InitContainers[0].Image = "registry.example/api:1.8@" + dig
	c := &spec.Containers[0]
	c.Image = "registry.example/api:1.8@" + dig
	c.Args[0] = "--catalog=http://catalog." + target + ".svc.cluster.local:8080"
	c.Args[1] = got.Spec.Template.Spec.Containers[0].Args[1] // generated; checked below
	c.Env[0].Value = "redis." + target + ":6379"
	c.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("512Mi"), "nvidia.com/gpu": resource.MustParse("1")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("768Mi"), "nvidia.com/gpu": resource.MustParse("1")},
	}
	if diff := cmp.Diff(want, got, quantityEqual); diff != "" {
		t.Errorf("copy differs (-want +got):\n%s", diff)
	}
	if a := got.Spec.Template.Spec.Containers[0].Args[1]; !strings.HasPrefix(a, "--password=") || strings.Contains(a, "hunter2") {
		t.Errorf("the password flag was not scrubbed: %q", a)
	}
	wantStatus := v1alpha1.ServiceStatus{Name: "api", Kind: "Deployment", Pinned: true, Containers: []v1alpha1.ContainerImageStatus{
		{Name: "migrate", Init: true, SourceImage: "registry.example/api:1.8", Image: "registry.example/api:1.8@" + dig, Pinned: true},
		{Name: "api", SourceImage: "registry.example/api:1.8", Image: "registry.example/api:1.8@" + dig, Pinned: true},
	}}
	if diff := cmp.Diff(wantStatus, st); diff != "" {
		t.Errorf("status differs (-want +got):\n%s", diff)
	}
	if in.Spec.Template.Spec.Containers[0].Image != "registry.example/api:1.8" || in.Spec.Template.Spec.NodeName != "prod-node-7" {
		t.Error("the builder modified prod's object")
	}
}

var quantityEqual = cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })

func TestVersionPolicies(t *testing.T) {
	in := &appsv1.Deployment{ObjectMeta: prodMeta("api"), Spec: appsv1.DeploymentSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "registry.example/api:1.8"},
			{Name: "sidecar", Image: "registry.example/envoy@" + dig2},
			{Name: "unknown", Image: "registry.example/other:2"},
		}}}}}
	pins := mirror.Pins{"Deployment/api": {"app": {Digest: dig}, "unknown": {Reason: "no prod pod runs this workload"}}}
	cases := []struct {
		policy v1alpha1.VersionPolicy
		images []string
		pinned []bool
	}{
		{v1alpha1.VersionPinDigest, []string{"registry.example/api:1.8@" + dig, "registry.example/envoy@" + dig2, "registry.example/other:2"}, []bool{true, true, false}},
		{v1alpha1.VersionRequireDigest, []string{"registry.example/api:1.8@" + dig, "registry.example/envoy@" + dig2, "registry.example/other:2"}, []bool{true, true, false}},
		{v1alpha1.VersionKeepTag, []string{"registry.example/api:1.8", "registry.example/envoy@" + dig2, "registry.example/other:2"}, []bool{false, true, false}},
	}
	for _, tc := range cases {
		t.Run(string(tc.policy), func(t *testing.T) {
			env := testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Spec.Versions.Policy = tc.policy })
			got, st := builder(t, env, pins).Deployment(in)
			for i, c := range got.Spec.Template.Spec.Containers {
				if c.Image != tc.images[i] || st.Containers[i].Pinned != tc.pinned[i] {
					t.Errorf("container %s: image %q pinned %v, want %q %v", c.Name, c.Image, st.Containers[i].Pinned, tc.images[i], tc.pinned[i])
				}
			}
			if st.Pinned {
				t.Error("the service is reported pinned with an unpinned container")
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	in := &appsv1.Deployment{ObjectMeta: prodMeta("api"), Spec: appsv1.DeploymentSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "registry.example/api:1.8", Env: []corev1.EnvVar{{Name: "MODE", Value: "prod"}}},
			{Name: "sidecar", Image: "registry.example/envoy:1"},
		}}}}}
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Overrides = []v1alpha1.Override{
			{Workload: "api", Image: "registry.example/api:sha-abc", Env: []v1alpha1.EnvVar{{Name: "MODE", Value: "dev"}, {Name: "NEW", Value: "1"}}},
			{Workload: "api", Container: "sidecar", Env: []v1alpha1.EnvVar{{Name: "LOG", Value: "debug"}}},
			{Workload: "checkout", Image: "x:1"},
		}
	})
	pins := mirror.Pins{"Deployment/api": {"app": {Digest: dig}, "sidecar": {Digest: dig2}}}
	snap := &source.Snapshot{Namespace: src, Deployments: []appsv1.Deployment{*in}}
	_ = pins
	b := builder(t, env, pins)
	got, st := b.Deployment(in)
	app, side := got.Spec.Template.Spec.Containers[0], got.Spec.Template.Spec.Containers[1]
	if app.Image != "registry.example/api:sha-abc" || !st.Containers[0].Overridden || st.Containers[0].Pinned {
		t.Errorf("app: %q %+v", app.Image, st.Containers[0])
	}
	if diff := cmp.Diff([]corev1.EnvVar{{Name: "MODE", Value: "dev"}, {Name: "NEW", Value: "1"}}, app.Env); diff != "" {
		t.Errorf("app env (-want +got):\n%s", diff)
	}
	if side.Image != "registry.example/envoy:1@"+dig2 || st.Containers[1].Overridden {
		t.Errorf("an env-only override keeps the pin: %q %+v", side.Image, st.Containers[1])
	}
	if diff := cmp.Diff([]corev1.EnvVar{{Name: "LOG", Value: "debug"}}, side.Env); diff != "" {
		t.Errorf("sidecar env (-want +got):\n%s", diff)
	}

	res := mirror.Build(snap, mirror.Options{Env: env, TargetNamespace: target, Scrubber: scrubber{scrub.PlainInput{Rewriter: scrub.NewRewriter(src, target, nil), Keyring: mustKeyring(t)}}})
	if len(res.Problems) != 1 || res.Problems[0].Reason != v1alpha1.ReasonOverrideNotFound ||
		!strings.Contains(res.Problems[0].Message, "workload checkout") || !strings.Contains(res.Problems[0].Message, "copied workloads: api") {
		t.Errorf("problems: %+v", res.Problems)
	}
}

func mustKeyring(t *testing.T) scrub.Keyring {
	k, err := scrub.NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestStatefulSet(t *testing.T) {
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Workloads.Replicas = ptr.To[int32](2)
		e.Spec.Workloads.StorageSize = ptr.To(v1alpha1.Quantity("10Gi"))
	})
	in := &appsv1.StatefulSet{ObjectMeta: prodMeta("pg"), Spec: appsv1.StatefulSetSpec{
		Replicas: ptr.To[int32](3), ServiceName: "pg",
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "pg", Image: "postgres:16.4"}}}},
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{
			{ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: map[string]string{"tier": "db"}},
				Spec: corev1.PersistentVolumeClaimSpec{
					StorageClassName: ptr.To("fast"), VolumeName: "pv-prod",
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("500Gi")}},
				},
				Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound}},
			{ObjectMeta: metav1.ObjectMeta{Name: "wal"},
				Spec: corev1.PersistentVolumeClaimSpec{Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}},
		},
	}}
	got, _ := builder(t, env, nil).StatefulSet(in)
	if *got.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want 2 (the spec's, below prod's 3)", *got.Spec.Replicas)
	}
	data, wal := got.Spec.VolumeClaimTemplates[0], got.Spec.VolumeClaimTemplates[1]
	if data.Name != "data" || data.Spec.VolumeName != "" || data.Status.Phase != "" || data.Labels["tier"] != "db" {
		t.Errorf("claim template not fresh: %+v", data)
	}
	if s := data.Spec.Resources.Requests.Storage(); s.String() != "10Gi" {
		t.Errorf("data size %s, want the 10Gi cap", s)
	}
	if s := wal.Spec.Resources.Requests.Storage(); s.String() != "1Gi" {
		t.Errorf("wal size %s, want prod's 1Gi (a cap never raises)", s)
	}
	if *data.Spec.StorageClassName != "fast" {
		t.Error("storage class dropped")
	}
}

func TestReplicasNeverAboveProd(t *testing.T) {
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Spec.Workloads.Replicas = ptr.To[int32](5) })
	in := &appsv1.Deployment{ObjectMeta: prodMeta("api"), Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2)}}
	got, _ := builder(t, env, nil).Deployment(in)
	if *got.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want prod's 2", *got.Spec.Replicas)
	}
	in.Spec.Replicas = ptr.To[int32](0)
	got, _ = builder(t, env, nil).Deployment(in)
	if *got.Spec.Replicas != 0 {
		t.Errorf("replicas %d, want 0 (prod is scaled to zero)", *got.Spec.Replicas)
	}
}

func TestDaemonSetAndCronJob(t *testing.T) {
	env := testEnv()
	ds := &appsv1.DaemonSet{ObjectMeta: prodMeta("agent"), Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "fluent-bit:3"}}}},
	}}
	d, st := builder(t, env, nil).DaemonSet(ds)
	if d.Kind != "Deployment" || *d.Spec.Replicas != 1 || d.Spec.Selector.MatchLabels["app"] != "agent" || st.SourceKind != "DaemonSet" {
		t.Errorf("DaemonSet copy: %+v %+v", d, st)
	}
	if d.Annotations[mirror.AnnotationSource] != "DaemonSet/"+src+"/agent" {
		t.Errorf("source annotation %q", d.Annotations[mirror.AnnotationSource])
	}

	cj := &batchv1.CronJob{ObjectMeta: prodMeta("report"), Spec: batchv1.CronJobSpec{Schedule: "0 3 * * *"}}
	got, st := builder(t, env, nil).CronJob(cj)
	if !*got.Spec.Suspend || !strings.Contains(st.Message, "suspended") {
		t.Error("a CronJob copy runs by default")
	}
	env.Spec.Workloads.RunCronJobs = true
	got, _ = builder(t, env, nil).CronJob(cj)
	if *got.Spec.Suspend {
		t.Error("runCronJobs did not unsuspend")
	}
	cj.Spec.Suspend = ptr.To(true)
	got, _ = builder(t, env, nil).CronJob(cj)
	if !*got.Spec.Suspend {
		t.Error("a CronJob suspended in prod must stay suspended")
	}
}

func TestService(t *testing.T) {
	ports := []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 30080}}
	cases := []struct {
		name     string
		in       corev1.ServiceSpec
		wantType corev1.ServiceType
		wantIP   string
		wantExt  string
	}{
		{"ClusterIP", corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "10.0.0.12", ClusterIPs: []string{"10.0.0.12"}}, corev1.ServiceTypeClusterIP, "", ""},
		{"headless", corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIP: "None"}, corev1.ServiceTypeClusterIP, "None", ""},
		{"NodePort", corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, ClusterIP: "10.0.0.13", ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal}, corev1.ServiceTypeClusterIP, "", ""},
		{"LoadBalancer", corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.14", LoadBalancerIP: "34.1.2.3",
			LoadBalancerSourceRanges: []string{"0.0.0.0/0"}, HealthCheckNodePort: 31000, ExternalIPs: []string{"34.1.2.3"}}, corev1.ServiceTypeClusterIP, "", ""},
		{"ExternalName", corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db." + src + ".svc.cluster.local"}, corev1.ServiceTypeExternalName, "", "db." + target + ".svc.cluster.local"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &corev1.Service{ObjectMeta: prodMeta("svc"), Spec: tc.in}
			in.Spec.Ports = ports
			in.Spec.Selector = map[string]string{"app": "api"}
			got := builder(t, testEnv(), nil).Service(in)
			s := got.Spec
			if s.Type != tc.wantType || s.ClusterIP != tc.wantIP || s.ExternalName != tc.wantExt {
				t.Errorf("type %s ip %q ext %q", s.Type, s.ClusterIP, s.ExternalName)
			}
			if len(s.ClusterIPs) > 0 || s.LoadBalancerIP != "" || len(s.LoadBalancerSourceRanges) > 0 || len(s.ExternalIPs) > 0 ||
				s.HealthCheckNodePort != 0 || s.ExternalTrafficPolicy != "" || s.Ports[0].NodePort != 0 {
				t.Errorf("allocated or external fields copied: %+v", s)
			}
			if s.Ports[0].TargetPort != intstr.FromInt32(8080) || s.Selector["app"] != "api" {
				t.Errorf("ports or selector lost: %+v", s)
			}
		})
	}
}

func TestIngressHost(t *testing.T) {
	cases := []struct {
		name, template, prodHost, want, err string
	}{
		{"default", "", "shop.example.com", "shop-fix-42.example.com", ""},
		{"branch template", "{{ .Branch }}.dev.example.com", "shop.example.com", "feature-fix-42.dev.example.com", ""},
		{"per ingress", "{{ .Subdomain }}.{{ .Branch }}.dev.example.com", "api.shop.example.com", "api.feature-fix-42.dev.example.com", ""},
		{"wildcard", "", "*.shop.example.com", "*.shop-fix-42.example.com", ""},
		{"single label", "{{ .Host }}-{{ .Environment }}", "intranet", "intranet-fix-42", ""},
		{"prod's own host", "{{ .Host }}", "shop.example.com", "", "prod's own host"},
		{"not DNS", "{{ .Branch }}_x.example.com", "shop.example.com", "", "not a DNS name"},
		{"unknown field", "{{ .Team }}.example.com", "shop.example.com", "", "ingressHost"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Spec.Network.IngressHost = tc.template })
			got, err := builder(t, env, nil).IngressHost("shop", tc.prodHost)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestIngress(t *testing.T) {
	in := &networkingv1.Ingress{ObjectMeta: prodMeta("shop"), Spec: networkingv1.IngressSpec{
		IngressClassName: ptr.To("nginx"),
		TLS:              []networkingv1.IngressTLS{{Hosts: []string{"shop.example.com", "www.example.com"}, SecretName: "shop-tls"}},
		Rules:            []networkingv1.IngressRule{{Host: "shop.example.com"}, {Host: "www.example.com"}, {}},
	}}
	in.Annotations["external-dns.alpha.kubernetes.io/hostname"] = "shop.example.com"
	in.Annotations["cert-manager.io/cluster-issuer"] = "prod"
	got, err := builder(t, testEnv(), nil).Ingress(in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Rules[0].Host != "shop-fix-42.example.com" || got.Spec.Rules[1].Host != "www-fix-42.example.com" || got.Spec.Rules[2].Host != "" {
		t.Errorf("rules: %+v", got.Spec.Rules)
	}
	if diff := cmp.Diff([]string{"shop-fix-42.example.com", "www-fix-42.example.com"}, got.Spec.TLS[0].Hosts); diff != "" {
		t.Errorf("tls hosts (-want +got):\n%s", diff)
	}
	for _, a := range []string{"external-dns.alpha.kubernetes.io/hostname", "cert-manager.io/cluster-issuer"} {
		if _, ok := got.Annotations[a]; ok {
			t.Errorf("annotation %s copied: another tool would act on prod's behalf", a)
		}
	}
	if got.Spec.TLS[0].SecretName != "shop-tls" || *got.Spec.IngressClassName != "nginx" {
		t.Error("TLS secret or class lost")
	}
}

func TestNetworkPolicyAndIsolation(t *testing.T) {
	in := &networkingv1.NetworkPolicy{ObjectMeta: prodMeta("np"), Spec: networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
			{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: src}}},
			{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: []string{"monitoring", src}}}}},
			{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}}},
		}}},
		Egress: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{
			{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: src}}},
		}}},
	}}
	got := builder(t, testEnv(), nil).NetworkPolicy(in)
	from := got.Spec.Ingress[0].From
	if from[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != target ||
		!cmp.Equal(from[1].NamespaceSelector.MatchExpressions[0].Values, []string{"monitoring", target}) ||
		from[2].NamespaceSelector.MatchLabels["team"] != "shop" ||
		got.Spec.Egress[0].To[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != target {
		t.Errorf("selectors: %+v", got.Spec)
	}
	if in.Spec.Ingress[0].From[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != src {
		t.Error("prod's policy was modified")
	}

	iso := builder(t, testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Spec.Network.AllowedEgressCIDRs = []string{"203.0.113.0/24"} }), nil).IsolationPolicy()
	want := networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
		Egress: []networkingv1.NetworkPolicyEgressRule{
			{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpNotIn, Values: []string{src}}}}}}},
			{To: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "203.0.113.0/24"}}}},
		},
	}
	if diff := cmp.Diff(want, iso.Spec); diff != "" {
		t.Errorf("isolation policy (-want +got):\n%s", diff)
	}
	if iso.Namespace != target || iso.Name != mirror.IsolationPolicyName {
		t.Errorf("isolation policy at %s/%s", iso.Namespace, iso.Name)
	}
	if p := builder(t, testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Spec.Network.Isolation = v1alpha1.IsolationNone }), nil).IsolationPolicy(); p != nil {
		t.Error("isolation None still builds a policy")
	}
}

// TestStandInPolicy: the stand-ins admit every pod of the copy and the operator's own Jobs (in
// its namespace, by the managed-by label), and nothing else; it selects the stand-ins only.
func TestStandInPolicy(t *testing.T) {
	p := builder(t, testEnv(), nil).StandInPolicy("envmirror-system")
	if p.Namespace != target || p.Name != mirror.StandInPolicyName {
		t.Errorf("policy at %s/%s", p.Namespace, p.Name)
	}
	want := networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: "app.kubernetes.io/component", Operator: metav1.LabelSelectorOpIn, Values: []string{"database-stand-in", "dependency-stand-in"}}}},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
			{PodSelector: &metav1.LabelSelector{}},
			{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: "envmirror-system"}},
				PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{mirror.LabelManagedBy: mirror.ManagedByValue}}},
		}}},
	}
	if diff := cmp.Diff(want, p.Spec); diff != "" {
		t.Errorf("stand-ins' policy (-want +got):\n%s", diff)
	}
}

func TestRBACAndClaims(t *testing.T) {
	b := builder(t, testEnv(), nil)
	rb := b.RoleBinding(&rbacv1.RoleBinding{ObjectMeta: prodMeta("rb"),
		RoleRef: rbacv1.RoleRef{Kind: "ClusterRole", Name: "view"},
		Subjects: []rbacv1.Subject{
			{Kind: "ServiceAccount", Name: "api", Namespace: src},
			{Kind: "ServiceAccount", Name: "prom", Namespace: "monitoring"},
			{Kind: "Group", Name: "devs", APIGroup: rbacv1.GroupName},
		}})
	want := []rbacv1.Subject{
		{Kind: "ServiceAccount", Name: "api", Namespace: target},
		{Kind: "ServiceAccount", Name: "prom", Namespace: "monitoring"},
		{Kind: "Group", Name: "devs", APIGroup: rbacv1.GroupName},
	}
	if diff := cmp.Diff(want, rb.Subjects); diff != "" || rb.RoleRef.Name != "view" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	sa := b.ServiceAccount(&corev1.ServiceAccount{ObjectMeta: prodMeta("api"),
		Secrets: []corev1.ObjectReference{{Name: "api-token-x"}}, ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}}})
	if len(sa.Secrets) != 0 || sa.ImagePullSecrets[0].Name != "regcred" {
		t.Errorf("service account: %+v", sa)
	}
	pvc := b.PersistentVolumeClaim(&corev1.PersistentVolumeClaim{ObjectMeta: prodMeta("uploads"), Spec: corev1.PersistentVolumeClaimSpec{
		VolumeName: "pv-prod", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"pv": "prod"}},
		DataSource: &corev1.TypedLocalObjectReference{Kind: "VolumeSnapshot", Name: "prod-snap"},
		Resources:  corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("20Gi")}},
	}})
	if pvc.Spec.VolumeName != "" || pvc.Spec.Selector != nil || pvc.Spec.DataSource != nil || pvc.Spec.DataSourceRef != nil {
		t.Errorf("the claim could bind prod's data: %+v", pvc.Spec)
	}
}

func TestResolvePins(t *testing.T) {
	now := metav1.Now()
	earlier := metav1.NewTime(now.Add(-3600e9))
	pod := func(name, app, image, imageID string, created metav1.Time) corev1.Pod {
		return corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": app}, CreationTimestamp: created},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			Status:     corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: image, ImageID: imageID}}},
		}
	}
	dep := func(name, image string) appsv1.Deployment {
		return appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}}}}}
	}
	snap := &source.Snapshot{
		Deployments: []appsv1.Deployment{dep("a", "r/a:1"), dep("b", "r/b:2"), dep("c", "r/c:3"), dep("d", "r/d:4"), dep("e", "r/e:5")},
		CronJobs: []batchv1.CronJob{{ObjectMeta: metav1.ObjectMeta{Name: "nightly"}, Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "r/a:1"}}}}}}}}},
		Pods: []corev1.Pod{
			pod("a-1", "a", "r/a:1", "docker-pullable://r/a@"+dig, now),
			// b is mid-rollout: the old pod runs another image and digest.
			pod("b-old", "b", "r/b:1", "docker-pullable://r/b@"+dig2, earlier),
			pod("b-new", "b", "r/b:2", "r/b@"+dig, now),
			// c's tag moved between its pods' starts: the newest wins, with a reason.
			pod("c-old", "c", "r/c:3", "r/c@"+dig2, earlier),
			pod("c-new", "c", "r/c:3", "r/c@"+dig, now),
			// d reports only a local image ID, which no registry can serve.
			pod("d-1", "d", "r/d:4", "sha256:"+strings.Repeat("3", 64), now),
		},
	}
	pins := mirror.ResolvePins(snap)
	cases := []struct {
		kind, name, digest, reason string
	}{
		{"Deployment", "a", dig, ""},
		{"Deployment", "b", dig, ""},
		{"Deployment", "c", dig, "prod runs 2 digests"},
		{"Deployment", "d", "", "no repository digest"},
		{"Deployment", "e", "", "no prod pod runs this workload"},
		{"CronJob", "nightly", dig, "elsewhere"},
	}
	for _, tc := range cases {
		p := pins.Get(tc.kind, tc.name, "app")
		if p.Digest != tc.digest || !strings.Contains(p.Reason, tc.reason) {
			t.Errorf("%s/%s: %+v, want digest %q reason ~%q", tc.kind, tc.name, p, tc.digest, tc.reason)
		}
	}
}

func TestImageReferences(t *testing.T) {
	cases := []struct{ imageID, digest string }{
		{"docker-pullable://registry.example/api@" + dig, dig},
		{"docker.io/library/redis@" + dig, dig},
		{"sha256:" + strings.Repeat("a", 64), ""},
		{"registry.example/api@sha256:short", ""},
		{"", ""},
	}
	for _, tc := range cases {
		if got := mirror.DigestOf(tc.imageID); got != tc.digest {
			t.Errorf("DigestOf(%q) = %q, want %q", tc.imageID, got, tc.digest)
		}
	}
	pins := []struct{ image, want string }{
		{"registry.example/api:1.8", "registry.example/api:1.8@" + dig},
		{"registry.example:5000/api", "registry.example:5000/api@" + dig},
		{"redis@" + dig2, "redis@" + dig},
	}
	for _, tc := range pins {
		if got := mirror.PinImage(tc.image, dig); got != tc.want {
			t.Errorf("PinImage(%q) = %q, want %q", tc.image, got, tc.want)
		}
	}
}

func TestScaleResources(t *testing.T) {
	q := resource.MustParse
	in := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: q("10m"), corev1.ResourceMemory: q("100Mi"), "hugepages-2Mi": q("1Gi")},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: q("3"), corev1.ResourceMemory: q("8Gi")},
	}
	cases := []struct {
		name    string
		scaling *v1alpha1.ResourceScaling
		want    corev1.ResourceRequirements
	}{
		{"none", nil, in},
		{"percent", &v1alpha1.ResourceScaling{ScalePercent: ptr.To[int32](5)}, corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("1m"), corev1.ResourceMemory: q("5242880"), "hugepages-2Mi": q("1Gi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: q("150m"), corev1.ResourceMemory: q("429496729")},
		}},
		{"caps never raise", &v1alpha1.ResourceScaling{Max: map[corev1.ResourceName]v1alpha1.Quantity{corev1.ResourceCPU: "500m", corev1.ResourceMemory: "16Gi"}}, corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: q("10m"), corev1.ResourceMemory: q("100Mi"), "hugepages-2Mi": q("1Gi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: q("500m"), corev1.ResourceMemory: q("8Gi")},
		}},
		{"100 percent", &v1alpha1.ResourceScaling{ScalePercent: ptr.To[int32](100)}, in},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, mirror.ScaleResources(in, tc.scaling), quantityEqual); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNames(t *testing.T) {
	long := strings.Repeat("checkout-", 10)
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Name = long + "fix.v2" })
	ns := mirror.DefaultTargetNamespace(env)
	if len(ns) > 63 || !strings.HasPrefix(ns, src+"-checkout") || strings.Contains(ns, ".") {
		t.Errorf("DefaultTargetNamespace = %q", ns)
	}
	if mirror.DefaultTargetNamespace(env) != ns {
		t.Error("not stable")
	}
	env2 := testEnv(func(e *v1alpha1.MirrorEnvironment) { e.Name = long + "fix.v3" })
	if mirror.DefaultTargetNamespace(env2) == ns {
		t.Error("two long names collide")
	}
	if got := mirror.DefaultTargetNamespace(testEnv()); got != src+"-fix-42" {
		t.Errorf("short name: %q", got)
	}
	for in, want := range map[string]string{"feature/Checkout_Fix": "feature-checkout-fix", "--x--": "x", "": ""} {
		if got := mirror.DNSLabel(in); got != want {
			t.Errorf("DNSLabel(%q) = %q, want %q", in, got, want)
		}
	}
	if v := mirror.LabelValue(strings.Repeat("a", 100)); len(v) > 63 {
		t.Errorf("LabelValue too long: %d", len(v))
	}
}

func TestToApply(t *testing.T) {
	d, _ := builder(t, testEnv(), nil).StatefulSet(&appsv1.StatefulSet{ObjectMeta: prodMeta("pg"), Spec: appsv1.StatefulSetSpec{
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}}}}})
	u, err := mirror.ToApply(d)
	if err != nil {
		t.Fatal(err)
	}
	raw := u.Object
	if _, ok := raw["status"]; ok {
		t.Error("status is applied")
	}
	if _, ok := raw["metadata"].(map[string]any)["creationTimestamp"]; ok {
		t.Error("creationTimestamp: null is applied")
	}
	tpl := raw["spec"].(map[string]any)["volumeClaimTemplates"].([]any)[0].(map[string]any)
	if _, ok := tpl["status"]; ok {
		t.Error("the claim template's empty status is applied")
	}
	h := u.GetAnnotations()[mirror.AnnotationAppliedHash]
	u2, _ := mirror.ToApply(d)
	if h == "" || u2.GetAnnotations()[mirror.AnnotationAppliedHash] != h {
		t.Error("the hash is not stable")
	}
	d.Spec.Replicas = ptr.To[int32](3)
	u3, _ := mirror.ToApply(d)
	if u3.GetAnnotations()[mirror.AnnotationAppliedHash] == h {
		t.Error("the hash ignores a change")
	}
}
