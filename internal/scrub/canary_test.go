package scrub

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// canaryWindow is the length of the canary fragments searched for, so a value cut short (a
// scrubber that stops too early) is caught, not only a value copied whole.
const canaryWindow = 12

// canaries hands out unique high-entropy strings and finds them, or their encodings, in outputs.
type canaries struct {
	seed string
	list []string
}

// next returns a new canary: 24 base62 characters.
func (c *canaries) next() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", c.seed, len(c.list))))
	v := base62(sum[:], 24)
	c.list = append(c.list, v)
	return v
}

// add registers a canary made elsewhere (fuzz input).
func (c *canaries) add(v string) { c.list = append(c.list, v) }

// forms returns what must not appear for canary v: every window of it, and its base64 (standard,
// URL, unpadded) and hex encodings.
func forms(v string) []string {
	var out []string
	if len(v) <= canaryWindow {
		out = append(out, v)
	} else {
		for i := 0; i+canaryWindow <= len(v); i++ {
			out = append(out, v[i:i+canaryWindow])
		}
	}
	b := []byte(v)
	out = append(out, hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)))
	// base64 at each of the three alignments the canary can have inside a longer encoded text
	// (as in Basic credentials, "user:" + canary), without the edge groups that mix in other bytes.
	for off := 0; off < 3; off++ {
		padded := append(make([]byte, off), b...)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			e := enc.EncodeToString(padded)
			if off == 0 {
				out = append(out, strings.TrimRight(e, "="))
			} else if len(e) > 8 {
				out = append(out, e[4:len(e)-4])
			}
		}
	}
	return out
}

// leaks returns the canaries (or fragments/encodings) found in s.
func (c *canaries) leaks(s string) []string {
	var found []string
	for _, v := range c.list {
		for _, f := range forms(v) {
			if strings.Contains(s, f) {
				found = append(found, fmt.Sprintf("%s (of canary %s)", f, v))
				break
			}
		}
	}
	return found
}

// format places a secret inside a plain value. punct is the punctuation the secret may hold in
// that format besides letters and digits: what a real secret could hold there without being
// ambiguous (a blank after "--password=" or a '!' in a Bearer token would end the value in any
// reading).
type format struct {
	render func(c string) string
	punct  string
}

// anyPunct is the punctuation most formats accept inside a secret.
const anyPunct = "-_.~!*+%"

