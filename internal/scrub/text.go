package scrub

import (
	"sort"
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
	if len(orig) <= 64 && allDigits(orig) {
		v = sc.k.digits(len(orig), scope...)
	}
	if sc.generated == nil {
		sc.generated = map[string]bool{}
	}
	sc.generated[v] = true
	return v
}

// fresh reports a value this scrubber did not generate: a generated value is never replaced
// again (the text scanner runs after the structured passes, over their output). A value that
// starts with a generated one and a blank (PGPASSWORD=<generated> psql ..., read as a
// properties value owning its line) is not fresh either.
func (sc *scrubber) fresh(v string) bool {
	if sc.generated[v] || sc.isGeneratedPEM(v) {
		return false
	}
	if sp := strings.IndexAny(v, " \t;&|"); sp > 0 && sc.generated[v[:sp]] {
		return false
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
