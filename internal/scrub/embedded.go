package scrub

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
)

// scrubber replaces credentials embedded in free text (ConfigMap values, env values, args):
// private key PEM blocks, URL userinfo passwords (and token-like URL users), key=value /
// key: value / "key": "value" / --key value / <key>value</key> occurrences whose key is
// sensitive, Bearer and Basic credentials, JWTs, and self-identifying tokens (ghp_..., sk_live_...,
// xoxb-...). Each replacement is a Keyring value scoped by the scrubber's scope plus
// what identifies the occurrence (the inner key name, the URL's scheme, user and host), so it is
// stable across reconciles and unrelated edits of the surrounding text.
//
// The passes are heuristics tuned to fail closed: when the end of a value is unclear, more is
// replaced rather than less.
type scrubber struct {
	k     Keyring
	scope []string
	n     int             // replacements made
	pems  map[string]bool // private keys generated so far, squashed
}

func (sc *scrubber) scoped(parts ...string) []string {
	out := make([]string, 0, len(sc.scope)+len(parts))
	return append(append(out, sc.scope...), parts...)
}

// value returns the generated stand-in for orig: digits when orig is all digits (so a number in
// JSON or YAML stays a number), else a Value.
func (sc *scrubber) value(orig string, parts ...string) string {
	sc.n++
	scope := sc.scoped(parts...)
	if len(orig) <= 64 && allDigits(orig) {
		return sc.k.digits(len(orig), scope...)
	}
	return sc.k.Value(scope...)
}

// text runs every pass over s.
func (sc *scrubber) text(s string) string {
	s = sc.privateKeys(s)
	s = sc.urls(s)
	// Pairs and flags read the same text and their replacements are merged: a value either one
	// finds may run over a key the other needs ("pass: app --token 'x'", "--password \\
	// token: x"), and replacing one first would hide that key from the other.
	spans := append(sc.pairSpans(s), sc.flagSpans(s)...)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	s = applySpans(s, spans)
	s = sc.xmlElements(s)
	s = sc.bearers(s)
	s = sc.jwts(s)
	s = sc.knownTokens(s)
	return s
}

// span is a replacement of s[start:end].
type span struct {
	start, end int
	repl       string
}

// applySpans returns s with the spans, ordered by start, replaced. Overlapping spans are merged
// into the first (a value that swallowed the next key also swallows that key's value).
func applySpans(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp.start < last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	spans = merged
	var b strings.Builder
	b.Grow(len(s) + 32*len(spans))
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp.start])
		b.WriteString(sp.repl)
		at = sp.end
	}
	b.WriteString(s[at:])
	return b.String()
}

// --- private keys -------------------------------------------------------------------------------

// privateKeys replaces PEM private key blocks of any kind (PKCS#1, PKCS#8, EC, OpenSSH, PGP,
// encrypted) with a generated P-256 PKCS#8 key, keeping the block's indentation and newline style
// (real or JSON-escaped "\n"). A block without an END line is replaced to the end of the text.
func (sc *scrubber) privateKeys(s string) string {
	if !strings.Contains(s, "PRIVATE KEY") {
		return s
	}
	const begin = "-----BEGIN "
	var spans []span
	for i := 0; ; {
		p := strings.Index(s[i:], begin)
		if p < 0 {
			break
		}
		p += i
		labelStart := p + len(begin)
		q := strings.Index(s[labelStart:], "-----")
		if q < 0 {
			break
		}
		label := s[labelStart : labelStart+q]
		if !strings.Contains(label, "PRIVATE KEY") || strings.ContainsAny(label, "\r\n") {
			i = labelStart
			continue
		}
		body := labelStart + q + len("-----")
		end := len(s)
		endLine := "-----END " + label + "-----"
		if e := strings.Index(s[body:], endLine); e >= 0 {
			end = body + e + len(endLine)
		}
		sc.n++
		key := string(sc.k.PrivateKeyPEM(sc.scoped("pem", strconv.Itoa(len(spans)))...))
		if sc.pems == nil {
			sc.pems = map[string]bool{}
		}
		sc.pems[squash(key)] = true
		spans = append(spans, span{p, end, reflowPEM(key, s, p, end)})
		i = end
	}
	return applySpans(s, spans)
}

