package scrub

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// leakCase is a realistic way prod configuration carries a credential. in renders the value (or
// args renders the argv) around the case's canary; where says which API copies it.
type leakCase struct {
	name  string
	cat   string // the kind of shape that carries the credential: see corpusCategories
	where string // "cm" (ConfigMap data), "bin" (binaryData), "env", "args", "ann" (annotation), "label"
	key   string
	in    func(c string) string
	args  func(c string) []string
	// human: the canary looks like a person's password (lower-case words and digits), so that
	// the case is caught by structure, key or command, not by the entropy check.
	human bool
	// secret, when set, is the credential as the case writes it (hex of the canary, say), looked
	// for besides the canary itself.
	secret func(c string) string
	// open, when set, reads a payload the way its consumer does (gunzip, untar, UTF-16): the
	// canary must not be found in the opened output either.
	open func(out string) string
}

var humanWords = []string{"harbor", "violet", "tundra", "copper", "meadow", "falcon", "orchid", "glacier", "saffron", "lantern", "pebble", "thistle"}

// humanCanary is a low-entropy password, unique per case.
func humanCanary(i int) string {
	return fmt.Sprintf("%s%04d%s", humanWords[i%len(humanWords)], 1000+i*37, humanWords[(i/len(humanWords)+i+3)%len(humanWords)])
}

func rep(c string, n int) string { return strings.Repeat(c, n/len(c)+1)[:n] }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func cm(name, key string, human bool, in func(string) string) leakCase {
	return leakCase{name: name, where: "cm", key: key, in: in, human: human}
}

func env(name, key string, human bool, in func(string) string) leakCase {
	return leakCase{name: name, where: "env", key: key, in: in, human: human}
}

func args(name string, human bool, argv func(string) []string) leakCase {
	return leakCase{name: name, where: "args", args: argv, human: human}
}

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

// section puts cases in a category.
func section(cat string, cases ...leakCase) []leakCase {
	for i := range cases {
		cases[i].cat = cat
	}
	return cases
}

