package scrub

import (
	"crypto/sha256"
	"encoding/hex"
)

// hex32 is a 32-digit hex credential made from a canary, as Datadog, Mailgun or Teams write them.
func hex32(c string) string {
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:16])
}

var urlLeaks = section("urls",
	// Oracle: user/password@connect-identifier, without a key = value separator.
	args("sqlplus user/password@//host/service", true, func(c string) []string {
		return []string{"sqlplus", "-s", "report/" + c + "@//db.prod.example.com:1521/ORCLPDB1", "@/sql/daily.sql"}
	}),
	cm("jdbc thin url with credentials", "datasource.properties", true, func(c string) string {
		return "db.driver=oracle.jdbc.OracleDriver\ndb.url=jdbc:oracle:thin:shop/" + c + "@db.prod.example.com:1521:ORCL\ndb.pool.max=20\n"
	}),
	cm("jdbc thin url with a TNS descriptor", "hikari.properties", true, func(c string) string {
		return "jdbcUrl=jdbc:oracle:thin:shop/" + c + "@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=orcl)))\n"
	}),
	env("EZConnect string", "ORACLE_EZCONNECT", true, func(c string) string { return "shop/" + c + "@db.prod.example.com:1521/SALES" }),
	args("expdp userid=", true, func(c string) []string {
		return []string{"expdp", "userid=system/" + c + "@PROD", "schemas=SHOP", "directory=DUMP_DIR", "dumpfile=shop.dmp"}
	}),
	args("rman target", true, func(c string) []string { return sh("rman target sys/" + c + "@prod cmdfile=/scripts/backup.rman") }),
	cm("python oracle connect string", "settings.yaml", true, func(c string) string {
		return "oracle:\n  connect_string: shop/" + c + "@orcl_high\n  pool_min: 2\n"
	}),
	env("jdbc thin url in env", "SPRING_DATASOURCE_URL", true, func(c string) string {
		return "jdbc:oracle:thin:app/" + c + "@//db.prod.example.com:1521/APP"
	}),
	// Other connection strings.
	env("sql server jdbc url", "JDBC_URL", true, func(c string) string {
		return "jdbc:sqlserver://db.prod.example.com:1433;databaseName=shop;user=app;password=" + c + ";encrypt=true"
	}),
	env("odbc connection string", "ODBC_CONNECTION", true, func(c string) string {
		return "Driver={ODBC Driver 18 for SQL Server};Server=tcp:db,1433;Database=shop;Uid=app;Pwd=" + c + ";Encrypt=yes"
	}),
	env("stackexchange redis string", "ConnectionStrings__Redis", true, func(c string) string {
		return "cache.prod.example.com:6380,password=" + c + ",ssl=True,abortConnect=False"
	}),
	env("legacy sentry dsn with a secret key", "SENTRY_DSN", false, func(c string) string {
		return "https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d:" + c + "@sentry.example.com/12"
	}),
	env("redis sentinel url", "REDIS_SENTINELS", true, func(c string) string {
		return "redis-sentinel://:" + c + "@sentinel-0:26379,sentinel-1:26379/mymaster"
	}),
	env("google maps key in the query", "GEOCODER_URL", false, func(c string) string {
		return "https://maps.googleapis.com/maps/api/geocode/json?key=" + c + "&language=en"
	}),
	// Tokens in URL paths.
	env("telegram bot token in the path", "TELEGRAM_NOTIFY", false, func(c string) string {
		return "https://api.telegram.org/bot6172839405:" + c + "AAH-" + c[:11] + "/sendMessage?chat_id=-100123"
	}),
	env("path segment after key/", "DEPLOY_WEBHOOK", true, func(c string) string {
		return "https://maker.ifttt.com/trigger/deploy_done/with/key/" + c
	}),
	cm("path segment after token/", "hooks.yaml", true, func(c string) string {
		return "notify:\n  - https://push.example.com/api/token/" + c + "/send\n"
	}),
	leakCase{name: "hex key in an intake path", where: "env", key: "LOG_SHIPPER_URL", secret: hex32, in: func(c string) string {
		return "https://http-intake.logs.datadoghq.eu/v1/input/" + hex32(c) + "?ddsource=nginx"
	}},
	leakCase{name: "teams webhook", where: "cm", key: "alerting.yaml", secret: hex32, in: func(c string) string {
		return "receivers:\n- name: teams\n  url: https://shop.webhook.office.com/webhookb2/7c9e6679-7425-40de-944b-e07fc1f90ae7@1b4e28ba-2fa1-11d2-883f-0016d3cca427/IncomingWebhook/" + hex32(c) + "/f47ac10b-58cc-4372-a567-0e02b2c3d479\n"
	}},
	env("discord webhook", "DISCORD_HOOK", false, func(c string) string {
		return "https://discord.com/api/webhooks/1187654321098765432/" + c + c[:20] + "-" + c[4:24]
	}),
	cm("gitlab oauth2 remote", "repos.txt", true, func(c string) string {
		return "app https://oauth2:" + c + "@gitlab.example.com/shop/app.git\n"
	}),
)

