package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/load"
)

// Verify checks, by reading the rows, that every table has the rows planned and that every
// constraint the server's catalog lists holds: NOT NULL, CHECK (as the server prints it),
// ENUM members, primary and unique keys, foreign keys. It reads the catalog again rather than
// trusting the plan. The error lists the first violations, each with its count and a sample.
func Verify(ctx context.Context, conn *sql.Conn, planned map[string]int64) error {
	s, err := ReadSchema(ctx, conn)
	if err != nil {
		return err
	}
	var failures []string
	for _, t := range s.Catalog.Tables {
		f, err := verifyTable(ctx, conn, s, t, planned)
		if err != nil {
			return err
		}
		failures = append(failures, f...)
	}
	return load.Failed(failures)
}

func verifyTable(ctx context.Context, conn *sql.Conn, s *Schema, t *catalog.Table, planned map[string]int64) ([]string, error) {
	var failures []string
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+quote(t.Name)).Scan(&n); err != nil {
		return nil, fmt.Errorf("counting the rows of %s: %w", t.Name, err)
	}
	if want, ok := planned[t.Name]; ok && n != want {
		failures = append(failures, fmt.Sprintf("%s has %d rows, %d were planned", t.Name, n, want))
	}
	conds := rowConditions(s, t)
	for _, c := range conds {
		msg, err := violations(ctx, conn, t, c.what, "SELECT * FROM "+quote(t.Name)+" WHERE "+c.violated)
		if err != nil {
			return nil, err
		}
		if msg != "" {
			failures = append(failures, msg)
		}
	}
	for _, k := range t.Uniques {
		if len(k.Exprs) > 0 {
			continue // a functional key: its index refused duplicates on every row loaded
		}
		cols := quoteColumns(k.Columns)
		q := fmt.Sprintf("SELECT %s, count(*) AS copies FROM %s WHERE %s GROUP BY %s HAVING count(*) > 1", strings.Join(cols, ", "),
			quote(t.Name), joinEach(cols, "%s IS NOT NULL", " AND "), strings.Join(cols, ", "))
		if msg, err := violations(ctx, conn, t, "UNIQUE "+k.Name, q); err != nil || msg != "" {
			if err != nil {
				return nil, err
			}
			failures = append(failures, msg)
		}
	}
	for _, fk := range t.ForeignKeys {
		cols, refs := quoteColumns(fk.Columns), quoteColumns(fk.RefColumns)
		var match []string
		for i := range cols {
			match = append(match, fmt.Sprintf("p.%s = c.%s", refs[i], cols[i]))
		}
		q := fmt.Sprintf("SELECT c.* FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)", quote(t.Name),
			joinEach(cols, "c.%s IS NOT NULL", " AND "), quote(fk.RefTable.Name), strings.Join(match, " AND "))
		if msg, err := violations(ctx, conn, t, "FOREIGN KEY "+fk.Name, q); err != nil || msg != "" {
			if err != nil {
				return nil, err
			}
			failures = append(failures, msg)
		}
	}
	return failures, nil
}

type rowCondition struct{ what, violated string }

// rowConditions are the conditions each row must meet: NOT NULL, CHECKs, ENUM members.
func rowConditions(s *Schema, t *catalog.Table) []rowCondition {
	var out []rowCondition
	for _, c := range t.Columns {
		if c.NotNull {
			out = append(out, rowCondition{"NOT NULL " + c.Name, quote(c.Name) + " IS NULL"})
		}
		if c.Type.Kind == 'e' && c.Type.Name == "enum" && !containsString(c.Type.Labels, "") {
			// A value not a member is stored as '' (with a warning the load refused).
			out = append(out, rowCondition{"ENUM " + c.Name, quote(c.Name) + " = ''"})
		}
	}
	for _, ck := range s.Checks[t] {
		out = append(out, rowCondition{"CHECK " + ck.name + " (" + ck.clause + ")", "NOT (" + ck.clause + ")"})
	}
	return out
}

// violations counts the rows query finds and describes the first.
func violations(ctx context.Context, conn *sql.Conn, t *catalog.Table, what, query string) (string, error) {
	var n int64
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+") v").Scan(&n); err != nil {
		return "", fmt.Errorf("verifying %s of %s: %w", what, t.Name, err)
	}
	if n == 0 {
		return "", nil
	}
	return fmt.Sprintf("%s of %s fails for %d row(s), e.g. %s", what, t.Name, n, sampleRow(ctx, conn, query)), nil
}

func sampleRow(ctx context.Context, conn *sql.Conn, query string) string {
	rows, err := conn.QueryContext(ctx, query+" LIMIT 1")
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		return "(gone)"
	}
	vals := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	parts := make([]string, len(cols))
	for i, v := range vals {
		parts[i] = cols[i] + "=" + string(v)
		if v == nil {
			parts[i] = cols[i] + "=NULL"
		}
	}
	s := "(" + strings.Join(parts, ", ") + ")"
	if cut := gen.TruncateRunes(s, 200); cut != s {
		s = cut + "…"
	}
	return s
}

func quoteColumns(cols []*catalog.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = quote(c.Name)
	}
	return out
}

func joinEach(items []string, format, sep string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf(format, s)
	}
	return strings.Join(out, sep)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
