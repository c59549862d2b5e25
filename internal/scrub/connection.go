package scrub

import (
	"net/url"
	"regexp"
	"strings"
)

// A key that names a connection string (ConnectionStrings, jdbc_connection_string, DSN, connstr)
// is sensitive because the string may hold a password, but the string is mostly where to connect:
// replacing it whole points the copy nowhere. Its value is judged for what it holds: a connection
// string without a credential is kept, and one with a credential keeps everything but the
// credential when the text scanner's replacements leave nothing secret (checked by reading what
// is left); otherwise it is replaced whole, as before.

// connectionWords name a connection string when they end a key's joined words.
var connectionWords = []string{"connectionstring", "connectionstrings", "connstr", "connectionurl", "connectionuri", "dsn"}

// connectionKey reports a key naming a connection string or a DSN, also with qualifiers after it
// (ConnectionStrings__Default, jdbc_connection_string).
func connectionKey(key string) bool {
	w := keyWords(key)
	for i := range w {
		joined := strings.Join(w[:i+1], "")
		for _, c := range connectionWords {
			if strings.HasSuffix(joined, c) {
				return true
			}
		}
	}
	return false
}

// connectionWithoutCredential reports a connection string that holds no credential: a URL
// (jdbc: prefixes dropped) without a password or a random user, secret query or random path, or
// a list of name=value pairs (ADO.NET, ODBC, libpq) none of which is a credential.
func connectionWithoutCredential(v string) bool {
	return connectionLeft(v, nil)
}

// connectionLeft reports a connection string whose only credentials are values in generated (the
// stand-ins the scrubber put there), or none.
func connectionLeft(v string, generated map[string]bool) bool {
	t := strings.TrimSpace(v)
	if t == "" || len(t) > maxHarmless || strings.ContainsAny(t, "\n\r") {
		return false
	}
	for strings.HasPrefix(strings.ToLower(t), "jdbc:") {
		t = t[len("jdbc:"):]
	}
	if strings.Contains(t, "://") {
		return urlLeft(t, generated)
	}
	return pairsLeft(t, generated)
}

// standIn reports a value that is empty, a reference, or one of the stand-ins.
func standIn(v string, generated map[string]bool) bool {
	return generated[v] || harmlessValue(v)
}

// urlLeft is connectionLeft for a URL.
func urlLeft(t string, generated map[string]bool) bool {
	u, err := url.Parse(t)
	if err != nil || u.Opaque != "" {
		return false
	}
	if u.User != nil {
		if p, set := u.User.Password(); set && !standIn(p, generated) {
			return false
		}
		if name := u.User.Username(); !generated[name] && (looksRandom(name) || (isHex(name) && len(name) >= 16) || hasTokenPrefix(name)) {
			return false // a key written as the user (Sentry's DSN, x-access-token)
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if !generated[seg] && (looksRandom(seg) || hasTokenPrefix(seg)) {
			return false
		}
	}
	for k, vs := range u.Query() {
		for _, qv := range vs {
			if (IsSensitiveKey(k) && !standIn(qv, generated)) || (!generated[qv] && (looksRandom(qv) || hasTokenPrefix(qv))) {
				return false
			}
		}
	}
	return u.Fragment == ""
}

// pairsLeft is connectionLeft for name=value pairs separated by ';' (ADO.NET, ODBC) or blanks
// (libpq). Text that is not such a list is not known to be free of credentials.
func pairsLeft(t string, generated map[string]bool) bool {
	sep := func(r rune) bool { return r == ';' }
	if !strings.Contains(t, ";") {
		sep = func(r rune) bool { return r == ' ' || r == '\t' }
	}
	n := 0
	for _, pair := range strings.FieldsFunc(t, sep) {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || strings.TrimSpace(name) == "" {
			return false
		}
		value = strings.Trim(strings.TrimSpace(value), `'"{}`)
		if IsSensitiveKey(name) && !standIn(value, generated) {
			return false
		}
		if !generated[value] && (looksRandom(value) || hasTokenPrefix(value)) {
			return false
		}
		n++
	}
	return n > 0
}

// connection replaces the credentials of a connection string in place, when the text scanner's
// replacements leave none: ok is false when something secret may be left, and the caller
// replaces the value whole.
// A string found free of secrets is kept from the passes that follow (the safety net after a
// parser would otherwise take it, under its tainting parent, for a credential whole).
func (sc *scrubber) connection(v string) (string, bool) {
	out := sc.text(v)
	if !connectionLeft(out, sc.generated) {
		return "", false
	}
	sc.keep(out)
	return out, true
}

// pairKeyWords, as a key's last word, name a user:password pair (haproxy's stats auth, Fluent
// Bit's Cloud_Auth, proxy-auth, basic-auth credentials): the user before the first colon is who
// logs in, not the secret.
var pairKeyWords = map[string]bool{"auth": true, "credentials": true, "creds": true, "userpass": true, "userinfo": true}

// pairUser: a user name as written before a password.
var pairUser = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// userPassPair splits the value of a key naming a user:password pair when the part before the
// first colon reads as a user name (not a random token or a URL's scheme). Strict mode replaces
// the pair whole.
func userPassPair(key, v string, strict bool) (user, pass string, ok bool) {
	w := stripEncoding(keyWords(key))
	if strict || len(w) == 0 || !pairKeyWords[w[len(w)-1]] || strings.Contains(v, "://") {
		return "", "", false
	}
	user, pass, ok = strings.Cut(v, ":")
	if !ok || pass == "" || !pairUser.MatchString(user) || looksRandom(user) || hasTokenPrefix(user) || (isHex(user) && len(user) >= 16) {
		return "", "", false
	}
	return user, pass, true
}

// schemeCredential splits an Authorization value into its scheme (Basic, Bearer, Token...), which
// the copy's clients and proxies need to keep, and the credential after it: one token. Only
// under a key naming the header: a password may begin with "Token ".
func schemeCredential(key, v string) (scheme, cred string, ok bool) {
	w := keyWords(key)
	if len(w) == 0 || (w[len(w)-1] != "authorization" && w[len(w)-1] != "auth") {
		return "", "", false
	}
	m := authScheme.FindStringIndex(v)
	if m == nil || m[1] == len(v) || strings.ContainsAny(v[m[1]:], " \t\n") {
		return "", "", false
	}
	return v[:m[1]], v[m[1]:], true
}
