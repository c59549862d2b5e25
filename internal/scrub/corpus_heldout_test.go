package scrub

// The held-out set: cases written after the scrubber was tuned on the rest of the corpus, to
// measure it on shapes it had not been adjusted to. They join the corpus's categories, and their
// first result is recorded in the report of issue 21.

var heldOutLeaks = []leakCase{
	{cat: "directives", name: "kafka listener jaas", where: "cm", key: "server.properties", human: true, in: func(c string) string {
		return "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"" + c + "\";\n"
	}},
	{cat: "directives", name: "redis sentinel auth-pass", where: "cm", key: "sentinel.conf", human: true, in: func(c string) string {
		return "sentinel monitor mymaster 10.0.0.5 6379 2\nsentinel auth-pass mymaster " + c + "\nsentinel down-after-milliseconds mymaster 5000\n"
	}},
	{cat: "files", name: "elasticsearch keystore password", where: "cm", key: "elasticsearch.yml", human: true, in: func(c string) string {
		return "xpack.security.enabled: true\nxpack.security.http.ssl.keystore.secure_password: " + c + "\n"
	}},
	{cat: "files", name: "kibana elasticsearch password", where: "cm", key: "kibana.yml", human: true, in: func(c string) string {
		return "server.host: 0.0.0.0\nelasticsearch.username: kibana_system\nelasticsearch.password: \"" + c + "\"\n"
	}},
	{cat: "dotfiles", name: "activemq users.properties", where: "cm", key: "users.properties", human: true, in: func(c string) string {
		return "# user=password\nadmin=" + c + "\n"
	}},
	{cat: "files", name: "jetty realm", where: "cm", key: "realm.properties", human: true, in: func(c string) string {
		return "# username: password[,rolename ...]\nadmin: " + c + ",admin,user\n"
	}},
	{cat: "files", name: "ansible inventory", where: "cm", key: "inventory.ini", human: true, in: func(c string) string {
		return "[web]\nweb1 ansible_host=10.0.0.5 ansible_user=deploy ansible_become_pass=" + c + "\n"
	}},
	{cat: "files", name: "wordpress salt", where: "cm", key: "wp-config.php", in: func(c string) string {
		return "<?php\ndefine('AUTH_KEY', '" + c + "');\ndefine('WP_DEBUG', false);\n"
	}},
	{cat: "files", name: "nextcloud config.php", where: "cm", key: "config.php", human: true, in: func(c string) string {
		return "<?php\n$CONFIG = array (\n  'dbtype' => 'pgsql',\n  'dbuser' => 'nextcloud',\n  'dbpassword' => '" + c + "',\n);\n"
	}},
	{cat: "files", name: "jenkins casc credentials", where: "cm", key: "jenkins.yaml", human: true, in: func(c string) string {
		return "credentials:\n  system:\n    domainCredentials:\n      - credentials:\n          - usernamePassword:\n              id: nexus\n              username: deploy\n              password: \"" + c + "\"\n"
	}},
	{cat: "urls", name: "pip extra index with token user", where: "cm", key: "pip.conf", in: func(c string) string {
		return "[global]\nextra-index-url = https://__token__:" + c + "@gitlab.example.com/api/v4/projects/1/packages/pypi/simple\n"
	}},
	{cat: "files", name: "gradle init credentials", where: "cm", key: "init.gradle", human: true, in: func(c string) string {
		return "allprojects {\n  repositories {\n    maven {\n      url 'https://nexus.example.com/repository/maven-public/'\n      credentials {\n        username 'ci'\n        password '" + c + "'\n      }\n    }\n  }\n}\n"
	}},
	{cat: "keys", name: "openvpn static key", where: "cm", key: "client.ovpn", secret: hex32, in: func(c string) string {
		return "client\ndev tun\n<tls-auth>\n-----BEGIN OpenVPN Static key V1-----\n" + hex32(c) + "\n" + hex32(c+"1") + "\n-----END OpenVPN Static key V1-----\n</tls-auth>\n"
	}},
	{cat: "directives", name: "msmtprc password", where: "cm", key: "msmtprc", human: true, in: func(c string) string {
		return "account default\nhost smtp.example.com\nport 587\nauth on\nuser ops\npassword " + c + "\n"
	}},
	{cat: "directives", name: "nslcd bindpw", where: "cm", key: "nslcd.conf", human: true, in: func(c string) string {
		return "uri ldap://ldap.example.com\nbase dc=example,dc=com\nbinddn cn=reader,dc=example,dc=com\nbindpw " + c + "\n"
	}},
	{cat: "directives", name: "sssd authtok", where: "cm", key: "sssd.conf", human: true, in: func(c string) string {
		return "[domain/example]\nid_provider = ldap\nldap_default_bind_dn = cn=reader,dc=example,dc=com\nldap_default_authtok = " + c + "\n"
	}},
	{cat: "files", name: "couchdb admins section", where: "cm", key: "local.ini", human: true, in: func(c string) string {
		return "[couchdb]\nsingle_node = true\n[admins]\nadmin = " + c + "\n"
	}},
	{cat: "files", name: "rabbitmq advanced.config", where: "cm", key: "advanced.config", human: true, in: func(c string) string {
		return "[{rabbit, [{default_user, <<\"shop\">>}, {default_pass, <<\"" + c + "\">>}]}].\n"
	}},
	{cat: "urls", name: "go mysql dsn under url", where: "cm", key: "config.toml", human: true, in: func(c string) string {
		return "[database]\nurl = \"app:" + c + "@tcp(db:3306)/shop?parseTime=true\"\n"
	}},
	{cat: "urls", name: "celery broker url", where: "env", key: "CELERY_BROKER_URL", human: true, in: func(c string) string { return "redis://:" + c + "@redis:6379/0" }},
	{cat: "env", name: "laravel app key", where: "env", key: "APP_KEY", in: func(c string) string { return "base64:" + b64(c+c) }},
	{cat: "files", name: "kustomize literals", where: "cm", key: "kustomization.yaml", human: true, in: func(c string) string {
		return "secretGenerator:\n- name: db\n  literals:\n  - username=app\n  - password=" + c + "\n"
	}},
	{cat: "files", name: "argocd dex client secret", where: "cm", key: "dex.config", human: true, in: func(c string) string {
		return "connectors:\n- type: github\n  id: github\n  name: GitHub\n  config:\n    clientID: Iv1.a1b2c3d4e5f6a7b8\n    clientSecret: " + c + "\n"
	}},
	{cat: "env", name: "sonar jdbc password", where: "env", key: "SONAR_JDBC_PASSWORD", human: true, in: func(c string) string { return c }},
	{cat: "commands", name: "smbpasswd pipe", where: "args", human: true, args: func(c string) []string {
		return sh("printf '" + c + "\\n" + c + "\\n' | smbpasswd -a -s backup")
	}},
	{cat: "commands", name: "mysql defaults in heredoc", where: "cm", key: "backup.sh", human: true, in: func(c string) string {
		return "#!/bin/sh\ncat > /tmp/my.cnf <<EOF\n[client]\nuser=backup\npassword=" + c + "\nEOF\nmysqldump --defaults-file=/tmp/my.cnf shop\n"
	}},
	{cat: "tokens", name: "shared secret of a cluster", where: "env", key: "CLUSTER_SECRET", human: true, in: func(c string) string { return c }},
	{cat: "tokens", name: "gitlab runner registration token", where: "args", args: func(c string) []string {
		return []string{"gitlab-runner", "register", "--registration-token", "GR1348941" + c[:20]}
	}},
	{cat: "metadata", name: "annotation with a bearer header", where: "ann", key: "example.com/probe-headers", in: func(c string) string {
		return "Authorization: Bearer " + c
	}},
	{cat: "payloads", name: "gzip of a .env without a telling key", where: "bin", key: "payload", human: true, open: openGz, in: func(c string) string {
		return gz(".env", "APP_ENV=production\nMAIL_PASSWORD="+c+"\n")
	}},
}

