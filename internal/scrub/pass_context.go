package scrub

import (
	"path"
	"regexp"
	"strings"
)

// contextLines catches, in text no parser accepted (a broken YAML file, a mixed .conf), what the
// structured passes judge by context:
//   - values under a sensitive YAML-style parent: "secrets:" then more indented "stripe: x" or
//     "- x" lines;
//   - a value whose sibling names a secret: "name: DB_PASSWORD" (or key=, "name": ...) followed
//     within its object by "value: x";
//   - directive lines: "requirepass x", "HTTP_Passwd x", "proxy_set_header X-Api-Key x;".
func (sc *scrubber) contextLines(s string) string {
	c := contextScan{sc: sc, s: s, taintIndent: -1}
	for _, l := range splitLines(s) {
		c.line(l)
	}
	return applySpans(s, c.spans)
}

// contextScan is contextLines' state across lines.
type contextScan struct {
	sc           *scrubber
	s            string
	spans        []span
	taintIndent  int    // indentation of the sensitive parent whose block we are in, or -1
	taintSection bool   // inside an INI/TOML [section] named like a secret
	braces       []bool // open "name {" blocks (HCL, nginx), each: does its name taint?
	namedSecret  int    // lines left in which a "value" sibling is tainted
}

// line reads one line. Each reading is tried only when the line holds the byte it needs, which
// keeps the regular expressions off most lines.
func (c *contextScan) line(l line) {
	s := c.s
	if i := skipBlanks(s, l.start); i < l.end && s[i] == '#' && !strings.HasPrefix(s[i:l.end], "#!") {
		l.start = skipBlanks(s, i+1) // a commented-out setting is still a setting
	}
	text := s[l.start:l.end]
	t := strings.TrimSpace(text)
	if t == "" {
		return
	}
	if t[0] == '[' {
		if m := sectionHeader.FindStringSubmatch(t); m != nil {
			c.taintSection = taints(m[1])
			return
		}
	}
	if c.braceLine(t) {
		return
	}
	if strings.ContainsAny(t, "{[") {
		c.spans = c.sc.flowTaint(c.spans, s, l, text)
	}
	if strings.IndexByte(t, '|') >= 0 {
		c.spans = c.sc.stdinPipe(c.spans, s, l, text)
	}
	if startsWithCommand(t) {
		c.spans = c.sc.commandLineCredentials(c.spans, s, l)
	}
	indent := len(text) - len(strings.TrimLeft(text, " \t"))
	if c.taintIndent >= 0 && indent <= c.taintIndent {
		c.taintIndent = -1
	}
	if strings.HasSuffix(strings.TrimRight(strings.SplitN(t, " #", 2)[0], " \t"), ":") {
		if m := blockKey.FindStringSubmatch(text); m != nil && taints(m[1]) {
			c.taintIndent, c.namedSecret = indent, 0
			return
		}
	}
	if strings.ContainsAny(t, ":=<") && hasNameWord(t) {
		c.sibling(l, text)
	}
	if vs, ve := credentialLine(s, l, t); vs >= 0 {
		c.spans = c.sc.contextSpan(c.spans, s, vs, ve, "line", "password")
		return
	}
	if c.taintIndent >= 0 || c.taintSection || c.namedSecret > 0 || c.braceTaint() {
		c.taintedValue(l, text)
	}
	if n := fieldCount(t, 5); n >= 2 && n <= 4 {
		if sv, se, name := directiveValue(s, l, text); sv >= 0 && IsSensitive(name, s[sv:se]) {
			c.spans = c.sc.contextSpan(c.spans, s, sv, se, "directive", name)
		}
	}
	if c.namedSecret > 0 {
		c.namedSecret--
	}
}

// blockOpen: a block's head on its own line, name and labels then "{" (HCL, nginx).
var blockOpen = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.-]*)(\s+"[^"]*")*\s*\{$`)

