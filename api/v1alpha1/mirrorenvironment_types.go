package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.status.expiresAt`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.status.targetNamespace`,priority=1
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.source.namespace`,priority=1
// +kubebuilder:printcolumn:name="Message",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].message`,priority=1
type MirrorEnvironment struct {
	metav1.TypeMeta `json:",inline"`
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec MirrorEnvironmentSpec `json:"spec"`
	// +optional
	Status MirrorEnvironmentStatus `json:"status,omitempty"`
}

// MirrorEnvironmentSpec declares which production namespace to mirror and how the copy differs.
//
// +kubebuilder:validation:XValidation:rule="!has(self.targetNamespace) || has(self.source.kubeconfigSecretRef) || self.targetNamespace != self.source.namespace",message="targetNamespace must differ from source.namespace when the source is this cluster: the copy would be written over prod"
// +kubebuilder:validation:XValidation:rule="has(oldSelf.targetNamespace) == has(self.targetNamespace) && (!has(self.targetNamespace) || oldSelf.targetNamespace == self.targetNamespace)",message="targetNamespace is immutable: create a new MirrorEnvironment to put the copy elsewhere"
type MirrorEnvironmentSpec struct {
	// Source is the production reference. It is only ever read.
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
	// +kubebuilder:validation:Pattern=`^[^\s~^:?*\[\\]+$`
	Branch string `json:"branch,omitempty"`

	// TTL is how long the environment lives, counted from its creation. When it passes, the
	// environment deletes itself and everything it created. Go duration syntax, e.g. "48h".
	// Unset: the environment lives until deleted.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	TTL *metav1.Duration `json:"ttl,omitempty"`

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

	// Config controls how prod's ConfigMaps and Secrets are copied.
	// +optional
	// +kubebuilder:default={}
	Config ConfigSpec `json:"config,omitempty"`

	// Network controls the copy's isolation from prod and its ingress hostnames.
	// +optional
	// +kubebuilder:default={}
	Network NetworkSpec `json:"network,omitempty"`

	// Data lists the copy's databases: each gets prod's schema and synthetic data.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=20
	Data []DatabaseSpec `json:"data,omitempty"`
}

// SourceSpec points at the production namespace.
type SourceSpec struct {
	// Namespace is prod's namespace.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Namespace string `json:"namespace"`

	// Selector limits the copy to prod's objects with these labels. Unset: everything in the
	// namespace.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`

	// KubeconfigSecretRef names a Secret in this MirrorEnvironment's namespace holding a
	// kubeconfig for the cluster prod runs in. Unset: prod is in this cluster. The kubeconfig only
	// needs read access; it is never copied into the target namespace.
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
	// (never above prod's).
	// +optional
	StorageSize *resource.Quantity `json:"storageSize,omitempty"`
}

// ResourceScaling scales container resources; the result is never above prod's values.
type ResourceScaling struct {
	// ScalePercent multiplies prod's requests and limits, e.g. 25 for a quarter.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	ScalePercent *int32 `json:"scalePercent,omitempty"`

	// Max caps each resource (e.g. cpu: 500m, memory: 512Mi) for requests and limits.
	// +optional
	Max corev1.ResourceList `json:"max,omitempty"`
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

	// Image replaces the container's image. It is used as given (never re-pinned).
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	Image string `json:"image,omitempty"`

	// Env sets (or replaces, by name) environment variables of the container.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Env []corev1.EnvVar `json:"env,omitempty"`
}

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

// ConfigSpec controls how configuration is copied.
type ConfigSpec struct {
	// Secrets controls the values of copied Secrets. Prod values are never copied unless a rule
	// says Keep for that key.
	// +optional
	// +kubebuilder:default={}
	Secrets SecretsSpec `json:"secrets,omitempty"`

	// Rewrite replaces prod hostnames and URLs in ConfigMap values, env values and args with the
	// copy's. References to the source namespace's services are rewritten without a rule.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Rewrite []RewriteRule `json:"rewrite,omitempty"`

	// KeepPlain lists plain (non-Secret) values whose key looks sensitive (password, token, ...)
	// that may be copied as they are. Without a rule such values are replaced by generated ones.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	KeepPlain []PlainValueRule `json:"keepPlain,omitempty"`
}

// SecretPolicy says where a copied Secret key's value comes from.
// +kubebuilder:validation:Enum=Generate;FromSecret;Template;Keep
type SecretPolicy string

