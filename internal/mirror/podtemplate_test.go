package mirror_test

import (
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/envmirror/envmirror/internal/mirror"
)

// TestPodTemplateEveryField plants a different credential in every text field of a pod template
// that can carry one and checks that none reaches the copy, while the surroundings (commands,
// header names, paths, hosts) do.
func TestPodTemplateEveryField(t *testing.T) {
	secrets := map[string]string{}
	secret := func(field string) string {
		v := fmt.Sprintf("Zq%02dCanary%sX9k", len(secrets), strings.Repeat("y", 4))
		secrets[field] = v
		return v
	}
	probe := func(field string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/healthz", Port: intstr.FromInt32(8080), Host: "api." + src + ".svc",
			HTTPHeaders: []corev1.HTTPHeader{{Name: "Authorization", Value: "Bearer " + secret(field)}, {Name: "Accept", Value: "application/json"}},
		}}}
	}
	app := corev1.Container{
		Name: "app", Image: "registry.example/app:1",
		Command: []string{"/bin/sh", "-c"},
		Args:    []string{"mysql -h db -uroot -p" + secret("args: mysql -p") + " -e 'select 1' && redis-cli -a " + secret("args: redis-cli -a") + " ping"},
		Env:     []corev1.EnvVar{{Name: "CURL_CMD", Value: "curl -u admin:" + secret("env: curl -u") + " https://api.example.com"}},
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{
			Command: []string{"sh", "-c", "PGPASSWORD=" + secret("liveness exec") + " psql -h db -c 'select 1'"}}}},
		ReadinessProbe: probe("readiness header"),
		StartupProbe:   probe("startup header"),
		Lifecycle: &corev1.Lifecycle{
			PostStart: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sshpass", "-p", secret("postStart sshpass"), "ssh", "backup@host"}}},
			PreStop: &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/drain?token=" + secret("preStop query"), Port: intstr.FromInt32(8080),
				HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Api-Key", Value: secret("preStop header")}}}},
		},
	}
	init := corev1.Container{Name: "wait", Image: "busybox", Command: []string{"docker", "login", "-u", "ci", "-p", secret("init docker login"), "registry.example"}}
	debug := corev1.EphemeralContainer{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
		Name: "debug", Image: "busybox", Env: []corev1.EnvVar{{Name: "API_TOKEN", Value: secret("ephemeral env")}}}}
	in := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: src},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{
				"example.com/debug-auth":              "Basic YWRtaW46" + "WnEwMENhbmFyeQ==",
				"vault.hashicorp.com/agent-inject":    "true",
				"secret.reloader.stakater.com/reload": "db-creds,api-keys",
				"checksum/config":                     "sha256:" + strings.Repeat("ab", 32),
			}},
			Spec: corev1.PodSpec{InitContainers: []corev1.Container{init}, Containers: []corev1.Container{app}, EphemeralContainers: []corev1.EphemeralContainer{debug}},
		}},
	}
	got, _ := builder(t, testEnv(), mirror.Pins{}).Deployment(in)
	out := fmt.Sprintf("%+v", got.Spec.Template)
	for field, v := range secrets {
		if strings.Contains(out, v[:12]) {
			t.Errorf("%s: %q reached the copy", field, v)
		}
	}
	for _, keep := range []string{
		"mysql -h db -uroot -p", "-e 'select 1' && redis-cli -a ", " ping", "curl -u ", "https://api.example.com",
		"PGPASSWORD=", " psql -h db -c 'select 1'", "sshpass -p", "ssh backup@host", "/drain?token=", "X-Api-Key",
		"Authorization", "application/json", "/healthz", "api." + target + ".svc", "docker login -u ci -p",
		"db-creds,api-keys", "sha256:" + strings.Repeat("ab", 32), "vault.hashicorp.com/agent-inject:true",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), keep) && !strings.Contains(out, keep) {
			t.Errorf("lost %q", keep)
		}
	}
	if strings.Contains(out, "WnEwMENhbmFyeQ") {
		t.Error("Basic credentials in an annotation reached the copy")
	}
	if in.Spec.Template.Spec.Containers[0].LivenessProbe.Exec.Command[2] != app.LivenessProbe.Exec.Command[2] {
		t.Error("the builder modified prod's probe")
	}
}
