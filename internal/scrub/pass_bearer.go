package scrub

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"
)

// bearers replaces "Bearer <token>" tokens and "Basic <base64 of user:password>" credentials
// wherever they appear (headers embedded in config, curl commands).
func (sc *scrubber) bearers(s string) string {
	if !containsFold(s, "bearer") && !containsFold(s, "basic") {
		return s
	}
	var spans []span
	for i := 0; i < len(s); i++ {
		var scheme string
		switch {
		case hasFoldPrefixAt(s, i, "bearer"):
			scheme = "bearer"
		case hasFoldPrefixAt(s, i, "basic"):
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
		if len(tok) < 8 || harmlessValue(tok) || !sc.fresh(tok) {
			continue
		}
		var repl string
		if scheme == "basic" {
			dec, err := base64.StdEncoding.DecodeString(tok)
			if err != nil || !printableText(dec) {
				continue // "basic settings": a word, not base64 of a credential
			}
			sc.n++
			if sc.seen != nil {
				sc.seen(tok)
			}
			user := "envmirror:"
			if !strings.Contains(string(dec), ":") {
				user = "" // a token alone, base64-encoded
			}
			repl = base64.StdEncoding.EncodeToString([]byte(user + sc.k.Value(sc.scoped("basic", strconv.Itoa(len(spans)))...)))
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

// printableText reports bytes that are printable UTF-8 text without control characters.
func printableText(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
