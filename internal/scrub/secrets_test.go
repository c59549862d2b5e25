package scrub

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func secret(name string, typ corev1.SecretType, kv ...string) corev1.Secret {
	s := corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: typ, Data: map[string][]byte{}}
	for i := 0; i+1 < len(kv); i += 2 {
		s.Data[kv[i]] = []byte(kv[i+1])
	}
	return s
}

func secretsInput(prod []corev1.Secret, rules ...v1alpha1.SecretRule) SecretsInput {
	return SecretsInput{
		Prod: prod,
		Spec: v1alpha1.SecretsSpec{Rules: rules},
		DevSecrets: map[string]corev1.Secret{
			"stripe-test": secret("stripe-test", corev1.SecretTypeOpaque, "publishable-key", "pk_test_dev", "secret-key", "sk_test_dev"),
			"pull":        secret("pull", corev1.SecretTypeDockerConfigJson, ".dockerconfigjson", `{"auths":{"registry.dev":{"auth":"ZGV2OmRldg=="}}}`),
		},
		DevNamespace: "dev-envs",
		Keyring:      testKeyring(1),
		Data:         TemplateData{Namespace: "shop-fix-42", Branch: "fix-42", Environment: "fix-42"},
		TLSHosts:     []string{"shop.fix-42.dev.example.com", "*.shop-fix-42.svc"},
		Now:          testNow,
	}
}

func byName(t *testing.T, res SecretsResult, name string) corev1.Secret {
	t.Helper()
	for _, s := range res.Secrets {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no copied Secret %s", name)
	return corev1.Secret{}
}

func TestSecretsPolicies(t *testing.T) {
	prod := []corev1.Secret{
		secret("orders-db", corev1.SecretTypeOpaque, "password", "prod-db-pw", "username", "orders"),
		secret("stripe", corev1.SecretTypeOpaque, "publishable-key", "pk_live_prod", "secret-key", "sk_live_prod", "webhook", "whsec_prod"),
		secret("app-env", corev1.SecretTypeOpaque, "DATABASE_URL", "postgres://orders:prod-db-pw@rds/orders", "CALLBACK", "https://prod/cb", "SIGNING_KEY", "prod-sign"),
		secret("analytics", corev1.SecretTypeOpaque, "key", "prod-analytics"),
	}
	prod[0].Labels = map[string]string{"app": "orders"}
	prod[0].Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"prod-db-pw"}}`}
	prod[0].Namespace = "shop-prod"
	in := secretsInput(prod,
		// secret-level rule: every stripe key from the dev Secret, by the same key name...
		v1alpha1.SecretRule{Secret: "stripe", FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-test"}},
		// ...except the webhook secret: key rule beats secret rule.
		v1alpha1.SecretRule{Secret: "stripe", Key: "webhook", Policy: v1alpha1.SecretGenerate},
		// ...and the publishable key, kept.
		v1alpha1.SecretRule{Secret: "stripe", Key: "publishable-key", Policy: v1alpha1.SecretKeep},
		// templates (policy inferred), referencing a generated key and TemplateData.
		v1alpha1.SecretRule{Secret: "app-env", Key: "DATABASE_URL",
			Template: `postgres://{{ secret "orders-db" "username" }}:{{ secret "orders-db" "password" }}@orders-db.{{ .Namespace }}:5432/orders`},
		v1alpha1.SecretRule{Secret: "app-env", Key: "CALLBACK", Policy: v1alpha1.SecretTemplate,
			Template: `https://{{ .Branch }}.dev/cb?env={{ .Environment }}`},
		// FromSecret with an explicit key (inferred policy).
		v1alpha1.SecretRule{Secret: "analytics", Key: "key", FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-test", Key: "secret-key"}},
	)
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	k := in.Keyring

	db := byName(t, res, "orders-db")
	pw := k.Value("secret", "orders-db", "password")
	if got := string(db.Data["password"]); got != pw {
		t.Errorf("orders-db/password = %q, want the generated %q", got, pw)
	}
	if !reflect.DeepEqual(db.Labels, map[string]string{"app": "orders"}) || db.Annotations != nil || db.Namespace != "" {
		t.Errorf("orders-db metadata: labels %v annotations %v namespace %q", db.Labels, db.Annotations, db.Namespace)
	}

	stripe := byName(t, res, "stripe")
	wantStripe := map[string]string{
		"publishable-key": "pk_live_prod",
		"secret-key":      "sk_test_dev",
		"webhook":         k.Value("secret", "stripe", "webhook"),
	}
	for key, want := range wantStripe {
		if got := string(stripe.Data[key]); got != want {
			t.Errorf("stripe/%s = %q, want %q", key, got, want)
		}
	}

	app := byName(t, res, "app-env")
	wantURL := "postgres://" + k.Value("secret", "orders-db", "username") + ":" + pw + "@orders-db.shop-fix-42:5432/orders"
	if got := string(app.Data["DATABASE_URL"]); got != wantURL {
		t.Errorf("DATABASE_URL = %q, want %q (the template must agree with the generated password)", got, wantURL)
	}
	if got := string(app.Data["CALLBACK"]); got != "https://fix-42.dev/cb?env=fix-42" {
		t.Errorf("CALLBACK = %q", got)
	}
	if got := string(app.Data["SIGNING_KEY"]); got != k.Value("secret", "app-env", "SIGNING_KEY") {
		t.Errorf("SIGNING_KEY = %q", got)
	}
	if got := string(byName(t, res, "analytics").Data["key"]); got != "sk_test_dev" {
		t.Errorf("analytics/key = %q", got)
	}

	wantCounts := Counts{Generated: 4, Templated: 2, FromSecret: 2, Kept: 1}
	if res.Counts != wantCounts {
		t.Errorf("Counts = %+v, want %+v", res.Counts, wantCounts)
	}
	if !slices.Equal(res.Kept, []string{"stripe/publishable-key"}) {
		t.Errorf("Kept = %v", res.Kept)
	}
	names := []string{}
	for _, s := range res.Secrets {
		names = append(names, s.Name)
	}
	if !slices.IsSorted(names) || len(names) != 4 {
		t.Errorf("Secrets not sorted or incomplete: %v", names)
	}
	if len(res.Unmatched) != 0 {
		t.Errorf("Unmatched = %v", res.Unmatched)
	}

	// Stable: a re-reconcile gives the same Secrets; another keyring gives other values.
	again, err := Secrets(in)
	if err != nil || !reflect.DeepEqual(again, res) {
		t.Errorf("Secrets is not deterministic (err %v)", err)
	}
	in.Keyring = testKeyring(2)
	other, _ := Secrets(in)
	if string(byName(t, other, "orders-db").Data["password"]) == pw {
		t.Error("another keyring gives the same password")
	}
}