// reflowPEM lays out a generated PEM block like the block it replaces at s[start:end].
func reflowPEM(key, s string, start, end int) string {
	lines := strings.Split(strings.TrimRight(key, "\n"), "\n")
	old := s[start:end]
	switch {
	case strings.Contains(old, "\n"):
		ls := strings.LastIndexByte(s[:start], '\n') + 1
		indent := s[ls:start]
		if strings.Trim(indent, " \t") != "" {
			indent = ""
		}
		nl := "\n"
		if strings.Contains(old, "\r\n") {
			nl = "\r\n"
		}
		return strings.Join(lines, nl+indent)
	case strings.Contains(old, `\n`):
		return strings.Join(lines, `\n`)
	}
	return strings.Join(lines, " ")
}

// --- URLs ---------------------------------------------------------------------------------------

// urls replaces the password of scheme://user:password@host URLs, and a user part that looks like
// a token (https://TOKEN@host, as git remotes and some webhooks carry them).
func (sc *scrubber) urls(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var spans []span
	for i := 0; i < len(s); {
		p := strings.Index(s[i:], "://")
		if p < 0 {
			break
		}
		p += i
		a := p + len("://")
		i = a
		st := p
		for st > 0 && isSchemeChar(s[st-1]) {
			st--
		}
		for st < p && !isLetter(s[st]) {
			st++
		}
		scheme := s[st:p]
		// The URL ends at a stop byte; a userinfo never holds "://", so a following URL (a
		// comma list) ends this one too. Looking no further keeps the pass linear.
		e := a
		for e < len(s) && !isURLStop(s[e]) {
			if s[e] == ':' && strings.HasPrefix(s[e:], "://") {
				break
			}
			e++
		}
		tok := s[a:e]
		at := userinfoEnd(tok)
		if at < 0 {
			continue
		}
		userinfo := tok[:at]
		host := tok[at+1:]
		if h := strings.IndexAny(host, "/?#"); h >= 0 {
			host = host[:h]
		}
		if c := strings.IndexByte(userinfo, ':'); c >= 0 {
			user, pass := userinfo[:c], userinfo[c+1:]
			if !harmlessValue(pass) {
				spans = append(spans, span{a + c + 1, a + at, sc.value(pass, "url", scheme, user, host)})
			}
		} else if looksLikeToken(userinfo) {
			spans = append(spans, span{a, a + at, sc.value(userinfo, "url-user", scheme, host)})
		}
		i = a + at + 1
	}
	return applySpans(s, spans)
}

// userinfoEnd returns the index of the '@' ending the userinfo of tok (a URL after "://"), or -1.
// The usual case is an '@' before the first '/', '?' or '#'. A password may hold those characters
// unencoded ("u:ab/cd@host"); that is accepted when what precedes them is user:something other
// than a port, so "host:8080/path/a@b" keeps its path.
func userinfoEnd(tok string) int {
	p := strings.IndexAny(tok, "/?#")
	if p < 0 {
		p = len(tok)
	}
	if at := strings.LastIndexByte(tok[:p], '@'); at >= 0 {
		return at
	}
	c := strings.IndexByte(tok[:p], ':')
	if c < 0 || (p > c+1 && allDigits(tok[c+1:p])) {
		return -1
	}
	rest := tok[p:]
	at := strings.IndexByte(rest, '@')
	if at < 0 {
		return -1
	}
	if q := strings.IndexByte(rest[at:], '/'); q >= 0 {
		at = strings.LastIndexByte(rest[:at+q], '@')
	} else {
		at = strings.LastIndexByte(rest, '@')
	}
	return p + at
}

func isSchemeChar(c byte) bool { return isAlnum(c) || c == '+' || c == '.' || c == '-' }
func isLetter(c byte) bool     { return isUpper(c) || isLower(c) }

// isURLStop ends a URL: whitespace, quotes and angle brackets, as in prose, YAML, JSON and XML.
func isURLStop(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == 0x7f
}

// looksLikeToken: a user part of 16+ letters, digits, '_' or '-' with both letters and digits.
func looksLikeToken(u string) bool {
	if len(u) < 16 {
		return false
	}
	var letter, digit bool
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case isLetter(c):
			letter = true
		case isDigit(c):
			digit = true
		case c == '_' || c == '-':
		default:
			return false
		}
	}
	return letter && digit
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// --- key/value pairs ----------------------------------------------------------------------------