const (
	// SecretGenerate fills the key with a strong random value, stable for the environment's life.
	SecretGenerate SecretPolicy = "Generate"
	// SecretFromSecret takes the value from a Secret in the MirrorEnvironment's namespace.
	SecretFromSecret SecretPolicy = "FromSecret"
	// SecretTemplate renders a Go template over the copy's other values.
	SecretTemplate SecretPolicy = "Template"
	// SecretKeep copies prod's value. Only by explicit per-key rule; reported in status.
	SecretKeep SecretPolicy = "Keep"
)

// SecretsSpec sets the policy for copied Secret values.
type SecretsSpec struct {
	// Default is the policy for keys no rule names. Only Generate is allowed: prod values are
	// copied by explicit per-key opt-in only.
	// +optional
	// +kubebuilder:default=Generate
	// +kubebuilder:validation:XValidation:rule="self == 'Generate'",message="the default secret policy can only be Generate: prod values are copied by explicit per-key Keep rules only"
	Default SecretPolicy `json:"default,omitempty"`

	// Rules set the policy of individual Secrets or keys.
	// +optional
	// +kubebuilder:validation:MaxItems=200
	Rules []SecretRule `json:"rules,omitempty"`

	// PullSecretRef names a kubernetes.io/dockerconfigjson Secret in the MirrorEnvironment's
	// namespace whose value every copied pull secret gets. Unset: copied pull secrets hold an
	// empty docker config (prod registry credentials are not copied unless a rule says Keep).
	// +optional
	PullSecretRef *LocalObjectReference `json:"pullSecretRef,omitempty"`
}

// LocalObjectReference names an object in the MirrorEnvironment's namespace.
type LocalObjectReference struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// SecretRule sets the policy for one key of a prod Secret (or all its keys, when key is unset).
// Policy is inferred from template or fromSecret when not given.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.template) && has(self.fromSecret))",message="a rule sets at most one of template and fromSecret"
// +kubebuilder:validation:XValidation:rule="has(self.template) ? (!has(self.policy) || self.policy == 'Template') : (!has(self.policy) || self.policy != 'Template')",message="policy Template needs a template, and a template needs policy Template (or no policy)"
// +kubebuilder:validation:XValidation:rule="has(self.fromSecret) ? (!has(self.policy) || self.policy == 'FromSecret') : (!has(self.policy) || self.policy != 'FromSecret')",message="policy FromSecret needs fromSecret, and fromSecret needs policy FromSecret (or no policy)"
// +kubebuilder:validation:XValidation:rule="has(self.policy) || has(self.template) || has(self.fromSecret)",message="a rule needs a policy, a template or fromSecret"
// +kubebuilder:validation:XValidation:rule="has(self.key) || !has(self.template)",message="a template rule names a key"
type SecretRule struct {
	// Secret is the name of the prod Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Secret string `json:"secret"`

	// Key in the Secret; unset means every key.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`

	// Policy: Generate, FromSecret, Template or Keep. Inferred from template / fromSecret.
	// +optional
	Policy SecretPolicy `json:"policy,omitempty"`

	// Template is a Go template; `{{ secret "name" "key" }}` is the copy's value of that key and
	// `{{ .Namespace }}`, `{{ .Branch }}` and `{{ .Environment }}` describe the copy.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Template string `json:"template,omitempty"`

	// FromSecret takes the value from a Secret in the MirrorEnvironment's namespace; key defaults
	// to the rule's key.
	// +optional
	FromSecret *SecretKeyRef `json:"fromSecret,omitempty"`
}

// RewriteRule replaces a literal prod hostname or URL with the copy's.
type RewriteRule struct {
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=1024
	From string `json:"from"`
	// +required
	// +kubebuilder:validation:MaxLength=1024
	To string `json:"to"`
}

// PlainValueRule allows one plain value with a sensitive-looking key to be copied as is.
//
// +kubebuilder:validation:XValidation:rule="has(self.configMap) != has(self.workload)",message="a keepPlain rule names exactly one of configMap and workload"
type PlainValueRule struct {
	// ConfigMap is the name of a prod ConfigMap.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	ConfigMap string `json:"configMap,omitempty"`
	// Workload is the name of a prod workload whose containers set the env var.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Workload string `json:"workload,omitempty"`
	// Key is the ConfigMap key or env var name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

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
	AllowedEgressCIDRs []string `json:"allowedEgressCIDRs,omitempty"`
}

