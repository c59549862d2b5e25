package scrub

var policyLeaks = section("policies",
	cm("spring placeholder with an inline default", "application.properties", true, func(c string) string {
		return "spring.datasource.url=jdbc:postgresql://db/shop\nspring.datasource.password=${DB_PASSWORD:" + c + "}\n"
	}),
	cm("shell default expansion", "start.sh", true, func(c string) string {
		return "#!/bin/sh\nexport PGPASSWORD=\"${PGPASSWORD:-" + c + "}\"\nexec psql -h db -U app shop\n"
	}),
	cm("compose default expansion", "docker-compose.yml", true, func(c string) string {
		return "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-" + c + "}\n"
	}),
	env("inline token under a file key", "API_KEY_FILE", false, func(c string) string { return c }),
	env("bcrypt hash of a password", "ADMIN_PASSWORD_HASH", false, func(c string) string { return "$2y$10$" + c + c[:22] }),
	cm("password hash in yaml", "users.yaml", false, func(c string) string {
		return "users:\n  - name: admin\n    password_hash: \"$argon2id$v=19$m=65536,t=3,p=4$" + c[:22] + "$" + c + c[:19] + "\"\n"
	}),
	env("secret after a reference-looking prefix", "DB_PASSWORD", true, func(c string) string { return "vault-" + c }),
	cm("grafana password with no provider", "grafana.ini", true, func(c string) string {
		return "[security]\nadmin_user = admin\nadmin_password = " + c + "\n"
	}),
)

var policyHarmless = harmlessSection("policies",
	envH("PASSWORD_REGEX", `^(?=.*[A-Z])(?=.*\d).{12,}$`),
	cmH("realm-policy.json", `{"realm": "shop", "passwordPolicy": "length(12) and upperCase(1) and digits(1) and notUsername(undefined) and hashIterations(27500)"}`),
	envH("PASSWORD_ROTATION_SCHEDULE", "0 3 * * 0"),
	envH("TOKEN_REFRESH_CRON", "*/15 * * * *"),
	envH("TOKEN_SIGNING_ALG", "ES256"),
	envH("PASSWORD_HASHERS", "argon2,bcrypt_sha256,pbkdf2_sha256"),
	cmH("security.properties", "password.bcrypt.rounds=12\npassword.min-length=14\npassword.require-symbols=true\npassword.history=5\n"),
	cmH("hashing.yaml", "password_hashing:\n  algorithm: argon2id\n  argon2:\n    memory: 65536\n    iterations: 3\n    parallelism: 2\n    salt_length: 16\n"),
	envH("PASSWORD_MAX_AGE_DAYS", "90"),
	envH("PASSWORD_HISTORY", "5"),
	envH("PASSWORD_MIN_UPPERCASE", "1"),
	envH("PASSWORD_COMPLEXITY", "high"),
	cmH("storage.toml", "[database]\nuser = \"app\"\nsecret_file = \"/run/secrets/db\"\npassword_command = \"cat /run/secrets/db\"\n"),
	cmH("grafana.ini", "[security]\nadmin_user = admin\nadmin_password = $__file{/etc/secrets/admin_password}\nsecret_key = $__env{GF_SECRET_KEY}\ncookie_secure = true\n[auth.generic_oauth]\nclient_secret = $__file{/etc/secrets/oauth_client_secret}\n"),
	cmH("client.properties", "security.protocol=SASL_SSL\nssl.truststore.location=/etc/kafka/secrets/truststore.jks\nssl.truststore.password=${file:/etc/kafka/secrets/creds.properties:truststore.password}\nsasl.jaas.config=${env:KAFKA_JAAS_CONFIG}\nconfig.providers=file,env\n"),
	cmH("connect.properties", "database.password=${vault:secret/data/shop/db:password}\ndatabase.user=${vault:secret/data/shop/db:username}\n"),
	cmH("application.properties", "spring.datasource.password=${DB_PASSWORD:}\nspring.mail.password=${MAIL_PASSWORD:}\nspring.datasource.username=${DB_USER:app}\n"),
	cmH("application.yaml", "app:\n  api-token: ${API_TOKEN}\n  signing-key: ${vcap.services.signer.credentials.key}\n"),
	envH("DB_PASSWORD", "@Microsoft.KeyVault(SecretUri=https://shop-kv.vault.azure.net/secrets/db-password/)").because("an App Service Key Vault reference, resolved by the platform"),
	envH("DB_PASSWORD_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/db-AbCdEf"),
	envH("DB_PASSWORD", "vault:secret/data/shop/db#password").because("a bank-vaults reference the webhook resolves in the pod"),
	envH("API_TOKEN", "ref+vault://secret/shop/api#/token").because("a vals reference, resolved at deploy time"),
	envH("SMTP_PASSWORD", "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/smtp/password"),
	envH("DB_PASSWORD_SECRET", "projects/shop-prod/secrets/db-password/versions/latest"),
	envH("TEMPLATE_PASSWORD", "{{resolve:secretsmanager:prod/shop/db:SecretString:password}}"),
	envH("API_TOKEN_URI", "file:///run/secrets/api_token"),
	cmH("supervisord.conf", "[program:worker]\ncommand=/app/worker\nenvironment=DB_PASSWORD=\"%(ENV_DB_PASSWORD)s\",LOG_LEVEL=\"info\"\n"),
	cmH("db.tpl", "{{ with secret \"database/creds/shop\" }}\nDB_USER={{ .Data.username }}\nDB_PASSWORD={{ .Data.password }}\n{{ end }}\n"),
	cmH("consul-template.ctmpl", "api_token = \"{{ key \"shop/api/token\" }}\"\n"),
	envH("TOKEN_CHARSET", "ABCDEFGHJKLMNPQRSTUVWXYZ23456789").because("an alphabet tokens are drawn from, each character once, in order"),
	envH("AUTHORIZATION_HEADER", "Bearer ${API_TOKEN}"),
	envH("PASSWORD_ENCRYPTION", "scram-sha-256"),
	envH("SECRET_ROTATION_WINDOW", "P7D"),
	envH("PASSWORD_REQUIRE_SPECIAL", "true"),
	envH("API_KEY_PREFIX", "shop_live_"),
	envH("KEY_DERIVATION", "pbkdf2-sha256:600000"),
	envH("ARGON2_PARAMS", "m=65536,t=3,p=4"),
	envH("PASSWORD_HASH_PARAMS", "$argon2id$v=19$m=65536,t=3,p=4").because("the parameters of a hash without its salt and digest"),
)
