package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
)

// readKeys reads the primary key and unique indexes. A unique index on a prefix of a column
// (name(10)) or on an expression (MySQL 8.0.13+) reads that column through something that may
// map distinct values to one: the planner counts on other columns for it (UniqueKey.Collapsed).
func readKeys(ctx context.Context, conn *sql.Conn, tables map[string]*catalog.Table) error {
	expr := "NULL"
	if hasColumn(ctx, conn, "STATISTICS", "EXPRESSION") {
		expr = "EXPRESSION"
	}
	rows, err := conn.QueryContext(ctx, `SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART, `+expr+`
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`)
	if err != nil {
		return fmt.Errorf("reading unique keys: %w", err)
	}
	defer rows.Close()
	var key *catalog.UniqueKey
	var keyTable *catalog.Table
	for rows.Next() {
		var table, index string
		var col, expression sql.NullString
		var subPart sql.NullInt64
		if err := rows.Scan(&table, &index, &col, &subPart, &expression); err != nil {
			return err
		}
		t := tables[table]
		if t == nil {
			continue
		}
		if key == nil || keyTable != t || key.Name != index {
			key, keyTable = &catalog.UniqueKey{Name: index, Primary: index == "PRIMARY"}, t
			t.Uniques = append(t.Uniques, key)
		}
		if c := t.Column(col.String); col.Valid && c != nil {
			key.Columns = append(key.Columns, c)
			if subPart.Valid {
				key.Collapsed = append(key.Collapsed, c)
			}
			continue
		}
		if expression.Valid { // a functional key part: the columns it reads, collapsed
			key.Exprs = append(key.Exprs, expression.String)
			for _, name := range backquoted(expression.String) {
				if c := t.Column(name); c != nil {
					key.Columns = append(key.Columns, c)
					key.Collapsed = append(key.Collapsed, c)
				}
			}
		}
	}
	return rows.Err()
}

var backquotedName = regexp.MustCompile("`((?:[^`]|``)+)`")

func backquoted(s string) []string {
	var out []string
	for _, m := range backquotedName.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.ReplaceAll(m[1], "``", "`"))
	}
	return out
}

// readForeignKeys reads the foreign keys between tables of the database.
func readForeignKeys(ctx context.Context, conn *sql.Conn, tables map[string]*catalog.Table) error {
	rows, err := conn.QueryContext(ctx, `SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`)
	if err != nil {
		return fmt.Errorf("reading foreign keys: %w", err)
	}
	defer rows.Close()
	var fk *catalog.ForeignKey
	for rows.Next() {
		var table, name, col, refTable, refCol string
		if err := rows.Scan(&table, &name, &col, &refTable, &refCol); err != nil {
			return err
		}
		t, ref := tables[table], tables[refTable]
		if t == nil || ref == nil || t.Column(col) == nil || ref.Column(refCol) == nil {
			return fmt.Errorf("foreign key %s of %s: column %s or %s.%s not found", name, table, col, refTable, refCol)
		}
		if fk == nil || fk.Table != t || fk.Name != name {
			fk = &catalog.ForeignKey{Name: name, Table: t, RefTable: ref, Validated: true}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		fk.Columns = append(fk.Columns, t.Column(col))
		fk.RefColumns = append(fk.RefColumns, ref.Column(refCol))
	}
	return rows.Err()
}
