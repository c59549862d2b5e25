package scrub

import (
	"regexp"
	"slices"
	"strings"
	"sync"
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
	// Secrets named by their consumer, written as one word: Tailscale's TS_AUTHKEY, Honeycomb's
	// WRITEKEY, pre-shared keys, MongoDB's replica-set keyfile, erl's -setcookie.
	"authkey": true, "writekey": true, "ingestkey": true, "licensekey": true, "masterkey": true,
	"sharedkey": true, "signingkey": true, "hmackey": true, "hmac": true, "psk": true,
	"keyfile": true, "setcookie": true,
	// LDAP clients' bind passwords: nslcd's and pam_ldap's bindpw, slapd's rootpw, SSSD's
	// ldap_default_authtok.
	"bindpw": true, "rootpw": true, "authtok": true,
	// Redis' (and Valkey's, KeyDB's) password settings, as directives and as the flags
	// (redis-server --requirepass x) and keys that carry the same settings.
	"requirepass": true, "masterauth": true,
}

// sharedCookies: "cookie" is a credential when the members of a cluster share it (Erlang's
// distribution cookie: RABBITMQ_ERLANG_COOKIE, .erlang.cookie, RELEASE_COOKIE). Web cookie
// settings (SESSION_COOKIE_NAME, COOKIE_DOMAIN) stay harmless.
var sharedCookies = map[string]bool{"erlang": true, "release": true, "cluster": true, "node": true, "distribution": true, "magic": true}

// valueDecidedWords, as the last word, name settings that are a credential or a switch: Consul's
// "encrypt" (a gossip key, or true), SNMP's "community" (a password, or the default "public").
// Such keys are treated as qualified: their value is replaced unless it is described.
var valueDecidedWords = map[string]bool{"encrypt": true, "community": true}

// versionWords, trailing, number or date a key's variants: VAULT_UNSEAL_KEY_1,
// JWT_SIGNING_KEY_PREVIOUS, API_KEY_V2. The key is judged without them.
var versionWords = map[string]bool{
	"old": true, "new": true, "next": true, "prev": true, "previous": true, "current": true,
	"primary": true, "secondary": true, "backup": true, "legacy": true, "alt": true, "fallback": true,
}

// passwordWords name secrets a person chose, whose digest can be reversed by guessing: a
// password's hash is as sensitive as the password (PASSWORD_HASH, password_sha256_hex), while
// the checksum of a Secret or a certificate's hash is not.
var passwordWords = map[string]bool{
	"password": true, "passwd": true, "passphrase": true, "pass": true, "pwd": true, "pin": true,
	"pw": true,
}

// publicWords name values published by design: public and publishable keys, browser keys,
// reCAPTCHA site keys. publicPrefixes are the build tools' conventions for variables compiled into
// the JavaScript every visitor downloads (NEXT_PUBLIC_, REACT_APP_, VITE_, ...). A key naming a
// secret as well (NEXT_PUBLIC_STRIPE_SECRET_KEY) stays sensitive: publishing it was a mistake.
var (
	publicWords = map[string]bool{"public": true, "publishable": true, "pubkey": true, "truststore": true, "cacerts": true}
	// keyPublicWords name a published value only before a last word "key" (id_rsa.pub is a
	// file; PUB_SUB_TOKEN is not a public token): pub_key, BROWSER_API_KEY, RECAPTCHA_SITE_KEY.
	keyPublicWords = map[string]bool{"pub": true, "browser": true, "site": true, "trust": true}
	publicPrefixes = [][]string{{"next", "public"}, {"nuxt", "public"}, {"expo", "public"}, {"react", "app"}, {"vite"}, {"gatsby"}, {"public"}}
	secretWords    = map[string]bool{"secret": true, "password": true, "passwd": true, "private": true, "passphrase": true, "pwd": true}
)

