package scrub

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// docNode is a parsed configuration file: mappings, sequences and scalars. Each scalar knows
// where its raw text lies in the source, so a replacement edits those bytes only and the file
// keeps its comments, order, quoting and layout.
type docNode struct {
	key   string     // the field's name in its parent mapping ("" in a sequence)
	kids  []*docNode // children of a mapping or sequence; nil for a scalar
	isMap bool
	leaf  bool

	value      string // a scalar's value, unquoted and unescaped
	start, end int    // a scalar's raw extent in the source
	// encode writes a new value in the scalar's own syntax (quoted, escaped, indented).
	encode func(v string) string
	// command marks a scalar that is a shell command line (its words are judged as argv).
	command bool
	// forced marks a scalar known to be a credential whatever its key (mysql -pX).
	forced bool
	// ref is the parser's own node, for formats that re-serialise when an edit in place fails.
	ref any
	// label marks a mapping named by a label rather than a key (HCL's path "secret/data/x" {}),
	// which names something and taints nothing; taint marks one whose values are all
	// credentials whatever its name says (CouchDB's [admins]).
	label, taint bool
}

func scalarNode(key, value string, start, end int, encode func(string) string) *docNode {
	return &docNode{key: key, leaf: true, value: value, start: start, end: end, encode: encode}
}

// docEdit replaces s[start:end] of the source with text, the encoding of the scalar's new value.
type docEdit struct {
	start, end int
	text       string
	node       *docNode
	value      string
}

// applyEdits returns s with the edits, which must not overlap, applied.
func applyEdits(s string, edits []docEdit) string {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	spans := make([]span, len(edits))
	for i, e := range edits {
		spans[i] = span{e.start, e.end, e.text}
	}
	return applySpans(s, spans)
}

// identityKeys, under a tainting parent, name who or where rather than the secret:
// credentials: {user: app, host: db, password: x} keeps user and host.
var identityKeys = map[string]bool{
	"user": true, "username": true, "login": true, "email": true, "host": true, "hostname": true,
	"port": true, "url": true, "endpoint": true, "region": true, "database": true, "db": true,
	"dbname": true, "schema": true, "tenant": true, "project": true, "realm": true, "domain": true,
}

// identityValue reports a tainted child that is an identity (user: app), not the secret.
func identityValue(key, v string) bool {
	return identityKeys[strings.ToLower(key)] && describedValue(v)
}

// nameKeys are sibling fields that name the setting a "value" sibling holds: {name: DB_PASSWORD,
// value: x}, <add key="Password" value="x"/>, <property><name>..</name><value>..</value>.
var nameKeys = map[string]bool{
	"name": true, "key": true, "id": true, "variable": true, "var": true, "param": true,
	"parameter": true, "property": true, "setting": true, "field": true, "env": true,
	"header": true, "option": true, "attribute": true,
}

// valueKeys are the siblings a sensitive name taints.
var valueKeys = map[string]bool{
	"value": true, "val": true, "default": true, "content": true, "data": true, "text": true,
	"#text": true, "secret": true,
}

// judge decides the new value of every scalar of the tree and returns the edits. A scalar is
// judged by its whole path: a sensitive parent taints its children (secrets: {stripe: x},
// passwords: [a, b]), a sibling naming a secret taints the value, and an untainted scalar is
// still searched for embedded credentials.
func (d *docScrubber) judge(root *docNode) []docEdit {
	var edits []docEdit
	var walk func(n *docNode, path []string, tainted bool)
	walk = func(n *docNode, path []string, tainted bool) {
		if n.leaf {
			if v, changed := d.scalar(n, path, tainted); changed {
				edits = append(edits, docEdit{n.start, n.end, n.encode(v), n, v})
			}
			return
		}
		if publicNode(n) {
			d.keepSubtree(n)
			return
		}
		siblingTaint := n.isMap && namesSecret(n)
		flag := flagDefinition(n)
		for _, k := range n.kids {
			p := path
			if k.key != "" {
				p = append(path[:len(path):len(path)], k.key)
			}
			if flag && !d.strict && k.leaf && flagBuckets[strings.ToLower(k.key)] {
				d.sc.keep(k.value)
				if strings.ToLower(k.key) != "key" && !harmlessAtom(k.value) {
					d.sc.doubt(d.pathName(p), UncertainKept, ReasonFlagBucketing)
				}
				continue
			}
			if k.leaf && jwkPrivate(n, k.key) && !harmlessValue(k.value) {
				v := d.sc.value(k.value, "jwk", k.key)
				edits = append(edits, docEdit{k.start, k.end, k.encode(v), k, v})
				continue
			}
			t := tainted || k.taint || (k.key != "" && !k.label && taints(k.key)) || (siblingTaint && valueKeys[strings.ToLower(k.key)])
			walk(k, p, t)
		}
	}
	walk(root, nil, d.tainted)
	return edits
}

