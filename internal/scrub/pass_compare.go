package scrub

import (
	"regexp"
	"strconv"
	"strings"
)

// Gateways check a credential by comparing a request's header, argument or cookie with a
// literal: nginx's if ($http_x_api_key != "..."), Lua's ngx.var.http_x_token ~= "...", a shell
// test [ "$TOKEN" = "..." ], HAProxy's req.hdr(X-Api-Key) -m str ..., and nginx maps keyed by a
// header. The literal is the credential when the compared variable names one; a regular
// expression it must match (~, !~) describes the credential's format and stays.

var (
	// comparison: a variable, an operator and a literal. The variable may be quoted ("$TOKEN").
	comparison = regexp.MustCompile(`(["']?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?["']?|\b(?:ngx\.var|ngx\.req|req|request|headers|env)[A-Za-z0-9_.]*(?:\[["'][A-Za-z0-9_-]+["']\])?)\s*(==|!=|~=|=)\s*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_+/=.:-]{6,}))`)
	// haproxyMatch: a header fetched and matched against a literal.
	haproxyMatch = regexp.MustCompile(`\bhdr\(([A-Za-z0-9_-]+)\)\s+(?:-i\s+)?-m\s+(?:str|beg|end|sub)\s+(?:-i\s+)?(\S+)`)
	// nginxMap: the head of a map block whose source is a variable.
	nginxMap = regexp.MustCompile(`\bmap\s+\$([A-Za-z0-9_]+)\s+\$[A-Za-z0-9_]+\s*\{`)
)

// comparisons replaces the literals compared with variables that name credentials.
func (sc *scrubber) comparisons(s string) string {
	if !comparisonHint(s) {
		return s
	}
	var spans []span
	for _, m := range comparison.FindAllStringSubmatchIndex(s, -1) {
		if g := firstGroup(m[4:], 3); g >= 0 && comparedSecret(s[m[2]:m[3]]) {
			spans = sc.compareSpan(spans, s, m[4+g], m[5+g], s[m[2]:m[3]])
		}
	}
	for _, m := range haproxyMatch.FindAllStringSubmatchIndex(s, -1) {
		if IsSensitiveKey(s[m[2]:m[3]]) {
			spans = sc.compareSpan(spans, s, m[4], m[5], s[m[2]:m[3]])
		}
	}
	for _, m := range nginxMap.FindAllStringSubmatchIndex(s, -1) {
		if comparedSecret(s[m[2]:m[3]]) {
			spans = append(spans, sc.mapKeys(s, m[1], s[m[2]:m[3]])...)
		}
	}
	sortSpans(spans)
	return applySpans(s, spans)
}

func comparisonHint(s string) bool {
	return strings.Contains(s, "$") || strings.Contains(s, "ngx.") || strings.Contains(s, "hdr(") ||
		strings.Contains(s, "==") || strings.Contains(s, "~=")
}

// comparedSecret reports a compared variable that names a credential: $http_x_api_key,
// ngx.var.http_x_token, "$API_TOKEN", $arg_token.
func comparedSecret(v string) bool {
	v = strings.Trim(v, `"'${}`)
	if i := strings.LastIndexAny(v, ".["); i >= 0 && strings.HasSuffix(v, "]") {
		v = strings.Trim(v[i:], `[]"'`)
	} else if i >= 0 {
		v = v[i+1:]
	}
	return IsSensitiveKey(v)
}

func (sc *scrubber) compareSpan(spans []span, s string, vs, ve int, name string) []span {
	v := s[vs:ve]
	if v == "" || harmlessValue(v) || !sc.fresh(v) {
		return spans
	}
	return append(spans, span{vs, ve, sc.value(v, "compare", name, strconv.Itoa(len(spans)))})
}

// mapKeys replaces the source values of an nginx map block (from open, after its '{') up to its
// closing brace: each entry is "value result;", the value being the credential. default,
// hostnames, include and volatile are directives; a ~ value is a regular expression.
func (sc *scrubber) mapKeys(s string, open int, name string) []span {
	end := strings.IndexByte(s[open:], '}')
	if end < 0 {
		end = len(s) - open
	}
	var spans []span
	for _, l := range splitLines(s[:open+end]) {
		if l.end <= open {
			continue
		}
		words := shellWords(s, max(l.start, open), l.end)
		if len(words) < 2 {
			continue
		}
		first := s[words[0].start:words[0].end]
		switch strings.Trim(first, `"'`) {
		case "default", "hostnames", "include", "volatile", "":
			continue
		}
		if strings.HasPrefix(strings.Trim(first, `"'`), "~") {
			continue
		}
		vs, ve := unquoteRange(s, words[0].start, words[0].end)
		spans = sc.compareSpan(spans, s, vs, ve, name)
	}
	return spans
}

// sortSpans orders spans by start, as applySpans needs.
func sortSpans(spans []span) {
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].start < spans[j-1].start; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
}
