package mirror

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// StandIns are the services the operator runs in the copy in place of prod's managed ones: a
// PostgreSQL or MySQL of spec.data for an RDS, a Redis of spec.dependencies for an ElastiCache. It owns
// everything about them: their objects, their credentials (which Secret templates may use),
// which copies of prod's objects they take the place of, and which copies would collide with
// them.
type StandIns struct {
	env *v1alpha1.MirrorEnvironment
	// password derives a stand-in's password from the environment's keyring, so the stand-in,
	// the seeding Job and the templates that build connection strings agree without storing it
	// twice.
	password func(name string) string
	// extensions maps a database to the extensions its schema creates, so its stand-in runs an
	// image that has them (PostGIS, say).
	extensions map[string][]string
	// versions are what the spec.dependencies entries run, by name. An entry without one (its
	// version is still being probed) reserves its names but has no objects yet.
	versions map[string]DependencyVersion
	// prodDatabases are what the probes of prod's databases read (WithProdDatabases); nil when
	// the operator runs no such probes.
	prodDatabases map[string]ProdDatabase
	// pullSecret is spec.config.secrets.pullSecretRef's docker config (WithPullSecret).
	pullSecret []byte
}

// StandInPullSecretName is the copy's Secret that stand-ins running an image of the spec pull
// with (WithPullSecret).
const StandInPullSecretName = "envmirror-standin-pull"

// WithPullSecret gives the stand-ins that run an image of the spec (spec.data[].standIn.image,
// spec.dependencies[].image, which may be private) the registry credentials of
// spec.config.secrets.pullSecretRef: dockerConfigJSON is that Secret's .dockerconfigjson (a dev
// credential, never prod's). Objects then writes it to the copy as StandInPullSecretName and
// those stand-ins' pods pull with it; the official images need none and get none.
func (s StandIns) WithPullSecret(dockerConfigJSON []byte) StandIns {
	s.pullSecret = dockerConfigJSON
	return s
}

// pullSecrets are the imagePullSecrets of a stand-in whose image the spec names (or not).
func (s StandIns) pullSecrets(specImage bool) []corev1.LocalObjectReference {
	if !specImage || len(s.pullSecret) == 0 {
		return nil
	}
	return []corev1.LocalObjectReference{{Name: StandInPullSecretName}}
}

// needsPullSecret reports whether a stand-in runs an image of the spec while there are
// credentials to pull it with.
func (s StandIns) needsPullSecret() bool {
	if len(s.pullSecret) == 0 {
		return false
	}
	for _, d := range s.databases() {
		if d.StandIn.Image != "" {
			return true
		}
	}
	for _, d := range s.resolved() {
		if d.Image != "" {
			return true
		}
	}
	return false
}

// NewStandIns describes the environment's stand-ins. schemas maps a database to its schema SQL
// where it is known before seeding (a ConfigMap schema): a PostgreSQL schema names the
// extensions its stand-in's image needs.
func NewStandIns(env *v1alpha1.MirrorEnvironment, password func(name string) string, schemas map[string]string) StandIns {
	ext := map[string][]string{}
	for i := range env.Spec.Data {
		d := &env.Spec.Data[i]
		if sql, ok := schemas[d.Name]; ok && !IsMySQL(d) {
			ext[d.Name] = contract.RequiredExtensions(sql)
		}
	}
	return StandIns{env: env, password: password, extensions: ext}
}

// Image is the image a database's stand-in runs: the spec's, or the official PostgreSQL image
// of its version, or one that also has the extensions its schema needs (see Database); empty
// while that is not known yet.
func (s StandIns) Image(d *v1alpha1.DatabaseSpec) string {
	ds, _ := s.Database(d)
	return ds.Image
}

// WithDependencies adds the spec.dependencies entries whose version is known.
func (s StandIns) WithDependencies(versions map[string]DependencyVersion) StandIns {
	s.versions = versions
	return s
}

// Dependency returns what a spec.dependencies entry runs, when known.
func (s StandIns) Dependency(name string) (DependencyVersion, bool) {
	v, ok := s.versions[name]
	return v, ok
}

