package scrub

import (
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
	// generated holds the values made so far, so a later pass does not take one for a
	// credential.
	generated map[string]bool
	// seen, when set, is told every original value a pass replaces: how the sweep learns the
	// parts of a prod Secret value that the text scanner recognises.
	seen func(orig string)
	// kept holds the values a structural rule decided to keep (a public key, a flag's salt):
	// the safety net after a structured pass does not replace them (see missedByParser).
	kept map[string]bool
	// uncertain collects the decisions taken without a rule that makes them sure.
	uncertain []Uncertain
	// keptText is the kept values joined, searched for pieces of them (built when first needed).
	keptText string
}

// uncertainUnder returns the uncertain decisions about the value of key, a path equal to the key
// (the whole value) dropped.
func (sc *scrubber) uncertainUnder(key string) []Uncertain {
	for i := range sc.uncertain {
		if sc.uncertain[i].Path == key {
			sc.uncertain[i].Path = ""
		}
	}
	return sc.uncertain
}

// keep records a value a structural rule kept.
func (sc *scrubber) keep(v string) {
	if sc.kept == nil {
		sc.kept = map[string]bool{}
	}
	sc.kept[v], sc.keptText = true, ""
}

func (sc *scrubber) scoped(parts ...string) []string {
	out := make([]string, 0, len(sc.scope)+len(parts))
	return append(append(out, sc.scope...), parts...)
}

// value returns the generated stand-in for orig: digits when orig is all digits (so a number in
// JSON or YAML stays a number), else a Value.
func (sc *scrubber) value(orig string, parts ...string) string {
	sc.n++
	if sc.seen != nil && orig != "" {
		sc.seen(orig)
	}
	scope := sc.scoped(parts...)
	v := sc.k.Value(scope...)
	// The passes after this one read the text this stand-in is now part of. A random value
	// whose camelCase words happen to spell a credential's name ("...mefPW") would make them take
	// the next word for its value (redis-cli -a <stand-in> ping lost "ping" for 1 keyring in
	// 50): a stand-in that reads as a name is drawn again, so what happens to its neighbours
	// does not depend on the keyring.
	for redraw := 1; readsAsKeyName(v); redraw++ {
		v = sc.k.Value(append(scope, "redraw", strconv.Itoa(redraw))...)
	}
	if len(orig) <= 64 && allDigits(orig) {
		v = sc.k.digits(len(orig), scope...)
	}
	if sc.generated == nil {
		sc.generated = map[string]bool{}
	}
	sc.generated[v] = true
	return v
}

// readsAsKeyName reports a value the passes would read as the name of a credential or of a
// setting about one. It skips classifyKey's cache: stand-ins are never looked up again.
func readsAsKeyName(v string) bool {
	sensitive, qualified := classifyKeyWords(v)
	return sensitive || qualified
}

// fresh reports a value this scrubber did not generate: a generated value is never replaced
// again (the text scanner runs after the structured passes, over their output). A value that
// starts with a generated one and a blank (PGPASSWORD=<generated> psql ..., read as a
// properties value owning its line) is not fresh either, nor is user:<generated>.
func (sc *scrubber) fresh(v string) bool {
	if sc.generated[v] || sc.isGeneratedPEM(v) {
		return false
	}
	if sp := strings.IndexAny(v, " \t;&|"); sp > 0 && sc.generated[v[:sp]] {
		return false
	}
	if c := strings.LastIndexByte(v, ':'); c > 0 && sc.generated[v[c+1:]] {
		return false // user:<stand-in> (curl -u, read whole by a rule): the user is no secret
	}
	return !sc.vouched(v)
}

// minVouchedPart is the shortest piece of a kept value that the text passes take as kept;
// maxVouchedText bounds the kept values searched for pieces (the exact values are always known).
const (
	minVouchedPart = 8
	maxVouchedText = 256 << 10
)

// vouched reports a value a structural rule kept (see keep): the value itself, a token inside
// it (the body of a browser key after its prefix), or a flow list of kept values.
func (sc *scrubber) vouched(v string) bool {
	if len(sc.kept) == 0 {
		return false
	}
	if sc.kept[v] {
		return true
	}
	if len(v) >= minVouchedPart {
		if sc.keptText == "" {
			var b strings.Builder
			for k := range sc.kept {
				if b.Len()+len(k) > maxVouchedText {
					break
				}
				b.WriteString(k + "\x00")
			}
			sc.keptText = b.String()
		}
		if strings.Contains(sc.keptText, v) {
			return true
		}
	}
	t := strings.TrimSpace(v)
	if len(t) < 2 || t[0] != '[' || t[len(t)-1] != ']' {
		return false
	}
	for _, item := range strings.Split(t[1:len(t)-1], ",") {
		if item = strings.Trim(strings.TrimSpace(item), `"'`); item != "" && !sc.kept[item] {
			return false
		}
	}
	return true
}

// text runs every pass over s.
func (sc *scrubber) text(s string) string {
	s = sc.privateKeys(s)
	s = sc.puttyKeys(s)
	return sc.textPasses(s, true)
}

// textPasses runs the passes after the private key ones; rules says whether gitleaks' rules run
// (the costliest pass, which the sweep's collection of parts does without: a Secret value is
// looked for whole anyway).
func (sc *scrubber) textPasses(s string, rules bool) string {
	s = sc.urls(s)
	// Pairs and flags read the same text and their replacements are merged: a value either one
	// finds may run over a key the other needs ("pass: app --token 'x'", "--password \\
	// token: x"), and replacing one first would hide that key from the other.
	spans := append(sc.pairSpans(s), sc.flagSpans(s)...)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	s = applySpans(s, spans)
	s = sc.xmlElements(s)
	s = sc.comparisons(s)
	s = sc.sqlPasswords(s)
	s = sc.oracleLogons(s)
	s = sc.terms(s)
	s = sc.bearers(s)
	s = sc.jwts(s)
	s = sc.knownTokens(s)
	if rules {
		s = sc.ruleTokens(s)
	}
	s = sc.urlTokens(s)
	s = sc.calls(s)
	s = sc.contextLines(s)
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
