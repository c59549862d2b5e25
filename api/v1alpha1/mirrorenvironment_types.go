package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// MirrorEnvironment is a development copy of a production namespace: the same services at the
// image digests prod runs, configuration with prod's shape and scrubbed values, and databases
// with prod's schema and synthetic data. The source is only ever read.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=menv;mirrorenv,categories=envmirror
// +kubebuilder:printcolumn:name="Branch",type=string,JSONPath=`.spec.branch`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.servicesReady`,description="Ready copied services / all copied services"
// +kubebuilder:printcolumn:name="Pinned",type=string,JSONPath=`.status.parity.pinnedSummary`,description="Images pinned to prod's digest / all images"
// +kubebuilder:printcolumn:name="Sleep",type=string,JSONPath=`.status.sleep.next`,description="When the environment sleeps or wakes next"
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.status.expiresAt`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.status.targetNamespace`,priority=1
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.source.namespace`,priority=1
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.status.urls[0]`,priority=1
// +kubebuilder:printcolumn:name="Message",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
type MirrorEnvironment struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec MirrorEnvironmentSpec `json:"spec"`
	// +optional
	Status MirrorEnvironmentStatus `json:"status,omitempty"`

	// DecodeError, never stored, says why the stored spec did not fit these types; the spec is
	// then empty. See UnmarshalJSON.
	DecodeError string `json:"-"`
}

// UnmarshalJSON decodes a MirrorEnvironment even when its stored spec does not fit these types
// (an object written through an older or looser CRD, or straight to etcd: replicas as a word,
// say). One such object must not make a whole list undecodable, which would stop the operator's
// cache, and with it every environment. The object then keeps its metadata and status, has an
// empty spec, and DecodeError says what did not fit, for the operator to report on that
// environment alone. Only metadata that does not decode is an error.
func (e *MirrorEnvironment) UnmarshalJSON(data []byte) error {
	type plain MirrorEnvironment // the same fields, without this method
	var p plain
	err := utiljson.Unmarshal(data, &p)
	if err == nil {
		*e = MirrorEnvironment(p)
		return nil
	}
	var parts struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        metav1.ObjectMeta `json:"metadata"`
	}
	if metaErr := utiljson.Unmarshal(data, &parts); metaErr != nil {
		return err
	}
	*e = MirrorEnvironment{TypeMeta: parts.TypeMeta, ObjectMeta: parts.Metadata, DecodeError: err.Error()}
	var status struct {
		Status MirrorEnvironmentStatus `json:"status"`
	}
	if utiljson.Unmarshal(data, &status) == nil {
		e.Status = status.Status
	}
	return nil
}

