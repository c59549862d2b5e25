package scrub

var directiveLeaks = section("directives",
	cm("kafka jaas server user_", "kafka_server_jaas.conf", true, func(c string) string {
		return "KafkaServer {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"admin\"\n  password=\"admin-secret-placeholder\"\n  user_producer=\"" + c + "\";\n};\n"
	}),
	cm("zookeeper jaas user_super", "zookeeper_jaas.conf", true, func(c string) string {
		return "Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_super=\"" + c + "\";\n};\n"
	}),
	env("jaas in env, user_", "KAFKA_OPTS_JAAS", true, func(c string) string {
		return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" user_broker=\"" + c + "\";"
	}),
	cm("odbc.ini PWD", "odbc.ini", true, func(c string) string {
		return "[ShopDB]\nDriver = PostgreSQL Unicode\nServername = db.prod.example.com\nPort = 5432\nDatabase = shop\nUID = report\nPWD = " + c + "\n"
	}),
	cm("nginx compares a header with a literal", "api.conf", true, func(c string) string {
		return "location /internal/ {\n  if ($http_x_api_key != \"" + c + "\") {\n    return 401;\n  }\n  proxy_pass http://internal:8080;\n}\n"
	}),
	cm("nginx map of api keys", "keys.conf", true, func(c string) string {
		return "map $http_x_api_key $api_client {\n  default \"\";\n  \"" + c + "\" \"partner-a\";\n}\n"
	}),
	cm("haproxy header acl", "haproxy.cfg", true, func(c string) string {
		return "frontend api\n  bind *:8080\n  http-request deny unless { req.hdr(X-Api-Key) -m str " + c + " }\n  default_backend api\n"
	}),
	cm("squid cache_peer login", "squid.conf", true, func(c string) string {
		return "http_port 3128\ncache_peer upstream.example.com parent 3128 0 no-query login=shop:" + c + "\nnever_direct allow all\n"
	}),
	cm("keepalived auth_pass", "keepalived.conf", true, func(c string) string {
		return "vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  authentication {\n    auth_type PASS\n    auth_pass " + c + "\n  }\n}\n"
	}),
	cm("bind tsig key", "named.conf", false, func(c string) string {
		return "key \"transfer\" {\n  algorithm hmac-sha256;\n  secret \"" + c + "==\";\n};\n"
	}),
	cm("radius clients secret", "clients.conf", true, func(c string) string {
		return "client k8s {\n  ipaddr = 10.0.0.0/8\n  secret = " + c + "\n  shortname = k8s\n}\n"
	}),
	cm("snmpd community", "snmpd.conf", true, func(c string) string {
		return "sysLocation eu-west-1a\nrocommunity " + c + " 10.0.0.0/8\nagentAddress udp:161\n"
	}),
	cm("snmp exporter community", "snmp.yml", true, func(c string) string {
		return "auths:\n  prod_v2:\n    community: " + c + "\n    version: 2\n"
	}),
	cm("postfix static sasl map", "main.cf", true, func(c string) string {
		return "relayhost = [smtp.example.com]:587\nsmtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = static:shop:" + c + "\n"
	}),
	cm("proftpd sql connect", "sql.conf", true, func(c string) string {
		return "SQLBackend mysql\nSQLConnectInfo ftp@db:3306 proftpd " + c + "\nSQLAuthTypes Crypt\n"
	}),
	cm("stunnel psk file", "psk.txt", true, func(c string) string { return "client1:" + c + "\n" }),
)

