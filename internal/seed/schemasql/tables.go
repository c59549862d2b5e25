// Package schemasql reads, without a server, which tables a schema script creates: the
// statements pg_dump, Rails' structure.sql or a migration tool writes. Seeding compares them with
// the catalog after the script ran, so a schema that did not arrive whole (a failed pg_dump piped
// into psql leaves an empty database) is refused rather than seeded.
package schemasql

import (
	"strings"
)

// Table is a table a script creates: Schema is "" when the name is not qualified (it then
// lands in the first schema of the search_path, which the script may set).
type Table struct {
	Schema, Name string
}

// String names the table as messages do.
func (t Table) String() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// CreatedTables lists the tables a script leaves created: each CREATE [UNLOGGED] TABLE
// (partitions and CREATE TABLE ... AS included, temporary tables not) that no later DROP TABLE
// removes, in order, once each. Statements inside function bodies, strings and comments do not
// count: they do not run when the script does.
func CreatedTables(sql string) []Table {
	var out []Table
	index := map[Table]int{}
	for _, stmt := range statements(sql) {
		words := stmt
		if len(words) < 3 || words[0].text != "create" && words[0].text != "drop" && words[0].text != "alter" {
			continue
		}
		if words[0].text == "alter" {
			if from, to, ok := renamedTable(words); ok {
				if i, known := index[from]; known {
					delete(index, from)
					to.Schema = from.Schema
					out[i] = to
					index[to] = i
				}
			}
			continue
		}
		if words[0].text == "drop" {
			for _, t := range droppedTables(words) {
				if i, ok := index[t]; ok {
					out[i] = Table{}
					delete(index, t)
				}
			}
			continue
		}
		if t, ok := createdTable(words); ok {
			if _, dup := index[t]; !dup {
				index[t] = len(out)
				out = append(out, t)
			}
		}
	}
	kept := out[:0]
	for _, t := range out {
		if t.Name != "" {
			kept = append(kept, t)
		}
	}
	return kept
}

// createdTable reads CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE [IF NOT EXISTS] name.
func createdTable(words []word) (Table, bool) {
	i := 1
	for i < len(words) && !words[i].quoted {
		switch words[i].text {
		case "global", "local", "unlogged":
			i++
			continue
		case "temp", "temporary":
			return Table{}, false
		}
		break
	}
	if i >= len(words) || words[i].quoted || words[i].text != "table" {
		return Table{}, false
	}
	i++
	if i+2 < len(words) && words[i].text == "if" && words[i+1].text == "not" && words[i+2].text == "exists" {
		i += 3
	}
	t, _, ok := qualifiedName(words, i)
	return t, ok
}

// renamedTable reads ALTER TABLE [IF EXISTS] [ONLY] name RENAME TO new (a migration's).
func renamedTable(words []word) (from, to Table, ok bool) {
	if words[1].quoted || words[1].text != "table" {
		return from, to, false
	}
	i := 2
	if i+1 < len(words) && words[i].text == "if" && words[i+1].text == "exists" {
		i += 2
	}
	if i < len(words) && !words[i].quoted && words[i].text == "only" {
		i++
	}
	from, next, ok := qualifiedName(words, i)
	if !ok || next+2 >= len(words) || words[next].text != "rename" || words[next+1].text != "to" || !words[next+2].ident() {
		return from, to, false
	}
	return from, Table{Name: words[next+2].text}, true
}

// droppedTables reads DROP TABLE [IF EXISTS] a, b, ....
func droppedTables(words []word) []Table {
	if words[1].quoted || words[1].text != "table" {
		return nil
	}
	i := 2
	if i+1 < len(words) && words[i].text == "if" && words[i+1].text == "exists" {
		i += 2
	}
	var out []Table
	for i < len(words) {
		t, next, ok := qualifiedName(words, i)
		if !ok {
			break
		}
		out = append(out, t)
		if next >= len(words) || words[next].text != "," {
			break
		}
		i = next + 1
	}
	return out
}

// qualifiedName reads name or schema.name at words[i], returning the index after it.
func qualifiedName(words []word, i int) (Table, int, bool) {
	if i >= len(words) || !words[i].ident() {
		return Table{}, i, false
	}
	first := words[i].text
	if i+2 < len(words) && words[i+1].text == "." && !words[i+1].quoted && words[i+2].ident() {
		return Table{Schema: first, Name: words[i+2].text}, i + 3, true
	}
	return Table{Name: first}, i + 1, true
}

// word is a token of a statement: an identifier or keyword (folded to lower case unless
// quoted) or one punctuation character.
type word struct {
	text   string
	quoted bool
	punct  bool
}

func (w word) ident() bool { return !w.punct && w.text != "" }

// statements splits a script into statements of words, skipping comments, string literals and
// dollar-quoted bodies (their contents never become words).
func statements(sql string) [][]word {
	var out [][]word
	var cur []word
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ';':
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			i = skipLine(sql, i)
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			i = skipBlockComment(sql, i)
		case c == '\'':
			escapes := i > 0 && (sql[i-1] == 'e' || sql[i-1] == 'E') && (i < 2 || !isIdentByte(sql[i-2]))
			if escapes && len(cur) > 0 {
				cur = cur[:len(cur)-1] // the E prefix was read as a word
			}
			i = skipString(sql, i, escapes)
			cur = append(cur, word{text: "'", punct: true})
		case c == '"':
			text, next := quotedIdent(sql, i)
			cur = append(cur, word{text: text, quoted: true})
			i = next
		case c == '$':
			if next, ok := skipDollarQuote(sql, i); ok {
				cur = append(cur, word{text: "$", punct: true})
				i = next
			} else {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			cur = append(cur, word{text: strings.ToLower(sql[i:j])})
			i = j
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		default:
			cur = append(cur, word{text: string(c), punct: true})
			i++
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

func skipLine(s string, i int) int {
	for i < len(s) && s[i] != '\n' {
		i++
	}
	return i
}

// skipBlockComment skips a /* comment */, which nests in SQL.
func skipBlockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*':
			depth++
			i += 2
		case s[i] == '*' && i+1 < len(s) && s[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipString skips a '...' literal (” is a quote; with escapes, \ escapes the next byte).
func skipString(s string, i int, escapes bool) int {
	for i++; i < len(s); i++ {
		switch {
		case escapes && s[i] == '\\':
			i++
		case s[i] == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return i
}

// quotedIdent reads a "quoted identifier" ("" is a quote).
func quotedIdent(s string, i int) (string, int) {
	var b strings.Builder
	for i++; i < len(s); i++ {
		if s[i] == '"' {
			if i+1 < len(s) && s[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			return b.String(), i + 1
		}
		b.WriteByte(s[i])
	}
	return b.String(), i
}

// skipDollarQuote skips a $tag$ ... $tag$ body; ok is false when s[i:] does not open one
// (a positional parameter such as $1).
func skipDollarQuote(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !isIdentByte(s[j]) || s[j] == '$' || (j == i+1 && s[j] >= '0' && s[j] <= '9') {
			return i, false
		}
		j++
	}
	if j >= len(s) {
		return i, false
	}
	tag := s[i : j+1]
	end := strings.Index(s[j+1:], tag)
	if end < 0 {
		return len(s), true
	}
	return j + 1 + end + len(tag), true
}