// taints reports keys whose children are all sensitive: credentials, secrets, passwords, tokens.
// A key that names a reference (secretName, existingSecret) does not, nor one sensitive only by
// a last word that also names sections of settings (auth: {enabled, issuer, ...}, key: ...).
func taints(key string) bool {
	sensitive, _ := classifyKey(key)
	if !sensitive || referenceKey(key) {
		return false
	}
	w := stripEncoding(keyWords(key))
	switch w[len(w)-1] {
	case "auth", "authorization", "key":
		return len(w) > 1 && sensitiveWordList(w[:len(w)-1])
	}
	return true
}

// namesSecret reports a mapping with a name-like field whose value is a sensitive name.
func namesSecret(n *docNode) bool {
	for _, k := range n.kids {
		if k.leaf && nameKeys[strings.ToLower(k.key)] && IsSensitiveKey(k.value) {
			return true
		}
	}
	return false
}

// scalar judges one scalar: replaced whole when sensitive (by its own key or by taint), in Strict
// mode when not proven harmless, or when it is one random-looking token; else searched for
// embedded credentials (or, when it holds a document or a command line, scrubbed as one).
func (d *docScrubber) scalar(n *docNode, path []string, tainted bool) (string, bool) {
	v := n.value
	key := n.key
	if key == "" && len(path) > 0 {
		key = path[len(path)-1]
	}
	name := d.pathName(path)
	if name == "" {
		name = key
	}
	if d.keepPaths[name] {
		d.sc.keep(v)
		return v, false // kept by a keepPlain rule naming key#path
	}
	if n.key == "" && !n.forced && namesCredential(v) {
		return v, false // an item of a list of names: Compose's secrets: [db_password]
	}
	if (n.forced && !harmlessValue(v)) || d.sensitiveScalar(key, v, tainted) {
		if !n.forced && !d.strict && (connectionKey(key) || (len(path) > 1 && connectionKey(path[len(path)-2]))) {
			if out, ok := d.sc.connection(v); ok {
				return out, out != v // only the credential inside a connection string
			}
		}
		if user, pass, ok := userPassPair(key, v, d.strict); ok {
			return user + ":" + d.sc.value(pass, "kv", name), true
		}
		if out, ok := d.splitCredential(key, v, name, n.forced); ok {
			return out, true
		}
		return d.sc.value(v, "kv", name), true
	}
	if n.command {
		out := d.commandLine(v, name)
		return out, out != v
	}
	if d.strict && !strings.Contains(v, "\n") && !provenHarmless(v) && !d.keepsInside(name) {
		return d.sc.value(v, "strict", name), true // a setting's whole value, prose included
	}
	out := d.value(key, v, name)
	return out, out != v
}

// splitCredential replaces only the credential inside a sensitive value that carries more than
// its credential: an Authorization scheme (Basic <credential>), a reference with a default
// (${DB_PASSWORD:<default>}). What stays is no credential, so the passes after the parser keep it
// too. Strict mode and forced values are replaced whole.
func (d *docScrubber) splitCredential(key, v, name string, forced bool) (string, bool) {
	if forced || d.strict {
		return "", false
	}
	var out string
	if scheme, cred, ok := schemeCredential(key, v); ok {
		out = scheme + d.sc.value(cred, "kv", name)
	} else if prefix, def, ok := referenceDefault(v); ok {
		out = prefix + d.sc.value(def, "kv", name) + "}"
	} else {
		return "", false
	}
	d.sc.keep(out)
	return out, true
}

// pathName is the dotted path of a node of this document, from the outermost document: a
// document nested in a scalar has that scalar's path before its own (partner.ref for ref in
// the JSON under partner), as a report names it and a keepPlain rule's key#path keeps it.
func (d *docScrubber) pathName(path []string) string {
	name := strings.Join(path, ".")
	if d.prefix != "" && name != "" {
		return d.prefix + "." + name
	}
	return name
}

// keepsInside reports a keepPlain rule keeping a value inside the scalar at name (a document
// nested in it): Strict mode opens the scalar rather than replacing it whole.
func (d *docScrubber) keepsInside(name string) bool {
	for p := range d.keepPaths {
		if strings.HasPrefix(p, name+".") {
			return true
		}
	}
	return false
}