// etcdClusterToken reports etcd's initial-cluster-token (ETCD_INITIAL_CLUSTER_TOKEN): named like a
// credential, documented as an identifier that only tells clusters apart at bootstrap.
func etcdClusterToken(w []string) bool {
	n := len(w)
	return n >= 3 && n <= 4 && w[n-1] == "token" && w[n-2] == "cluster" && w[n-3] == "initial" && (n == 3 || w[0] == "etcd")
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
	// Policies and parameters of credentials: PASSWORD_REGEX, password_encryption (a PostgreSQL
	// setting), PASSWORD_BCRYPT_ROUNDS, TOKEN_REFRESH_CRON, PASSWORD_HASHERS, DB_SECRET_ARN,
	// secret_key_cmd, id_token_signing_alg_values_supported.
	"encryption": true, "arn": true, "rounds": true, "iterations": true, "cost": true,
	"memory": true, "parallelism": true, "complexity": true, "history": true, "age": true,
	"pattern": true, "regex": true, "regexp": true, "schedule": true, "cron": true, "hasher": true,
	"hashers": true, "hashing": true, "charset": true, "alphabet": true, "identity": true,
	"window": true, "supported": true, "requirements": true, "strength": true, "params": true,
	"parameters": true, "uppercase": true, "lowercase": true, "digits": true, "symbols": true,
	"special": true, "command": true, "cmd": true, "methods": true, "lifespan": true, "lookup": true,
	// Where a credential is kept or which program provides it: credsStore, credHelpers,
	// credential_process, --password-stdin.
	"store": true, "stores": true, "helper": true, "helpers": true, "backend": true, "driver": true,
	"manager": true, "process": true, "engine": true, "stdin": true,
	// What implements, labels or checks a credential, named after it: RabbitMQ's
	// password_hashing_module, Grafana's password_hint, a form's password_field, a validator.
	"module": true, "modules": true, "plugin": true, "class": true, "handler": true,
	"validator": true, "validators": true, "hint": true, "prompt": true, "label": true,
	"placeholder": true, "field": true, "column": true,
}

// describingWords anywhere in a key say its value describes a credential: checksum/secret,
// SECRET_DIGEST, CERT_FINGERPRINT (a digest is compared, not used to log in).
var describingWords = map[string]bool{
	"checksum": true, "digest": true, "sha256": true, "sha1": true, "sha512": true, "md5": true,
	"fingerprint": true, "hash": true, // "hash": as the last word only
}

// notSensitive are whole keys that match a fragment but are well-known non-secrets: the shell's
// previous working directory. (PWD is the shell's working directory, or ODBC's password: its
// value decides, see classifyKey.)
var notSensitive = map[string]bool{"oldpwd": true}

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
		return !harmlessValue(value) && !(connectionKey(key) && connectionWithoutCredential(value))
	case qualified && valueDecidedKey(key):
		return !harmlessValue(value) && !settingWords(value)
	case qualified:
		return !harmlessValue(value) && !descriptiveValue(value) && !describedValue(value) && !isHex(strings.TrimSpace(value))
	case dataKeyName(key):
		return randomKeyValue(strings.TrimSpace(value))
	}
	return false
}

// valueDecidedKey reports a key that holds a credential or a setting, its value telling which
// (PWD, encrypt, community): the value is kept only when it reads as a setting (settingWords),
// which a password does not.
func valueDecidedKey(key string) bool {
	w := stripVersion(keyWords(key))
	return len(w) > 0 && (valueDecidedWords[w[len(w)-1]] || (len(w) == 1 && w[0] == "pwd") || authUsers(w))
}

// authUsers: a key listing the users of an authentication (Traefik's auth-users), whose entries
// may be user:password or only names.
func authUsers(w []string) bool {
	return len(w) > 1 && w[len(w)-1] == "users" && w[len(w)-2] == "auth"
}

// classifyKey says whether key is sensitive by name, or sensitive but qualified by its last word.
func classifyKey(key string) (sensitive, qualified bool) {
	keyClassCache.Lock()
	c, ok := keyClassCache.m[key]
	keyClassCache.Unlock()
	if ok {
		return c[0], c[1]
	}
	sensitive, qualified = classifyKeyWords(key)
	keyClassCache.Lock()
	if len(keyClassCache.m) >= maxKeyWordsCache {
		clear(keyClassCache.m)
	}
	keyClassCache.m[key] = [2]bool{sensitive, qualified}
	keyClassCache.Unlock()
	return sensitive, qualified
}

