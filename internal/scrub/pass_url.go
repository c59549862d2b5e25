package scrub

import "strings"

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
			if !harmlessValue(pass) && sc.fresh(pass) {
				spans = append(spans, span{a + c + 1, a + at, sc.value(pass, "url", scheme, user, host)})
			}
		} else if looksLikeToken(userinfo) && sc.fresh(userinfo) {
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
