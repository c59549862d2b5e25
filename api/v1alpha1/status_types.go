package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Phase summarises where an environment stands.
// +kubebuilder:validation:Enum=Pending;Provisioning;Seeding;Ready;Degraded;Failed;Expiring;Deleting;Sleeping;Waking
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
	// PhaseSleeping: scaled to zero by spec.sleep, its data kept; PhaseWaking: scaled back up
	// and not ready yet.
	PhaseSleeping Phase = "Sleeping"
	PhaseWaking   Phase = "Waking"
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

	// Dependencies reports each dependency stand-in: prod's version, the copy's, and readiness.
	// +optional
	// +listType=map
	// +listMapKey=name
	Dependencies []DependencyStatus `json:"dependencies,omitempty"`

	// CopiedKinds are the kinds of prod's other objects the copy has as they are ("group/version/
	// Kind": Certificates, kinds with a spec.kinds Copy rule), so that the copies of a kind no
	// longer copied are removed.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	CopiedKinds []string `json:"copiedKinds,omitempty"`

	// URLs are where the copy can be reached: its Ingress hosts, or a port-forward command for
	// its first Service when it has no Ingress.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	URLs []string `json:"urls,omitempty"`

	// ExpiresAt is when the environment deletes itself (spec.expiresAt, or creation + spec.ttl).
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`

	// ProvisionedAt is when the environment first became Ready.
	// +optional
	ProvisionedAt *metav1.Time `json:"provisionedAt,omitempty"`

	// Sleep is where the environment stands with spec.sleep, and its hours awake and asleep.
	// +optional
	Sleep *SleepStatus `json:"sleep,omitempty"`

	// Resources compares the CPU and memory the copy requests with prod's.
	// +optional
	Resources *ResourcesStatus `json:"resources,omitempty"`

	// Conditions: Ready, Reconciling, Stalled, Provisioned, VersionsPinned, ConfigScrubbed,
	// Isolated, Seeded, DependenciesReady, Drifted. Reconciling and Stalled follow kstatus, so
	// kstatus, Argo CD and Flux health checks read the environment correctly.
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
	// Reason says why Image is not pinned to the digest prod runs (no prod pod runs it yet; the
	// runtime reports only the image's local ID, which no registry serves; ...), or what is
	// worth knowing about the digest it is pinned to.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Reason string `json:"reason,omitempty"`
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
	// Drifted lists how the copy differs from what prod implies now, per axis
	// ("images: Deployment/api container app: prod runs sha256:…, the copy sha256:…",
	// "config: ConfigMap/app-config: key FEATURE_X added in prod", "data: orders-db: prod's
	// schema changed"). Empty when the copy matches prod. With followProd: Always it lists only
	// what could not be written; with Never, everything prod changed since provisioning.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Drifted []string `json:"drifted,omitempty"`
	// Followed lists what the last reconcile changed in the copy to follow prod or revert a hand
	// edit ("Deployment/api: updated to match prod").
	// +optional
	// +kubebuilder:validation:MaxItems=100
	Followed []string `json:"followed,omitempty"`
	// LastCheckedAt is when prod was last re-read by the periodic drift check (prod is also read
	// on every change; this is recorded at most once per resync interval, so that an environment
	// at rest costs no writes).
	// +optional
	LastCheckedAt *metav1.Time `json:"lastCheckedAt,omitempty"`
	// NotCopied lists kinds found in prod that the copy does not have, with their count and
	// why, so the gap is visible.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	NotCopied []KindCount `json:"notCopied,omitempty"`
	// MissingDependencies lists references in prod to backing services outside the cluster
	// (ExternalName Services, managed-service hostnames, redis://, amqps://, mysql:// URLs) that
	// no spec.dependencies or spec.data entry replaces, with a suggested entry.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	MissingDependencies []MissingDependency `json:"missingDependencies,omitempty"`
}

// KindCount is a kind in prod and how many of its objects the copy lacks.
type KindCount struct {
	// Group/Kind, e.g. "keda.sh/ScaledObject" or "autoscaling/HorizontalPodAutoscaler".
	Kind string `json:"kind"`
	// Count of prod's objects of the kind.
	Count int32 `json:"count"`
	// Reason says why they are not copied.
	// +optional
	Reason string `json:"reason,omitempty"`
}

// MissingDependency is a reference in prod to a backing service the copy has no stand-in for.
type MissingDependency struct {
	// Reference is where prod names it ("Service/cache (ExternalName my-cache.abc.cache.amazonaws.com)",
	// "ConfigMap/app-config key REDIS_URL").
	Reference string `json:"reference"`
	// Host is the service's host.
	Host string `json:"host"`
	// Engine is the engine the reference suggests, when it can be told.
	// +optional
	Engine DependencyEngine `json:"engine,omitempty"`
	// Suggestion is a spec.dependencies entry that would give the copy a stand-in.
	// +optional
	Suggestion string `json:"suggestion,omitempty"`
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
	// Replaced counts plain values replaced in ConfigMaps, env, args and annotations (by key,
	// by shape, by rule, or because they held a prod Secret's value).
	// +optional
	Replaced int32 `json:"replaced,omitempty"`
	// ReplacedIn lists, per ConfigMap (or "Deployment/name" for pod specs), how many values were
	// replaced, most first.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	ReplacedIn []ReplacedCount `json:"replacedIn,omitempty"`
	// Uncertain lists the plain values the scrubber decided about without a rule that makes the
	// decision sure: replaced only because they look random (a cluster id looks like a token),
	// or kept as public by design (a browser API key, a feature flag's salt). Each names the
	// spec.config.keepPlain rule that keeps it; spec.config.plainValues: Strict replaces what is
	// kept on judgment.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	Uncertain []UncertainValue `json:"uncertain,omitempty"`
	// UncertainOmitted counts the uncertain values left out of Uncertain.
	// +optional
	UncertainOmitted int32 `json:"uncertainOmitted,omitempty"`
}

// UncertainValue is one value the scrubber was not sure about, where it is, and what keeps it.
type UncertainValue struct {
	// Object is the prod object the value is in, e.g. "ConfigMap/app-config" or "Deployment/api".
	Object string `json:"object"`
	// Key is where the value is in the object: a ConfigMap key, an env var, a label key,
	// "args[N]" for a container argument.
	Key string `json:"key"`
	// Path locates the value inside Key's value (a document path, an archive member).
	// +optional
	Path string `json:"path,omitempty"`
	// Decision is what the scrubber did: Replaced or Kept.
	Decision string `json:"decision"`
	// Reason says why the decision is uncertain.
	Reason string `json:"reason"`
	// KeepRule is the spec.config.keepPlain entry that copies the value as it is in prod.
	// +optional
	KeepRule string `json:"keepRule,omitempty"`
}

// ReplacedCount is how many plain values were replaced in one object.
type ReplacedCount struct {
	// Object, e.g. "ConfigMap/app-config".
	Object string `json:"object"`
	// Count of replaced values.
	Count int32 `json:"count"`
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
	// Reason is a CamelCase reason when the database failed or waits (e.g. ExtensionMissing,
	// ConstraintUnsatisfiable, VerificationFailed, DataInvalid), for tools to match on.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Message explains a failure, naming the table, column and constraint.
	// +optional
	Message string `json:"message,omitempty"`
	// TablesSeeded lists the largest tables: rows in the copy and prod's estimate.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	TablesSeeded []TableRows `json:"tablesSeeded,omitempty"`
	// PartitionsCreated lists partitions seeding created in the copy (never in prod) for
	// partitioned tables the schema has without partitions, the ones prod's application creates
	// at run time: "schema.partition of schema.table (DEFAULT)". At most 20 are listed;
	// PartitionsCreatedCount counts them all.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=512
	PartitionsCreated []string `json:"partitionsCreated,omitempty"`
	// +optional
	PartitionsCreatedCount int32 `json:"partitionsCreatedCount,omitempty"`
}

// TableRows compares one table's rows in the copy with prod's.
type TableRows struct {
	// Table, "schema.table".
	Table string `json:"table"`
	// Rows in the copy.
	Rows int64 `json:"rows"`
	// ProdRows is prod's estimate (pg_class.reltuples), when read.
	// +optional
	ProdRows *int64 `json:"prodRows,omitempty"`
}

// DependencyStatus reports one dependency stand-in.
type DependencyStatus struct {
	Name string `json:"name"`
	// Engine of the stand-in.
	Engine DependencyEngine `json:"engine"`
	// ProdVersion is prod's version: as probed, or as the spec pins it.
	// +optional
	ProdVersion string `json:"prodVersion,omitempty"`
	// Version is the version the stand-in runs.
	// +optional
	Version string `json:"version,omitempty"`
	// Image is the stand-in's image, with the digest its pod runs once known.
	// +optional
	Image string `json:"image,omitempty"`
	// Ready is true when the stand-in accepts connections (as far as Kubernetes knows).
	Ready bool `json:"ready"`
	// Replaces lists the prod Services and hosts it stands in for.
	// +optional
	Replaces []string `json:"replaces,omitempty"`
	// Definitions says what was copied from prod's structure, when definitionsFromProd is set.
	// +optional
	Definitions string `json:"definitions,omitempty"`
	// Reason is a CamelCase reason when it waits or failed.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Message explains the state.
	// +optional
	Message string `json:"message,omitempty"`
}
