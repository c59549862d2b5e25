package mirror

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// scalable are the resources a copy may have less of. Extended resources (GPUs, hugepages)
// stay as prod has them: they are whole units, and requests must equal limits.
var scalable = map[corev1.ResourceName]bool{
	corev1.ResourceCPU:              true,
	corev1.ResourceMemory:           true,
	corev1.ResourceEphemeralStorage: true,
}

// ScaleResources scales prod's requests and limits down. The result is never above prod's: a
// cap only lowers, and scalePercent is at most 100.
func ScaleResources(in corev1.ResourceRequirements, s *v1alpha1.ResourceScaling) corev1.ResourceRequirements {
	if s == nil {
		return *in.DeepCopy()
	}
	out := *in.DeepCopy()
	out.Requests = scaleList(in.Requests, s)
	out.Limits = scaleList(in.Limits, s)
	return out
}

func scaleList(in corev1.ResourceList, s *v1alpha1.ResourceScaling) corev1.ResourceList {
	if in == nil {
		return nil
	}
	out := corev1.ResourceList{}
	for name, q := range in {
		if !scalable[name] {
			out[name] = q.DeepCopy()
			continue
		}
		v := q.DeepCopy()
		if s.ScalePercent != nil {
			v = percentOf(name, q, int64(*s.ScalePercent))
		}
		if max, ok := parsedQuantity(s.Max[name]); ok && max.Cmp(v) < 0 {
			v = max
		}
		out[name] = v
	}
	return out
}

// percentOf computes q*pct/100, in millicores for CPU (so 100m*25% = 25m) and whole units
// (bytes) otherwise, never below the smallest positive unit.
func percentOf(name corev1.ResourceName, q resource.Quantity, pct int64) resource.Quantity {
	if q.Sign() <= 0 || pct >= 100 {
		return q.DeepCopy()
	}
	if name == corev1.ResourceCPU {
		m := max(q.MilliValue()*pct/100, 1)
		return *resource.NewMilliQuantity(m, resource.DecimalSI)
	}
	v := max(q.Value()*pct/100, 1)
	return *resource.NewQuantity(v, q.Format)
}

// parsedQuantity parses a quantity of the spec. A value that does not parse is ignored here:
// the controller validates the spec before building and stalls on it, so the builders never
// see one in practice; ignoring it keeps them total functions.
func parsedQuantity(q v1alpha1.Quantity) (resource.Quantity, bool) {
	if q == "" {
		return resource.Quantity{}, false
	}
	v, err := q.Parse()
	return v, err == nil
}
