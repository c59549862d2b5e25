package scrub

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// harmlessCase is configuration that holds no credential and must reach the copy unchanged.
type harmlessCase struct {
	cat               string // see corpusCategories
	where, key, value string
	args              []string
	// why says, for a judgment call, why the value is on the harmless side.
	why string
}

// harmlessTable: false positives users would hate, the ones issue #10 lists first.
var harmlessTable = []harmlessCase{
	// Named in the issue.
	{cat: "urls", where: "env", key: "OAUTH_TOKEN_URL", value: "https://auth.example.com/oauth/token"},
	{cat: "urls", where: "env", key: "PASSWORD_RESET_URL", value: "https://shop.example.com/account/password/reset"},
	{cat: "policies", where: "env", key: "MYSQL_ALLOW_EMPTY_PASSWORD", value: "yes"},
	{cat: "identifiers", where: "env", key: "DYNAMODB_PARTITION_KEY", value: "customer_id"},
	{cat: "files", where: "cm", key: "application.properties", value: "server.ssl.key-store-type=PKCS12\nserver.ssl.key-store=/etc/tls/keystore.p12\n"},
	{cat: "identifiers", where: "env", key: "PRIVATE_REGISTRY", value: "registry.internal.example.com"},
	{cat: "policies", where: "env", key: "CSRF_TOKEN_HEADER", value: "X-CSRF-Token"},
	{cat: "commands", where: "args", args: []string{"/manager", "--secret-name", "webhook-server-cert", "--secret-namespace", "shop"}},
	{cat: "commands", where: "args", args: []string{"/controller", "--tls-secret=shop/api-tls", "--default-ssl-certificate=shop/wildcard"}},
	{cat: "metadata", where: "ann", key: "nginx.ingress.kubernetes.io/auth-secret", value: "basic-auth"},
	{cat: "metadata", where: "ann", key: "nginx.ingress.kubernetes.io/auth-type", value: "basic"},
	{cat: "metadata", where: "ann", key: "secret.reloader.stakater.com/reload", value: "db-creds,api-keys"},
	{cat: "metadata", where: "ann", key: "reloader.stakater.com/auto", value: "true"},
	{cat: "metadata", where: "ann", key: "vault.hashicorp.com/agent-inject-secret-db", value: "database/creds/shop-app"},
	{cat: "metadata", where: "ann", key: "vault.hashicorp.com/role", value: "shop-app"},
	// URLs without userinfo, booleans, references, key names.
	{cat: "urls", where: "env", key: "AUTH_URL", value: "https://auth.example.com/login"},
	{cat: "urls", where: "env", key: "TOKEN_ENDPOINT", value: "https://login.example.com/oauth2/v2.0/token"},
	{cat: "urls", where: "env", key: "JWKS_URI", value: "https://auth.example.com/.well-known/jwks.json"},
	{cat: "policies", where: "env", key: "API_KEY_HEADER", value: "X-Api-Key"},
	{cat: "policies", where: "env", key: "SECRET_NAME", value: "orders-db-credentials"},
	{cat: "policies", where: "env", key: "EXISTING_SECRET", value: "shop-postgresql"},
	{cat: "policies", where: "env", key: "TOKEN_TTL_SECONDS", value: "3600"},
	{cat: "policies", where: "env", key: "SESSION_TOKEN_TIMEOUT", value: "30m"},
	{cat: "policies", where: "env", key: "PASSWORD_MIN_LENGTH", value: "12"},
	{cat: "policies", where: "env", key: "API_KEY_FILE", value: "/run/secrets/api-key"},
	{cat: "policies", where: "env", key: "GOOGLE_APPLICATION_CREDENTIALS", value: "/var/secrets/google/key.json"},
	{cat: "policies", where: "env", key: "KUBECONFIG", value: "/etc/kube/config"},
	{cat: "policies", where: "env", key: "REDIS_AUTH_ENABLED", value: "false"},
	{cat: "policies", where: "env", key: "AUTH_PROVIDER", value: "oidc"},
	{cat: "policies", where: "env", key: "JWT_ALGORITHM", value: "RS256"},
	{cat: "urls", where: "env", key: "TOKEN_ISSUER", value: "https://auth.example.com/"},
	{cat: "policies", where: "env", key: "CACHE_KEY_PREFIX", value: "shop:v2:"},
	{cat: "identifiers", where: "env", key: "SORT_KEY", value: "created_at"},
	{cat: "policies", where: "env", key: "PASSWORD_HASH_ALGORITHM", value: "argon2id"},
	{cat: "policies", where: "env", key: "DB_PASSWORD", value: "$(DB_PASSWORD)"},
	{cat: "policies", where: "env", key: "REDIS_PASSWORD", value: ""},
	{cat: "env", where: "env", key: "SPRING_PROFILES_ACTIVE", value: "prod,metrics"},
	{cat: "env", where: "env", key: "LOG_LEVEL", value: "info"},
	{cat: "env", where: "env", key: "JAVA_OPTS", value: "-Xms512m -Xmx1g -XX:+UseG1GC -Dfile.encoding=UTF-8"},
	{cat: "urls", where: "env", key: "DATABASE_URL", value: "postgres://app@orders-db:5432/orders?sslmode=require"},
	{cat: "urls", where: "env", key: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector:4317"},
	{cat: "identifiers", where: "env", key: "GIT_COMMIT", value: "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"},
	{cat: "identifiers", where: "env", key: "REQUEST_ID_HEADER", value: "X-Request-Id"},
	{cat: "env", where: "env", key: "TZ", value: "Europe/Berlin"},
	{cat: "env", where: "env", key: "PWD", value: "/app"},
	{cat: "identifiers", where: "env", key: "BUILD_ID", value: "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
	// Configuration files.
	{cat: "directives", where: "cm", key: "nginx.conf", value: "server {\n  listen 443 ssl;\n  ssl_certificate /etc/nginx/tls/tls.crt;\n  ssl_certificate_key /etc/nginx/tls/tls.key;\n  auth_basic \"Restricted\";\n  auth_basic_user_file /etc/nginx/.htpasswd;\n  location / { proxy_pass http://api:8080; }\n}\n"},
	{cat: "directives", where: "cm", key: "redis.conf", value: "bind 0.0.0.0\nport 6379\nmaxmemory 256mb\nmaxmemory-policy allkeys-lru\nappendonly yes\n"},
	{cat: "files", where: "cm", key: "application.yaml", value: "server:\n  port: 8080 # http\nspring:\n  datasource:\n    url: jdbc:postgresql://db:5432/shop\n    username: app\n    password: ${DB_PASSWORD}\n  jpa:\n    open-in-view: false\n"},
	{cat: "files", where: "cm", key: "settings.json", value: "{\n  \"featureFlags\": {\"checkout_v2\": true},\n  \"auth\": {\"enabled\": true, \"tokenTtl\": \"15m\", \"issuer\": \"https://auth.example.com\"},\n  \"retries\": 3\n}\n"},
	{cat: "files", where: "cm", key: "values.yaml", value: "auth:\n  existingSecret: shop-postgresql\n  secretKeys:\n    adminPasswordKey: postgres-password\n    userPasswordKey: password\n"},
	{cat: "files", where: "cm", key: "config.toml", value: "[server]\nhost = \"0.0.0.0\"\nport = 8080\n\n[auth]\nprovider = \"oidc\"\ntoken_header = \"Authorization\"\n"},
	{cat: "directives", where: "cm", key: "my.cnf", value: "[mysqld]\nmax_connections = 200\ninnodb_buffer_pool_size = 1G\nskip-name-resolve\n"},
	{cat: "files", where: "cm", key: ".env", value: "APP_ENV=production\nAPP_DEBUG=false\nSESSION_DRIVER=redis\nPASSWORD_TIMEOUT=10800\n"},
	{cat: "files", where: "cm", key: "log4j2.xml", value: "<Configuration status=\"warn\">\n  <Appenders><Console name=\"out\" target=\"SYSTEM_OUT\"/></Appenders>\n  <Loggers><Root level=\"info\"><AppenderRef ref=\"out\"/></Root></Loggers>\n</Configuration>\n"},
	{cat: "commands", where: "cm", key: "entrypoint.sh", value: "#!/bin/sh\nset -eu\nexport PASSWORD_FILE=/run/secrets/db\nexec /app/server --port 8080 --log-level info\n"},
	{cat: "directives", where: "cm", key: "haproxy.cfg", value: "defaults\n  mode http\n  timeout connect 5s\nfrontend web\n  bind *:80\n  default_backend api\nbackend api\n  server api1 api:8080 check\n"},
	{cat: "keys", where: "cm", key: "ca.crt", value: "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQk9bUqW0hGx7zYWJ1m9Hq0oJbYwwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n"},
	{cat: "dotfiles", where: "cm", key: "kubeconfig-template", value: "apiVersion: v1\nkind: Config\nusers:\n- name: sa\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n"},
	{cat: "directives", where: "cm", key: "fluent-bit.conf", value: "[SERVICE]\n    Flush 1\n[OUTPUT]\n    Name es\n    Host es\n    HTTP_Passwd ${ES_PASSWORD}\n    tls On\n"},
	{cat: "files", where: "cm", key: "prometheus.yml", value: "scrape_configs:\n- job_name: api\n  authorization:\n    credentials_file: /etc/prometheus/token\n  static_configs:\n  - targets: ['api:9090']\n"},
	{cat: "files", where: "cm", key: "README", value: "Set the password in the secret named db-creds. Tokens expire after 15 minutes."},
	{cat: "commands", where: "cm", key: "crontab", value: "*/5 * * * * /app/cleanup --older-than 24h\n"},
	// Args and annotations.
	{cat: "commands", where: "args", args: []string{"--port=8080", "--log-level", "debug", "--metrics-bind-address=:8443"}},
	{cat: "commands", where: "args", args: []string{"/bin/sh", "-c", "until pg_isready -h db; do sleep 1; done"}},
	{cat: "commands", where: "args", args: []string{"docker", "run", "-p", "8080:80", "nginx:1.27"}},
	{cat: "commands", where: "args", args: []string{"--password-file", "/run/secrets/db-password", "--token-path=/var/run/token"}},
	{cat: "commands", where: "args", args: []string{"kubectl", "get", "secret", "db-creds", "-o", "yaml"}},
	{cat: "commands", where: "args", args: []string{"curl", "-fsS", "http://localhost:8080/healthz"}},
	{cat: "metadata", where: "ann", key: "prometheus.io/scrape", value: "true"},
	{cat: "metadata", where: "ann", key: "checksum/secret", value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
	{cat: "metadata", where: "ann", key: "kubernetes.io/change-cause", value: "rotate the session key to the new KMS alias"},
	{cat: "metadata", where: "ann", key: "fluxcd.io/automated", value: "false"},
}

// runHarmless copies one harmless value through the API its place calls and returns what came
// out and what went in, to be compared.
func runHarmless(hc harmlessCase, in PlainInput) (got, want string) {
	switch hc.where {
	case "cm", "ann":
		out, _, _ := ConfigMap("app", map[string]string{hc.key: hc.value}, nil, in)
		return out[hc.key], hc.value
	case "bin":
		_, out, _ := ConfigMap("app", nil, map[string][]byte{hc.key: []byte(hc.value)}, in)
		return string(out[hc.key]), hc.value
	case "env":
		out, _ := Env("api", "app", []corev1.EnvVar{{Name: hc.key, Value: hc.value}}, in)
		return out[0].Value, hc.value
	case "args":
		out, _ := Args("api", "app", hc.args, in)
		return fmt.Sprint(out), fmt.Sprint(hc.args)
	case "label":
		return runLabel(hc.key, hc.value, in), hc.value
	}
	panic("unknown place " + hc.where)
}

func harmlessInput() PlainInput {
	return PlainInput{Rewriter: NewRewriter("shop-prod", "shop-copy", nil), Keyring: testKeyring(3)}
}

// changesAllowed lists the harmless values that may change, by key, each with the reason. Empty:
// none may.
var changesAllowed = map[string]string{}

// TestHarmlessValuesSurvive: at most 2% of the harmless side may change, and each that does is
// listed in changesAllowed with its reason.
func TestHarmlessValuesSurvive(t *testing.T) {
	cases := allHarmlessCases()
	if len(cases) < 240 {
		t.Fatalf("the table has %d values; issue 21 asks for a harmless side as large as the leak side", len(cases))
	}
	in := harmlessInput()
	changed := 0
	for _, hc := range cases {
		if got, want := runHarmless(hc, in); got != want {
			changed++
			if _, ok := changesAllowed[hc.key]; !ok {
				t.Errorf("[%s] %s %s changed:\n in: %q\nout: %q", hc.cat, hc.where, hc.key, want, got)
			}
		}
	}
	t.Logf("%d harmless values, %d changed", len(cases), changed)
	if changed*50 > len(cases) {
		t.Errorf("%d of %d harmless values changed, more than 2%%", changed, len(cases))
	}
}

// TestHasTokenPrefix: a vendor prefix starts a token only where a token starts and with a token's
// body after it; a word that begins like one names something.
func TestHasTokenPrefix(t *testing.T) {
	for s, want := range map[string]bool{
		"pypi-AgEIcHlwaS5vcmcVXe5eafsv2nb5": true, "sk_live_abc123": true, "x ghp_Wc1": true,
		"npm_XNmITIpx7G7lolMUEagRJh4apFE48lOpD03l": true, "hf_abcdefghijklmnopqrst": true,
		"pypi-internal": false, "hf_cache": false, "npm_config_cache": false, "SG.region": false,
		"https://nexus.example.com/repository/pypi-internal/": false, "mysk_live_abc123": false,
	} {
		if got := hasTokenPrefix(s); got != want {
			t.Errorf("hasTokenPrefix(%q) = %v, want %v", s, got, want)
		}
	}
}
