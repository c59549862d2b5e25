package scrub

var fileLeaks = section("files",
	// HCL: Consul, Vault, Nomad and Terraform configuration.
	cm("hcl tokens block", "consul.hcl", true, func(c string) string {
		return "datacenter = \"eu1\"\nacl {\n  enabled        = true\n  default_policy = \"deny\"\n  tokens {\n    initial_management = \"" + c + "\"\n  }\n}\n"
	}),
	cm("hcl secrets block", "app.hcl", true, func(c string) string {
		return "service \"billing\" {\n  port = 8080\n}\nsecrets {\n  stripe = \"" + c + "\"\n  region = \"eu\"\n}\n"
	}),
	cm("hcl seal stanza token", "vault.hcl", true, func(c string) string {
		return "storage \"raft\" {\n  path = \"/vault/data\"\n}\nseal \"transit\" {\n  address    = \"https://transit.example.com:8200\"\n  token      = \"" + c + "\"\n  key_name   = \"autounseal\"\n  mount_path = \"transit/\"\n}\n"
	}),
	cm("terraform provider password", "main.tf", true, func(c string) string {
		return "provider \"postgresql\" {\n  host     = var.db_host\n  username = \"admin\"\n  password = \"" + c + "\"\n  sslmode  = \"require\"\n}\n"
	}),
	cm("nomad vault token", "nomad.hcl", true, func(c string) string {
		return "server {\n  enabled = true\n}\nvault {\n  enabled = true\n  address = \"https://vault.example.com:8200\"\n  token   = \"" + c + "\"\n}\n"
	}),
	cm("hcl heredoc template", "job.nomad", true, func(c string) string {
		return "task \"api\" {\n  template {\n    destination = \"local/app.env\"\n    data        = <<EOH\nDB_PASSWORD=" + c + "\nLOG_LEVEL=info\nEOH\n  }\n}\n"
	}),
	cm("hcl credentials block", "credentials.tfrc.hcl", false, func(c string) string {
		return "credentials \"app.terraform.io\" {\n  token = \"" + c + ".atlasv1." + c + c + "\"\n}\n"
	}),
	// YAML, JSON, TOML, XML and code.
	cm("compose environment list", "docker-compose.yml", true, func(c string) string {
		return "services:\n  db:\n    image: mariadb:10.6\n    environment:\n      - MYSQL_DATABASE=shop\n      - MYSQL_ROOT_PASSWORD=" + c + "\n    restart: always\n"
	}),
	cm("compose environment map", "compose.yaml", true, func(c string) string {
		return "services:\n  api:\n    image: shop/api:1.4\n    environment:\n      LOG_LEVEL: info\n      PAYMENT_API_KEY: \"" + c + "\"\n"
	}),
	cm("django settings dict", "settings.py", true, func(c string) string {
		return "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n        'USER': 'shop',\n        'PASSWORD': '" + c + "',\n        'HOST': 'db',\n    }\n}\n"
	}),
	cm("superset config", "superset_config.py", true, func(c string) string {
		return "ROW_LIMIT = 5000\nSECRET_KEY = '" + c + "'\nSQLALCHEMY_DATABASE_URI = 'postgresql+psycopg2://superset@db:5432/superset'\n"
	}),
	cm("keycloak realm client secret", "realm.json", true, func(c string) string {
		return "{\n  \"realm\": \"shop\",\n  \"clients\": [\n    {\"clientId\": \"shop-api\", \"publicClient\": false, \"secret\": \"" + c + "\", \"redirectUris\": [\"https://shop.example.com/*\"]}\n  ]\n}\n"
	}),
	cm("keycloak realm user credentials", "realm-users.json", true, func(c string) string {
		return "{\"users\": [{\"username\": \"ops\", \"enabled\": true, \"credentials\": [{\"type\": \"password\", \"value\": \"" + c + "\", \"temporary\": false}]}]}"
	}),
	cm("seaweedfs jwt signing key", "security.toml", true, func(c string) string {
		return "[cors.allowed_origins]\nvalues = \"*\"\n\n[jwt.signing]\nkey = \"" + c + "\"\nexpires_after_seconds = 10\n"
	}),
	cm("tomcat context resource", "context.xml", true, func(c string) string {
		return "<Context>\n  <Resource name=\"jdbc/shop\" auth=\"Container\" type=\"javax.sql.DataSource\" username=\"shop\" password=\"" + c + "\" url=\"jdbc:postgresql://db:5432/shop\"/>\n</Context>\n"
	}),
	leakCase{name: "clickhouse password hash", where: "cm", key: "users.xml", secret: hex32, in: func(c string) string {
		return "<clickhouse>\n  <users>\n    <reader>\n      <password_sha256_hex>" + hex32(c) + hex32(c+"2") + "</password_sha256_hex>\n      <profile>readonly</profile>\n    </reader>\n  </users>\n</clickhouse>\n"
	}},
	leakCase{name: "rabbitmq definitions password hash", where: "cm", key: "definitions.json", in: func(c string) string {
		return "{\"users\": [{\"name\": \"shop\", \"password_hash\": \"" + b64(c) + "\", \"hashing_algorithm\": \"rabbit_password_hashing_sha256\", \"tags\": []}]}"
	}},
	cm("mosquitto password file", "mosquitto-users", false, func(c string) string {
		return "sensor:$7$101$" + c[:16] + "$" + c + c + "==\n"
	}),
	cm("spring cloud config cipher", "application-prod.yml", false, func(c string) string {
		return "spring:\n  datasource:\n    password: '{cipher}AQB" + c + c + "'\n"
	}),
	cm("client id and secret side by side", "oauth.json", true, func(c string) string {
		return "{\"github\": {\"client_id\": \"Iv1.a1b2c3d4e5f6a7b8\", \"client_secret\": \"" + c + "\", \"scopes\": [\"read:user\"]}}"
	}),
	cm("logstash output password", "pipeline.conf", true, func(c string) string {
		return "output {\n  elasticsearch {\n    hosts => [\"https://es:9200\"]\n    user => \"logstash_writer\"\n    password => \"" + c + "\"\n  }\n}\n"
	}),
	cm("airflow connection in yaml", "connections.yaml", true, func(c string) string {
		return "warehouse:\n  conn_type: postgres\n  host: warehouse.example.com\n  login: etl\n  password: " + c + "\n  port: 5432\n"
	}),
	cm("gradle properties", "gradle.properties", true, func(c string) string {
		return "org.gradle.jvmargs=-Xmx2g\nnexusUsername=deploy\nnexusPassword=" + c + "\n"
	}),
)

