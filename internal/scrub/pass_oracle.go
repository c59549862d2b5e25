package scrub

import (
	"regexp"
	"strconv"
	"strings"
)

// Oracle clients take credentials as user/password@connect-identifier, without a key = value
// separator: sqlplus, rman, expdp userid=, JDBC thin and OCI URLs, EZConnect strings. The
// password is what lies between the slash and the '@'.

var (
	// oracleJDBC: jdbc:oracle:thin:user/password@...
	oracleJDBC = regexp.MustCompile(`jdbc:oracle:(?:thin|oci8?|kprb):([A-Za-z0-9_$#."]+)/([^@\s"'/]+)@`)
	// ezConnect: user/password@[//]host[:port][/service] or @(DESCRIPTION=...). Without //, a
	// port, a service or a descriptor, "a/b@c" is too common a shape (actions/checkout@v4,
	// org/image@sha256:...) to be taken for credentials outside an Oracle context.
	ezConnect = regexp.MustCompile(`(?:^|[\s"'=:(,])([A-Za-z][A-Za-z0-9_$#]*)/([^\s/@"'=]+)@((//)?[A-Za-z0-9_.-]+(:[0-9]+)?(/[A-Za-z0-9_.$-]+)?|\(DESCRIPTION)`)
	// oracleTool: an Oracle command line or setting, in which user/password[@alias] needs no port.
	oracleTool = regexp.MustCompile(`(?i)\b(sqlplus|rman|expdp|impdp|exp|imp|sqlldr|dgmgrl|sqlcl|userid\s*=|connect_?string|oracle|tns)\b`)
	// toolLogon: user/password after an Oracle tool and its flags, or after userid= / target /
	// catalog, with or without @alias.
	toolLogon = regexp.MustCompile(`(?i)(?:\b(?:sqlplus|rman|expdp|impdp|exp|imp|sqlldr|dgmgrl|sql)(?:\s+-\S+)*\s+|\buserid\s*=\s*|\b(?:target|catalog|auxiliary)\s+)([A-Za-z][A-Za-z0-9_$#]*)/([^\s/@"']+)`)
)

// oracleLogons replaces the password of Oracle user/password logons.
func (sc *scrubber) oracleLogons(s string) string {
	if !strings.Contains(s, "/") {
		return s
	}
	hint := oracleHint(s)
	if !hint && !strings.Contains(s, "@") {
		return s
	}
	context := hint && oracleTool.MatchString(s)
	var spans []span
	add := func(base, vs, ve int) {
		vs, ve = base+vs, base+ve
		if v := s[vs:ve]; !harmlessValue(v) && sc.fresh(v) && !overlaps(spans, vs, ve) {
			spans = append(spans, span{vs, ve, sc.value(v, "oracle", strconv.Itoa(len(spans)))})
		}
	}
	// The expressions run on the lines that can hold a logon: a user/password before an '@'
	// (not a URL's //user@), or any line of a text naming an Oracle tool.
	for _, l := range splitLines(s) {
		text := s[l.start:l.end]
		at := slashBeforeAt(text)
		if !at && !hint {
			continue
		}
		if at {
			for _, m := range oracleJDBC.FindAllStringSubmatchIndex(text, -1) {
				add(l.start, m[4], m[5])
			}
			for _, m := range ezConnect.FindAllStringSubmatchIndex(text, -1) {
				if m[8] >= 0 || m[10] >= 0 || m[12] >= 0 || strings.HasSuffix(text[m[0]:m[1]], "(DESCRIPTION") || context {
					add(l.start, m[4], m[5])
				}
			}
		}
		if hint {
			for _, m := range toolLogon.FindAllStringSubmatchIndex(text, -1) {
				add(l.start, m[4], m[5])
			}
		}
	}
	sortSpans(spans)
	return applySpans(s, spans)
}

// slashBeforeAt reports an '@' preceded, within its word, by a single '/' after a letter or
// digit: user/password@... (a URL's scheme://user@host has two).
func slashBeforeAt(t string) bool {
	for i := strings.IndexByte(t, '@'); i >= 0; {
		for j := i - 1; j > 0 && !isOracleStop(t[j]); j-- {
			if t[j] == '/' && t[j-1] != '/' && (j+1 >= len(t) || t[j+1] != '/') && isAlnum(t[j-1]) {
				return true
			}
		}
		next := strings.IndexByte(t[i+1:], '@')
		if next < 0 {
			return false
		}
		i += next + 1
	}
	return false
}

func isOracleStop(c byte) bool {
	return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '=' || c == '(' || c == ','
}

func overlaps(spans []span, start, end int) bool {
	for _, sp := range spans {
		if start < sp.end && sp.start < end {
			return true
		}
	}
	return false
}

// oracleHint is oracleTool's cheap prefilter: most text names no Oracle tool.
func oracleHint(s string) bool {
	lower := lowerASCIIString(s)
	for _, w := range []string{"sqlplus", "rman", "expdp", "impdp", "sqlldr", "dgmgrl", "sqlcl", "userid", "connect", "oracle", "tns"} {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}
