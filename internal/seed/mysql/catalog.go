package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// Schema is what seeding knows of a MySQL or MariaDB database: the catalog the planner reads,
// and what loading and verifying need besides.
type Schema struct {
	Catalog  *catalog.Catalog
	MariaDB  bool
	Version  string
	Database string
	// Conversions are, per column, how its PostgreSQL text becomes its value (see conversion).
	Conversions map[*catalog.Column]conversion
	// Checks are the CHECK constraints as the server prints them, by table, for verification.
	Checks map[*catalog.Table][]nativeCheck
	// TableRows is information_schema.TABLES.TABLE_ROWS (an estimate) by table name.
	TableRows map[string]int64
}

type nativeCheck struct{ name, clause string }

// ReadSchema reads the tables of the connection's current database.
func ReadSchema(ctx context.Context, conn *sql.Conn) (*Schema, error) {
	s := &Schema{Catalog: &catalog.Catalog{FunctionBodies: map[string][]string{}}, Conversions: map[*catalog.Column]conversion{},
		Checks: map[*catalog.Table][]nativeCheck{}, TableRows: map[string]int64{}}
	var db sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE(), VERSION()").Scan(&db, &s.Version); err != nil {
		return nil, fmt.Errorf("reading the server version: %w", err)
	}
	if !db.Valid || db.String == "" {
		return nil, fmt.Errorf("the connection names no database: add it to the DSN (mysql://user:password@host:3306/DATABASE)")
	}
	s.Database = db.String
	s.MariaDB = strings.Contains(strings.ToLower(s.Version), "mariadb")
	tables, err := s.readTables(ctx, conn)
	if err != nil {
		return nil, err
	}
	checks, err := readChecks(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := s.readColumns(ctx, conn, tables, checks); err != nil {
		return nil, err
	}
	if err := readKeys(ctx, conn, tables); err != nil {
		return nil, err
	}
	if err := readForeignKeys(ctx, conn, tables); err != nil {
		return nil, err
	}
	s.addChecks(tables, checks)
	return s, nil
}

func (s *Schema) readTables(ctx context.Context, conn *sql.Conn) (map[string]*catalog.Table, error) {
	rows, err := conn.QueryContext(ctx, `SELECT TABLE_NAME, COALESCE(TABLE_ROWS, -1) FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	defer rows.Close()
	tables := map[string]*catalog.Table{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		s.TableRows[name] = n
		if name == contract.MySQLProdTablesTable {
			continue // prod's statistics, for the seeder: never seeded
		}
		t := &catalog.Table{OID: uint32(len(tables) + 1), Schema: s.Database, Name: name}
		tables[name] = t
		s.Catalog.Tables = append(s.Catalog.Tables, t)
	}
	return tables, rows.Err()
}

// hasColumn says whether an information_schema view has a column (they differ between MySQL,
// MariaDB and their versions).
func hasColumn(ctx context.Context, conn *sql.Conn, view, col string) bool {
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = ? AND COLUMN_NAME = ?`, view, col).Scan(&n)
	return err == nil && n > 0
}

func (s *Schema) readColumns(ctx context.Context, conn *sql.Conn, tables map[string]*catalog.Table, checks map[string][]nativeCheck) error {
	srid := "NULL"
	if hasColumn(ctx, conn, "COLUMNS", "SRS_ID") {
		srid = "SRS_ID"
	}
	rows, err := conn.QueryContext(ctx, `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,
       COLUMN_DEFAULT, EXTRA, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, `+srid+`
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`)
	if err != nil {
		return fmt.Errorf("reading columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.position, &c.dataType, &c.columnType, &c.nullable, &c.defaultValue, &c.extra,
			&c.charMax, &c.precision, &c.scale, &c.srid); err != nil {
			return err
		}
		t := tables[c.table]
		if t == nil {
			continue // a view's
		}
		s.addColumn(t, c, jsonChecked(checks[c.table]))
	}
	return rows.Err()
}

func (s *Schema) addColumn(t *catalog.Table, c column, jsonColumns map[string]bool) {
	c.dataType = strings.ToLower(c.dataType)
	typ, mod, conv := typeOf(c, jsonColumns)
	col := &catalog.Column{Table: t, Num: int16(c.position), Name: c.name, Type: typ, TypMod: mod, TypeSQL: c.columnType,
		NotNull: c.nullable == "NO"}
	extra := strings.ToLower(c.extra)
	switch {
	case strings.Contains(extra, "generated") && !strings.Contains(extra, "default_generated"):
		col.Generated = 's' // VIRTUAL or STORED: the server computes it
	case strings.Contains(extra, "auto_increment"):
		col.Identity, col.SeqStart, col.SeqIncrement = 'd', 1, 1
	}
	if c.defaultValue != nil && !strings.EqualFold(*c.defaultValue, "NULL") {
		col.Default = *c.defaultValue
	}
	if conv == convGeometry {
		conv = conversion(fmt.Sprintf(string(convGeometry), "%s", geometryArgs(typ.Native.SRID, s.MariaDB)))
	}
	if conv != convNone {
		s.Conversions[col] = conv
	}
	t.Columns = append(t.Columns, col)
}

var jsonValid = regexp.MustCompile("(?i)^\\(?json_valid\\(`([^`]+)`\\)\\)?$")

// jsonChecked are the columns a CHECK (json_valid(col)) declares JSON (MariaDB's JSON type).
func jsonChecked(checks []nativeCheck) map[string]bool {
	out := map[string]bool{}
	for _, c := range checks {
		if m := jsonValid.FindStringSubmatch(strings.TrimSpace(c.clause)); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

// readChecks reads the CHECK constraints by table: MySQL 8.0.16+ and MariaDB 10.2+ have them.
func readChecks(ctx context.Context, conn *sql.Conn) (map[string][]nativeCheck, error) {
	out := map[string][]nativeCheck{}
	if !hasColumn(ctx, conn, "CHECK_CONSTRAINTS", "CHECK_CLAUSE") {
		return out, nil // MySQL before 8.0.16 parses CHECKs and ignores them
	}
	query := `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME
  AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`
	if hasColumn(ctx, conn, "CHECK_CONSTRAINTS", "TABLE_NAME") { // MariaDB: column-level CHECKs too
		query = `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("reading CHECK constraints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var c nativeCheck
		if err := rows.Scan(&table, &c.name, &c.clause); err != nil {
			return nil, err
		}
		out[table] = append(out[table], c)
	}
	return out, rows.Err()
}

// addChecks gives the planner each CHECK in PostgreSQL's spelling (see pgClause); json_valid
// CHECKs are the JSON type itself.
func (s *Schema) addChecks(tables map[string]*catalog.Table, checks map[string][]nativeCheck) {
	names := make([]string, 0, len(checks))
	for name := range checks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := tables[name]
		if t == nil {
			continue
		}
		for _, c := range checks[name] {
			s.Checks[t] = append(s.Checks[t], c)
			if jsonValid.MatchString(strings.TrimSpace(c.clause)) {
				continue
			}
			t.Checks = append(t.Checks, &catalog.Check{Name: c.name, Def: "CHECK (" + pgClause(c.clause) + ")", Validated: true})
		}
	}
}
