package scrub

import (
	"strconv"
	"strings"
)

// pairSpans finds, in order, the replacements of the values of sensitive keys written as
// key=value, key = value, key: value, "key": "value", 'key' => 'value', export KEY=value,
// --key=value and -Dkey=value, in properties, .env, INI, YAML (including block scalars), JSON (also
// escaped inside a JSON string), query strings, connection strings and command lines.
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
	if s[i] == ':' && !k.quoted && !k.lineStart && sepEnd < len(s) && s[sepEnd] != ' ' && s[sepEnd] != '\t' &&
		s[sepEnd] != '\n' && s[sepEnd] != '\r' {
		// "host:5432", "image:tag", "http://": a colon is a YAML separator only before a blank,
		// unless the key is quoted as in JSON, or starts its line as in Java properties
		// (db.password:x).
		return span{}, 0, cost, false
	}
	name := strings.TrimLeft(k.name, "-")
	if sensitive, qualified := classifyKey(name); !sensitive && !qualified {
		if jaasUser(name) && strings.Contains(s, "LoginModule") {
			name = "password" // a JAAS login module's user_<name>="<password>"
		} else if loginKeys[strings.ToLower(name)] {
			return sc.loginPair(s, i, sepEnd, k, cost)
		} else {
			return span{}, 0, cost, false
		}
	}
	v := skipBlanks(s, sepEnd)
	if v < len(s) && (s[v] == '{' || s[v] == '[') && flowMapping(s, v) {
		// "credentials": {"user": ..., "password": ...}: the pairs inside are scrubbed one by
		// one, keeping the structure.
		return span{}, 0, cost + flowScanLimit, false
	}
	if n := envLookupAt(s[v:]); n > 0 || strings.HasPrefix(s[v:], "{{") {
		return span{}, 0, cost + n, false // os.environ['X'], {{ .Data.password }}: filled in elsewhere
	}
	if v < len(s) && s[v] == '[' {
		if sp, next, ok := sc.listItems(s, v, name); ok {
			return sp, next, cost + next - i, len(sp.repl) > 0 || sp.end > sp.start
		}
	}
	ext := valueExtent(s, v, s[i] == ':', k)
	cost += ext.reach - i
	if v := s[ext.start:ext.end]; ext.empty || !IsSensitive(name, v) || !sc.fresh(v) || (referenceKey(name) && referenceValue(v)) ||
		namesSibling(s, name, v, lineStart) {
		return span{}, 0, cost, false
	}
	repl := sc.value(s[ext.start:ext.end], "kv", name)
	// Scanning goes on inside the value: when a value was taken too long and swallowed the next
	// key, that key's value may reach past it, and applySpans merges the two.
	return span{ext.start, ext.end, repl}, max(ext.start, i+1), cost, true
}

// namesSibling reports a key="Password" or name: DB_PASSWORD field that names the setting a value
// field on the same line holds (<add key="Password" value="x"/>): a name, not a secret.
func namesSibling(s, name, v string, lineStart int) bool {
	if !nameKeys[strings.ToLower(name)] || !enumWord.MatchString(v) || looksRandom(v) {
		return false
	}
	return sameLineValue.MatchString(s[lineStart:lineEnd(s, lineStart)])
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
	if e > 1 && s[e-1] == ']' && (s[e-2] == '"' || s[e-2] == '\'') {
		e-- // $config['password'] = ..., os.environ["API_TOKEN"] = ...
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

// jaasUser: JAAS login modules (Kafka's PlainLoginModule, ZooKeeper's DigestLoginModule) define
// users as user_<name>="<password>".
func jaasUser(name string) bool { return strings.HasPrefix(name, "user_") && len(name) > len("user_") }

// loginKeys hold "user:password" in one value (Squid's cache_peer login=, curl's userpwd).
var loginKeys = map[string]bool{"login": true, "userpwd": true, "userpass": true, "user_pass": true, "userinfo": true}

// loginPair replaces what follows the colon of a user:password value under a login key.
func (sc *scrubber) loginPair(s string, i, sepEnd int, k pairKey, cost int) (span, int, int, bool) {
	ext := valueExtent(s, skipBlanks(s, sepEnd), s[i] == ':', k)
	cost += ext.reach - i
	v := s[ext.start:ext.end]
	c := strings.IndexByte(v, ':')
	if ext.empty || c <= 0 || c == len(v)-1 || allDigits(v[c+1:]) || strings.Contains(v, "://") {
		return span{}, 0, cost, false
	}
	pw := v[c+1:]
	if harmlessValue(pw) || !sc.fresh(pw) {
		return span{}, 0, cost, false
	}
	return span{ext.start + c + 1, ext.end, sc.value(pw, "kv", "login")}, max(ext.start, i+1), cost, true
}

// listItems judges the items of a one-line flow list under a sensitive key (["a", "b"]) one by
// one, so that the list stays a list: it returns one span covering the list, with the items
// replaced inside, and where scanning goes on. ok is false when the list does not close on
// its line.
func (sc *scrubber) listItems(s string, open int, name string) (span, int, bool) {
	end := matchingBracket(s[:lineEnd(s, open)], open)
	if end <= open || s[end-1] != ']' {
		return span{}, 0, false
	}
	inner := s[open+1 : end-1]
	var spans []span
	for _, it := range flowItem.FindAllStringSubmatchIndex("["+inner, -1) {
		g := firstGroup(it[2:], 3)
		if g < 0 {
			continue
		}
		vs, ve := open+it[2+g], open+it[3+g]
		if v := s[vs:ve]; IsSensitive(name, v) && sc.fresh(v) {
			spans = append(spans, span{vs, ve, sc.value(v, "kv", name, strconv.Itoa(len(spans)))})
		}
	}
	if len(spans) == 0 {
		return span{}, end, true
	}
	rel := make([]span, len(spans))
	for i, sp := range spans {
		rel[i] = span{sp.start - open, sp.end - open, sp.repl}
	}
	return span{open, end, applySpans(s[open:end], rel)}, end, true
}
