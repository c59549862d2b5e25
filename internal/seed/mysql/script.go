package mysql

import "strings"

// Statements splits a MySQL script (mysqldump's output, a schema.sql) into statements as the
// mysql client does: at the delimiter (";" until a DELIMITER line changes it, as dumps of
// triggers and procedures do), never inside a string, a `name`, or a comment. /*!40101 ... */
// version comments are statements' text, as the server reads them. Empty statements are dropped.
func Statements(script string) []string {
	var out []string
	delim := ";"
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" && !onlyComments(s) {
			out = append(out, s)
		}
		cur.Reset()
	}
	atLineStart := true
	for i := 0; i < len(script); {
		if atLineStart {
			if d, next, ok := delimiterLine(script, i); ok {
				flush()
				delim, i = d, next
				continue
			}
		}
		c := script[i]
		atLineStart = c == '\n'
		switch {
		case strings.HasPrefix(script[i:], delim):
			flush()
			i += len(delim)
		case c == '\'' || c == '"' || c == '`':
			j := skipQuoted(script, i, c)
			cur.WriteString(script[i:j])
			i = j
		case c == '#' || c == '-' && strings.HasPrefix(script[i:], "-- ") || strings.HasPrefix(script[i:], "--\n"):
			j := strings.IndexByte(script[i:], '\n')
			if j < 0 {
				j = len(script) - i
			}
			i += j
		case strings.HasPrefix(script[i:], "/*") && !strings.HasPrefix(script[i:], "/*!"):
			j := strings.Index(script[i+2:], "*/")
			if j < 0 {
				i = len(script)
			} else {
				i += j + 4
			}
		default:
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	return out
}

// delimiterLine reads "DELIMITER x" at the start of a line.
func delimiterLine(s string, i int) (delim string, next int, ok bool) {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if len(s)-j < 10 || !strings.EqualFold(s[j:j+9], "delimiter") || (s[j+9] != ' ' && s[j+9] != '\t') {
		return "", i, false
	}
	end := strings.IndexByte(s[j:], '\n')
	if end < 0 {
		end = len(s) - j
	}
	d := strings.TrimSpace(s[j+9 : j+end])
	if d == "" {
		return "", i, false
	}
	return d, j + end, true
}

// skipQuoted returns the index after a quoted string or name opened at i (doubled quotes and,
// in strings, backslashes escape).
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && q != '`':
			j++
		case s[j] == q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func onlyComments(s string) bool {
	return strings.TrimSpace(s) == ""
}