// keyClassCache remembers classifyKey's answers, as keyWordsCache remembers words.
var keyClassCache = struct {
	sync.Mutex
	m map[string][2]bool
}{m: map[string][2]bool{}}

// classifyKeyWords is classifyKey without its cache.
func classifyKeyWords(key string) (sensitive, qualified bool) {
	w := keyWords(key)
	if len(w) == 0 {
		return false, false
	}
	switch {
	case len(w) == 1 && notSensitive[w[0]], etcdClusterToken(w), publicName(w):
		return false, false
	case len(w) == 1 && w[0] == "pwd":
		return false, true // the shell's working directory (a path) or ODBC's password
	}
	if stripped := stripVersion(stripEncoding(w)); len(stripped) < len(w) {
		if s, q := classifyWords(stripped); s || q {
			return s, q
		}
	}
	return classifyWords(w)
}

// stripVersion drops trailing numbers and version words (API_KEY_2 -> API_KEY).
func stripVersion(w []string) []string {
	for len(w) > 1 {
		last := w[len(w)-1]
		if !allDigits(last) && !versionWords[last] && !(len(last) > 1 && last[0] == 'v' && allDigits(last[1:])) {
			break
		}
		w = w[:len(w)-1]
	}
	return w
}

// publicName reports a key that names a value published by design (see publicWords).
func publicName(w []string) bool {
	if len(w) == 0 {
		return false
	}
	public := false
	last := w[len(w)-1]
	for i, x := range w {
		if secretWords[x] {
			return false
		}
		public = public || publicWords[x] || (keyPublicWords[x] && (last == "key" || last == "keys" || i == len(w)-1))
	}
	for _, p := range publicPrefixes {
		if len(w) > len(p) && slices.Equal(w[:len(p)], p) {
			public = true
		}
	}
	return public
}

// stripEncoding drops trailing encoding words (client-key-data -> client-key) and the
// extension of a document's file name (token-format.conf -> token-format; tls.key and
// keystore.jks keep theirs, which name key material).
func stripEncoding(w []string) []string {
	for len(w) > 1 && (encodingWords[w[len(w)-1]] || documentExtensions[w[len(w)-1]]) {
		w = w[:len(w)-1]
	}
	return w
}

// documentExtensions are file extensions of configuration documents and scripts.
var documentExtensions = map[string]bool{
	"conf": true, "cfg": true, "ini": true, "yaml": true, "yml": true, "json": true, "toml": true,
	"xml": true, "properties": true, "env": true, "txt": true, "sh": true, "bash": true, "py": true,
	"rb": true, "js": true, "ts": true, "sql": true, "tpl": true, "ctmpl": true, "tmpl": true,
	"template": true, "hcl": true, "tf": true, "tfvars": true, "md": true, "csv": true, "lua": true,
}

