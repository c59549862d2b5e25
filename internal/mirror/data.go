package mirror

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// Stand-in defaults.
const (
	StandInUser     = "app"
	StandInDatabase = "app"
	postgresPort    = 5432
)

// StandInSecretName names a stand-in's generated credentials Secret.
func StandInSecretName(db string) string { return db + "-credentials" }

// Connection is how the seeding Job reaches a database in the copy.
type Connection struct {
	Host, Database, User string
	Port                 int32
	// Password is where the password is: a key of a Secret in the target namespace.
	Password corev1.SecretKeySelector
	SSLMode  string
}

// ConnectionFor says how a database entry is reached from inside the copy: at its engine's port
// unless connection.port says otherwise.
func ConnectionFor(d *v1alpha1.DatabaseSpec) Connection {
	if d.StandIn != nil {
		return Connection{
			Host: d.Name, Port: databasePort(d), Database: standInDatabase(d), User: StandInUser, SSLMode: "disable",
			Password: corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: StandInSecretName(d.Name)}, Key: "password"},
		}
	}
	c := d.Connection
	host := c.Host
	if host == "" {
		host = d.Workload
	}
	port := c.Port
	if port == 0 {
		port = databasePort(d)
	}
	key := c.PasswordSecretRef.KeyOr("password")
	return Connection{
		Host: host, Port: port, Database: c.Database, User: c.User, SSLMode: "prefer",
		Password: corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: c.PasswordSecretRef.Name}, Key: key},
	}
}

func standInDatabase(d *v1alpha1.DatabaseSpec) string {
	if d.StandIn.Database != "" {
		return d.StandIn.Database
	}
	return StandInDatabase
}

// StandInCredentials are the keys of a stand-in's credentials Secret: host, port, database,
// username, password and uri (postgres:// or mysql://).
func StandInCredentials(d *v1alpha1.DatabaseSpec, password string) map[string][]byte {
	if IsMySQL(d) {
		return mysqlCredentials(d, password)
	}
	db := standInDatabase(d)
	u := url.URL{Scheme: "postgres", User: url.UserPassword(StandInUser, password),
		Host: d.Name + ":" + strconv.Itoa(postgresPort), Path: "/" + db, RawQuery: "sslmode=disable"}
	return map[string][]byte{
		"host": []byte(d.Name), "port": []byte(strconv.Itoa(postgresPort)), "database": []byte(db),
		"username": []byte(StandInUser), "password": []byte(password), "uri": []byte(u.String()),
	}
}

// SchemaConfigMapName names the copy of a database's schema SQL in the target namespace.
func SchemaConfigMapName(db string) string { return db + "-schema" }

// SchemaConfigMap carries prod's schema SQL into the copy, where the seeding Job mounts it. A
// schema is structure, not data: it holds no prod value. A MySQL schema loses its DEFINER
// clauses on the way (see withoutDefiners).
func (b *Builder) SchemaConfigMap(d *v1alpha1.DatabaseSpec, sql string) *corev1.ConfigMap {
	if IsMySQL(d) {
		sql = withoutDefiners(sql)
	}
	return &corev1.ConfigMap{
		TypeMeta:   metaType("v1", "ConfigMap"),
		ObjectMeta: metav1.ObjectMeta{Name: SchemaConfigMapName(d.Name), Namespace: b.opts.TargetNamespace},
		Data:       map[string]string{"schema.sql": sql},
	}
}

// SeedJobName is deterministic: one Job per database and data spec, never duplicated; a changed
// spec gives a new name, and so a reseed from scratch.
func SeedJobName(db, hash string) string { return Shorten(db+"-seed-"+hash, 63) }

// SeedJobInput is what a seeding Job needs.
type SeedJobInput struct {
	Database  *v1alpha1.DatabaseSpec
	Hash      string
	Image     string
	SpecJSON  string
	SchemaSQL bool // the schema ConfigMap is mounted and applied (after a reset)
	// PullSecrets are the seed image's pull secrets (the manager's own).
	PullSecrets []corev1.LocalObjectReference
}

// SeedJob runs `manager seed` against a database of the copy. The summary comes back through
// the container's termination message; progress is in its log. The connection comes from the
// environment: libpq's variables for PostgreSQL, contract.DSNEnv for MySQL and MariaDB; the
// password is always a reference to a Secret of the copy, never a value in the Job.
func (b *Builder) SeedJob(in SeedJobInput) *batchv1.Job {
	conn := ConnectionFor(in.Database)
	call := contract.Invocation{WaitTimeout: 10 * time.Minute, SummaryFile: contract.TerminationLog, Reset: true,
		// The schema Job left prod's tables in the copy: seeding refuses a copy that lacks one
		// (a dump that failed half-way), rather than seed what arrived.
		SchemaFromDatabase: in.Database.Schema != nil && in.Database.Schema.FromDatabase != nil}
	env := postgresSeedEnv(conn)
	if IsMySQL(in.Database) {
		// MySQL's seeder resets (drops every table) whenever asked, schema file or not: only a
		// schema of its own replaces what is there. A schema copied from prod, or created by
		// the application, stays (the seeder empties the tables it loads).
		call.Engine, call.Reset, env = contract.EngineMySQL, in.SchemaSQL, mysqlSeedEnv(conn)
	}
	var mounts []corev1.VolumeMount
	var volumes []corev1.Volume
	if in.SchemaSQL {
		call.SchemaFile = "/schema/schema.sql"
		mounts = append(mounts, corev1.VolumeMount{Name: "schema", MountPath: "/schema", ReadOnly: true})
		volumes = append(volumes, corev1.Volume{Name: "schema", VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: SchemaConfigMapName(in.Database.Name)}}}})
	}
	labels := map[string]string{"app.kubernetes.io/name": "envmirror-seed", "envmirror.io/database": in.Database.Name,
		LabelManagedBy: ManagedByValue}
	return oneShotJob{
		meta: metav1.ObjectMeta{Name: SeedJobName(in.Database.Name, in.Hash), Namespace: b.opts.TargetNamespace,
			Labels: labels, Annotations: map[string]string{"envmirror.io/data-hash": in.Hash}},
		deadline:    3600,
		uid:         seedUID,
		pullSecrets: in.PullSecrets,
		container: corev1.Container{
			Name: "seed", Image: in.Image, Command: []string{"/manager"}, Args: contract.Args(call),
			Env: append(env, corev1.EnvVar{Name: contract.SpecEnv, Value: in.SpecJSON}),
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("256Mi")}},
			VolumeMounts: mounts,
		},
		volumes: volumes,
	}.build()
}

