package scrub

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	// erlangTuple: a {key, value} setting of Erlang and Elixir configuration (RabbitMQ's
	// advanced.config: {default_pass, <<"x">>}), the value a string or a binary.
	erlangTuple = regexp.MustCompile(`\{\s*'?([A-Za-z_][A-Za-z0-9_]*)'?\s*,\s*(?:<<\s*)?"([^"\n]*)"(?:\s*>>)?\s*\}`)
	// goSQLDSN: Go's database/sql DSN for MySQL, user:password@tcp(host:port)/db, which has no
	// scheme for the URL pass to see.
	goSQLDSN = regexp.MustCompile(`(?:^|[\s"'=])([A-Za-z0-9_.$-]+):([^@\s/"'()]+)@(?:tcp|tcp6|udp|unix)\(`)
)

// terms replaces the values of {key, value} settings whose key names a credential, and the
// password of Go MySQL DSNs.
func (sc *scrubber) terms(s string) string {
	var spans []span
	if strings.Contains(s, "{") && strings.Contains(s, ",") {
		for _, m := range erlangTuple.FindAllStringSubmatchIndex(s, -1) {
			if v := s[m[4]:m[5]]; IsSensitive(s[m[2]:m[3]], v) && sc.fresh(v) {
				spans = append(spans, span{m[4], m[5], sc.value(v, "term", s[m[2]:m[3]])})
			}
		}
	}
	if strings.Contains(s, "@tcp") || strings.Contains(s, "@unix") || strings.Contains(s, "@udp") {
		for _, m := range goSQLDSN.FindAllStringSubmatchIndex(s, -1) {
			if v := s[m[4]:m[5]]; !harmlessValue(v) && sc.fresh(v) && !overlaps(spans, m[4], m[5]) {
				spans = append(spans, span{m[4], m[5], sc.value(v, "dsn", strconv.Itoa(len(spans)))})
			}
		}
	}
	sortSpans(spans)
	return applySpans(s, spans)
}