// leakCorpus: the cases written for issue 10, each a different way a credential sits in prod's
// plain configuration, grouped by the kind of shape that carries it (see corpusCategories).
var leakCorpus = slices.Concat(
	section("urls",
		cm("azure storage connection string", "storage.env", false, func(c string) string {
			return "AZURE_STORAGE=DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=" + c + ";EndpointSuffix=core.windows.net\n"
		}),
		cm("azure SAS url", "blob.txt", false, func(c string) string {
			return "https://shop.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=" + url.QueryEscape(c+"+/x=") + "\n"
		}),
		cm("alertmanager slack", "alertmanager.yml", false, func(c string) string {
			return "receivers:\n- name: ops\n  slack_configs:\n  - api_url: https://hooks.slack.com/services/T01ABCDEF/B01ABCDEF/" + c + "\n"
		}),
		cm("jdbc url password", "datasource.txt", true, func(c string) string {
			return "jdbc:mysql://db:3306/shop?user=app&password=" + c + "&useSSL=true"
		}),
		cm("mongodb uri", "MONGO", true, func(c string) string { return "mongodb+srv://app:" + c + "@cluster0.example.net/shop?retryWrites=true" }),
		cm("amqp uri", "BROKER", true, func(c string) string { return "amqps://shop:" + c + "@mq.example.com:5671/%2f" }),
		cm("redis url", "REDIS_URL", true, func(c string) string { return "rediss://:" + c + "@cache.example.com:6380/0" }),
		cm("ado connection string", "db.conn", true, func(c string) string {
			return "Server=tcp:db,1433;Initial Catalog=shop;User ID=app;Password=" + c + ";"
		}),
		env("env database url", "DATABASE_URL", true, func(c string) string { return "postgres://app:" + c + "@db:5432/shop?sslmode=require" }),
		env("env sentry dsn", "SENTRY_DSN", false, func(c string) string { return "https://" + c + "@o1.ingest.sentry.io/42" }),
		env("env slack webhook", "ALERT_HOOK", false, func(c string) string { return "https://hooks.slack.com/services/T01ABCDEF/B01ABCDEF/" + c }),
		env("env ado string", "ConnectionStrings__Default", true, func(c string) string { return "Server=db;Database=shop;User Id=app;Password=" + c }),
		env("env smtp url", "MAIL_SETTINGS", true, func(c string) string { return "smtp://shop:" + c + "@smtp.example.com:587" }),
		args("url with password in arg", true, func(c string) []string {
			return []string{"/migrate", "-database", "postgres://app:" + c + "@db/shop", "up"}
		}),
	),
	section("files",
		cm("yaml secrets parent", "app.yaml", true, func(c string) string {
			return "payments:\n  provider: stripe\n  secrets:\n    stripe: " + c + "\n    region: eu\n"
		}),
		cm("yaml passwords list", "users.yaml", true, func(c string) string {
			return "admins:\n  - alice\npasswords:\n  - " + c + "\n  - other-one-2\n"
		}),
		cm("json credentials object", "settings.json", true, func(c string) string {
			return `{"service": "billing", "credentials": {"user": "billing", "pass_phrase_hint": "none", "value": "` + c + `"}}`
		}),
		cm("yaml name/value sibling", "deploy-vars.yaml", true, func(c string) string {
			return "vars:\n  - name: LOG_LEVEL\n    value: info\n  - name: DB_PASSWORD\n    value: " + c + "\n"
		}),
		cm("json name/value sibling", "params.json", true, func(c string) string {
			return `[{"name": "region", "value": "eu"}, {"value": "` + c + `", "name": "api_token"}]`
		}),
		cm("xml add key/value", "web.config", true, func(c string) string {
			return "<configuration><appSettings>\n  <add key=\"Environment\" value=\"prod\"/>\n  <add key=\"Password\" value=\"" + c + "\"/>\n</appSettings></configuration>"
		}),
		cm("xml connectionStrings", "app.config", true, func(c string) string {
			return `<connectionStrings><add name="Default" connectionString="Server=db;Database=shop;User Id=app;Password=` + c + `;" /></connectionStrings>`
		}),
		cm("xml entry key", "settings.xml", true, func(c string) string {
			return "<map>\n  <entry key=\"db.url\">jdbc:postgresql://db/shop</entry>\n  <entry key=\"db.password\">" + c + "</entry>\n</map>"
		}),
		cm("hadoop property", "core-site.xml", true, func(c string) string {
			return "<?xml version=\"1.0\"?>\n<configuration>\n  <property>\n    <name>fs.s3a.secret.key</name>\n    <value>" + c + "</value>\n  </property>\n</configuration>"
		}),
		cm("maven settings server password", "settings.xml", true, func(c string) string {
			return "<settings><servers><server><id>nexus</id><username>deploy</username><password>" + c + "</password></server></servers></settings>"
		}),
		cm("php define", "wp-config.php", true, func(c string) string {
			return "<?php\ndefine('DB_NAME', 'wordpress');\ndefine('DB_PASSWORD', '" + c + "');\n"
		}),
		cm("php array", "config.php", true, func(c string) string {
			return "<?php\n$config['db']['host'] = 'db';\n$config['db']['password'] = '" + c + "';\n"
		}),
		cm("python environ", "settings.py", true, func(c string) string {
			return "import os\nos.environ['DJANGO_SECRET_KEY'] = '" + c + "'\nDEBUG = False\n"
		}),
		cm("toml table", "config.toml", true, func(c string) string {
			return "[server]\nport = 8080\n\n[database]\nuser = \"app\"\npassword = \"" + c + "\" # rotated\n"
		}),
		cm("toml secrets table", "app.toml", true, func(c string) string {
			return "[secrets]\nsendgrid = '" + c + "'\n"
		}),
		cm("toml inline table", "svc.toml", true, func(c string) string {
			return "smtp = { host = \"mail\", port = 587, password = \"" + c + "\" }\n"
		}),
		cm("properties equals", "application.properties", true, func(c string) string {
			return "spring.datasource.url=jdbc:postgresql://db:5432/shop\nspring.datasource.password=" + c + "\n"
		}),
		cm("properties colon", "app.properties", true, func(c string) string {
			return "mail.host:smtp.example.com\nmail.password:" + c + "\n"
		}),
		cm("properties space", "jms.properties", true, func(c string) string {
			return "broker.url tcp://mq:61616\nbroker.password " + c + "\n"
		}),
		cm("properties continuation", "long.properties", true, func(c string) string {
			return "api.secret=v2-\\\n    " + c + "\n"
		}),
		cm("dotenv quoted", ".env", true, func(c string) string {
			return "APP_ENV=production\nMAIL_PASSWORD=\"" + c + "\"\n"
		}),
		cm("dotenv export comment", "app.env", true, func(c string) string {
			return "export STRIPE_SECRET=" + c + " # live\nexport PORT=8080\n"
		}),
		cm("spring yaml nested", "application.yml", true, func(c string) string {
			return "spring:\n  datasource:\n    url: jdbc:postgresql://db/shop\n    username: app\n    password: " + c + "  # from vault\n"
		}),
		cm("yaml block scalar secret", "tls.yaml", false, func(c string) string {
			return "tls:\n  key: |\n    " + c + "\n    " + c[3:] + "\n  enabled: true\n"
		}),
		cm("yaml anchors", "values.yaml", true, func(c string) string {
			return "common: &db\n  password: " + c + "\nprimary:\n  <<: *db\n  host: db-0\n"
		}),
		cm("yaml multi-document", "stack.yaml", true, func(c string) string {
			return "name: a\n---\nname: b\napiToken: " + c + "\n"
		}),
		cm("yaml flow mapping", "flow.yaml", true, func(c string) string {
			return "db: {host: db, password: " + c + ", port: 5432}\n"
		}),
		cm("prometheus basic_auth", "prometheus.yml", true, func(c string) string {
			return "remote_write:\n- url: https://metrics.example.com/api/v1/write\n  basic_auth:\n    username: shop\n    password: " + c + "\n"
		}),
		cm("grafana secureJsonData", "datasources.yaml", true, func(c string) string {
			return "datasources:\n- name: pg\n  type: postgres\n  secureJsonData:\n    password: " + c + "\n"
		}),
		cm("helm values nested auth", "values.yaml", true, func(c string) string {
			return "postgresql:\n  auth:\n    username: shop\n    postgresPassword: " + c + "\n"
		}),
		cm("appsettings connection strings", "appsettings.json", true, func(c string) string {
			return `{"ConnectionStrings": {"Default": "Host=db;Database=shop;Username=app;Password=` + c + `"}, "Logging": {"LogLevel": {"Default": "Information"}}}`
		}),
		cm("json pretty nested api key", "integrations.json", false, func(c string) string {
			return "{\n  \"mailgun\": {\n    \"domain\": \"mg.example.com\",\n    \"apiKey\": \"key-" + c + "\"\n  }\n}\n"
		}),
		cm("json in yaml string", "app.yaml", true, func(c string) string {
			return "extra: '{\"token\": \"" + c + "\"}'\n"
		}),
		cm("terraform tfvars", "prod.tfvars", true, func(c string) string {
			return "region = \"eu-west-1\"\ndb_password = \"" + c + "\"\n"
		}),
		cm("random token in yaml leaf", "features.yaml", false, func(c string) string { return "features:\n  beta: true\n  partner_ref: " + c + "\n" }),
	),
	section("directives",
		cm("kafka jaas", "client.properties", true, func(c string) string {
			return "sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"app\" password=\"" + c + "\";\n"
		}),
		cm("nginx proxy_set_header", "nginx.conf", true, func(c string) string {
			return "server {\n  listen 80;\n  location /api/ {\n    proxy_pass http://api:8080;\n    proxy_set_header X-Api-Key " + c + ";\n  }\n}\n"
		}),
		cm("nginx set variable", "default.conf", true, func(c string) string {
			return "server {\n  set $upstream_token \"" + c + "\";\n  location / { proxy_pass http://app; }\n}\n"
		}),
		cm("redis requirepass", "redis.conf", true, func(c string) string {
			return "bind 0.0.0.0\nport 6379\nrequirepass " + c + "\nmaxmemory 256mb\n"
		}),
		cm("redis masterauth", "replica.conf", true, func(c string) string {
			return "replicaof redis-0 6379\nmasterauth " + c + "\n"
		}),
		cm("redis acl user", "users.acl", true, func(c string) string {
			return "user default off\nuser app on >" + c + " ~app:* +@all\n"
		}),
		cm("haproxy userlist", "haproxy.cfg", true, func(c string) string {
			return "userlist admins\n  user ops insecure-password " + c + "\nfrontend web\n  bind *:80\n"
		}),
		cm("haproxy stats auth", "haproxy.cfg", true, func(c string) string {
			return "listen stats\n  bind *:8404\n  stats enable\n  stats auth admin:" + c + "\n"
		}),
		cm("fluent-bit passwd", "fluent-bit.conf", true, func(c string) string {
			return "[OUTPUT]\n    Name  es\n    Host  es\n    HTTP_User  fluent\n    HTTP_Passwd  " + c + "\n"
		}),
		cm("fluentd password", "fluent.conf", true, func(c string) string {
			return "<match app.**>\n  @type elasticsearch\n  host es\n  user fluentd\n  password " + c + "\n</match>\n"
		}),
		cm("apache SetEnv", "httpd.conf", true, func(c string) string {
			return "ServerName shop\nSetEnv DB_PASSWORD " + c + "\n"
		}),
		cm("postgres conf", "postgresql.conf", true, func(c string) string {
			return "listen_addresses = '*'\nssl_passphrase_command = 'echo " + c + "'\n"
		}),
		cm("pgbouncer userlist", "userlist.txt", true, func(c string) string {
			return "\"app\" \"" + c + "\"\n\"stats\" \"md5a1b2c3\"\n"
		}),
		cm("pgbouncer databases conninfo", "pgbouncer.ini", true, func(c string) string {
			return "[databases]\nshop = host=db port=5432 dbname=shop user=app password=" + c + "\n[pgbouncer]\nlisten_port = 6432\n"
		}),
		cm("htpasswd lines", "auth", false, func(c string) string {
			return "admin:$apr1$" + c[:8] + "$" + c + "\n"
		}),
		cm("postfix sasl_passwd", "sasl_passwd", true, func(c string) string { return "[smtp.example.com]:587 shop:" + c + "\n" }),
	),
	section("dotfiles",
		cm("kubeconfig client-key-data", "kubeconfig.yaml", false, func(c string) string {
			return "apiVersion: v1\nkind: Config\nusers:\n- name: prod-admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTg==\n    client-key-data: " + b64("-----BEGIN EC PRIVATE KEY-----\n"+c+"\n-----END EC PRIVATE KEY-----\n") + "\n"
		}),
		cm("kubeconfig token", "config", false, func(c string) string {
			return "apiVersion: v1\nclusters:\n- cluster: {server: 'https://10.0.0.1:6443'}\n  name: prod\nusers:\n- name: ci\n  user:\n    token: " + c + "\n"
		}),
		cm("kubeconfig oidc refresh token", "kubeconfig", true, func(c string) string {
			return "users:\n- name: oidc\n  user:\n    auth-provider:\n      config:\n        client-id: kubectl\n        refresh-token: " + c + "\n"
		}),
		cm("aws credentials file", "credentials", true, func(c string) string {
			return "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + c + "\nregion = eu-west-1\n"
		}),
		cm("gcp service account json", "sa.json", false, func(c string) string {
			return `{"type": "service_account", "project_id": "shop", "private_key": "-----BEGIN PRIVATE KEY-----\n` + c + `\n-----END PRIVATE KEY-----\n", "client_email": "ci@shop.iam.gserviceaccount.com"}`
		}),
		cm("ini my.cnf", "my.cnf", true, func(c string) string {
			return "[client]\nuser=backup\npassword=" + c + "\nhost=db\n"
		}),
		cm("netrc", ".netrc", true, func(c string) string {
			return "machine api.example.com login ci password " + c + "\n"
		}),
		cm("npmrc auth token", "npmrc", false, func(c string) string {
			return "registry=https://npm.registry.example/\n//npm.registry.example/:_authToken=" + c + "\n"
		}),
		cm("pip index url", "pip.conf", true, func(c string) string {
			return "[global]\nindex-url = https://deploy:" + c + "@pypi.example.com/simple\n"
		}),
		cm("git credentials", "git-credentials", true, func(c string) string {
			return "https://ci:" + c + "@github.com\n"
		}),
		cm("docker config auth", "config.json", true, func(c string) string {
			return `{"auths": {"registry.example.com": {"auth": "` + b64("ci:"+c) + `"}}}`
		}),
	),
	section("commands",
		cm("shell script export", "entrypoint.sh", true, func(c string) string {
			return "#!/bin/sh\nset -e\nexport API_TOKEN=" + c + "\nexec /app/server\n"
		}),
		cm("shell script heredoc", "init.sh", true, func(c string) string {
			return "#!/bin/bash\ncat > /etc/app/config.yaml <<EOF\ndb:\n  password: " + c + "\nEOF\n"
		}),
		cm("shell mysql attached", "backup.sh", true, func(c string) string {
			return "#!/bin/sh\nmysqldump -h db -u backup -p" + c + " shop > /backup/shop.sql\n"
		}),
		cm("shell curl user", "notify.sh", true, func(c string) string {
			return "#!/bin/bash\ncurl -sS -u deploy:" + c + " -X POST https://ci.example.com/hook\n"
		}),
		cm("shell password-stdin pipe", "login.sh", true, func(c string) string {
			return "#!/bin/sh\necho '" + c + "' | docker login -u ci --password-stdin registry.example.com\n"
		}),
		cm("shell PGPASSWORD prefix", "migrate.sh", true, func(c string) string {
			return "#!/bin/sh\nPGPASSWORD=" + c + " psql -h db -U app -f /sql/migrate.sql\n"
		}),
		args("mysql -p attached", true, func(c string) []string { return []string{"mysql", "-h", "db", "-u", "root", "-p" + c, "shop"} }),
		args("mysqladmin password", true, func(c string) []string { return []string{"mysqladmin", "-u", "root", "password", c} }),
		args("redis-cli -a", true, func(c string) []string { return []string{"redis-cli", "-h", "cache", "-a", c, "ping"} }),
		args("redis-cli AUTH", true, func(c string) []string { return []string{"redis-cli", "-h", "cache", "AUTH", "default", c} }),
		args("curl -u", true, func(c string) []string {
			return []string{"curl", "-fsS", "-u", "ops:" + c, "https://api.example.com/health"}
		}),
		args("curl --user=", true, func(c string) []string { return []string{"curl", "--user=ops:" + c, "https://api.example.com"} }),
		args("sshpass -p", true, func(c string) []string { return []string{"sshpass", "-p", c, "scp", "/backup/x", "backup@host:/data"} }),
		args("docker login -p", true, func(c string) []string {
			return []string{"docker", "login", "-u", "ci", "-p", c, "registry.example.com"}
		}),
		args("helm registry login", true, func(c string) []string {
			return []string{"helm", "registry", "login", "registry.example.com", "--username", "ci", "-p", c}
		}),
		args("htpasswd -b", true, func(c string) []string { return []string{"htpasswd", "-b", "/etc/nginx/.htpasswd", "ops", c} }),
		args("openssl passin", true, func(c string) []string { return []string{"openssl", "rsa", "-in", "key.pem", "-passin", "pass:" + c} }),
		args("keytool storepass", true, func(c string) []string { return []string{"keytool", "-list", "-keystore", "app.jks", "-storepass", c} }),
		args("zip -P", true, func(c string) []string { return []string{"zip", "-P", c, "backup.zip", "data.sql"} }),
		args("7z -p", true, func(c string) []string { return []string{"7z", "a", "-p" + c, "backup.7z", "/data"} }),
		args("sqlcmd -P", true, func(c string) []string { return []string{"sqlcmd", "-S", "db", "-U", "sa", "-P", c, "-Q", "SELECT 1"} }),
		args("ldapsearch -w", true, func(c string) []string {
			return []string{"ldapsearch", "-x", "-D", "cn=admin,dc=shop", "-w", c, "-b", "dc=shop"}
		}),
		args("smbclient -U user%pass", true, func(c string) []string { return []string{"smbclient", "//files/share", "-U", "ops%" + c} }),
		args("lftp -u user,pass", true, func(c string) []string { return []string{"lftp", "-u", "ops," + c, "sftp://files"} }),
		args("rabbitmqctl add_user", true, func(c string) []string { return []string{"rabbitmqctl", "add_user", "shop", c} }),
		args("mc alias set", true, func(c string) []string {
			return []string{"mc", "alias", "set", "prod", "https://s3.example.com", "shopaccess", c}
		}),
		args("aws configure set", true, func(c string) []string { return []string{"aws", "configure", "set", "aws_secret_access_key", c} }),
		args("long password flag", true, func(c string) []string { return []string{"/app/server", "--db-password", c, "--port", "8080"} }),
		args("password flag equals", true, func(c string) []string { return []string{"/app/server", "--admin-password=" + c} }),
		args("token flag single dash", true, func(c string) []string { return []string{"consul", "kv", "get", "-token", c, "app/config"} }),
		args("java -D password", true, func(c string) []string {
			return []string{"java", "-Dspring.datasource.password=" + c, "-jar", "app.jar"}
		}),
		args("gpg passphrase", true, func(c string) []string { return []string{"gpg", "--batch", "--passphrase", c, "-d", "secrets.gpg"} }),
		args("wget http-password", true, func(c string) []string {
			return []string{"wget", "--http-user=ops", "--http-password=" + c, "https://files/x"}
		}),
		args("mongosh -p", true, func(c string) []string { return []string{"mongosh", "--host", "db", "-u", "admin", "-p", c} }),
		args("sh -c mysql", true, func(c string) []string { return sh("mysql -h db -uroot -p" + c + " -e 'SELECT 1'") }),
		args("sh -c PGPASSWORD", true, func(c string) []string { return sh("PGPASSWORD=" + c + " pg_dump -h db shop > /backup/shop.sql") }),
		args("sh -c redis-cli", true, func(c string) []string { return sh("redis-cli -a " + c + " --no-auth-warning ping") }),
		args("sh -c curl basic", true, func(c string) []string { return sh("curl -u admin:" + c + " http://localhost:15672/api/overview") }),
		args("sh -c export", true, func(c string) []string { return sh("export API_KEY=" + c + " && exec /app/worker") }),
		args("sh -c password-stdin", true, func(c string) []string {
			return sh("echo " + c + " | podman login --username ci --password-stdin registry.example.com")
		}),
		args("sh -c sshpass", true, func(c string) []string { return sh("sshpass -p '" + c + "' rsync -a /data backup@host:/data") }),
		args("bash -ec htpasswd", true, func(c string) []string {
			return []string{"bash", "-ec", "htpasswd -bc /etc/nginx/.htpasswd admin " + c}
		}),
		args("sh -c chpasswd", true, func(c string) []string { return sh("echo \"app:" + c + "\" | chpasswd") }),
	),
	section("env",
		env("env password", "DB_PASSWORD", true, func(c string) string { return c }),
		env("env api key", "PAYMENT_API_KEY", true, func(c string) string { return c }),
		env("env secret key base", "SECRET_KEY_BASE", true, func(c string) string { return c }),
		env("env random under harmless name", "PARTNER_REF", false, func(c string) string { return c }),
		env("env java opts", "JAVA_OPTS", true, func(c string) string {
			return "-Xmx512m -Djavax.net.ssl.trustStorePassword=" + c + " -Dfile.encoding=UTF-8"
		}),
		env("env spring json", "SPRING_APPLICATION_JSON", true, func(c string) string {
			return `{"spring":{"datasource":{"password":"` + c + `"}}}`
		}),
		env("env yaml config", "APP_CONFIG", true, func(c string) string { return "cache:\n  ttl: 60\nsmtp:\n  password: " + c + "\n" }),
		env("env credentials json", "GOOGLE_CREDENTIALS_JSON", true, func(c string) string {
			return `{"type":"service_account","private_key_id":"1","private_key":"` + c + `"}`
		}),
		env("env htpasswd", "BASIC_AUTH_USERS", true, func(c string) string { return "admin:" + c }),
		env("env kafka jaas", "KAFKA_SASL_JAAS_CONFIG", true, func(c string) string {
			return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\" password=\"" + c + "\";"
		}),
		env("env json credentials object", "SERVICES", true, func(c string) string { return `{"mailer": {"credentials": {"key": "` + c + `"}}}` }),
	),
	section("payloads",
		leakCase{name: "binaryData text config", where: "bin", key: "app.ini", human: true, in: func(c string) string { return "[db]\npassword = " + c + "\n" }},
		leakCase{name: "binaryData sensitive key", where: "bin", key: "keystore.jks", human: true, in: func(c string) string { return "\xfe\xed\xfe\xed" + c }},
		leakCase{name: "binaryData json", where: "bin", key: "creds.json", human: true, in: func(c string) string { return `{"client_secret": "` + c + `"}` }},
	),
	section("metadata",
		leakCase{name: "annotation basic auth", where: "ann", key: "example.com/upstream-auth", human: true, in: func(c string) string { return "Basic " + b64("svc:"+c) }},
		leakCase{name: "annotation api key", where: "ann", key: "monitoring.example.com/api-key", human: true, in: func(c string) string { return c }},
		leakCase{name: "annotation json config", where: "ann", key: "config.example.com/settings", human: true, in: func(c string) string { return `{"endpoint":"https://x","password":"` + c + `"}` }},
		leakCase{name: "annotation url with password", where: "ann", key: "backup.example.com/target", human: true, in: func(c string) string { return "s3://backup:" + c + "@minio:9000/bucket" }},
		leakCase{name: "annotation random token", where: "ann", key: "example.com/build-ref", in: func(c string) string { return c }},
		leakCase{name: "annotation vault template", where: "ann", key: "vault.hashicorp.com/agent-inject-template-db", human: true, in: func(c string) string {
			return "{{- with secret \"database/creds/app\" -}}\npostgres://app:" + c + "@db/shop\n{{- end }}"
		}},
	),
	section("tokens",
		cm("jwt in config", "client.yaml", false, func(c string) string {
			return "auth:\n  mode: static\n  header: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjaSJ9." + c + "\n"
		}),
		cm("bearer header in file", "headers.txt", false, func(c string) string { return "Accept: application/json\nAuthorization: Bearer " + c + "\n" }),
		cm("basic header in file", "upstream.txt", true, func(c string) string { return "Authorization: Basic " + b64("svc:"+c) + "\n" }),
		cm("openai project key", "ai.txt", false, func(c string) string {
			return "model=gpt\nkey sk-proj-" + rep(c, 74) + "T3BlbkFJ" + rep(c, 74) + "\n"
		}),
		cm("vault service token", "vault.txt", false, func(c string) string { return "using hvs." + rep(c, 95) + "\n" }),
		cm("github fine-grained pat", "ci.txt", false, func(c string) string { return "remote: github_pat_" + rep(c, 82) + "\n" }),
		cm("gitlab pat", "ci2.txt", false, func(c string) string { return "GITLAB glpat-" + rep(c, 20) + "\n" }),
		cm("stripe live key", "pay.txt", false, func(c string) string { return "stripe: sk_live_" + c + "\n" }),
		cm("sendgrid key", "mail.txt", false, func(c string) string { return "SG." + rep(c, 22) + "." + rep(c[3:]+c, 43) + "\n" }),
		cm("aws key pair", "ci-credentials", false, func(c string) string { return "AKIAIOSFODNN7EXAMPLE:" + c }),
		cm("slack bot token", "bot.txt", false, func(c string) string { return "bot xoxb-1234567890-1234567890-" + c + "\n" }),
		cm("random token under harmless key", "MISC", false, func(c string) string { return c }),
		env("env otp seed", "TOTP_SEED", true, func(c string) string { return c }),
		args("vault login", false, func(c string) []string { return []string{"vault", "login", "hvs." + rep(c, 95)} }),
		args("kubectl token", false, func(c string) []string { return []string{"kubectl", "--token=" + c, "get", "pods"} }),
		args("header arg", false, func(c string) []string { return []string{"curl", "-H", "X-Api-Key: " + c, "https://api"} }),
	),
	section("keys",
		cm("ini wireguard", "wg0.conf", false, func(c string) string {
			return "[Interface]\nAddress = 10.8.0.1/24\nPrivateKey = " + c + "=\nListenPort = 51820\n"
		}),
		cm("ssh private key", "id_ed25519", false, func(c string) string {
			return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + c + c + "\n" + c + "\n-----END OPENSSH PRIVATE KEY-----\n"
		}),
		cm("encrypted pem in bundle", "bundle.pem", false, func(c string) string {
			return "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + c + "\n-----END ENCRYPTED PRIVATE KEY-----\n"
		}),
		cm("putty key", "deploy.ppk", false, func(c string) string {
			return "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 1\nAAAAC3NzaC1lZDI1NTE5AAAAIB\nPrivate-Lines: 1\n" + c + "\nPrivate-MAC: " + c[:12] + "ab\n"
		}),
		env("env private key data", "SIGNING_KEY_DATA", true, func(c string) string { return c }),
	),
)