// embeddedFormats are the formats the canary tests place secrets in.
var embeddedFormats = []format{
	{func(c string) string { return "postgres://app:" + c + "@db.shop-prod:5432/orders" }, anyPunct},
	{func(c string) string { return "redis://:" + c + "@cache:6379/0" }, anyPunct},
	{func(c string) string { return "https://x-access-token:" + c + "@github.com/org/repo.git" }, anyPunct},
	{func(c string) string { return "https://ghp" + c + "1@github.com/org/repo.git" }, "-_"},
	{func(c string) string { return "DB_PASSWORD=" + c }, anyPunct},
	{func(c string) string { return "export API_TOKEN=" + c }, anyPunct},
	{func(c string) string { return `API_TOKEN="` + c + `"` }, anyPunct},
	{func(c string) string { return "SECRET='" + c + "'" }, anyPunct},
	{func(c string) string { return "spring.datasource.password=" + c }, anyPunct},
	{func(c string) string { return "password = " + c }, anyPunct},
	{func(c string) string { return "  password: " + c }, anyPunct},
	{func(c string) string { return "- clientSecret: \"" + c + "\"" }, anyPunct},
	{func(c string) string { return "privateKey: |\n    " + c + "\n    " + c }, anyPunct},
	{func(c string) string { return "token: >-\n  " + c }, anyPunct},
	{func(c string) string { return "token:\n  " + c }, anyPunct},
	{func(c string) string { return "creds: {user: app, secret: " + c + "}" }, anyPunct},
	{func(c string) string { return `{"user":"app","password":"` + c + `"}` }, anyPunct},
	{func(c string) string { return `  "apiKey": "` + c + `",` }, anyPunct},
	{func(c string) string { return `{"config":"{\"password\":\"` + c + `\"}"}` }, anyPunct},
	{func(c string) string { return "'password' => '" + c + "'," }, anyPunct},
	{func(c string) string { return "app --db-password=" + c + " --port=5432" }, anyPunct},
	{func(c string) string { return "app --db-password " + c + " --port 5432" }, anyPunct},
	{func(c string) string { return "app --token '" + c + "' -v" }, anyPunct},
	{func(c string) string { return "java -Dspring.datasource.password=" + c + " -jar app.jar" }, anyPunct},
	{func(c string) string { return "env PGPASSWORD=" + c + " psql -h db" }, anyPunct},
	{func(c string) string { return "https://api/x?user=a&access_token=" + c + "&page=2" }, anyPunct},
	{func(c string) string { return "Server=db;User Id=app;Password=" + c + ";Database=orders" }, anyPunct},
	{func(c string) string { return "Authorization: Bearer " + c }, anyPunct},
	{func(c string) string { return `curl -H "X-Thing: Bearer ` + c + `" https://api` }, "-._~+"},
	{func(c string) string {
		return "curl -H 'Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+c)) + "'"
	}, anyPunct},
	{func(c string) string { return "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0." + c }, "-_"},
	{func(c string) string { return "<db><password>" + c + "</password></db>" }, anyPunct},
	{func(c string) string { return `<db password="` + c + `" host="h"/>` }, anyPunct},
	{func(c string) string {
		return "-----BEGIN RSA PRIVATE KEY-----\n" + c + "\n" + c + "\n-----END RSA PRIVATE KEY-----"
	}, anyPunct},
	{func(c string) string { return `"-----BEGIN PRIVATE KEY-----\n` + c + `\n-----END PRIVATE KEY-----\n"` }, anyPunct},
	{func(c string) string { return "password=" + c + "\r" }, anyPunct},
	{func(c string) string { return "<password><![CDATA[" + c + "]]></password>" }, anyPunct},
	{func(c string) string { return "stripe = sk_live_" + c }, "-_"},
	{func(c string) string { return "hooks: [xoxb-" + c + "]" }, "-_."},
}

// sensitiveNames are keys whose values are replaced whole.
var sensitiveNames = []string{
	"DB_PASSWORD", "apiKey", "client.secret", "GITHUB_TOKEN", "SENTRY_DSN", "tls.key", "BASIC_AUTH",
	"aws_secret_access_key", "connectionString", "privateKey", "db-pass", "X_AUTHORIZATION",
}

func plainCanaryInput() PlainInput {
	return PlainInput{
		Rewriter: NewRewriter("shop-prod", "shop-copy", []v1alpha1.RewriteRule{{From: "rds.example.com", To: "orders-db"}}),
		Keyring:  testKeyring(42),
		KeepPlain: []v1alpha1.PlainValueRule{
			{ConfigMap: "app", Key: "KEPT_PASSWORD"}, {Workload: "api", Key: "KEPT_PASSWORD"},
		},
	}
}

func TestConfigMapNoCanary(t *testing.T) {
	c := &canaries{seed: "configmap"}
	data := map[string]string{}
	for i, f := range embeddedFormats {
		data[fmt.Sprintf("embedded-%02d", i)] = "head: 1\n" + f.render(c.next()) + "\ntail: 2"
	}
	var all strings.Builder
	for _, f := range embeddedFormats {
		all.WriteString(f.render(c.next()) + "\n")
	}
	data["all-in-one.conf"] = all.String()
	for _, name := range sensitiveNames {
		data[name] = c.next()
	}
	data["KEPT_PASSWORD"] = "kept-" + c.next()[:8] // kept: excluded from the check below
	binary := map[string][]byte{"keystore.p12": []byte(c.next()), "private.der": []byte(c.next())}

	out, outBinary, rep := ConfigMap("app", data, binary, plainCanaryInput())

	for key, v := range out {
		if key == "KEPT_PASSWORD" {
			continue
		}
		if l := c.leaks(v); len(l) > 0 {
			t.Errorf("%s leaks %v:\n in: %q\nout: %q", key, l, data[key], v)
		}
	}
	for key, v := range outBinary {
		if l := c.leaks(string(v)); len(l) > 0 {
			t.Errorf("binaryData %s leaks %v", key, l)
		}
	}
	if out["KEPT_PASSWORD"] != data["KEPT_PASSWORD"] {
		t.Error("KeepPlain value not kept")
	}
	if int(rep.Generated) < len(data)-1 {
		t.Errorf("Generated = %d for %d values with secrets", rep.Generated, len(data)-1)
	}
}

