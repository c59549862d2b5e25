package mirror

import (
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
)

// DependencyVersion is what a spec.dependencies entry runs once prod's version is known (pinned
// by the spec, or read by the probe).
type DependencyVersion struct {
	deps.Resolved
	// Database is the database a MySQL stand-in creates: prod's, when the probe read its name.
	Database string
}

// LabelDependency names the spec.dependencies entry a probe Job works for.
const LabelDependency = "envmirror.io/dependency"

// DependencyReplaces is what a dependency takes the place of: spec.dependencies[].replaces, or
// by default the prod Service named like the entry.
func DependencyReplaces(d *v1alpha1.DependencySpec) []string {
	if len(d.Replaces) == 0 {
		return []string{d.Name}
	}
	return d.Replaces
}

// replacedServices are the Service names among a dependency's replaces (a Service name has no
// dot; a host has).
func replacedServices(d *v1alpha1.DependencySpec) []string {
	var out []string
	for _, r := range DependencyReplaces(d) {
		if !strings.Contains(r, ".") {
			out = append(out, r)
		}
	}
	return out
}

// DependencyHosts are the hosts a dependency stands in for: those in its replaces, and those
// that prod's Services it replaces point to (an ExternalName to the managed endpoint).
func DependencyHosts(d *v1alpha1.DependencySpec, prodServices []corev1.Service) []string {
	var out []string
	for _, r := range d.Replaces {
		if strings.Contains(r, ".") {
			out = append(out, strings.ToLower(strings.TrimSuffix(r, ".")))
		}
	}
	services := replacedServices(d)
	for i := range prodServices {
		svc := &prodServices[i]
		if svc.Spec.Type == corev1.ServiceTypeExternalName && slices.Contains(services, svc.Name) {
			h := strings.ToLower(strings.TrimSuffix(svc.Spec.ExternalName, "."))
			if strings.Contains(h, ".") && !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// DependencyNames are the names that lead to a dependency in prod: the Services it replaces,
// short and qualified with prod's namespace, and the hosts it stands in for.
func DependencyNames(d *v1alpha1.DependencySpec, prodNamespace string, prodServices []corev1.Service) []string {
	var out []string
	for _, svc := range replacedServices(d) {
		out = append(out, svc, svc+"."+prodNamespace, svc+"."+prodNamespace+".svc", svc+"."+prodNamespace+".svc.cluster.local")
	}
	return append(out, DependencyHosts(d, prodServices)...)
}

// dependencyStandIn builds a dependency's stand-in: its credentials Secret, a Service named after
// the entry, one more Service for each prod Service it replaces under another name, and a
// StatefulSet running the engine's image (with a volume when the engine keeps data).
func (b *Builder) dependencyStandIn(d *v1alpha1.DependencySpec, v DependencyVersion, password string) []client.Object {
	e := v.Engine
	selector := map[string]string{"app.kubernetes.io/name": d.Name, "app.kubernetes.io/component": "dependency-stand-in"}
	meta := func(name string) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Name: name, Namespace: b.opts.TargetNamespace, Labels: map[string]string{"envmirror.io/engine": string(e.Name)}}
		for k, val := range selector {
			m.Labels[k] = val
		}
		return m
	}
	secret := &corev1.Secret{
		TypeMeta: metaType("v1", "Secret"), ObjectMeta: meta(StandInSecretName(d.Name)), Type: corev1.SecretTypeOpaque,
		Data: e.Credentials(d.Name, v.Version, password, v.Database),
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
	out := []client.Object{secret, service(d.Name)}
	for _, alias := range replacedServices(d) {
		if alias != d.Name {
			out = append(out, service(alias))
		}
	}
	container := corev1.Container{
		Name: string(e.Name), Image: v.Image, Args: e.Args(v.Version), Ports: containerPorts,
		SecurityContext: restrictedContainer(),
		// A TCP check works for any image, the spec's own included.
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(e.Port.Name)}},
			PeriodSeconds: 5, TimeoutSeconds: 3,
		},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse(e.CPU), corev1.ResourceMemory: resource.MustParse(e.Memory)}},
	}
	for _, env := range e.Env(v.Database) {
		ev := corev1.EnvVar{Name: env.Name, Value: env.Value}
		if env.Key != "" {
			ev = corev1.EnvVar{Name: env.Name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: secret.Name}, Key: env.Key}}}
		}
		container.Env = append(container.Env, ev)
	}
	sts := &appsv1.StatefulSet{
		TypeMeta: metaType("apps/v1", "StatefulSet"), ObjectMeta: meta(d.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](1), ServiceName: d.Name,
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
	if e.DataPath != "" {
		sts.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: e.DataPath}}
		sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{dataClaim(d.Storage)}
	}
	return append(out, sts)
}

// dataClaim is a stand-in's volume: spec storage, or 1Gi.
func dataClaim(size *v1alpha1.Quantity) corev1.PersistentVolumeClaim {
	storage := resource.MustParse("1Gi")
	if size != nil {
		if q, ok := parsedQuantity(*size); ok {
			storage = q
		}
	}
	return corev1.PersistentVolumeClaim{
		TypeMeta:   metaType("v1", "PersistentVolumeClaim"),
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: storage}},
		},
	}
}

// ProbeJobName names a probe Job: per environment, dependency, what it does (version or
// definitions) and a hash of its inputs, so a changed input runs a new probe.
func ProbeJobName(env *v1alpha1.MirrorEnvironment, dependency, what, hash string) string {
	return Shorten(env.Namespace+"-"+env.Name+"-"+dependency+"-"+what+"-"+hash, 63)
}

// ProbeJobInput is what a probe Job needs.
type ProbeJobInput struct {
	Env               *v1alpha1.MirrorEnvironment
	OperatorNamespace string
	// Name names the Job and the Secret it reads its URLs from (keys SOURCE_URL, TARGET_URL).
	Name       string
	Dependency *v1alpha1.DependencySpec
	// Definitions: copy prod's definitions into the stand-in, not only read the version.
	Definitions bool
	Image       string
	PullSecrets []corev1.LocalObjectReference
}

// ProbeJob runs `manager probe` in the operator's namespace, like the schema Job: prod's URL
// comes from a Secret there and never enters the copy's namespace. The summary comes back in
// the container's termination message.
func ProbeJob(in ProbeJobInput) *batchv1.Job {
	fromSecret := func(key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: in.Name}, Key: key, Optional: ptr.To(key == "TARGET_URL")}}
	}
	labels := ComponentLabels(in.Env, ComponentDeps)
	labels[LabelDependency] = in.Dependency.Name
	return oneShotJob{
		meta:        metav1.ObjectMeta{Name: in.Name, Namespace: in.OperatorNamespace, Labels: labels},
		deadline:    900,
		uid:         seedUID,
		pullSecrets: in.PullSecrets,
		container: corev1.Container{
			Name: "probe", Image: in.Image, Command: []string{"/manager"},
			Args: deps.Args(in.Dependency.Engine, in.Definitions),
			Env: []corev1.EnvVar{
				{Name: deps.EnvSourceURL, ValueFrom: fromSecret("SOURCE_URL")},
				{Name: deps.EnvTargetURL, ValueFrom: fromSecret("TARGET_URL")},
			},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
		},
	}.build()
}