var directiveHarmless = harmlessSection("directives",
	cmH("nginx.conf", "server {\n  listen 80;\n  if ($http_x_forwarded_proto != \"https\") {\n    return 301 https://$host$request_uri;\n  }\n  if ($request_method = OPTIONS) {\n    return 204;\n  }\n}\n"),
	cmH("auth.conf", "location /api/ {\n  if ($http_authorization = \"\") {\n    return 401;\n  }\n  proxy_pass http://api:8080;\n}\n"),
	cmH("token-format.conf", "location /hooks/ {\n  if ($http_x_token !~ \"^[A-Za-z0-9]{32}$\") {\n    return 403;\n  }\n}\n").because("a regular expression the token must match describes its format; it is not a token"),
	cmH("upgrade.conf", "map $http_upgrade $connection_upgrade {\n  default upgrade;\n  '' close;\n}\n"),
	cmH("haproxy.cfg", "frontend web\n  bind *:443 ssl crt /etc/haproxy/certs/\n  http-request set-header X-Forwarded-Proto https\n  acl is_api path_beg /api\n  use_backend api if is_api\nbackend api\n  balance roundrobin\n  server api1 api:8080 check\n"),
	cmH("redis.conf", "port 6379\nprotected-mode yes\naclfile /etc/redis/users.acl\ntls-port 6380\ntls-cert-file /tls/tls.crt\ntls-key-file /tls/tls.key\ntls-auth-clients optional\n"),
	cmH("sshd_config", "Port 22\nPermitRootLogin no\nPasswordAuthentication no\nPubkeyAuthentication yes\nAuthorizedKeysFile .ssh/authorized_keys\nKbdInteractiveAuthentication no\n"),
	cmH("postgresql.conf", "listen_addresses = '*'\nmax_connections = 200\npassword_encryption = scram-sha-256\nssl = on\nssl_cert_file = '/tls/tls.crt'\nssl_key_file = '/tls/tls.key'\n"),
	cmH("pg_hba.conf", "local all all peer\nhost all all 10.0.0.0/8 scram-sha-256\nhostssl replication replicator 10.0.0.0/8 scram-sha-256\n"),
	cmH("my.cnf", "[mysqld]\ndefault_authentication_plugin = mysql_native_password\nvalidate_password.policy = STRONG\nvalidate_password.length = 14\nrequire_secure_transport = ON\n"),
	cmH("keepalived.conf", "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 90\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n"),
	cmH("named.conf", "options {\n  directory \"/var/cache/bind\";\n  recursion no;\n  allow-transfer { key \"transfer\"; };\n};\ninclude \"/etc/bind/keys/transfer.key\";\n"),
	cmH("snmpd.conf", "sysLocation eu-west-1a\nrocommunity public localhost\nagentAddress udp:161\n").because("\"public\" is SNMP's well-known default community, the same everywhere"),
	cmH("squid.conf", "http_port 3128\nacl localnet src 10.0.0.0/8\nhttp_access allow localnet\ncache_peer upstream.example.com parent 3128 0 no-query login=PASSTHRU\n").because("login=PASSTHRU forwards the client's credentials; it holds none"),
	cmH("jaas.conf", "KafkaClient {\n  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true\n  keyTab=\"/etc/security/keytabs/kafka.keytab\"\n  principal=\"kafka/broker@EXAMPLE.COM\";\n};\n"),
	cmH("odbcinst.ini", "[PostgreSQL Unicode]\nDescription = PostgreSQL ODBC driver\nDriver = /usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so\nUsageCount = 1\n"),
	cmH("fluent.conf", "<source>\n  @type forward\n  port 24224\n</source>\n<match app.**>\n  @type elasticsearch\n  host es\n  user fluentd\n  password \"#{ENV['ES_PASSWORD']}\"\n  ssl_verify true\n</match>\n"),
	cmH("httpd.conf", "ServerName shop.example.com\nSSLEngine on\nSSLCertificateFile /etc/ssl/certs/shop.crt\nSSLCertificateKeyFile /etc/ssl/private/shop.key\nAuthType Basic\nAuthUserFile /etc/apache2/.htpasswd\n"),
	cmH("chrony.conf", "pool 2.debian.pool.ntp.org iburst\nkeyfile /etc/chrony/chrony.keys\ndriftfile /var/lib/chrony/chrony.drift\n"),
	cmH("rabbitmq.conf", "default_user = shop\nloopback_users.guest = false\ncluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s\ncluster_formation.k8s.host = kubernetes.default\ncluster_partition_handling = autoheal\nssl_options.cacertfile = /opt/rabbitmq/certs/ca_certificate.pem\n"),
	cmH("envoy.yaml", "static_resources:\n  listeners:\n  - name: http\n    address:\n      socket_address: {address: 0.0.0.0, port_value: 8080}\n    filter_chains:\n    - filters:\n      - name: envoy.filters.network.http_connection_manager\n        typed_config:\n          stat_prefix: ingress_http\n"),
	cmH("vm.args", "-name rabbit@rabbitmq-0.rabbitmq-headless.shop.svc.cluster.local\n+K true\n+A 128\n-kernel inet_dist_listen_min 25672\n"),
)