// classifyWords is classifyKey for a key split into words.
func classifyWords(w []string) (sensitive, qualified bool) {
	for i, x := range w {
		// "hash" describes only as the last word: API_KEY_HASH is a digest, HASH_SALT a salt.
		if describingWords[x] && (x != "hash" || i == len(w)-1) {
			for _, y := range w {
				if passwordWords[y] {
					return true, false // a password's digest can be reversed by guessing
				}
			}
			return false, sensitiveWordList(w)
		}
	}
	if last := w[len(w)-1]; valueDecidedWords[last] || authUsers(w) {
		return false, true
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
	if last == "cookie" && len(w) > 1 && sharedCookies[w[len(w)-2]] {
		return true
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

// keyWordsCache remembers the words of keys: the same keys (env names, document paths) are
// classified many times per scrub. It is bounded, emptied when full, and guarded for the
// operator's concurrent reconciles; the words of a key never change, so it cannot go stale.
var keyWordsCache = struct {
	sync.Mutex
	m map[string][]string
}{m: map[string][]string{}}

const maxKeyWordsCache = 8192

// keyWords is words for keys, remembered. Callers must not modify the result.
func keyWords(key string) []string {
	keyWordsCache.Lock()
	w, ok := keyWordsCache.m[key]
	keyWordsCache.Unlock()
	if ok {
		return w
	}
	w = words(key)
	keyWordsCache.Lock()
	if len(keyWordsCache.m) >= maxKeyWordsCache {
		clear(keyWordsCache.m)
	}
	keyWordsCache.m[key] = w
	keyWordsCache.Unlock()
	return w
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
		return publicMaterial(v)
	}
	t := strings.TrimSpace(v)
	switch strings.ToLower(t) {
	case "", "true", "false", "null", "~", "none", "nil", "yes", "no", "on", "off", "enabled", "disabled":
		return true
	}
	switch {
	case t == "":
		return false
	case t[0] == '$' && varRef.MatchString(t), t[0] == '/' && filePath.MatchString(t):
		return true
	case strings.IndexByte(t, '/') > 0 && relativeFile.MatchString(t):
		return true
	case isDigit(t[0]) && timestamp.MatchString(t), len(t) <= 24 && algorithmName.MatchString(t):
		return true
	}
	return indirectValue(t) || publicClientValue(t) || publicMaterial(t)
}

// algorithmName matches the names of digests, ciphers, signature algorithms and SASL or password
// hashing mechanisms: what "auth SHA256" (OpenVPN) or a mechanism list holds, never a secret.
var algorithmName = regexp.MustCompile(`^(?i:(hmac-?)?(sha-?(1|224|256|384|512)|sha3-(256|384|512)|md5)|aes-?(128|192|256)(-(gcm|cbc|ctr|cfb|ofb))?|chacha20(-poly1305)?|(rs|es|ps|hs)(256|384|512)|ed(25519|448)|rsa|ecdsa|dsa|scram-sha-(1|256|512)|pbkdf2(-sha(1|256|512))?|bcrypt|scrypt|argon2(id|i|d)?|cram-md5|digest-md5|gssapi|oauthbearer)$`)

// timestamp matches a date or an RFC 3339 time: when something happened is no secret.
var timestamp = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$`)

// filePath matches an absolute path of two or more segments: where a secret is, not a secret.
var filePath = regexp.MustCompile(`^(/[A-Za-z0-9._@-]+){2,}/?$`)

// relativeFile matches a relative path of two or more segments ending in a file name with a
// well-known extension (prod/terraform.tfstate, certs/server.key): a file, not its content.
var relativeFile = regexp.MustCompile(`^(\.{0,2}/)?([A-Za-z0-9_-][A-Za-z0-9_.-]*/)+[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(tfstate|json|ya?ml|toml|ini|conf|cfg|pem|crt|cer|key|p12|pfx|jks|txt|env|properties|xml|sql|sh|csv|db|sqlite|log|keytab|asc|gpg|pub)$`)

// descriptive matches numbers, durations, quantities, yes/no/on/off and absolute or ./ paths: what
// a TOKEN_TTL_SECONDS or PASSWORD_FILE holds.
var descriptive = regexp.MustCompile(`^(?i:[+-]?[0-9]+(\.[0-9]+)?([kmgtpe]i?|[kmgt]?b)?|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+|yes|no|on|off|enabled|disabled|(/|\./|\.\./|~/)[a-z0-9._/-]*)$`)

func descriptiveValue(v string) bool {
	if len(v) > maxHarmless {
		return false
	}
	return descriptive.MatchString(strings.TrimSpace(v))
}

// settingWord: a word of one case, parts joined by '.', '_' or '-', at most three digits at the
// end (public, required, AES256, read-only).
var settingWord = regexp.MustCompile(`^([a-z]+([._-][a-z]+)*|[A-Z]+([._-][A-Z]+)*)[0-9]{0,3}$`)

// settingWords reports a value that reads as a setting rather than a password: a comma or blank
// separated list of numbers, durations, paths, URLs without credentials, host names and
// settingWord words.
func settingWords(v string) bool {
	items := strings.FieldsFunc(strings.TrimSpace(v), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	for _, it := range items {
		switch {
		case settingWord.MatchString(it) && plausibleWords(strings.TrimRight(it, "0123456789")):
		case descriptiveValue(it), numberLike.MatchString(it), dnsName.MatchString(it), harmlessValue(it):
		case strings.Contains(it, "://") && harmlessURL(it):
		default:
			return false
		}
	}
	return len(items) > 0
}
