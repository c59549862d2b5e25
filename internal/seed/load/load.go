package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/plan"

	"github.com/jackc/pgx/v5"
)

// rowReader streams a table's rows in COPY text format, generating them as COPY reads: a big
// table never sits in memory.
type rowReader struct {
	ctx   context.Context
	gens  []gen.ValueGen
	row   int64
	rows  int64
	buf   []byte
	off   int
	count int64 // rows handed out, for progress
}

const rowChunk = 64 << 10

func NewRowReader(ctx context.Context, recipes []gen.Recipe, rows int64) *rowReader {
	ic := gen.NewInstContext()
	gens := make([]gen.ValueGen, len(recipes))
	for i, r := range recipes {
		gens[i] = ic.Gen(r)
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
		dst = g.AppendValue(dst, row)
	}
	return append(dst, '\n')
}

func copySQL(t string, cols []*catalog.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Ident()
	}
	return fmt.Sprintf("COPY %s (%s) FROM STDIN", t, strings.Join(names, ", "))
}

// CopyTable fills one table with a single COPY (one statement, so one transaction: a failure
// leaves the table as the TRUNCATE left it). A table no foreign key references (and not
// partitioned) is emptied again in the COPY's own transaction and loaded with COPY FREEZE: its
// rows are written frozen and its pages marked all-visible, so reading them back (verification,
// the first queries of the application) neither sets hint bits nor looks up transaction status.
func CopyTable(ctx context.Context, conn *pgx.Conn, tp *plan.TablePlan, deferredInline bool, freeze bool) error {
	if tp.Rows == 0 || len(tp.Columns) == 0 {
		if tp.Rows > 0 {
			return fmt.Errorf("%s: no column can be generated, so no rows can be written", tp.Table.QualifiedName())
		}
		return nil
	}
	reader := NewRowReader(ctx, tp.RecipesFor(deferredInline), tp.Rows)
	copyStmt := copySQL(tp.Table.Ident(), tp.Columns)
	if freeze {
		if _, err := conn.Exec(ctx, "BEGIN; TRUNCATE ONLY "+tp.Table.Ident()); err != nil {
			// Something the plan does not know of refers to the table: load it plainly.
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
			freeze = false
		} else {
			copyStmt += " (FREEZE)"
		}
	}
	tag, err := conn.PgConn().CopyFrom(ctx, reader, copyStmt)
	if err == nil && freeze {
		_, err = conn.Exec(ctx, "COMMIT")
	}
	if err != nil {
		if freeze {
			_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return loadError(ctx, tp.Table, "loading", err)
	}
	if tag.RowsAffected() != tp.Rows {
		return fmt.Errorf("loading %s: COPY wrote %d rows, %d were generated", tp.Table.QualifiedName(), tag.RowsAffected(), tp.Rows)
	}
	return nil
}

// SetDeferred runs the second pass of a foreign key that closes a cycle: the keys and the new
// foreign key values go to a temporary table by COPY, and one UPDATE joins them in.
func SetDeferred(ctx context.Context, conn *pgx.Conn, tp *plan.TablePlan, d *plan.DeferredFK) error {
	if tp.Rows == 0 {
		return nil
	}
	t := tp.Table
	var cols []*catalog.Column
	cols = append(cols, d.Key...)
	cols = append(cols, d.FK.Columns...)
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
			return loadError(ctx, t, "preparing foreign key "+d.FK.Name+" of", err)
		}
	}
	recipes := append(append([]gen.Recipe(nil), d.KeyRecipes...), d.FKRecipes...)
	if _, err := conn.PgConn().CopyFrom(ctx, NewRowReader(ctx, recipes, tp.Rows), copySQL("pg_temp."+tmp, cols)); err != nil {
		return loadError(ctx, t, "setting foreign key "+d.FK.Name+" of", err)
	}
	// Without statistics the planner guesses the temporary table is small and may loop over it.
	if _, err := conn.Exec(ctx, "ANALYZE pg_temp."+tmp); err != nil {
		return loadError(ctx, t, "setting foreign key "+d.FK.Name+" of", err)
	}
	var set, match []string
	for _, c := range d.FK.Columns {
		set = append(set, fmt.Sprintf("%s = d.%s", c.Ident(), c.Ident()))
	}
	for _, c := range d.Key {
		match = append(match, fmt.Sprintf("t.%s = d.%s", c.Ident(), c.Ident()))
	}
	update := fmt.Sprintf("UPDATE %s AS t SET %s FROM pg_temp.%s AS d WHERE %s",
		t.Ident(), strings.Join(set, ", "), tmp, strings.Join(match, " AND "))
	tag, err := conn.Exec(ctx, update)
	if err != nil {
		return loadError(ctx, t, "setting foreign key "+d.FK.Name+" of", err)
	}
	if tag.RowsAffected() != tp.Rows {
		return fmt.Errorf("setting foreign key %s of %s: matched %d of %d rows by %s",
			d.FK.Name, t.QualifiedName(), tag.RowsAffected(), tp.Rows, catalog.DescribeColumns(d.Key))
	}
	_, err = conn.Exec(ctx, "DROP TABLE pg_temp."+tmp)
	return err
}

