package scrub

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

const sec = "Zq9SecretCanary7x" // the embedded secret of TestScrubEmbedded's inputs

// TestScrubEmbedded runs the embedded-credential passes over each supported format: the secret
// must go, and the listed surroundings must stay.
func TestScrubEmbedded(t *testing.T) {
	tests := []struct {
		name string
		in   string
		keep []string // substrings that must survive
	}{
		{"url password", "postgres://app:" + sec + "@db:5432/orders?sslmode=disable", []string{"postgres://app:", "@db:5432/orders?sslmode=disable"}},
		{"url password with slash", "redis://:ab/" + sec + "@cache:6379/0", []string{"redis://:", "@cache:6379/0"}},
		{"url password with at", "amqp://u:p@" + sec + "@mq:5672", []string{"amqp://u:", "@mq:5672"}},
		{"url token user", "https://ghp_" + sec + "1234@github.com/org/repo.git", []string{"https://", "@github.com/org/repo.git"}},
		{"url list", "mongodb://u:" + sec + "@h1:27017,h2:27017/db", []string{"@h1:27017,h2:27017/db"}},
		{"two urls", "a=http://u:" + sec + "@h1 b=http://v:" + sec + "@h2", []string{"@h1 b=http://v:", "@h2"}},
		{"properties", "db.host=orders\ndb.password=" + sec + "\ndb.port=5432\n", []string{"db.host=orders\ndb.password=", "\ndb.port=5432\n"}},
		{"properties spaces", "db.password = " + sec + " more words\nx=1", []string{"db.password = ", "\nx=1"}},
		{"dotenv", "export DB_PASSWORD=" + sec + "\nAPI_TOKEN=\"" + sec + "\"\nLOG=debug", []string{"export DB_PASSWORD=", "API_TOKEN=\"", "\"\nLOG=debug"}},
		{"dotenv single quotes", "SECRET='" + sec + "'", []string{"SECRET='", "'"}},
		{"yaml", "db:\n  host: orders\n  password: " + sec + "\n  port: 5432\n", []string{"  host: orders\n  password: ", "\n  port: 5432\n"}},
		{"yaml quoted", "password: \"" + sec + "\" # prod\n", []string{"password: \"", "\" # prod\n"}},
		{"yaml list item", "- password: " + sec + "\n- user: x", []string{"- password: ", "\n- user: x"}},
		{"yaml block", "tls:\n  privateKeyData: |\n    " + sec + "\n    " + sec + "\n  other: 1\n", []string{"  privateKeyData: |\n    ", "\n  other: 1\n"}},
		{"yaml folded", "token: >-\n  " + sec + "\nnext: 1", []string{"token: >-\n  ", "\nnext: 1"}},
		{"yaml next line", "token:\n  " + sec + "\nnext: 1", []string{"token:\n  ", "\nnext: 1"}},
		// A value found by one pass may run over a key another pass needs; both are replaced.
		{"pair value over a flag", "!pass: app --token '" + sec + "' -v 0", []string{"!pass: ", " -v 0"}},
		{"flag value over a pair", "run --password \\\n token: " + sec, []string{"run --password \\\n "}},
		{"yaml flow", "creds: {user: app, secret: " + sec + "}", []string{"{user: app, secret: ", "}"}},
		{"json", `{"user":"app","password":"` + sec + `","port":5432}`, []string{`{"user":"app","password":"`, `","port":5432}`}},
		{"json pretty", "{\n  \"apiKey\": \"" + sec + "\",\n  \"region\": \"eu\"\n}", []string{"\"apiKey\": \"", "\",\n  \"region\": \"eu\"\n}"}},
		{"json escaped quote in value", `{"password":"a\"` + sec + `"}`, []string{`{"password":"`, `"}`}},
		{"json in json", `{"config":"{\"password\":\"` + sec + `\"}"}`, []string{`{"config":"{\"password\":\"`, `\"}"}`}},
		{"json number", `{"pin_secret": 123456789}`, []string{`{"pin_secret": `, `}`}},
		{"ini", "[database]\npassword = " + sec + "\nhost = db\n", []string{"[database]\npassword = ", "\nhost = db\n"}},
		{"php", "'password' => '" + sec + "',", []string{"'password' => '", "',"}},
		{"cli equals", "app --db-password=" + sec + " --port=5432", []string{"app --db-password=", " --port=5432"}},
		{"cli space", "app --db-password " + sec + " --port 5432", []string{"app --db-password ", " --port 5432"}},
		{"cli quoted", "app --token '" + sec + " x' --v", []string{"app --token '", "' --v"}},
		{"cli continuation", "app --token \\\n  " + sec + " --v", []string{"app --token \\\n  ", " --v"}},
		{"cli dash value", "app --token -" + sec + " -v", []string{"app --token ", " -v"}},
		{"java property", "java -Dspring.datasource.password=" + sec + " -jar app.jar", []string{"-Dspring.datasource.password=", " -jar app.jar"}},
		// At the start of a line the value owns the line (properties allow blanks in values).
		{"shell env", "PGPASSWORD=" + sec + " psql -h db", []string{"PGPASSWORD="}},
		{"shell env mid", "env PGPASSWORD=" + sec + " psql -h db", []string{"env PGPASSWORD=", " psql -h db"}},
		{"query string", "https://api/x?user=a&access_token=" + sec + "&page=2", []string{"https://api/x?user=a&access_token=", "&page=2"}},
		{"jdbc", "jdbc:postgresql://db/orders?user=app&password=" + sec, []string{"jdbc:postgresql://db/orders?user=app&password="}},
		{"ado", "Server=db;User Id=app;Password=" + sec + ";Database=orders", []string{"Server=db;User Id=app;Password=", ";Database=orders"}},
		{"header", "Authorization: Bearer " + sec + "\nAccept: json", []string{"Authorization: ", "\nAccept: json"}},
		{"curl bearer", `curl -H "X: Bearer ` + sec + `" https://api`, []string{`curl -H "X: Bearer `, `" https://api`}},
		{"basic", "Basic WnE5U2VjcmV0Q2FuYXJ5N3g6WnE5U2VjcmV0Q2FuYXJ5N3g=", []string{"Basic "}},
		{"jwt", "id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJaUTkifQ.Zq9SecretCanary7x_sig end", []string{"id ", " end"}},
		{"xml", "<db><password>" + sec + "</password><host>h</host></db>", []string{"<db><password>", "</password><host>h</host></db>"}},
		{"xml attr", `<db password="` + sec + `" host="h"/>`, []string{`<db password="`, `" host="h"/>`}},
		{"pem", "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  " + sec + "\n  -----END RSA PRIVATE KEY-----\nnext: 1", []string{"key: |\n  -----BEGIN PRIVATE KEY-----\n  ", "\n  -----END PRIVATE KEY-----\nnext: 1"}},
		{"pem in json", `{"cert":"-----BEGIN PRIVATE KEY-----\n` + sec + `\n-----END PRIVATE KEY-----\n"}`, []string{`{"cert":"-----BEGIN PRIVATE KEY-----\n`, `\n-----END PRIVATE KEY-----\n"}`}},
		{"pem unterminated", "a\n-----BEGIN PRIVATE KEY-----\n" + sec, []string{"a\n-----BEGIN PRIVATE KEY-----\n"}},
		{"crlf", "password=" + sec + "\r\nuser=x\r\n", []string{"password=", "\r\nuser=x\r\n"}},
		{"github token", "remote: " + "ghp_" + sec + "abcdef", []string{"remote: ghp_"}},
		{"stripe key", `{"stripe":"sk_live_` + sec + `"}`, []string{`{"stripe":"sk_live_`, `"}`}},
		{"slack token", "hook xoxb-123-" + sec + " end", []string{"hook xoxb-", " end"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := scrubber{k: testKeyring(9), scope: []string{"t"}}
			out := sc.text(tc.in)
			if strings.Contains(out, sec) || strings.Contains(out, "Zq9Secret") {
				t.Errorf("secret survived:\n in: %q\nout: %q", tc.in, out)
			}
			for _, k := range tc.keep {
				if !strings.Contains(out, k) {
					t.Errorf("lost %q:\n in: %q\nout: %q", k, tc.in, out)
				}
			}
			if sc.n == 0 {
				t.Error("no replacement counted")
			}
			if again := (&scrubber{k: testKeyring(9), scope: []string{"t"}}).text(tc.in); again != out {
				t.Errorf("not deterministic: %q vs %q", out, again)
			}
		})
	}
}

