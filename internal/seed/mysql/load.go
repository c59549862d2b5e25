package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/load"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// quote is a MySQL identifier in backquotes.
func quote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// Session prepares a loading or checking connection: foreign keys are not checked while loading
// (verification checks them after), times are UTC as the generator writes them, and the SQL
// mode is strict so that a value the column does not take is an error, not a quiet change.
func Session(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0, unique_checks = 1, time_zone = '+00:00', "+
		"sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'")
	return err
}

// loadSQL is the LOAD DATA statement of a table: the generator's text (COPY's format: tab
// separated, backslash escapes, \N for NULL) into the columns, through a variable and the SET
// clause for the columns whose text differs (see conversion).
func loadSQL(s *Schema, tp *plan.TablePlan, reader string) string {
	targets := make([]string, len(tp.Columns))
	var sets []string
	for i, c := range tp.Columns {
		conv, ok := s.Conversions[c]
		if !ok {
			targets[i] = quote(c.Name)
			continue
		}
		v := fmt.Sprintf("@v%d", i)
		targets[i] = v
		sets = append(sets, quote(c.Name)+" = "+fmt.Sprintf(string(conv), v))
	}
	q := fmt.Sprintf("LOAD DATA LOCAL INFILE 'Reader::%s' INTO TABLE %s CHARACTER SET utf8mb4 "+
		"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (%s)", reader, quote(tp.Table.Name), strings.Join(targets, ", "))
	if len(sets) > 0 {
		q += " SET " + strings.Join(sets, ", ")
	}
	return q
}

var readerSeq atomic.Int64

// loadTable streams a table's rows into LOAD DATA LOCAL INFILE and refuses any warning: a
// LOCAL load turns errors (a duplicate key, a value the column does not take) into warnings and
// goes on, so a warning is a failure here.
func loadTable(ctx context.Context, conn *sql.Conn, s *Schema, tp *plan.TablePlan) error {
	name := fmt.Sprintf("envmirror-%d", readerSeq.Add(1))
	mysqldriver.RegisterReaderHandler(name, func() io.Reader {
		return load.NewRowReader(ctx, tp.RecipesFor(true), tp.Rows)
	})
	defer mysqldriver.DeregisterReaderHandler(name)
	res, err := conn.ExecContext(ctx, loadSQL(s, tp, name))
	if err != nil {
		return fmt.Errorf("loading %s: %w", tp.Table.Name, err)
	}
	if warnings := showWarnings(ctx, conn); len(warnings) > 0 {
		return fmt.Errorf("loading %s: the server changed or skipped rows: %s", tp.Table.Name, strings.Join(warnings, "; "))
	}
	if n, err := res.RowsAffected(); err == nil && n != tp.Rows {
		return fmt.Errorf("loading %s: %d rows were written, %d were generated", tp.Table.Name, n, tp.Rows)
	}
	return nil
}

func showWarnings(ctx context.Context, conn *sql.Conn) []string {
	rows, err := conn.QueryContext(ctx, "SHOW WARNINGS LIMIT 3")
	if err != nil {
		return []string{err.Error()}
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var level, message string
		var code int
		if err := rows.Scan(&level, &code, &message); err != nil {
			return append(out, err.Error())
		}
		out = append(out, fmt.Sprintf("%s %d: %s", level, code, message))
	}
	return out
}

// loadAll loads every table over conns, biggest first (foreign keys are not checked while
// loading, so the order does not matter), calling done after each.
func loadAll(ctx context.Context, conns []*sql.Conn, s *Schema, p *plan.Plan, done func(tp *plan.TablePlan, seconds float64)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan *plan.TablePlan, len(p.Tables))
	for _, tp := range biggestFirst(p.Tables) {
		queue <- tp
	}
	close(queue)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Add(1)
		go func(conn *sql.Conn) {
			defer wg.Done()
			for tp := range queue {
				start := time.Now()
				err := loadTable(ctx, conn, s, tp)
				mu.Lock()
				if err != nil && (firstErr == nil || errors.Is(firstErr, context.Canceled)) {
					firstErr = err
					cancel()
				}
				if err == nil {
					done(tp, time.Since(start).Seconds())
				}
				mu.Unlock()
			}
		}(conn)
	}
	wg.Wait()
	return firstErr
}

func biggestFirst(tables []*plan.TablePlan) []*plan.TablePlan {
	out := append([]*plan.TablePlan(nil), tables...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rows > out[j].Rows })
	return out
}

// truncateAll empties the tables (foreign keys unchecked, so in any order).
func truncateAll(ctx context.Context, conn *sql.Conn, tables []*catalog.Table) error {
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, "TRUNCATE TABLE "+quote(t.Name)); err != nil {
			return fmt.Errorf("emptying %s: %w", t.Name, err)
		}
	}
	return nil
}
