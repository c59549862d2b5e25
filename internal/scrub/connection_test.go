package scrub

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestConnectionKeyValues: under a key naming a connection string, a string without a credential
// is kept, and one with a credential loses only the credential; anything the check cannot read
// as free of secrets is replaced whole.
func TestConnectionKeyValues(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       bool
	}{
		{"jdbc_connection_string", "jdbc:postgresql://pg.internal:5432/orders", false},
		{"ConnectionStrings__Default", "Server=db;Database=app;Integrated Security=true", false},
		{"DATABASE_DSN", "host=db port=5432 dbname=shop sslmode=require", false},
		{"jdbc_connection_string", "jdbc:postgresql://pg.internal:5432/orders?password=hunter2", true},
		{"DATABASE_DSN", "postgres://app:hunter2@db/shop", true},
		{"SENTRY_DSN", "https://8c7559d303357af74386af0f1482f190:5b0e3ac1f2d84b6c9a7e1d2f3c4b5a69@o4504.ingest.sentry.io/4504", true},
		{"ConnectionStrings__Default", "Server=db;Database=app;User Id=sa;Password=example_123", true},
		{"DATABASE_DSN", "hunter2", true},
		{"connstr", "Server=db;Token=Zk3xQ9vLm2Rt8WpB4yHc7NdE", true},
	} {
		if got := IsSensitive(tc.key, tc.value); got != tc.want {
			t.Errorf("IsSensitive(%q, %q) = %v, want %v", tc.key, tc.value, got, tc.want)
		}
	}
	in := harmlessInput()
	const pw = "example_123"
	ado := "Server=db;Database=app;User Id=sa;Password=" + pw + ";TrustServerCertificate=True"
	out, _, _ := ConfigMap("app", map[string]string{"appsettings.json": `{"ConnectionStrings": {"DefaultConnection": "` + ado + `"}}`}, nil, in)
	env, _ := Env("api", "app", []corev1.EnvVar{{Name: "ConnectionStrings__Default", Value: ado}}, in)
	for _, got := range []string{out["appsettings.json"], env[0].Value} {
		if strings.Contains(got, pw) || !strings.Contains(got, "Server=db;Database=app;User Id=sa;Password=") || !strings.Contains(got, ";TrustServerCertificate=True") {
			t.Errorf("connection string: %q", got)
		}
	}
	// A value the scanner cannot make free of secrets is replaced whole.
	odd := "Server=db;Database=app;Password=" + pw + ";Extra=Zk3xQ9vLm2Rt8WpB4yHc7NdE"
	env, _ = Env("api", "app", []corev1.EnvVar{{Name: "ConnectionStrings__Default", Value: odd}}, in)
	if strings.Contains(env[0].Value, pw) || strings.Contains(env[0].Value, "Zk3xQ9vLm2Rt8WpB4yHc7NdE") {
		t.Errorf("odd connection string kept a secret: %q", env[0].Value)
	}
}

// TestUserPassPairs: under a key naming a user:password pair the user stays and the password
// goes; a random or URL-like first part is no user, and the value goes whole.
func TestUserPassPairs(t *testing.T) {
	in := harmlessInput()
	const pw = "glacier-Pebble-6130"
	out, _, _ := ConfigMap("app", map[string]string{
		"haproxy.cfg":     "listen stats\n    bind *:8404\n    stats auth admin:" + pw + "\n",
		"fluent-bit.conf": "[OUTPUT]\n    Name es\n    Cloud_Auth elastic:" + pw + "\n",
	}, nil, in)
	for key, kept := range map[string]string{"haproxy.cfg": "    stats auth admin:", "fluent-bit.conf": "    Cloud_Auth elastic:"} {
		if strings.Contains(out[key], pw) || !strings.Contains(out[key], kept) {
			t.Errorf("%s: %q", key, out[key])
		}
	}
	for _, tc := range []struct {
		key, v string
		ok     bool
	}{
		{"Cloud_Auth", "elastic:" + pw, true},
		{"proxy-auth", "Zk3xQ9vLm2Rt8WpB4yHc7NdE:" + pw, false},
		{"basic_auth", "https://user:" + pw + "@x", false},
		{"password", "admin:" + pw, false}, // a password may hold a colon: all of it is secret
		{"auth", "admin:", false},
	} {
		if _, _, ok := userPassPair(tc.key, tc.v, false); ok != tc.ok {
			t.Errorf("userPassPair(%q, %q) = %v, want %v", tc.key, tc.v, ok, tc.ok)
		}
	}
	if _, _, ok := userPassPair("Cloud_Auth", "elastic:"+pw, true); ok {
		t.Error("Strict mode split a pair")
	}
}

// TestReferenceDefaults: a reference with a default written into it keeps the reference and
// loses the default; a provider's reference or a default holding another reference is not split.
func TestReferenceDefaults(t *testing.T) {
	in := harmlessInput()
	out, _, _ := ConfigMap("app", map[string]string{
		"application.properties":     "spring.datasource.password=${POSTGRES_PASS:petclinic}\nlogging.level=DEBUG\n",
		"SPRING_DATASOURCE_PASSWORD": "${POSTGRES_PASS:-petclinic}",
	}, nil, in)
	if got := out["application.properties"]; strings.Contains(got, "petclinic") || !strings.HasPrefix(got, "spring.datasource.password=${POSTGRES_PASS:") || !strings.HasSuffix(got, "}\nlogging.level=DEBUG\n") {
		t.Errorf("properties: %q", got)
	}
	if got := out["SPRING_DATASOURCE_PASSWORD"]; strings.Contains(got, "petclinic") || !strings.HasPrefix(got, "${POSTGRES_PASS:-") || !strings.HasSuffix(got, "}") {
		t.Errorf("value: %q", got)
	}
	for v, want := range map[string]bool{"${A:b}": true, "${A:-b}": true, "${file:/x:y}": false, "${A:${B}}": false, "${A:}": false, "x${A:b}": false} {
		if _, _, ok := referenceDefault(v); ok != want {
			t.Errorf("referenceDefault(%q) = %v, want %v", v, ok, want)
		}
	}
}

// TestAuthorizationScheme: an Authorization value keeps its scheme and loses its credential.
func TestAuthorizationScheme(t *testing.T) {
	const basic = "YmlsbGluZzpvcmNoaWQtVmlvbGV0LTc3MDI="
	conf := "location / {\n    proxy_set_header Authorization \"Basic " + basic + "\";\n    proxy_pass http://billing:8080;\n}\n"
	out, _, _ := ConfigMap("app", map[string]string{"default.conf": conf}, nil, harmlessInput())
	if got := out["default.conf"]; strings.Contains(got, basic) || !strings.Contains(got, "proxy_set_header Authorization \"Basic ") || !strings.Contains(got, "\";\n    proxy_pass http://billing:8080;\n") {
		t.Errorf("nginx: %q", got)
	}
	for _, tc := range []struct {
		key, v string
		ok     bool
	}{
		{"Authorization", "Bearer abc.def", true},
		{"proxy-auth", "Basic " + basic, true},
		{"password", "Token abcdef", false},
		{"Authorization", "Bearer two words", false},
		{"Authorization", "Bearer ", false},
	} {
		if _, _, ok := schemeCredential(tc.key, tc.v); ok != tc.ok {
			t.Errorf("schemeCredential(%q, %q) = %v, want %v", tc.key, tc.v, ok, tc.ok)
		}
	}
}
