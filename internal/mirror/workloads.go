package mirror

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// replicas is the copy's replica count: spec.workloads.replicas, never more than prod runs.
func (b *Builder) replicas(prod *int32) *int32 {
	want := ptr.Deref(b.opts.Env.Spec.Workloads.Replicas, 1)
	return ptr.To(min(want, ptr.Deref(prod, 1)))
}

func serviceStatus(name, kind string, images []v1alpha1.ContainerImageStatus) v1alpha1.ServiceStatus {
	pinned := true
	for _, i := range images {
		pinned = pinned && (i.Pinned || i.Overridden)
	}
	return v1alpha1.ServiceStatus{Name: name, Kind: kind, Pinned: pinned, Containers: images}
}

// Deployment copies a Deployment, scaled down.
func (b *Builder) Deployment(in *appsv1.Deployment) (*appsv1.Deployment, v1alpha1.ServiceStatus) {
	tpl, images := b.podTemplate("Deployment", in.Name, &in.Spec.Template)
	out := &appsv1.Deployment{
		TypeMeta:   metaType("apps/v1", "Deployment"),
		ObjectMeta: b.meta("Deployment", in.ObjectMeta),
		Spec:       *in.Spec.DeepCopy(),
	}
	out.Spec.Replicas = b.replicas(in.Spec.Replicas)
	out.Spec.Template = tpl
	return out, serviceStatus(in.Name, "Deployment", images)
}

// StatefulSet copies a StatefulSet: scaled down, its volumeClaimTemplates fresh and sized down.
func (b *Builder) StatefulSet(in *appsv1.StatefulSet) (*appsv1.StatefulSet, v1alpha1.ServiceStatus) {
	tpl, images := b.podTemplate("StatefulSet", in.Name, &in.Spec.Template)
	out := &appsv1.StatefulSet{
		TypeMeta:   metaType("apps/v1", "StatefulSet"),
		ObjectMeta: b.meta("StatefulSet", in.ObjectMeta),
		Spec:       *in.Spec.DeepCopy(),
	}
	out.Spec.Replicas = b.replicas(in.Spec.Replicas)
	out.Spec.Template = tpl
	out.Spec.VolumeClaimTemplates = nil
	for i := range in.Spec.VolumeClaimTemplates {
		pvc := b.freshClaim(&in.Spec.VolumeClaimTemplates[i])
		// Templates carry only what the StatefulSet controller copies into each claim.
		pvc.ObjectMeta = b.templateMeta("PersistentVolumeClaim", pvc.Name, in.Spec.VolumeClaimTemplates[i].ObjectMeta)
		pvc.Name = in.Spec.VolumeClaimTemplates[i].Name
		pvc.TypeMeta = metaType("v1", "PersistentVolumeClaim")
		out.Spec.VolumeClaimTemplates = append(out.Spec.VolumeClaimTemplates, *pvc)
	}
	return out, serviceStatus(in.Name, "StatefulSet", images)
}

// DaemonSet copies a DaemonSet as a Deployment with one replica: a development copy does not
// need an agent on every node, and a Deployment keeps it off nodes it would otherwise claim.
func (b *Builder) DaemonSet(in *appsv1.DaemonSet) (*appsv1.Deployment, v1alpha1.ServiceStatus) {
	tpl, images := b.podTemplate("DaemonSet", in.Name, &in.Spec.Template)
	out := &appsv1.Deployment{
		TypeMeta:   metaType("apps/v1", "Deployment"),
		ObjectMeta: b.meta("DaemonSet", in.ObjectMeta),
		Spec: appsv1.DeploymentSpec{
			Replicas:             ptr.To(min(ptr.Deref(b.opts.Env.Spec.Workloads.Replicas, 1), 1)),
			Selector:             in.Spec.Selector.DeepCopy(),
			Template:             tpl,
			MinReadySeconds:      in.Spec.MinReadySeconds,
			RevisionHistoryLimit: in.Spec.RevisionHistoryLimit,
		},
	}
	st := serviceStatus(in.Name, "Deployment", images)
	st.SourceKind = "DaemonSet"
	st.Message = "prod's DaemonSet is copied as a Deployment with one replica"
	return out, st
}

// CronJob copies a CronJob, suspended unless spec.workloads.runCronJobs.
func (b *Builder) CronJob(in *batchv1.CronJob) (*batchv1.CronJob, v1alpha1.ServiceStatus) {
	tpl, images := b.podTemplate("CronJob", in.Name, &in.Spec.JobTemplate.Spec.Template)
	out := &batchv1.CronJob{
		TypeMeta:   metaType("batch/v1", "CronJob"),
		ObjectMeta: b.meta("CronJob", in.ObjectMeta),
		Spec:       *in.Spec.DeepCopy(),
	}
	out.Spec.JobTemplate.ObjectMeta = b.templateMeta("CronJob", in.Name, in.Spec.JobTemplate.ObjectMeta)
	out.Spec.JobTemplate.Spec.Template = tpl
	out.Spec.Suspend = ptr.To(!b.opts.Env.Spec.Workloads.RunCronJobs || ptr.Deref(in.Spec.Suspend, false))
	st := serviceStatus(in.Name, "CronJob", images)
	if *out.Spec.Suspend {
		st.Message = "suspended (set spec.workloads.runCronJobs to run it on its schedule)"
	}
	return out, st
}

// freshClaim copies a claim's request, never its binding: the copy gets a new, empty volume
// and can never be bound to prod's data.
func (b *Builder) freshClaim(in *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim {
	out := &corev1.PersistentVolumeClaim{
		TypeMeta:   metaType("v1", "PersistentVolumeClaim"),
		ObjectMeta: b.meta("PersistentVolumeClaim", in.ObjectMeta),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:               in.Spec.AccessModes,
			Resources:                 *in.Spec.Resources.DeepCopy(),
			StorageClassName:          in.Spec.StorageClassName,
			VolumeMode:                in.Spec.VolumeMode,
			VolumeAttributesClassName: in.Spec.VolumeAttributesClassName,
		},
	}
	if size := b.opts.Env.Spec.Workloads.StorageSize; size != nil {
		if max, ok := parsedQuantity(*size); ok {
			for _, list := range []corev1.ResourceList{out.Spec.Resources.Requests, out.Spec.Resources.Limits} {
				if q, ok := list[corev1.ResourceStorage]; ok && max.Cmp(q) < 0 {
					list[corev1.ResourceStorage] = max.DeepCopy()
				}
			}
		}
	}
	return out
}

// PersistentVolumeClaim copies a standalone claim, fresh and empty.
func (b *Builder) PersistentVolumeClaim(in *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim {
	return b.freshClaim(in)
}
