package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/load"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// psqlOnlyLines are psql meta-commands pg_dump writes into plain dumps (\restrict and
// \unrestrict since the 2025 minor releases). The server does not know them; psql handles them
// without sending anything, so they are blanked out (kept as comments, so line numbers in error
// messages still match the file).
var psqlOnlyLines = []string{`\restrict`, `\unrestrict`, `\connect`, `\encoding`}

func stripPsqlCommands(sql string) string {
	lines := strings.Split(sql, "\n")
	for i, line := range lines {
		for _, cmd := range psqlOnlyLines {
			if line == cmd || strings.HasPrefix(line, cmd+" ") {
				lines[i] = "-- " + line
			}
		}
	}
	return strings.Join(lines, "\n")
}

// newerSettings are SET lines pg_dump 17+ writes at the top of every dump, for settings older
// servers do not have; they only relax timeouts for the restore, so on an older server they
// are blanked (kept as comments) rather than failing the whole schema.
var newerSettings = []string{"SET transaction_timeout = 0;"}

func stripNewerSettings(sql string) string {
	lines := strings.Split(sql, "\n")
	for i, line := range lines {
		for _, set := range newerSettings {
			if strings.TrimSpace(line) == set {
				lines[i] = "-- " + line
			}
		}
	}
	return strings.Join(lines, "\n")
}

// applySchema runs a schema file as PostgreSQL runs a script: the whole text in one simple-query
// message (so dollar-quoted bodies, SET lines and COMMENTs are the server's business, not a
// statement splitter's), in one implicit transaction: it applies entirely or not at all.
func applySchema(ctx context.Context, conn *pgx.Conn, sql string, serverVersion string, versionNum int) error {
	prepared := stripPsqlCommands(sql)
	if versionNum < 170000 {
		prepared = stripNewerSettings(prepared)
	}
	_, err := conn.PgConn().Exec(ctx, prepared).ReadAll()
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return fmt.Errorf("applying the schema: %w", err)
	}
	msg := "applying the schema"
	if pg.Position > 0 {
		line, text := lineAt(prepared, int(pg.Position))
		msg += fmt.Sprintf(" failed at line %d (%s)", line, strings.TrimSpace(gen.TruncateRunes(text, 160)))
	}
	msg += ": " + load.DescribeError(err)
	switch pg.Code {
	case "42883", "42704", "42601", "0A000", "42P17":
		// Unknown functions, types or syntax are what a schema written for a newer server hits.
		msg += fmt.Sprintf("; the server runs PostgreSQL %s: if the schema comes from a newer version, run the same "+
			"version as production (spec.data[].standIn.version)", serverVersion)
	}
	return errors.New(msg)
}

// lineAt returns the 1-based line number and text at a 1-based character position.
func lineAt(s string, position int) (int, string) {
	line, start, chars := 1, 0, 0
	for i := 0; i < len(s); {
		chars++
		if chars >= position {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\n' {
			line++
			start = i + size
		}
		i += size
	}
	end := strings.IndexByte(s[start:], '\n')
	if end < 0 {
		return line, s[start:]
	}
	return line, s[start : start+end]
}

// resetDatabase drops every non-system schema and recreates public as a new database has it,
// so reapplying a schema starts from nothing.
func resetDatabase(ctx context.Context, conn *pgx.Conn, versionNum int) error {
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace
WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%' ORDER BY nspname`)
	if err != nil {
		return fmt.Errorf("listing schemas: %w", err)
	}
	schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("listing schemas: %w", err)
	}
	for _, s := range schemas {
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{s}.Sanitize()+" CASCADE"); err != nil {
			return fmt.Errorf("dropping schema %s: %s", s, load.DescribeError(err))
		}
	}
	// A new database's public schema: owned by the database owner's role (15+), usable by all.
	recreate := []string{
		"CREATE SCHEMA public AUTHORIZATION pg_database_owner",
		"GRANT USAGE ON SCHEMA public TO PUBLIC",
		"COMMENT ON SCHEMA public IS 'standard public schema'",
	}
	if versionNum < 150000 {
		recreate = []string{
			"CREATE SCHEMA public",
			"GRANT ALL ON SCHEMA public TO PUBLIC",
			"COMMENT ON SCHEMA public IS 'standard public schema'",
		}
	}
	for i, stmt := range recreate {
		_, err := conn.Exec(ctx, stmt)
		if err != nil && i == 0 && versionNum >= 150000 {
			// Not the database owner: a public schema of our own still works.
			_, err = conn.Exec(ctx, "CREATE SCHEMA public")
		}
		if err != nil {
			return fmt.Errorf("recreating schema public: %s", load.DescribeError(err))
		}
	}
	return nil
}
