package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MirrorSource is a production namespace's consent to being mirrored, in the spirit of Gateway
// API's ReferenceGrant: it lives in the source namespace, so only who may write there (prod's
// owners) can say which namespaces' MirrorEnvironments may read it, and which of its Secret keys
// they may copy verbatim. Without one, a MirrorEnvironment naming the namespace is refused
// (SourceNotGranted), unless the operator runs with --source-grants=optional. Several
// MirrorSources in a namespace add up.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=msrc,categories=envmirror
// +kubebuilder:printcolumn:name="From",type=string,JSONPath=`.spec.from[*].namespace`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type MirrorSource struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec MirrorSourceSpec `json:"spec"`
}

// MirrorSourceSpec says who may mirror this namespace and what they may copy verbatim.
type MirrorSourceSpec struct {
	// From lists the namespaces whose MirrorEnvironments may mirror this one.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=64
	From []MirrorSourceFrom `json:"from"`

	// KeepSecrets lists the Secret keys of this namespace that may be copied verbatim by a
	// MirrorEnvironment's Keep rule. A Keep rule for a key not listed here is refused
	// (KeepNotGranted). Default: none, so prod secret values never leave without prod's consent.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	KeepSecrets []SecretKeys `json:"keepSecrets,omitempty"`
}

// MirrorSourceFrom selects namespaces by name or by labels.
//
// +kubebuilder:validation:XValidation:rule="has(self.namespace) != has(self.namespaceSelector)",message="set exactly one of namespace and namespaceSelector"
type MirrorSourceFrom struct {
	// Namespace is a namespace whose MirrorEnvironments may mirror this one.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace,omitempty"`
	// NamespaceSelector selects such namespaces by their labels.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
}

// SecretKeys names keys of one Secret.
type SecretKeys struct {
	// Secret is the Secret's name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Secret string `json:"secret"`
	// Keys of the Secret; empty means all of them.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MaxLength=253
	Keys []string `json:"keys,omitempty"`
}

// +kubebuilder:object:root=true

// MirrorSourceList is a list of MirrorSources.
type MirrorSourceList struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MirrorSource `json:"items"`
}

func init() {
	SchemeBuilder.Register(&MirrorSource{}, &MirrorSourceList{})
}
