package controllers

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

// What the copy costs next to prod: the CPU and memory each side's pods request (what a
// scheduler reserves, and what clusters are sized and billed by), summed over replicas. A
// pod's request is Kubernetes' own arithmetic (component-helpers' PodRequests: the larger of
// the containers' sum and each init container, sidecars included). Requests a LimitRange would
// add at admission are not known here, and prod's managed services that stand-ins replace are
// not in prod's figure: the stand-ins are shown on their own.

// totals adds up pods' requests.
type totals struct {
	cpu, memory resource.Quantity
	pods        int32
}

func (t *totals) add(spec *corev1.PodSpec, replicas int32) {
	if replicas <= 0 {
		return
	}
	req := resourcehelper.PodRequests(&corev1.Pod{Spec: *spec}, resourcehelper.PodResourcesOptions{})
	for name, sum := range map[corev1.ResourceName]*resource.Quantity{corev1.ResourceCPU: &t.cpu, corev1.ResourceMemory: &t.memory} {
		if q, ok := req[name]; ok {
			q.Mul(int64(replicas))
			sum.Add(q)
		}
	}
	t.pods += replicas
}

func (t *totals) status() v1alpha1.ResourceTotals {
	return v1alpha1.ResourceTotals{CPU: t.cpu.String(), Memory: t.memory.String(), Pods: t.pods}
}

// resourceTotals compares what prod's copied workloads request with what the copy's
// workloads and stand-ins request while awake.
func resourceTotals(prod *source.Snapshot, d *desired) *v1alpha1.ResourcesStatus {
	var p, c, standIns totals
	copied := map[string]bool{}
	for _, sv := range d.infra.Services {
		kind := sv.Kind
		if sv.SourceKind != "" {
			kind = sv.SourceKind
		}
		copied[kind+"/"+sv.Name] = true
	}
	if prod != nil {
		for i := range prod.Deployments {
			if w := &prod.Deployments[i]; copied["Deployment/"+w.Name] {
				p.add(&w.Spec.Template.Spec, ptr.Deref(w.Spec.Replicas, 1))
			}
		}
		for i := range prod.StatefulSets {
			if w := &prod.StatefulSets[i]; copied["StatefulSet/"+w.Name] {
				p.add(&w.Spec.Template.Spec, ptr.Deref(w.Spec.Replicas, 1))
			}
		}
		for i := range prod.DaemonSets {
			if w := &prod.DaemonSets[i]; copied["DaemonSet/"+w.Name] {
				p.add(&w.Spec.Template.Spec, w.Status.DesiredNumberScheduled)
			}
		}
	}
	addAll(&c, d.workloads)
	addAll(&standIns, d.data.objects)
	return &v1alpha1.ResourcesStatus{Prod: p.status(), Copy: c.status(), StandIns: standIns.status()}
}

// addAll adds the Deployments and StatefulSets among objs (CronJobs run now and then, and are
// left out on both sides).
func addAll(t *totals, objs []client.Object) {
	for _, o := range objs {
		switch w := o.(type) {
		case *appsv1.Deployment:
			t.add(&w.Spec.Template.Spec, ptr.Deref(w.Spec.Replicas, 1))
		case *appsv1.StatefulSet:
			t.add(&w.Spec.Template.Spec, ptr.Deref(w.Spec.Replicas, 1))
		}
	}
}
