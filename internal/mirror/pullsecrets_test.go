package mirror_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

const dockerConfig = `{"auths":{"registry.example":{"auth":"ZGV2OmRldg=="}}}`

// A stand-in image of the spec may be private: the schema Job that runs it in the operator's
// namespace, and the stand-in itself in the copy, pull it with the credentials of
// spec.config.secrets.pullSecretRef.
func TestSchemaJobPullSecrets(t *testing.T) {
	env := testEnv(fromProd("16"))
	env.Spec.Data[0].StandIn.Image = "registry.example/postgres:16.4"
	pull := []corev1.LocalObjectReference{{Name: "manager-regcred"}, {Name: mirror.SchemaJobPullSecretName("j")}}
	job := mirror.SchemaJobFor(mirror.SchemaJobInput{Env: env, OperatorNamespace: "envmirror-system", Name: "j", SecretName: "j",
		Image: "registry.example/postgres:16.4", PullSecrets: pull})
	if diff := cmp.Diff(pull, job.Spec.Template.Spec.ImagePullSecrets); diff != "" {
		t.Errorf("the schema Job's pull secrets (-want +got):\n%s", diff)
	}
	sec := mirror.SchemaJobPullSecret(env, "envmirror-system", "j", []byte(dockerConfig))
	if sec.Name != mirror.SchemaJobPullSecretName("j") || sec.Namespace != "envmirror-system" || sec.Type != corev1.SecretTypeDockerConfigJson ||
		string(sec.Data[corev1.DockerConfigJsonKey]) != dockerConfig || sec.Labels[mirror.LabelEnvironmentUID] != string(env.UID) {
		t.Errorf("the schema Job's pull secret: %+v", sec)
	}
}

func TestStandInPullSecrets(t *testing.T) {
	pw := func(string) string { return "pw" }
	for _, tc := range []struct {
		name       string
		dbImage    v1alpha1.ImageReference
		depImage   v1alpha1.ImageReference
		config     string
		wantSecret bool
		wantDB     bool
		wantDep    bool
	}{
		{name: "official images need none", config: dockerConfig},
		{name: "a private database image", dbImage: "registry.example/postgres:16.4", config: dockerConfig, wantSecret: true, wantDB: true},
		{name: "a private dependency image", depImage: "registry.example/redis:7.2.4", config: dockerConfig, wantSecret: true, wantDep: true},
		{name: "no credentials to give", dbImage: "registry.example/postgres:16.4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(func(e *v1alpha1.MirrorEnvironment) {
				e.Spec.Data = []v1alpha1.DatabaseSpec{{Name: "orders-db", StandIn: &v1alpha1.StandInSpec{Version: "16.4", Image: tc.dbImage}}}
				e.Spec.Dependencies = []v1alpha1.DependencySpec{{Name: "cache", Engine: v1alpha1.EngineRedis, Version: "7.2.4", Image: tc.depImage}}
			})
			cache := resolved(t, v1alpha1.EngineRedis, "7.2.4")
			if tc.depImage != "" {
				cache.Image = string(tc.depImage)
			}
			s := mirror.NewStandIns(env, pw, nil).WithDependencies(map[string]mirror.DependencyVersion{"cache": cache}).
				WithPullSecret([]byte(tc.config))
			objs := objectsByKey(s.Objects(builder(t, env, nil)))
			sec, ok := objs["Secret/"+mirror.StandInPullSecretName].(*corev1.Secret)
			if ok != tc.wantSecret || ok && (sec.Type != corev1.SecretTypeDockerConfigJson || string(sec.Data[corev1.DockerConfigJsonKey]) != tc.config) {
				t.Errorf("pull secret %+v (want one: %v)", sec, tc.wantSecret)
			}
			if ok != s.SecretNames()[mirror.StandInPullSecretName] {
				t.Error("the pull secret's name is reserved exactly when it is written")
			}
			for name, want := range map[string]bool{"orders-db": tc.wantDB, "cache": tc.wantDep} {
				got := objs["StatefulSet/"+name].(*appsv1.StatefulSet).Spec.Template.Spec.ImagePullSecrets
				if want != (len(got) == 1 && got[0].Name == mirror.StandInPullSecretName) || !want && len(got) > 0 {
					t.Errorf("%s pulls with %v", name, got)
				}
			}
		})
	}
}