var urlHarmless = harmlessSection("urls",
	envH("ORACLE_URL", "jdbc:oracle:thin:@//db.prod.example.com:1521/ORCLPDB1"),
	envH("ORACLE_DESCRIPTOR", "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=orcl)))"),
	envH("ORACLE_EZCONNECT", "db.prod.example.com:1521/SALES"),
	argsH("sqlplus", "-s", "/nolog", "@/sql/daily.sql"),
	argsH("sqlplus", "-L", "report@//db.prod.example.com:1521/ORCLPDB1", "@/sql/daily.sql").because("no password: sqlplus prompts for it"),
	envH("IMAGE", "registry.example.com/shop/api@sha256:3b5c0e1f2a4d6e8f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f"),
	cmH("packages.txt", "@shop/ui@2.3.1\n@shop/icons@1.0.4\ngithub.com/shop/lib@v1.4.2\n"),
	envH("ALERT_EMAIL", "mailto:ops@example.com"),
	envH("ORDER_URL", "https://api.example.com/v1/orders/7c9e6679-7425-40de-944b-e07fc1f90ae7/items"),
	envH("RELEASE_NOTES", "https://github.com/shop/api/commit/3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"),
	envH("ARTIFACT", "https://artifacts.example.com/sha256/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/app.tar.gz"),
	envH("DATABASE_URL", "postgres://app:${DB_PASSWORD}@orders-db:5432/orders"),
	envH("MIGRATE_URL", "postgres://app:$(DB_PASSWORD)@orders-db:5432/orders?sslmode=require"),
	envH("NEXT_PUBLIC_SENTRY_DSN", "https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d@o450123.ingest.sentry.io/5501234").because("a DSN with only a public key is public by design: browser SDKs embed it"),
	envH("SENTRY_DSN", "https://5d2b9e8c1f3a4b6c7d8e9f0a1b2c3d4e@o450123.ingest.us.sentry.io/4507012345678901").because("a DSN with only a public key is public by design; a legacy DSN with a secret key is on the leak side"),
	envH("REDIS_URL", "redis://cache:6379/0"),
	envH("PG_URL", "postgresql://orders-db:5432/orders?sslmode=verify-full&sslrootcert=/etc/ssl/certs/rds-ca.pem"),
	envH("BACKUP_TARGET", "s3://shop-backups/orders/2024/"),
	envH("GIT_REMOTE", "git@github.com:shop/api.git"),
	envH("LDAP_BIND_DN", "cn=reader,ou=services,dc=shop,dc=example,dc=com"),
	envH("TNS_ADMIN", "/opt/oracle/network/admin"),
	envH("ALERT_WEBHOOK", "https://alerts.example.com/hooks/prometheus"),
	envH("KAFKA_BOOTSTRAP", "SASL_SSL://kafka-0.kafka:9093,SASL_SSL://kafka-1.kafka:9093"),
	envH("SCHEMA_REGISTRY_URL", "https://schema-registry.example.com:8081"),
	envH("JAEGER_ENDPOINT", "http://jaeger-collector:14268/api/traces?format=jaeger.thrift"),
	envH("MONGO_URL", "mongodb://mongo-0.mongo:27017,mongo-1.mongo:27017/shop?replicaSet=rs0&authSource=admin"),
	envH("CDN_BUNDLE", "https://cdn.example.com/assets/main.3f2a9c1d.js"),
	envH("ELASTIC_URL", "https://elastic.example.com:9200"),
	envH("HEALTH_URL", "http://localhost:8080/actuator/health/liveness"),
	envH("SQLSERVER_URL", "jdbc:sqlserver://db.prod.example.com:1433;databaseName=shop;encrypt=true;trustServerCertificate=false;authentication=ActiveDirectoryMSI"),
	envH("NATS_URL", "nats://nats-0.nats:4222,nats://nats-1.nats:4222"),
	envH("OIDC_DISCOVERY", "https://auth.example.com/realms/shop/.well-known/openid-configuration"),
	envH("DOCS_URL", "https://docs.example.com/guides/rotate-a-token#step-3"),
	envH("AMQP_URL", "amqp://rabbitmq:5672/%2f"),
	envH("HELM_REPO", "oci://registry.example.com/charts/shop"),
)