// TestScrubEmbeddedLeavesNonSecrets checks that ordinary configuration passes unchanged.
func TestScrubEmbeddedLeavesNonSecrets(t *testing.T) {
	for _, in := range []string{
		"",
		"log.level=debug\nserver.port=8080\n",
		"db:\n  host: orders\n  port: 5432\n  user: app\n",
		`{"user":"app","host":"db","port":5432,"tls":true}`,
		"postgres://app@db:5432/orders",
		"http://host:8080/p/a@b.com",
		"https://registry.example/@scope/pkg",
		"app --port 5432 --log-level=debug",
		"password: ${DB_PASSWORD}\ntoken: $(API_TOKEN)\nsecret: \"\"",
		"postgres://app:$(DB_PASSWORD)@db/orders",
		"TOKEN_TTL_SECONDS=3600\nPASSWORD_MIN_LENGTH=12\nAPI_KEY_FILE=/run/secrets/key",
		"image: registry/secret-store:v1",
		"if a == b && c != d { x := y }",
		"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		"basic auth is disabled; Basic setup required",
		"a: |\n  multi\n  line\n",
		"UTF-8: żółć İstanbul ǅ",
		"use hf_hub or SG.short, ghp_ alone",
	} {
		sc := scrubber{k: testKeyring(9), scope: []string{"t"}}
		if out := sc.text(in); out != in || sc.n != 0 {
			t.Errorf("changed (n=%d):\n in: %q\nout: %q", sc.n, in, out)
		}
	}
}