// DatabaseEngine is a database engine.
// +kubebuilder:validation:Enum=postgres
type DatabaseEngine string

// DatabasePostgres is PostgreSQL.
const DatabasePostgres DatabaseEngine = "postgres"

// DatabaseSpec describes one of the copy's databases.
//
// +kubebuilder:validation:XValidation:rule="has(self.standIn) != has(self.workload)",message="a database sets exactly one of standIn (the operator runs it) and workload (a copied workload runs it)"
// +kubebuilder:validation:XValidation:rule="!has(self.workload) || has(self.connection)",message="a database in a copied workload needs connection (with passwordSecretRef)"
type DatabaseSpec struct {
	// Name of the database entry; names the stand-in's objects and the seeding Job.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Engine: postgres.
	// +optional
	// +kubebuilder:default=postgres
	Engine DatabaseEngine `json:"engine,omitempty"`

	// StandIn runs the database in the copy, for prods that use a managed database (RDS, Cloud
	// SQL): a StatefulSet, a Service named after this entry and a generated credentials Secret
	// "<name>-credentials" (keys host, port, database, username, password, uri).
	// +optional
	StandIn *StandInSpec `json:"standIn,omitempty"`

	// Workload names the copied workload that runs this database (e.g. prod's Postgres
	// StatefulSet).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Workload string `json:"workload,omitempty"`

	// Connection says how to reach a workload database in the copy.
	// +optional
	Connection *ConnectionSpec `json:"connection,omitempty"`

	// Schema is where the copy's schema comes from. Unset: the schema already in the copy's
	// database (e.g. created by the application's migrations) is seeded as it is.
	// +optional
	Schema *SchemaSource `json:"schema,omitempty"`

	// Rows sets how many rows each table gets.
	// +optional
	// +kubebuilder:default={}
	Rows RowsSpec `json:"rows,omitempty"`

	// Seed makes the data reproducible. Default: derived from the branch (or the environment's
	// name), so re-creating the environment yields identical data.
	// +optional
	Seed *int64 `json:"seed,omitempty"`

	// Columns override the generator chosen for a column.
	// +optional
	// +kubebuilder:validation:MaxItems=500
	Columns []ColumnRule `json:"columns,omitempty"`
}

// StandInSpec configures a database the operator runs in the copy.
type StandInSpec struct {
	// Version is the engine version prod runs, e.g. "16.4"; the stand-in runs postgres:<version>.
	// +required
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=16
	Version string `json:"version"`

	// Image overrides the image (default "postgres:<version>"), e.g. for a mirror registry.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Image string `json:"image,omitempty"`

	// Storage is the size of the stand-in's volume (default 1Gi).
	// +optional
	Storage *resource.Quantity `json:"storage,omitempty"`

	// Database is the database name (default "app").
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Database string `json:"database,omitempty"`
}

// ConnectionSpec says how to reach a database in the copy.
type ConnectionSpec struct {
	// Host is the Service name in the copy (default: the workload's name).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Host string `json:"host,omitempty"`
	// Port (default 5432).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`
	// Database name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Database string `json:"database"`
	// User name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	User string `json:"user"`
	// PasswordSecretRef names a key of a copied (scrubbed) Secret in the target namespace.
	// +required
	PasswordSecretRef SecretKeyRef `json:"passwordSecretRef"`
}