func TestSecretsDoesNotMutateInput(t *testing.T) {
	prod := []corev1.Secret{secret("a", corev1.SecretTypeOpaque, "password", "p", "token", "t")}
	prod[0].Labels = map[string]string{"x": "y"}
	in := secretsInput(prod, v1alpha1.SecretRule{Secret: "a", Key: "token", Policy: v1alpha1.SecretKeep})
	before := prod[0].DeepCopy()
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	res.Secrets[0].Data["token"][0] = 'X'
	res.Secrets[0].Labels["x"] = "changed"
	if !reflect.DeepEqual(&prod[0], before) {
		t.Error("Secrets modified or aliased its input")
	}
}

func TestSecretsTemplateKeptTaint(t *testing.T) {
	prod := []corev1.Secret{secret("a", corev1.SecretTypeOpaque, "host", "prod-host", "url", "x", "other", "y")}
	in := secretsInput(prod,
		v1alpha1.SecretRule{Secret: "a", Key: "host", Policy: v1alpha1.SecretKeep},
		v1alpha1.SecretRule{Secret: "a", Key: "url", Template: `https://{{ secret "a" "host" }}`},
		v1alpha1.SecretRule{Secret: "a", Key: "other", Template: `{{ secret "a" "url" }}/x`},
	)
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/host", "a/other", "a/url"}; !slices.Equal(res.Kept, want) {
		t.Errorf("Kept = %v, want %v (templates carrying kept bytes are listed)", res.Kept, want)
	}
	if want := []string{"a/host"}; !slices.Equal(res.Verbatim, want) {
		t.Errorf("Verbatim = %v, want %v (only what a Keep rule copies as is)", res.Verbatim, want)
	}
	if res.Counts.Kept != 1 || res.Counts.Templated != 2 {
		t.Errorf("Counts = %+v", res.Counts)
	}
}

