package v1alpha1

// IsolationPolicy says how the copy is fenced off from prod.
// +kubebuilder:validation:Enum=DenyProd;None
type IsolationPolicy string

const (
	// IsolationDenyProd adds a NetworkPolicy denying egress from the copy to the source namespace.
	IsolationDenyProd IsolationPolicy = "DenyProd"
	// IsolationNone adds no policy of its own.
	IsolationNone IsolationPolicy = "None"
)

// NetworkSpec controls isolation and ingress.
type NetworkSpec struct {
	// Isolation: DenyProd (default) or None.
	// +optional
	// +kubebuilder:default=DenyProd
	Isolation IsolationPolicy `json:"isolation,omitempty"`

	// IngressHost is a Go template for the host of each copied Ingress rule. Fields: .Branch
	// (made DNS-safe), .Environment, .Namespace (target namespace), .Name (the Ingress),
	// .Host (prod's host), .Subdomain (its first label) and .Domain (the rest). Default:
	// "{{ .Subdomain }}-{{ .Environment }}.{{ .Domain }}", so a copy never claims prod's host.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	IngressHost string `json:"ingressHost,omitempty"`

	// AllowedEgressCIDRs are addresses outside the cluster the copy may reach under DenyProd
	// isolation (e.g. a third-party sandbox API). Other namespaces than prod's are always
	// reachable. Addresses are not allowed wholesale by default because some CNIs match pod
	// IPs with ipBlock rules, which would re-open prod.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.all(c, isCIDR(c))",message="each entry is a CIDR such as 203.0.113.0/24"
	// +kubebuilder:validation:XValidation:rule="self.all(c, !isCIDR(c) || (cidr(c).ip().family() == 4 ? cidr(c).prefixLength() >= 8 : cidr(c).prefixLength() >= 16))",message="an allowed egress CIDR may be at most a /8 (IPv4) or /16 (IPv6): a wider range such as 0.0.0.0/0 would re-open prod; set isolation: None to drop isolation deliberately"
	AllowedEgressCIDRs []string `json:"allowedEgressCIDRs,omitempty"`

	// Ingress sets what the copy's Ingresses get beyond prod's (rewritten) spec.
	// +optional
	Ingress *IngressSpec `json:"ingress,omitempty"`
}

// IngressSpec adds to the copy's Ingresses. Prod's own cert-manager and external-dns
// annotations are never copied (they would claim prod's names); these are the copy's opt-in.
type IngressSpec struct {
	// Annotations are set on every copied Ingress, e.g. cert-manager.io/cluster-issuer or
	// external-dns.alpha.kubernetes.io/hostname (templates as in ingressHost are expanded in
	// values), so a real cluster gives the copy a real certificate and DNS name.
	// +optional
	// +kubebuilder:validation:MaxProperties=30
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 253 && size(self[k]) <= 1024)",message="annotation keys are at most 253 characters and values at most 1024"
	Annotations map[string]string `json:"annotations,omitempty"`

	// ClassName replaces the Ingresses' ingressClassName (e.g. a dev ingress controller).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	ClassName string `json:"className,omitempty"`
}

// AccessSpec grants subjects a ClusterRole in the copy's namespace, through a RoleBinding the
// operator manages there (so the rights go with the namespace).
type AccessSpec struct {
	// Subjects get ClusterRole in the target namespace: users, groups or service accounts.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Subjects []AccessSubject `json:"subjects,omitempty"`

	// ClusterRole is the role bound; it must be in the operator's allow-list
	// (--access-cluster-roles, default "edit"). Default: edit.
	// +optional
	// +kubebuilder:default=edit
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$`
	ClusterRole string `json:"clusterRole,omitempty"`
}

// AccessSubject is a user, group or service account.
//
// +kubebuilder:validation:XValidation:rule="(self.kind == 'ServiceAccount') == has(self.namespace)",message="namespace is set for a ServiceAccount subject and only for one"
type AccessSubject struct {
	// Kind: User, Group or ServiceAccount.
	// +required
	// +kubebuilder:validation:Enum=User;Group;ServiceAccount
	Kind string `json:"kind"`
	// Name of the user, group or service account.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Namespace of a service account.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}
