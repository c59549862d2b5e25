package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// rowReader streams a table's rows in COPY text format, generating them as COPY reads: a big
// table never sits in memory.
type rowReader struct {
	ctx   context.Context
	gens  []valueGen
	row   int64
	rows  int64
	buf   []byte
	off   int
	count int64 // rows handed out, for progress
}

const rowChunk = 64 << 10

func newRowReader(ctx context.Context, recipes []recipe, rows int64) *rowReader {
	ic := newInstContext()
	gens := make([]valueGen, len(recipes))
	for i, r := range recipes {
		gens[i] = ic.gen(r)
	}
	return &rowReader{ctx: ctx, gens: gens, rows: rows, buf: make([]byte, 0, rowChunk+4096)}
}

func (r *rowReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if r.off < len(r.buf) {
			c := copy(p[n:], r.buf[r.off:])
			n += c
			r.off += c
			continue
		}
		if r.row >= r.rows {
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		if err := r.ctx.Err(); err != nil {
			return n, err
		}
		r.fill()
	}
	return n, nil
}

func (r *rowReader) fill() {
	r.buf, r.off = r.buf[:0], 0
	for len(r.buf) < rowChunk && r.row < r.rows {
		r.buf = r.appendRow(r.buf, r.row)
		r.row++
	}
	r.count = r.row
}

func (r *rowReader) appendRow(dst []byte, row int64) []byte {
	for i, g := range r.gens {
		if i > 0 {
			dst = append(dst, '\t')
		}
		dst = g.appendValue(dst, row)
	}
	return append(dst, '\n')
}

func copySQL(t string, cols []*Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Ident()
	}
	return fmt.Sprintf("COPY %s (%s) FROM STDIN", t, strings.Join(names, ", "))
}

// recipesFor returns the recipes of the COPY columns. With triggers off (no foreign key checks
// while loading) the foreign keys closing a cycle are written right away, with the values the
// second pass would set; otherwise they are NULL until setDeferred.
func (tp *tablePlan) recipesFor(deferredInline bool) []recipe {
	if !deferredInline || len(tp.deferred) == 0 {
		return tp.recipes
	}
	inline := map[*Column]recipe{}
	for _, d := range tp.deferred {
		for i, c := range d.fk.Columns {
			inline[c] = d.fkRecipes[i]
		}
	}
	out := append([]recipe(nil), tp.recipes...)
	for i, c := range tp.columns {
		if r, ok := inline[c]; ok {
			out[i] = r
		}
	}
	return out
}

// loadTable fills one table with a single COPY (one statement, so one transaction: a failure
// leaves the table as the TRUNCATE left it).
func loadTable(ctx context.Context, conn *pgx.Conn, tp *tablePlan, deferredInline bool) error {
	if tp.rows == 0 || len(tp.columns) == 0 {
		if tp.rows > 0 {
			return fmt.Errorf("%s: no column can be generated, so no rows can be written", tp.table.QualifiedName())
		}
		return nil
	}
	reader := newRowReader(ctx, tp.recipesFor(deferredInline), tp.rows)
	tag, err := conn.PgConn().CopyFrom(ctx, reader, copySQL(tp.table.Ident(), tp.columns))
	if err != nil {
		return loadError(ctx, tp.table, "loading", err)
	}
	if tag.RowsAffected() != tp.rows {
		return fmt.Errorf("loading %s: COPY wrote %d rows, %d were generated", tp.table.QualifiedName(), tag.RowsAffected(), tp.rows)
	}
	return nil
}

