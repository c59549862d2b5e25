package scrub

import "strings"

type extent struct {
	start, end, next int
	empty            bool
	reach            int // the farthest byte examined, when beyond end and next
}

// valueExtent finds the value starting at s[v].
func valueExtent(s string, v int, yaml bool, k pairKey) extent {
	ext := findValue(s, v, yaml, k)
	ext.reach = max(ext.reach, ext.next, ext.end, v+1)
	return ext
}

func findValue(s string, v int, yaml bool, k pairKey) extent {
	if v >= len(s) {
		return extent{empty: true}
	}
	switch c := s[v]; {
	case c == '\\' && v+1 < len(s) && s[v+1] == '"':
		return escapedQuoted(s, v)
	case (c == '"' || c == '\'') && strings.HasPrefix(s[v+1:], "{{"):
		if j := strings.Index(s[v+3:], "}}"); j >= 0 && v+5+j < len(s) && s[v+5+j] == c {
			return extent{start: v + 1, end: v + 5 + j, next: v + 6 + j} // "{{ key "a/b" }}"
		}
		return quoted(s, v)
	case c == '"' || c == '\'':
		return quoted(s, v)
	case c == '\n' || c == '\r':
		if yaml {
			return nextLineScalar(s, v, k)
		}
		return extent{empty: true}
	case yaml && (c == '|' || c == '>') && blockHeader(s[v:lineEnd(s, v)]):
		return blockScalar(s, lineEnd(s, v), k.indent)
	case c == '$' && v+1 < len(s) && (s[v+1] == '(' || s[v+1] == '{'):
		if e := varRefEnd(s, v); e > 0 && (e == len(s) || isValueStop(s[e])) {
			return extent{start: v, end: e, next: e}
		}
	}
	if k.lineStart {
		return toLineEnd(s, v)
	}
	stop := isValueStop
	if yaml {
		// "Authorization: Bearer x" inside a quoted header, {password: a b}: a value after a
		// colon may hold blanks; it ends at a quote, a comma or a closing bracket.
		stop = isColonValueStop
	}
	e := v
	for e < len(s) && !stop(s[e]) {
		e++
	}
	for e > v && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	return extent{start: v, end: e, next: e, empty: e == v}
}

func isColonValueStop(c byte) bool {
	return c != ' ' && c != '\t' && isValueStop(c) && c != '&' && c != ')' && c != '<' && c != '>'
}

// quoted: a '...' or "..." value, with backslash escapes in "..." and doubled quotes in
// '...'. An unclosed quote runs to the end of the line.
func quoted(s string, v int) extent {
	q := s[v]
	for j := v + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '\\':
			j++
		case s[j] == q && q == '\'' && j+1 < len(s) && s[j+1] == '\'':
			j++
		case s[j] == q:
			return extent{start: v + 1, end: j, next: j + 1, empty: j == v+1}
		}
	}
	e := lineEnd(s, v)
	return extent{start: v + 1, end: e, next: e, empty: e <= v+1, reach: len(s)}
}

// escapedQuoted: a \"...\" value inside a JSON string.
func escapedQuoted(s string, v int) extent {
	j := strings.Index(s[v+2:], `\"`)
	if j < 0 {
		e := lineEnd(s, v)
		return extent{start: v + 2, end: e, next: e, empty: e <= v+2, reach: len(s)}
	}
	end := v + 2 + j
	return extent{start: v + 2, end: end, next: end + 2, empty: j == 0}
}

// toLineEnd: an unquoted value that owns the rest of its line (properties, .env, INI, YAML), minus
// trailing blanks and a JSON trailing comma.
func toLineEnd(s string, v int) extent {
	e := lineEnd(s, v)
	for e > v && (s[e-1] == ' ' || s[e-1] == '\t' || s[e-1] == '\r') {
		e--
	}
	if e > v && s[e-1] == ',' {
		e--
	}
	return extent{start: v, end: e, next: e, empty: e == v}
}

// isValueStop ends an unquoted value in the middle of a line: a blank, or a delimiter of query
// strings (&), connection strings (;), JSON/YAML flow collections, quotes and markup.
func isValueStop(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '&', ';', ',', '}', ']', ')', '"', '\'', '`', '<', '>':
		return true
	}
	return false
}

// varRefEnd returns the end of a $(NAME) or ${NAME} reference at s[v], or -1.
func varRefEnd(s string, v int) int {
	closer := byte(')')
	if s[v+1] == '{' {
		closer = '}'
	}
	for j := v + 2; j < len(s); j++ {
		if s[j] == closer {
			return j + 1
		}
		if !isKeyChar(s[j]) {
			return -1
		}
	}
	return -1
}

func lineEnd(s string, v int) int {
	if e := strings.IndexByte(s[v:], '\n'); e >= 0 {
		return v + e
	}
	return len(s)
}

// blockHeader: the rest of a YAML line after ':' that starts a block scalar ("|", ">-", "|2+",
// optionally followed by a comment).
func blockHeader(h string) bool {
	h = strings.TrimRight(h, " \t\r")
	if c := strings.Index(h, " #"); c >= 0 {
		h = strings.TrimRight(h[:c], " \t")
	}
	return strings.Trim(h[1:], "-+0123456789") == ""
}

// blockScalar: the lines after the header at s[nl] ('\n' or end) that are blank or indented more
// than the key. They are replaced by one line, keeping the first content line's indentation.
func blockScalar(s string, nl int, keyIndent int) extent {
	start, end, reach := -1, -1, nl
	indent := ""
	for ls := nl + 1; nl < len(s) && ls <= len(s); {
		le := lineEnd(s, ls)
		reach = le
		line := strings.TrimRight(s[ls:le], "\r")
		if strings.TrimSpace(line) != "" {
			ind := len(line) - len(strings.TrimLeft(line, " \t"))
			if ind <= keyIndent {
				break
			}
			if start < 0 {
				start, indent = ls, line[:ind]
			}
			end = ls + len(line)
		}
		if le >= len(s) {
			break
		}
		ls = le + 1
	}
	if start < 0 {
		return extent{empty: true, reach: reach}
	}
	return extent{start: start + len(indent), end: end, next: end, reach: reach}
}

// nextLineScalar: "key:" at the end of a line followed by a more indented value that is not a
// nested mapping or list, e.g. a long token folded onto the next line.
func nextLineScalar(s string, nl int, k pairKey) extent {
	ls := nl
	if s[ls] == '\r' {
		ls++
	}
	if ls >= len(s) || s[ls] != '\n' {
		return extent{empty: true}
	}
	ls++
	for ls < len(s) {
		le := lineEnd(s, ls)
		line := strings.TrimRight(s[ls:le], "\r")
		t := strings.TrimSpace(line)
		if t == "" {
			if le >= len(s) {
				break
			}
			ls = le + 1
			continue
		}
		ind := len(line) - len(strings.TrimLeft(line, " \t"))
		if ind <= k.indent || t[0] == '#' || t[0] == '-' || t[0] == '{' || t[0] == '[' ||
			strings.HasSuffix(t, ":") || strings.Contains(t, ": ") {
			return extent{empty: true, reach: le}
		}
		if t[0] == '"' || t[0] == '\'' {
			return quoted(s, ls+ind)
		}
		return blockScalar(s, nl+boolInt(s[nl] == '\r'), k.indent)
	}
	return extent{empty: true, reach: len(s)}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
