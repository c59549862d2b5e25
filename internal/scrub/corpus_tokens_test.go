package scrub

import "crypto/sha256"

// ageKey is the body of an age secret key (58 characters of the bech32 alphabet) made from c.
func ageKey(c string) string {
	const alphabet = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
	sum := sha256.Sum256([]byte(c))
	b := make([]byte, 58)
	for i := range b {
		b[i] = alphabet[(int(sum[i%32])+i)%32]
	}
	return string(b)
}

var tokenLeaks = section("tokens",
	// Cookies and keys shared by the members of a cluster, named by their consumer.
	env("rabbitmq erlang cookie", "RABBITMQ_ERLANG_COOKIE", true, func(c string) string { return c }),
	cm("erlang cookie file", ".erlang.cookie", true, func(c string) string { return c }),
	cm("vm.args setcookie", "vm.args", true, func(c string) string { return "-name shop@127.0.0.1\n-setcookie " + c + "\n+K true\n" }),
	args("erl -setcookie", true, func(c string) []string { return []string{"erl", "-name", "node@host", "-setcookie", c, "-noshell"} }),
	env("elixir release cookie", "RELEASE_COOKIE", true, func(c string) string { return c }),
	env("couchdb erlang cookie", "COUCHDB_ERLANG_COOKIE", true, func(c string) string { return c }),
	cm("consul gossip key", "server.hcl", false, func(c string) string {
		return "server = true\nbootstrap_expect = 3\nencrypt = \"" + c + "Qk9bUqW0hGx7zYW=\"\n"
	}),
	args("consul -encrypt", false, func(c string) []string {
		return []string{"consul", "agent", "-server", "-encrypt=" + c + "Qk9bUqW0hGx7zYW=", "-data-dir=/consul/data"}
	}),
	cm("mongodb keyfile, wrapped", "mongodb-keyfile", false, func(c string) string {
		return c + c[:8] + "Zq0rT1uVw2xYz3AbCdEfGh4IjKlMnO5pQrStUv6WxYzAb7\n" + c[4:] + "Lm8NoPqRsTuVwXyZ9aBcDeFgHiJkLmNoPqRsTuVwXy0ZaBc\n"
	}),
	leakCase{name: "zabbix psk", where: "cm", key: "agent.psk", secret: hex32, in: func(c string) string { return hex32(c) + hex32(c+"z") + "\n" }},
	env("psk in env", "TLS_PSK", true, func(c string) string { return c }),
	// Agent and API tokens with a vendor prefix, where no key says so.
	args("tailscale authkey", false, func(c string) []string {
		return []string{"tailscale", "up", "--authkey=tskey-auth-k" + c[:10] + "CNTRL-" + c, "--hostname=api"}
	}),
	cm("docker hub pat in notes", "NOTES", false, func(c string) string {
		return "registry access for CI uses dckr_pat_" + c + c[:3] + " (rotate yearly)\n"
	}),
	leakCase{name: "buildkite token in a pipeline", where: "cm", key: "pipeline.yml", secret: func(c string) string { return hex32(c)[:20] }, in: func(c string) string {
		return "env:\n  ANALYTICS_TARGET: bkua_" + hex32(c)[:20] + hex32(c)[:20] + "\nsteps:\n  - command: make test\n"
	}},
	cm("render api key in prose", "runbook.md", false, func(c string) string { return "Deploy hooks call the API with rnd_" + c + c[:8] + ".\n" }),
	cm("posthog personal key", "analytics.txt", false, func(c string) string { return "export via phx_" + c + c[:19] + "\n" }),
	cm("gitlab runner token", "config.toml", false, func(c string) string {
		return "[[runners]]\n  name = \"k8s\"\n  url = \"https://gitlab.example.com\"\n  id = 42\n  token = \"glrt-" + c[:20] + "\"\n  executor = \"kubernetes\"\n"
	}),
	cm("grafana service account token", "grafana-api.txt", false, func(c string) string { return "provisioning uses glsa_" + c + c[:8] + "_" + hex32(c)[:8] + "\n" }),
	cm("sentry org token", "sentryclirc", false, func(c string) string {
		return "[auth]\ntoken=sntrys_" + b64(`{"iat":1700000000,"url":"https://sentry.io","org":"shop"}`) + "_" + c + c[:19] + "\n"
	}),
	env("anthropic key", "LLM_BACKEND", false, func(c string) string { return "sk-ant-api03-" + c + c + c + c[:21] + "-" + c[:6] + "AA" }),
	leakCase{name: "age secret key", where: "cm", key: "keys.txt", secret: ageKey, in: func(c string) string {
		return "# created: 2024-05-01\n# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\nAGE-SECRET-KEY-1" + ageKey(c) + "\n"
	}},
)

var tokenHarmless = harmlessSection("tokens",
	envH("RABBITMQ_ERLANG_COOKIE_FILE", "/var/lib/rabbitmq/.erlang.cookie"),
	envH("RELEASE_DISTRIBUTION", "name"),
	envH("RELEASE_NODE", "shop@10.0.1.12"),
	envH("MONGODB_KEYFILE_PATH", "/etc/mongo/keyfile"),
	cmH("mongod.conf", "security:\n  keyFile: /etc/mongo/keyfile\n  authorization: enabled\nreplication:\n  replSetName: rs0\n"),
	envH("ZBX_TLSPSKIDENTITY", "agent-prod-01"),
	envH("ZBX_TLSPSKFILE", "/var/lib/zabbix/enc/agent.psk"),
	envH("TLS_PSK_IDENTITY", "gateway-01"),
	envH("CONSUL_ENCRYPT", "true").because("a boolean: whether gossip is encrypted, not the gossip key"),
	envH("BUILDKITE_AGENT_TAGS", "queue=default,os=linux"),
	envH("TS_HOSTNAME", "api-gateway"),
	envH("TS_EXTRA_ARGS", "--advertise-tags=tag:k8s --accept-dns=false"),
	cmH("pipeline.yml", "env:\n  DOCKER_BUILDKIT: \"1\"\nsteps:\n  - label: test\n    command: make test\n    agents:\n      queue: default\n"),
	cmH("config.toml", "concurrent = 4\n[[runners]]\n  name = \"k8s\"\n  url = \"https://gitlab.example.com\"\n  token_obtained_at = 2024-05-01T12:00:00Z\n  token_expires_at = 0001-01-01T00:00:00Z\n  executor = \"kubernetes\"\n"),
	envH("GRAFANA_SA_NAME", "provisioner"),
	envH("SENTRY_ORG", "shop"),
	envH("SENTRY_PROJECT", "api"),
	cmH("sentryclirc", "[defaults]\nurl = https://sentry.io/\norg = shop\nproject = api\n"),
	envH("ETCD_INITIAL_CLUSTER_TOKEN", "etcd-cluster-prod").because("etcd's initial cluster token only tells clusters apart at bootstrap; etcd documents it as not secret"),
	cmH("etcd.conf.yml", "name: etcd-0\ninitial-cluster-token: etcd-cluster-prod\ninitial-cluster-state: new\nlisten-client-urls: https://0.0.0.0:2379\n").because("etcd's initial cluster token names the cluster; it is not a credential"),
	envH("ERLANG_COOKIE_CHECK", "false"),
	envH("CF_TUNNEL_NAME", "shop-prod"),
	envH("AGENT_TOKEN_PATH", "/var/run/secrets/tokens/agent"),
)
