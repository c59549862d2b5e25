package scrub

import (
	"regexp"
	"strings"
)

// referenceLastWords end keys that name a Secret or ConfigMap rather than hold a value:
// secretName, secret-ref, tokenSecretNamespace, credentials_kind.
var referenceLastWords = map[string]bool{
	"name": true, "names": true, "ref": true, "refs": true, "reference": true, "namespace": true,
	"kind": true, "selector": true,
}

// referenceQualifiers, before a last word "secret", make the key a reference by the conventions
// of the tools that use it: ingress-nginx's auth-secret, auth-tls-secret and proxy-ssl-secret,
// Helm charts' existingSecret, tls-secret and pull-secret flags. (client-secret, jwt-secret or
// session-secret hold the secret itself.)
var referenceQualifiers = map[string]bool{
	"auth": true, "tls": true, "ssl": true, "ca": true, "existing": true, "pull": true,
	"imagepull": true, "registry": true, "basic": true, "cert": true,
}

// referenceKey reports keys, flags and annotations whose value names a Secret (or a path to
// one) instead of holding it. Their values stay when they look like names (referenceValue).
func referenceKey(key string) bool {
	if referenceAnnotation(key) {
		return true
	}
	w := keyWords(key)
	if len(w) == 0 {
		return false
	}
	last := w[len(w)-1]
	switch {
	case referenceLastWords[last], w[0] == "existing":
		return true
	case last == "key" && len(w) >= 2 && w[len(w)-2] == "password":
		return true // Helm's adminPasswordKey: which key of a Secret holds the password
	case (last == "secret" || last == "secrets") && len(w) >= 2:
		return referenceQualifiers[w[len(w)-2]]
	}
	return false
}

// referenceAnnotations are annotation keys (by prefix) whose values are references: Stakater
// Reloader's lists of Secrets and ConfigMaps to watch, the Vault agent injector's secret paths,
// ingress controllers' auth Secrets, the Secrets Store CSI driver's class names.
var referenceAnnotations = []string{
	"secret.reloader.stakater.com/", "configmap.reloader.stakater.com/", "reloader.stakater.com/",
	"vault.hashicorp.com/agent-inject-secret-", "vault.hashicorp.com/role",
	"vault.hashicorp.com/secret-volume-path", "vault.hashicorp.com/agent-inject-token",
	"nginx.ingress.kubernetes.io/auth-secret", "nginx.ingress.kubernetes.io/auth-tls-secret",
	"nginx.ingress.kubernetes.io/proxy-ssl-secret", "traefik.ingress.kubernetes.io/auth-secret",
	"ingress.kubernetes.io/auth-secret", "secrets-store.csi.k8s.io/",
	"kubernetes.io/service-account.name", "external-secrets.io/",
}

func referenceAnnotation(key string) bool {
	for _, p := range referenceAnnotations {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// resourceRef matches a Kubernetes object name, namespace/name, a Vault-style path
// (database/creds/app) or a comma separated list of them, and the enum values some reference
// keys take (auth-secret-type: auth-file, kind: Config).
var resourceRef = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?(/[A-Za-z0-9_.-]+)*(\s*,\s*[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?(/[A-Za-z0-9_.-]+)*)*$`)

// referenceValue reports values that look like names of objects (or paths to them), not like
// credentials: names, not random-looking.
func referenceValue(v string) bool {
	t := strings.TrimSpace(v)
	if harmlessValue(t) {
		return true
	}
	if len(t) > 253*4 || !resourceRef.MatchString(t) {
		return false
	}
	for _, item := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == '/' || r == ' ' }) {
		if looksRandom(item) || (len(item) >= 20 && entropy(item) > 4) {
			return false
		}
	}
	return true
}