// braceLine follows "name {" blocks and their closing braces; it reports a line that only
// opens or closes one. A block whose name taints (tokens {, secrets {) taints the values inside
// it, as a YAML parent does, when no parser read the file (HCL 2 expressions, a broken file).
func (c *contextScan) braceLine(t string) bool {
	if t[len(t)-1] != '{' && t[0] != '}' {
		return false
	}
	if m := blockOpen.FindStringSubmatch(t); m != nil {
		c.braces = append(c.braces, taints(m[1]))
		return true
	}
	if strings.TrimRight(t, ";") == "}" && len(c.braces) > 0 {
		c.braces = c.braces[:len(c.braces)-1]
		return true
	}
	return false
}

func (c *contextScan) braceTaint() bool {
	for _, b := range c.braces {
		if b {
			return true
		}
	}
	return false
}

// sibling notes a field naming a secret, and replaces a value field beside it on the line.
func (c *contextScan) sibling(l line, text string) {
	sib := siblingName.FindStringSubmatch(text)
	if sib == nil || !IsSensitiveKey(sib[3]) {
		return
	}
	c.namedSecret = 3
	for _, m := range sameLineValue.FindAllStringSubmatchIndex(text, -1) {
		if g := firstGroup(m, 3); g >= 0 {
			c.spans = c.sc.contextSpan(c.spans, c.s, l.start+m[g], l.start+m[g+1], "sibling", sib[3])
		}
	}
}

// taintedValue replaces the value of a key: value or - value line in a tainted block or
// section, or the value field after a sibling naming a secret.
func (c *contextScan) taintedValue(l line, text string) {
	vs, ve, key := lineValue(c.s, l, text)
	switch {
	case vs < 0:
	case (c.taintIndent >= 0 || c.taintSection || c.braceTaint()) && !taintExempt(key, c.s[vs:ve]):
		c.spans = c.sc.contextSpan(c.spans, c.s, vs, ve, "block", key)
	case c.namedSecret > 0 && valueKeys[strings.ToLower(key)]:
		c.spans = c.sc.contextSpan(c.spans, c.s, vs, ve, "sibling", key)
		c.namedSecret = 0
	}
}

// hasNameWord is siblingName's cheap prefilter.
func hasNameWord(t string) bool {
	for _, w := range []string{"name", "key", "var", "param", "propert"} {
		if containsFold(t, w) {
			return true
		}
	}
	return false
}

// startsWithCommand reports a line whose first word is a known command, a wrapper or an
// assignment (PGPASSWORD=x psql).
func startsWithCommand(t string) bool {
	first := t
	if sp := strings.IndexAny(t, " \t"); sp >= 0 {
		first = t[:sp]
	}
	first = path.Base(first)
	_, known := knownCLIs[first]
	return known || wrappers[first] || isAssignment(first)
}

// fieldCount counts the blank-separated fields of t, up to limit.
func fieldCount(t string, limit int) int {
	n, in := 0, false
	for i := 0; i < len(t) && n < limit; i++ {
		blank := t[i] == ' ' || t[i] == '\t'
		if !blank && !in {
			n++
		}
		in = !blank
	}
	return n
}

func (sc *scrubber) contextSpan(spans []span, s string, vs, ve int, kind, key string) []span {
	v := s[vs:ve]
	if harmlessValue(v) || !sc.fresh(v) || (kind != "cli" && kind != "line" && identityValue(key, v)) {
		return spans
	}
	for _, sp := range spans {
		if vs < sp.end && sp.start < ve {
			return spans // already replaced by another reading of the line
		}
	}
	return append(spans, span{vs, ve, sc.value(v, "context", kind, key)})
}

// flowParent: a key whose value is a flow collection on the same line ("credentials": {...}).
var flowParent = regexp.MustCompile(`["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*([{\[])`)

// flowItem: a value in a flow mapping (after ':' or '=') or list (after '[' or ',').
var flowItem = regexp.MustCompile(`([:=\[,])\s*(?:"([^"]*)"|'([^']*)'|([^\s,;}\]"'{\[]+))`)