// keyErrors unpacks errors.Join of *KeyError into "secret/key: msg" strings.
func keyErrors(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error is not a join: %T %v", err, err)
	}
	var out []string
	for _, e := range joined.Unwrap() {
		var ke *KeyError
		if !errors.As(e, &ke) {
			out = append(out, "?: "+e.Error())
			continue
		}
		out = append(out, ke.Secret+"/"+ke.Key+": "+ke.Msg)
	}
	return out
}

func TestSecretsErrors(t *testing.T) {
	prod := []corev1.Secret{
		secret("stripe", corev1.SecretTypeOpaque, "publishable-key", "pk", "other", "o"),
		secret("a", corev1.SecretTypeOpaque, "x", "1", "y", "2", "z", "3", "self", "4", "uses-z", "5", "missing", "6", "field", "7", "big", "8", "loop", "9", "grow", "10"),
		secret("sa", corev1.SecretTypeServiceAccountToken, "token", "t"),
		secret("pull", corev1.SecretTypeDockerConfigJson, ".dockerconfigjson", "{}"),
	}
	tests := []struct {
		name  string
		rules []v1alpha1.SecretRule
		mod   func(*SecretsInput)
		want  []string // substrings, one per expected error, in order
	}{
		{"dev secret without the key",
			[]v1alpha1.SecretRule{{Secret: "stripe", Key: "publishable-key", FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-test", Key: "nope"}}}, nil,
			[]string{"stripe/publishable-key: fromSecret: dev Secret dev-envs/stripe-test has no key nope"}},
		{"dev secret without the rule's key",
			[]v1alpha1.SecretRule{{Secret: "stripe", FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-test"}}}, nil,
			[]string{"stripe/other: fromSecret: dev Secret dev-envs/stripe-test has no key other"}},
		{"missing dev secret",
			[]v1alpha1.SecretRule{{Secret: "stripe", Key: "other", Policy: v1alpha1.SecretFromSecret, FromSecret: &v1alpha1.SecretKeyRef{Name: "gone"}}}, nil,
			[]string{"stripe/other: fromSecret: dev Secret dev-envs/gone not found"}},
		{"cycle",
			[]v1alpha1.SecretRule{
				{Secret: "a", Key: "x", Template: `{{ secret "a" "y" }}`},
				{Secret: "a", Key: "y", Template: `{{ secret "a" "z" }}`},
				{Secret: "a", Key: "z", Template: `{{ secret "a" "x" }}`},
				{Secret: "a", Key: "uses-z", Template: `{{ secret "a" "z" }}`},
			}, nil,
			[]string{
				"a/uses-z: the template uses secret a key z, which could not be produced",
				"a/x: template reference cycle: a/x -> a/y -> a/z -> a/x",
				"a/y: template reference cycle: a/x -> a/y -> a/z -> a/x",
				"a/z: template reference cycle: a/x -> a/y -> a/z -> a/x",
			}},
		{"self reference",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "self", Template: `{{ secret "a" "self" }}`}}, nil,
			[]string{"a/self: template reference cycle: a/self -> a/self"}},
		{"unknown secret and key",
			[]v1alpha1.SecretRule{
				{Secret: "a", Key: "missing", Template: `{{ secret "nope" "k" }}`},
				{Secret: "a", Key: "x", Template: `{{ secret "a" "nokey" }}`},
				{Secret: "a", Key: "y", Template: `{{ secret "sa" "token" }}`},
			}, nil,
			[]string{
				`a/missing: the template references secret "nope" key "k": prod has no Secret nope`,
				`a/x: the template references secret "a" key "nokey": prod Secret a has no key nokey`,
				`a/y: the template references secret "sa" key "token": Secret sa is a service account token`,
			}},
		{"unknown field",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "field", Template: `{{ .Cluster }}`}}, nil,
			[]string{"a/field: template: "}},
		{"output too big",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "big", Template: strings.Repeat(`{{ printf "%999d" 1 }}`, 1100)}}, nil,
			[]string{"a/big: template: "}},
		{"a loop",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "loop", Template: `{{ range 2000000 }}x{{ end }}`}}, nil,
			[]string{"a/loop: rule 0: parsing the template: {{range}} is not supported"}},
		{"a value grown without bound",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "grow", Template: `{{ $x := secret "a" "x" }}` +
				strings.Repeat(`{{ $x = print $x $x $x $x $x $x $x $x $x $x }}`, 8)}}, nil,
			[]string{"a/grow: template: template: a/grow:1:172: executing \"a/grow\" at <print $x $x $x $x $x $x $x $x $x $x>: error calling print: a value in the template would be longer than 65536 bytes"}},
		{"parse error",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Template: `{{ secret "a" `}}, nil,
			[]string{"a/x: rule 0: parsing the template"}},
		{"unknown function",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Template: `{{ env "HOME" }}`}}, nil,
			[]string{"a/x: rule 0: parsing the template"}},
		{"rule without policy",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x"}}, nil,
			[]string{"a/x: rule 0: a rule needs a policy"}},
		{"keep with template",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Policy: v1alpha1.SecretKeep, Template: "t"}}, nil,
			[]string{"a/x: rule 0: policy Keep and a template"}},
		{"template policy without template",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Policy: v1alpha1.SecretTemplate}}, nil,
			[]string{"a/x: rule 0: policy Template and a template"}},
		{"template and fromSecret",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Template: "t", FromSecret: &v1alpha1.SecretKeyRef{Name: "n"}}}, nil,
			[]string{"a/x: rule 0: policy Template and fromSecret"}},
		{"template without key",
			[]v1alpha1.SecretRule{{Secret: "a", Template: "t"}}, nil,
			[]string{"a/: rule 0: a template rule names a key"}},
		{"unknown policy",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Policy: "Copy"}}, nil,
			[]string{`a/x: rule 0: unknown policy "Copy"`}},
		{"duplicate rules",
			[]v1alpha1.SecretRule{{Secret: "a", Key: "x", Policy: v1alpha1.SecretKeep}, {Secret: "a", Key: "x", Policy: v1alpha1.SecretGenerate}}, nil,
			[]string{"a/x: rules 0 and 1 both set secret a key x"}},
		{"pull secret missing",
			nil, func(in *SecretsInput) { in.Spec.PullSecretRef = &v1alpha1.LocalObjectReference{Name: "nope"} },
			[]string{"pull/.dockerconfigjson: spec.config.secrets.pullSecretRef: dev Secret dev-envs/nope not found"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := secretsInput(prod, tc.rules...)
			if tc.mod != nil {
				tc.mod(&in)
			}
			res, err := Secrets(in)
			if !reflect.DeepEqual(res, SecretsResult{}) {
				t.Error("a failed Secrets returned a partial result")
			}
			got := keyErrors(t, err)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.Contains(got[i], tc.want[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], tc.want[i])
				}
				for _, v := range []string{"pk", "prod"} {
					if strings.Contains(got[i], `"`+v+`"`) {
						t.Errorf("error %q contains a value", got[i])
					}
				}
			}
		})
	}
}

