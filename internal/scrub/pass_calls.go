package scrub

import (
	"regexp"
	"strconv"
)

// setterCall matches a call that sets a named setting to a literal: PHP's define('DB_PASSWORD',
// 'x') and ini_set, putenv-style setenv('K', 'v'), Python's os.environ.setdefault('K', 'v'),
// config.set("K", "v").
var setterCall = regexp.MustCompile(`\b(?:define|ini_set|setenv|setdefault|set|put|add)\s*\(\s*(['"])([A-Za-z0-9_.\-]+)(['"])\s*,\s*(['"])((?:[^'"\\]|\\.)*)(['"])`)

// calls replaces the values that setter calls give sensitive settings.
func (sc *scrubber) calls(s string) string {
	if !setterCallHint(s) {
		return s
	}
	var spans []span
	for _, m := range setterCall.FindAllStringSubmatchIndex(s, -1) {
		key, v := s[m[4]:m[5]], s[m[10]:m[11]]
		if IsSensitive(key, v) && sc.fresh(v) {
			spans = append(spans, span{m[10], m[11], sc.value(v, "call", key, strconv.Itoa(len(spans)))})
		}
	}
	return applySpans(s, spans)
}

func setterCallHint(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '(' && (s[i+1] == '\'' || s[i+1] == '"' || s[i+1] == ' ') {
			return true
		}
	}
	return false
}