// pairs replaces the values of sensitive keys written as key=value, key = value, key: value,
// "key": "value", 'key' => 'value', export KEY=value, --key=value and -Dkey=value, in properties,
// .env, INI, YAML (including block scalars), JSON (also escaped inside a JSON string), query
// strings, connection strings and command lines.
func (sc *scrubber) pairs(s string) string { return applySpans(s, sc.pairSpans(s)) }

// pairSpans finds the replacements of pairs, in order.
func (sc *scrubber) pairSpans(s string) []span {
	if !strings.ContainsAny(s, "=:") {
		return nil
	}
	// Scanning continues inside replaced values, so pathological text ("password=password=...")
	// could cost quadratic time. Past a budget far above what real configuration needs, the rest
	// of the text is replaced whole: slow input must not stall the operator, nor leak.
	budget := 32*len(s) + 1<<16
	var spans []span
	lineStart := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			lineStart = i + 1
		}
		if s[i] != '=' && s[i] != ':' {
			continue
		}
		sp, next, cost, ok := sc.pairAt(s, i, lineStart)
		if budget -= cost; budget < 0 {
			spans = append(spans, span{i + 1, len(s), sc.value("", "overflow")})
			break
		}
		if !ok {
			continue
		}
		spans = append(spans, sp)
		for j := i + 1; j < next; j++ { // keep lineStart current over the skipped bytes
			if s[j] == '\n' {
				lineStart = j + 1
			}
		}
		i = next - 1
	}
	return spans
}

// pairAt recognises a sensitive pair whose separator is at s[i] (on the line starting at
// lineStart) and returns the replacement of its value, the index to continue scanning from, and
// how many bytes it examined.
func (sc *scrubber) pairAt(s string, i, lineStart int) (span, int, int, bool) {
	sepEnd, ok := separatorAt(s, i)
	if !ok {
		return span{}, 0, 1, false
	}
	k, ok := keyBefore(s, i, lineStart)
	if !ok {
		return span{}, 0, 1, false
	}
	cost := i - k.start + 1
	if s[i] == ':' && !k.quoted && sepEnd < len(s) && s[sepEnd] != ' ' && s[sepEnd] != '\t' &&
		s[sepEnd] != '\n' && s[sepEnd] != '\r' {
		// "host:5432", "image:tag", "http://": a colon is a YAML separator only before a blank,
		// unless the key is quoted as in JSON.
		return span{}, 0, cost, false
	}
	name := strings.TrimLeft(k.name, "-")
	if sensitive, qualified := classifyKey(name); !sensitive && !qualified {
		return span{}, 0, cost, false
	}
	v := skipBlanks(s, sepEnd)
	if v < len(s) && (s[v] == '{' || s[v] == '[') && flowMapping(s, v) {
		// "credentials": {"user": ..., "password": ...}: the pairs inside are scrubbed one by
		// one, keeping the structure.
		return span{}, 0, cost + flowScanLimit, false
	}
	ext := valueExtent(s, v, s[i] == ':', k)
	cost += ext.reach - i
	if ext.empty || !IsSensitive(name, s[ext.start:ext.end]) || sc.isGeneratedPEM(s[ext.start:ext.end]) {
		return span{}, 0, cost, false
	}
	repl := sc.value(s[ext.start:ext.end], "kv", name)
	// Scanning goes on inside the value: when a value was taken too long and swallowed the next
	// key, that key's value may reach past it, and applySpans merges the two.
	return span{ext.start, ext.end, repl}, max(ext.start, i+1), cost, true
}

// flowScanLimit bounds how far flowMapping looks for the end of a collection.
const flowScanLimit = 4096

// flowMapping reports whether the JSON object / YAML flow collection opening at s[v] holds key:
// value pairs (then its inner pairs are scrubbed one by one), rather than being a scalar that
// happens to start with a bracket, which is replaced whole. It looks at most flowScanLimit bytes
// ahead.
func flowMapping(s string, v int) bool {
	closer := byte('}')
	if s[v] == '[' {
		closer = ']'
	}
	end := min(len(s), v+flowScanLimit)
	depth := 0
	for j := v; j < end; j++ {
		switch s[j] {
		case s[v]:
			depth++
		case closer:
			depth--
			if depth == 0 {
				return strings.Contains(s[v:j], ":")
			}
		}
	}
	return strings.Contains(s[v:end], ":") // unclosed or long (multi-line JSON): judge by what follows
}

