package scrub

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"regexp"
	"strings"
)

// Public material is never a secret, whatever its key says, and replacing it breaks the copy:
// certificates and public keys (TLS, token validation), SSH public keys (authorized_keys,
// known_hosts), JWK Sets with public members only, and client configuration published by design
// (public DSNs, publishable and browser keys).

// maxPublicMaterial bounds the documents examined as public key material (a CA bundle is large).
const maxPublicMaterial = 1 << 20

// publicMaterial reports text made only of public key material: PEM certificates and public
// keys, SSH public key lines (with authorized_keys options or known_hosts host patterns), or a
// JWK / JWK Set whose keys have no private member.
func publicMaterial(t string) bool {
	t = strings.TrimSpace(t)
	if t == "" || len(t) > maxPublicMaterial {
		return false
	}
	switch {
	case strings.HasPrefix(t, "-----BEGIN "):
		return parsedPublicPEM(t)
	case t[0] == '{':
		return publicJWKS(t)
	case t[0] == '#':
		return parsedPublicPEM(t) || sshPublicKeys(t)
	}
	return sshPublicKeys(t)
}

// parsedPublicPEM reports PEM text made only of certificates and public keys that parse as such
// (the armour alone proves nothing: a secret can be pasted between two certificate lines), with
// blank and comment lines between blocks as CA bundles have them.
func parsedPublicPEM(t string) bool {
	rest := []byte(t)
	n := 0
	for {
		rest = skipCommentLines(rest)
		if len(rest) == 0 {
			return n > 0
		}
		block, r := pem.Decode(rest)
		if block == nil || !publicBlock(block) {
			return false
		}
		rest, n = r, n+1
	}
}

func skipCommentLines(b []byte) []byte {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 || b[0] != '#' {
			return b
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		} else {
			return nil
		}
	}
}

func publicBlock(b *pem.Block) bool {
	if len(b.Headers) > 0 {
		return false
	}
	var err error
	switch b.Type {
	case "CERTIFICATE", "TRUSTED CERTIFICATE":
		_, err = x509.ParseCertificate(b.Bytes)
	case "PUBLIC KEY":
		_, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		_, err = x509.ParsePKCS1PublicKey(b.Bytes)
	case "X509 CRL":
		_, err = x509.ParseRevocationList(b.Bytes)
	default:
		return false
	}
	return err == nil
}

// sshKeyTypes are the algorithm names of SSH public keys and certificates.
var sshKeyTypes = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true, "ecdsa-sha2-nistp256": true,
	"ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true, "sk-ssh-ed25519@openssh.com": true,
	"sk-ecdsa-sha2-nistp256@openssh.com": true, "ssh-rsa-cert-v01@openssh.com": true,
	"ssh-ed25519-cert-v01@openssh.com": true, "ecdsa-sha2-nistp256-cert-v01@openssh.com": true,
}

// sshPublicKeys reports lines that are each a comment or an SSH public key: "[options|hosts] type
// base64 [comment]", the base64 blob starting with the same type name, as the wire format says.
func sshPublicKeys(t string) bool {
	if !strings.Contains(t, "ssh-") && !strings.Contains(t, "ecdsa-sha2-") {
		return false
	}
	n := 0
	for _, line := range strings.Split(t, "\n") {
		l := strings.TrimSpace(line)
		if l == "" || l[0] == '#' {
			continue
		}
		if !sshPublicKeyLine(l) {
			return false
		}
		n++
	}
	return n > 0
}

func sshPublicKeyLine(l string) bool {
	fields := quotedFields(l)
	for i := 0; i+1 < len(fields); i++ {
		if !sshKeyTypes[fields[i]] {
			continue
		}
		blob, err := base64.StdEncoding.DecodeString(fields[i+1])
		if err != nil || len(blob) < 4 {
			return false
		}
		n := binary.BigEndian.Uint32(blob)
		return uint64(n) <= uint64(len(blob)-4) && string(blob[4:4+n]) == fields[i]
	}
	return false
}

// quotedFields splits a line at blanks outside double quotes (authorized_keys options hold
// command="..." with blanks inside).
func quotedFields(l string) []string {
	var out []string
	start, inQuote := -1, false
	for i := 0; i <= len(l); i++ {
		if i == len(l) || (!inQuote && (l[i] == ' ' || l[i] == '\t')) {
			if start >= 0 {
				out = append(out, l[start:i])
			}
			start = -1
			continue
		}
		if l[i] == '"' {
			inQuote = !inQuote
		}
		if start < 0 {
			start = i
		}
	}
	return out
}

