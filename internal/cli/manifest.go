package cli

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// FieldManager owns what `kubectl mirror up` applies (server-side apply).
const FieldManager = "kubectl-mirror"

// Desired is what `up` asks for; Manifest turns it into the object it applies.
type Desired struct {
	Name, Namespace string
	Branch          string
	// Source is prod's namespace.
	Source string
	// TTL is a Go duration, or "" for none.
	TTL       string
	Overrides []v1alpha1.Override
	// Subjects get access to the copy (merged with those of Base).
	Subjects []v1alpha1.AccessSubject
	// Base is a spec to start from (`up -f`), or nil.
	Base map[string]any
}

// Manifest is the MirrorEnvironment `up` applies: Base's spec with the flags laid over it.
// Only the fields set here are owned by kubectl-mirror; whatever else is in the object (written
// by kubectl apply, by hand, defaults) is left as it is.
func Manifest(d Desired) (*unstructured.Unstructured, error) {
	spec := map[string]any{}
	if d.Base != nil {
		spec = runtime.DeepCopyJSON(d.Base)
	}
	source, _ := spec["source"].(map[string]any)
	if source == nil {
		source = map[string]any{}
	}
	if d.Source != "" {
		source["namespace"] = d.Source
	}
	if source["namespace"] == nil || source["namespace"] == "" {
		return nil, fmt.Errorf("no source namespace: pass --from (prod's namespace)")
	}
	spec["source"] = source
	spec["branch"] = d.Branch
	if d.TTL != "" {
		spec["ttl"] = d.TTL
	}
	overrides, err := mergeOverrides(spec["overrides"], d.Overrides)
	if err != nil {
		return nil, err
	}
	if len(overrides) > 0 {
		spec["overrides"] = overrides
	}
	if err := mergeSubjects(spec, d.Subjects); err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1alpha1.GroupVersion.String(),
		"kind":       "MirrorEnvironment",
		"metadata":   map[string]any{"name": d.Name, "namespace": d.Namespace},
		"spec":       spec,
	}}
	return u, nil
}

// mergeOverrides lays the flags' overrides over the base's: one per workload/container, the
// flag's winning.
func mergeOverrides(base any, flags []v1alpha1.Override) ([]any, error) {
	var out []any
	if base != nil {
		list, ok := base.([]any)
		if !ok {
			return nil, fmt.Errorf("spec.overrides in the base file is not a list")
		}
		out = list
	}
	for _, o := range flags {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&o)
		if err != nil {
			return nil, err
		}
		out = slices.DeleteFunc(out, func(x any) bool {
			e, _ := x.(map[string]any)
			return e["workload"] == o.Workload && fmt.Sprint(e["container"]) == fmt.Sprint(m["container"])
		})
		out = append(out, m)
	}
	return out, nil
}

// mergeSubjects adds subjects to spec.access.subjects, once each.
func mergeSubjects(spec map[string]any, subjects []v1alpha1.AccessSubject) error {
	if len(subjects) == 0 {
		return nil
	}
	access, _ := spec["access"].(map[string]any)
	if access == nil {
		access = map[string]any{}
	}
	list, _ := access["subjects"].([]any)
	for _, s := range subjects {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&s)
		if err != nil {
			return err
		}
		dup := slices.ContainsFunc(list, func(x any) bool {
			e, _ := x.(map[string]any)
			return e["kind"] == m["kind"] && e["name"] == m["name"] && fmt.Sprint(e["namespace"]) == fmt.Sprint(m["namespace"])
		})
		if !dup {
			list = append(list, m)
		}
	}
	access["subjects"] = list
	spec["access"] = access
	return nil
}

// ParseOverride reads --set: "workload=image" or "workload=container=image".
func ParseOverride(s string) (v1alpha1.Override, error) {
	parts := strings.Split(s, "=")
	for _, p := range parts {
		if strings.TrimSpace(p) == "" || p != strings.TrimSpace(p) {
			return v1alpha1.Override{}, fmt.Errorf("--set %q: want workload=image or workload=container=image", s)
		}
	}
	switch len(parts) {
	case 2:
		return v1alpha1.Override{Workload: parts[0], Image: v1alpha1.ImageReference(parts[1])}, nil
	case 3:
		return v1alpha1.Override{Workload: parts[0], Container: parts[1], Image: v1alpha1.ImageReference(parts[2])}, nil
	}
	return v1alpha1.Override{}, fmt.Errorf("--set %q: want workload=image or workload=container=image", s)
}

// ReadBase reads a MirrorEnvironment manifest (`up -f`) and returns its spec.
func ReadBase(data []byte) (map[string]any, error) {
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	if kind, _ := obj["kind"].(string); kind != "MirrorEnvironment" {
		return nil, fmt.Errorf("want a MirrorEnvironment manifest, got kind %q", kind)
	}
	spec, ok := obj["spec"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the MirrorEnvironment has no spec")
	}
	return spec, nil
}

// SubjectFor turns a username from SelfSubjectReview into an access subject: a service
// account's "system:serviceaccount:<ns>:<name>", or a user.
func SubjectFor(username string) (v1alpha1.AccessSubject, bool) {
	if username == "" {
		return v1alpha1.AccessSubject{}, false
	}
	if rest, ok := strings.CutPrefix(username, "system:serviceaccount:"); ok {
		ns, name, ok := strings.Cut(rest, ":")
		if !ok || ns == "" || name == "" {
			return v1alpha1.AccessSubject{}, false
		}
		return v1alpha1.AccessSubject{Kind: "ServiceAccount", Namespace: ns, Name: name}, true
	}
	return v1alpha1.AccessSubject{Kind: "User", Name: username}, true
}