// postgresSeedEnv is the seeding Job's connection to a PostgreSQL database: libpq's variables.
func postgresSeedEnv(conn Connection) []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: "PGHOST", Value: conn.Host},
		{Name: "PGPORT", Value: fmt.Sprint(conn.Port)},
		{Name: "PGDATABASE", Value: conn.Database},
		{Name: "PGUSER", Value: conn.User},
		{Name: "PGPASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: conn.Password.DeepCopy()}},
		{Name: "PGSSLMODE", Value: conn.SSLMode},
	}
}

// SchemaJobName names the Job that copies a database's schema from prod. It runs in the
// operator's namespace, so it is named after the environment as well.
func SchemaJobName(env *v1alpha1.MirrorEnvironment, db, hash string) string {
	return Shorten(env.Namespace+"-"+env.Name+"-"+db+"-schema-"+hash, 63)
}

// SchemaJob copies prod's schema into the copy's database (see SchemaJobFor), with no pull
// secrets.
func SchemaJob(env *v1alpha1.MirrorEnvironment, operatorNamespace, name, secretName, image string) *batchv1.Job {
	return SchemaJobFor(SchemaJobInput{Env: env, OperatorNamespace: operatorNamespace, Name: name, SecretName: secretName, Image: image})
}

// SchemaJobInput is what the schema Job needs.
type SchemaJobInput struct {
	Env               *v1alpha1.MirrorEnvironment
	OperatorNamespace string
	// Name names the Job (SchemaJobName); SecretName the Secret in the operator's namespace
	// with prod's DSN and the copy's (keys SOURCE_DSN and TARGET_DSN; for MySQL and MariaDB
	// MySQLSchemaSecretData's).
	Name, SecretName string
	// Image is the stand-in's image (StandIns.Image) or the copied database workload's: a
	// postgres image at least as new as prod's server (pg_dump refuses older ones), or the
	// mysql or mariadb image of prod's version.
	Image string
	// Engine is the database's engine: MySQL and MariaDB run contract.MySQLSchemaJobScript.
	Engine v1alpha1.DatabaseEngine
	// PullSecrets pull Image in the operator's namespace: the operator's own, and for an image
	// of the spec the copy of spec.config.secrets.pullSecretRef (SchemaJobPullSecret).
	PullSecrets []corev1.LocalObjectReference
}

// SchemaJobFor copies prod's schema into the copy's database. It runs in the operator's
// namespace with the prod DSN from a Secret there, so prod's credentials never enter the copy's
// namespace.
func SchemaJobFor(in SchemaJobInput) *batchv1.Job {
	if in.Engine == v1alpha1.DatabaseMySQL || in.Engine == v1alpha1.DatabaseMariaDB {
		return mysqlSchemaJob(in)
	}
	fromSecret := func(key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: in.SecretName}, Key: key}}
	}
	return oneShotJob{
		meta:        metav1.ObjectMeta{Name: in.Name, Namespace: in.OperatorNamespace, Labels: OwnershipLabels(in.Env)},
		deadline:    1800,
		uid:         postgresUID,
		pullSecrets: in.PullSecrets,
		container: corev1.Container{
			Name: "schema", Image: in.Image, Command: []string{"sh", "-c", contract.SchemaJobScript()},
			Env: []corev1.EnvVar{
				{Name: "SOURCE_DSN", ValueFrom: fromSecret("SOURCE_DSN")},
				{Name: "TARGET_DSN", ValueFrom: fromSecret("TARGET_DSN")},
			},
			TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		},
	}.build()
}

// SchemaJobPullSecretName names the copy of spec.config.secrets.pullSecretRef that the schema
// Job pulls a stand-in image of the spec with, in the operator's namespace.
func SchemaJobPullSecretName(job string) string { return job + "-pull" }

// SchemaJobPullSecret copies spec.config.secrets.pullSecretRef's docker config (a dev
// credential, never prod's) into the operator's namespace for the schema Job, labelled as the
// environment's so that deleting the environment removes it. The operator deletes it with
// the DSN Secret once the Job is done.
func SchemaJobPullSecret(env *v1alpha1.MirrorEnvironment, operatorNamespace, job string, dockerConfigJSON []byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metaType("v1", "Secret"),
		ObjectMeta: metav1.ObjectMeta{Name: SchemaJobPullSecretName(job), Namespace: operatorNamespace, Labels: ComponentLabels(env, ComponentData)},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: dockerConfigJSON},
	}
}

// TargetDSN is the copy database's address from outside the copy's namespace.
func TargetDSN(conn Connection, targetNamespace, password string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(conn.User, password),
		Host: conn.Host + "." + targetNamespace + ".svc:" + strconv.Itoa(int(conn.Port)), Path: "/" + conn.Database,
		RawQuery: "sslmode=" + conn.SSLMode}
	return u.String()
}
