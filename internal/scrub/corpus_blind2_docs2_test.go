package scrub

// The second blind set's documents, part two (see corpus_blind2_docs_test.go).

var blindDocsB = []blindDoc{
	{name: "logstash pipeline", format: "logstash", where: "cm", key: "logstash.conf",
		source: "elastic/logstash config/logstash-sample.conf, auth uncommented (its own changeme); planted: jdbc input password",
		text: `input {
  beats {
    port => 5044
  }
  jdbc {
    jdbc_driver_class => "org.postgresql.Driver"
    jdbc_connection_string => "jdbc:postgresql://pg.internal:5432/orders"
    jdbc_user => "logstash"
    jdbc_password => "⟦meadow-Copper-6612⟧"
    schedule => "*/5 * * * *"
    statement => "SELECT * FROM orders WHERE updated_at > :sql_last_value"
  }
}

output {
  elasticsearch {
    hosts => ["http://localhost:9200"]
    index => "%{[@metadata][beat]}-%{[@metadata][version]}-%{+YYYY.MM.dd}"
    user => "elastic"
    password => "⟦changeme⟧"
  }
}
`},
	{name: "gitlab.rb", format: "ruby", where: "cm", key: "gitlab.rb",
		source: "gitlabhq/omnibus-gitlab gitlab.rb.template, set as in prod; planted: smtp, incoming email, Graph client secret, initial root password",
		text: `external_url 'https://gitlab.example.com'
gitlab_rails['time_zone'] = 'UTC'
gitlab_rails['smtp_enable'] = true
gitlab_rails['smtp_address'] = "smtp.server"
gitlab_rails['smtp_port'] = 465
gitlab_rails['smtp_user_name'] = "smtp user"
gitlab_rails['smtp_password'] = "⟦violet-Harbor-3318⟧"
gitlab_rails['smtp_domain'] = "example.com"
gitlab_rails['smtp_authentication'] = "login"
gitlab_rails['smtp_tls'] = false
gitlab_rails['smtp_openssl_verify_mode'] = 'none'
gitlab_rails['gitlab_email_from'] = 'example@example.com'
gitlab_rails['incoming_email_enabled'] = true
gitlab_rails['incoming_email_address'] = "gitlab-incoming+%{key}@gmail.com"
gitlab_rails['incoming_email_email'] = "gitlab-incoming@gmail.com"
gitlab_rails['incoming_email_password'] = "⟦orchid-Lantern-2087⟧"
gitlab_rails['incoming_email_inbox_options'] = {
   'tenant_id': '85e297bd-8b4b-d055-3db9-c374fc7f5716',
   'client_id': '8768cba8-fda5-3f52-7325-6463b189b9ef',
   'client_secret': '⟦QESgQtxy_whENMTLKqHQOR⟧',
   'poll_interval': 60  # Optional
}
gitlab_rails['initial_root_password'] = "⟦pebble-Tundra-9051⟧"
gitlab_rails['stuck_ci_jobs_worker_cron'] = "0 0 * * *"
gitlab_rails['trusted_proxies'] = []
gitlab_rails['monitoring_whitelist'] = ['127.0.0.0/8', '::1/128']
`},
	{name: "haproxy.cfg", format: "haproxy", where: "cm", key: "haproxy.cfg",
		source: "the stats-page shape of public haproxy.cfg files; planted: stats auth password, userlist passwords",
		text: `global
    log stdout format raw local0
    maxconn 4096

defaults
    mode http
    timeout connect 5000ms
    timeout client  50000ms
    timeout server  50000ms

userlist admins
    user ops insecure-password ⟦thistle-Saffron-4420⟧
    user bob password ⟦$6$033m6V.4l7aop6Vt$GagB.rv39R1/O0mzk/eIEMHwT689BnLYFWmn2wKH0ZMZdycOiFOgT3x49Dbmg6hgOZ82Aipc82F.W9E1NGVDsi⟧

listen stats
    bind *:8404
    stats enable
    stats uri /stats
    stats refresh 30s
    stats auth admin:⟦glacier-Pebble-6130⟧

listen mysql
    bind 0.0.0.0:3306
    mode tcp
    option mysql-check user haproxy
    balance roundrobin
    server db1 10.0.0.11:3306 check
`},
	{name: "redis.conf", format: "redis", where: "cm", key: "redis.conf",
		source: "redis.conf directives; planted: requirepass, masterauth, an ACL user's password",
		text: `bind 0.0.0.0
port 6379
protected-mode yes
requirepass ⟦XbR7CnQjn7Jp7MWGffiTvsBRkcRbFuSo⟧
masterauth ⟦XbR7CnQjn7Jp7MWGffiTvsBRkcRbFuSo⟧
user metrics on >⟦falcon-Glacier-1209⟧ ~* +info +ping
maxmemory 512mb
maxmemory-policy allkeys-lru
appendonly yes
rename-command FLUSHALL ""
`},
	{name: "rabbitmq.conf", format: "rabbitmq", where: "cm", key: "rabbitmq.conf",
		source: "rabbitmq/rabbitmq-server rabbitmq.conf.example, uncommented (its own guest/guest and encrypted value)",
		text: `listeners.tcp.default = 5672
loopback_users.guest = false
ssl_options.cacertfile           = /path/to/cacert.pem
ssl_options.certfile             = /path/to/cert.pem
ssl_options.keyfile              = /path/to/key.pem
ssl_options.password = ⟦encrypted:kDnCy25dRvI8xs4nrJ6hp34ffL0ODKAzHrT6R8eOqR3TKL8lbI12M15wkA1SGmmL⟧
password_hashing_module = rabbit_password_hashing_sha256
credential_validator.validation_backend = rabbit_credential_validator_min_password_length
credential_validator.min_length = 30
credential_validator.regexp = ^[a-zA-Z0-9!@#$%^&*()]+$
default_vhost = /
default_user = guest
default_pass = ⟦guest⟧
default_permissions.configure = .*
default_user_tags.administrator = true
heartbeat = 60
`},
	{name: "nginx site", format: "nginx", where: "cm", key: "default.conf",
		source: "nginx reverse-proxy shape; planted: upstream Basic credentials, an API key compared in an if",
		text: `server {
    listen 443 ssl;
    server_name api.example.com;
    ssl_certificate     /etc/nginx/tls/tls.crt;
    ssl_certificate_key /etc/nginx/tls/tls.key;
    ssl_password_file   /etc/nginx/tls/passphrase;

    location /internal/ {
        auth_basic "Restricted";
        auth_basic_user_file /etc/nginx/.htpasswd;
    }

    location /billing/ {
        if ($http_x_api_key != "⟦15ad7a400768131476df8951486581fa⟧") {
            return 401;
        }
        proxy_set_header Authorization "Basic ⟦YmlsbGluZzpvcmNoaWQtVmlvbGV0LTc3MDI=⟧";
        proxy_pass http://billing:8080;
    }
}
`},
	{name: "alertmanager.yml", format: "yaml-app", where: "cm", key: "alertmanager.yml",
		source: "prometheus-community alertmanager chart config; planted: every credential",
		text: `global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.example.com:587'
  smtp_from: 'alertmanager@example.com'
  smtp_auth_username: 'alertmanager'
  smtp_auth_password: '⟦lantern-Copper-5524⟧'
  slack_api_url: 'https://hooks.slack.com/services/⟦THUNLWD6E/B84L5N0Y8/e7s8xjyFXrxHyA33zkfZwJWM⟧'
route:
  group_by: ['alertname', 'job']
  group_wait: 30s
  receiver: ops
receivers:
  - name: ops
    slack_configs:
      - channel: '#alerts'
        send_resolved: true
    pagerduty_configs:
      - routing_key: '⟦b94d9d5e5cf8732955cd1d29a3761bac⟧'
    opsgenie_configs:
      - api_key: '⟦85e297bd-8b4b-d055-3db9-c374fc7f5716⟧'
    webhook_configs:
      - url: 'https://hooks.example.com/alertmanager'
        http_config:
          authorization:
            type: Bearer
            credentials: '⟦hvs.jroM66ieCbnwibXSCwsRzjco⟧'
`},
	{name: "bitnami postgresql values", format: "helm-values", where: "cm", key: "values.yaml",
		source: "bitnami/charts postgresql values.yaml auth block; planted: password and replicationPassword",
		text: `global:
  imageRegistry: ""
  postgresql:
    auth:
      postgresPassword: ""
      existingSecret: ""
auth:
  enablePostgresUser: true
  postgresPassword: ""
  username: "orders"
  password: "⟦tundra-Falcon-3390⟧"
  database: "orders"
  replicationUsername: repl_user
  replicationPassword: "⟦orchid-Meadow-1178⟧"
  existingSecret: ""
  secretKeys:
    adminPasswordKey: postgres-password
    userPasswordKey: password
    replicationPasswordKey: replication-password
  usePasswordFiles: false
architecture: replication
`},
	{name: "bitnami redis values", format: "helm-values", where: "cm", key: "values.yaml",
		source: "bitnami/charts redis values.yaml auth block; planted: password",
		text: `architecture: replication
auth:
  enabled: true
  sentinel: true
  password: "⟦XbR7CnQjn7Jp7MWGffiTvsBRkcRbFuSo⟧"
  existingSecret: ""
  existingSecretPasswordKey: ""
  usePasswordFiles: false
master:
  count: 1
  disableCommands:
    - FLUSHDB
    - FLUSHALL
sentinel:
  enabled: true
  masterSet: mymaster
  quorum: 2
`},
	{name: "bitnami wordpress values", format: "helm-values", where: "cm", key: "values.yaml",
		source: "bitnami/charts wordpress values.yaml; planted: wordpressPassword, smtpPassword, mariadb passwords",
		text: `wordpressUsername: user
wordpressPassword: "⟦violet-Thistle-8823⟧"
wordpressEmail: user@example.com
wordpressFirstName: FirstName
wordpressBlogName: User's Blog!
wordpressTablePrefix: wp_
wordpressScheme: http
smtpHost: smtp.example.com
smtpPort: "587"
smtpUser: wordpress@example.com
smtpPassword: "⟦harbor-Saffron-4471⟧"
smtpProtocol: tls
mariadb:
  enabled: true
  architecture: standalone
  auth:
    rootPassword: "⟦pebble-Orchid-6650⟧"
    database: bitnami_wordpress
    username: bn_wordpress
    password: "⟦copper-Tundra-2205⟧"
`},
	{name: "discourse database.yml", format: "rails-yaml", where: "cm", key: "database.yml",
		source: "discourse/discourse config/database.yml (its own commented-out passwords); planted: production url",
		text: `production:
  adapter: postgresql
  database: discourse_prod
  username: postgres
  # password: ⟦itisagooddaytovi⟧	# if using username/password auth
  # host: dbhost		# if not localhost
  pool: 5 	# size of DB connection pool *per process*
  timeout: 5000
  url: postgres://discourse:⟦saffron-Glacier-7734⟧@pg.internal/discourse_prod
  host_names:
    - production.localhost # Update this to be the domain of your production site
test:
  adapter: postgresql
  database: discourse_test
  username: postgres
  # password: ⟦123123123123⟧
  min_messages: warning
  host: localhost
`},
	{name: "rails database.yml with ERB", format: "rails-yaml", where: "cm", key: "database.yml",
		source: "the Rails generator's database.yml (no credential: the password is an ERB reference)",
		text: `default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>
production:
  <<: *default
  database: app_production
  username: app
  password: <%= ENV["APP_DATABASE_PASSWORD"] %>
`},
	{name: "django settings", format: "python", where: "cm", key: "settings.py",
		source: "Django's startproject settings.py; planted: SECRET_KEY, database and email passwords",
		text: `from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = '⟦django-insecure-2r892)@-mz@yu9suv-)46^(+mx+r)%rfclm0_@a_erxsdk!32s⟧'
DEBUG = False
ALLOWED_HOSTS = ['shop.example.com']
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': 'shop',
        'USER': 'shop',
        'PASSWORD': '⟦meadow-Lantern-9902⟧',
        'HOST': 'pg.internal',
        'PORT': '5432',
    }
}
AUTH_PASSWORD_VALIDATORS = [
    {'NAME': 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator'},
    {'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'},
]
PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']
EMAIL_HOST = 'smtp.sendgrid.net'
EMAIL_HOST_USER = 'apikey'
EMAIL_HOST_PASSWORD = '⟦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⟧'
EMAIL_PORT = 587
`},
	{name: ".npmrc", format: "npmrc", where: "cm", key: ".npmrc",
		source: "the .npmrc lines public CI scripts write; planted: the tokens and the _auth pair",
		text: `registry=https://registry.npm.example.com/
//registry.npm.example.com/:_authToken=⟦npm_XNmITIpx7G7lolMUEagRJh4apFE48lOpD03l⟧
@acme:registry=https://npm.pkg.example.com/
//npm.pkg.example.com/:_authToken=${NPM_TOKEN}
//nexus.example.com/repository/npm/:_auth=⟦ZGVwbG95OmNvcHBlci1NZWFkb3ctMTE4OA==⟧
always-auth=true
save-exact=true
`},
	{name: ".pypirc", format: "pypirc", where: "cm", key: ".pypirc",
		source: "the packaging guide's .pypirc; planted: the tokens and the private index password",
		text: `[distutils]
index-servers =
    pypi
    private

[pypi]
username = __token__
password = ⟦pypi-AgEIcHlwaS5vcmcVXe5eafsv2nb5jyOHrKdC80xJVpXmwfC2Im-ztJ9j3zdfJsg76OdsIvXFGRA⟧

[private]
repository = https://nexus.example.com/repository/pypi-internal/
username = deploy
password = ⟦falcon-Violet-5547⟧
`},
	{name: "terraform.tfvars", format: "hcl", where: "cm", key: "terraform.tfvars",
		source: "a tfvars example's variables; planted: db password and Cloudflare token; the SSH public key is public",
		text: `region         = "eu-west-1"
instance_type  = "t3.medium"
db_username    = "app"
db_password    = "⟦thistle-Copper-2286⟧"
cloudflare_api_token = "⟦4avwdcpe4Dow9jGE0IYH0cPQuO6ZeDishSggTIGQ⟧"
ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj6oXw4vVvZ1bq3bZl8tYxJd1g4zYp2kq7s9fWm0r1T ops@example.com"
tags = {
  Environment = "prod"
  Owner       = "platform"
}
`},
	{name: "appsettings.json", format: "json", where: "cm", key: "appsettings.json",
		source: "ASP.NET appsettings shape with the aspnet-mssql sample's SA password; planted: JWT secret, SendGrid key",
		text: `{
  "ConnectionStrings": {
    "DefaultConnection": "Server=db;Database=app;User Id=sa;Password=⟦example_123⟧;TrustServerCertificate=True"
  },
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.AspNetCore": "Warning"
    }
  },
  "AllowedHosts": "*",
  "Jwt": {
    "Key": "⟦niKtJ3Taf9lsLWetklpCH6qwhaYq4OpNPvzRcgZSMTcjgl0m⟧",
    "Issuer": "https://auth.example.com",
    "Audience": "shop-api"
  },
  "SendGrid": {
    "ApiKey": "⟦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⟧",
    "FromAddress": "noreply@example.com"
  }
}
`},
	{name: "docker config.json", format: "json", where: "cm", key: "config.json",
		source: "a docker client config; planted: the registry auth",
		text: `{
  "auths": {
    "images.example.com": {
      "auth": "⟦Y2ktYm90OmdocF9XY1h1S0JzVXJEWUxtOHJ3THhJM3RvYkFiNm9IY055WmZMa0Y=⟧"
    }
  },
  "credHelpers": {
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"
  },
  "detachKeys": "ctrl-e,e"
}
`},
	{name: "tomcat-users.xml", format: "xml", where: "cm", key: "tomcat-users.xml",
		source: "Tomcat's tomcat-users.xml; planted: the passwords",
		text: `<?xml version="1.0" encoding="UTF-8"?>
<tomcat-users xmlns="http://tomcat.apache.org/xml" version="1.0">
  <role rolename="manager-gui"/>
  <role rolename="manager-script"/>
  <user username="admin" password="⟦orchid-Falcon-7710⟧" roles="manager-gui"/>
  <user username="deployer" password="⟦s3cret⟧" roles="manager-script"/>
</tomcat-users>
`},
	{name: "maven settings.xml", format: "xml", where: "cm", key: "settings.xml",
		source: "Maven settings.xml servers; planted: one literal password beside an env reference",
		text: `<settings>
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deploy</username>
      <password>⟦glacier-Harbor-4483⟧</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deploy</username>
      <password>${env.NEXUS_PASSWORD}</password>
    </server>
  </servers>
  <mirrors>
    <mirror>
      <id>central</id>
      <url>https://nexus.example.com/repository/maven-public/</url>
      <mirrorOf>*</mirrorOf>
    </mirror>
  </mirrors>
</settings>
`},
	{name: "gitlab-runner config.toml", format: "toml", where: "cm", key: "config.toml",
		source: "gitlab-runner's config.toml; planted: runner token and S3 cache keys",
		text: `concurrent = 4
check_interval = 0

[[runners]]
  name = "k8s-runner"
  url = "https://gitlab.example.com/"
  token = "⟦glrt-9Tlm5u8UAwJnzYkMP_M3⟧"
  executor = "kubernetes"
  [runners.cache]
    Type = "s3"
    Shared = true
    [runners.cache.s3]
      ServerAddress = "s3.amazonaws.com"
      AccessKey = "⟦AKIA01S13BM9TNX8K8DY⟧"
      SecretKey = "⟦Z+pEzk87LM2IdhbhdmLlYDOcL5el+beP/uIe4ZvW⟧"
      BucketName = "runner-cache"
      BucketLocation = "eu-west-1"
  [runners.kubernetes]
    namespace = "gitlab-runner"
    image = "alpine:3.19"
`},
	{name: "sqlcmd probe args", format: "args", where: "args",
		source: "docker/awesome-compose aspnet-mssql healthcheck, as a probe's exec command",
		args:   []string{"/opt/mssql-tools/bin/sqlcmd", "-S", "localhost", "-U", "sa", "-P", "⟦example_123⟧", "-Q", "SELECT 1"}},
	{name: "redis-server args", format: "args", where: "args",
		source: "redis-server started with its password on the command line; planted: the password",
		args:   []string{"redis-server", "--requirepass", "⟦XbR7CnQjn7Jp7MWGffiTvsBRkcRbFuSo⟧", "--appendonly", "yes", "--maxmemory", "256mb"}},
	{name: "mysqladmin probe shell", format: "args", where: "args",
		source: "a MariaDB liveness probe in sh -c, with the nextcloud sample's root password",
		args:   []string{"sh", "-c", "mysqladmin ping -h 127.0.0.1 -u root -p⟦nextcloud⟧ --silent"}},
	{name: "gunicorn and celery args", format: "args", where: "args",
		source: "an app's args (no credential)",
		args:   []string{"celery", "-A", "shop", "worker", "--loglevel=INFO", "--concurrency=4", "-Q", "default,emails"}},
}