// value scrubs a value that is not sensitive as a whole: by its structure when it is a document
// of a known shape, else as plain text.
func (d *docScrubber) value(key, v, name string) string {
	t := strings.TrimSpace(v)
	if strings.Contains(t, "\n") || (len(t) > 1 && (t[0] == '{' || t[0] == '[')) {
		if out, ok := d.nested(key, name, v); ok {
			return out
		}
	}
	return d.plain(v, name)
}

// sensitiveScalar: the key says so (IsSensitive), or a tainting parent or sibling does, unless the
// value is empty, a boolean, a variable reference, a descriptive value under a qualified key, or
// a resource name under a reference key.
func (d *docScrubber) sensitiveScalar(key, v string, tainted bool) bool {
	if referenceKey(key) && referenceValue(v) {
		return false
	}
	if IsSensitive(key, v) {
		return true
	}
	if !tainted || taintExempt(key, v) {
		return false
	}
	_, qualified := classifyKey(key)
	w := keyWords(key)
	if (qualified || (len(w) > 0 && qualifierWords[w[len(w)-1]])) && (descriptiveValue(v) || describedValue(v)) {
		return false
	}
	return true
}

// plain scrubs text that is not a document: Strict mode replaces a one-line value unless proven
// harmless; a single random-looking token is replaced; any other text goes to the text scanner
// (and, in Strict mode, has its tokens judged one by one).
func (d *docScrubber) plain(v, name string) string {
	t := strings.TrimSpace(v)
	if d.strict && !strings.ContainsAny(t, "\n") && !strings.ContainsAny(t, " \t") && !provenHarmless(t) {
		return d.sc.value(v, "strict", name)
	}
	if d.publicValue(name, t) {
		d.sc.keep(v)
		return v
	}
	if out, ok := d.headerList(v, name); ok {
		return out
	}
	if out, ok := d.base64Payload(v, name); ok {
		return out
	}
	if privateDER(t) {
		return d.sc.value(v, "entropy", name)
	}
	if looksRandom(t) && !d.entropyExempt(name, t) {
		d.sc.doubt(name, UncertainReplaced, ReasonRandomOnly)
		return d.sc.value(v, "entropy", name)
	}
	if len(v) < 12 && !strings.ContainsAny(v, ":=/@ \t\n<>\"'") {
		return v // too short to embed a URL, a pair, a header or a token: most settings
	}
	out := d.sc.text(v)
	if d.strict {
		out = d.strictText(out, name)
	}
	return out
}

