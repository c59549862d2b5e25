package main

import (
	"net/http"
	"testing"
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
	p := &countingProxy{}
	p.reset()
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