// flowTaint replaces the values of a flow collection on one line whose key taints them.
func (sc *scrubber) flowTaint(spans []span, s string, l line, text string) []span {
	for _, m := range flowParent.FindAllStringSubmatchIndex(text, -1) {
		if !taints(text[m[2]:m[3]]) {
			continue
		}
		open := m[4]
		end := matchingBracket(text, open)
		isList := text[open] == '['
		for _, it := range flowItem.FindAllStringSubmatchIndex(text[open:end], -1) {
			sep := text[open+it[2]]
			if (isList && sep != '[' && sep != ',') || (!isList && sep != ':' && sep != '=') {
				continue
			}
			key := text[m[2]:m[3]]
			if !isList {
				key = strings.Trim(lastWord(text[open:open+it[2]]), `"'{ `)
			}
			if g := firstGroup(it[2:], 3); g >= 0 {
				spans = sc.contextSpan(spans, s, l.start+open+it[2+g], l.start+open+it[3+g], "flow", key)
			}
		}
	}
	return spans
}

// stdinPipe: "echo x | docker login --password-stdin" (or | chpasswd) on one line feeds echo's
// arguments to a command that reads a credential.
func (sc *scrubber) stdinPipe(spans []span, s string, l line, text string) []span {
	bar := strings.IndexByte(text, '|')
	if bar < 0 || !readsPasswordFromStdin(strings.Fields(strings.TrimLeft(text[bar:], "| "))) {
		return spans
	}
	words := shellWords(s, l.start, l.start+bar)
	if len(words) < 2 || !(s[words[0].start:words[0].end] == "echo" || s[words[0].start:words[0].end] == "printf") {
		return spans
	}
	for _, w := range words[1:] {
		vs, ve := unquoteRange(s, w.start, w.end)
		if vs < ve && s[vs] != '-' && !strings.Contains(s[vs:ve], "$") {
			spans = sc.contextSpan(spans, s, vs, ve, "cli", "password")
		}
	}
	return spans
}

// lastWord returns the last blank- or comma-separated word of s.
func lastWord(s string) string {
	return s[strings.LastIndexAny(s, " \t,{")+1:]
}