// AdvanceSequences moves the sequences behind generated keys past the largest key, so the
// application's next insert does not collide.
func AdvanceSequences(ctx context.Context, conn *pgx.Conn, tp *plan.TablePlan) error {
	for _, s := range tp.Sequences {
		if s.Column.SeqIncrement < 0 {
			continue
		}
		q := fmt.Sprintf("SELECT setval(to_regclass($1), m) FROM (SELECT max(%s) AS m FROM %s) s WHERE m IS NOT NULL",
			s.Column.Ident(), tp.Table.Ident())
		if _, err := conn.Exec(ctx, q, s.Sequence); err != nil {
			return fmt.Errorf("advancing sequence %s past %s: %w", s.Sequence, s.Column, err)
		}
	}
	return nil
}

// TruncateAll empties the tables to seed, so a rerun after a failure starts clean.
func TruncateAll(ctx context.Context, conn *pgx.Conn, p *plan.Plan) error {
	if len(p.Tables) == 0 {
		return nil
	}
	names := make([]string, len(p.Tables))
	for i, tp := range p.Tables {
		names[i] = tp.Table.Ident()
	}
	if _, err := conn.Exec(ctx, "TRUNCATE "+strings.Join(names, ", ")+" RESTART IDENTITY CASCADE"); err != nil {
		return fmt.Errorf("emptying the tables before seeding: %s", DescribeError(err))
	}
	return nil
}

type Result struct {
	Plan    *plan.TablePlan
	Seconds float64
	Err     error
}

// All loads the tables with a pool of connections, each table as soon as the tables it
// references are committed. The first error stops the scheduling; tables already loading finish
// or are cancelled.
// Progress hears of each table as it starts and finishes loading.
type Progress interface {
	TableStarted(tp *plan.TablePlan)
	TableDone(r Result)
}

// With deferredInline the sessions do not check foreign keys while loading (triggers are off):
// a table then need not wait for the tables it references, so every table is ready at once (see
// biggestFirst). Otherwise a table waits for its parents to commit.
func All(ctx context.Context, conns []*pgx.Conn, p *plan.Plan, deferredInline bool, ev Progress) ([]Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waiting := map[*plan.TablePlan]int{}
	dependents := map[*plan.TablePlan][]*plan.TablePlan{}
	order := append([]*plan.TablePlan(nil), p.Tables...)
	if deferredInline {
		order = biggestFirst(p.Tables)
	} else {
		for _, tp := range p.Tables {
			waiting[tp] = len(tp.Deps)
			for _, d := range tp.Deps {
				dependents[d] = append(dependents[d], tp)
			}
		}
	}
	ready := make(chan *plan.TablePlan, len(p.Tables))
	done := make(chan Result, len(p.Tables))
	freeze := unreferenced(p)
	for _, conn := range conns {
		go func(conn *pgx.Conn) {
			for tp := range ready {
				ev.TableStarted(tp)
				start := time.Now()
				err := CopyTable(ctx, conn, tp, deferredInline, freeze[tp])
				done <- Result{Plan: tp, Seconds: time.Since(start).Seconds(), Err: err}
			}
		}(conn)
	}
	inFlight := 0
	for _, tp := range order {
		if waiting[tp] == 0 {
			ready <- tp
			inFlight++
		}
	}
	var results []Result
	var firstErr error
	for inFlight > 0 {
		res := <-done
		inFlight--
		if res.Err != nil {
			if firstErr == nil || errors.Is(firstErr, context.Canceled) {
				firstErr = res.Err
			}
			cancel()
			continue
		}
		results = append(results, res)
		ev.TableDone(res)
		if firstErr != nil {
			continue
		}
		for _, dep := range dependents[res.Plan] {
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
	if len(results) != len(p.Tables) {
		return results, fmt.Errorf("internal error: loaded %d of %d tables", len(results), len(p.Tables))
	}
	return results, nil
}

// unreferenced are the tables COPY FREEZE can load: not partitioned, and referenced by no
// foreign key but their own (emptying a table in the COPY's transaction, which FREEZE needs, is
// refused while another table references it).
func unreferenced(p *plan.Plan) map[*plan.TablePlan]bool {
	referenced := map[*catalog.Table]bool{}
	for _, tp := range p.Tables {
		for _, fk := range tp.Table.ForeignKeys {
			if fk.RefTable != tp.Table {
				referenced[fk.RefTable] = true
			}
		}
	}
	out := map[*plan.TablePlan]bool{}
	for _, tp := range p.Tables {
		out[tp] = !referenced[tp.Table] && !tp.Table.Partitioned
	}
	return out
}

// biggestFirst orders tables that may load at once: the biggest first, on a connection of its
// own for most of the load; then the tables it references, directly or not, so they are
// committed (and the biggest can be verified) by the time it is; then the others. Within each
// group, bigger tables first, so the connections finish together.
func biggestFirst(tables []*plan.TablePlan) []*plan.TablePlan {
	if len(tables) == 0 {
		return nil
	}
	biggest := tables[0]
	for _, tp := range tables {
		if tp.Rows > biggest.Rows {
			biggest = tp
		}
	}
	ancestors := map[*plan.TablePlan]bool{}
	var mark func(tp *plan.TablePlan)
	mark = func(tp *plan.TablePlan) {
		for _, d := range tp.Deps {
			if !ancestors[d] {
				ancestors[d] = true
				mark(d)
			}
		}
	}
	mark(biggest)
	order := []*plan.TablePlan{biggest}
	for _, first := range []bool{true, false} {
		var group []*plan.TablePlan
		for _, tp := range tables {
			if tp != biggest && ancestors[tp] == first {
				group = append(group, tp)
			}
		}
		sort.SliceStable(group, func(i, j int) bool { return group[i].Rows > group[j].Rows })
		order = append(order, group...)
	}
	return order
}
