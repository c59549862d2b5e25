package scrub

import (
	"strings"
	"testing"
)

// TestKeysOfIssue21: keys named by their consumer, with indices or versions, public by
// convention, and value-decided, on both sides.
func TestKeysOfIssue21(t *testing.T) {
	sensitive := []string{
		"VAULT_UNSEAL_KEY_1", "JWT_SIGNING_KEY_PREVIOUS", "API_KEY_V2", "TS_AUTHKEY", "HONEYCOMB_WRITEKEY",
		"RABBITMQ_ERLANG_COOKIE", ".erlang.cookie", "RELEASE_COOKIE", "setcookie", "mongodb-keyfile", "agent.psk",
		"WEBHOOK_HMAC", "bindpw", "ldap_default_authtok", "password_sha256_hex", "ADMIN_PASSWORD_HASH",
		"PUB_SUB_TOKEN", "BROWSER_TOKEN", "NEXT_PUBLIC_STRIPE_SECRET_KEY", "secrets.yaml",
	}
	for _, k := range sensitive {
		if !IsSensitiveKey(k) {
			t.Errorf("IsSensitiveKey(%q) = false", k)
		}
	}
	notSensitive := []string{
		"NEXT_PUBLIC_FIREBASE_API_KEY", "VITE_API_KEY", "STRIPE_PUBLISHABLE_KEY", "RECAPTCHA_SITE_KEY",
		"public_key", "id_rsa.pub", "truststore.jks", "ETCD_INITIAL_CLUSTER_TOKEN", "SESSION_COOKIE_NAME",
		"COOKIE_DOMAIN", "token-format.conf", "checksum/secret", "discovery-token-ca-cert-hash", "API_KEY_HASH",
		"password_encryption", "PASSWORD_REGEX", "credsStore", "credential_process", "password-stdin",
	}
	for _, k := range notSensitive {
		if IsSensitiveKey(k) {
			t.Errorf("IsSensitiveKey(%q) = true", k)
		}
	}
	values := []struct {
		key, value string
		want       bool
	}{
		{"PWD", "/srv/app", false}, {"PWD", "violet7253orchid", true}, {"encrypt", "true", false},
		{"encrypt", "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=", true}, {"community", "public", false},
		{"community", "thistle8955glacier", true}, {"auth-users", "alice,bob", false}, {"auth-users", "admin:x9f2Kq", true},
		{"DB_PASSWORD", "${DB_PASSWORD:}", false}, {"DB_PASSWORD", "${DB_PASSWORD:hunter2x}", true},
		{"auth", "SHA256", false}, {"token_obtained_at", "2024-05-01T12:00:00Z", false},
	}
	for _, v := range values {
		if got := IsSensitive(v.key, v.value); got != v.want {
			t.Errorf("IsSensitive(%q, %q) = %v, want %v", v.key, v.value, got, v.want)
		}
	}
}

// TestValuesThatPointElsewhere: references and lookups stay; a default written into one is
// judged on its own.
func TestValuesThatPointElsewhere(t *testing.T) {
	indirect := []string{
		"${file:/etc/kafka/creds.properties:password}", "${env:DB_PASSWORD}", "${vault:secret/data/db:password}",
		"${DB_PASSWORD:}", "$__file{/etc/secrets/x}", "$__env{GF_KEY}", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x/)",
		"vault:secret/data/shop/db#password", "ref+vault://secret/shop/api#/token", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf",
		"projects/shop/secrets/db/versions/latest", "file:///run/secrets/x", "%(ENV_DB_PASSWORD)s", "<%= ENV[\"DB_PASSWORD\"] %>",
		"os.environ['X']", "os.getenv(\"X\")", "process.env.API_TOKEN", "System.getenv(\"X\")", "#{ENV['X']}",
		"{{ .Data.password }}", "{{ key \"shop/api/token\" }}", "Bearer ${API_TOKEN}", "$(cat /run/secrets/x)", ":'app_password'",
	}
	for _, v := range indirect {
		if !indirectValue(v) {
			t.Errorf("indirectValue(%q) = false", v)
		}
	}
	for _, v := range []string{"${DB_PASSWORD:hunter2x}", "$(echo hunter2x)", "{{ \"hunter2x Vq8-tT3k\" }}", "Bearer abcdefgh12345678", "ENV.fetch(\"X\") { \"hunter2hunter2\" }"} {
		if indirectValue(v) {
			t.Errorf("indirectValue(%q) = true", v)
		}
	}
}

