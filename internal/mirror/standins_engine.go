package mirror

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
)

// engineStandIn is a stand-in that runs one of internal/deps' engines: a spec.dependencies
// entry, or a MySQL or MariaDB database of spec.data. Both are built the same way, from the
// engine's table entry, so they run the same image with the same setup.
type engineStandIn struct {
	// name names the StatefulSet, its Service and its credentials Secret ("<name>-credentials").
	name string
	// component is the app.kubernetes.io/component label of its objects and pods.
	component string
	engine    *deps.Engine
	// version is what the image runs; image the image; database the MySQL database it creates.
	version, image, database string
	password                 string
	storage                  *v1alpha1.Quantity
	// aliases are more Service names that lead to it (a dependency's replaces).
	aliases []string
}

// engineStandIn builds a stand-in: its credentials Secret, a Service named after it (and one
// per alias), and a StatefulSet running the engine's image (with a volume when the engine keeps
// data), in this order.
func (b *Builder) engineStandIn(in engineStandIn) []client.Object {
	e := in.engine
	selector := map[string]string{"app.kubernetes.io/name": in.name, "app.kubernetes.io/component": in.component}
	meta := func(name string) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Name: name, Namespace: b.opts.TargetNamespace, Labels: map[string]string{"envmirror.io/engine": string(e.Name)}}
		for k, val := range selector {
			m.Labels[k] = val
		}
		return m
	}
	secret := &corev1.Secret{
		TypeMeta: metaType("v1", "Secret"), ObjectMeta: meta(StandInSecretName(in.name)), Type: corev1.SecretTypeOpaque,
		Data: e.Credentials(in.name, in.version, in.password, in.database),
	}
	var ports []corev1.ServicePort
	var containerPorts []corev1.ContainerPort
	for _, p := range e.Ports() {
		ports = append(ports, corev1.ServicePort{Name: p.Name, Port: p.Port, TargetPort: intstr.FromString(p.Name)})
		containerPorts = append(containerPorts, corev1.ContainerPort{Name: p.Name, ContainerPort: p.Port})
	}
	service := func(name string) *corev1.Service {
		return &corev1.Service{TypeMeta: metaType("v1", "Service"), ObjectMeta: meta(name),
			Spec: corev1.ServiceSpec{Selector: selector, Ports: ports}}
	}
	out := []client.Object{secret, service(in.name)}
	for _, alias := range in.aliases {
		out = append(out, service(alias))
	}
	container := corev1.Container{
		Name: string(e.Name), Image: in.image, Args: e.Args(in.version), Ports: containerPorts,
		SecurityContext: restrictedContainer(),
		// A TCP check works for any image, the spec's own included.
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(e.Port.Name)}},
			PeriodSeconds: 5, TimeoutSeconds: 3,
		},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(e.CPU), corev1.ResourceMemory: resource.MustParse(e.Memory)}},
	}
	for _, env := range e.Env(in.database) {
		ev := corev1.EnvVar{Name: env.Name, Value: env.Value}
		if env.Key != "" {
			ev = corev1.EnvVar{Name: env.Name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: secret.Name}, Key: env.Key}}}
		}
		container.Env = append(container.Env, ev)
	}
	sts := &appsv1.StatefulSet{
		TypeMeta: metaType("apps/v1", "StatefulSet"), ObjectMeta: meta(in.name),
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](1), ServiceName: in.name,
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels(meta("").Labels)},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext:              restrictedPodAs(e.UID, e.GID),
					Containers:                   []corev1.Container{container},
				},
			},
		},
	}
	pod := &sts.Spec.Template.Spec
	if e.DataPath != "" {
		pod.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: e.DataPath}}
		sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{dataClaim(in.storage)}
	}
	for i, dir := range e.ScratchDirs {
		name := fmt.Sprintf("scratch-%d", i)
		pod.Containers[0].VolumeMounts = append(pod.Containers[0].VolumeMounts, corev1.VolumeMount{Name: name, MountPath: dir})
		pod.Volumes = append(pod.Volumes, emptyDir(name))
	}
	return append(out, sts)
}
