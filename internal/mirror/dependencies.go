package mirror

import (
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// dependencyStandIn builds a dependency's stand-in (see engineStandIn): a Service named after the
// entry, and one more for each prod Service it replaces under another name.
func (b *Builder) dependencyStandIn(d *v1alpha1.DependencySpec, v DependencyVersion, password string) []client.Object {
	var aliases []string
	for _, alias := range replacedServices(d) {
		if alias != d.Name {
			aliases = append(aliases, alias)
		}
	}
	return b.engineStandIn(engineStandIn{name: d.Name, component: "dependency-stand-in", engine: v.Engine,
		version: v.Version, image: v.Image, database: v.Database, password: password, storage: d.Storage, aliases: aliases})
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
	// Name names the Job and the Secret it reads its URLs from (keys SOURCE_URL, TARGET_URL)
	// and, when versionFrom.caSecretRef is set, prod's CA bundle (key ProbeCABundleKey).
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
	labels := ComponentLabels(in.Env, ComponentDeps)
	labels[LabelDependency] = in.Dependency.Name
	return probeJob(metav1.ObjectMeta{Name: in.Name, Namespace: in.OperatorNamespace, Labels: labels},
		deps.Args(in.Dependency.Engine, in.Definitions), in.Image, in.PullSecrets)
}

// LabelDatabase names the spec.data entry a Job works for.
const LabelDatabase = "envmirror.io/database"

// DatabaseProbeJobInput is what the probe of a database's prod needs.
type DatabaseProbeJobInput struct {
	Env               *v1alpha1.MirrorEnvironment
	OperatorNamespace string
	// Name names the Job (DatabaseProbeJobName) and the Secret it reads prod's DSN from (key
	// SOURCE_URL: the schema.fromDatabase Secret's DSN, copied; optional CA_BUNDLE).
	Name        string
	Database    *v1alpha1.DatabaseSpec
	Image       string
	PullSecrets []corev1.LocalObjectReference
}

// DatabaseProbeJob runs `manager probe --engine=postgres` (mysql, mariadb) against prod's
// database (the schema.fromDatabase DSN): it reads prod's version (and PostgreSQL's extensions),
// read-only, so that the stand-in runs prod's version on an image that has prod's extensions
// (StandIns.Database). It is labelled as a probe (component dependencies) like the
// dependencies' probes, so the operator reads, retries and cleans it up with them, plus
// LabelDatabase.
func DatabaseProbeJob(in DatabaseProbeJobInput) *batchv1.Job {
	labels := ComponentLabels(in.Env, ComponentDeps)
	labels[LabelDatabase] = in.Database.Name
	return probeJob(metav1.ObjectMeta{Name: in.Name, Namespace: in.OperatorNamespace, Labels: labels},
		deps.Args(ProbeEngine(in.Database), false), in.Image, in.PullSecrets)
}

// ProbeCABundleKey is the key of a probe's Secret that holds the CA bundle of
// versionFrom.caSecretRef, copied by the operator; the probe trusts it besides the public CAs.
const ProbeCABundleKey = "CA_BUNDLE"

// probeJob is the Job of a probe named by meta, reading its URLs (and CA bundle, when there is
// one) from the Secret of the same name.
func probeJob(meta metav1.ObjectMeta, args []string, image string, pullSecrets []corev1.LocalObjectReference) *batchv1.Job {
	fromSecret := func(key string, optional bool) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: meta.Name}, Key: key, Optional: ptr.To(optional)}}
	}
	return oneShotJob{
		meta:        meta,
		deadline:    900,
		uid:         seedUID,
		pullSecrets: pullSecrets,
		container: corev1.Container{
			Name: "probe", Image: image, Command: []string{"/manager"}, Args: args,
			Env: []corev1.EnvVar{
				{Name: deps.EnvSourceURL, ValueFrom: fromSecret("SOURCE_URL", false)},
				{Name: deps.EnvTargetURL, ValueFrom: fromSecret("TARGET_URL", true)},
				{Name: deps.EnvCABundle, ValueFrom: fromSecret(ProbeCABundleKey, true)},
			},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
		},
	}.build()
}
