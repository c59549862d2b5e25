package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// floorLabel marks the namespaces of the floor, the raw apply the operator is compared with.
const floorLabel = "bench.envmirror.io/floor"

// capture keeps what the manager wrote into one namespace (the first environment's copy) and
// the namespace itself: for each object, the last whole object sent (a create, a server-side
// apply or an update). Replayed by a plain client into fresh namespaces, those are the floor:
// what `kubectl apply --server-side` of the same copy costs the control plane.
type capture struct {
	namespace string
	order     []string          // "resource/name" in the order of the first write
	objects   map[string][]byte // "resource/name" -> the last whole object written
	// partial counts the writes that carry no whole object ("verb resource[/subresource]"):
	// merge patches, status, deletes. The floor does not replay them.
	partial map[string]int
}

func newCapture(ns string) *capture {
	return &capture{namespace: ns, objects: map[string][]byte{}, partial: map[string]int{}}
}

// record keeps one write of the manager's if it is into the captured namespace.
func (c *capture) record(req apirequest.RequestInfo, body []byte) {
	if c == nil || !(req.Namespace == c.namespace || req.Resource == "namespaces" && req.Name == c.namespace) {
		return
	}
	whole := (req.Verb == "create" || req.Verb == "apply" || req.Verb == "update") && req.Subresource == "" && len(body) > 0
	if !whole {
		what := req.Verb + " " + req.Resource
		if req.Subresource != "" {
			what += "/" + req.Subresource
		}
		c.partial[what]++
		return
	}
	key := req.Resource + "/" + req.Name
	if _, seen := c.objects[key]; !seen {
		c.order = append(c.order, key)
	}
	c.objects[key] = body
}

// serverFields are the metadata fields the API server sets; a copy of an object into another
// namespace carries none of them. Owner references name uids of the captured namespace, which
// the garbage collector would find missing in a fresh one and delete the object.
var serverFields = []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
	"ownerReferences", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}

// objectsFor returns the captured objects as they would be in namespace ns: every mention of
// the captured namespace's name replaced (in names, labels, the hosts of Service URLs), the
// server's fields and status dropped; the Namespace first, labelled as the floor's.
func (c *capture) objectsFor(ns string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, key := range c.order {
		text := strings.ReplaceAll(string(c.objects[key]), c.namespace, ns)
		var obj map[string]any
		if err := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(text), 4096).Decode(&obj); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("captured %s: %w", key, err)
		}
		u := &unstructured.Unstructured{Object: obj}
		if u.GetKind() == "" || u.GetAPIVersion() == "" {
			return nil, fmt.Errorf("captured %s has no kind or apiVersion", key)
		}
		for _, f := range serverFields {
			unstructured.RemoveNestedField(u.Object, "metadata", f)
		}
		unstructured.RemoveNestedField(u.Object, "status")
		if u.GetKind() == "Namespace" {
			labels := u.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			labels[floorLabel] = "true"
			u.SetLabels(labels)
			out = append([]*unstructured.Unstructured{u}, out...)
			continue
		}
		out = append(out, u)
	}
	if len(out) == 0 || out[0].GetKind() != "Namespace" {
		return nil, fmt.Errorf("no Namespace %s among the %d objects captured", c.namespace, len(out))
	}
	return out, nil
}

// kinds counts the captured objects by kind, for the report.
func kindCounts(objs []*unstructured.Unstructured) map[string]int {
	out := map[string]int{}
	for _, o := range objs {
		out[o.GetKind()]++
	}
	return out
}
