package v1alpha1

// DatabaseEngine is a database engine.
// +kubebuilder:validation:Enum=postgres;mysql;mariadb
type DatabaseEngine string

// The database engines of spec.data.
const (
	// DatabasePostgres is PostgreSQL.
	DatabasePostgres DatabaseEngine = "postgres"
	// DatabaseMySQL is MySQL (and Aurora MySQL): its stand-in runs the official mysql image.
	DatabaseMySQL DatabaseEngine = "mysql"
	// DatabaseMariaDB is MariaDB: its stand-in runs the official mariadb image.
	DatabaseMariaDB DatabaseEngine = "mariadb"
)

// DatabaseSpec describes one of the copy's databases.
//
// +kubebuilder:validation:XValidation:rule="has(self.standIn) != has(self.workload)",message="a database sets exactly one of standIn (the operator runs it) and workload (a copied workload runs it)"
// +kubebuilder:validation:XValidation:rule="!has(self.workload) || has(self.connection)",message="a database in a copied workload needs connection (with passwordSecretRef)"
// +kubebuilder:validation:XValidation:rule="!has(self.rows.scale) || (has(self.schema) && has(self.schema.fromDatabase))",message="rows.scale needs prod's statistics, which are read with schema.fromDatabase"
// +kubebuilder:validation:XValidation:rule="!has(self.standIn) || has(self.standIn.version) || (has(self.schema) && has(self.schema.fromDatabase))",message="standIn.version is required unless schema.fromDatabase is set (the stand-in then runs the version prod's database reports)"
// +kubebuilder:validation:XValidation:rule="(has(self.engine) && self.engine != 'postgres') || !has(self.standIn) || !has(self.standIn.version) || self.standIn.version.matches('^[0-9]+([.][0-9]+)?$')",message="a PostgreSQL standIn.version is MAJOR or MAJOR.MINOR (e.g. 16.4): PostgreSQL has no X.Y.Z releases (X.Y.Z is for engine mysql or mariadb)"
// +kubebuilder:validation:XValidation:rule="!has(self.engine) || self.engine == 'postgres' || !has(self.standIn) || !has(self.standIn.database) || self.standIn.database.matches('^[A-Za-z0-9_$-]+$')",message="a MySQL or MariaDB standIn.database is letters, digits, _, $ and - (the seeding Job's connection string carries it)"
// +kubebuilder:validation:XValidation:rule="!has(self.engine) || self.engine == 'postgres' || !has(self.connection) || (self.connection.database.matches('^[A-Za-z0-9_$-]+$') && !self.connection.user.contains(':'))",message="a MySQL or MariaDB connection.database is letters, digits, _, $ and -, and connection.user has no ':' (the seeding Job's connection string carries both)"
type DatabaseSpec struct {
	// Name of the database entry; names the stand-in's objects and the seeding Job.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	Name string `json:"name"`

	// Engine: postgres, mysql or mariadb. A stand-in runs the engine's official image (postgres,
	// mysql, mariadb) at standIn.version; MySQL and MariaDB stand-ins are those of
	// spec.dependencies (internal/deps), with local_infile on for the seeder's LOAD DATA LOCAL.
	// +optional
	// +kubebuilder:default=postgres
	Engine DatabaseEngine `json:"engine,omitempty"`

	// StandIn runs the database in the copy, for prods that use a managed database (RDS, Aurora,
	// Cloud SQL): a StatefulSet, a Service named after this entry and a generated credentials
	// Secret "<name>-credentials" (keys host, port, database, username, password, uri).
	// +optional
	StandIn *StandInSpec `json:"standIn,omitempty"`

	// Workload names the copied workload that runs this database (e.g. prod's PostgreSQL or
	// MySQL StatefulSet).
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
	// Version is the engine version prod runs: "16.4" (PostgreSQL: MAJOR or MAJOR.MINOR), "8.0.36"
	// or "8.4" (MySQL), "10.11.6" or "11.4" (MariaDB); the stand-in runs <engine>:<version>.
	// Optional with schema.fromDatabase: the stand-in then runs the version prod's database
	// reports (PostgreSQL's server_version, MySQL's SELECT VERSION(), read by a probe Job), and
	// a version set here that differs from prod's is reported in the VersionsPinned condition.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+){0,2}$`
	// +kubebuilder:validation:MaxLength=16
	Version string `json:"version,omitempty"`

	// Image overrides the image (default "postgres:<version>", or a PostGIS or pgvector image of
	// that version when the schema creates postgis or vector: with schema.fromDatabase, the
	// extensions prod's database has; "mysql:<version>" or "mariadb:<version>"), e.g. for a
	// mirror registry or an image with other extensions. A private registry's credentials:
	// spec.config.secrets.pullSecretRef.
	// +optional
	Image ImageReference `json:"image,omitempty"`

	// Storage is the size of the stand-in's volume (default 1Gi).
	// +optional
	Storage *Quantity `json:"storage,omitempty"`

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
	// Port (default 5432; 3306 for mysql and mariadb).
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
	// `pg_dump --schema-only` writes it, or for mysql and mariadb as `mysqldump --no-data` does
	// (key default "schema.sql").
	// +optional
	ConfigMapRef *ConfigMapKeyRef `json:"configMapRef,omitempty"`

	// FromDatabase reads the schema from prod's database (never a row) through a read-only DSN.
	// +optional
	FromDatabase *FromDatabaseSchema `json:"fromDatabase,omitempty"`
}