func TestSecretsSpecErrors(t *testing.T) {
	in := secretsInput(nil)
	in.Spec.Default = v1alpha1.SecretKeep
	if _, err := Secrets(in); err == nil || !strings.Contains(err.Error(), "only Generate") {
		t.Errorf("default Keep: err = %v", err)
	}
	in = secretsInput(nil)
	in.Keyring = nil
	if _, err := Secrets(in); err == nil {
		t.Error("no keyring: no error")
	}
}

func TestSecretsSpecialTypes(t *testing.T) {
	prod := []corev1.Secret{
		secret("sa-token", corev1.SecretTypeServiceAccountToken, "token", "prod-sa-token", "ca.crt", "prod-ca"),
		secret("kept-sa", corev1.SecretTypeServiceAccountToken, "token", "prod-sa-token-2"),
		secret("regcred", corev1.SecretTypeDockerConfigJson, ".dockerconfigjson", `{"auths":{"prod":{"auth":"cHJvZDpwcm9k"}}}`),
		secret("legacy", corev1.SecretTypeDockercfg, ".dockercfg", `{"prod":{"auth":"cHJvZDpwcm9k"}}`),
		secret("kept-regcred", corev1.SecretTypeDockerConfigJson, ".dockerconfigjson", `{"auths":{"prod2":{}}}`),
		secret("basic", corev1.SecretTypeBasicAuth, "username", "prod-user", "password", "prod-pw"),
		secret("ssh", corev1.SecretTypeSSHAuth, "ssh-privatekey", "prod-ssh-key"),
		secret("files", corev1.SecretTypeOpaque, "server.key", "prod-key", "client-key.pem", "prod-key-2", "ca.pem", "prod-ca"),
	}
	rules := []v1alpha1.SecretRule{
		{Secret: "kept-sa", Policy: v1alpha1.SecretKeep},
		{Secret: "kept-regcred", Key: ".dockerconfigjson", Policy: v1alpha1.SecretKeep},
		{Secret: "gone", Policy: v1alpha1.SecretKeep},
		{Secret: "basic", Key: "nokey", Policy: v1alpha1.SecretKeep},
	}
	in := secretsInput(prod, rules...)
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Secrets {
		if s.Type == corev1.SecretTypeServiceAccountToken {
			t.Errorf("service account token %s copied", s.Name)
		}
	}
	if got := string(byName(t, res, "regcred").Data[".dockerconfigjson"]); got != `{"auths":{}}` {
		t.Errorf("regcred without pullSecretRef = %s", got)
	}
	if got := string(byName(t, res, "legacy").Data[".dockercfg"]); got != `{}` {
		t.Errorf("legacy without pullSecretRef = %s", got)
	}
	if got := string(byName(t, res, "kept-regcred").Data[".dockerconfigjson"]); got != `{"auths":{"prod2":{}}}` {
		t.Errorf("kept regcred = %s", got)
	}
	if want := []string{"basic/nokey", "gone", "kept-sa"}; !slices.Equal(res.Unmatched, want) {
		t.Errorf("Unmatched = %v, want %v", res.Unmatched, want)
	}
	for _, key := range []string{"server.key", "client-key.pem"} {
		v := byName(t, res, "files").Data[key]
		block, _ := pem.Decode(v)
		if block == nil || block.Type != "PRIVATE KEY" {
			t.Errorf("files/%s is not a PEM private key: %q", key, v)
		} else if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			t.Errorf("files/%s: %v", key, err)
		}
	}
	if v := byName(t, res, "ssh").Data["ssh-privatekey"]; !strings.Contains(string(v), "PRIVATE KEY") {
		t.Errorf("ssh-privatekey = %q", v)
	}

	in.Spec.PullSecretRef = &v1alpha1.LocalObjectReference{Name: "pull"}
	res, err = Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(byName(t, res, "regcred").Data[".dockerconfigjson"]); got != `{"auths":{"registry.dev":{"auth":"ZGV2OmRldg=="}}}` {
		t.Errorf("regcred with pullSecretRef = %s", got)
	}
	if got := string(byName(t, res, "legacy").Data[".dockercfg"]); got != `{"registry.dev":{"auth":"ZGV2OmRldg=="}}` {
		t.Errorf("legacy with pullSecretRef = %s", got)
	}
	if res.Counts.FromSecret != 2 {
		t.Errorf("Counts = %+v", res.Counts)
	}
}