// isGeneratedPEM reports whether v is exactly a private key the privateKeys pass generated (as
// laid out in the text), which needs no second replacement.
func (sc *scrubber) isGeneratedPEM(v string) bool {
	if len(sc.pems) == 0 || !strings.Contains(v, "PRIVATE KEY") {
		return false
	}
	return sc.pems[squash(v)]
}

// squash drops whitespace and escaped newlines, so a PEM block compares equal however it is
// indented or escaped.
func squash(v string) string {
	v = strings.NewReplacer(`\n`, "", `\r`, "").Replace(v)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
}

// separatorAt checks that s[i] ('=' or ':') separates a key from a value, returning where the
// separator ends. It rejects ==, !=, <=, >=, ::, and :// ; it accepts =>.
func separatorAt(s string, i int) (int, bool) {
	prev := byte(0)
	if i > 0 {
		prev = s[i-1]
	}
	next := byte(0)
	if i+1 < len(s) {
		next = s[i+1]
	}
	if s[i] == '=' {
		if next == '=' || prev == '=' || prev == '!' || prev == '<' || prev == '>' {
			return 0, false
		}
		if next == '>' {
			return i + 2, true
		}
		return i + 1, true
	}
	if next == ':' || prev == ':' || strings.HasPrefix(s[i:], "://") {
		return 0, false
	}
	return i + 1, true
}

// pairKey is a key found before a separator.
type pairKey struct {
	name      string
	start     int  // index of the key, or of its opening quote
	quoted    bool // a quote stood between the key and the separator
	escaped   bool // the quote was \" (JSON inside a JSON string)
	lineStart bool // only blanks, "export", "set" or a YAML "-" precede it on its line
	column    int  // start - line start
	indent    int  // how far a block scalar's content must be indented: beyond this
}

// keyBefore reads the key ending before the separator at s[i], skipping blanks and a closing
// quote. lineStart is where the separator's line starts.
func keyBefore(s string, i, lineStart int) (pairKey, bool) {
	var k pairKey
	e := i
	for e > 0 && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	if e > 0 && (s[e-1] == '"' || s[e-1] == '\'') {
		k.quoted = true
		e--
		if e > 0 && s[e-1] == '\\' {
			k.escaped = true
			e--
		}
	}
	b := e
	for b > 0 && isKeyChar(s[b-1]) {
		b--
	}
	if b == e {
		return k, false
	}
	k.name = s[b:e]
	k.start = b
	if k.quoted && b > 0 && (s[b-1] == '"' || s[b-1] == '\'') {
		k.start = b - 1
		if k.escaped && k.start > 0 && s[k.start-1] == '\\' {
			k.start--
		}
	}
	ls := lineStart // keys hold no newline, so the key's line is the separator's
	k.column = k.start - ls
	switch strings.TrimSpace(s[ls:k.start]) {
	case "", "export", "set", "-":
		k.lineStart = !strings.HasPrefix(k.name, "-")
	}
	// YAML nests a block under its key's column; a key in the middle of a line (a script, a flow
	// collection) has no such column, so its line's indentation is used: more is replaced.
	k.indent = k.column
	if !k.lineStart {
		k.indent = len(s[ls:k.start]) - len(strings.TrimLeft(s[ls:k.start], " \t"))
	}
	return k, true
}

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// extent is where a value lies: s[start:end] is replaced; scanning continues at next.
type extent struct {
	start, end, next int
	empty            bool
	reach            int // the farthest byte examined, when beyond end and next
}

// valueExtent finds the value starting at s[v].
func valueExtent(s string, v int, yaml bool, k pairKey) extent {
	ext := findValue(s, v, yaml, k)
	ext.reach = max(ext.reach, ext.next, ext.end, v+1)
	return ext
}

