package main

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

func TestClassify(t *testing.T) {
	type apiRequest struct{ verb, resource, subresource, namespace, name string }
	// As the API server has it, a namespace's own namespace is itself.
	tests := []struct {
		method, path, query, contentType string
		want                             apiRequest
	}{
		{"GET", "/api/v1/namespaces/shop/pods", "", "", apiRequest{verb: "list", resource: "pods", namespace: "shop"}},
		{"GET", "/api/v1/pods", "watch=true&resourceVersion=5", "", apiRequest{verb: "watch", resource: "pods"}},
		{"GET", "/apis/apps/v1/namespaces/shop/deployments/api", "", "", apiRequest{verb: "get", resource: "deployments", namespace: "shop", name: "api"}},
		{"PATCH", "/apis/apps/v1/namespaces/shop/deployments/api", "fieldManager=envmirror&force=true", "application/apply-patch+yaml",
			apiRequest{verb: "apply", resource: "deployments", namespace: "shop", name: "api"}},
		{"PATCH", "/apis/envmirror.io/v1alpha1/namespaces/dev/mirrorenvironments/e1/status", "", "application/merge-patch+json",
			apiRequest{verb: "patch", resource: "mirrorenvironments", subresource: "status", namespace: "dev", name: "e1"}},
		{"POST", "/api/v1/namespaces", "", "application/json", apiRequest{verb: "create", resource: "namespaces"}},
		{"DELETE", "/api/v1/namespaces/shop-copy", "", "", apiRequest{verb: "delete", resource: "namespaces", namespace: "shop-copy", name: "shop-copy"}},
		{"PUT", "/api/v1/namespaces/shop-copy/finalize", "", "", apiRequest{verb: "update", resource: "namespaces", namespace: "shop-copy", name: "shop-copy", subresource: "finalize"}},
		{"GET", "/api/v1/namespaces/shop-copy/status", "", "", apiRequest{verb: "get", resource: "namespaces", namespace: "shop-copy", name: "shop-copy", subresource: "status"}},
		{"POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "", "", apiRequest{verb: "create", resource: "selfsubjectreviews"}},
		{"DELETE", "/api/v1/namespaces/c/pods", "labelSelector=a%3Db", "", apiRequest{verb: "deletecollection", resource: "pods", namespace: "c"}},
		{"GET", "/apis", "", "", apiRequest{verb: "get", resource: "discovery"}},
		{"GET", "/version", "", "", apiRequest{verb: "get", resource: "discovery"}},
		{"GET", "/apis/apps/v1", "", "", apiRequest{verb: "get", resource: "discovery"}},
	}
	for _, tt := range tests {
		r, err := http.NewRequest(tt.method, "http://proxy"+tt.path+"?"+tt.query, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", tt.contentType)
		info := classify(r)
		got := apiRequest{info.Verb, info.Resource, info.Subresource, info.Namespace, info.Name}
		if got != tt.want {
			t.Errorf("classify(%s %s?%s) = %+v, want %+v", tt.method, tt.path, tt.query, got, tt.want)
		}
	}
}

func TestTrafficCountsWritesOncePerObject(t *testing.T) {
	p := newCountingProxy()
	for _, r := range []struct{ method, path, ct string }{
		{"PATCH", "/apis/apps/v1/namespaces/c/deployments/api", "application/apply-patch+yaml"},
		{"PATCH", "/apis/apps/v1/namespaces/c/deployments/api", "application/apply-patch+yaml"},
		{"GET", "/apis/apps/v1/namespaces/c/deployments/api", ""},
		{"PATCH", "/api/v1/namespaces/c/events/x.1", "application/strategic-merge-patch+json"},
	} {
		req, _ := http.NewRequest(r.method, "http://proxy"+r.path, nil)
		req.Header.Set("Content-Type", r.ct)
		p.count(req)
	}
	got := p.snapshot()
	if got.total() != 4 || got.objectsWritten != 1 || got.byVerb()["apply"] != 2 {
		t.Errorf("snapshot = %+v (total %d, by verb %v), want 4 requests, 1 object written (events apart), 2 applies",
			got, got.total(), got.byVerb())
	}
}

// Any request is classified without a panic, and every method gives a verb.
func FuzzClassify(f *testing.F) {
	for _, p := range []string{"/api/v1/namespaces/a/pods/b/log", "/apis/apps/v1/deployments", "/apis", "//api//v1/", "/api/v1/namespaces/x/status"} {
		f.Add("GET", p, "watch=true")
	}
	f.Fuzz(func(t *testing.T, method, path, query string) {
		r, err := http.NewRequest(method, "http://proxy/", nil)
		if err != nil {
			return
		}
		r.URL.Path, r.URL.RawQuery = path, query
		if got := classify(r); got.Verb == "" {
			t.Errorf("classify(%q, %q, %q) = %+v: no verb", method, path, query, got)
		}
	})
}

// A typed client sends built-in kinds as protobuf: their POSTs are told apart by name.
func TestProtobufCreatesAreNamed(t *testing.T) {
	codec := protobuf.NewSerializer(clientgoscheme.Scheme, clientgoscheme.Scheme)
	encode := func(obj runtime.Object) string {
		var buf bytes.Buffer
		if err := codec.Encode(obj, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	p := newCountingProxy()
	for _, obj := range []runtime.Object{
		&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "shop-e1"}},
		&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "shop-e2"}},
		&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: "writer", Namespace: "shop-e1"}},
	} {
		path := "/api/v1/namespaces"
		if _, ok := obj.(*rbacv1.RoleBinding); ok {
			path = "/apis/rbac.authorization.k8s.io/v1/namespaces/shop-e1/rolebindings"
		}
		r, _ := http.NewRequest("POST", "http://proxy"+path, strings.NewReader(encode(obj)))
		r.Header.Set("Content-Type", "application/vnd.kubernetes.protobuf")
		p.count(r)
	}
	if got := p.snapshot().objectsWritten; got != 3 {
		t.Errorf("objects written = %d, want 3 (two namespaces by name, a binding)", got)
	}
}