var heldOutHarmless = []harmlessCase{
	{cat: "directives", where: "cm", key: "sentinel.conf", value: "sentinel monitor mymaster 10.0.0.5 6379 2\nsentinel down-after-milliseconds mymaster 5000\nsentinel failover-timeout mymaster 60000\n"},
	{cat: "files", where: "cm", key: "elasticsearch.yml", value: "xpack.security.enabled: true\nxpack.security.transport.ssl.verification_mode: certificate\nxpack.security.http.ssl.keystore.path: certs/http.p12\n"},
	{cat: "files", where: "cm", key: "kibana.yml", value: "server.publicBaseUrl: https://kibana.example.com\nelasticsearch.hosts: [\"https://es:9200\"]\nelasticsearch.ssl.certificateAuthorities: [/usr/share/kibana/config/ca.crt]\n"},
	{cat: "dotfiles", where: "cm", key: "groups.properties", value: "admins=admin\nusers=app,report\n"},
	{cat: "files", where: "cm", key: "inventory.ini", value: "[web]\nweb1 ansible_host=10.0.0.5 ansible_user=deploy ansible_become=true\n"},
	{cat: "files", where: "cm", key: "wp-config.php", value: "<?php\ndefine('WP_DEBUG', false);\ndefine('DB_NAME', 'wordpress');\ndefine('DB_PASSWORD', getenv('WORDPRESS_DB_PASSWORD'));\n"},
	{cat: "files", where: "cm", key: "jenkins.yaml", value: "jenkins:\n  securityRealm:\n    local:\n      allowsSignup: false\n  authorizationStrategy:\n    loggedInUsersCanDoAnything:\n      allowAnonymousRead: false\n"},
	{cat: "files", where: "cm", key: "traefik.yml", value: "entryPoints:\n  websecure:\n    address: \":443\"\ncertificatesResolvers:\n  le:\n    acme:\n      email: ops@example.com\n      storage: /data/acme.json\n      dnsChallenge:\n        provider: cloudflare\n"},
	{cat: "files", where: "cm", key: "build.gradle", value: "repositories {\n  maven { url 'https://nexus.example.com/repository/maven-public/' }\n}\n"},
	{cat: "directives", where: "cm", key: "client.ovpn", value: "client\ndev tun\nproto udp\nremote vpn.example.com 1194\nauth SHA256\ncipher AES-256-GCM\nauth-user-pass /etc/openvpn/creds\n"},
	{cat: "directives", where: "cm", key: "msmtprc", value: "defaults\ntls on\ntls_trust_file /etc/ssl/certs/ca-certificates.crt\nauth on\n"},
	{cat: "directives", where: "cm", key: "nslcd.conf", value: "uri ldap://ldap.example.com\nbase dc=example,dc=com\nbinddn cn=reader,dc=example,dc=com\nssl start_tls\n"},
	{cat: "files", where: "cm", key: "local.ini", value: "[couchdb]\nsingle_node = true\n[chttpd]\nport = 5984\nbind_address = 0.0.0.0\n"},
	{cat: "files", where: "cm", key: "advanced.config", value: "[{rabbit, [{tcp_listeners, [5672]}, {loopback_users, []}]}].\n"},
	{cat: "files", where: "cm", key: "values.yaml", value: "global:\n  imageRegistry: \"\"\n  imagePullSecrets: []\n  storageClass: \"\"\nauth:\n  enablePostgresUser: true\n  username: \"\"\n  database: \"\"\n  existingSecret: \"\"\n"},
	{cat: "files", where: "cm", key: "airflow.cfg", value: "[core]\nload_examples = False\n[database]\nsql_alchemy_pool_size = 5\n"},
	{cat: "env", where: "env", key: "CELERY_WORKER_CONCURRENCY", value: "4"},
	{cat: "files", where: "cm", key: ".env", value: "APP_DEBUG=false\nLOG_CHANNEL=stack\nSESSION_LIFETIME=120\nBROADCAST_DRIVER=log\n"},
	{cat: "files", where: "cm", key: "application.properties", value: "management.endpoints.web.exposure.include=health,info,prometheus\nserver.servlet.session.cookie.secure=true\n"},
	{cat: "files", where: "cm", key: "config.toml", value: "[server]\naddr = \":8080\"\nread_timeout = \"5s\"\n"},
	{cat: "files", where: "cm", key: "promtail.yaml", value: "clients:\n  - url: http://loki:3100/loki/api/v1/push\n    tenant_id: shop\n"},
	{cat: "files", where: "cm", key: "argocd-cm.yaml", value: "url: https://argocd.example.com\nadmin.enabled: \"false\"\nstatusbadge.enabled: \"true\"\ntimeout.reconciliation: 180s\n"},
	{cat: "files", where: "cm", key: "policy.csv", value: "p, role:org-admin, applications, *, */*, allow\ng, shop:platform, role:org-admin\n"},
	{cat: "files", where: "cm", key: "harbor.yml", value: "external_url: https://registry.example.com\ntrivy:\n  ignore_unfixed: false\n  skip_update: false\n"},
	{cat: "files", where: "cm", key: "sonar.properties", value: "sonar.search.javaOpts=-Xmx512m\nsonar.web.context=/sonar\n"},
	{cat: "files", where: "cm", key: "connect.properties", value: "key.converter=org.apache.kafka.connect.json.JsonConverter\nkey.converter.schemas.enable=false\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n"},
	{cat: "files", where: "cm", key: "config.yml", value: "tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ncredentials-file: /etc/cloudflared/creds.json\ningress:\n  - hostname: shop.example.com\n    service: http://web:80\n  - service: http_status:404\n"},
	{cat: "files", where: "cm", key: "vector.toml", value: "[sinks.out]\ntype = \"console\"\ninputs = [\"in\"]\nencoding.codec = \"json\"\n"},
	{cat: "files", where: "cm", key: "web.hcl", value: "service {\n  name = \"web\"\n  port = 80\n  check {\n    http     = \"http://localhost/health\"\n    interval = \"10s\"\n  }\n}\n"},
	{cat: "policies", where: "cm", key: "shop-policy.hcl", value: "path \"secret/data/shop/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"},
	{cat: "policies", where: "cm", key: "variables.tf", value: "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n"},
	{cat: "commands", where: "cm", key: ".gitlab-ci.yml", value: "variables:\n  DOCKER_TLS_CERTDIR: \"/certs\"\nbuild:\n  script:\n    - docker login -u \"$CI_REGISTRY_USER\" -p \"$CI_REGISTRY_PASSWORD\" $CI_REGISTRY\n"},
	{cat: "commands", where: "cm", key: "deploy.yml", value: "steps:\n  - uses: actions/checkout@v4\n  - run: echo \"${{ secrets.DEPLOY_KEY }}\" > /tmp/key\n"},
	{cat: "directives", where: "cm", key: "ssl.conf", value: "ssl_certificate /etc/nginx/tls/tls.crt;\nssl_certificate_key /etc/nginx/tls/tls.key;\nssl_password_file /etc/nginx/ssl.pass;\n"},
	{cat: "directives", where: "cm", key: "haproxy.cfg", value: "frontend https\n  bind :443 ssl crt /etc/haproxy/certs/site.pem alpn h2,http/1.1\n"},
	{cat: "directives", where: "cm", key: "users.acl", value: "user default on nopass ~* &* +@all\n"},
	{cat: "env", where: "env", key: "SPRING_DATASOURCE_PASSWORD", value: "${DB_PASSWORD}"},
	{cat: "policies", where: "env", key: "TOKEN_ENDPOINT_AUTH_METHOD", value: "client_secret_post"},
	{cat: "urls", where: "env", key: "JWT_PUBLIC_KEY_URL", value: "https://auth.example.com/keys"},
	{cat: "metadata", where: "ann", key: "kubernetes.io/ingress.class", value: "nginx"},
	{cat: "metadata", where: "label", key: "app.kubernetes.io/part-of", value: "shop"},
	{cat: "env", where: "env", key: "KEYCLOAK_ADMIN_PASSWORD_FILE", value: "/run/secrets/keycloak-admin"},
	{cat: "identifiers", where: "env", key: "OTEL_TRACES_SAMPLER_ARG", value: "0.25"},
	{cat: "identifiers", where: "env", key: "SENTRY_TRACES_SAMPLE_RATE", value: "0.1"},
	{cat: "env", where: "env", key: "SECRETS_DIR", value: "/run/secrets"},
}