func plainInput(rules ...v1alpha1.PlainValueRule) PlainInput {
	return PlainInput{
		Rewriter:  NewRewriter("shop-prod", "shop-copy", []v1alpha1.RewriteRule{{From: "rds.example.com", To: "orders-db"}}),
		Keyring:   testKeyring(1),
		KeepPlain: rules,
	}
}

func TestConfigMap(t *testing.T) {
	data := map[string]string{
		"DB_PASSWORD":       "prod-pw-1",
		"KEPT_TOKEN":        "prod-token-2",
		"DATABASE_URL":      "postgres://app:prod-pw-3@rds.example.com/orders",
		"ORDERS_HOST":       "orders.shop-prod.svc.cluster.local",
		"app.properties":    "orders.url=http://orders.shop-prod:8080\norders.secret=prod-pw-4\n",
		"TOKEN_TTL_SECONDS": "3600",
		"tls.key":           "not really a key",
		"EMPTY_PASSWORD":    "",
	}
	binary := map[string][]byte{"keystore.jks": {0xfe, 0xed, 1}, "logo.png": {0x89, 'P', 'N', 'G'}}
	dataBefore, binaryBefore := maps.Clone(data), map[string][]byte{"keystore.jks": {0xfe, 0xed, 1}, "logo.png": {0x89, 'P', 'N', 'G'}}
	in := plainInput(v1alpha1.PlainValueRule{ConfigMap: "app", Key: "KEPT_TOKEN"}, v1alpha1.PlainValueRule{Workload: "app", Key: "DB_PASSWORD"})

	out, outBinary, rep := ConfigMap("app", data, binary, in)

	k := in.Keyring
	want := map[string]string{
		"DB_PASSWORD":       k.Value("configmap", "app", "DB_PASSWORD"), // a workload rule does not keep a ConfigMap key
		"KEPT_TOKEN":        "prod-token-2",
		"DATABASE_URL":      "postgres://app:" + k.Value("configmap", "app", "DATABASE_URL", "url", "postgres", "app", "rds.example.com") + "@orders-db/orders",
		"ORDERS_HOST":       "orders.shop-copy.svc.cluster.local",
		"app.properties":    "orders.url=http://orders.shop-copy:8080\norders.secret=" + k.Value("configmap", "app", "app.properties", "kv", "orders.secret") + "\n",
		"TOKEN_TTL_SECONDS": "3600",
		"tls.key":           string(k.PrivateKeyPEM("configmap", "app", "tls.key")),
		"EMPTY_PASSWORD":    "",
	}
	if !reflect.DeepEqual(out, want) {
		for key := range want {
			if out[key] != want[key] {
				t.Errorf("%s = %q, want %q", key, out[key], want[key])
			}
		}
	}
	if got := rep.Generated; got != 5 { // 4 data values + keystore.jks
		t.Errorf("Generated = %d, want 5", got)
	}
	if string(outBinary["logo.png"]) != string(binary["logo.png"]) {
		t.Error("non-sensitive binaryData changed")
	}
	if string(outBinary["keystore.jks"]) == string(binary["keystore.jks"]) {
		t.Error("sensitive binaryData kept")
	}
	if !maps.Equal(data, dataBefore) || !maps.EqualFunc(binary, binaryBefore, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Error("ConfigMap modified its input")
	}
	outBinary["logo.png"][0] = 0
	if binary["logo.png"][0] != 0x89 {
		t.Error("binaryData output aliases the input")
	}
	// Determinism: same input, same output.
	again, _, _ := ConfigMap("app", data, binary, in)
	if !maps.Equal(out, again) {
		t.Error("ConfigMap is not deterministic")
	}
	if d, b, _ := ConfigMap("empty", nil, nil, in); d != nil || b != nil {
		t.Error("nil maps did not stay nil")
	}
}

