package v1alpha1

// DependencyEngine is a backing service envmirror can run a stand-in for.
// +kubebuilder:validation:Enum=redis;valkey;rabbitmq;elasticsearch;opensearch;mysql;mariadb
type DependencyEngine string

const (
	EngineRedis         DependencyEngine = "redis"
	EngineValkey        DependencyEngine = "valkey"
	EngineRabbitMQ      DependencyEngine = "rabbitmq"
	EngineElasticsearch DependencyEngine = "elasticsearch"
	EngineOpenSearch    DependencyEngine = "opensearch"
	EngineMySQL         DependencyEngine = "mysql"
	EngineMariaDB       DependencyEngine = "mariadb"
)

// DependencySpec is a backing service of prod (a managed cache, queue, search cluster or MySQL
// database) that the copy gets a stand-in for, at prod's exact version: a StatefulSet running the
// engine's official image, a Service named after this entry, and generated credentials in the
// Secret "<name>-credentials" (keys host, port, username, password, uri), which Secret templates
// can use as `{{ secret "<name>" "uri" }}`. PostgreSQL databases are listed in spec.data.
//
// +kubebuilder:validation:XValidation:rule="has(self.version) != has(self.versionFrom)",message="a dependency sets exactly one of version (pinned) and versionFrom (probed from prod)"
// +kubebuilder:validation:XValidation:rule="!has(self.definitionsFromProd) || !self.definitionsFromProd || has(self.versionFrom)",message="definitionsFromProd reads prod through versionFrom's Secret: set versionFrom"
// +kubebuilder:validation:XValidation:rule="!has(self.definitionsFromProd) || !self.definitionsFromProd || self.engine in ['rabbitmq', 'elasticsearch', 'opensearch', 'mysql', 'mariadb']",message="definitionsFromProd is available for rabbitmq (definitions), elasticsearch and opensearch (index templates and mappings) and mysql/mariadb (schema)"
type DependencySpec struct {
	// Name of the stand-in; names its Service, StatefulSet and credentials Secret in the copy.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Engine of the service.
	// +required
	Engine DependencyEngine `json:"engine"`

	// Version prod runs, e.g. "7.1" or "3.13.7"; the stand-in runs exactly this version.
	// Elasticsearch and OpenSearch publish images only for full versions (X.Y.Z): a shorter
	// one runs the newest release of its line that envmirror knows, and status says which.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+){0,2}([-.][a-z0-9]+)?$`
	Version string `json:"version,omitempty"`

	// VersionFrom reads prod's running version (Redis INFO server, RabbitMQ /api/overview,
	// Elasticsearch/OpenSearch GET /, MySQL SELECT VERSION()) from a short-lived Job in the
	// operator's namespace; the credential never enters the copy.
	// +optional
	VersionFrom *VersionProbe `json:"versionFrom,omitempty"`

	// Replaces names what the stand-in takes the place of: prod Service names (an ExternalName
	// to a managed endpoint, say) and hostnames found in prod's configuration. A Service of that
	// name in the copy becomes the stand-in's, and configuration values naming a replaced
	// host are rewritten to the stand-in (as spec.config.rewrite rules would). Default: the
	// prod Service named like this entry, if any.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=253
	// +kubebuilder:validation:items:MinLength=1
	Replaces []string `json:"replaces,omitempty"`

	// Image overrides the image (default: the engine's official image at version). A private
	// registry's credentials: spec.config.secrets.pullSecretRef.
	// +optional
	Image ImageReference `json:"image,omitempty"`

	// Storage is the size of the stand-in's volume (default 1Gi; Redis keeps none).
	// +optional
	Storage *Quantity `json:"storage,omitempty"`

	// DefinitionsFromProd copies prod's structure without its data, read-only through
	// versionFrom's Secret: RabbitMQ definitions (exchanges, queues, bindings, policies; no
	// users or passwords), Elasticsearch/OpenSearch index templates and mappings (no
	// documents), MySQL/MariaDB schema (mysqldump --no-data).
	// +optional
	DefinitionsFromProd bool `json:"definitionsFromProd,omitempty"`
}

// VersionProbe says how to reach prod's service to read its version.
type VersionProbe struct {
	// SecretRef names a Secret key in the MirrorEnvironment's namespace holding a URL of prod's
	// service with read-only credentials (key default "url"), e.g. rediss://user:pass@host:6379,
	// https://user:pass@search.example:443, https://user:pass@mq.example:15671 (the management
	// API) or mysql://user:pass@host:3306/.
	// +required
	SecretRef SecretKeyRef `json:"secretRef"`

	// CASecretRef names a Secret key in the MirrorEnvironment's namespace holding the CA bundle
	// (PEM) that prod's certificate is signed with, for managed services whose CA no public
	// bundle has: Amazon RDS and Aurora (global-bundle.pem), Cloud SQL (server-ca.pem), a
	// private CA. The probe trusts it besides the public CAs, and for MySQL it turns TLS on
	// unless the URL says tls=false (key default "ca.crt").
	// +optional
	CASecretRef *SecretKeyRef `json:"caSecretRef,omitempty"`
}
