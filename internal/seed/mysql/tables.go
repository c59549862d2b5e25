package mysql

import (
	"regexp"
	"strings"
)

var (
	nameRE      = "(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)"
	createTable = regexp.MustCompile(`(?is)^CREATE\s+(TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?` + nameRE + `(?:\s*\.\s*` + nameRE + `)?`)
	dropTable   = regexp.MustCompile(`(?is)^DROP\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(.*)$`)
	dropName    = regexp.MustCompile(nameRE + `(?:\s*\.\s*` + nameRE + `)?`)
	renameTable = regexp.MustCompile(`(?is)^(?:RENAME\s+TABLE|ALTER\s+TABLE)\s+` + nameRE + `(?:\s*\.\s*` + nameRE + `)?\s+(?:RENAME\s+)?(?:TO|AS)\s+` +
		nameRE + `(?:\s*\.\s*` + nameRE + `)?\s*$`)
)

// CreatedTables lists the tables a MySQL script leaves created (lower-cased: table names are
// compared without case, as on servers with lower_case_table_names), in order; see
// schemasql.CreatedTables for PostgreSQL's.
func CreatedTables(script string) []string {
	var out []string
	seen := map[string]bool{}
	for _, stmt := range Statements(script) {
		if m := createTable.FindStringSubmatch(stmt); m != nil && m[1] == "" {
			name := unquoteName(m[2])
			if m[3] != "" {
				name = unquoteName(m[3])
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
			continue
		}
		if m := renameTable.FindStringSubmatch(stmt); m != nil {
			from, to := lastName(m[1], m[2]), lastName(m[3], m[4])
			if seen[from] {
				delete(seen, from)
				out = remove(out, from)
				if !seen[to] {
					seen[to] = true
					out = append(out, to)
				}
			}
			continue
		}
		if m := dropTable.FindStringSubmatch(stmt); m != nil {
			for _, d := range dropName.FindAllStringSubmatch(m[1], -1) {
				name := unquoteName(d[1])
				if d[2] != "" {
					name = unquoteName(d[2])
				}
				if seen[name] {
					delete(seen, name)
					out = remove(out, name)
				}
			}
		}
	}
	return out
}

func unquoteName(s string) string {
	if strings.HasPrefix(s, "`") {
		s = strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	return strings.ToLower(s)
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// lastName is the table of "name" or "schema.name".
func lastName(first, second string) string {
	if second != "" {
		return unquoteName(second)
	}
	return unquoteName(first)
}
