package main

import (
	"net/http"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// write is one request the manager makes, as the proxy sees it.
type write struct{ method, path, contentType, body string }

func captureOf(t *testing.T, ns string, writes []write) *capture {
	t.Helper()
	p := newCountingProxy()
	p.captureNamespace(ns)
	for _, w := range writes {
		r, err := http.NewRequest(w.method, "http://proxy"+w.path, strings.NewReader(w.body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", w.contentType)
		p.count(r)
	}
	return p.stopCapture()
}

const applyYAML = "application/apply-patch+yaml"

func TestCaptureKeepsTheLastWholeObjectPerObject(t *testing.T) {
	c := captureOf(t, "shop-e1", []write{
		{"POST", "/api/v1/namespaces", "application/json",
			`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop-e1","labels":{"envmirror.io/environment":"e1"}}}`},
		{"POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop-e1/rolebindings", "application/json",
			`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"writer","namespace":"shop-e1"}}`},
		{"PATCH", "/apis/apps/v1/namespaces/shop-e1/deployments/api", applyYAML,
			`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop-e1"},"spec":{"replicas":1}}`},
		{"PATCH", "/apis/apps/v1/namespaces/shop-e1/deployments/api", applyYAML,
			`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop-e1"},"spec":{"replicas":2}}`},
		// not whole objects: a merge patch, a status write, a delete; an event is no object.
		{"PATCH", "/apis/apps/v1/namespaces/shop-e1/deployments/api", "application/merge-patch+json", `{"metadata":{"annotations":{"a":"b"}}}`},
		{"PATCH", "/apis/apps/v1/namespaces/shop-e1/deployments/api/status", applyYAML, `{"status":{}}`},
		{"DELETE", "/api/v1/namespaces/shop-e1/configmaps/old", "", ""},
		{"POST", "/api/v1/namespaces/shop-e1/events", "application/json", `{"metadata":{"name":"x.1"}}`},
		// another environment's copy and prod are not captured.
		{"PATCH", "/apis/apps/v1/namespaces/shop-e2/deployments/api", applyYAML,
			`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"shop-e2"}}`},
		{"POST", "/api/v1/namespaces", "application/json", `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop-e2"}}`},
	})
	wantOrder := []string{"namespaces/shop-e1", "rolebindings/writer", "deployments/api"}
	if strings.Join(c.order, " ") != strings.Join(wantOrder, " ") {
		t.Errorf("order = %v, want %v", c.order, wantOrder)
	}
	if !strings.Contains(string(c.objects["deployments/api"]), `"replicas":2`) {
		t.Errorf("deployments/api = %s, want the last apply (replicas 2)", c.objects["deployments/api"])
	}
	wantPartial := map[string]int{"patch deployments": 1, "apply deployments/status": 1, "delete configmaps": 1}
	if len(c.partial) != len(wantPartial) {
		t.Errorf("partial = %v, want %v", c.partial, wantPartial)
	}
	for k, v := range wantPartial {
		if c.partial[k] != v {
			t.Errorf("partial[%q] = %d, want %d", k, c.partial[k], v)
		}
	}
}

func TestObjectsForAnotherNamespace(t *testing.T) {
	c := captureOf(t, "shop-e1", []write{
		{"PATCH", "/apis/apps/v1/namespaces/shop-e1/deployments/api", applyYAML, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop-e1
  uid: 1234
  resourceVersion: "99"
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: 1234}]
  managedFields: [{manager: envmirror}]
spec:
  template:
    spec:
      containers:
      - name: api
        env: [{name: CATALOG_URL, value: "http://catalog.shop-e1.svc:8080"}]
status: {replicas: 1}
`},
		{"POST", "/api/v1/namespaces", "application/json",
			`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop-e1","labels":{"envmirror.io/target":"shop-e1"}}}`},
	})
	objs, err := c.objectsFor("floor-0007")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].GetKind() != "Namespace" || objs[0].GetName() != "floor-0007" {
		t.Fatalf("objects = %v, want the Namespace floor-0007 first, then the Deployment", objs)
	}
	if l := objs[0].GetLabels(); l[floorLabel] != "true" || l["envmirror.io/target"] != "floor-0007" {
		t.Errorf("namespace labels = %v", l)
	}
	d := objs[1]
	if d.GetNamespace() != "floor-0007" || d.GetUID() != "" || d.GetResourceVersion() != "" || d.GetOwnerReferences() != nil || d.GetManagedFields() != nil {
		t.Errorf("deployment metadata not moved or not cleaned: %v", d.Object["metadata"])
	}
	if _, has := d.Object["status"]; has {
		t.Error("deployment keeps its status")
	}
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if env := containers[0].(map[string]any)["env"].([]any)[0].(map[string]any)["value"]; env != "http://catalog.floor-0007.svc:8080" {
		t.Errorf("CATALOG_URL = %v, want the floor namespace's service", env)
	}
	// The captured bodies are untouched for the next namespace.
	if again, _ := c.objectsFor("floor-0008"); again[0].GetName() != "floor-0008" {
		t.Errorf("second namespace = %s", again[0].GetName())
	}
}

func TestObjectsForNeedsTheNamespace(t *testing.T) {
	c := captureOf(t, "shop-e1", []write{
		{"PATCH", "/api/v1/namespaces/shop-e1/configmaps/a", applyYAML, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`},
	})
	if _, err := c.objectsFor("floor-0001"); err == nil {
		t.Error("a capture without its Namespace: no error")
	}
	if _, err := newCapture("x").objectsFor("y"); err == nil {
		t.Error("an empty capture: no error")
	}
}