// strictText replaces, in Strict mode, every token of free text that is not proven harmless: a
// token is a run between blanks and quotes; a key=value or key:value token is judged by its value.
func (d *docScrubber) strictText(s, name string) string {
	var spans []span
	for i := 0; i < len(s); {
		if isStrictStop(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isStrictStop(s[j]) {
			j++
		}
		tok := strings.TrimRight(s[i:j], ";,")
		if strings.HasPrefix(tok, "-") && !strings.Contains(tok, "=") {
			i = j // a flag's name
			continue
		}
		vs := i
		if k := strings.IndexAny(tok, "="); k >= 0 && !strings.Contains(tok[:k], "/") {
			vs = i + k + 1
		}
		if v := s[vs : i+len(tok)]; v != "" && !provenHarmless(v) && !d.sc.generated[v] {
			spans = append(spans, span{vs, i + len(tok), d.sc.value(v, "strict", name, s[i:vs])})
		}
		i = j
	}
	return applySpans(s, spans)
}

func isStrictStop(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '`' ||
		c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '<' || c == '>'
}

// lastSegment is the last part of a dotted or slashed name: what a scalar is called.
func lastSegment(name string) string {
	return name[strings.LastIndexAny(name, "./")+1:]
}

// publicValue reports a value published by design: public key material (certificates, public
// keys as PEM or DER, SSH public keys, public JWKs), public client configuration (public DSNs,
// publishable keys), and a single token under a key that names a published value.
func (d *docScrubber) publicValue(name, t string) bool {
	if publicMaterial(t) || publicDER(t) {
		return true
	}
	if !d.strict && (publicClientValue(t) || publicBrowserKey(lastSegment(name), t)) {
		if !namesPublicKey(lastSegment(name)) {
			d.sc.doubt(name, UncertainKept, ReasonPublicByDesign)
		}
		return true
	}
	return false
}

// identifierWords, as a key's last word, name an identifier: cluster.id, KAFKA_CLUSTER_ID,
// OAUTH_CLIENT_ID, DEPLOYMENT_ID, IMAGE_DIGEST.
var identifierWords = map[string]bool{
	"id": true, "ids": true, "uuid": true, "guid": true, "ulid": true, "arn": true, "sha": true,
	"digest": true, "revision": true, "commit": true, "etag": true, "serial": true,
}

// entropyExempt reports a random-looking value that the key explains: an identifier (a KRaft
// cluster id is base64 of a UUID), or a value a qualified key describes (an alphabet under
// TOKEN_CHARSET). Rules and token prefixes still apply to it; only the randomness test does not.
func (d *docScrubber) entropyExempt(name, t string) bool {
	seg := lastSegment(name)
	w := keyWords(seg)
	if len(w) == 0 || hasTokenPrefix(t) {
		return false
	}
	sensitive, qualified := classifyKey(seg)
	switch {
	case sensitive:
		return false
	case identifierWords[w[len(w)-1]]:
		return true
	case qualified:
		return describedShape(t)
	}
	return false
}

// namesCredential reports a value that is the name of a credential (db_password, API_KEY): what
// Docker Compose and Kubernetes list under "secrets:", not a secret. A name is written in one
// case with separators, and one of its words names the credential.
func namesCredential(v string) bool {
	t := strings.TrimSpace(v)
	if len(t) > 253 || !secretName.MatchString(t) || !IsSensitiveKey(t) {
		return false
	}
	for _, w := range words(t) {
		if sensitiveWordList([]string{w}) {
			return true
		}
	}
	return false
}

// secretName: snake_case, kebab-case or SCREAMING_CASE, dots allowed.
var secretName = regexp.MustCompile(`^([a-z0-9]+([_.-][a-z0-9]+)*|[A-Z0-9]+([_.-][A-Z0-9]+)*)$`)

// harmlessURLValue reports a URL without credentials whose path and query are harmless: where a
// credentials file points, not the credential.
func harmlessURLValue(v string) bool {
	t := strings.TrimSpace(v)
	return strings.Contains(t, "://") && len(t) <= maxHarmless && harmlessURL(t)
}

// commandLike reports a command line of harmless words with a path or a flag among them (git's
// credential.helper "store --file /run/secrets/x", AWS's credential_process).
func commandLike(v string) bool {
	t := strings.TrimSpace(v)
	f := strings.Fields(t)
	if len(f) < 2 || len(t) > maxHarmless || strings.Contains(t, "\n") || !harmlessWords(t) {
		return false
	}
	for _, w := range f[1:] {
		if strings.HasPrefix(w, "-") || strings.Contains(w, "/") {
			return true
		}
	}
	return false
}

// taintExempt reports a value under a tainting parent (secrets:, [credential]) that is not the
// secret: a harmless or identity value, a reference, the name of a credential, a URL without
// credentials, a command line.
func taintExempt(key, v string) bool {
	return harmlessValue(v) || identityValue(key, v) || (referenceKey(key) && referenceValue(v)) || namesCredential(v) ||
		harmlessURLValue(v) || commandLike(v)
}

// headerPair: one name=value of a header list (OTEL_EXPORTER_OTLP_HEADERS).
var headerPair = regexp.MustCompile(`([A-Za-z0-9_.-]+)=([^,]*)`)

// headerList scrubs a list of headers written name=value,name=value under a key naming headers:
// exporters' credentials are headers named by their vendor (x-honeycomb-team), so a value is
// replaced when its name is sensitive or it looks random.
func (d *docScrubber) headerList(v, name string) (string, bool) {
	w := keyWords(lastSegment(name))
	if len(w) == 0 || (w[len(w)-1] != "headers" && w[len(w)-1] != "header") || !headerPair.MatchString(v) {
		return "", false
	}
	var spans []span
	for _, m := range headerPair.FindAllStringSubmatchIndex(v, -1) {
		hv := v[m[4]:m[5]]
		dec, err := url.QueryUnescape(hv)
		if err != nil {
			dec = hv
		}
		if (IsSensitive(v[m[2]:m[3]], dec) || looksRandom(strings.TrimRight(strings.TrimSpace(dec), "="))) && d.sc.fresh(hv) {
			spans = append(spans, span{m[4], m[5], d.sc.value(hv, "header", v[m[2]:m[3]])})
		}
	}
	return applySpans(v, spans), true
}

// namesPublicKey reports a key that names a public key (public_key, PublicKey, pubkey): its
// value is key material, public by what it is, not client configuration kept on judgment.
func namesPublicKey(key string) bool {
	w := keyWords(key)
	n := len(w)
	return (n == 1 && w[0] == "pubkey") || (n >= 2 && (w[n-1] == "key" || w[n-1] == "keys") && (w[n-2] == "public" || w[n-2] == "pub"))
}
