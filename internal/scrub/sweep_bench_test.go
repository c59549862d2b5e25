package scrub

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// benchProd is a prod namespace's Secrets: n Secrets of five keys each, a password, a token, a
// URL with a password, an .env file and a JSON document, every value different.
func benchProd(n int) []corev1.Secret {
	c := &canaries{seed: "bench"}
	out := make([]corev1.Secret, n)
	for i := range out {
		out[i] = prodSecret(fmt.Sprintf("secret-%04d", i),
			"password", c.next(),
			"token", "tok_"+c.next()+c.next(),
			"DATABASE_URL", "postgres://app:"+c.next()+"@db-"+fmt.Sprint(i)+".prod.example.com:5432/app",
			".env", "LOG_LEVEL=info\nAPI_KEY="+c.next()+"\nSMTP_PASSWORD="+c.next()+"\n",
			"config.json", `{"client":{"id":"svc-`+fmt.Sprint(i)+`","secret":"`+c.next()+`"},"retries":3}`,
		)
	}
	return out
}

// benchNamespace is a large namespace in unstructured form: n ConfigMaps of about 4 KiB and n
// Deployments with env, args and annotations, with no prod value in them (the common case).
func benchNamespace(b *testing.B, n int) []map[string]any {
	conf := benchConfig(4 << 10)
	var objs []map[string]any
	for i := 0; i < n; i++ {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("cm-", i), Labels: map[string]string{"app": "x"}},
			Data: map[string]string{"app.yaml": conf, "LOG_LEVEL": "info"}}
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("pod-", i), Annotations: map[string]string{"a": strings.Repeat("note ", 50)}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app@sha256:" + strings.Repeat("ab", 32),
				Args: []string{"--port=8080", "--log-level", "info"}, Env: []corev1.EnvVar{{Name: "A", Value: strings.Repeat("value ", 20)}}}}}}
		objs = append(objs, toUnstructured(b, cm), toUnstructured(b, pod))
	}
	return objs
}

func BenchmarkNewSweep1000Secrets(b *testing.B) {
	prod := benchProd(1000)
	k := testKeyring(1)
	b.ReportAllocs()
	for b.Loop() {
		NewSweep(prod, k, nil)
	}
}

// BenchmarkSweepNamespace sweeps 1,000 objects (about 5 MB of strings) for the values of 1,000
// prod Secrets. Objects are swept in place, so each iteration gets fresh copies (not timed).
func BenchmarkSweepNamespace(b *testing.B) {
	sw := NewSweep(benchProd(1000), testKeyring(1), nil)
	b.Logf("looking for %d values in %d patterns", sw.Len(), len(sw.m.patterns))
	fresh := benchNamespace(b, 500)
	size := 0
	for _, o := range fresh {
		size += len(fmt.Sprint(o))
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		objs := benchNamespace(b, 500)
		b.StartTimer()
		for _, o := range objs {
			sw.Object(o)
		}
	}
}