// SchemaSource is where a database's schema comes from.
//
// +kubebuilder:validation:XValidation:rule="has(self.configMapRef) != has(self.fromDatabase)",message="a schema source sets exactly one of configMapRef and fromDatabase"
type SchemaSource struct {
	// ConfigMapRef names a ConfigMap in the MirrorEnvironment's namespace holding SQL as
	// `pg_dump --schema-only` writes it (key default "schema.sql").
	// +optional
	ConfigMapRef *ConfigMapKeyRef `json:"configMapRef,omitempty"`

	// FromDatabase reads the schema from prod's database (never a row) through a read-only DSN.
	// +optional
	FromDatabase *FromDatabaseSchema `json:"fromDatabase,omitempty"`
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

// FromDatabaseSchema reads the schema from a live database.
type FromDatabaseSchema struct {
	// SecretRef names a Secret key in the MirrorEnvironment's namespace holding a read-only
	// PostgreSQL DSN for prod (key default "dsn"). It never enters the target namespace.
	// +required
	SecretRef SecretKeyRef `json:"secretRef"`
}

// RowsSpec sets row counts.
type RowsSpec struct {
	// Default is the row count of tables not listed in tables.
	// +optional
	// +kubebuilder:default=1000
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100000000
	Default *int64 `json:"default,omitempty"`

	// Tables sets the row count per table ("schema.table" or "table"); 0 leaves a table empty.
	// +optional
	// +kubebuilder:validation:MaxProperties=500
	// +kubebuilder:validation:XValidation:rule="self.all(t, self[t] >= 0 && self[t] <= 100000000)",message="row counts are between 0 and 100000000"
	Tables map[string]int64 `json:"tables,omitempty"`
}

// ColumnGenerator names a value generator for a column.
// +kubebuilder:validation:Enum=email;firstName;lastName;fullName;username;phone;street;city;state;postcode;country;countryCode;company;jobTitle;url;domain;ipv4;ipv6;uuid;word;sentence;paragraph;productName;price;currency;date;timestamp;boolean;integer;decimal;null;constant;oneOf
type ColumnGenerator string

// ColumnRule sets the generator of one column.
//
// +kubebuilder:validation:XValidation:rule="(self.generator == 'constant' || self.generator == 'oneOf') == has(self.values)",message="values is required by the constant and oneOf generators and only by them"
// +kubebuilder:validation:XValidation:rule="self.generator != 'constant' || size(self.values) == 1",message="the constant generator takes exactly one value"
type ColumnRule struct {
	// Table ("schema.table" or "table").
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=127
	Table string `json:"table"`
	// Column name.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Column string `json:"column"`
	// Generator for the column's values.
	// +required
	Generator ColumnGenerator `json:"generator"`
	// Values for the constant (one value) and oneOf generators, as PostgreSQL text input.
	// +optional
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MaxLength=1024
	Values []string `json:"values,omitempty"`
}

// Phase summarises where an environment stands.
// +kubebuilder:validation:Enum=Pending;Provisioning;Seeding;Ready;Degraded;Failed;Expiring;Deleting
type Phase string

const (
	PhasePending      Phase = "Pending"
	PhaseProvisioning Phase = "Provisioning"
	PhaseSeeding      Phase = "Seeding"
	PhaseReady        Phase = "Ready"
	PhaseDegraded     Phase = "Degraded"
	PhaseFailed       Phase = "Failed"
	PhaseExpiring     Phase = "Expiring"
	PhaseDeleting     Phase = "Deleting"
)

// MirrorEnvironmentStatus is what the operator observed and did.
type MirrorEnvironmentStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Phase summarises the conditions.
	// +optional
	Phase Phase `json:"phase,omitempty"`

	// TargetNamespace is the namespace the copy lives in.
	// +optional
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// ReadyServices is the number of copied workloads that are ready.
	// +optional
	ReadyServices int32 `json:"readyServices,omitempty"`
	// TotalServices is the number of copied workloads.
	// +optional
	TotalServices int32 `json:"totalServices,omitempty"`
	// ServicesReady is "ready/total", for `kubectl get`.
	// +optional
	ServicesReady string `json:"servicesReady,omitempty"`

	// Services lists each copied workload with its images.
	// +optional
	// +listType=map
	// +listMapKey=name
	Services []ServiceStatus `json:"services,omitempty"`

	// Parity summarises how the copy matches prod.
	// +optional
	Parity ParityStatus `json:"parity,omitempty"`

	// Config counts how copied values were produced.
	// +optional
	Config ConfigStatus `json:"config,omitempty"`

	// Data reports each database's schema and seeding.
	// +optional
	// +listType=map
	// +listMapKey=name
	Data []DatabaseStatus `json:"data,omitempty"`

	// ExpiresAt is when the environment deletes itself (creation + spec.ttl).
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`

	// Conditions: Ready, Provisioned, VersionsPinned, ConfigScrubbed, Isolated, Seeded, Drifted.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ServiceStatus describes one copied workload.
type ServiceStatus struct {
	// Name of the workload (same as prod's).
	Name string `json:"name"`
	// Kind of the copy.
	Kind string `json:"kind"`
	// SourceKind is prod's kind when the copy's differs (a DaemonSet is copied as a Deployment).
	// +optional
	SourceKind string `json:"sourceKind,omitempty"`
	// Ready is true when the copy's replicas are ready (suspended CronJobs count as ready).
	Ready bool `json:"ready"`
	// Pinned is true when every container runs prod's digest (or an override).
	Pinned bool `json:"pinned"`
	// Containers lists each container's image in prod and in the copy.
	// +optional
	Containers []ContainerImageStatus `json:"containers,omitempty"`
	// Message explains a transformation or a problem.
	// +optional
	Message string `json:"message,omitempty"`
}

// ContainerImageStatus relates a container's prod image to the copy's.
type ContainerImageStatus struct {
	Name string `json:"name"`
	// Init is true for init containers.
	// +optional
	Init bool `json:"init,omitempty"`
	// SourceImage is the image as prod's spec writes it.
	SourceImage string `json:"sourceImage"`
	// Image is the image the copy runs.
	Image string `json:"image"`
	// Pinned is true when Image names the digest prod runs (or prod's spec already did).
	Pinned bool `json:"pinned"`
	// Overridden is true when a spec.overrides entry chose the image.
	// +optional
	Overridden bool `json:"overridden,omitempty"`
}

// ParityStatus summarises parity with prod.
type ParityStatus struct {
	// Pinned counts images pinned to prod's digest.
	// +optional
	Pinned int32 `json:"pinned,omitempty"`
	// Unpinned counts images that could not be pinned.
	// +optional
	Unpinned int32 `json:"unpinned,omitempty"`
	// Overridden counts images chosen by spec.overrides.
	// +optional
	Overridden int32 `json:"overridden,omitempty"`
	// PinnedSummary is "pinned/total", for `kubectl get`.
	// +optional
	PinnedSummary string `json:"pinnedSummary,omitempty"`
	// Drifted lists what changed in prod since the copy was made ("kind/name: what").
	// +optional
	Drifted []string `json:"drifted,omitempty"`
	// LastCheckedAt is when prod was last read.
	// +optional
	LastCheckedAt *metav1.Time `json:"lastCheckedAt,omitempty"`
}

// ConfigStatus counts how configuration values were produced.
type ConfigStatus struct {
	// ConfigMaps copied.
	// +optional
	ConfigMaps int32 `json:"configMaps,omitempty"`
	// Secrets copied (by shape).
	// +optional
	Secrets int32 `json:"secrets,omitempty"`
	// Generated counts Secret keys and sensitive plain values given random values.
	// +optional
	Generated int32 `json:"generated,omitempty"`
	// Templated counts keys rendered from templates.
	// +optional
	Templated int32 `json:"templated,omitempty"`
	// FromSecret counts keys taken from dev Secrets.
	// +optional
	FromSecret int32 `json:"fromSecret,omitempty"`
	// Kept counts prod values copied by explicit Keep rules.
	// +optional
	Kept int32 `json:"kept,omitempty"`
	// KeptKeys lists them ("secret/key"), so nobody is surprised.
	// +optional
	KeptKeys []string `json:"keptKeys,omitempty"`
}

// DataPhase is where a database's seeding stands.
// +kubebuilder:validation:Enum=Pending;Provisioning;ApplyingSchema;Seeding;Seeded;Failed
type DataPhase string

const (
	DataPending        DataPhase = "Pending"
	DataProvisioning   DataPhase = "Provisioning"
	DataApplyingSchema DataPhase = "ApplyingSchema"
	DataSeeding        DataPhase = "Seeding"
	DataSeeded         DataPhase = "Seeded"
	DataFailed         DataPhase = "Failed"
)

// DatabaseStatus reports one database.
type DatabaseStatus struct {
	Name string `json:"name"`
	// +optional
	Phase DataPhase `json:"phase,omitempty"`
	// Rows loaded in all tables.
	// +optional
	Rows int64 `json:"rows,omitempty"`
	// Tables seeded.
	// +optional
	Tables int32 `json:"tables,omitempty"`
	// RowsPerSecond is the loading rate of the last seeding.
	// +optional
	RowsPerSecond int64 `json:"rowsPerSecond,omitempty"`
	// Duration of the last seeding, e.g. "12.3s".
	// +optional
	Duration string `json:"duration,omitempty"`
	// Job is the name of the seeding Job.
	// +optional
	Job string `json:"job,omitempty"`
	// SpecHash identifies the data spec that was seeded; a change reseeds from scratch.
	// +optional
	SpecHash string `json:"specHash,omitempty"`
	// SeededAt is when seeding finished.
	// +optional
	SeededAt *metav1.Time `json:"seededAt,omitempty"`
	// Message explains a failure, naming the table, column and constraint.
	// +optional
	Message string `json:"message,omitempty"`
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
