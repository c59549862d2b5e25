package mysql

import "strings"

// pgClause spells a CHECK clause as MySQL or MariaDB print it the way PostgreSQL would, for the
// planner's parser: `col` is "col", _utf8mb4'x' is 'x', \' in a string is ”, REGEXP and RLIKE
// are ~, regexp_like(a, b) is a ~ b, and <=> (null-safe equality) IS NOT DISTINCT FROM. What is
// left unknown the planner names in a warning.
func pgClause(clause string) string {
	var b strings.Builder
	for i := 0; i < len(clause); {
		c := clause[i]
		switch {
		case c == '`':
			j := i + 1
			b.WriteByte('"')
			for j < len(clause) {
				if clause[j] == '`' {
					if j+1 < len(clause) && clause[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				if clause[j] == '"' {
					b.WriteByte('"')
				}
				b.WriteByte(clause[j])
				j++
			}
			b.WriteByte('"')
			i = j + 1
		case c == '\'':
			i = copyString(&b, clause, i)
		case c == '_' && (i == 0 || !identByte(clause[i-1])):
			// A character set introducer: _utf8mb4'x'.
			j := i + 1
			for j < len(clause) && identByte(clause[j]) {
				j++
			}
			if j < len(clause) && clause[j] == '\'' {
				i = j
				continue
			}
			b.WriteString(clause[i:j])
			i = j
		case identStart(c):
			j := i
			for j < len(clause) && identByte(clause[j]) {
				j++
			}
			word := clause[i:j]
			switch strings.ToLower(word) {
			case "regexp", "rlike":
				b.WriteString("~")
			default:
				b.WriteString(word)
			}
			i = j
		case strings.HasPrefix(clause[i:], "<=>"):
			b.WriteString(" IS NOT DISTINCT FROM ")
			i += 3
		default:
			b.WriteByte(c)
			i++
		}
	}
	return strings.TrimSpace(b.String())
}

// copyString copies a '...' literal as PostgreSQL writes it (” for a quote, no backslash
// escapes) and returns the index after it.
func copyString(b *strings.Builder, s string, i int) int {
	b.WriteByte('\'')
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				if s[i] == '\'' {
					b.WriteString("''")
				} else {
					b.WriteByte(s[i])
				}
			}
		case '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteString("''")
				i++
				continue
			}
			b.WriteByte('\'')
			return i + 1
		default:
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('\'')
	return i
}

func identStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 }

func identByte(c byte) bool { return identStart(c) || c == '_' || c == '$' || c >= '0' && c <= '9' }
