package mirror

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// ToApply converts a typed copy into the unstructured object to server-side apply: status and
// the null creationTimestamps that typed structs carry are removed, so the apply claims only
// fields the copy sets. The hash of the result is recorded in an annotation: when the live
// object carries the same hash, the write is skipped.
func ToApply(obj runtime.Object) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	dropNullTimestamps(m)
	u := &unstructured.Unstructured{Object: m}
	if u.GetAPIVersion() == "" || u.GetKind() == "" {
		return nil, fmt.Errorf("%T has no apiVersion/kind set", obj)
	}
	h, err := Hash(u)
	if err != nil {
		return nil, err
	}
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[AnnotationAppliedHash] = h
	u.SetAnnotations(ann)
	return u, nil
}

// Hash is a stable hash of an object's content without its applied-hash annotation.
// encoding/json writes map keys sorted, so equal content hashes equally.
func Hash(u *unstructured.Unstructured) (string, error) {
	c := u.DeepCopy()
	if ann := c.GetAnnotations(); ann != nil {
		delete(ann, AnnotationAppliedHash)
		c.SetAnnotations(ann)
	}
	b, err := json.Marshal(c.Object)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// dropNullTimestamps removes "creationTimestamp": null (typed ObjectMeta's zero value) and the
// empty status of embedded templates (a PersistentVolumeClaim template's), at any depth.
func dropNullTimestamps(v any) {
	switch t := v.(type) {
	case map[string]any:
		if ts, ok := t["creationTimestamp"]; ok && ts == nil {
			delete(t, "creationTimestamp")
		}
		if st, ok := t["status"].(map[string]any); ok && len(st) == 0 {
			delete(t, "status")
		}
		for _, child := range t {
			dropNullTimestamps(child)
		}
	case []any:
		for _, child := range t {
			dropNullTimestamps(child)
		}
	}
}
