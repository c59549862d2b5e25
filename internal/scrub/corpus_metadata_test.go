package scrub

func label(name, key string, human bool, in func(c string) string) leakCase {
	return leakCase{name: name, where: "label", key: key, human: human, in: in}
}

func ann(name, key string, human bool, in func(c string) string) leakCase {
	return leakCase{name: name, where: "ann", key: key, human: human, in: in}
}

func labelH(key, value string) harmlessCase {
	return harmlessCase{where: "label", key: key, value: value}
}

func annH(key, value string) harmlessCase { return harmlessCase{where: "ann", key: key, value: value} }

const snippet = "nginx.ingress.kubernetes.io/configuration-snippet"

var metadataLeaks = section("metadata",
	label("label under a sensitive key", "api-token", false, func(c string) string { return c }),
	label("human label under a sensitive key", "webhook-secret", true, func(c string) string { return c }),
	label("random label under a harmless key", "build-ref", false, func(c string) string { return c }),
	label("vendor token in a label", "ci-bot", false, func(c string) string { return "glpat-" + c[:20] }),
	ann("snippet compares a header with a literal", snippet, true, func(c string) string {
		return "if ($http_x_api_key != \"" + c + "\") {\n  return 401;\n}\n"
	}),
	ann("snippet compares an argument", "nginx.ingress.kubernetes.io/server-snippet", true, func(c string) string {
		return "location /metrics {\n  if ($arg_token = \"" + c + "\") { set $allowed 1; }\n}\n"
	}),
	ann("snippet sets a basic header", snippet, true, func(c string) string {
		return "proxy_set_header Authorization \"Basic " + b64("svc:"+c) + "\";\n"
	}),
	ann("lua snippet compares a header", snippet, true, func(c string) string {
		return "access_by_lua_block {\n  if ngx.var.http_x_token ~= \"" + c + "\" then\n    return ngx.exit(403)\n  end\n}\n"
	}),
	ann("snippet maps api keys", "nginx.ingress.kubernetes.io/server-snippet", true, func(c string) string {
		return "set $partner \"\";\nif ($http_x_partner_key = \"" + c + "\") { set $partner \"acme\"; }\n"
	}),
	ann("haproxy ingress header", "haproxy.org/request-set-header", true, func(c string) string { return "X-Api-Key " + c }),
	ann("last-applied configuration with an env literal", "kubectl.kubernetes.io/last-applied-configuration", true, func(c string) string {
		return `{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"api","env":[{"name":"DB_PASSWORD","value":"` + c + `"}]}]}}}}`
	}),
	ann("traefik basic auth users", "traefik.ingress.kubernetes.io/auth-users", true, func(c string) string { return "admin:" + c }),
)

var metadataHarmless = harmlessSection("metadata",
	labelH("app.kubernetes.io/name", "api"),
	labelH("pod-template-hash", "7d4b9c8f6"),
	labelH("controller-revision-hash", "api-5f8d7c9b4"),
	labelH("helm.sh/chart", "postgresql-15.5.1"),
	labelH("app.kubernetes.io/version", "16.3.0"),
	labelH("git-sha", "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39"),
	labelH("tier", "backend"),
	labelH("security.istio.io/tlsMode", "istio"),
	labelH("token-rotation", "enabled"),
	labelH("secret-store", "vault"),
	labelH("statefulset.kubernetes.io/pod-name", "orders-db-0"),
	labelH("app.kubernetes.io/instance", "shop"),
	labelH("topology.kubernetes.io/zone", "eu-west-1a"),
	labelH("sidecar.istio.io/inject", "true"),
	labelH("auth-mode", "oidc"),
	labelH("batch.kubernetes.io/controller-uid", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
	annH(snippet, "more_set_headers \"X-Frame-Options: DENY\";\nmore_set_headers \"X-Content-Type-Options: nosniff\";\n"),
	annH(snippet, "if ($http_x_forwarded_proto != \"https\") {\n  return 301 https://$host$request_uri;\n}\n"),
	annH(snippet, "if ($http_x_api_key = \"\") {\n  return 401;\n}\n"),
	annH("nginx.ingress.kubernetes.io/server-snippet", "if ($request_method = OPTIONS) {\n  return 204;\n}\n"),
	annH("nginx.ingress.kubernetes.io/auth-url", "https://auth.example.com/oauth2/auth"),
	annH("nginx.ingress.kubernetes.io/auth-signin", "https://auth.example.com/oauth2/start?rd=$escaped_request_uri"),
	annH("nginx.ingress.kubernetes.io/auth-response-headers", "X-Auth-Request-User, X-Auth-Request-Email, Authorization"),
	annH("nginx.ingress.kubernetes.io/cors-allow-headers", "Authorization, X-Api-Key, Content-Type"),
	annH("nginx.ingress.kubernetes.io/whitelist-source-range", "10.0.0.0/8,192.168.0.0/16"),
	annH("cert-manager.io/cluster-issuer", "letsencrypt-prod"),
	annH("alb.ingress.kubernetes.io/certificate-arn", "arn:aws:acm:eu-west-1:123456789012:certificate/7c9e6679-7425-40de-944b-e07fc1f90ae7"),
	annH("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/shop-api"),
	annH("iam.gke.io/gcp-service-account", "api@shop-prod.iam.gserviceaccount.com"),
	annH("checksum/config", "3b5c0e1f2a4d6e8f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f"),
	annH("deployment.kubernetes.io/revision", "42"),
	annH("traefik.ingress.kubernetes.io/router.middlewares", "shop-basic-auth@kubernetescrd"),
	annH(snippet, "if ($http_x_token !~ \"^[A-Za-z0-9_-]{20,}$\") { return 403; }\n"),
	annH("haproxy.org/request-set-header", "X-Forwarded-Proto https"),
)