// MirrorEnvironmentSpec declares which production namespace to mirror and how the copy differs.
//
// +kubebuilder:validation:XValidation:rule="!has(self.targetNamespace) || has(self.source.kubeconfigSecretRef) || self.targetNamespace != self.source.namespace",message="targetNamespace must differ from source.namespace when the source is this cluster: the copy would be written over prod"
// +kubebuilder:validation:XValidation:rule="has(oldSelf.targetNamespace) == has(self.targetNamespace) && (!has(self.targetNamespace) || oldSelf.targetNamespace == self.targetNamespace)",message="targetNamespace is immutable: create a new MirrorEnvironment to put the copy elsewhere"
// +kubebuilder:validation:XValidation:rule="!has(self.data) || !has(self.dependencies) || self.data.all(d, self.dependencies.all(x, x.name != d.name))",message="a name is used by both spec.data and spec.dependencies: each stand-in needs its own name (it names a Service in the copy)"
// +kubebuilder:validation:XValidation:rule="!has(self.data) || self.data.map(d, has(d.rows) && has(d.rows.tables) ? d.rows.tables.map(t, d.rows.tables[t]).sum() : 0).sum() <= 100000000",message="spec.data asks for more than 100000000 rows in all (rows.tables of every database); seed fewer rows"
type MirrorEnvironmentSpec struct {
	// Source is the production reference. It is only ever read. Immutable: a copy of another
	// prod is another environment.
	// +required
	Source SourceSpec `json:"source"`

	// TargetNamespace is the namespace the copy lives in. It is created and labelled as owned by
	// this environment; an existing namespace that is not already this environment's is never
	// adopted. Default: "<source namespace>-<environment name>", shortened with a stable hash
	// suffix to at most 63 characters.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// Branch is the branch this environment serves. It is shown by `kubectl get`, fills
	// `{{ .Branch }}` in spec.network.ingressHost, and derives the default data seed, so
	// re-creating the environment for the same branch yields the same data.
	// +optional
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:Pattern=`^[^\s\x00-\x1f\x7f~^:?*\[\\]+$`
	Branch string `json:"branch,omitempty"`

	// TTL is how long the environment lives, counted from its creation. When it passes, the
	// environment deletes itself and everything it created. Go duration syntax, e.g. "48h";
	// at most 8760h (the operator may enforce a lower maximum, --max-ttl). Unset: the
	// environment lives until deleted (or until spec.expiresAt).
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) > duration('0s')",message="ttl must be positive; delete the environment to remove it now"
	// +kubebuilder:validation:XValidation:rule="duration(self) <= duration('8760h')",message="ttl may be at most 8760h (one year)"
	TTL *Duration `json:"ttl,omitempty"`

	// ExpiresAt, when set, is when the environment deletes itself, overriding the ttl: `kubectl
	// mirror extend` sets it to move the expiry from now. The operator refuses a time further
	// ahead than its maximum lifetime (--max-ttl) from the moment it reads it, keeping the
	// previous expiry and saying so in the Ready condition's message. A time in the past expires
	// the environment.
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`

	// Workloads controls which of prod's workloads are copied and how they are scaled down.
	// +optional
	// +kubebuilder:default={}
	Workloads WorkloadsSpec `json:"workloads,omitempty"`

	// Overrides are what this branch changes: another image (and env) for a named workload.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:XValidation:rule="self.all(o, self.exists_one(p, p.workload == o.workload && has(p.container) == has(o.container) && (!has(p.container) || p.container == o.container)))",message="each workload/container may be overridden only once"
	Overrides []Override `json:"overrides,omitempty"`

	// Versions controls how the copy's images relate to the ones prod runs.
	// +optional
	// +kubebuilder:default={}
	Versions VersionsSpec `json:"versions,omitempty"`

	// FollowProd says whether the copy follows prod after it is provisioned. Always (default):
	// a change in prod (a rollout, a new ConfigMap key) is applied to the copy, and hand edits of
	// the copy are reverted. Never: the copy is frozen as provisioned (objects missing from it
	// are still created); what prod changed since is listed in status.parity and the Drifted
	// condition, and nothing is written to follow it.
	// +optional
	// +kubebuilder:default=Always
	FollowProd FollowPolicy `json:"followProd,omitempty"`

	// Kinds sets what happens to prod's objects of other kinds than the built-in ones
	// (custom resources such as Argo Rollouts, ExternalSecrets, cert-manager Certificates).
	// Kinds without a rule that the operator has a built-in conversion for are converted; any
	// other kind found in prod is listed in status.parity.notCopied.
	// +optional
	// +listType=map
	// +listMapKey=group
	// +listMapKey=kind
	// +kubebuilder:validation:MaxItems=50
	Kinds []KindRule `json:"kinds,omitempty"`

	// Config controls how prod's ConfigMaps and Secrets are copied.
	// +optional
	// +kubebuilder:default={}
	Config ConfigSpec `json:"config,omitempty"`

	// Network controls the copy's isolation from prod and its ingress hostnames.
	// +optional
	// +kubebuilder:default={}
	Network NetworkSpec `json:"network,omitempty"`

	// Access grants people and service accounts rights in the copy's namespace.
	// +optional
	Access *AccessSpec `json:"access,omitempty"`

	// Data lists the copy's databases (PostgreSQL, MySQL, MariaDB): each gets prod's schema and synthetic data.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=20
	Data []DatabaseSpec `json:"data,omitempty"`

	// Dependencies lists the other backing services prod uses (caches, queues, search, MySQL):
	// each gets a stand-in in the copy at prod's exact version, which takes the place of the prod
	// Service or host it replaces.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=20
	Dependencies []DependencySpec `json:"dependencies,omitempty"`

	// Sleep says when the copy sleeps (scaled to zero, its data kept) and wakes: by hand, on a
	// schedule, or when idle. See sleep_types.go.
	// +optional
	Sleep *SleepSpec `json:"sleep,omitempty"`
}

// SourceSpec points at the production namespace.
//
// +kubebuilder:validation:XValidation:rule="has(self.kubeconfigSecretRef) || !self.namespace.startsWith('kube-')",message="system namespaces (kube-*) of this cluster cannot be mirrored"
type SourceSpec struct {
	// Namespace is prod's namespace. In this cluster it must grant the environment's namespace
	// the right to mirror it with a MirrorSource (unless the operator runs with
	// --source-grants=optional).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="source.namespace is immutable: a copy of another prod namespace is another environment (create a new MirrorEnvironment)"
	Namespace string `json:"namespace"`

	// Selector limits the copy to prod's objects with these labels. Unset: everything in the
	// namespace.
	// +optional
	// +kubebuilder:validation:XValidation:rule="(!has(self.matchLabels) || size(self.matchLabels) <= 64) && (!has(self.matchExpressions) || size(self.matchExpressions) <= 64)",message="a selector has at most 64 labels and 64 expressions"
	Selector *metav1.LabelSelector `json:"selector,omitempty"`

	// KubeconfigSecretRef names a Secret in this MirrorEnvironment's namespace holding a
	// kubeconfig for the cluster prod runs in. Unset: prod is in this cluster. The kubeconfig only
	// needs read access; it is never copied into the target namespace. It must use https with a
	// CA (certificate-authority-data), and no exec or auth-provider plugin or file reference.
	// +optional
	KubeconfigSecretRef *SecretKeyRef `json:"kubeconfigSecretRef,omitempty"`
}

// SecretKeyRef selects a key of a Secret in the MirrorEnvironment's own namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Key in the Secret's data.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`
}

// LocalObjectReference names an object in the MirrorEnvironment's namespace.
type LocalObjectReference struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// ConfigMapKeyRef selects a key of a ConfigMap in the MirrorEnvironment's own namespace.
type ConfigMapKeyRef struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`
}

// +kubebuilder:object:root=true

// MirrorEnvironmentList is a list of MirrorEnvironments.
type MirrorEnvironmentList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MirrorEnvironment `json:"items"`
}

func init() {
	SchemeBuilder.Register(&MirrorEnvironment{}, &MirrorEnvironmentList{})
}