func findValue(s string, v int, yaml bool, k pairKey) extent {
	if v >= len(s) {
		return extent{empty: true}
	}
	switch c := s[v]; {
	case c == '\\' && v+1 < len(s) && s[v+1] == '"':
		return escapedQuoted(s, v)
	case c == '"' || c == '\'':
		return quoted(s, v)
	case c == '\n' || c == '\r':
		if yaml {
			return nextLineScalar(s, v, k)
		}
		return extent{empty: true}
	case yaml && (c == '|' || c == '>') && blockHeader(s[v:lineEnd(s, v)]):
		return blockScalar(s, lineEnd(s, v), k.indent)
	case c == '$' && v+1 < len(s) && (s[v+1] == '(' || s[v+1] == '{'):
		if e := varRefEnd(s, v); e > 0 && (e == len(s) || isValueStop(s[e])) {
			return extent{start: v, end: e, next: e}
		}
	}
	if k.lineStart {
		return toLineEnd(s, v)
	}
	stop := isValueStop
	if yaml {
		// "Authorization: Bearer x" inside a quoted header, {password: a b}: a value after a
		// colon may hold blanks; it ends at a quote, a comma or a closing bracket.
		stop = isColonValueStop
	}
	e := v
	for e < len(s) && !stop(s[e]) {
		e++
	}
	for e > v && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	return extent{start: v, end: e, next: e, empty: e == v}
}

func isColonValueStop(c byte) bool {
	return c != ' ' && c != '\t' && isValueStop(c) && c != '&' && c != ')' && c != '<' && c != '>'
}

// quoted: a '...' or "..." value, with backslash escapes in "..." and doubled quotes in
// '...'. An unclosed quote runs to the end of the line.
func quoted(s string, v int) extent {
	q := s[v]
	for j := v + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '\\':
			j++
		case s[j] == q && q == '\'' && j+1 < len(s) && s[j+1] == '\'':
			j++
		case s[j] == q:
			return extent{start: v + 1, end: j, next: j + 1, empty: j == v+1}
		}
	}
	e := lineEnd(s, v)
	return extent{start: v + 1, end: e, next: e, empty: e <= v+1, reach: len(s)}
}

// escapedQuoted: a \"...\" value inside a JSON string.
func escapedQuoted(s string, v int) extent {
	j := strings.Index(s[v+2:], `\"`)
	if j < 0 {
		e := lineEnd(s, v)
		return extent{start: v + 2, end: e, next: e, empty: e <= v+2, reach: len(s)}
	}
	end := v + 2 + j
	return extent{start: v + 2, end: end, next: end + 2, empty: j == 0}
}

// toLineEnd: an unquoted value that owns the rest of its line (properties, .env, INI, YAML), minus
// trailing blanks and a JSON trailing comma.
func toLineEnd(s string, v int) extent {
	e := lineEnd(s, v)
	for e > v && (s[e-1] == ' ' || s[e-1] == '\t' || s[e-1] == '\r') {
		e--
	}
	if e > v && s[e-1] == ',' {
		e--
	}
	return extent{start: v, end: e, next: e, empty: e == v}
}

// isValueStop ends an unquoted value in the middle of a line: a blank, or a delimiter of query
// strings (&), connection strings (;), JSON/YAML flow collections, quotes and markup.
func isValueStop(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '&', ';', ',', '}', ']', ')', '"', '\'', '`', '<', '>':
		return true
	}
	return false
}

// varRefEnd returns the end of a $(NAME) or ${NAME} reference at s[v], or -1.
func varRefEnd(s string, v int) int {
	closer := byte(')')
	if s[v+1] == '{' {
		closer = '}'
	}
	for j := v + 2; j < len(s); j++ {
		if s[j] == closer {
			return j + 1
		}
		if !isKeyChar(s[j]) {
			return -1
		}
	}
	return -1
}

func lineEnd(s string, v int) int {
	if e := strings.IndexByte(s[v:], '\n'); e >= 0 {
		return v + e
	}
	return len(s)
}

// blockHeader: the rest of a YAML line after ':' that starts a block scalar ("|", ">-", "|2+",
// optionally followed by a comment).
func blockHeader(h string) bool {
	h = strings.TrimRight(h, " \t\r")
	if c := strings.Index(h, " #"); c >= 0 {
		h = strings.TrimRight(h[:c], " \t")
	}
	return strings.Trim(h[1:], "-+0123456789") == ""
}

// blockScalar: the lines after the header at s[nl] ('\n' or end) that are blank or indented more
// than the key. They are replaced by one line, keeping the first content line's indentation.
func blockScalar(s string, nl int, keyIndent int) extent {
	start, end, reach := -1, -1, nl
	indent := ""
	for ls := nl + 1; nl < len(s) && ls <= len(s); {
		le := lineEnd(s, ls)
		reach = le
		line := strings.TrimRight(s[ls:le], "\r")
		if strings.TrimSpace(line) != "" {
			ind := len(line) - len(strings.TrimLeft(line, " \t"))
			if ind <= keyIndent {
				break
			}
			if start < 0 {
				start, indent = ls, line[:ind]
			}
			end = ls + len(line)
		}
		if le >= len(s) {
			break
		}
		ls = le + 1
	}
	if start < 0 {
		return extent{empty: true, reach: reach}
	}
	return extent{start: start + len(indent), end: end, next: end, reach: reach}
}

