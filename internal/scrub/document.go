package scrub

import (
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
		siblingTaint := n.isMap && namesSecret(n)
		for _, k := range n.kids {
			p := path
			if k.key != "" {
				p = append(path[:len(path):len(path)], k.key)
			}
			t := tainted || (k.key != "" && taints(k.key)) || (siblingTaint && valueKeys[strings.ToLower(k.key)])
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
	w := words(key)
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
	name := strings.Join(path, ".")
	if name == "" {
		name = key
	}
	if (n.forced && !harmlessValue(v)) || d.sensitiveScalar(key, v, tainted) {
		return d.sc.value(v, "kv", name), true
	}
	if n.command {
		out := d.commandLine(v, name)
		return out, out != v
	}
	if d.strict && !strings.Contains(v, "\n") && !provenHarmless(v) {
		return d.sc.value(v, "strict", name), true // a setting's whole value, prose included
	}
	out := d.value(key, v, name)
	return out, out != v
}

// value scrubs a value that is not sensitive as a whole: by its structure when it is a document
// of a known shape, else as plain text.
func (d *docScrubber) value(key, v, name string) string {
	t := strings.TrimSpace(v)
	if strings.Contains(t, "\n") || (len(t) > 1 && (t[0] == '{' || t[0] == '[')) {
		if out, ok := d.nested(key, v); ok {
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
	if !tainted || harmlessValue(v) || identityValue(key, v) {
		return false
	}
	_, qualified := classifyKey(key)
	w := words(key)
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
	if looksRandom(t) {
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
