// Package oracle asks PostgreSQL which candidate values pass a condition: the planner's way to
// honour CHECKs it does not read itself (an OR across shapes, a CASE, the schema's own functions).
// The server evaluates the condition exactly as it will when the rows are loaded.
package oracle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Server judges conditions on one connection. Every question runs in a transaction that is
// rolled back, so nothing the condition does (and nothing asked) stays in the database.
type Server struct {
	ctx  context.Context
	conn *pgx.Conn
	// Timeout bounds one question (the schema's own functions may be slow).
	Timeout string
}

// New returns a Server asking over conn; ctx bounds every question.
func New(ctx context.Context, conn *pgx.Conn) *Server {
	return &Server{ctx: ctx, conn: conn, Timeout: "30s"}
}

// Accepts implements plan.Oracle: it reports which rows pass cond. All rows are judged by one
// query; when a row makes that query fail (a value its type refuses, an error the condition
// raises), each row is judged on its own and such a row does not pass.
func (s *Server) Accepts(cond string, names, types []string, rows [][]*string) ([]bool, error) {
	if len(names) != len(types) {
		return nil, errors.New("oracle: names and types differ in length")
	}
	tx, err := s.conn.Begin(s.ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(s.ctx)) }()
	if _, err := tx.Exec(s.ctx, "SET LOCAL statement_timeout = "+quoteLiteral(s.Timeout)); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(s.ctx, "SAVEPOINT batch"); err != nil {
		return nil, err
	}
	passed, err := s.batch(tx, cond, names, types, rows)
	if err == nil {
		return passed, nil
	}
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || s.ctx.Err() != nil {
		return nil, err
	}
	if _, rerr := tx.Exec(s.ctx, "ROLLBACK TO SAVEPOINT batch"); rerr != nil {
		return nil, rerr
	}
	if isSchemaError(pg) {
		// The condition itself does not run here (it reads something that is not a column of
		// the candidates): no row can pass.
		return nil, fmt.Errorf("the server cannot evaluate it on its own columns: %s", pg.Message)
	}
	return s.oneByOne(tx, cond, names, types, rows)
}

// projection selects the candidates as columns of their types, named as the condition names them.
func projection(names, types []string, from string) string {
	cols := make([]string, len(names))
	for i := range names {
		cols[i] = fmt.Sprintf("c.c%d::%s AS %s", i, types[i], pgx.Identifier{names[i]}.Sanitize())
	}
	if len(cols) == 0 {
		return "SELECT c.i FROM " + from
	}
	return "SELECT c.i, " + strings.Join(cols, ", ") + " FROM " + from
}

// unnestOf is the candidates as a relation c(i, c0, c1, ...) from one text[] parameter per column.
func unnestOf(n int) string {
	if n == 0 {
		return "generate_series(1, $1::int) AS c(i)"
	}
	params, cols := make([]string, n), make([]string, n)
	for i := 0; i < n; i++ {
		params[i] = fmt.Sprintf("$%d::text[]", i+1)
		cols[i] = fmt.Sprintf("c%d", i)
	}
	return fmt.Sprintf("unnest(%s) WITH ORDINALITY AS c(%s, i)", strings.Join(params, ", "), strings.Join(cols, ", "))
}

func columnArgs(n int, rows [][]*string) []any {
	if n == 0 {
		return []any{len(rows)}
	}
	args := make([]any, n)
	for j := 0; j < n; j++ {
		col := make([]*string, len(rows))
		for i, r := range rows {
			col[i] = r[j]
		}
		args[j] = col
	}
	return args
}

func (s *Server) batch(tx pgx.Tx, cond string, names, types []string, rows [][]*string) ([]bool, error) {
	q := fmt.Sprintf("SELECT t.i FROM (%s) t WHERE (%s) IS NOT FALSE", projection(names, types, unnestOf(len(names))), cond)
	res, err := tx.Query(s.ctx, q, columnArgs(len(names), rows)...)
	if err != nil {
		return nil, err
	}
	return passedRows(res, len(rows))
}

// passedRows reads the ordinals (from 1) of the rows that passed.
func passedRows(res pgx.Rows, n int) ([]bool, error) {
	ids, err := pgx.CollectRows(res, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	passed := make([]bool, n)
	for _, i := range ids {
		if i >= 1 && i <= int64(n) {
			passed[i-1] = true
		}
	}
	return passed, nil
}

// oneByOne judges each row in a subtransaction of the server's own (a PL/pgSQL exception
// block): a row that raises an error does not pass. The candidates and the function live in
// pg_temp and vanish with the transaction's rollback.
func (s *Server) oneByOne(tx pgx.Tx, cond string, names, types []string, rows [][]*string) ([]bool, error) {
	cols := make([]string, len(names))
	for i := range names {
		cols[i] = fmt.Sprintf("c%d text", i)
	}
	create := "CREATE TEMP TABLE envmirror_oracle_candidates (i bigint" + strings.Join(append([]string{""}, cols...), ", ") + ")"
	insert := fmt.Sprintf("INSERT INTO envmirror_oracle_candidates SELECT c.* FROM (SELECT c.i%s FROM %s) c",
		columnList(len(names)), unnestOf(len(names)))
	probe := fmt.Sprintf("SELECT (%s) IS NOT FALSE FROM (%s) t", cond,
		projection(names, types, "pg_temp.envmirror_oracle_candidates c WHERE c.i = $1"))
	stmts := []string{create, insert, `CREATE FUNCTION pg_temp.envmirror_oracle_judge(probe text, n bigint) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
  k bigint;
  ok boolean;
BEGIN
  FOR k IN 1..n LOOP
    BEGIN
      EXECUTE probe INTO ok USING k;
      IF ok THEN
        RETURN NEXT k;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      NULL; -- refused by its type or by the condition: does not pass
    END;
  END LOOP;
END $$`}
	for i, q := range stmts {
		var args []any
		if i == 1 {
			args = columnArgs(len(names), rows)
		}
		if _, err := tx.Exec(s.ctx, q, args...); err != nil {
			return nil, fmt.Errorf("oracle: %w", err)
		}
	}
	res, err := tx.Query(s.ctx, "SELECT pg_temp.envmirror_oracle_judge($1, $2)", probe, int64(len(rows)))
	if err != nil {
		return nil, err
	}
	return passedRows(res, len(rows))
}

func columnList(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, ", c.c%d", i)
	}
	return b.String()
}

// isSchemaError says whether an error is about the query rather than a value: an unknown column
// or function, a syntax error.
func isSchemaError(pg *pgconn.PgError) bool {
	switch pg.Code {
	case "42703", "42883", "42601", "42P01", "42804", "42725":
		return true
	}
	return false
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
