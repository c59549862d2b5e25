package scrub

import (
	"net/url"
	"strings"
)

// urlTokens replaces random-looking tokens in URL paths and query values: webhook URLs carry their
// secret in the path (/services/T0/B0/<token>), signed URLs in the query (Azure SAS sig=,
// OAuth code=). Sensitive query keys are the pairs pass's; this pass needs no key.
func (sc *scrubber) urlTokens(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var spans []span
	for i := 0; ; {
		p := strings.Index(s[i:], "://")
		if p < 0 {
			break
		}
		a := i + p + len("://")
		e := a
		for e < len(s) && !isURLStop(s[e]) {
			e++
		}
		spans = append(spans, sc.urlTokenSpans(s, a, e)...)
		i = e
	}
	return applySpans(s, spans)
}

// urlTokenSpans judges the path segments and query values of the URL s[a:e] (after "://").
func (sc *scrubber) urlTokenSpans(s string, a, e int) []span {
	var spans []span
	for j := a; j < e; {
		k := j
		for k < e && s[k] != '/' && s[k] != '?' && s[k] != '&' && s[k] != '#' && s[k] != ';' {
			k++
		}
		piece := s[j:k]
		if eq := strings.IndexByte(piece, '='); eq >= 0 && j > a && strings.ContainsRune("?&;", rune(s[j-1])) {
			j += eq + 1
			piece = piece[eq+1:]
		}
		if j > a && sc.fresh(piece) {
			if dec, err := url.QueryUnescape(piece); err == nil && looksRandom(strings.TrimRight(dec, "=")) {
				spans = append(spans, span{j, k, sc.value(piece, "url-token")})
			}
		}
		j = k + 1
	}
	return spans
}