func TestEnvNoCanary(t *testing.T) {
	c := &canaries{seed: "env"}
	var env []corev1.EnvVar
	for i, f := range embeddedFormats {
		env = append(env, corev1.EnvVar{Name: fmt.Sprintf("CONFIG_%02d", i), Value: f.render(c.next())})
	}
	for _, name := range sensitiveNames {
		env = append(env, corev1.EnvVar{Name: name, Value: c.next()})
	}
	env = append(env, corev1.EnvVar{Name: "KEPT_PASSWORD", Value: "kept-" + c.next()[:8]})

	out, _ := Env("api", "app", env, plainCanaryInput())

	for i, e := range out {
		if e.Name == "KEPT_PASSWORD" {
			if e.Value != env[i].Value {
				t.Error("KeepPlain value not kept")
			}
			continue
		}
		if l := c.leaks(e.Value); len(l) > 0 {
			t.Errorf("%s leaks %v:\n in: %q\nout: %q", e.Name, l, env[i].Value, e.Value)
		}
	}
}

func TestArgsNoCanary(t *testing.T) {
	c := &canaries{seed: "args"}
	var args []string
	for _, f := range embeddedFormats {
		args = append(args, f.render(c.next()))
	}
	for _, name := range sensitiveNames {
		args = append(args, "--"+name, c.next())
		args = append(args, "-"+name, c.next())
	}
	script := &strings.Builder{}
	for _, f := range embeddedFormats {
		script.WriteString(f.render(c.next()) + " && ")
	}
	args = append(args, "sh", "-c", script.String())

	out, _ := Args("api", "app", args, plainCanaryInput())
	for i, a := range out {
		if l := c.leaks(a); len(l) > 0 {
			t.Errorf("args[%d] leaks %v:\n in: %q\nout: %q", i, l, args[i], a)
		}
	}
}

// prodSecretsWithCanaries returns prod Secrets of every type whose every value is a canary.
func prodSecretsWithCanaries(c *canaries) []corev1.Secret {
	mk := func(name string, typ corev1.SecretType, keys ...string) corev1.Secret {
		s := corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name:        name,
				Labels:      map[string]string{"app": name},
				Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"},
			},
			Type: typ,
			Data: map[string][]byte{},
		}
		for _, k := range keys {
			s.Data[k] = []byte(c.next())
		}
		// The last-applied annotation holds prod's values: it must not travel.
		s.Annotations["kubectl.kubernetes.io/last-applied-configuration"] = fmt.Sprintf("%q", s.Data)
		return s
	}
	return []corev1.Secret{
		mk("app-env", corev1.SecretTypeOpaque, "DATABASE_URL", "API_TOKEN", "LOG_LEVEL", "PUBLIC_URL", "kept"),
		mk("orders-db", corev1.SecretTypeOpaque, "password", "username", "host"),
		mk("web-tls", corev1.SecretTypeTLS, "tls.crt", "tls.key", "ca.crt", "dhparam.pem"),
		mk("regcred", corev1.SecretTypeDockerConfigJson, ".dockerconfigjson"),
		mk("legacy-regcred", corev1.SecretTypeDockercfg, ".dockercfg"),
		mk("basic", corev1.SecretTypeBasicAuth, "username", "password"),
		mk("ssh", corev1.SecretTypeSSHAuth, "ssh-privatekey"),
		mk("sa-token", corev1.SecretTypeServiceAccountToken, "token", "ca.crt", "namespace"),
		mk("stripe", corev1.SecretTypeOpaque, "publishable-key", "secret-key"),
		mk("files", corev1.SecretTypeOpaque, "server.key", "config.json", "data.bin"),
	}
}

