package mirror_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
)

const elastiCache = "my-cache.abc123.0001.use1.cache.amazonaws.com"

func depsEnv() *v1alpha1.MirrorEnvironment {
	return testEnv(func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Dependencies = []v1alpha1.DependencySpec{
			{Name: "cache", Engine: v1alpha1.EngineRedis, Version: "7.1", Replaces: []string{"redis-prod", elastiCache}},
			{Name: "mq", Engine: v1alpha1.EngineRabbitMQ, VersionFrom: &v1alpha1.VersionProbe{SecretRef: v1alpha1.SecretKeyRef{Name: "mq-url"}}},
			{Name: "search", Engine: v1alpha1.EngineElasticsearch, Version: "8.15.0"},
		}
	})
}

func resolved(t *testing.T, engine v1alpha1.DependencyEngine, version string) mirror.DependencyVersion {
	t.Helper()
	r, err := deps.Resolve(engine, version, "")
	if err != nil {
		t.Fatal(err)
	}
	return mirror.DependencyVersion{Resolved: r}
}

// standIns has cache and search resolved; mq still waits for its probe.
func standIns(t *testing.T) mirror.StandIns {
	return mirror.NewStandIns(depsEnv(), func(name string) string { return "pw-" + name }, nil).WithDependencies(map[string]mirror.DependencyVersion{
		"cache":  resolved(t, v1alpha1.EngineRedis, "7.1"),
		"search": resolved(t, v1alpha1.EngineElasticsearch, "8.15.0"),
	})
}

func objectsByKey(objs []client.Object) map[string]client.Object {
	out := map[string]client.Object{}
	for _, o := range objs {
		out[o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName()] = o
	}
	return out
}

func TestDependencyStandIns(t *testing.T) {
	s := standIns(t)
	env := depsEnv()
	objs := objectsByKey(s.Objects(builder(t, env, nil)))
	var keys []string
	for k := range objs {
		keys = append(keys, k)
	}
	want := []string{
		"Secret/cache-credentials", "Service/cache", "Service/redis-prod", "StatefulSet/cache",
		"Secret/search-credentials", "Service/search", "StatefulSet/search",
	}
	if diff := cmp.Diff(want, keys, sortStrings); diff != "" {
		t.Errorf("objects (-want +got); mq waits for its probe and has none:\n%s", diff)
	}

	cache := objs["StatefulSet/cache"].(*appsv1.StatefulSet)
	c := cache.Spec.Template.Spec.Containers[0]
	if c.Image != "redis:7.0" {
		t.Errorf("ElastiCache 7.1 runs redis:7.0, got %s", c.Image)
	}
	if strings.Join(c.Args, " ") != "redis-server --requirepass $(REDIS_PASSWORD) --save  --appendonly no" {
		t.Errorf("args %q", c.Args)
	}
	if len(c.Env) != 1 || c.Env[0].ValueFrom.SecretKeyRef.Name != "cache-credentials" || c.Env[0].ValueFrom.SecretKeyRef.Key != "password" {
		t.Errorf("the password comes from the credentials Secret: %+v", c.Env)
	}
	if len(cache.Spec.VolumeClaimTemplates) != 0 || len(c.VolumeMounts) != 0 {
		t.Error("a cache stand-in keeps no data")
	}
	alias := objs["Service/redis-prod"].(*corev1.Service)
	if diff := cmp.Diff(cache.Spec.Selector.MatchLabels, alias.Spec.Selector); diff != "" {
		t.Errorf("the replaced prod Service leads to the stand-in:\n%s", diff)
	}
	sec := objs["Secret/cache-credentials"].(*corev1.Secret)
	if string(sec.Data["uri"]) != "redis://default:pw-cache@cache:6379" || string(sec.Data["password"]) != "pw-cache" {
		t.Errorf("credentials %q", sec.Data)
	}

	search := objs["StatefulSet/search"].(*appsv1.StatefulSet)
	if len(search.Spec.VolumeClaimTemplates) != 1 || search.Spec.Template.Spec.Containers[0].VolumeMounts[0].MountPath != "/usr/share/elasticsearch/data" {
		t.Error("a search stand-in keeps its data on a volume")
	}
	if *search.Spec.Template.Spec.SecurityContext.RunAsUser != 1000 || *search.Spec.Template.Spec.SecurityContext.RunAsGroup != 0 {
		t.Error("Elasticsearch runs as its own user, group 0")
	}
}