// privateJWKMembers are the members of a JWK that hold private or secret key material (RFC 7518).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// publicJWKS reports a JWK or JWK Set in which no key has a private member.
func publicJWKS(t string) bool {
	if !strings.Contains(t, `"kty"`) {
		return false
	}
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal([]byte(t), &set); err != nil {
		return false
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(t), &top); err != nil {
		return false
	}
	if set.Keys == nil {
		set.Keys = []map[string]json.RawMessage{top}
	} else if namesCredentialMember(top) {
		return false // a client's document that carries a key set beside its secret
	}
	for _, k := range set.Keys {
		if _, ok := k["kty"]; !ok || namesCredentialMember(k) {
			return false
		}
		for _, m := range privateJWKMembers {
			if _, ok := k[m]; ok {
				return false
			}
		}
	}
	return len(set.Keys) > 0
}

// namesCredentialMember reports a member whose name says it holds a credential: a JWK has none
// (its private members have one-letter names, see privateJWKMembers), so a "password" beside a
// "kty" makes the document something else.
func namesCredentialMember(m map[string]json.RawMessage) bool {
	for name := range m {
		if name != "keys" && IsSensitiveKey(name) {
			return true
		}
	}
	return false
}

// publicDER reports base64 text (standard or URL alphabet, one line) that decodes to a
// certificate or a public key: x5c entries, SAML metadata's X509Certificate.
func publicDER(t string) bool {
	der := decodeBase64Line(t)
	if len(der) < 64 || der[0] != 0x30 {
		return false
	}
	if _, err := x509.ParseCertificate(der); err == nil {
		return true
	}
	_, err := x509.ParsePKIXPublicKey(der)
	return err == nil
}

// privateDER reports base64 text that decodes to a private key (PKCS#8, PKCS#1 or SEC 1): a key
// stored without its PEM armour.
func privateDER(t string) bool {
	der := decodeBase64Line(t)
	if len(der) < 64 || der[0] != 0x30 {
		return false
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

// decodeBase64Line decodes a run of base64 (any alphabet, padded or not) made of at least 64
// characters, or returns nil.
func decodeBase64Line(t string) []byte {
	t = strings.TrimSpace(t)
	if len(t) < 64 || len(t) > maxPublicMaterial || strings.ContainsAny(t, " \t\r\n") {
		return nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(t); err == nil {
			return b
		}
	}
	return nil
}

// publicTokenShapes are credentials issued to be published: Stripe publishable keys, Mapbox
// public tokens, PostHog project keys, New Relic browser keys, Datadog client tokens.
var publicTokenShapes = regexp.MustCompile(`^(pk_(live|test)_[A-Za-z0-9]{16,}|pk\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|phc_[A-Za-z0-9]{20,}|NRJS-[0-9a-f]{19}|pub[0-9a-f]{32})$`)

// publicClientValue reports client configuration published by design: a token of a public
// shape, or a DSN whose user is a public key and which holds no secret key (Sentry's DSNs since
// 2019: browser SDKs embed them; a legacy DSN with public:secret@ is not public).
func publicClientValue(t string) bool {
	t = strings.TrimSpace(t)
	if len(t) > maxHarmless || len(t) < 20 {
		return false
	}
	switch t[0] {
	case 'p', 'N':
		return publicTokenShapes.MatchString(t)
	case 'h':
		return strings.Contains(t, "@") && publicDSN(t)
	}
	return false
}

var hex32Only = regexp.MustCompile(`^[0-9a-f]{32}$`)

// publicDSN: https://<32 hex>@host/<project number>, no password.
func publicDSN(t string) bool {
	u, err := url.Parse(t)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User == nil || u.RawQuery != "" {
		return false
	}
	if _, hasPassword := u.User.Password(); hasPassword || !hex32Only.MatchString(u.User.Username()) {
		return false
	}
	return allDigits(strings.Trim(u.Path, "/")) && dnsName.MatchString(u.Hostname())
}

// publicBrowserKey reports the value of a key that names public client configuration
// (publicName: NEXT_PUBLIC_FIREBASE_API_KEY, RECAPTCHA_SITE_KEY) when it is one token that does
// not identify itself as a secret (a sk_live_ key published by mistake is still replaced).
func publicBrowserKey(key, v string) bool {
	t := strings.TrimSpace(v)
	if t == "" || strings.ContainsAny(t, " \t\n") || len(t) > maxHarmless || !publicName(keyWords(key)) {
		return false
	}
	return !secretTokenPrefix(t) && !strings.Contains(t, "://") && !bytes.Contains([]byte(t), []byte("PRIVATE"))
}

// publicTokenPrefixes are the self-identifying prefixes of keys browsers may hold.
var publicTokenPrefixes = map[string]bool{"AIza": true}

// secretTokenPrefix reports a value starting with a self-identifying secret's prefix.
func secretTokenPrefix(t string) bool {
	for _, p := range tokenPrefixes {
		if !publicTokenPrefixes[p] && strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}
