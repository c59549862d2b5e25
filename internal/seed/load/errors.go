package load

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"

	"github.com/jackc/pgx/v5/pgconn"
)

// DescribeError renders a database error with everything PostgreSQL says about where it
// happened: table, column, constraint, detail and hint.
func DescribeError(err error) string {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(pg.Message)
	b.WriteString(" (SQLSTATE " + pg.Code + ")")
	var where []string
	if pg.TableName != "" {
		table := pg.TableName
		if pg.SchemaName != "" {
			table = pg.SchemaName + "." + table
		}
		where = append(where, "table "+table)
	}
	if pg.ColumnName != "" {
		where = append(where, "column "+pg.ColumnName)
	}
	if pg.ConstraintName != "" {
		where = append(where, "constraint "+pg.ConstraintName)
	}
	if pg.DataTypeName != "" {
		where = append(where, "type "+pg.DataTypeName)
	}
	if len(where) > 0 {
		b.WriteString("; " + strings.Join(where, ", "))
	}
	if pg.Detail != "" {
		b.WriteString("; detail: " + pg.Detail)
	}
	if pg.Where != "" && len(pg.Where) < 200 {
		b.WriteString("; where: " + pg.Where)
	}
	if pg.Hint != "" {
		b.WriteString("; hint: " + pg.Hint)
	}
	return b.String()
}

// loadError explains a failure while writing a table, with advice for the usual causes.
func loadError(ctx context.Context, t *catalog.Table, doing string, err error) error {
	if ctx.Err() != nil && !isPgError(err) {
		return fmt.Errorf("%s %s: %w", doing, t.QualifiedName(), ctx.Err())
	}
	msg := fmt.Sprintf("%s %s: %s", doing, t.QualifiedName(), DescribeError(err))
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23514":
			if strings.Contains(pg.Message, "no partition") {
				msg += "; the partition key values fall outside every partition: add a partition (or a DEFAULT one), or a columns rule for the key"
			} else {
				msg += "; the generated values violate the CHECK: add a columns rule (constant or oneOf) for the column it tests"
			}
		case "23505":
			msg += "; the generated values are not unique: add a columns rule for the column, or lower the row count"
		case "23502":
			msg += "; add a columns rule for the column"
		case "22001", "22003", "22P02", "22007", "22008":
			msg += "; the generated value does not fit the column: add a columns rule for it"
		}
	}
	return errors.New(msg)
}

func isPgError(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg)
}