// Every engine's stand-in passes the real Pod Security "restricted" checks.
func TestDependencyStandInsAreRestricted(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range deps.Engines() {
		env := testEnv(func(env *v1alpha1.MirrorEnvironment) {
			env.Spec.Dependencies = []v1alpha1.DependencySpec{{Name: "dep", Engine: e.Name, Version: "8.0.0"}}
		})
		s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil).
			WithDependencies(map[string]mirror.DependencyVersion{"dep": resolved(t, e.Name, "8.0.0")})
		sts := objectsByKey(s.Objects(builder(t, env, nil)))["StatefulSet/dep"].(*appsv1.StatefulSet)
		for _, r := range eval.EvaluatePod(api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()},
			&sts.Spec.Template.ObjectMeta, &sts.Spec.Template.Spec) {
			if !r.Allowed {
				t.Errorf("%s: %s: %s", e.Name, r.ForbiddenReason, r.ForbiddenDetail)
			}
		}
	}
}

func TestDependencyReplacesAndCollisions(t *testing.T) {
	s := standIns(t)
	svc := func(name string, external bool) *corev1.Service {
		out := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name}}}
		if external {
			out.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: elastiCache}
		}
		return out
	}
	for _, tc := range []struct {
		obj  client.Object
		want bool
	}{
		{svc("cache", true), true},       // the ExternalName named like the stand-in
		{svc("redis-prod", false), true}, // named in replaces, even though it selects prod's pods
		{svc("mq", true), true},          // still being probed: its name is reserved already
		{svc("web", false), false},
		{&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "cache"}}, false},
	} {
		if got := s.Replaces(tc.obj); got != tc.want {
			t.Errorf("Replaces(%T %s) = %v", tc.obj, tc.obj.GetName(), got)
		}
	}
	got := s.Collisions([]client.Object{svc("search", false), &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "mq"}}, svc("redis-prod", false)})
	want := []string{
		"Service/search (it selects prod's pods) and the stand-in spec.dependencies[search]",
		"StatefulSet/mq and the stand-in spec.dependencies[mq]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("collisions (-want +got):\n%s", diff)
	}
}

func TestDependencyCredentialsAndRules(t *testing.T) {
	s := standIns(t)
	creds := s.Credentials()
	if string(creds["cache"]["uri"]) != "redis://default:pw-cache@cache:6379" || string(creds["cache-credentials"]["host"]) != "cache" {
		t.Errorf("templates see the stand-in's credentials: %q", creds["cache"])
	}
	if _, ok := creds["mq"]; ok {
		t.Error("a dependency still being probed has no credentials yet")
	}
	if !s.SecretNames()["cache-credentials"] || s.SecretNames()["mq-credentials"] {
		t.Errorf("secret names %v", s.SecretNames())
	}
	prod := []corev1.Service{{ObjectMeta: metav1.ObjectMeta{Name: "search"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "search-x.us-east-1.es.amazonaws.com."}}}
	rules := map[string]string{}
	for _, r := range s.RewriteRules(prod) {
		rules[r.From] = r.To
	}
	if rules[elastiCache] != "cache" || rules["search-x.us-east-1.es.amazonaws.com"] != "search" ||
		rules["https://search-x.us-east-1.es.amazonaws.com"] != "http://search:9200" {
		t.Errorf("the hosts in replaces, and those the replaced ExternalNames point to, lead to the stand-ins: %v", rules)
	}
	if diff := cmp.Diff([]string{"search", "search.shop-prod", "search.shop-prod.svc", "search.shop-prod.svc.cluster.local", "search-x.us-east-1.es.amazonaws.com"},
		mirror.DependencyNames(&depsEnv().Spec.Dependencies[2], src, prod)); diff != "" {
		t.Errorf("names of search (-want +got):\n%s", diff)
	}
}

