package controllers

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/scrub"
)

// sweepObjects runs the known-value sweep over every string of every object: any value of any
// prod Secret (in plain, base64, hex or URL-encoded form) left anywhere — a ConfigMap key with a
// harmless name, an annotation, a CronJob's args — is replaced. Recognising credentials by their
// shape is a heuristic; this makes "no prod Secret value reaches the copy" hold by construction.
// Objects keep their Go type, so later steps see what the builders made.
func sweepObjects(sw *scrub.Sweep, objs []client.Object, counts map[string]int32) ([]client.Object, error) {
	return sweepObjectsAndLabels(sw, nil, objs, counts)
}

// sweepObjectsAndLabels is sweepObjects that also scrubs label and selector values (labels.go)
// when labels is set: one conversion of each object serves both.
func sweepObjectsAndLabels(sw *scrub.Sweep, labels *plainScrubber, objs []client.Object, counts map[string]int32) ([]client.Object, error) {
	out := make([]client.Object, 0, len(objs))
	for _, obj := range objs {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("sweeping %s %s: %w", kindOf(obj), obj.GetName(), err)
		}
		n := 0
		if labels != nil {
			n += int(labels.scrubLabelValues(u, kindOf(obj), obj.GetName()))
		}
		n += sw.Object(u)
		if n == 0 {
			out = append(out, obj)
			continue
		}
		swept, ok := obj.DeepCopyObject().(client.Object)
		if !ok {
			return nil, fmt.Errorf("%T is not a client.Object", obj)
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u, swept); err != nil {
			return nil, fmt.Errorf("sweeping %s %s: %w", kindOf(obj), obj.GetName(), err)
		}
		swept.GetObjectKind().SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
		counts[kindOf(obj)+"/"+obj.GetName()] += int32(n)
		out = append(out, swept)
	}
	return out, nil
}

// maxReplacedIn bounds status.config.replacedIn (the API's limit).
const maxReplacedIn = 50

// replacedCounts lists the objects with replaced values, most first.
func replacedCounts(counts map[string]int32) (int32, []v1alpha1.ReplacedCount) {
	var total int32
	var out []v1alpha1.ReplacedCount
	for obj, n := range counts {
		if n > 0 {
			total += n
			out = append(out, v1alpha1.ReplacedCount{Object: obj, Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Object < out[j].Object
	})
	if len(out) > maxReplacedIn {
		out = out[:maxReplacedIn]
	}
	return total, out
}