// The capture keeps protobuf-encoded creates as JSON the floor can apply.
func TestCaptureOfProtobufCreates(t *testing.T) {
	codec := protobuf.NewSerializer(clientgoscheme.Scheme, clientgoscheme.Scheme)
	encode := func(obj runtime.Object) string {
		var buf bytes.Buffer
		if err := codec.Encode(obj, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	const pb = "application/vnd.kubernetes.protobuf"
	ns := func(name string) string {
		return encode(&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
	binding := encode(&rbacv1.RoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: "writer", Namespace: "shop-e1"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "copy-writer"}})
	p := newCountingProxy()
	p.captureNamespace("shop-e1")
	for _, w := range []write{
		{"POST", "/api/v1/namespaces", pb, ns("shop-e1")},
		{"POST", "/api/v1/namespaces", pb, ns("shop-e2")},
		{"POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop-e1/rolebindings", pb, binding},
	} {
		r, _ := http.NewRequest(w.method, "http://proxy"+w.path, strings.NewReader(w.body))
		r.Header.Set("Content-Type", w.contentType)
		p.count(r)
	}
	if got := p.snapshot().objectsWritten; got != 3 {
		t.Errorf("objects written = %d, want 3 (two namespaces by name, a binding)", got)
	}
	objs, err := p.stopCapture().objectsFor("floor-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].GetName() != "floor-0001" || objs[1].GetKind() != "RoleBinding" || objs[1].GetNamespace() != "floor-0001" {
		t.Errorf("captured = %v", objs)
	}
}

// The proxy counts what the API server refuses, and still streams a watch as it comes.
func TestProxyCountsRefusalsAndStreams(t *testing.T) {
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			http.Error(w, "forbidden", http.StatusForbidden)
		case r.URL.Query().Get("watch") == "true":
			_, _ = w.Write([]byte(`{"type":"ADDED"}` + "\n"))
			w.(http.Flusher).Flush()
			<-release
		default:
			_, _ = w.Write([]byte(`{}`))
		}
	}))
	defer upstream.Close()
	defer close(release)
	u, _ := url.Parse(upstream.URL)
	p, err := startProxy(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()

	resp, err := http.Post(p.url()+"/api/v1/namespaces/c/events", "application/json", strings.NewReader(`{"metadata":{"name":"e.1"}}`))
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST through the proxy: %v, %v", resp, err)
	}
	resp.Body.Close()
	if resp, err = http.Get(p.url() + "/api/v1/namespaces/c/pods"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	watch, err := http.Get(p.url() + "/api/v1/pods?watch=true")
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Body.Close()
	// The first event arrives while the upstream still holds the watch open.
	line, err := bufio.NewReader(watch.Body).ReadString('\n')
	if err != nil || !strings.Contains(line, "ADDED") {
		t.Fatalf("watch: %q, %v", line, err)
	}
	got := p.snapshot()
	if got.refused["403 create events"] != 1 || len(got.refused) != 1 || got.total() != 3 {
		t.Errorf("refused = %v, total %d; want one 403 create events of 3 requests", got.refused, got.total())
	}
}
