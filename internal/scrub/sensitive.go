package scrub

import (
	"regexp"
	"strings"
)

// sensitiveFragments are matched anywhere in the key with separators and case removed, so
// "dbPassword", "DB_PASSWORD", "db.password" and "x-db-password" all match. They are long or
// specific enough that a match inside an unrelated word is rare, and a rare false positive only
// costs a generated value.
var sensitiveFragments = []string{
	"password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "privatekey",
	"credential", "connectionstring", "connstr", "accesskey", "kubeconfig", "dockerconfig",
	"htpasswd", "pgpass", "netrc", "npmrc", "pypirc", "keystore", "basicauth",
}

// sensitiveWords are matched only as whole words: as fragments they would hit "passenger",
// "bypass", "salty" or "swpw".
var sensitiveWords = map[string]bool{
	"pass": true, "pw": true, "dsn": true, "salt": true, "creds": true, "cred": true,
	"bearer": true, "sig": true, "signature": true, "otp": true, "totp": true, "pin": true,
}

// upstreamPass: nginx's proxy_pass, fastcgi_pass, ... name an upstream, not a password.
var upstreamPass = map[string]bool{"proxy": true, "fastcgi": true, "uwsgi": true, "grpc": true, "scgi": true, "memcached": true}

// encodingWords, as the last word, say how a value is stored, not what it is: client-key-data
// (a kubeconfig's private key) is as sensitive as client-key.
var encodingWords = map[string]bool{
	"data": true, "b64": true, "base64": true, "encoded": true, "value": true, "contents": true,
	"content": true, "raw": true, "str": true, "string": true, "text": true, "hex": true,
}

// sensitiveLastWords are matched only as the key's last word: "AUTH", "BASIC_AUTH", "API_KEY",
// "tls.key" and "server.pem" hold credentials, while "AUTH_URL", "KEY_PREFIX" or
// "AUTHORIZATION_SERVER" name something else. A last word that is a file extension of key
// material (pem, p12, pfx, jks) counts too.
var sensitiveLastWords = map[string]bool{
	"auth": true, "authorization": true, "key": true, "keys": true, "pem": true, "p12": true,
	"pfx": true, "jks": true, "private": true, "der": true,
}

// keyKinds, before a last word "key", name a database or data-structure key, not a credential:
// DYNAMODB_PARTITION_KEY, SORT_KEY, CACHE_KEY, ROUTING_KEY.
var keyKinds = map[string]bool{
	"partition": true, "sort": true, "primary": true, "foreign": true, "hash": true, "range": true,
	"cache": true, "routing": true, "shard": true, "idempotency": true, "lookup": true,
	"object": true, "row": true, "composite": true, "natural": true, "surrogate": true,
	"dedup": true, "dedupe": true, "group": true, "cluster": true, "translation": true,
	"i18n": true, "message": true, "label": true, "feature": true, "metric": true, "sequence": true,
	"index": true, "unique": true, "join": true, "s3": true,
}

// qualifierWords, as the last word of an otherwise sensitive key, say the value describes the
// credential rather than being it: TOKEN_TTL_SECONDS, PASSWORD_MIN_LENGTH, API_KEY_FILE,
// SECRET_PATH, OAUTH_TOKEN_URL, CSRF_TOKEN_HEADER, KEY_STORE_TYPE. Such keys are not sensitive
// by name; their values are still replaced unless proven harmless (a number, duration, boolean,
// path, URL without credentials, enum-like word: see IsSensitive), so a real secret stored
// under a misleading name is still caught.
var qualifierWords = map[string]bool{
	"ttl": true, "seconds": true, "secs": true, "sec": true, "ms": true, "millis": true,
	"minutes": true, "mins": true, "hours": true, "days": true, "timeout": true, "expiry": true,
	"expiration": true, "expires": true, "lifetime": true, "duration": true, "interval": true,
	"length": true, "len": true, "size": true, "bytes": true, "count": true, "limit": true,
	"max": true, "min": true, "enabled": true, "enable": true, "disabled": true, "disable": true,
	"required": true, "file": true, "path": true, "dir": true, "directory": true, "mount": true,
	"url": true, "uri": true, "endpoint": true, "header": true, "type": true, "format": true,
	"algorithm": true, "alg": true, "prefix": true, "suffix": true, "mode": true, "provider": true,
	"version": true, "method": true, "scheme": true, "strategy": true, "location": true,
	"rotation": true, "policy": true, "issuer": true, "audience": true, "scope": true,
	"scopes": true, "host": true, "port": true,
}

// describingWords anywhere in a key say its value describes a credential: checksum/secret,
// SECRET_DIGEST, CERT_FINGERPRINT (a digest is compared, not used to log in).
var describingWords = map[string]bool{
	"checksum": true, "digest": true, "sha256": true, "sha1": true, "sha512": true, "md5": true,
	"fingerprint": true,
}

// notSensitive are whole keys that match a fragment but are well-known non-secrets: the shell's
// working directory variables (a generated PWD would break every shell script in the copy).
var notSensitive = map[string]bool{"pwd": true, "oldpwd": true}

// IsSensitiveKey reports whether a key or env var name looks like it holds a secret. Matching is
// case-insensitive and works across separators (_ - . / space) and camelCase: password, passwd,
// passphrase, pwd, secret, token, apikey, private, credential, connection string, access key,
// kubeconfig and similar anywhere; pass, pw, dsn, salt, creds, bearer as whole words; auth,
// authorization, key, keys, pem, p12, pfx, jks as the last word.
//
// Keys whose last word qualifies an otherwise sensitive key (TOKEN_TTL_SECONDS,
// PASSWORD_MIN_LENGTH, API_KEY_FILE) are not sensitive by name; IsSensitive still replaces their
// values unless those look like numbers, durations, booleans or paths. PWD and OLDPWD are not
// sensitive.
func IsSensitiveKey(key string) bool {
	sensitive, _ := classifyKey(key)
	return sensitive
}

