package scrub

import (
	"regexp"
	"strconv"
	"strings"
)

// sqlPassword matches the password literal of SQL statements that set one, in init scripts and
// psql -c arguments: PostgreSQL's CREATE/ALTER USER|ROLE ... [WITH] [ENCRYPTED] PASSWORD 'x',
// MySQL's and Oracle's IDENTIFIED [WITH plugin] BY 'x' (Oracle's unquoted too) and MySQL's SET
// PASSWORD [FOR u] = 'x'. A psql variable (:'pw') or NULL is not a literal and stays.
var sqlPassword = regexp.MustCompile(`(?i)(?:\bPASSWORD\s+|\bIDENTIFIED\s+(?:WITH\s+\S+\s+)?BY\s+(?:PASSWORD\s+)?|\bSET\s+PASSWORD\s+(?:FOR\s+\S+\s*)?=\s*(?:PASSWORD\s*\(\s*)?)(?:'((?:[^'\n]|'')*)'|"([^"\n]*)"|([A-Za-z][A-Za-z0-9_$#!%^*+.-]*))`)

// sqlKeywords are unquoted words that follow PASSWORD without being one.
var sqlKeywords = map[string]bool{"null": true, "valid": true, "expire": true, "lock": true, "unlock": true, "authentication": true, "policy": true, "reuse": true, "history": true, "encryption": true}

// sqlPasswords replaces the password literals of SQL statements.
func (sc *scrubber) sqlPasswords(s string) string {
	if !containsFold(s, "password") && !containsFold(s, "identified") {
		return s
	}
	var spans []span
	lower := lowerASCIIString(s) // same offsets as s, whatever bytes it holds
	for _, l := range splitLines(s) {
		if ll := lower[l.start:l.end]; !strings.Contains(ll, "password") && !strings.Contains(ll, "identified") {
			continue // the expression runs on the lines that can hold such a statement
		}
		text := s[l.start:l.end]
		for _, m := range sqlPassword.FindAllStringSubmatchIndex(text, -1) {
			g := firstGroup(m, 3)
			if g < 0 {
				continue
			}
			v := text[m[g]:m[g+1]]
			if g == 6 && (sqlKeywords[strings.ToLower(v)] || !containsFold(text[m[0]:m[g]], "identified")) {
				continue // an unquoted word is a password only after Oracle's IDENTIFIED BY
			}
			if harmlessValue(v) || !sc.fresh(v) {
				continue
			}
			spans = append(spans, span{l.start + m[g], l.start + m[g+1], sc.value(v, "sql", strconv.Itoa(len(spans)))})
		}
	}
	return applySpans(s, spans)
}