// setDeferred runs the second pass of a foreign key that closes a cycle: the keys and the new
// foreign key values go to a temporary table by COPY, and one UPDATE joins them in.
func setDeferred(ctx context.Context, conn *pgx.Conn, tp *tablePlan, d *deferredFK) error {
	if tp.rows == 0 {
		return nil
	}
	t := tp.table
	var cols []*Column
	cols = append(cols, d.key...)
	cols = append(cols, d.fk.Columns...)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Ident()
	}
	const tmp = "envmirror_seed_deferred"
	stmts := []string{
		"DROP TABLE IF EXISTS pg_temp." + tmp,
		fmt.Sprintf("CREATE TEMP TABLE %s AS SELECT %s FROM %s WITH NO DATA", tmp, strings.Join(names, ", "), t.Ident()),
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return loadError(ctx, t, "preparing foreign key "+d.fk.Name+" of", err)
		}
	}
	recipes := append(append([]recipe(nil), d.keyRecipes...), d.fkRecipes...)
	if _, err := conn.PgConn().CopyFrom(ctx, newRowReader(ctx, recipes, tp.rows), copySQL("pg_temp."+tmp, cols)); err != nil {
		return loadError(ctx, t, "setting foreign key "+d.fk.Name+" of", err)
	}
	// Without statistics the planner guesses the temporary table is small and may loop over it.
	if _, err := conn.Exec(ctx, "ANALYZE pg_temp."+tmp); err != nil {
		return loadError(ctx, t, "setting foreign key "+d.fk.Name+" of", err)
	}
	var set, match []string
	for _, c := range d.fk.Columns {
		set = append(set, fmt.Sprintf("%s = d.%s", c.Ident(), c.Ident()))
	}
	for _, c := range d.key {
		match = append(match, fmt.Sprintf("t.%s = d.%s", c.Ident(), c.Ident()))
	}
	update := fmt.Sprintf("UPDATE %s AS t SET %s FROM pg_temp.%s AS d WHERE %s",
		t.Ident(), strings.Join(set, ", "), tmp, strings.Join(match, " AND "))
	tag, err := conn.Exec(ctx, update)
	if err != nil {
		return loadError(ctx, t, "setting foreign key "+d.fk.Name+" of", err)
	}
	if tag.RowsAffected() != tp.rows {
		return fmt.Errorf("setting foreign key %s of %s: matched %d of %d rows by %s",
			d.fk.Name, t.QualifiedName(), tag.RowsAffected(), tp.rows, describeColumns(d.key))
	}
	_, err = conn.Exec(ctx, "DROP TABLE pg_temp."+tmp)
	return err
}

// advanceSequences moves the sequences behind generated keys past the largest key, so the
// application's next insert does not collide.
func advanceSequences(ctx context.Context, conn *pgx.Conn, tp *tablePlan) error {
	for _, s := range tp.sequences {
		if s.column.SeqIncrement < 0 {
			continue
		}
		q := fmt.Sprintf("SELECT setval(to_regclass($1), m) FROM (SELECT max(%s) AS m FROM %s) s WHERE m IS NOT NULL",
			s.column.Ident(), tp.table.Ident())
		if _, err := conn.Exec(ctx, q, s.sequence); err != nil {
			return fmt.Errorf("advancing sequence %s past %s: %w", s.sequence, s.column, err)
		}
	}
	return nil
}

// truncateAll empties the tables to seed, so a rerun after a failure starts clean.
func truncateAll(ctx context.Context, conn *pgx.Conn, p *plan) error {
	if len(p.tables) == 0 {
		return nil
	}
	names := make([]string, len(p.tables))
	for i, tp := range p.tables {
		names[i] = tp.table.Ident()
	}
	if _, err := conn.Exec(ctx, "TRUNCATE "+strings.Join(names, ", ")+" RESTART IDENTITY CASCADE"); err != nil {
		return fmt.Errorf("emptying the tables before seeding: %s", describeError(err))
	}
	return nil
}

type tableResult struct {
	tp      *tablePlan
	seconds float64
	err     error
}

// loadAll loads the tables with a pool of connections, each table as soon as the tables it
// references are committed. The first error stops the scheduling; tables already loading finish
// or are cancelled.
func loadAll(ctx context.Context, conns []*pgx.Conn, p *plan, deferredInline bool, ev *events) ([]tableResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waiting := map[*tablePlan]int{}
	dependents := map[*tablePlan][]*tablePlan{}
	for _, tp := range p.tables {
		waiting[tp] = len(tp.deps)
		for _, d := range tp.deps {
			dependents[d] = append(dependents[d], tp)
		}
	}
	ready := make(chan *tablePlan, len(p.tables))
	done := make(chan tableResult, len(p.tables))
	for _, conn := range conns {
		go func(conn *pgx.Conn) {
			for tp := range ready {
				ev.tableStarted(tp)
				start := time.Now()
				err := loadTable(ctx, conn, tp, deferredInline)
				done <- tableResult{tp: tp, seconds: time.Since(start).Seconds(), err: err}
			}
		}(conn)
	}
	inFlight := 0
	for _, tp := range p.tables {
		if waiting[tp] == 0 {
			ready <- tp
			inFlight++
		}
	}
	var results []tableResult
	var firstErr error
	for inFlight > 0 {
		res := <-done
		inFlight--
		if res.err != nil {
			if firstErr == nil || errors.Is(firstErr, context.Canceled) {
				firstErr = res.err
			}
			cancel()
			continue
		}
		results = append(results, res)
		ev.tableDone(res)
		if firstErr != nil {
			continue
		}
		for _, dep := range dependents[res.tp] {
			waiting[dep]--
			if waiting[dep] == 0 {
				ready <- dep
				inFlight++
			}
		}
	}
	close(ready)
	if firstErr != nil {
		return results, firstErr
	}
	if len(results) != len(p.tables) {
		return results, fmt.Errorf("internal error: loaded %d of %d tables", len(results), len(p.tables))
	}
	return results, nil
}