// dependencies are the spec.dependencies entries.
func (s StandIns) dependencies() []*v1alpha1.DependencySpec {
	out := make([]*v1alpha1.DependencySpec, 0, len(s.env.Spec.Dependencies))
	for i := range s.env.Spec.Dependencies {
		out = append(out, &s.env.Spec.Dependencies[i])
	}
	return out
}

// resolved are the dependencies whose version is known, with it.
func (s StandIns) resolved() []*v1alpha1.DependencySpec {
	var out []*v1alpha1.DependencySpec
	for _, d := range s.dependencies() {
		if _, ok := s.versions[d.Name]; ok {
			out = append(out, d)
		}
	}
	return out
}

// StandInPasswordScope is the keyring scope of stand-in passwords.
const StandInPasswordScope = "standin"

// databases are the spec.data entries the operator runs.
func (s StandIns) databases() []*v1alpha1.DatabaseSpec {
	var out []*v1alpha1.DatabaseSpec
	for i := range s.env.Spec.Data {
		if d := &s.env.Spec.Data[i]; d.StandIn != nil {
			out = append(out, d)
		}
	}
	return out
}

// Names are the stand-ins' names, which are also their Service and StatefulSet names. A
// dependency still being probed has its name already.
func (s StandIns) Names() map[string]bool {
	out := map[string]bool{}
	for _, d := range s.databases() {
		out[d.Name] = true
	}
	for _, d := range s.dependencies() {
		out[d.Name] = true
	}
	return out
}

// Password is a stand-in's password.
func (s StandIns) Password(name string) string { return s.password(name) }

// Credentials are the stand-ins' credentials, by stand-in name and by credentials Secret name,
// for Secret templates (`{{ secret "orders-db" "password" }}`).
func (s StandIns) Credentials() map[string]map[string][]byte {
	out := map[string]map[string][]byte{}
	for _, d := range s.databases() {
		creds := StandInCredentials(d, s.password(d.Name))
		out[d.Name] = creds
		out[StandInSecretName(d.Name)] = creds
	}
	for _, d := range s.resolved() {
		v := s.versions[d.Name]
		creds := v.Engine.Credentials(d.Name, v.Version, s.password(d.Name), v.Database)
		out[d.Name] = creds
		out[StandInSecretName(d.Name)] = creds
	}
	return out
}

// SecretNames are the names of the stand-ins' credentials Secrets: a prod Secret of the same
// name is replaced by the stand-in's in the copy.
func (s StandIns) SecretNames() map[string]bool {
	out := map[string]bool{}
	for _, d := range s.databases() {
		out[StandInSecretName(d.Name)] = true
	}
	for _, d := range s.resolved() {
		out[StandInSecretName(d.Name)] = true
	}
	if s.needsPullSecret() {
		out[StandInPullSecretName] = true
	}
	return out
}

// Objects builds every stand-in's objects.
func (s StandIns) Objects(b *Builder) []client.Object {
	var out []client.Object
	if s.needsPullSecret() {
		out = append(out, &corev1.Secret{
			TypeMeta:   metaType("v1", "Secret"),
			ObjectMeta: metav1.ObjectMeta{Name: StandInPullSecretName, Namespace: b.opts.TargetNamespace},
			Type:       corev1.SecretTypeDockerConfigJson,
			Data:       map[string][]byte{corev1.DockerConfigJsonKey: s.pullSecret},
		})
	}
	for _, d := range s.databases() {
		ds, ok := s.Database(d)
		if !ok || ds.Problem != "" {
			continue // waiting for prod's version, or stopped: the name is reserved, nothing is built
		}
		if IsMySQL(d) {
			objs := b.mysqlStandIn(d, s.password(d.Name), ds)
			objs[len(objs)-1].(*appsv1.StatefulSet).Spec.Template.Spec.ImagePullSecrets = s.pullSecrets(d.StandIn.Image != "")
			out = append(out, objs...)
			continue
		}
		sec, svc, sts := b.postgresStandIn(d, s.password(d.Name), ds.Image)
		sts.Spec.Template.Spec.ImagePullSecrets = s.pullSecrets(d.StandIn.Image != "")
		out = append(out, sec, svc, sts)
	}
	for _, d := range s.resolved() {
		objs := b.dependencyStandIn(d, s.versions[d.Name], s.password(d.Name))
		if sts, ok := objs[len(objs)-1].(*appsv1.StatefulSet); ok {
			sts.Spec.Template.Spec.ImagePullSecrets = s.pullSecrets(d.Image != "")
		}
		out = append(out, objs...)
	}
	return out
}