// matchingBracket returns the index after the bracket closing the one at text[open], or the
// end of text.
func matchingBracket(text string, open int) int {
	closer := byte('}')
	if text[open] == '[' {
		closer = ']'
	}
	depth := 0
	for i := open; i < len(text); i++ {
		switch text[i] {
		case text[open]:
			depth++
		case closer:
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(text)
}

// commandLineCredentials applies what known commands take (commandCredentials) to a line that
// starts with one (startsWithCommand), when no shell parser has read it (a broken script).
func (sc *scrubber) commandLineCredentials(spans []span, s string, l line) []span {
	words := shellWords(s, l.start, l.end)
	if len(words) < 2 {
		return spans
	}
	argv := make([]string, len(words))
	literal := make([]bool, len(words))
	offs := make([]int, len(words))
	for i, w := range words {
		vs, ve := unquoteRange(s, w.start, w.end)
		argv[i], offs[i] = s[vs:ve], vs
		literal[i] = !strings.Contains(argv[i], "$")
	}
	for _, c := range commandCredentials(argv, literal) {
		spans = sc.contextSpan(spans, s, offs[c.index]+c.start, offs[c.index]+c.end, "cli", c.name)
	}
	return spans
}

var (
	// sectionHeader: an INI or TOML section, or a git-config subsection ([url "https://x/"]).
	sectionHeader = regexp.MustCompile(`^\[\[?\s*([A-Za-z0-9_. \-]+?)(\s+"[^"]*")?\s*\]?\]$`)
	// blockKey: "key:" alone on its line, the parent of a YAML block.
	blockKey = regexp.MustCompile(`^\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*:\s*(#.*)?$`)
	// siblingName: a name or key field whose value names a setting, also as an XML element.
	siblingName = regexp.MustCompile(`(?i)(?:["']?\b(name|key|variable|var|param|parameter|property)["']?\s*[:=]\s*["']?|<(name|key)>\s*)([A-Za-z0-9_.-]+)`)
	// xmlValueLine: <value>x</value> on its own line.
	xmlValueLine = regexp.MustCompile(`^\s*<(value|val|default)>([^<]*)</`)
	// keyValueLine: "- key: value", "key: value", "key=value", "\"key\": \"value\"".
	keyValueLine = regexp.MustCompile(`^\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$`)
	// listItem: "- value".
	listItem = regexp.MustCompile(`^\s*-\s+(.*?)\s*$`)
	// sameLineValue: a value field on the line of a sibling naming a secret ({"name": "API_TOKEN",
	// "value": "x"}, <add key="Password" value="x"/>), either order.
	sameLineValue = regexp.MustCompile(`(?i)(?:["']?\b(?:value|val|default|content|data)["']?\s*[:=]\s*|<value>)(?:"([^"]*)"|'([^']*)'|([^\s,;}\]"'<>]+))`)
)

// firstGroup returns the submatch index (into m) of the first of n groups that matched, or -1.
func firstGroup(m []int, n int) int {
	for g := 1; g <= n; g++ {
		if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
			return 2 * g
		}
	}
	return -1
}

// credentialLine recognises a line of a credentials file, an htpasswd "user:hash" line or a
// pgbouncer "user" "password" line, and returns where the secret lies.
func credentialLine(s string, l line, t string) (int, int) {
	switch {
	case strings.IndexByte(t, ':') < 0 && (t == "" || t[0] != '"'):
		return -1, -1 // neither shape: spare the expressions
	case htpasswdLine.MatchString(t):
		c := l.start + strings.IndexByte(s[l.start:l.end], ':') + 1
		_, e := trimmedRange(s, c, l.end)
		return c, e
	case userlistLine.MatchString(t):
		return userlistPassword(s, l)
	}
	return -1, -1
}

// lineValue returns where the value of a key: value (or - value) line lies, unquoted, and its key.
func lineValue(s string, l line, text string) (int, int, string) {
	key := ""
	var loc []int
	if m := xmlValueLine.FindStringSubmatchIndex(text); m != nil && m[4] < m[5] {
		key, loc = text[m[2]:m[3]], []int{m[4], m[5]}
	} else if m := keyValueLine.FindStringSubmatchIndex(text); m != nil && m[4] < m[5] {
		key, loc = text[m[2]:m[3]], []int{m[4], m[5]}
	} else if m := listItem.FindStringSubmatchIndex(text); m != nil && m[2] < m[3] {
		loc = []int{m[2], m[3]}
	} else {
		return -1, -1, ""
	}
	vs, ve := l.start+loc[0], l.start+loc[1]
	if c := strings.Index(s[vs:ve], " #"); c >= 0 {
		ve = vs + c
	}
	vs, ve = unquoteRange(s, vs, ve)
	if vs >= ve || s[vs] == '{' || s[vs] == '[' || s[vs] == '|' || s[vs] == '>' {
		return -1, -1, ""
	}
	return vs, ve, key
}

// directiveValue recognises "name value" and "directive name value" lines (two or three words,
// an optional ';'): the value of a sensitive name, or of a secret-holding directive.
func directiveValue(s string, l line, text string) (int, int, string) {
	words := shellWords(s, l.start, l.end)
	if n := len(words); n > 0 && s[words[n-1].start:words[n-1].end] == ";" {
		words = words[:n-1]
	}
	if len(words) < 2 || len(words) > 3 || !directiveName.MatchString(s[words[0].start:words[0].end]) {
		return -1, -1, ""
	}
	name := s[words[len(words)-2].start:words[len(words)-2].end]
	if len(words) == 2 && directiveSecrets[strings.ToLower(name)] {
		name = "password"
	}
	if !IsSensitiveKey(name) || strings.ContainsAny(name, "=:") || strings.HasPrefix(name, "-") {
		return -1, -1, "" // flags are the flag pass's
	}
	v := words[len(words)-1]
	if strings.Trim(s[v.start:v.end], "\\{}()[];") == "" {
		return -1, -1, "" // a line continuation or a block's brace, not a value
	}
	vs, ve := unquoteRange(s, v.start, v.end)
	return vs, ve, name
}
