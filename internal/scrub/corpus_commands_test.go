package scrub

var commandLeaks = section("commands",
	// SQL in init scripts and psql -c.
	cm("sql create user with password", "init.sql", true, func(c string) string {
		return "CREATE DATABASE shop;\nCREATE USER app WITH PASSWORD '" + c + "';\nGRANT ALL PRIVILEGES ON DATABASE shop TO app;\n"
	}),
	cm("sql identified by", "01-users.sql", true, func(c string) string {
		return "CREATE USER 'report'@'%' IDENTIFIED BY '" + c + "';\nGRANT SELECT ON shop.* TO 'report'@'%';\n"
	}),
	cm("oracle identified by, unquoted", "setup.sql", true, func(c string) string {
		return "CREATE USER shop IDENTIFIED BY " + c + " DEFAULT TABLESPACE users;\nGRANT CONNECT, RESOURCE TO shop;\n"
	}),
	args("psql -c alter user", true, func(c string) []string {
		return []string{"psql", "-h", "db", "-U", "postgres", "-c", "ALTER USER app PASSWORD '" + c + "'"}
	}),
	cm("mysql set password", "rotate.sql", true, func(c string) string {
		return "SET PASSWORD FOR 'app'@'%' = '" + c + "';\nFLUSH PRIVILEGES;\n"
	}),
	cm("mysql identified with plugin", "users.sql", true, func(c string) string {
		return "ALTER USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY '" + c + "';\n"
	}),
	// Tools that take a key and a value as separate words.
	args("npm config set token", false, func(c string) []string {
		return []string{"npm", "config", "set", "//npm.registry.example/:_authToken", c}
	}),
	args("yarn config set npmAuthToken", true, func(c string) []string { return []string{"yarn", "config", "set", "npmAuthToken", c} }),
	args("rclone config create", true, func(c string) []string {
		return []string{"rclone", "config", "create", "backup", "s3", "provider", "AWS", "access_key_id", "AKIAIOSFODNN7EXAMPLE", "secret_access_key", c}
	}),
	args("helm --set password", true, func(c string) []string {
		return []string{"helm", "upgrade", "--install", "db", "bitnami/postgresql", "--set", "auth.postgresPassword=" + c, "--set", "primary.persistence.size=20Gi"}
	}),
	args("kubectl from-literal", true, func(c string) []string {
		return []string{"kubectl", "create", "secret", "generic", "db", "--from-literal=username=app", "--from-literal=password=" + c}
	}),
	args("vault kv put", true, func(c string) []string {
		return []string{"vault", "kv", "put", "secret/shop/db", "username=app", "password=" + c}
	}),
	args("docker run -e", true, func(c string) []string {
		return []string{"docker", "run", "-d", "-e", "POSTGRES_PASSWORD=" + c, "postgres:16"}
	}),
	args("curl private-token header", true, func(c string) []string {
		return []string{"curl", "--header", "PRIVATE-TOKEN: " + c, "https://gitlab.example.com/api/v4/projects"}
	}),
	args("az login service principal", true, func(c string) []string {
		return []string{"az", "login", "--service-principal", "-u", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "-p", c, "--tenant", "shop.onmicrosoft.com"}
	}),
	args("mosquitto_pub -P", true, func(c string) []string {
		return []string{"mosquitto_pub", "-h", "mqtt", "-u", "sensor", "-P", c, "-t", "shop/health", "-m", "ok"}
	}),
	args("influx setup", true, func(c string) []string {
		return []string{"influx", "setup", "--username", "admin", "--password", c, "--org", "shop", "--bucket", "metrics", "--force"}
	}),
	cm("shell script sqlplus heredoc", "export.sh", true, func(c string) string {
		return "#!/bin/bash\nset -euo pipefail\nsqlplus -s shop/" + c + "@PROD <<'SQL'\nSELECT COUNT(*) FROM orders;\nSQL\n"
	}),
	cm("shell script mongodump uri", "backup.sh", true, func(c string) string {
		return "#!/bin/sh\nmongodump --uri=\"mongodb://backup:" + c + "@mongo-0.mongo:27017/shop?authSource=admin\" --archive=/backup/shop.gz --gzip\n"
	}),
	cm("cronjob script curl header", "report.sh", false, func(c string) string {
		return "#!/bin/sh\ncurl -fsS -X POST -H \"X-Auth-Token: " + c + "\" https://reports.example.com/api/daily\n"
	}),
)

