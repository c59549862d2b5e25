package mirror_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
)

// imageUsers are the users the official images run as, read from their Dockerfiles (not from
// the engine table, which this checks): a pod that runs as another user may not write what the
// image gave its own user.
var imageUsers = map[string][2]int64{
	// docker-library/postgres: groupadd -r postgres --gid=999; useradd -r -g postgres --uid=999
	// (postgis/postgis and pgvector/pgvector build FROM postgres).
	"postgres": {999, 999}, "postgres-client": {999, 999},
	// docker-library/redis, valkey-io/valkey-container (Debian): groupadd -r -g 999; useradd -r -u 999.
	"redis": {999, 999}, "valkey": {999, 999},
	// docker-library/rabbitmq: groupadd --gid 999 --system rabbitmq; useradd --uid 999.
	"rabbitmq": {999, 999},
	// Elasticsearch's image: user elasticsearch 1000, its files group 0.
	"elasticsearch": {1000, 0},
	// opensearchproject/opensearch: opensearch 1000:1000.
	"opensearch": {1000, 1000},
	// docker-library/mysql: groupadd --system --gid 999 mysql; useradd --system --uid 999.
	// MariaDB/mariadb-docker: groupadd -r mysql && useradd -r -g mysql mysql (the first system
	// ids, 999).
	"mysql": {999, 999}, "mariadb": {999, 999}, "mysql-client": {999, 999},
	// The manager image (distroless static, nonroot).
	"manager": {65532, 65532},
}

// writableDirs are the directories each image writes besides its volume, which a read-only root
// filesystem must leave writable (from its entrypoint and server).
var writableDirs = map[string][]string{
	"postgres": {"/var/run/postgresql", "/tmp"},
	// The schema Job runs psql and pg_dump over TCP: only the dump's directory under /tmp.
	"postgres-client": {"/tmp"},
	// The MySQL schema Job's script keeps its files in mktemp's /tmp.
	"mysql-client": {"/tmp"},
	"manager":      {"/tmp"},
}

type builtPod struct {
	name, image string // image: a key of imageUsers
	spec        *corev1.PodSpec
	meta        *corev1.PodTemplateSpec
	volumeRoots []string // where volumes (claims) are mounted
}

func podsToJudge(t *testing.T) []builtPod {
	t.Helper()
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Data = []v1alpha1.DatabaseSpec{
			{Name: "official-db", StandIn: &v1alpha1.StandInSpec{Version: "18.1"}},
			{Name: "postgis-db", StandIn: &v1alpha1.StandInSpec{Version: "16.4"},
				Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "dsn"}}}},
			{Name: "mysql-db", Engine: v1alpha1.DatabaseMySQL, StandIn: &v1alpha1.StandInSpec{Version: "8.0.36"}},
		}
	})
	versions := map[string]mirror.DependencyVersion{}
	for _, e := range deps.Engines() {
		name := "dep-" + string(e.Name)
		env.Spec.Dependencies = append(env.Spec.Dependencies, v1alpha1.DependencySpec{Name: name, Engine: e.Name, Version: "8.0.0"})
		versions[name] = resolved(t, e.Name, "8.0.0")
	}
	s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil).WithDependencies(versions).
		WithProdDatabases(map[string]mirror.ProdDatabase{"postgis-db": {ServerVersion: "16.4", Extensions: nil}})
	var out []builtPod
	for _, o := range s.Objects(builder(t, env, nil)) {
		sts, ok := o.(*appsv1.StatefulSet)
		if !ok {
			continue
		}
		image := "postgres"
		if engine := sts.Labels["envmirror.io/engine"]; engine != "" {
			image = engine
		}
		var roots []string
		for _, m := range sts.Spec.Template.Spec.Containers[0].VolumeMounts {
			if m.Name == "data" {
				roots = append(roots, m.MountPath)
			}
		}
		out = append(out, builtPod{"StatefulSet/" + sts.Name, image, &sts.Spec.Template.Spec, &sts.Spec.Template, roots})
	}
	b := builder(t, env, nil)
	d := &env.Spec.Data[1]
	jobs := []struct {
		job   *batchv1.Job
		image string
	}{
		{b.SeedJob(mirror.SeedJobInput{Database: d, Hash: "h", Image: "envmirror/manager:test", SpecJSON: "{}", SchemaSQL: true}), "manager"},
		{mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: "ops", Name: "s", SecretName: "s", Image: s.Image(d)}), "postgres-client"},
		{mirror.ProbeJob(mirror.ProbeJobInput{Env: env, OperatorNamespace: "ops", Name: "p", Dependency: &env.Spec.Dependencies[0], Image: "envmirror/manager:test"}), "manager"},
		{mirror.DatabaseProbeJob(mirror.DatabaseProbeJobInput{Env: env, OperatorNamespace: "ops", Name: "q", Database: d, Image: "envmirror/manager:test"}), "manager"},
		{b.SeedJob(mirror.SeedJobInput{Database: &env.Spec.Data[2], Hash: "m", Image: "envmirror/manager:test", SpecJSON: "{}", SchemaSQL: true}), "manager"},
		{mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: "ops", Name: "ms", SecretName: "ms", Image: s.Image(&env.Spec.Data[2]),
			Engine: v1alpha1.DatabaseMySQL}), "mysql-client"},
	}
	for _, j := range jobs {
		out = append(out, builtPod{"Job/" + j.job.Name, j.image, &j.job.Spec.Template.Spec, &j.job.Spec.Template, nil})
	}
	if len(out) != 3+len(deps.Engines())+6 {
		t.Fatalf("built %d pods", len(out))
	}
	return out
}

