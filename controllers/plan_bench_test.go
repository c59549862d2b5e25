package controllers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

// largeProd is a prod namespace of a size real ones have: 20 workloads, 30 ConfigMaps (a third
// of them config files of ~16 KiB), 60 Secrets.
func largeProd() *source.Snapshot {
	s := &source.Snapshot{Namespace: "prod"}
	for i := range 20 {
		l := map[string]string{"app": fmt.Sprint("svc", i)}
		s.Deployments = append(s.Deployments, appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("svc", i), Namespace: "prod", Labels: l},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: l}, Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: fmt.Sprintf("registry.example/svc%d:1.%d", i, i),
					Args: []string{"--port=8080", "--db-password=prod-pass-" + fmt.Sprint(i), "--upstream=http://svc1.prod.svc:8080"},
					Env: []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}, {Name: "API_TOKEN", Value: fmt.Sprintf("tok_%d_abcdefghijklmnop", i)},
						{Name: "REDIS_URL", Value: "redis://redis.prod.svc:6379/0"}}}}}}}})
		s.Services = append(s.Services, corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("svc", i), Namespace: "prod"},
			Spec: corev1.ServiceSpec{Selector: l, Ports: []corev1.ServicePort{{Port: 8080}}}})
	}
	file := strings.Repeat("server:\n  port: 8080\n  host: api.prod.svc.cluster.local\ndatabase:\n  user: app\n  password: hunter2hunter2\n  pool: 20\n", 160)
	for i := range 30 {
		data := map[string]string{"LOG_LEVEL": "info", "FEATURES": "a,b,c", "ENDPOINT": "https://api.example.com/v1"}
		if i%3 == 0 {
			data["application.yaml"] = file
		}
		s.ConfigMaps = append(s.ConfigMaps, corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("cm", i), Namespace: "prod"}, Data: data})
	}
	for i := range 60 {
		s.Secrets = append(s.Secrets, corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("secret", i), Namespace: "prod"},
			Data: map[string][]byte{"password": []byte(fmt.Sprintf("prod-secret-%d-Zq8", i)), "url": []byte(fmt.Sprintf("postgres://u:pw%d@db:5432/x", i))}})
	}
	return s
}

// BenchmarkPlan measures one plan of the whole copy of a large prod, which every reconcile
// that reads prod runs: scrubbing, the sweep and the builders.
func BenchmarkPlan(b *testing.B) {
	key, _ := scrub.NewKeyring()
	k, _ := scrub.ParseKeyring(key)
	env := &v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Name: "bench", Namespace: "dev", UID: "u"},
		Spec: v1alpha1.MirrorEnvironmentSpec{Source: v1alpha1.SourceSpec{Namespace: "prod"}}}
	prod := largeProd()
	for _, c := range []struct {
		name string
		memo *scrubMemo
	}{{"first", nil}, {"again", newScrubMemo()}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				s := newScope(env, time.Unix(1_800_000_000, 0), &writer{})
				s.prod, s.keyring = prod, k
				s.inputs = &inputs{devSecrets: map[string]corev1.Secret{}, schemas: map[string]string{}, schemaProblems: map[string]string{}}
				if d := plan(planInput{env: env, target: "prod-bench", scope: s, memo: c.memo}); d.config.err != nil {
					b.Fatal(d.config.err)
				}
			}
		})
	}
}
