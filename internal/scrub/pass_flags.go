package scrub

import "strings"

// flagSpans finds, in order, the replacements of the value after a sensitive command-line flag
// written with a blank, as in "--password hunter2" or "-token 'a b'", also across a shell line
// continuation.
func (sc *scrubber) flagSpans(s string) []span {
	if !strings.Contains(s, "-") {
		return nil
	}
	var spans []span
	for i := 0; i < len(s); i++ {
		if s[i] != '-' || (i > 0 && !isFlagLead(s[i-1])) {
			continue
		}
		j := i
		for j < len(s) && s[j] == '-' {
			j++
		}
		if j-i > 2 || j == len(s) || !isLetter(s[j]) {
			continue
		}
		k := j
		for k < len(s) && isKeyChar(s[k]) {
			k++
		}
		name := s[j:k]
		if sensitive, qualified := classifyKey(name); !sensitive && !qualified {
			i = k - 1
			continue
		}
		v := flagValueStart(s, k)
		if v < 0 {
			i = k - 1
			continue
		}
		ext := argExtent(s, v)
		if v := s[ext.start:ext.end]; ext.empty || !IsSensitive(name, v) || !sc.fresh(v) || (referenceKey(name) && referenceValue(v)) {
			i = k - 1
			continue
		}
		spans = append(spans, span{ext.start, ext.end, sc.value(s[ext.start:ext.end], "flag", name)})
		i = ext.next - 1
	}
	return spans
}

// isFlagLead: what may precede a flag: a blank, a quote, or an opening bracket.
func isFlagLead(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '[' || c == '('
}

// flagValueStart returns where the value after a flag ending at s[k] begins, or -1 when the flag
// is not followed by blanks and a value (it has =value, ends the text, or another flag follows).
// The value may start with a dash, see looksLikeFlag.
func flagValueStart(s string, k int) int {
	if k >= len(s) || (s[k] != ' ' && s[k] != '\t') {
		return -1
	}
	v := skipBlanks(s, k)
	if strings.HasPrefix(s[v:], "\\\n") || strings.HasPrefix(s[v:], "\\\r\n") {
		v = skipBlanks(s, lineEnd(s, v)+1)
	}
	if v >= len(s) || s[v] == '\n' || s[v] == '\r' || s[v] == '\\' {
		return -1
	}
	e := v
	for e < len(s) && e < v+3 && s[e] != ' ' && s[e] != '\t' && s[e] != '\r' && s[e] != '\n' {
		e++ // three bytes tell "--x" and "-x " from a value
	}
	if looksLikeFlag(s[v:e]) {
		return -1
	}
	return v
}

// looksLikeFlag reports a word that is another flag rather than the previous flag's value: a long
// flag (--x) or a lone short one (-x). Anything else after a sensitive flag is taken for its
// value, even "-abc": a secret may start with a dash, and a false positive only costs a value.
func looksLikeFlag(w string) bool {
	return strings.HasPrefix(w, "--") || (len(w) == 2 && w[0] == '-' && isLetter(w[1]))
}

// argExtent: a shell word at s[v]: quoted, or up to a blank or shell operator.
func argExtent(s string, v int) extent {
	if s[v] == '"' || s[v] == '\'' {
		return quoted(s, v)
	}
	e := v
	for e < len(s) && !isArgStop(s[e]) {
		e++
	}
	return extent{start: v, end: e, next: e, empty: e == v}
}

func isArgStop(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ';', '|', '&', '"', '\'', '`', ')', ']', ',':
		return true
	}
	return false
}