// RewriteRules point the hosts the dependencies stand in for (DependencyHosts) at their
// stand-ins (see deps.Engine.RewriteRules), for the configuration's Rewriter.
func (s StandIns) RewriteRules(prodServices []corev1.Service) []v1alpha1.RewriteRule {
	var out []v1alpha1.RewriteRule
	for _, d := range s.dependencies() {
		e, ok := deps.Lookup(d.Engine)
		if !ok {
			continue
		}
		for _, h := range DependencyHosts(d, prodServices) {
			out = append(out, e.RewriteRules(h, d.Name)...)
		}
	}
	return out
}

// Replaces reports whether the copy of a prod Service is replaced by a stand-in: prod reaches
// its managed service through that name (an ExternalName to RDS, or a selector-less Service
// with manual endpoints), and in the copy the name must lead to the stand-in; or a dependency
// names the Service in its replaces, whatever it is. A Service that selects pods and shares a
// stand-in's name without being named in replaces is a collision instead (see Collisions),
// never silently replaced.
func (s StandIns) Replaces(obj client.Object) bool {
	svc, ok := obj.(*corev1.Service)
	if !ok {
		return false
	}
	if s.Names()[svc.Name] && pointsOutside(svc) {
		return true
	}
	for _, d := range s.dependencies() {
		if slices.Contains(d.Replaces, svc.Name) {
			return true
		}
	}
	return false
}

func pointsOutside(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeExternalName || len(svc.Spec.Selector) == 0
}

// Collisions lists copies of prod's objects whose names a stand-in needs: a Service that
// fronts prod's pods, or a StatefulSet. Each entry names both sides, for a condition.
func (s StandIns) Collisions(copies []client.Object) []string {
	names := s.Names()
	var out []string
	for _, o := range copies {
		if !names[o.GetName()] {
			continue
		}
		field := s.field(o.GetName())
		switch o := o.(type) {
		case *corev1.Service:
			if !s.Replaces(o) {
				out = append(out, "Service/"+o.Name+" (it selects prod's pods) and the stand-in "+field)
			}
		case *appsv1.StatefulSet:
			out = append(out, "StatefulSet/"+o.Name+" and the stand-in "+field)
		}
	}
	return out
}

// field names the spec entry of a stand-in, for messages.
func (s StandIns) field(name string) string {
	for _, d := range s.dependencies() {
		if d.Name == name {
			return "spec.dependencies[" + name + "]"
		}
	}
	return "spec.data[" + name + "]"
}

// podLabels are a stand-in pod's labels: its selector's, plus managed-by, because the operator's
// cache holds only what it labels and it reads the stand-in's pod (the digest it runs).
func podLabels(selector map[string]string) map[string]string {
	out := map[string]string{LabelManagedBy: ManagedByValue}
	for k, v := range selector {
		out[k] = v
	}
	return out
}

// postgresUID is the postgres user of the official images; seedUID is the manager image's.
const (
	postgresUID = 999
	seedUID     = 65532
)

// restrictedPod and restrictedContainer meet Pod Security "restricted", so the operator's own
// pods run in namespaces that enforce it.
func restrictedPod(uid int64) *corev1.PodSecurityContext { return restrictedPodAs(uid, uid) }

