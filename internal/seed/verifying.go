package seed

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/load"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// verifying checks each table's constraints, on connections of its own, as soon as the table and
// the tables it references are loaded (committed), while the other tables load: verification
// reads every row again, and doing it alongside the load instead of after it takes it off the
// run's critical path. A table's checks are independent queries and run in parallel. The first
// violation stops the load.
type verifying struct {
	v        *load.Verifier
	conns    []*pgx.Conn
	tasks    taskQueue
	wg       sync.WaitGroup
	stop     context.CancelFunc
	mu       sync.Mutex
	failures []string
	err      error
	busy     time.Duration // time spent in checks, summed over connections
	// committed and waiting belong to the goroutine that reports loaded tables.
	committed map[*plan.TablePlan]bool
	waiting   []*plan.TablePlan
}

// task is a unit of verification work.
type task func(ctx context.Context, conn *pgx.Conn) (failures []string, err error)

func startVerifying(ctx context.Context, cfg *pgx.ConnConfig, v *load.Verifier, n int, stopLoading context.CancelFunc) (*verifying, error) {
	vf := &verifying{v: v, stop: stopLoading, committed: map[*plan.TablePlan]bool{}}
	vf.tasks.cond = sync.NewCond(&vf.tasks.mu)
	for len(vf.conns) < n {
		conn, err := connect(ctx, cfg)
		if err == nil {
			err = load.Session(ctx, conn)
		}
		if err != nil {
			closeAll(ctx, vf.conns)
			return nil, err
		}
		vf.conns = append(vf.conns, conn)
	}
	for _, conn := range vf.conns {
		vf.wg.Add(1)
		go vf.work(ctx, conn)
	}
	return vf, nil
}

func (vf *verifying) work(ctx context.Context, conn *pgx.Conn) {
	defer vf.wg.Done()
	for {
		t, ok := vf.tasks.pop()
		if !ok {
			return
		}
		vf.mu.Lock()
		failed := vf.err != nil || len(vf.failures) > 0
		vf.mu.Unlock()
		if !failed { // once failed, drain: the run fails anyway
			start := time.Now()
			failures, err := t(ctx, conn)
			vf.mu.Lock()
			vf.busy += time.Since(start)
			vf.failures = append(vf.failures, failures...)
			if err != nil && vf.err == nil {
				vf.err = err
			}
			if vf.err != nil || len(vf.failures) > 0 {
				vf.stop()
			}
			vf.mu.Unlock()
		}
		vf.tasks.done()
	}
}

// loaded hands over a committed table: it is verified once the tables it references are
// committed too.
func (vf *verifying) loaded(tp *plan.TablePlan) {
	vf.committed[tp] = true
	vf.waiting = append(vf.waiting, tp)
	still := vf.waiting[:0]
	for _, w := range vf.waiting {
		if !vf.parentsCommitted(w) {
			still = append(still, w)
			continue
		}
		for _, c := range vf.v.TableChecks(w) {
			vf.tasks.push(task(c))
		}
	}
	vf.waiting = still
}

func (vf *verifying) parentsCommitted(tp *plan.TablePlan) bool {
	for _, d := range tp.Deps {
		if !vf.committed[d] {
			return false
		}
	}
	return true
}

// finish runs more checks (those left for the end) on the same connections, waits for every
// queued check and returns the violations found.
func (vf *verifying) finish(more []load.Check) error {
	for _, c := range more {
		vf.tasks.push(task(c))
	}
	return vf.wait()
}

// wait waits for the queued checks, closes the connections and returns the first error, or
// the violations found.
func (vf *verifying) wait() error {
	vf.tasks.close()
	vf.wg.Wait()
	closeAll(context.Background(), vf.conns)
	if vf.err != nil {
		return vf.err
	}
	return load.Failed(vf.failures)
}

// taskQueue is an unbounded queue (queueing never blocks the load) whose consumers stop once it
// is closed, empty, and no task is running.
type taskQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	items   []task
	running int
	closed  bool
}

func (q *taskQueue) push(t task) {
	q.mu.Lock()
	q.items = append(q.items, t)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *taskQueue) pop() (task, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !(q.closed && q.running == 0) {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return nil, false
	}
	t := q.items[0]
	q.items = q.items[1:]
	q.running++
	return t, true
}

// done says a popped task has finished.
func (q *taskQueue) done() {
	q.mu.Lock()
	q.running--
	q.mu.Unlock()
	q.cond.Broadcast()
}

func (q *taskQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// verifyingProgress reports progress and hands each loaded table to the verifier.
type verifyingProgress struct {
	*events
	vf *verifying
}

func (p *verifyingProgress) TableDone(r load.Result) {
	p.events.TableDone(r)
	p.vf.loaded(r.Plan)
}