// IsSensitive reports whether the value under key must be replaced in the copy: the key is
// sensitive and the value is not an obvious non-secret (empty, a boolean or null, or a variable
// reference such as $(DB_PASSWORD) or ${DB_PASSWORD} that the runtime fills in), or the key is a
// qualified one (TOKEN_TTL_SECONDS) and the value does not look like a number, duration, boolean
// or path.
func IsSensitive(key, value string) bool {
	sensitive, qualified := classifyKey(key)
	switch {
	case sensitive:
		return !harmlessValue(value)
	case qualified:
		return !harmlessValue(value) && !descriptiveValue(value) && !describedValue(value) && !isHex(strings.TrimSpace(value))
	}
	return false
}

// classifyKey says whether key is sensitive by name, or sensitive but qualified by its last word.
func classifyKey(key string) (sensitive, qualified bool) {
	w := words(key)
	if len(w) == 0 {
		return false, false
	}
	if len(w) == 1 && notSensitive[w[0]] {
		return false, false
	}
	if stripped := stripEncoding(w); len(stripped) < len(w) {
		if s, q := classifyWords(stripped); s || q {
			return s, q
		}
	}
	return classifyWords(w)
}

// stripEncoding drops trailing encoding words (client-key-data -> client-key).
func stripEncoding(w []string) []string {
	for len(w) > 1 && encodingWords[w[len(w)-1]] {
		w = w[:len(w)-1]
	}
	return w
}

// classifyWords is classifyKey for a key split into words.
func classifyWords(w []string) (sensitive, qualified bool) {
	for _, x := range w {
		if describingWords[x] {
			return false, sensitiveWordList(w)
		}
	}
	if len(w) > 1 && qualifierWords[w[len(w)-1]] {
		// Strip every trailing qualifier: TOKEN_EXPIRY_SECONDS is still qualified.
		n := len(w)
		for n > 1 && qualifierWords[w[n-1]] {
			n--
		}
		if sensitiveWordList(w[:n]) {
			return false, true
		}
		return false, false
	}
	return sensitiveWordList(w), false
}

func sensitiveWordList(w []string) bool {
	last := w[len(w)-1]
	if (last == "key" || last == "keys") && len(w) > 1 && keyKinds[w[len(w)-2]] {
		return false
	}
	if sensitiveLastWords[last] {
		return true
	}
	for i, x := range w {
		if sensitiveWords[x] && !(x == "pass" && i > 0 && upstreamPass[w[i-1]]) {
			return true
		}
	}
	joined := strings.Join(w, "")
	for _, f := range sensitiveFragments {
		if strings.Contains(joined, f) {
			return true
		}
	}
	return false
}

// words splits a key into lower-case words at non-alphanumeric bytes and camelCase boundaries:
// "dbPassword" -> db password, "APIKey" -> api key, "oauth2Token" -> oauth2 token.
func words(key string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(key[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !isAlnum(c) {
			flush(i)
			continue
		}
		if start >= 0 && isUpper(c) {
			prev := key[i-1]
			nextLower := i+1 < len(key) && isLower(key[i+1])
			if isLower(prev) || isDigit(prev) || (isUpper(prev) && nextLower) {
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(key))
	return out
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isUpper(c) || isLower(c) || isDigit(c) }

// varRef matches a value that is only a reference the runtime resolves: Kubernetes' $(VAR),
// shell and Spring style ${VAR} / $VAR. A default (${VAR:-x}) is not matched: x may be a secret.
var varRef = regexp.MustCompile(`^(\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[A-Za-z_][A-Za-z0-9_.-]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$`)

// maxHarmless bounds the values harmlessValue and descriptiveValue accept (a reference, a number
// or a path is short), which also keeps their cost constant on huge values.
const maxHarmless = 1024

// harmlessValue reports values that hold no secret whatever their key says; replacing them would
// only break the copy (an empty REDIS_PASSWORD means "no auth", $(DB_PASSWORD) is filled in by
// the kubelet from a Secret that is itself scrubbed, ssl_certificate_key /etc/nginx/tls.key
// names the file that holds the key).
func harmlessValue(v string) bool {
	if len(v) > maxHarmless {
		return false
	}
	t := strings.TrimSpace(v)
	switch strings.ToLower(t) {
	case "", "true", "false", "null", "~", "none", "nil", "yes", "no", "on", "off", "enabled", "disabled":
		return true
	}
	return varRef.MatchString(t) || filePath.MatchString(t)
}

// filePath matches an absolute path of two or more segments: where a secret is, not a secret.
var filePath = regexp.MustCompile(`^(/[A-Za-z0-9._@-]+){2,}/?$`)

// descriptive matches numbers, durations, quantities, yes/no/on/off and absolute or ./ paths: what
// a TOKEN_TTL_SECONDS or PASSWORD_FILE holds.
var descriptive = regexp.MustCompile(`^(?i:[+-]?[0-9]+(\.[0-9]+)?([kmgtpe]i?|[kmgt]?b)?|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+|yes|no|on|off|enabled|disabled|(/|\./|\.\./|~/)[a-z0-9._/-]*)$`)

func descriptiveValue(v string) bool {
	if len(v) > maxHarmless {
		return false
	}
	return descriptive.MatchString(strings.TrimSpace(v))
}
