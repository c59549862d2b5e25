package scrub

// The second blind set's documents, part one: short excerpts of public projects' sample
// configuration (the source is named in each), as a prod copy of them would hold them. Every
// credential is marked ⟦like this⟧; everything else is harmless and must come out byte-identical.
// "planted" names the credentials added (or filled in where the sample leaves them empty or
// commented out) because a real deployment would put one there; the others are the sample's own,
// placeholders included ("changeme" where a password goes is a password).

var blindDocsA = []blindDoc{
	{name: "mastodon .env.production", format: "dotenv", where: "cm", key: ".env.production",
		source: "mastodon/mastodon .env.production.sample; planted: SECRET_KEY_BASE, OTP_SECRET, VAPID_PRIVATE_KEY, SMTP_PASSWORD, AWS keys",
		text: `# Federation
LOCAL_DOMAIN=example.com
REDIS_HOST=localhost
REDIS_PORT=6379
DB_HOST=/var/run/postgresql
DB_USER=mastodon
DB_NAME=mastodon_production
DB_PASS=
DB_PORT=5432
ES_ENABLED=true
ES_HOST=localhost
ES_USER=elastic
ES_PASS=⟦password⟧
# Make sure to use ` + "`rake secret`" + ` to generate secrets
SECRET_KEY_BASE=⟦3b2de8d5bb905ee2f149b077c0f56efde84c20cab528fc9810ee58a2f25240c0169563ced1649c462b5ca6ec0e0b162c3368ee8782d8bc50a789891f6cf6cdd5⟧
OTP_SECRET=⟦881f9125043bc54c8e24c4028c3c803dbbb72f62782a80f7150d15c5739c9e2a214c08fa414d2aad03d2d78686d331e658f942d619eb934ae4668bfebb755266⟧
VAPID_PRIVATE_KEY=⟦mL7GyWPl6YX3KMrzk0YVKjHnj6RCrjysqOeQXODknSk⟧
VAPID_PUBLIC_KEY=BDtdiSPxoRnovRNHVAAVC_LdKUVDimw-2U5K4BA9Cv1y5UdO3FAAMZOXD4jCz1D9xgm6SXA5wgYx61esxwM1EDM
SMTP_SERVER=smtp.mailgun.org
SMTP_PORT=587
SMTP_LOGIN=postmaster@mg.example.com
SMTP_PASSWORD=⟦key-06495c94133a7a89508a7d9ffa8507e9⟧
SMTP_FROM_ADDRESS=notifications@example.com
S3_ENABLED=true
S3_BUCKET=files.example.com
AWS_ACCESS_KEY_ID=⟦AKIAIGRONXSJRFHXKZPI⟧
AWS_SECRET_ACCESS_KEY=⟦z3PHXrVtEM94fkSlc8cuzmtlQf/i/4E+y3KZREXu⟧
S3_ALIAS_HOST=files.example.com
IP_RETENTION_PERIOD=31556952
SESSION_RETENTION_PERIOD=31556952
`},
	{name: "sentry self-hosted .env", format: "dotenv", where: "cm", key: ".env",
		source: "getsentry/self-hosted .env (its own shared secret)",
		text: `COMPOSE_PROJECT_NAME=sentry-self-hosted
# Set COMPOSE_PROFILES to "feature-complete" to enable all features
COMPOSE_PROFILES=feature-complete
SENTRY_EVENT_RETENTION_DAYS=90
LAUNCHPAD_RPC_SHARED_SECRET=⟦supersecret⟧
SENTRY_BIND=9000
SENTRY_TASKWORKER_CONCURRENCY=4
SENTRY_IMAGE=images.example.com/getsentry/sentry:nightly
SNUBA_IMAGE=images.example.com/getsentry/snuba:nightly
RELAY_IMAGE=images.example.com/getsentry/relay:nightly
HEALTHCHECK_INTERVAL=30s
HEALTHCHECK_TIMEOUT=1m30s
HEALTHCHECK_FILE_START_PERIOD=600s
# SENTRY_KAFKA_MAX_POLL_INTERVAL_MS=30000
`},
	{name: "sentry config.yml", format: "yaml-app", where: "cm", key: "config.yml",
		source: "getsentry/self-hosted sentry/config.example.yml; planted: mail.password, filestore keys, github-app secrets (uncommented), slack signing secret",
		text: `mail.backend: 'smtp'
mail.host: 'smtp'
mail.port: 587
mail.username: 'sentry@example.com'
mail.password: '⟦Tr0ub4dor&3-sentry⟧'
mail.use-tls: true
system.internal-url-prefix: 'http://web:9000'
system.secret-key: '⟦!!changeme!!⟧'
filestore.backend: 's3'
filestore.options:
  access_key: '⟦AKIA01S13BM9TNX8K8DY⟧'
  secret_key: '⟦Z+pEzk87LM2IdhbhdmLlYDOcL5el+beP/uIe4ZvW⟧'
  bucket_name: 's3-bucket-name'
dsym.cache-path: '/data/dsym-cache'
symbolicator.enabled: true
symbolicator.options:
  url: "http://symbolicator:3021"
github-app.id: 123456
github-app.name: 'acme-sentry'
github-app.webhook-secret: '⟦whsec_dRSMaoB1B3GBEKIOVQtHSsZcSImpXvj8⟧'
github-app.client-id: 'Iv1.8a61f9b3a7aba766'
github-app.client-secret: '⟦02ade934987037e4c64341cee196cfa8c3956d13⟧'
github-app.private-key: |
  ⟦-----BEGIN RSA PRIVATE KEY-----
  privatekeyprivatekeyprivatekeyprivatekey
  privatekeyprivatekeyprivatekeyprivatekey
  -----END RSA PRIVATE KEY-----⟧
slack.client-id: '1234567890.1234567890'
slack.signing-secret: '⟦989c86fca9c29b7ba0b10a3bc6658916⟧'
`},
	{name: "nextcloud compose", format: "compose", where: "cm", key: "docker-compose.yaml",
		source: "docker/awesome-compose nextcloud-redis-mariadb (its own passwords)",
		text: `services:
  nc:
    image: nextcloud:apache
    restart: always
    ports:
      - 80:80
    environment:
      - REDIS_HOST=redis
      - MYSQL_HOST=db
      - MYSQL_DATABASE=nextcloud
      - MYSQL_USER=nextcloud
      - MYSQL_PASSWORD=⟦nextcloud⟧
  db:
    image: mariadb
    command: --transaction-isolation=READ-COMMITTED --binlog-format=ROW
    environment:
      - MYSQL_DATABASE=nextcloud
      - MYSQL_USER=nextcloud
      - MYSQL_ROOT_PASSWORD=⟦nextcloud⟧
      - MYSQL_PASSWORD=⟦nextcloud⟧
volumes:
  db_data:
  nc_data:
`},
	{name: "gitea compose", format: "compose", where: "cm", key: "compose.yaml",
		source: "docker/awesome-compose gitea-postgres (its own passwords)",
		text: `services:
  gitea:
    image: gitea/gitea:latest
    environment:
      - DB_TYPE=postgres
      - DB_HOST=db:5432
      - DB_NAME=gitea
      - DB_USER=gitea
      - DB_PASSWD=⟦gitea⟧
    restart: always
    ports:
      - 3000:3000
  db:
    image: postgres:alpine
    environment:
      - POSTGRES_USER=gitea
      - POSTGRES_PASSWORD=⟦gitea⟧
      - POSTGRES_DB=gitea
    expose:
      - 5432
`},
	{name: "pgadmin compose (references only)", format: "compose", where: "cm", key: "compose.yaml",
		source: "docker/awesome-compose postgresql-pgadmin (no credential: every secret is a ${VAR} reference)",
		text: `services:
  postgres:
    container_name: postgres
    image: postgres:latest
    environment:
      - POSTGRES_USER=${POSTGRES_USER}
      - POSTGRES_PASSWORD=${POSTGRES_PW}
      - POSTGRES_DB=${POSTGRES_DB} #optional (specify default database instead of $POSTGRES_USER)
    ports:
      - "5432:5432"
  pgadmin:
    image: dpage/pgadmin4:latest
    environment:
      - PGADMIN_DEFAULT_EMAIL=${PGADMIN_MAIL}
      - PGADMIN_DEFAULT_PASSWORD=${PGADMIN_PW}
    ports:
      - "5050:80"
`},
	{name: "graylog compose", format: "compose", where: "cm", key: "compose.yaml",
		source: "docker/awesome-compose graylog (its own secret, the admin password in a comment and its SHA-256; the comment was labelled harmless in the first run by mistake)",
		text: `services:
  graylog:
    image: graylog/graylog:5.1
    environment:
      GRAYLOG_PASSWORD_SECRET: "⟦somesamplepassword⟧"
      # Password: ⟦admin⟧
      GRAYLOG_ROOT_PASSWORD_SHA2: "⟦8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918⟧"
      GRAYLOG_HTTP_BIND_ADDRESS: "0.0.0.0:9000"
      GRAYLOG_HTTP_EXTERNAL_URI: "http://localhost:9000/"
      GRAYLOG_ELASTICSEARCH_HOSTS: "http://opensearch:9200"
      GRAYLOG_MONGODB_URI: "mongodb://mongodb:27017/graylog"
      GRAYLOG_TIMEZONE: "America/Los_Angeles"
    entrypoint: /usr/bin/tini -- wait-for-it opensearch:9200 -- /docker-entrypoint.sh
    ports:
      - 9000:9000/tcp   # Graylog web interface and REST API
      - 12201:12201/udp # GELF
`},
	{name: "aspnet mssql compose", format: "compose", where: "cm", key: "compose.yaml",
		source: "docker/awesome-compose aspnet-mssql (its own SA password, also in the healthcheck)",
		text: `services:
  db:
    environment:
      ACCEPT_EULA: "Y"
      MSSQL_SA_PASSWORD: ⟦example_123⟧
    ports:
      - 1433:1433
    image: images.example.com/azure-sql-edge:1.0.4
    restart: always
    healthcheck:
        test: ["CMD-SHELL", "/opt/mssql-tools/bin/sqlcmd -S localhost -U sa -P ⟦example_123⟧ -Q 'SELECT 1' || exit 1"]
        interval: 10s
        retries: 10
`},
	{name: "odoo compose", format: "compose", where: "cm", key: "compose.yaml",
		source: "docker/awesome-compose odoo-postgres (its own password)",
		text: `services:
    odoo:
        image: odoo:16.0
        ports:
            - "8069:8069"
        environment:
            - HOST=postgres
    postgres:
        image: postgres:14.5
        environment:
            - POSTGRES_DB=postgres
            - POSTGRES_PASSWORD=⟦odoo⟧
            - POSTGRES_USER=odoo
            - PGDATA=/var/lib/postgresql/data/pgdata
`},
	{name: "nextcloud env", format: "env", where: "env",
		source: "docker/awesome-compose nextcloud-redis-mariadb, as a pod's env",
		env:    []string{"REDIS_HOST=redis", "MYSQL_HOST=db", "MYSQL_DATABASE=nextcloud", "MYSQL_USER=nextcloud", "MYSQL_PASSWORD=⟦nextcloud⟧"}},
	{name: "graylog env", format: "env", where: "env",
		source: "docker/awesome-compose graylog, as a pod's env",
		env: []string{"GRAYLOG_PASSWORD_SECRET=⟦somesamplepassword⟧",
			"GRAYLOG_ROOT_PASSWORD_SHA2=⟦8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918⟧",
			"GRAYLOG_HTTP_BIND_ADDRESS=0.0.0.0:9000", "GRAYLOG_HTTP_EXTERNAL_URI=http://localhost:9000/",
			"GRAYLOG_MONGODB_URI=mongodb://mongodb:27017/graylog", "TZ=America/Los_Angeles"}},
	{name: "odoo env", format: "env", where: "env",
		source: "the odoo image's documented env (HOST, USER, PASSWORD)",
		env:    []string{"HOST=postgres", "USER=odoo", "PASSWORD=⟦odoo⟧"}},
	{name: "web app env", format: "env", where: "env",
		source: "typical app env; planted: every credential",
		env: []string{"NODE_ENV=production", "PORT=3000", "SLACK_BOT_TOKEN=⟦xoxb-607999857445-2574762442600-c4j5r57wWgktrdZtALfLEv63⟧",
			"GITHUB_TOKEN=⟦ghp_WcXuKBsUrDYLm8rwLxI3tobAb6oHcNyZfLkF⟧", "STRIPE_SECRET_KEY=⟦sk_live_uJ4XrJFX8RvdgBrWSc5U9ioD⟧",
			"STRIPE_WEBHOOK_SECRET=⟦whsec_dRSMaoB1B3GBEKIOVQtHSsZcSImpXvj8⟧", "STRIPE_PUBLISHABLE_KEY=pk_live_51HxYzAbCdEfGhIjKlMnOpQr",
			"SENDGRID_API_KEY=⟦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⟧",
			"DATABASE_URL=postgres://app:⟦harbor-Violet-2291⟧@db.internal:5432/app?sslmode=require",
			"REDIS_URL=redis://default:⟦XbR7CnQjn7Jp7MWGffiTvsBRkcRbFuSo⟧@redis:6379/0", "LOG_LEVEL=info",
			"JWT_SECRET=⟦niKtJ3Taf9lsLWetklpCH6qwhaYq4OpNPvzRcgZSMTcjgl0m⟧", "JWT_EXPIRES_IN=15m"}},
	{name: "grafana.ini", format: "ini", where: "cm", key: "grafana.ini",
		source: "grafana/grafana conf/sample.ini, set as in prod; planted: database and smtp passwords; its own admin/admin, secret_key, some_secret",
		text: `[server]
protocol = http
http_port = 3000
domain = grafana.example.com
root_url = https://grafana.example.com
[database]
type = postgres
host = pg.internal:5432
name = grafana
user = grafana
# If the password contains # or ; you have to wrap it with triple quotes. Ex """#password;"""
password = """⟦m4pl3#Syrup;22⟧"""
ssl_mode = require
[security]
admin_user = admin
admin_password = ⟦admin⟧
secret_key = ⟦SW2YcwTIb9zpOOhoPsMm⟧
cookie_secure = true
[users]
allow_sign_up = false
login_hint = email or username
password_hint = password
[auth.github]
enabled = true
client_id = some_id
client_secret = ⟦some_secret⟧
scopes = user:email,read:org
auth_url = https://github.com/login/oauth/authorize
token_url = https://github.com/login/oauth/access_token
[smtp]
enabled = true
host = smtp.example.com:587
user = grafana@example.com
password = ⟦copper-Falcon-88⟧
from_address = admin@grafana.localhost
`},
	{name: "pgbouncer.ini", format: "ini", where: "cm", key: "pgbouncer.ini",
		source: "pgbouncer/pgbouncer etc/pgbouncer.ini (its own forcedb password foo, uncommented)",
		text: `[databases]
bardb = host=localhost dbname=bazdb
forcedb = host=localhost port=300 user=baz password=⟦foo⟧ client_encoding=UNICODE datestyle=ISO connect_query='SELECT 1'
nondefaultdb = pool_size=50 reserve_pool_size=10
[pgbouncer]
logfile = /var/log/pgbouncer/pgbouncer.log
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = md5
auth_file = /etc/pgbouncer/userlist.txt
;; Query to use to fetch password from database.  Result
auth_query = SELECT rolname, CASE WHEN rolvaliduntil < pg_catalog.now() THEN NULL ELSE rolpassword END FROM pg_authid WHERE rolname=$1 AND rolcanlogin
admin_users = user2, someadmin, otheradmin
pool_mode = transaction
scram_iterations = 4096
server_reset_query = DISCARD ALL
`},
	{name: "discourse.conf", format: "ini", where: "cm", key: "discourse.conf",
		source: "discourse/discourse config/discourse_defaults.conf; planted: db, smtp and redis passwords",
		text: `db_pool = 8
db_timeout = 5000
db_host = pg.internal
db_name = discourse
db_username = discourse
# password used to access the db
db_password = ⟦lantern-Pebble-7741⟧
db_prepared_statements = false
hostname = "forum.example.com"
smtp_address = smtp.mailgun.org
smtp_port = 587
smtp_user_name = postmaster@mg.example.com
smtp_password = ⟦key-1de76f9ee2819e737229b1b79882c3e9⟧
smtp_authentication = plain
smtp_enable_start_tls = true
redis_host = redis.internal
redis_port = 6379
redis_password = ⟦XbR7CnQjn7Jp7MWGffiTv⟧
enable_cors = false
cors_origin = ''
sidekiq_workers = 5
`},
	{name: "petclinic postgres properties", format: "properties", where: "cm", key: "application-postgres.properties",
		source: "spring-projects/spring-petclinic application-postgres.properties (its own default password in ${POSTGRES_PASS:petclinic})",
		text: `database=postgres
spring.datasource.url=${POSTGRES_URL:jdbc:postgresql://localhost/petclinic}
spring.datasource.username=${POSTGRES_USER:petclinic}
spring.datasource.password=${POSTGRES_PASS:⟦petclinic⟧}
# SQL is written to be idempotent so this is safe
spring.sql.init.mode=always
logging.level=DEBUG
logging.level.org.springframework.web=DEBUG
`},
	{name: "kafka client properties", format: "properties", where: "cm", key: "client.properties",
		source: "apache/kafka config/producer.properties with SASL settings; planted: JAAS password, truststore changeit",
		text: `bootstrap.servers=broker-1.kafka.internal:9093,broker-2.kafka.internal:9093
compression.type=none
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="orders-producer" password="⟦vBjs9/9QxvFtaZeQhM1bFZKlGgqfq3bWxK1bSsMMR8wvzAI13CETDSvuDoKJetu/⟧";
ssl.truststore.location=/etc/kafka/secrets/truststore.jks
ssl.truststore.password=⟦changeit⟧
ssl.endpoint.identification.algorithm=https
key.serializer=org.apache.kafka.common.serialization.StringSerializer
value.serializer=org.apache.kafka.common.serialization.StringSerializer
linger.ms=5
`},
	{name: "keycloak.conf", format: "properties", where: "cm", key: "keycloak.conf",
		source: "keycloak/keycloak conf/keycloak.conf, uncommented as in prod (its own db-password=password)",
		text: `# The database vendor.
db=postgres
db-username=keycloak
db-password=⟦password⟧
db-url=jdbc:postgresql://pg.internal/keycloak
health-enabled=true
metrics-enabled=true
https-certificate-file=${kc.home.dir}/conf/server.crt.pem
https-certificate-key-file=${kc.home.dir}/conf/server.key.pem
proxy=reencrypt
spi-sticky-session-encoder-infinispan-should-attach-route=false
hostname=sso.example.com
`},
	{name: "spring boot application.properties", format: "properties", where: "cm", key: "application.properties",
		source: "Spring Boot mail and OAuth client settings; planted: every credential",
		text: `spring.mail.host=smtp.gmail.com
spring.mail.port=587
spring.mail.username=noreply@example.com
spring.mail.password=⟦qwhz kfte pmsd ylra⟧
spring.mail.properties.mail.smtp.auth=true
spring.mail.properties.mail.smtp.starttls.enable=true
spring.security.oauth2.client.registration.github.client-id=Iv1.8a61f9b3a7aba766
spring.security.oauth2.client.registration.github.client-secret=⟦02ade934987037e4c64341cee196cfa8c3956d13⟧
spring.security.oauth2.client.registration.github.scope=read:user,user:email
server.ssl.key-store=classpath:keystore.p12
server.ssl.key-store-password=⟦tundra-Orchid-5530⟧
server.ssl.key-alias=tomcat
management.endpoints.web.exposure.include=health,info
`},
	{name: "fluent-bit pgsql output", format: "fluent-bit", where: "cm", key: "fluent-bit.conf",
		source: "fluent/fluent-bit conf/out_pgsql.conf (its own Password pwd, twice)",
		text: `[SERVICE]
    Flush        5
    Daemon       Off
    Log_Level    info

[INPUT]
    Name mem
    Tag  mem.usage

[OUTPUT]
    Name pgsql
    Match *
    Host  127.0.0.1
    Port  5432
    User  postgres
    Password  ⟦pwd⟧
    Database  fluentbit
    Table  fluentbit

[OUTPUT]
    Name pgsql
    Match *
    Host  127.0.0.1
    User  postgres
    Password  ⟦pwd⟧
    Database  fluentbit
    Daemon On
`},
	{name: "fluent-bit azure output", format: "fluent-bit", where: "cm", key: "fluent-bit.conf",
		source: "fluent/fluent-bit conf/out_azure.conf; planted: a real-shaped workspace id and shared key in place of xyz/abc",
		text: `[SERVICE]
    Flush        5
    Daemon       Off
    Log_Level    info
    Parsers_File parsers.conf

[INPUT]
    Name cpu
    Tag  cpu.local
    Interval_Sec 1

[OUTPUT]
    Name  azure
    Match *
    Customer_ID 8768cba8-fda5-3f52-7325-6463b189b9ef
    Shared_Key  ⟦C3ceGttXfVI1bNCWRIEB2KbyPWRhisPpOUeT1HLvjiIZOtyhKqyqEi/fl+L9KGC7pFzqilSVyg9kAuhaK3WiVw==⟧
`},
	{name: "fluent-bit treasure data output", format: "fluent-bit", where: "cm", key: "fluent-bit.conf",
		source: "fluent/fluent-bit conf/out_td.conf (its own API key)",
		text: `[SERVICE]
    Flush        5
    HTTP_Monitor Off
    HTTP_Port    2020

[INPUT]
    Name cpu
    Tag  cpu

# TreasureData Output
[OUTPUT]
    Name  td
    Match *
    # 2. API Keys box: copy the API key hash
    API      ⟦5a00/e75beccae41e9f83dfa1wa35ddfbb0dcd8a8d980⟧
    Database fluentbit
    Table    cpu_samples
`},
	{name: "fluent-bit es output with auth", format: "fluent-bit", where: "cm", key: "fluent-bit.conf",
		source: "fluent/fluent-bit conf/kube_elasticsearch.conf; planted: HTTP_Passwd and Cloud_Auth",
		text: `[INPUT]
    Name          tail
    Path          /var/log/containers/*.log
    Parser        docker
    Tag           kube.*
    Mem_Buf_Limit 5MB

[FILTER]
    Name   kubernetes
    Match  kube.*

[OUTPUT]
    Name                es
    Match               *
    Host                es.internal
    Port                9243
    HTTP_User           fluentbit
    HTTP_Passwd         ⟦saffron-Meadow-4417⟧
    Cloud_Auth          elastic:⟦glacier-Thistle-0932⟧
    tls                 On
    Logstash_Format     On
    Retry_Limit         False
`},
}