// restrictedPodAs runs as an image's own user and group (Elasticsearch's files belong to group
// 0, which "restricted" allows: it forbids only user 0). The kubelet gives a volume to fsGroup
// only while its root does not already belong to it (OnRootMismatch): a recursive pass on every
// mount makes each file group-readable and -writable again, which PostgreSQL's data directory
// and Erlang's cookie refuse, and it costs a walk of the whole volume on every restart.
func restrictedPodAs(uid, gid int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot: ptr.To(true), RunAsUser: ptr.To(uid), RunAsGroup: ptr.To(gid), FSGroup: ptr.To(gid),
		FSGroupChangePolicy: ptr.To(corev1.FSGroupChangeOnRootMismatch),
		SeccompProfile:      &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

func restrictedContainer() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// postgresStandIn builds a database the operator runs in the copy, for a prod whose database is
// managed outside the cluster (RDS, Cloud SQL): the same engine at the same version. It returns
// the credentials Secret, the Service (named after the entry, so it takes the place of prod's
// name for the database) and the StatefulSet.
func (b *Builder) postgresStandIn(d *v1alpha1.DatabaseSpec, password, image string) (*corev1.Secret, *corev1.Service, *appsv1.StatefulSet) {
	labels := map[string]string{"app.kubernetes.io/name": d.Name, "app.kubernetes.io/component": "database-stand-in"}
	meta := func(name string) metav1.ObjectMeta {
		m := metav1.ObjectMeta{Name: name, Namespace: b.opts.TargetNamespace, Labels: map[string]string{}}
		for k, v := range labels {
			m.Labels[k] = v
		}
		return m
	}
	secret := &corev1.Secret{
		TypeMeta: metaType("v1", "Secret"), ObjectMeta: meta(StandInSecretName(d.Name)),
		Type: corev1.SecretTypeOpaque, Data: StandInCredentials(d, password),
	}
	svc := &corev1.Service{
		TypeMeta: metaType("v1", "Service"), ObjectMeta: meta(d.Name),
		Spec: corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{
			Name: "postgres", Port: postgresPort, TargetPort: intstr.FromString("postgres")}}},
	}
	secretKey := func(key string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret.Name}, Key: key}}
	}
	sts := &appsv1.StatefulSet{
		TypeMeta: metaType("apps/v1", "StatefulSet"), ObjectMeta: meta(d.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](1), ServiceName: d.Name,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels(labels)},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext:              restrictedPod(postgresUID),
					Containers: []corev1.Container{{
						Name: "postgres", Image: image, SecurityContext: restrictedContainer(),
						Ports: []corev1.ContainerPort{{Name: "postgres", ContainerPort: postgresPort}},
						Env: []corev1.EnvVar{
							{Name: "POSTGRES_USER", ValueFrom: secretKey("username")},
							{Name: "POSTGRES_PASSWORD", ValueFrom: secretKey("password")},
							{Name: "POSTGRES_DB", ValueFrom: secretKey("database")},
							{Name: "PGDATA", Value: "/var/lib/postgresql/data/pgdata"},
						},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{
								Command: []string{"sh", "-c", `pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1`}}},
							PeriodSeconds: 5, TimeoutSeconds: 3,
						},
						Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
							corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("256Mi")}},
						VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/var/lib/postgresql/data"}},
					}},
				},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{dataClaim(d.StandIn.Storage)},
		},
	}
	if d.StandIn.Image == "" {
		readOnlyPostgres(&sts.Spec.Template.Spec)
	}
	return secret, svc, sts
}

// readOnlyPostgres gives an official PostgreSQL image (postgres, postgis/postgis,
// pgvector/pgvector) a read-only root filesystem. Its entrypoint and server write only PGDATA
// (the volume), /var/run/postgresql (the socket and its lock file) and, for a user the image's
// /etc/passwd lacks, nss_wrapper's files from mktemp under /tmp: each gets an emptyDir. (An image
// of the spec may write elsewhere, and keeps a writable root.)
func readOnlyPostgres(spec *corev1.PodSpec) {
	c := &spec.Containers[0]
	c.SecurityContext.ReadOnlyRootFilesystem = ptr.To(true)
	for _, dir := range []struct{ name, path string }{{"run", "/var/run/postgresql"}, {"tmp", "/tmp"}} {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: dir.name, MountPath: dir.path})
		spec.Volumes = append(spec.Volumes, emptyDir(dir.name))
	}
}