func TestProbeJob(t *testing.T) {
	env := depsEnv()
	job := mirror.ProbeJob(mirror.ProbeJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: "j",
		Dependency: &env.Spec.Dependencies[1], Definitions: true, Image: "envmirror/manager:test"})
	c := job.Spec.Template.Spec.Containers[0]
	if strings.Join(c.Args, " ") != "probe --engine=rabbitmq --summary-file=/dev/termination-log --definitions" {
		t.Errorf("args %q", c.Args)
	}
	for _, e := range c.Env {
		if e.Value != "" || e.ValueFrom.SecretKeyRef.Name != "j" {
			t.Errorf("the URLs come from the Job's own Secret only: %+v", e)
		}
	}
	if job.Namespace != "envmirror-system" || job.Labels[mirror.LabelDependency] != "mq" || job.Labels[mirror.LabelComponent] != mirror.ComponentDeps {
		t.Errorf("job %s/%s labels %v", job.Namespace, job.Name, job.Labels)
	}
	// Prod's CA bundle (versionFrom.caSecretRef) reaches the probe from the same Secret, when the
	// operator copied it there.
	ca := false
	for _, e := range c.Env {
		if e.Name == deps.EnvCABundle {
			ref := e.ValueFrom.SecretKeyRef
			ca = ref.Key == mirror.ProbeCABundleKey && ref.Optional != nil && *ref.Optional
		}
	}
	if !ca {
		t.Errorf("the probe reads no CA bundle: %+v", c.Env)
	}
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

// MySQL's `--initialize` aborts when its data directory holds anything, and the root of a
// freshly formatted volume holds lost+found: the data directory is a subdirectory of the
// volume, as PostgreSQL's PGDATA is, for MySQL and MariaDB alike (both images' entrypoints read
// datadir from mysqld's options, create it and initialize it there).
func TestMySQLDataDirectoryIsBelowTheVolumeRoot(t *testing.T) {
	for _, engine := range []v1alpha1.DependencyEngine{v1alpha1.EngineMySQL, v1alpha1.EngineMariaDB} {
		env := testEnv(func(env *v1alpha1.MirrorEnvironment) {
			env.Spec.Dependencies = []v1alpha1.DependencySpec{{Name: "db", Engine: engine, Version: "5.7.44"}}
		})
		s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil).
			WithDependencies(map[string]mirror.DependencyVersion{"db": resolved(t, engine, "5.7.44")})
		c := objectsByKey(s.Objects(builder(t, env, nil)))["StatefulSet/db"].(*appsv1.StatefulSet).Spec.Template.Spec.Containers[0]
		if len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/var/lib/mysql" || c.VolumeMounts[0].SubPath != "" {
			t.Fatalf("%s: mounts %+v", engine, c.VolumeMounts)
		}
		// The first argument is an option, so the entrypoint runs mysqld (mariadbd) with it;
		// local_infile is on for the seeder's LOAD DATA LOCAL, which the app user cannot turn on.
		if len(c.Args) == 0 || c.Args[0] != "--datadir=/var/lib/mysql/data" || !slices.Contains(c.Args, "--local-infile=1") || len(c.Command) != 0 {
			t.Errorf("%s: command %q args %q", engine, c.Command, c.Args)
		}
	}
}

// TestStandInPolicySelectsEveryStandIn: the pods of every stand-in (a database's, a
// dependency's) are what the stand-ins' policy selects, and no copied workload's are.
func TestStandInPolicySelectsEveryStandIn(t *testing.T) {
	env := depsEnv()
	env.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", Engine: v1alpha1.DatabasePostgres, StandIn: &v1alpha1.StandInSpec{Version: "16.4"}}}
	s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil).WithDependencies(map[string]mirror.DependencyVersion{
		"cache": resolved(t, v1alpha1.EngineRedis, "7.1")})
	b := mirror.NewBuilder(mirror.Options{Env: env, TargetNamespace: "copy"}, nil)
	policy := b.StandInPolicy("envmirror-system")
	sel, err := metav1.LabelSelectorAsSelector(&policy.Spec.PodSelector)
	if err != nil {
		t.Fatal(err)
	}
	selected := 0
	for _, o := range s.Objects(b) {
		if sts, ok := o.(*appsv1.StatefulSet); ok {
			if !sel.Matches(labels.Set(sts.Spec.Template.Labels)) {
				t.Errorf("the stand-ins' policy does not select the pods of %s", sts.Name)
			}
			selected++
		}
	}
	if selected != 2 {
		t.Fatalf("%d stand-ins built, want the database's and the dependency's", selected)
	}
	if sel.Matches(labels.Set(map[string]string{"app": "api", "app.kubernetes.io/part-of": "shop"})) {
		t.Error("the stand-ins' policy selects a copied workload's pods")
	}
}