// FromDatabaseSchema reads the schema from a live database.
type FromDatabaseSchema struct {
	// SecretRef names a Secret key in the MirrorEnvironment's namespace holding a read-only
	// DSN for prod (key default "dsn"): PostgreSQL's (a URL or libpq's keyword form), or for
	// mysql and mariadb mysql://user:password@host:3306/database (?tls=true, skip-verify or
	// preferred for the version probe) or the Go driver's user:password@tcp(host:3306)/database.
	// It never enters the target namespace.
	// +required
	SecretRef SecretKeyRef `json:"secretRef"`
}

// RowsSpec sets row counts.
//
// +kubebuilder:validation:XValidation:rule="!has(self.min) || !has(self.max) || self.min <= self.max",message="rows.min may not exceed rows.max"
// +kubebuilder:validation:XValidation:rule="has(self.scale) || (!has(self.min) && !has(self.max))",message="rows.min and rows.max bound rows.scale: set scale too"
// +kubebuilder:validation:XValidation:rule="!has(self.tables) || self.tables.map(t, self.tables[t]).sum() <= 100000000",message="rows.tables asks for more than 100000000 rows in all; seed fewer rows (or use rows.scale)"
type RowsSpec struct {
	// Default is the row count of tables not listed in tables (and not scaled from prod).
	// +optional
	// +kubebuilder:default=1000
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10000000
	Default *int64 `json:"default,omitempty"`

	// Tables sets the row count per table ("schema.table" or "table"); 0 leaves a table empty.
	// A count here wins over scale.
	// +optional
	// +kubebuilder:validation:MaxProperties=500
	// +kubebuilder:validation:XValidation:rule="self.all(t, size(t) <= 127 && self[t] >= 0 && self[t] <= 100000000)",message="table names are at most 127 characters and row counts are between 0 and 100000000"
	Tables map[string]int64 `json:"tables,omitempty"`

	// Scale seeds each table with this fraction of prod's row count (e.g. "0.01"), as estimated
	// by prod's own statistics (pg_class.reltuples, or MySQL's information_schema.TABLES.TABLE_ROWS,
	// read with the schema: needs schema.fromDatabase); on PostgreSQL null fractions, distinct
	// counts and value widths follow prod's statistics too. Tables with no estimate get default.
	// +optional
	Scale *Fraction `json:"scale,omitempty"`

	// Min is the least row count of a scaled table.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100000000
	Min *int64 `json:"min,omitempty"`

	// Max is the greatest row count of a scaled table.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100000000
	Max *int64 `json:"max,omitempty"`
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
	// Values for the constant (one value) and oneOf generators, as the column's text input
	// (PostgreSQL's, or MySQL's for mysql and mariadb).
	// +optional
	// +kubebuilder:validation:MaxItems=1000
	// +kubebuilder:validation:items:MaxLength=1024
	Values []string `json:"values,omitempty"`
}
