package scrub

import (
	"slices"
	"testing"
)

func TestIsSensitiveKey(t *testing.T) {
	sensitive := []string{
		"password", "PASSWORD", "DB_PASSWORD", "dbPassword", "db.password", "db-password",
		"spring.datasource.password", "PGPASSWORD", "MYSQL_ROOT_PASSWORD", "passwd", "DB_PASSWD",
		"DB_PWD", "dbPwd", "passphrase", "SSH_PASSPHRASE",
		"secret", "CLIENT_SECRET", "clientSecret", "SECRET_KEY_BASE", "jwtSecret", "aws_secret_access_key",
		"token", "GITHUB_TOKEN", "accessToken", "refresh-token", "oauth2Token", "SLACK_BOT_TOKEN",
		"apikey", "APIKEY", "api_key", "api-key", "apiKey", "APIKey", "X-Api-Key", "STRIPE_KEY",
		"private", "PRIVATE_KEY", "privateKey", "tls.key", "server.key", "ssh-privatekey", "key",
		"credential", "credentials", "GOOGLE_APPLICATION_CREDENTIALS", "aws.credentials",
		"AUTH", "BASIC_AUTH", "proxy-auth", "Authorization", "X_AUTHORIZATION",
		"dsn", "SENTRY_DSN", "DATABASE_DSN", "connection_string", "ConnectionString", "connStr",
		"DB_PASS", "smtp.pass", "DB_PW", "HASH_SALT", "salt", "creds", "AWS_ACCESS_KEY_ID",
		"kubeconfig", "KUBECONFIG", ".dockerconfigjson", "htpasswd", ".pgpass", ".netrc",
		".npmrc", "keystore.jks", "client.p12", "cert.pfx", "server.pem", "ENCRYPTION_KEYS",
		"BEARER", "requirepass", "--requirepass", "REDIS_MASTERAUTH",
		// Qualified but with a sensitive last word: still sensitive.
		"TOKEN_TTL_KEY", "MAX_PASSWORD",
	}
	for _, k := range sensitive {
		if !IsSensitiveKey(k) {
			t.Errorf("IsSensitiveKey(%q) = false, want true", k)
		}
	}
	notSensitive := []string{
		"", "PWD", "OLDPWD", "HOST", "DATABASE_HOST", "PORT", "LOG_LEVEL", "USERNAME", "user",
		"AUTH_URL", "AUTH_SERVICE_HOST", "authEnabled", "KEY_PREFIX", "CACHE_KEY_PREFIX",
		"AUTHORIZATION_SERVER", "passenger_count", "bypass_cache", "monkey", "keyboard_layout",
		"TOKEN_TTL_SECONDS", "PASSWORD_MIN_LENGTH", "API_KEY_FILE", "SECRET_PATH",
		"TOKEN_EXPIRY_SECONDS", "SESSION_TOKEN_TIMEOUT", "PASSWORD_RESET_ENABLED", "___", "123",
	}
	for _, k := range notSensitive {
		if IsSensitiveKey(k) {
			t.Errorf("IsSensitiveKey(%q) = true, want false", k)
		}
	}
}

func TestIsSensitive(t *testing.T) {
	tests := []struct {
		key, value string
		want       bool
	}{
		{"DB_PASSWORD", "hunter2", true},
		{"DB_PASSWORD", "", false},
		{"DB_PASSWORD", "  ", false},
		{"DB_PASSWORD", "$(DB_PASSWORD)", false},
		{"DB_PASSWORD", "${DB_PASSWORD}", false},
		{"DB_PASSWORD", "$DB_PASSWORD", false},
		{"DB_PASSWORD", "${DB_PASSWORD:-hunter2}", true}, // the default may be a real password
		{"DB_PASSWORD", "$(A)$(B)", true},
		{"REDIS_AUTH", "false", false},
		{"REDIS_AUTH", "null", false},
		{"DB_PASSWORD", "3600", true}, // a numeric password is still a password
		{"TOKEN_TTL_SECONDS", "3600", false},
		{"TOKEN_TTL", "15m", false},
		{"TOKEN_TTL", "1h30m", false},
		{"PASSWORD_MIN_LENGTH", "12", false},
		{"API_KEY_FILE", "/run/secrets/api-key", false},
		{"API_KEY_FILE", "./secrets/key", false},
		{"PASSWORD_RESET_ENABLED", "yes", false},
		{"CACHE_SIZE_BYTES", "512Mi", false},
		// A misleadingly named qualified key holding a secret is still replaced.
		{"TOKEN_TTL_SECONDS", "ghp_abcdefghijklmnop1234", true},
		{"API_KEY_FILE", "sk_live_abc123", true},
		{"LOG_LEVEL", "debug", false},
		{"HOST", "sk_live_abc123", false},
		// A data-structure key's value decides: PagerDuty's routing_key is an integration key,
		// RabbitMQ's a route.
		{"routing_key", "b94d9d5e5cf8732955cd1d29a3761bac", true},
		{"ROUTING_KEY", "Zk3xQ9vLm2Rt8WpB4yHc7NdE", true},
		{"routing_key", "orders.created", false},
		{"CACHE_KEY", "user:{id}", false},
		{"DYNAMODB_PARTITION_KEY", "customer_id", false},
		{"detachKeys", "ctrl-e,e", false},
		// What implements or labels a credential is named after it, and is no credential.
		{"password_hashing_module", "rabbit_password_hashing_sha256", false},
		{"password_hint", "password", false},
		{"PASSWORD_HASHER_CLASS", "django.contrib.auth.hashers.Argon2PasswordHasher", false},
		{"password_hint", "Zk3xQ9vLm2Rt8WpB4yHc7NdE", true},
	}
	for _, tc := range tests {
		if got := IsSensitive(tc.key, tc.value); got != tc.want {
			t.Errorf("IsSensitive(%q, %q) = %v, want %v", tc.key, tc.value, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	tests := map[string][]string{
		"dbPassword":          {"db", "password"},
		"APIKey":              {"api", "key"},
		"oauth2Token":         {"oauth2", "token"},
		"DB_PASSWORD":         {"db", "password"},
		"x-api.key":           {"x", "api", "key"},
		"HTTPServerURL":       {"http", "server", "url"},
		"S3Key":               {"s3", "key"},
		"":                    nil,
		"--db-password":       {"db", "password"},
		"spring.data.mongodb": {"spring", "data", "mongodb"},
	}
	for in, want := range tests {
		if got := words(in); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}