// Every pod the operator builds would start under Pod Security "restricted" with the official
// images: admitted (the real checks), as the image's own user, its volume given to that group
// only when the root does not match (a recursive pass on every mount breaks PostgreSQL's and
// Erlang's permission checks), and with a writable directory for everything the image writes
// where its root filesystem is read-only.
func TestEveryPodStartsRestricted(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range podsToJudge(t) {
		t.Run(p.name, func(t *testing.T) {
			for _, r := range eval.EvaluatePod(api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}, &p.meta.ObjectMeta, p.spec) {
				if !r.Allowed {
					t.Errorf("restricted: %s: %s", r.ForbiddenReason, r.ForbiddenDetail)
				}
			}
			sc := p.spec.SecurityContext
			want := imageUsers[p.image]
			if *sc.RunAsUser != want[0] || *sc.RunAsGroup != want[1] || *sc.FSGroup != want[1] {
				t.Errorf("runs as %d:%d (fsGroup %d), the %s image's user is %d:%d", *sc.RunAsUser, *sc.RunAsGroup, *sc.FSGroup, p.image, want[0], want[1])
			}
			if sc.FSGroupChangePolicy == nil || *sc.FSGroupChangePolicy != corev1.FSGroupChangeOnRootMismatch {
				t.Errorf("fsGroupChangePolicy %v", sc.FSGroupChangePolicy)
			}
			c := p.spec.Containers[0]
			if c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem {
				for _, dir := range writableDirs[p.image] {
					if !mountedEmptyDir(p.spec, c, dir) {
						t.Errorf("read-only root, and nothing writable at %s, which the %s image writes", dir, p.image)
					}
				}
			}
		})
	}
}

func mountedEmptyDir(spec *corev1.PodSpec, c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
	}
	return false
}

// Which pods have a read-only root: the Jobs and the official PostgreSQL images, whose writes
// are known; the other engines' images write in places of their own (configuration, keystores,
// logs), and an image of the spec may write anywhere.
func TestReadOnlyRootFilesystems(t *testing.T) {
	readOnly := map[string]bool{}
	for _, p := range podsToJudge(t) {
		c := p.spec.Containers[0]
		readOnly[p.name] = c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem
	}
	for name, want := range map[string]bool{
		"StatefulSet/official-db": true, "StatefulSet/postgis-db": true, "StatefulSet/dep-redis": false, "StatefulSet/dep-rabbitmq": false,
		"Job/s": true, "Job/p": true, "Job/q": true, "Job/ms": true, "StatefulSet/mysql-db": false,
	} {
		if readOnly[name] != want {
			t.Errorf("%s: read-only root %v, want %v", name, readOnly[name], want)
		}
	}
	env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "db", StandIn: &v1alpha1.StandInSpec{Version: "16", Image: "registry.example/pg:16"}}}
	})
	sts := objectsByKey(mirror.NewStandIns(env, func(string) string { return "pw" }, nil).Objects(builder(t, env, nil)))["StatefulSet/db"].(*appsv1.StatefulSet)
	if ro := sts.Spec.Template.Spec.Containers[0].SecurityContext.ReadOnlyRootFilesystem; ro != nil && *ro {
		t.Error("an image of the spec keeps a writable root")
	}
}

// RabbitMQ's Erlang cookie lives in $HOME, which the image sets to its data directory (the
// volume). A remount that gives the volume to fsGroup again makes the cookie group-readable, and
// Erlang then refuses to start: $HOME is an emptyDir instead, off the volume.
func TestRabbitMQCookieIsOffTheVolume(t *testing.T) {
	for _, p := range podsToJudge(t) {
		if p.image != "rabbitmq" {
			continue
		}
		c := p.spec.Containers[0]
		home := ""
		for _, e := range c.Env {
			if e.Name == "HOME" {
				home = e.Value
			}
		}
		if home == "" || !mountedEmptyDir(p.spec, c, home) {
			t.Fatalf("HOME %q is not an emptyDir (mounts %+v)", home, c.VolumeMounts)
		}
		for _, root := range p.volumeRoots {
			if home == root || strings.HasPrefix(home, root+"/") {
				t.Errorf("HOME %s is on the volume at %s", home, root)
			}
		}
		return
	}
	t.Fatal("no RabbitMQ stand-in was built")
}