// nextLineScalar: "key:" at the end of a line followed by a more indented value that is not a
// nested mapping or list, e.g. a long token folded onto the next line.
func nextLineScalar(s string, nl int, k pairKey) extent {
	ls := nl
	if s[ls] == '\r' {
		ls++
	}
	if ls >= len(s) || s[ls] != '\n' {
		return extent{empty: true}
	}
	ls++
	for ls < len(s) {
		le := lineEnd(s, ls)
		line := strings.TrimRight(s[ls:le], "\r")
		t := strings.TrimSpace(line)
		if t == "" {
			if le >= len(s) {
				break
			}
			ls = le + 1
			continue
		}
		ind := len(line) - len(strings.TrimLeft(line, " \t"))
		if ind <= k.indent || t[0] == '#' || t[0] == '-' || t[0] == '{' || t[0] == '[' ||
			strings.HasSuffix(t, ":") || strings.Contains(t, ": ") {
			return extent{empty: true, reach: le}
		}
		if t[0] == '"' || t[0] == '\'' {
			return quoted(s, ls+ind)
		}
		return blockScalar(s, nl+boolInt(s[nl] == '\r'), k.indent)
	}
	return extent{empty: true, reach: len(s)}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// --- --flag value -------------------------------------------------------------------------------

// flags replaces the value after a sensitive command-line flag written with a blank, as in
// "--password hunter2" or "-token 'a b'", also across a shell line continuation.
func (sc *scrubber) flags(s string) string { return applySpans(s, sc.flagSpans(s)) }

// flagSpans finds the replacements of flag values, in order.
func (sc *scrubber) flagSpans(s string) []span {
	if !strings.Contains(s, "-") {
		return nil
	}
	var spans []span
	for i := 0; i < len(s); i++ {
		if s[i] != '-' || (i > 0 && !isFlagLead(s[i-1])) {
			continue
		}
		j := i
		for j < len(s) && s[j] == '-' {
			j++
		}
		if j-i > 2 || j == len(s) || !isLetter(s[j]) {
			continue
		}
		k := j
		for k < len(s) && isKeyChar(s[k]) {
			k++
		}
		name := s[j:k]
		if sensitive, qualified := classifyKey(name); !sensitive && !qualified {
			i = k - 1
			continue
		}
		v := flagValueStart(s, k)
		if v < 0 {
			i = k - 1
			continue
		}
		ext := argExtent(s, v)
		if ext.empty || !IsSensitive(name, s[ext.start:ext.end]) {
			i = k - 1
			continue
		}
		spans = append(spans, span{ext.start, ext.end, sc.value(s[ext.start:ext.end], "flag", name)})
		i = ext.next - 1
	}
	return spans
}

// isFlagLead: what may precede a flag: a blank, a quote, or an opening bracket.
func isFlagLead(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '[' || c == '('
}

// flagValueStart returns where the value after a flag ending at s[k] begins, or -1 when the flag
// is not followed by blanks and a value (it has =value, ends the text, or another flag follows).
// The value may start with a dash, see looksLikeFlag.
func flagValueStart(s string, k int) int {
	if k >= len(s) || (s[k] != ' ' && s[k] != '\t') {
		return -1
	}
	v := skipBlanks(s, k)
	if strings.HasPrefix(s[v:], "\\\n") || strings.HasPrefix(s[v:], "\\\r\n") {
		v = skipBlanks(s, lineEnd(s, v)+1)
	}
	if v >= len(s) || s[v] == '\n' || s[v] == '\r' || s[v] == '\\' {
		return -1
	}
	e := v
	for e < len(s) && e < v+3 && s[e] != ' ' && s[e] != '\t' && s[e] != '\r' && s[e] != '\n' {
		e++ // three bytes tell "--x" and "-x " from a value
	}
	if looksLikeFlag(s[v:e]) {
		return -1
	}
	return v
}

// looksLikeFlag reports a word that is another flag rather than the previous flag's value: a long
// flag (--x) or a lone short one (-x). Anything else after a sensitive flag is taken for its
// value, even "-abc": a secret may start with a dash, and a false positive only costs a value.
func looksLikeFlag(w string) bool {
	return strings.HasPrefix(w, "--") || (len(w) == 2 && w[0] == '-' && isLetter(w[1]))
}

// argExtent: a shell word at s[v]: quoted, or up to a blank or shell operator.
func argExtent(s string, v int) extent {
	if s[v] == '"' || s[v] == '\'' {
		return quoted(s, v)
	}
	e := v
	for e < len(s) && !isArgStop(s[e]) {
		e++
	}
	return extent{start: v, end: e, next: e, empty: e == v}
}

func isArgStop(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ';', '|', '&', '"', '\'', '`', ')', ']', ',':
		return true
	}
	return false
}

