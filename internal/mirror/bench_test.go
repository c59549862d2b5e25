package mirror_test

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

// BenchmarkBuild measures one reconcile's pure work for a large prod namespace: 200
// Deployments with 3 pods each and their Services. An operator with hundreds of environments
// does this per environment per reconcile, so it must stay in the milliseconds.
func BenchmarkBuild(b *testing.B) {
	snap := &source.Snapshot{Namespace: src}
	for i := range 200 {
		name := fmt.Sprintf("svc-%03d", i)
		image := "registry.example/" + name + ":1.0"
		d := appsv1.Deployment{ObjectMeta: prodMeta(name), Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(3)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}}, Spec: podSpec()},
		}}
		d.Spec.Template.Spec.Containers[0].Image = image
		snap.Deployments = append(snap.Deployments, d)
		snap.Services = append(snap.Services, corev1.Service{ObjectMeta: prodMeta(name), Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}}})
		for p := range 3 {
			snap.Pods = append(snap.Pods, corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", name, p), Labels: map[string]string{"app": name}},
				Spec:       d.Spec.Template.Spec,
				Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "api", Image: image,
					ImageID: "docker-pullable://registry.example/" + name + "@" + dig}}},
			})
		}
	}
	env := testEnv()
	k, _ := scrub.NewKeyring()
	opts := mirror.Options{Env: env, TargetNamespace: target, Scrubber: scrubber{scrub.PlainInput{Rewriter: scrub.NewRewriter(src, target, nil), Keyring: k}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := mirror.Build(snap, opts)
		if res.Pinned != 200 {
			b.Fatalf("pinned %d", res.Pinned)
		}
	}
}
