package mirror

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// oneShotJob is the shape every Job the operator runs shares (seeding, schema copy, dependency
// probes): two retries, a deadline, no service account token, Pod Security "restricted" as
// uid, a read-only root filesystem with an emptyDir at /tmp (the schema Job keeps prod's dump
// there; the manager writes nothing but its termination message), one container whose outcome
// is read from its termination message.
type oneShotJob struct {
	meta        metav1.ObjectMeta
	deadline    int64 // seconds
	uid         int64
	pullSecrets []corev1.LocalObjectReference
	container   corev1.Container
	volumes     []corev1.Volume
}

func emptyDir(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
}

func (j oneShotJob) build() *batchv1.Job {
	c := j.container
	c.SecurityContext = restrictedContainer()
	c.SecurityContext.ReadOnlyRootFilesystem = ptr.To(true)
	c.VolumeMounts = append(append([]corev1.VolumeMount(nil), c.VolumeMounts...), corev1.VolumeMount{Name: "tmp", MountPath: "/tmp"})
	volumes := append(append([]corev1.Volume(nil), j.volumes...), emptyDir("tmp"))
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = corev1.TerminationMessageReadFile
	}
	return &batchv1.Job{
		TypeMeta:   metaType("batch/v1", "Job"),
		ObjectMeta: j.meta,
		Spec: batchv1.JobSpec{
			BackoffLimit:          ptr.To[int32](2),
			ActiveDeadlineSeconds: ptr.To(j.deadline),
			Template: corev1.PodTemplateSpec{
				// The pod carries the Job's labels: the operator's cache holds only what it
				// labels, and it reads the pod's termination message.
				ObjectMeta: metav1.ObjectMeta{Labels: j.meta.Labels},
				Spec: corev1.PodSpec{
					RestartPolicy:                corev1.RestartPolicyNever,
					AutomountServiceAccountToken: ptr.To(false),
					ImagePullSecrets:             j.pullSecrets,
					SecurityContext:              restrictedPod(j.uid),
					Containers:                   []corev1.Container{c},
					Volumes:                      volumes,
				},
			},
		},
	}
}