// TestPublicMaterialAndClients: what is public by design, and the look-alikes that are not.
func TestPublicMaterialAndClients(t *testing.T) {
	public := []string{testCert, testCert + testCert2, testPublicPEM, testSSHPub, "# keys\n" + testSSHPub + "\n" + testSSHPub2, testJWKS,
		"command=\"/bin/true\",no-pty " + testSSHPub}
	for _, v := range public {
		if !publicMaterial(v) {
			t.Errorf("publicMaterial(%q) = false", trunc(v))
		}
	}
	notPublic := []string{testKey, testCert + testKey, "-----BEGIN CERTIFICATE-----\nhunter2\n-----END CERTIFICATE-----", jwks(true),
		"ssh-ed25519 AAAAC3NzaC1yc2EAAAA hunter2", `{"kty": "oct", "k": "c2VjcmV0"}`, "ssh-ed25519 notbase64!"}
	for _, v := range notPublic {
		if publicMaterial(v) {
			t.Errorf("publicMaterial(%q) = true", trunc(v))
		}
	}
	clients := map[string]bool{
		"https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d@o450123.ingest.sentry.io/5501234":           true,
		"https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d:secret@o450123.ingest.sentry.io/5501234":    false,
		"https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d@o450123.ingest.sentry.io/5501234?token=abc": false,
		"pk_live_51HqLyjWDarjtT1zdp7dcXyZ0":                                                   true,
		"sk_live_51HqLyjWDarjtT1zdp7dcXyZ0":                                                   false,
		"pub0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d":                                                 true,
	}
	for v, want := range clients {
		if got := publicClientValue(v); got != want {
			t.Errorf("publicClientValue(%q) = %v", v, got)
		}
	}
	// An issuer beside a client secret is a client's configuration, not a discovery document.
	out, _, _ := ConfigMap("app", map[string]string{"oidc.json": `{"issuer": "https://a.example.com", "authorization_endpoint": "https://a.example.com/auth", "client_secret": "hunter2hunter2"}`},
		nil, PlainInput{Keyring: testKeyring(3)})
	if strings.Contains(out["oidc.json"], "hunter2hunter2") {
		t.Error("a client secret beside an issuer was kept as public")
	}
}

// TestDescribedShapes: what a qualified key's value looks like when it describes a credential.
func TestDescribedShapes(t *testing.T) {
	for _, v := range []string{"0 3 * * 0", "*/15 * * * *", "@daily", "PT15M", "P7D", "sha256:9f86d081884c7d659a2feaa0c55ad015",
		"$argon2id$v=19$m=65536,t=3,p=4", "m=65536,t=3,p=4", "pbkdf2-sha256:600000", `^(?=.*[A-Z])(?=.*\d).{12,}$`,
		"length(12) and digits(1)", "cat /run/secrets/db", "header:X-Api-Key", ".ssh/authorized_keys", "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"} {
		if !describedShape(v) {
			t.Errorf("describedShape(%q) = false", v)
		}
	}
	for _, v := range []string{"hunter2hunter2 Vq8tT3kwP9zLm2x", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", "Vq8-tT3k-wP9z-Lm2x", "BACDEFGHJKLMNPQRSTUVWXYZ23456789A"} {
		if describedShape(v) {
			t.Errorf("describedShape(%q) = true", v)
		}
	}
}