// checkSecretsNoCanary fails when any copied Secret carries a canary outside the allowed keys.
func checkSecretsNoCanary(t *testing.T, c *canaries, res SecretsResult, allowed map[string]bool) {
	t.Helper()
	for _, s := range res.Secrets {
		meta := fmt.Sprint(s.Labels, s.Annotations)
		if l := c.leaks(meta); len(l) > 0 {
			t.Errorf("%s metadata leaks %v", s.Name, l)
		}
		for key, v := range s.Data {
			if allowed[s.Name+"/"+key] {
				continue
			}
			if l := c.leaks(string(v)); len(l) > 0 {
				t.Errorf("%s/%s leaks %v", s.Name, key, l)
			}
		}
	}
}

func TestSecretsNoCanary(t *testing.T) {
	c := &canaries{seed: "secrets"}
	prod := prodSecretsWithCanaries(c)
	in := secretsInput(prod,
		v1alpha1.SecretRule{Secret: "app-env", Key: "kept", Policy: v1alpha1.SecretKeep},
		v1alpha1.SecretRule{Secret: "sa-token", Policy: v1alpha1.SecretKeep}, // never copied anyway
		v1alpha1.SecretRule{Secret: "app-env", Key: "DATABASE_URL",
			Template: `postgres://{{ secret "orders-db" "username" }}:{{ secret "orders-db" "password" }}@{{ secret "orders-db" "host" }}/orders`},
		v1alpha1.SecretRule{Secret: "app-env", Key: "PUBLIC_URL", Template: `https://{{ .Branch }}.dev/{{ secret "web-tls" "dhparam.pem" }}`},
		v1alpha1.SecretRule{Secret: "stripe", FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-test"}},
		v1alpha1.SecretRule{Secret: "basic", Key: "username", Policy: v1alpha1.SecretGenerate},
	)
	// An Existing copy holding prod's TLS pair must not be reused.
	in.Existing = map[string]corev1.Secret{"web-tls": prod[2]}
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	checkSecretsNoCanary(t, c, res, map[string]bool{"app-env/kept": true})
	if got := string(byName(t, res, "app-env").Data["kept"]); got != string(prod[0].Data["kept"]) {
		t.Errorf("kept value = %q", got)
	}

	// With a pull secret, and with the TLS copy reused.
	in.Spec.PullSecretRef = &v1alpha1.LocalObjectReference{Name: "pull"}
	in.Existing = map[string]corev1.Secret{"web-tls": byName(t, res, "web-tls")}
	res, err = Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	checkSecretsNoCanary(t, c, res, map[string]bool{"app-env/kept": true})
}

// TestCanaryCheckerCatches makes sure the checker itself can fail: it must see a canary, a
// fragment of one, and its encodings.
func TestCanaryCheckerCatches(t *testing.T) {
	c := &canaries{seed: "self"}
	v := c.next()
	for _, s := range []string{
		v, "x" + v[3:20] + "y", base64.StdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)), hex.EncodeToString([]byte(v)),
		base64.StdEncoding.EncodeToString([]byte("u:" + v)), base64.StdEncoding.EncodeToString([]byte("user:" + v)),
	} {
		if len(c.leaks(s)) == 0 {
			t.Errorf("leak of %q not detected in %q", v, s)
		}
	}
	if l := c.leaks("nothing here " + testKeyring(1).Value("x")); len(l) > 0 {
		t.Errorf("false alarm: %v", l)
	}
}
