package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// WorkloadsSpec selects and scales the copied workloads.
type WorkloadsSpec struct {
	// Replicas is the replica count of every copied Deployment and StatefulSet (never more than
	// prod runs).
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	Replicas *int32 `json:"replicas,omitempty"`

	// Resources scales container requests and limits down from prod's.
	// +optional
	Resources *ResourceScaling `json:"resources,omitempty"`

	// Include, when set, copies only the workloads with these names.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	// +kubebuilder:validation:items:MaxLength=253
	Include []string `json:"include,omitempty"`

	// Exclude names workloads that are not copied.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	// +kubebuilder:validation:items:MaxLength=253
	Exclude []string `json:"exclude,omitempty"`

	// RunCronJobs lets copied CronJobs run on their schedule. Default: they are copied suspended.
	// +optional
	RunCronJobs bool `json:"runCronJobs,omitempty"`

	// StorageSize caps the size of every copied PersistentVolumeClaim and volumeClaimTemplate
	// (never above prod's), e.g. "1Gi".
	// +optional
	StorageSize *Quantity `json:"storageSize,omitempty"`
}

// ResourceScaling scales container resources; the result is never above prod's values.
type ResourceScaling struct {
	// ScalePercent multiplies prod's requests and limits, e.g. 25 for a quarter.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	ScalePercent *int32 `json:"scalePercent,omitempty"`

	// Max caps each resource for requests and limits: cpu, memory and ephemeral-storage, e.g.
	// {cpu: 500m, memory: 512Mi}.
	// +optional
	// +kubebuilder:validation:MaxProperties=3
	// +kubebuilder:validation:XValidation:rule="self.all(k, k in ['cpu', 'memory', 'ephemeral-storage'])",message="max caps only cpu, memory and ephemeral-storage"
	Max map[corev1.ResourceName]Quantity `json:"max,omitempty"`
}

// Override replaces a copied container's image and, optionally, sets env vars.
//
// +kubebuilder:validation:XValidation:rule="has(self.image) || has(self.env)",message="an override sets image, env, or both"
type Override struct {
	// Workload is the name of the prod workload (Deployment, StatefulSet, DaemonSet or CronJob).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Workload string `json:"workload"`

	// Container names the container; default: the workload's first container.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Container string `json:"container,omitempty"`

	// Image replaces the container's image, as a reference such as
	// "registry.example/checkout:sha-1f2e3d" or "…@sha256:…". It is used as given (never
	// re-pinned).
	// +optional
	Image ImageReference `json:"image,omitempty"`

	// Env sets (or replaces, by name) environment variables of the container.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Env []EnvVar `json:"env,omitempty"`
}

// EnvVar is a container's environment variable, as in a pod (name, and value or valueFrom),
// with a name the API server accepts in a container: refused here, at admission, rather than
// when the copy is written.
type EnvVar struct {
	// Name is printable ASCII other than "=".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:Pattern=`^[ -<>-~]+$`
	Name string `json:"name"`
	// Value is the variable's value.
	// +optional
	Value string `json:"value,omitempty"`
	// ValueFrom takes the value from a Secret, ConfigMap or field of the copy's pod.
	// +optional
	ValueFrom *corev1.EnvVarSource `json:"valueFrom,omitempty"`
}

// Core is the variable as a container carries it.
func (e EnvVar) Core() corev1.EnvVar {
	return corev1.EnvVar{Name: e.Name, Value: e.Value, ValueFrom: e.ValueFrom.DeepCopy()}
}

// ImageReference is a container image reference: [registry[:port]/]repository[:tag][@digest],
// by the grammar of the distribution project's reference package. A reference with spaces, shell
// characters or an empty tag is refused at admission rather than failing in the kubelet.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=1024
// +kubebuilder:validation:Pattern=`^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$`
type ImageReference string

// VersionPolicy says how copied images relate to prod's.
// +kubebuilder:validation:Enum=PinDigest;RequireDigest;KeepTag
type VersionPolicy string

const (
	// VersionPinDigest pins each image to the digest prod's pods run, where known, and reports
	// the images it could not pin.
	VersionPinDigest VersionPolicy = "PinDigest"
	// VersionRequireDigest refuses to provision while any image cannot be pinned.
	VersionRequireDigest VersionPolicy = "RequireDigest"
	// VersionKeepTag copies image references as prod's specs write them.
	VersionKeepTag VersionPolicy = "KeepTag"
)

// VersionsSpec controls image pinning.
type VersionsSpec struct {
	// Policy: PinDigest (default), RequireDigest or KeepTag.
	// +optional
	// +kubebuilder:default=PinDigest
	Policy VersionPolicy `json:"policy,omitempty"`
}

// FollowPolicy says whether a provisioned copy follows prod.
// +kubebuilder:validation:Enum=Always;Never
type FollowPolicy string

const (
	// FollowAlways applies prod's changes to the copy as they happen.
	FollowAlways FollowPolicy = "Always"
	// FollowNever freezes the copy as provisioned and only reports what prod changed.
	FollowNever FollowPolicy = "Never"
)

// KindAction says what happens to prod's objects of a kind.
// +kubebuilder:validation:Enum=Copy;Convert;Skip
type KindAction string

const (
	// KindCopy copies the objects as they are (rewritten for the copy's namespace, scrubbed).
	KindCopy KindAction = "Copy"
	// KindConvert uses the operator's built-in conversion for the kind (an Argo Rollout becomes
	// a Deployment, an ExternalSecret a generated Secret, a Certificate one for the copy's hosts).
	KindConvert KindAction = "Convert"
	// KindSkip leaves the kind out of the copy, and out of status.parity.notCopied.
	KindSkip KindAction = "Skip"
)

// KindRule sets what happens to prod's objects of one kind.
type KindRule struct {
	// Group is the API group, e.g. "argoproj.io" ("" for the core group).
	// +required
	// +kubebuilder:validation:MaxLength=253
	Group string `json:"group"`
	// Kind, e.g. "Rollout".
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Kind string `json:"kind"`
	// Action: Copy, Convert (only for kinds with a built-in conversion) or Skip.
	// +required
	Action KindAction `json:"action"`
}
