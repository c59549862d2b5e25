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

// urlTokenSpans judges the path segments and query values of the URL s[a:e] (after "://"): a
// random-looking one, the part after a colon (Telegram's /bot<id>:<token>/), a long hex segment
// (Datadog's and Teams' keys) unless a digest or a commit names it, and the segment after one
// that names a credential (/with/key/<key>, /token/<token>/).
func (sc *scrubber) urlTokenSpans(s string, a, e int) []span {
	var spans []span
	prev := ""
	for j := a; j < e; {
		k := j
		for k < e && s[k] != '/' && s[k] != '?' && s[k] != '&' && s[k] != '#' && s[k] != ';' {
			k++
		}
		piece := s[j:k]
		query := false
		if eq := strings.IndexByte(piece, '='); eq >= 0 && j > a && strings.ContainsRune("?&;", rune(s[j-1])) {
			j += eq + 1
			piece, query = piece[eq+1:], true
		}
		if j > a && piece != "" && sc.fresh(piece) {
			if vs, ok := urlToken(piece, prev, query); ok {
				spans = append(spans, span{j + vs, k, sc.value(piece[vs:], "url-token")})
			}
		}
		if !query {
			prev = strings.ToLower(piece)
		}
		j = k + 1
	}
	return spans
}

// hashSegments name the digest or commit id that follows them in a URL path.
var hashSegments = map[string]bool{
	"sha1": true, "sha256": true, "sha512": true, "md5": true, "commit": true, "commits": true,
	"tree": true, "blob": true, "blobs": true, "archive": true, "raw": true, "objects": true,
	"manifests": true, "ipfs": true, "releases": true, "tag": true, "tags": true, "compare": true,
}

// urlToken says whether a path segment or query value is a credential, and where it starts in
// the piece.
func urlToken(piece, prev string, query bool) (int, bool) {
	dec, err := url.QueryUnescape(piece)
	if err != nil {
		return 0, false
	}
	switch t := strings.TrimRight(dec, "="); {
	case looksRandom(t):
		return 0, true
	case query:
		return 0, false
	case strings.IndexByte(piece, ':') > 0 && looksRandom(piece[strings.LastIndexByte(piece, ':')+1:]):
		return strings.LastIndexByte(piece, ':') + 1, true
	case len(t) >= 32 && isHex(t) && !allDigits(t) && !hashSegments[prev]:
		return 0, true
	case prev != "" && tokenish(t) && !wordLike(t) && IsSensitiveKey(prev):
		return 0, true
	}
	return 0, false
}

// tokenish: eight or more characters of the alphabets tokens are written in.
func tokenish(t string) bool {
	if len(t) < 8 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isAlnum(t[i]) && strings.IndexByte("-_.~+=", t[i]) < 0 {
			return false
		}
	}
	return true
}

// wordLike: lower-case words joined by '-', '_' or '.' (short, with vowels, as people write
// them), a version or a number: what a path segment that is not a token looks like
// (/token/refresh, /key/v2). A run of more than 12 digits without a dot, v before it or not, is
// a numeric token (/key/v000000000000000), not a version; so is a number of 16 characters or
// more however it is dotted (/key/3.0000000000002M): versions and quantities are shorter, and
// after a word that names a credential a long segment is judged as the credential it may be.
func wordLike(t string) bool {
	if numberLike.MatchString(t) {
		return len(t) <= 12 || (strings.IndexByte(t, '.') >= 0 && len(t) < 16)
	}
	return strings.ToLower(t) == t && plausibleWords(t)
}

// plausibleWords reports letters in parts joined by '-', '_' or '.' that each read as a word
// people write: at most 15 letters, a vowel unless an acronym of four or fewer, no five
// consonants in a row.
func plausibleWords(t string) bool {
	parts := strings.FieldsFunc(t, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	for _, w := range parts {
		lw := strings.ToLower(w)
		if !allLetters(w) || len(w) > 15 || consonantRun(lw) >= 5 || (strings.IndexAny(lw, "aeiouy") < 0 && len(w) > 4) {
			return false
		}
	}
	return len(parts) > 0
}