// --- <key>value</key> ---------------------------------------------------------------------------

// xmlElements replaces the text of XML elements with sensitive names (<password>x</password>).
// Elements holding other elements are left to the inner ones.
func (sc *scrubber) xmlElements(s string) string {
	if !strings.Contains(s, "</") {
		return s
	}
	var spans []span
	closeAt := map[string]int{} // tag -> position of its next closing tag (-1: none left)
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(s) && (isKeyChar(s[j]) || s[j] == ':') {
			j++
		}
		if j == i+1 || j >= len(s) {
			continue
		}
		name := s[i+1 : j]
		gt := strings.IndexByte(s[j:], '>')
		if gt < 0 {
			break
		}
		gt += j
		if s[gt-1] == '/' || (j < gt && s[j] != ' ' && s[j] != '\t' && s[j] != '\n') {
			continue
		}
		if !IsSensitiveKey(localName(name)) {
			continue
		}
		c, known := closeAt[name]
		if !known || (c >= 0 && c <= gt) {
			// Search once per tag and position, not once per opening tag: "<password>" repeated
			// without a close would otherwise cost quadratic time.
			c = strings.Index(s[gt+1:], "</"+name)
			if c >= 0 {
				c += gt + 1
			}
			closeAt[name] = c
		}
		if c < 0 {
			continue
		}
		c -= gt + 1
		val := s[gt+1 : gt+1+c]
		if strings.Contains(val, "<") && !strings.HasPrefix(strings.TrimSpace(val), "<![CDATA[") {
			continue
		}
		if !IsSensitive(localName(name), val) {
			continue
		}
		spans = append(spans, span{gt + 1, gt + 1 + c, sc.value(val, "xml", name)})
		i = gt + c
	}
	return applySpans(s, spans)
}

func localName(n string) string {
	if c := strings.LastIndexByte(n, ':'); c >= 0 {
		return n[c+1:]
	}
	return n
}

// --- Bearer / Basic credentials and JWTs --------------------------------------------------------

// bearers replaces "Bearer <token>" tokens and "Basic <base64 of user:password>" credentials
// wherever they appear (headers embedded in config, curl commands).
func (sc *scrubber) bearers(s string) string {
	if !containsFold(s, "bearer") && !strings.Contains(s, "Basic") {
		return s
	}
	var spans []span
	for i := 0; i < len(s); i++ {
		var scheme string
		switch {
		case hasFoldPrefixAt(s, i, "bearer"):
			scheme = "bearer"
		case strings.HasPrefix(s[i:], "Basic"):
			scheme = "basic"
		default:
			continue
		}
		if i > 0 && isAlnum(s[i-1]) {
			continue
		}
		v := i + len(scheme)
		if v >= len(s) || (s[v] != ' ' && s[v] != '\t') {
			continue
		}
		v = skipBlanks(s, v)
		e := v
		for e < len(s) && isTokenChar(s[e]) {
			e++
		}
		tok := s[v:e]
		if len(tok) < 8 || harmlessValue(tok) {
			continue
		}
		var repl string
		if scheme == "basic" {
			dec, err := base64.StdEncoding.DecodeString(tok)
			if err != nil || !strings.Contains(string(dec), ":") {
				continue
			}
			sc.n++
			repl = base64.StdEncoding.EncodeToString([]byte("envmirror:" + sc.k.Value(sc.scoped("basic", strconv.Itoa(len(spans)))...)))
		} else {
			repl = sc.value(tok, "bearer", strconv.Itoa(len(spans)))
		}
		spans = append(spans, span{v, e, repl})
		i = e - 1
	}
	return applySpans(s, spans)
}