func TestEnv(t *testing.T) {
	env := []corev1.EnvVar{
		{Name: "DB_PASSWORD", Value: "prod-pw-1"},
		{Name: "KEPT_TOKEN", Value: "prod-token-2"},
		{Name: "API_TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "api"}, Key: "token"}}},
		{Name: "REDIS_PASSWORD", Value: "$(REDIS_PASSWORD_FROM_SECRET)"},
		{Name: "DATABASE_URL", Value: "postgres://app:prod-pw-3@orders.shop-prod:5432/orders"},
		{Name: "JAVA_OPTS", Value: "-Xmx1g -Djavax.net.ssl.keyStorePassword=prod-pw-4"},
		{Name: "LOG_LEVEL", Value: "info"},
		{Name: "SESSION_TOKEN_TTL", Value: "30m"},
	}
	before := make([]corev1.EnvVar, len(env))
	for i := range env {
		before[i] = *env[i].DeepCopy()
	}
	in := plainInput(v1alpha1.PlainValueRule{Workload: "checkout", Key: "KEPT_TOKEN"})

	out, rep := Env("checkout", "app", env, in)

	k := in.Keyring
	want := []string{
		k.Value("env", "checkout", "app", "DB_PASSWORD"),
		"prod-token-2",
		"",
		"$(REDIS_PASSWORD_FROM_SECRET)",
		"postgres://app:" + k.Value("env", "checkout", "app", "DATABASE_URL", "url", "postgres", "app", "orders.shop-prod:5432") + "@orders.shop-copy:5432/orders",
		"-Xmx1g -Djavax.net.ssl.keyStorePassword=" + k.Value("env", "checkout", "app", "JAVA_OPTS", "kv", "Djavax.net.ssl.keyStorePassword"),
		"info",
		"30m",
	}
	for i := range want {
		if out[i].Name != env[i].Name || out[i].Value != want[i] {
			t.Errorf("env[%d] %s = %q, want %q", i, out[i].Name, out[i].Value, want[i])
		}
	}
	if !reflect.DeepEqual(out[2].ValueFrom, env[2].ValueFrom) || out[2].ValueFrom == env[2].ValueFrom {
		t.Error("ValueFrom not copied as is (or aliased)")
	}
	if rep.Generated != 3 {
		t.Errorf("Generated = %d, want 3", rep.Generated)
	}
	if !reflect.DeepEqual(env, before) {
		t.Error("Env modified its input")
	}
	// Another container of the same workload gets different values.
	other, _ := Env("checkout", "sidecar", env, in)
	if other[0].Value == out[0].Value {
		t.Error("containers share generated values")
	}
	if nilOut, _ := Env("w", "c", nil, in); nilOut != nil {
		t.Error("nil env did not stay nil")
	}
}

func TestArgs(t *testing.T) {
	args := []string{
		"--db-password", "prod-pw-1",
		"--token=prod-token-2",
		"--password", "$(DB_PASSWORD)",
		"--api-key", "--verbose",
		"--host", "orders.shop-prod.svc",
		"-c", "mysql -uroot --password prod-pw-3 -h db.shop-prod && curl -H 'Authorization: Bearer prod-token-4xyz' https://api",
		"--kept-secret", "prod-kept-5",
		"--token-ttl", "1h",
		"--secret", "-dash-prod-6",
		"--token", "-v",
	}
	before := slices.Clone(args)
	in := plainInput(v1alpha1.PlainValueRule{Workload: "checkout", Key: "kept-secret"})

	out, rep := Args("checkout", "app", args, in)

	k := in.Keyring
	want := []string{
		"--db-password", k.Value("args", "checkout", "app", "flag", "db-password"),
		"--token=" + k.Value("args", "checkout", "app", "kv", "token"),
		"--password", "$(DB_PASSWORD)",
		"--api-key", "--verbose",
		"--host", "orders.shop-copy.svc",
		"-c", "mysql -uroot --password " + k.Value("args", "checkout", "app", "flag", "password") + " -h db.shop-copy && curl -H 'Authorization: " + k.Value("args", "checkout", "app", "kv", "Authorization") + "' https://api",
		"--kept-secret", "prod-kept-5",
		"--token-ttl", "1h",
		"--secret", k.Value("args", "checkout", "app", "flag", "secret"),
		"--token", "-v",
	}
	if !slices.Equal(out, want) {
		for i := range want {
			if out[i] != want[i] {
				t.Errorf("args[%d] = %q, want %q", i, out[i], want[i])
			}
		}
	}
	if rep.Generated != 5 {
		t.Errorf("Generated = %d, want 5", rep.Generated)
	}
	if !slices.Equal(args, before) {
		t.Error("Args modified its input")
	}
}

// TestStandInsNeverReadAsNames: the word after a replaced credential stays, whatever the
// keyring. A stand-in whose camelCase words spelled a credential's name ("...mefPW") made the
// context pass take "ping" in redis-cli -a <stand-in> ping for its value, for 1 keyring in ~50
// (testKeyring(1) among these).
func TestStandInsNeverReadAsNames(t *testing.T) {
	const pw = "Zq01CanaryyyyyX9k"
	script := "mysql -h db -uroot -p" + pw + " -e 'select 1' && redis-cli -a " + pw + " ping"
	curl := "curl -u admin:" + pw + " https://api.example.com"
	for seed := 0; seed < 256; seed++ {
		in := PlainInput{Keyring: testKeyring(byte(seed))}
		args, _ := Args("api", "app", []string{"/bin/sh", "-c", script}, in)
		if strings.Contains(args[2], pw) || !strings.HasPrefix(args[2], "mysql -h db -uroot -p") ||
			!strings.Contains(args[2], " -e 'select 1' && redis-cli -a ") || !strings.HasSuffix(args[2], " ping") {
			t.Errorf("keyring %d: args %q", seed, args[2])
		}
		env, _ := Env("api", "app", []corev1.EnvVar{{Name: "CURL_CMD", Value: curl}}, in)
		if v := env[0].Value; strings.Contains(v, pw) || !strings.HasPrefix(v, "curl -u admin:") || !strings.HasSuffix(v, " https://api.example.com") {
			t.Errorf("keyring %d: env %q", seed, v)
		}
	}
}