var commandHarmless = harmlessSection("commands",
	argsH("kubeadm", "join", "10.0.0.1:6443", "--token-file=/etc/kubeadm/token", "--discovery-token-ca-cert-hash", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").because("the CA certificate's hash is public: it pins a certificate, it opens nothing"),
	argsH("tailscale", "up", "--hostname=api", "--advertise-tags=tag:k8s", "--accept-routes"),
	argsH("redis-server", "/etc/redis/redis.conf", "--requirepass", "$(REDIS_PASSWORD)"),
	argsH("mysqld", "--default-authentication-plugin=mysql_native_password", "--character-set-server=utf8mb4"),
	argsH("vault", "agent", "-config=/vault/config/agent.hcl"),
	argsH("consul", "agent", "-config-dir=/consul/config", "-encrypt-verify-incoming=true", "-retry-join=consul-0.consul"),
	argsH("java", "-Djavax.net.ssl.trustStore=/etc/ssl/truststore.jks", "-Djavax.net.ssl.trustStoreType=PKCS12", "-jar", "/app/app.jar"),
	argsH("sh", "-c", "echo \"$DB_PASSWORD\" | psql -h db -U app -W shop -f /sql/migrate.sql"),
	argsH("psql", "-v", "app_password=\"$APP_PASSWORD\"", "-f", "/docker-entrypoint-initdb.d/init.sql"),
	argsH("openssl", "rand", "-base64", "32"),
	argsH("ssh-keygen", "-t", "ed25519", "-N", "", "-f", "/tmp/deploy_key"),
	argsH("keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "/certs/ca.crt", "-keystore", "/certs/truststore.jks", "-storepass:env", "TRUSTSTORE_PASSWORD"),
	argsH("kafka-topics.sh", "--bootstrap-server", "kafka:9092", "--command-config", "/etc/kafka/client.properties", "--list"),
	argsH("mysql", "--login-path=client", "-e", "SELECT 1"),
	argsH("htpasswd", "-c", "/etc/nginx/.htpasswd", "admin"),
	argsH("curl", "--netrc-file", "/etc/netrc", "-fsS", "https://api.example.com/v1/ping"),
	argsH("sh", "-c", "aws s3 sync /data s3://shop-backups/$(date +%F)/"),
	argsH("erl", "-sname", "rabbit", "-setcookie", "$(cat /var/lib/rabbitmq/.erlang.cookie)"),
	argsH("/app/bin/shop", "start", "--cookie", "$RELEASE_COOKIE"),
	argsH("gitlab-runner", "register", "--non-interactive", "--url", "https://gitlab.example.com", "--executor", "kubernetes"),
	argsH("pg_dump", "--no-password", "-h", "db", "-U", "backup", "-Fc", "shop"),
	argsH("mongosh", "--host", "mongo", "--authenticationDatabase", "admin", "--tls"),
	argsH("/bin/sh", "-c", "until nc -z db 5432; do echo waiting for db; sleep 2; done"),
	argsH("docker", "login", "--username", "ci", "--password-stdin", "registry.example.com"),
	argsH("aws", "secretsmanager", "get-secret-value", "--secret-id", "prod/shop/db", "--query", "SecretString"),
	argsH("gcloud", "auth", "activate-service-account", "--key-file=/secrets/key.json"),
	argsH("certbot", "certonly", "--dns-route53", "-d", "shop.example.com", "--agree-tos", "-m", "ops@example.com"),
	cmH("init.sql", "CREATE DATABASE shop;\nCREATE USER app WITH PASSWORD :'app_password';\nGRANT CONNECT ON DATABASE shop TO app;\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\n").because("psql fills :'app_password' in from a variable"),
	cmH("schema.sql", "ALTER SYSTEM SET password_encryption = 'scram-sha-256';\nCREATE ROLE readonly NOLOGIN;\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO readonly;\nALTER USER app PASSWORD NULL;\n"),
	cmH("entry.sh", "#!/bin/sh\nset -eu\nif [ -z \"${DB_PASSWORD:-}\" ]; then\n  echo \"DB_PASSWORD is not set\" >&2\n  exit 1\nfi\nexec /app/server --db-password-file=/run/secrets/db\n"),
	cmH("healthcheck.sh", "#!/bin/sh\nredis-cli -h localhost -p 6379 --no-auth-warning -a \"$REDIS_PASSWORD\" ping | grep -q PONG\n"),
	cmH("crontab", "0 3 * * * /usr/local/bin/backup.sh --target s3://shop-backups --keep 14\n*/10 * * * * /usr/local/bin/rotate-tokens.sh --dry-run\n"),
)
