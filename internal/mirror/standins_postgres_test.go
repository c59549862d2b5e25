package mirror_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/deps"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

func fromProd(version string) func(*v1alpha1.MirrorEnvironment) {
	return func(e *v1alpha1.MirrorEnvironment) {
		e.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", StandIn: &v1alpha1.StandInSpec{Version: version},
			Schema: &v1alpha1.SchemaSource{FromDatabase: &v1alpha1.FromDatabaseSchema{SecretRef: v1alpha1.SecretKeyRef{Name: "prod-dsn"}}}}}
	}
}

func postgresImage(t *testing.T, s mirror.StandIns, env *v1alpha1.MirrorEnvironment) string {
	t.Helper()
	objs := objectsByKey(s.Objects(builder(t, env, nil)))
	sts, ok := objs["StatefulSet/orders-db"].(*appsv1.StatefulSet)
	if !ok {
		return ""
	}
	return sts.Spec.Template.Spec.Containers[0].Image
}

// A schema read from prod chooses the stand-in from what prod's database really is: its version
// when the spec sets none, and an image with its extensions.
func TestDatabaseStandInFromProd(t *testing.T) {
	pw := func(string) string { return "pw" }
	postgis := []contract.Extension{{Name: "plpgsql", Version: "1.0"}, {Name: "postgis", Version: "3.6.1"}}
	for _, tc := range []struct {
		name         string
		specVersion  string
		specImage    v1alpha1.ImageReference
		probed       *mirror.ProdDatabase // nil: the probe has not answered
		wantImage    string               // "" : no stand-in yet
		wantMismatch string
	}{
		{name: "no version: waits for the probe", wantImage: ""},
		{name: "a version: still waits, the probe chooses the image", specVersion: "16", wantImage: ""},
		{name: "prod's version runs", probed: &mirror.ProdDatabase{ServerVersion: "16.4 (Debian 16.4-1.pgdg120+1)"}, wantImage: "postgres:16.4"},
		{name: "PostGIS on PostgreSQL 18", probed: &mirror.ProdDatabase{ServerVersion: "18.1", Extensions: postgis},
			wantImage: "postgis/postgis:18-3.6"},
		{name: "pgvector", probed: &mirror.ProdDatabase{ServerVersion: "17.2", Extensions: []contract.Extension{{Name: "vector", Version: "0.8.0"}}},
			wantImage: "pgvector/pgvector:pg17"},
		{name: "a pinned version that is not prod's", specVersion: "16.2", probed: &mirror.ProdDatabase{ServerVersion: "16.4"},
			wantImage: "postgres:16.2", wantMismatch: "spec.data[orders-db].standIn.version runs PostgreSQL 16.2, prod runs 16.4"},
		{name: "a pinned major is prod's", specVersion: "16", probed: &mirror.ProdDatabase{ServerVersion: "16.4"}, wantImage: "postgres:16"},
		{name: "an image of the spec at another major", specImage: "registry.example/pg:15.7", probed: &mirror.ProdDatabase{ServerVersion: "16.4"},
			wantImage: "registry.example/pg:15.7", wantMismatch: "standIn.image runs PostgreSQL 15.7, prod runs 16.4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(fromProd(tc.specVersion))
			env.Spec.Data[0].StandIn.Image = tc.specImage
			probed := map[string]mirror.ProdDatabase{}
			if tc.probed != nil {
				probed["orders-db"] = *tc.probed
			}
			s := mirror.NewStandIns(env, pw, nil).WithProdDatabases(probed)
			if got := postgresImage(t, s, env); got != tc.wantImage {
				t.Errorf("stand-in image %q, want %q", got, tc.wantImage)
			}
			if !s.Names()["orders-db"] {
				t.Error("a stand-in waiting for its probe has its name already")
			}
			mismatches := s.VersionMismatches()
			if tc.wantMismatch == "" && len(mismatches) > 0 || tc.wantMismatch != "" && (len(mismatches) != 1 || !strings.Contains(mismatches[0], tc.wantMismatch)) {
				t.Errorf("mismatches %q, want %q", mismatches, tc.wantMismatch)
			}
		})
	}
}

// An operator that runs no database probes (no WithProdDatabases) runs the spec as it says.
func TestDatabaseStandInWithoutProbes(t *testing.T) {
	env := testEnv(fromProd("16.4"))
	s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil)
	if got := postgresImage(t, s, env); got != "postgres:16.4" {
		t.Errorf("image %q", got)
	}
	ds, ok := s.Database(&env.Spec.Data[0])
	if !ok || ds.ProdVersion != "" || ds.Mismatch != "" {
		t.Errorf("%+v %v", ds, ok)
	}
}

// Extensions no official image has say what to set.
func TestDatabaseStandInUnavailableExtensions(t *testing.T) {
	env := testEnv(fromProd(""))
	s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil).WithProdDatabases(map[string]mirror.ProdDatabase{
		"orders-db": {ServerVersion: "15.6", Extensions: []contract.Extension{{Name: "aws_s3", Version: "1.1"}}}})
	ds, ok := s.Database(&env.Spec.Data[0])
	if !ok || ds.Image != "postgres:15.6" || len(ds.Unavailable) != 1 || !strings.Contains(ds.Note, "standIn.image") {
		t.Errorf("%+v %v", ds, ok)
	}
}

func TestDatabaseProbeJob(t *testing.T) {
	env := testEnv(fromProd(""))
	d := &env.Spec.Data[0]
	name := mirror.DatabaseProbeJobName(env, d)
	job := mirror.DatabaseProbeJob(mirror.DatabaseProbeJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: name,
		Database: d, Image: "envmirror/manager:test"})
	c := job.Spec.Template.Spec.Containers[0]
	if strings.Join(c.Args, " ") != "probe --engine=postgres --summary-file=/dev/termination-log" {
		t.Errorf("args %q", c.Args)
	}
	for _, e := range c.Env {
		if e.Value != "" || e.ValueFrom.SecretKeyRef.Name != name {
			t.Errorf("prod's DSN comes from the Job's own Secret only: %+v", e)
		}
	}
	if job.Namespace != "envmirror-system" || job.Labels[mirror.LabelDatabase] != "orders-db" || job.Labels[mirror.LabelComponent] != mirror.ComponentDeps {
		t.Errorf("job %s/%s labels %v", job.Namespace, job.Name, job.Labels)
	}
	other := testEnv(fromProd(""))
	other.Spec.Data[0].Schema.FromDatabase.SecretRef.Name = "another-dsn"
	if mirror.DatabaseProbeJobName(other, &other.Spec.Data[0]) == name {
		t.Error("another Secret must probe again")
	}
}

func TestProdDatabaseFromProbe(t *testing.T) {
	p := mirror.ProdDatabaseFromProbe(deps.Summary{Engine: "postgres", Version: "16.4 (Debian 16.4-1)",
		Extensions: []contract.Extension{{Name: "postgis", Version: "3.4.2"}}, ExtensionsCut: true})
	env := testEnv(fromProd(""))
	s := mirror.NewStandIns(env, func(string) string { return "pw" }, nil).WithProdDatabases(map[string]mirror.ProdDatabase{"orders-db": p})
	ds, ok := s.Database(&env.Spec.Data[0])
	if !ok || ds.Image != "postgis/postgis:16-3.4" || ds.ProdVersion != "16.4" || !strings.Contains(ds.Note, "more extensions than the probe could report") {
		t.Errorf("%+v %v", ds, ok)
	}
}
