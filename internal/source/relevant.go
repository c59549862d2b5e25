package source

import (
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Relevant reports whether a change of a prod object can change its copy: for workloads a
// spec, label or annotation change (not their constant status churn); for pods a change of the
// image digests they run or of their labels; for everything else any change. old is nil for a
// creation or deletion, which always matters.
func Relevant(old, obj client.Object) bool {
	if old == nil {
		return true
	}
	switch n := obj.(type) {
	case *corev1.Pod:
		o, ok := old.(*corev1.Pod)
		return !ok || !reflect.DeepEqual(ImageIDs(o), ImageIDs(n)) || !reflect.DeepEqual(o.Labels, n.Labels)
	case *appsv1.Deployment, *appsv1.StatefulSet, *appsv1.DaemonSet, *batchv1.CronJob:
		return old.GetGeneration() != obj.GetGeneration() ||
			!reflect.DeepEqual(old.GetLabels(), obj.GetLabels()) ||
			!reflect.DeepEqual(old.GetAnnotations(), obj.GetAnnotations())
	}
	return old.GetResourceVersion() != obj.GetResourceVersion()
}

// ImageIDs lists a pod's containers with the image digests they run.
func ImageIDs(p *corev1.Pod) []string {
	var ids []string
	for _, s := range p.Status.InitContainerStatuses {
		ids = append(ids, s.Name+"="+s.ImageID)
	}
	for _, s := range p.Status.ContainerStatuses {
		ids = append(ids, s.Name+"="+s.ImageID)
	}
	return ids
}