var fileHarmless = harmlessSection("files",
	cmH("consul.hcl", "datacenter = \"eu1\"\ndata_dir   = \"/consul/data\"\nencrypt_verify_incoming = true\nacl {\n  enabled                  = true\n  default_policy           = \"deny\"\n  enable_token_persistence = true\n}\nports {\n  grpc = 8502\n}\n"),
	cmH("backend.tf", "terraform {\n  backend \"s3\" {\n    bucket         = \"shop-tfstate\"\n    key            = \"prod/terraform.tfstate\"\n    region         = \"eu-west-1\"\n    dynamodb_table = \"tf-locks\"\n    encrypt        = true\n  }\n}\n").because("the key of an S3 backend is the state object's path"),
	cmH("agent.hcl", "auto_auth {\n  method \"kubernetes\" {\n    config = {\n      role = \"shop-api\"\n    }\n  }\n  sink \"file\" {\n    config = {\n      path = \"/vault/.vault-token\"\n    }\n  }\n}\ntemplate {\n  source      = \"/vault/templates/db.tpl\"\n  destination = \"/vault/secrets/db.env\"\n}\n"),
	cmH("api.nomad", "job \"api\" {\n  datacenters = [\"eu1\"]\n  group \"api\" {\n    count = 3\n    task \"server\" {\n      driver = \"docker\"\n      config {\n        image = \"registry.example.com/shop/api:1.4.2\"\n      }\n      vault {\n        policies = [\"api-read\"]\n      }\n    }\n  }\n}\n"),
	cmH("docker-compose.yml", "services:\n  db:\n    image: mariadb:10.6\n    environment:\n      MYSQL_DATABASE: shop\n      MYSQL_PASSWORD_FILE: /run/secrets/db_password\n    secrets:\n      - db_password\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n"),
	cmH("compose.yaml", "services:\n  api:\n    image: shop/api:1.4\n    user: \"1000:1000\"\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-fsS\", \"http://localhost:8080/health\"]\n      interval: 10s\n      retries: 5\n  web:\n    image: nginx:1.27\n    user: www-data:www-data\n    ports:\n      - \"8080:80\"\n"),
	cmH("application.yml", "spring:\n  security:\n    oauth2:\n      client:\n        registration:\n          google:\n            client-id: 123456789012-abc123def456ghi789jkl012mno345pq.apps.googleusercontent.com\n            client-secret: ${GOOGLE_CLIENT_SECRET}\n            scope: openid,profile,email\n"),
	cmH("appsettings.json", "{\n  \"Jwt\": {\n    \"Issuer\": \"https://auth.example.com\",\n    \"Audience\": \"shop-api\",\n    \"KeyId\": \"2024-05-shop\"\n  },\n  \"Kestrel\": {\"Endpoints\": {\"Http\": {\"Url\": \"http://0.0.0.0:8080\"}}}\n}\n"),
	cmH("config.yml", "mail.host: 'smtp'\nsystem.internal-url-prefix: 'http://web:9000'\nfilestore.backend: 'filesystem'\nfilestore.options:\n  location: '/data/files'\nfilestore.profiles-options:\n  bucket_acl: \"private\"\n  addressing_style: \"path\"\n  signature_version: \"s3v4\"\n  region_name: \"us-east-1\"\n"),
	cmH("server.properties", "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL\nsasl.enabled.mechanisms=SCRAM-SHA-512\nsasl.mechanism.inter.broker.protocol=SCRAM-SHA-512\nssl.keystore.location=/etc/kafka/secrets/kafka.keystore.jks\nssl.keystore.type=PKCS12\nssl.endpoint.identification.algorithm=https\n"),
	cmH("logstash.conf", "input {\n  beats {\n    port => 5044\n  }\n}\noutput {\n  elasticsearch {\n    hosts => [\"https://es:9200\"]\n    user => \"logstash_writer\"\n    password => \"${ES_PASSWORD}\"\n  }\n}\n"),
	cmH("security.toml", "[security]\npassword_hash_cost = 12\nsession_token_ttl = \"24h\"\n\n[grpc]\nca = \"/certs/ca/tls.crt\"\n\n[grpc.volume]\ncert = \"/certs/volume/tls.crt\"\nkey  = \"/certs/volume/tls.key\"\n"),
	cmH("log4j2.xml", "<Configuration>\n  <Appenders>\n    <Console name=\"out\">\n      <PatternLayout pattern=\"%d %p [%X{traceId}] %c - %m%n\"/>\n    </Console>\n  </Appenders>\n</Configuration>\n"),
	cmH("database.yml", "production:\n  adapter: postgresql\n  host: <%= ENV[\"DB_HOST\"] %>\n  password: <%= ENV[\"DB_PASSWORD\"] %>\n  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>\n"),
	cmH("values.yaml", "auth:\n  enabled: true\n  existingSecret: \"\"\n  usePasswordFiles: true\n  secretKeys:\n    adminPasswordKey: admin-password\nmetrics:\n  enabled: true\n  serviceMonitor:\n    enabled: false\n    interval: 30s\n"),
	cmH("prometheus.yml", "global:\n  scrape_interval: 30s\nscrape_configs:\n- job_name: api\n  scheme: https\n  bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token\n  tls_config:\n    ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n  kubernetes_sd_configs:\n  - role: pod\n"),
	cmH("alertmanager.yml", "global:\n  resolve_timeout: 5m\n  slack_api_url_file: /etc/alertmanager/secrets/slack-url\nroute:\n  receiver: ops\nreceivers:\n- name: ops\n  slack_configs:\n  - channel: '#ops'\n    send_resolved: true\n"),
	cmH("datasources.yaml", "apiVersion: 1\ndatasources:\n- name: Prometheus\n  type: prometheus\n  url: http://prometheus:9090\n  jsonData:\n    httpMethod: POST\n    timeInterval: 30s\n  secureJsonData:\n    basicAuthPassword: $__file{/etc/grafana/secrets/prom-password}\n"),
	cmH("settings.py", "import os\nDEBUG = False\nALLOWED_HOSTS = ['shop.example.com']\nSECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'PASSWORD': os.getenv('DB_PASSWORD')}}\n"),
	cmH("config.js", "module.exports = {\n  port: 8080,\n  db: { host: 'db', password: process.env.DB_PASSWORD },\n  apiToken: process.env.API_TOKEN,\n};\n"),
	cmH("gitlab.rb", "external_url 'https://gitlab.example.com'\ngitlab_rails['db_password'] = ENV['GITLAB_DB_PASSWORD']\ngitlab_rails['smtp_enable'] = true\n"),
	cmH("Application.java.properties", "app.datasource.password=#{systemEnvironment['DB_PASSWORD']}\napp.name=shop\n"),
	cmH("pgbouncer.ini", "[databases]\nshop = host=db port=5432 dbname=shop\n[pgbouncer]\nlisten_port = 6432\nauth_type = scram-sha-256\nauth_file = /etc/pgbouncer/userlist.txt\npool_mode = transaction\n"),
	cmH("keycloak.conf", "db=postgres\ndb-url=jdbc:postgresql://keycloak-db:5432/keycloak\ndb-username=keycloak\nhostname=auth.example.com\nproxy-headers=xforwarded\nhttp-relative-path=/auth\nhealth-enabled=true\n"),
	cmH("grafana.ini", "[server]\nroot_url = https://grafana.example.com/\n[auth.generic_oauth]\nenabled = true\nclient_id = grafana\nscopes = openid email profile\ntoken_url = https://auth.example.com/realms/shop/protocol/openid-connect/token\nuse_pkce = true\n"),
	cmH("mlflow.yaml", "tracking:\n  backendStore: postgresql\n  artifactRoot: s3://shop-mlflow/artifacts\n  auth:\n    enabled: true\n    provider: basic\n"),
	cmH("fluent-bit.yaml", "pipeline:\n  outputs:\n    - name: es\n      match: '*'\n      host: es\n      http_user: fluent\n      http_passwd: ${ES_PASSWORD}\n      tls: on\n"),
	cmH("harbor.yml", "hostname: registry.example.com\nhttps:\n  port: 443\n  certificate: /data/cert/registry.crt\n  private_key: /data/cert/registry.key\ndatabase:\n  max_idle_conns: 100\n  max_open_conns: 900\n"),
	cmH("kafka.yaml", "listeners:\n  client:\n    protocol: SASL_PLAINTEXT\n  interbroker:\n    protocol: SASL_PLAINTEXT\nsasl:\n  enabledMechanisms: PLAIN,SCRAM-SHA-256,SCRAM-SHA-512\n  interBrokerMechanism: PLAIN\n  client:\n    users:\n      - user1\n"),
	cmH("airflow.cfg", "[core]\nexecutor = KubernetesExecutor\nfernet_key_cmd = cat /run/secrets/fernet_key\n[webserver]\nsecret_key_cmd = cat /run/secrets/webserver_key\nexpose_config = False\n"),
	cmH("realm-policy.json", "{\"realm\": \"shop\", \"bruteForceProtected\": true, \"failureFactor\": 5, \"accessTokenLifespan\": 300, \"ssoSessionIdleTimeout\": 1800}"),
)