func parseCert(t *testing.T, s corev1.Secret) *x509.Certificate {
	t.Helper()
	pair, err := tls.X509KeyPair(s.Data["tls.crt"], s.Data["tls.key"])
	if err != nil {
		t.Fatalf("%s: tls.crt and tls.key do not form a pair: %v", s.Name, err)
	}
	c, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSecretsTLS(t *testing.T) {
	prod := []corev1.Secret{
		secret("web-tls", corev1.SecretTypeTLS, "tls.crt", "prod-cert", "tls.key", "prod-key", "ca.crt", "prod-ca", "extra", "prod-extra"),
		secret("api-tls", corev1.SecretTypeTLS, "tls.crt", "prod-cert-2", "tls.key", "prod-key-2"),
	}
	in := secretsInput(prod)
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	web := byName(t, res, "web-tls")
	c := parseCert(t, web)
	if c.Subject.CommonName != "envmirror fix-42" || c.Issuer.CommonName != "envmirror fix-42" {
		t.Errorf("subject %q issuer %q", c.Subject.CommonName, c.Issuer.CommonName)
	}
	for _, h := range []string{"shop.fix-42.dev.example.com", "orders.shop-fix-42.svc"} {
		if err := c.VerifyHostname(h); err != nil {
			t.Errorf("certificate does not cover %s: %v", h, err)
		}
	}
	if err := c.VerifyHostname("shop.prod.example.com"); err == nil {
		t.Error("certificate covers a prod host")
	}
	if !c.NotBefore.Before(testNow) || c.NotAfter.Sub(testNow) < 364*24*time.Hour {
		t.Errorf("validity %v .. %v", c.NotBefore, c.NotAfter)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(web.Data["ca.crt"]) {
		t.Fatal("ca.crt is not a certificate")
	}
	if _, err := c.Verify(x509.VerifyOptions{Roots: pool, DNSName: "shop.fix-42.dev.example.com", CurrentTime: testNow}); err != nil {
		t.Errorf("tls.crt does not verify against ca.crt: %v", err)
	}
	if got := web.Annotations[AnnotationTLSHosts]; got != "*.shop-fix-42.svc,shop.fix-42.dev.example.com" {
		t.Errorf("hosts annotation = %q", got)
	}
	if string(web.Data["extra"]) != in.Keyring.Value("secret", "web-tls", "extra") {
		t.Error("other keys of a TLS Secret do not follow the normal policy")
	}
	api := byName(t, res, "api-tls")
	if string(api.Data["tls.key"]) == string(web.Data["tls.key"]) {
		t.Error("two TLS Secrets share a key")
	}
	if _, ok := api.Data["ca.crt"]; ok {
		t.Error("ca.crt added where prod has none")
	}
	if res.Counts.Generated != 6 { // web-tls: tls.crt, tls.key, ca.crt, extra; api-tls: tls.crt, tls.key
		t.Errorf("Counts = %+v", res.Counts)
	}

	// Reuse: the copy's existing pair is kept while valid for the same hosts.
	in.Existing = map[string]corev1.Secret{"web-tls": web, "api-tls": api}
	in.Now = testNow.Add(300 * 24 * time.Hour)
	res2, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(byName(t, res2, "web-tls"), web) {
		t.Error("a valid certificate was not reused")
	}

	// Reissue when fewer than 30 days remain.
	in.Now = testNow.Add(340 * 24 * time.Hour)
	res3, _ := Secrets(in)
	if string(byName(t, res3, "web-tls").Data["tls.crt"]) == string(web.Data["tls.crt"]) {
		t.Error("a certificate about to expire was reused")
	}

	// Reissue when the hosts change.
	in.Now = testNow.Add(24 * time.Hour)
	in.TLSHosts = append(in.TLSHosts, "new.dev.example.com")
	res4, _ := Secrets(in)
	web4 := byName(t, res4, "web-tls")
	if string(web4.Data["tls.crt"]) == string(web.Data["tls.crt"]) {
		t.Error("certificate reused after the hosts changed")
	}
	if err := parseCert(t, web4).VerifyHostname("new.dev.example.com"); err != nil {
		t.Error(err)
	}

	// Never reuse an existing pair that is not ours (e.g. a prod pair that ended up there).
	in.TLSHosts = secretsInput(nil).TLSHosts
	foreign := web.DeepCopy()
	foreign.Data["tls.crt"], foreign.Data["tls.key"] = prod[0].Data["tls.crt"], prod[0].Data["tls.key"]
	in.Existing = map[string]corev1.Secret{"web-tls": *foreign}
	res5, _ := Secrets(in)
	if string(byName(t, res5, "web-tls").Data["tls.crt"]) == "prod-cert" {
		t.Error("prod's certificate reused")
	}
	// Another environment's certificate (other common name) is not reused either.
	in.Existing = map[string]corev1.Secret{"web-tls": web}
	in.Data.Environment = "other"
	res6, _ := Secrets(in)
	if string(byName(t, res6, "web-tls").Data["tls.crt"]) == string(web.Data["tls.crt"]) {
		t.Error("another environment's certificate reused")
	}
}

func TestSecretsTLSKeepRule(t *testing.T) {
	prod := []corev1.Secret{secret("web-tls", corev1.SecretTypeTLS, "tls.crt", "prod-cert", "tls.key", "prod-key")}
	res, err := Secrets(secretsInput(prod, v1alpha1.SecretRule{Secret: "web-tls", Policy: v1alpha1.SecretKeep}))
	if err != nil {
		t.Fatal(err)
	}
	s := byName(t, res, "web-tls")
	if string(s.Data["tls.crt"]) != "prod-cert" || s.Annotations != nil {
		t.Errorf("Keep on a TLS Secret: %q, annotations %v", s.Data["tls.crt"], s.Annotations)
	}
}

func TestSecretsTemplateOverTLS(t *testing.T) {
	prod := []corev1.Secret{
		secret("web-tls", corev1.SecretTypeTLS, "tls.crt", "prod-cert", "tls.key", "prod-key"),
		secret("bundle", corev1.SecretTypeOpaque, "pem", "prod-bundle"),
	}
	res, err := Secrets(secretsInput(prod, v1alpha1.SecretRule{Secret: "bundle", Key: "pem",
		Template: `{{ secret "web-tls" "tls.crt" }}{{ secret "web-tls" "tls.key" }}`}))
	if err != nil {
		t.Fatal(err)
	}
	web := byName(t, res, "web-tls")
	if got, want := string(byName(t, res, "bundle").Data["pem"]), string(web.Data["tls.crt"])+string(web.Data["tls.key"]); got != want {
		t.Error("a template over a TLS Secret does not see the copy's certificate")
	}
}

func TestSecretsTemplateOverStandInCredentials(t *testing.T) {
	prod := []corev1.Secret{
		secret("app-env", corev1.SecretTypeOpaque, "DATABASE_URL", "postgres://app:prod-pw@orders.prod.rds.example.com/orders"),
		secret("cache", corev1.SecretTypeOpaque, "password", "prod-cache-pw"),
	}
	in := secretsInput(prod,
		v1alpha1.SecretRule{Secret: "app-env", Key: "DATABASE_URL", Template: `postgres://app:{{ secret "orders-db" "password" }}@orders-db:5432/orders`})
	in.Extra = map[string]map[string][]byte{
		"orders-db": {"password": []byte("standin-pw"), "username": []byte("app")},
		"cache":     {"password": []byte("shadowed")},
	}
	res, err := Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(byName(t, res, "app-env").Data["DATABASE_URL"]); got != "postgres://app:standin-pw@orders-db:5432/orders" {
		t.Errorf("DATABASE_URL = %q", got)
	}
	for _, s := range res.Secrets {
		if s.Name == "orders-db" {
			t.Error("an extra value became a copied Secret")
		}
	}

	// A prod Secret of the same name wins over an extra one.
	in.Spec.Rules[0].Template = `{{ secret "cache" "password" }}`
	res, err = Secrets(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(byName(t, res, "app-env").Data["DATABASE_URL"]); got == "shadowed" || got == "prod-cache-pw" {
		t.Errorf("DATABASE_URL = %q, want the copy's generated cache password", got)
	}

	in.Spec.Rules[0].Template = `{{ secret "orders-db" "pasword" }}`
	_, err = Secrets(in)
	if err == nil || !strings.Contains(err.Error(), `key "pasword"`) || !strings.Contains(err.Error(), "keys: password, username") {
		t.Errorf("err = %v", err)
	}
}
