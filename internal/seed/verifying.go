package seed

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/envmirror/envmirror/internal/seed/load"
	"github.com/envmirror/envmirror/internal/seed/plan"
)

// verifying checks each table's constraints on a connection of its own as soon as the table is
// loaded (committed), while the next tables load: verification reads every row again, and doing
// it alongside the load instead of after it takes it off the run's critical path. The first
// failure stops the load.
type verifying struct {
	v       *load.Verifier
	conn    *pgx.Conn
	queue   chan *plan.TablePlan
	done    chan struct{}
	stop    context.CancelFunc
	err     error
	seconds float64
}

func startVerifying(ctx context.Context, cfg *pgx.ConnConfig, v *load.Verifier, stopLoading context.CancelFunc) (*verifying, error) {
	conn, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	vf := &verifying{v: v, conn: conn, queue: make(chan *plan.TablePlan, 1024), done: make(chan struct{}), stop: stopLoading}
	go func() {
		defer close(vf.done)
		for tp := range vf.queue {
			if vf.err != nil {
				continue // drain
			}
			start := time.Now()
			if err := v.Table(ctx, conn, tp); err != nil {
				vf.err = err
				vf.stop()
			}
			vf.seconds += time.Since(start).Seconds()
		}
	}()
	return vf, nil
}

// loaded queues a committed table.
func (vf *verifying) loaded(tp *plan.TablePlan) { vf.queue <- tp }

// wait waits for the queued tables' checks and returns the first failure.
func (vf *verifying) wait() error {
	close(vf.queue)
	<-vf.done
	_ = vf.conn.Close(context.Background())
	return vf.err
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