// hasFoldPrefixAt reports whether s[i:] starts with the lower-case ASCII p, ignoring ASCII case.
// (strings.ToLower could change byte offsets on non-ASCII text.)
func hasFoldPrefixAt(s string, i int, p string) bool {
	if len(s)-i < len(p) {
		return false
	}
	for j := 0; j < len(p); j++ {
		c := s[i+j]
		if isUpper(c) {
			c += 'a' - 'A'
		}
		if c != p[j] {
			return false
		}
	}
	return true
}

func containsFold(s, p string) bool {
	for i := 0; i+len(p) <= len(s); i++ {
		if hasFoldPrefixAt(s, i, p) {
			return true
		}
	}
	return false
}

// isTokenChar: RFC 6750 b64token characters.
func isTokenChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-._~+/=", c) >= 0
}

// jwts replaces JSON Web Tokens (three base64url segments, the first a JSON header "eyJ...").
func (sc *scrubber) jwts(s string) string {
	if !strings.Contains(s, "eyJ") {
		return s
	}
	var spans []span
	for i := 0; i < len(s); {
		p := strings.Index(s[i:], "eyJ")
		if p < 0 {
			break
		}
		p += i
		i = p + 3
		if p > 0 && isB64URL(s[p-1]) {
			continue
		}
		e, ok := jwtEnd(s, p)
		if !ok {
			continue
		}
		spans = append(spans, span{p, e, sc.value(s[p:e], "jwt", strconv.Itoa(len(spans)))})
		i = e
	}
	return applySpans(s, spans)
}

// jwtEnd returns the end of a JWT starting at s[p]: header (10+ chars) '.' payload (2+) '.'
// signature (possibly empty, for unsigned tokens).
func jwtEnd(s string, p int) (int, bool) {
	seg := func(j int) int {
		for j < len(s) && isB64URL(s[j]) {
			j++
		}
		return j
	}
	h := seg(p)
	if h-p < 10 || h >= len(s) || s[h] != '.' {
		return 0, false
	}
	b := seg(h + 1)
	if b-h-1 < 2 || b >= len(s) || s[b] != '.' {
		return 0, false
	}
	return seg(b + 1), true
}

func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// digits returns n decimal digits for scope (at least 1, at most 64): the stand-in for numeric
// secrets, so JSON and YAML numbers stay numbers.
func (k Keyring) digits(n int, scope ...string) string {
	n = min(max(n, 1), 64)
	var b strings.Builder
	for attempt := 0; b.Len() < n; attempt++ {
		for _, c := range k.mac("digits", attempt, scope) {
			if c < 250 && b.Len() < n { // 250 = 25*10: unbiased
				b.WriteByte('0' + c%10)
			}
		}
	}
	return b.String()
}

// sortedKeys returns the keys of m in order, for deterministic iteration.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tokenPrefixes start credentials that identify themselves, so they are found without a key:
// GitHub, GitLab, Slack, Stripe, Google, npm, PyPI, SendGrid, Shopify, DigitalOcean, Hugging Face.
var tokenPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xoxa-",
	"xoxr-", "xoxs-", "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_", "AIza",
	"npm_", "pypi-", "SG.", "shpat_", "shpss_", "dop_v1_", "hf_",
}

// minTokenBody is how many token characters must follow a prefix: "hf_" or "SG." in prose are
// not credentials.
const minTokenBody = 16

// knownTokens replaces the body of self-identifying credentials (keeping the prefix, which is not
// secret and tells the reader what the value stands for).
func (sc *scrubber) knownTokens(s string) string {
	var spans []span
	for _, p := range tokenPrefixes {
		for i := 0; ; {
			j := strings.Index(s[i:], p)
			if j < 0 {
				break
			}
			start := i + j
			i = start + len(p)
			if start > 0 && isKnownTokenChar(s[start-1]) {
				continue
			}
			e := i
			for e < len(s) && isKnownTokenChar(s[e]) {
				e++
			}
			if e-i < minTokenBody {
				continue
			}
			spans = append(spans, span{i, e, sc.value(s[i:e], "token", p)})
			i = e
		}
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
	return applySpans(s, spans)
}

func isKnownTokenChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }
