package controllers

import (
	"encoding/json"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

// fuzzProd is a small prod with one of each thing the plan turns into a copy.
func fuzzProd() *source.Snapshot {
	l := map[string]string{"app": "api"}
	return &source.Snapshot{
		Namespace: "prod",
		Deployments: []appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "prod", Labels: l},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: l}, Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/api:1",
					Env: []corev1.EnvVar{{Name: "DB_PASSWORD", Value: "hunter2-prod"}}}}}}}}},
		Services: []corev1.Service{{ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "prod"},
			Spec: corev1.ServiceSpec{Selector: l, Ports: []corev1.ServicePort{{Port: 80}}}}},
		Ingresses: []networkingv1.Ingress{{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "prod"},
			Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "shop.example.com"}}}}},
		ConfigMaps: []corev1.ConfigMap{{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "prod"}, Data: map[string]string{"DATABASE_URL": "postgres://u:p@db:5432/x"}}},
		Secrets:    []corev1.Secret{{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "prod"}, Data: map[string][]byte{"password": []byte("prod-secret")}}},
	}
}

// FuzzPlan feeds random specs through the whole pure pipeline (validation, then the plan): no
// spec may panic it or make it run away (the fuzzer's per-input timeout catches a hang). Specs
// are JSON, as the API server hands them over after admission (or without it, from an older
// CRD).
func FuzzPlan(f *testing.F) {
	for _, seed := range []string{
		`{"source":{"namespace":"prod"}}`,
		`{"source":{"namespace":"prod"},"ttl":"2562048h","workloads":{"storageSize":"1E+999999999"}}`,
		`{"source":{"namespace":"prod"},"network":{"ingressHost":"{{ range 100000000 }}{{ end }}"}}`,
		`{"source":{"namespace":"prod"},"network":{"ingressHost":"{{ printf \"%0999999999d\" 1 }}","ingress":{"annotations":{"a":"{{ .Branch }}"}}}}`,
		`{"source":{"namespace":"prod"},"data":[{"name":"api","standIn":{"version":"16"}}],"overrides":[{"workload":"api","image":"x y"}]}`,
		`{"source":{"namespace":"prod"},"config":{"secrets":{"rules":[{"secret":"app","key":"password","template":"{{ secret \"app\" \"password\" }}{{ secret \"app\" \"password\" }}"}]}}}`,
		`{"source":{"namespace":"prod"},"workloads":{"resources":{"max":{"memory":"9999999999999Pi"},"scalePercent":1}}}`,
		`{"source":{"namespace":"kube-system"},"access":{"clusterRole":"cluster-admin","subjects":[{"kind":"User","name":"x"}]}}`,
	} {
		f.Add([]byte(seed))
	}
	keyring, err := scrub.NewKeyring()
	if err != nil {
		f.Fatal(err)
	}
	k, _ := scrub.ParseKeyring(keyring)
	f.Fuzz(func(t *testing.T, data []byte) {
		var spec v1alpha1.MirrorEnvironmentSpec
		if json.Unmarshal(data, &spec) != nil {
			return
		}
		env := &v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Name: "fuzz", Namespace: "dev", UID: "u"}, Spec: spec}
		settings := Settings{MaxTTL: 720 * time.Hour}
		if validateSpec(env, settings, "envmirror-system") != nil {
			return
		}
		s := newScope(env, time.Unix(1_800_000_000, 0), &writer{})
		s.prod, s.keyring = fuzzProd(), k
		s.inputs = &inputs{devSecrets: map[string]corev1.Secret{}, schemas: map[string]string{}, schemaProblems: map[string]string{}}
		start := time.Now()
		d := plan(planInput{env: env, target: "prod-fuzz", scope: s, settings: settings})
		if d == nil {
			t.Fatal("plan returned nothing")
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("planning took %s", took)
		}
	})
}
