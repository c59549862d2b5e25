package controllers

import (
	"errors"
	"fmt"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
)

// The steps of a reconcile say how they ended with one of three outcomes, the way Flux's
// source-controller does (internal/error): nil (done), a *waiting (progress depends on
// something that takes time: requeue after a delay unless an event comes first), a *stalled
// (the spec or an input must change: no requeue; a watch wakes the environment when it does),
// or any other error (transient: controller-runtime retries with exponential backoff). One place,
// result, turns the outcomes of a reconcile into a ctrl.Result.

// stalled is a problem the operator cannot get past by retrying: a spec error, a refused
// source, a name collision. It names the condition it explains.
type stalled struct {
	condition, reason, message string
}

func (e *stalled) Error() string { return e.reason + ": " + e.message }

// stall reports a problem that needs a change of the spec or of a watched input.
func stall(condition, reason, format string, args ...any) error {
	return &stalled{condition: condition, reason: reason, message: fmt.Sprintf(format, args...)}
}

// waiting is progress that takes time; after is when to look again if no event comes first
// (0: an event will come).
type waiting struct {
	condition       string
	after           time.Duration
	reason, message string
	// blocks: the steps after this one need what it waits for.
	blocks bool
}

func (e *waiting) Error() string { return e.reason + ": " + e.message }

// wait reports that the environment waits for something; it is looked at again after d unless
// a watch wakes it first.
func wait(condition string, d time.Duration, reason, format string, args ...any) error {
	return &waiting{condition: condition, after: d, reason: reason, message: fmt.Sprintf(format, args...)}
}

// waitBlocking is wait for a step whose result later steps need (prod, the namespace).
func waitBlocking(condition string, d time.Duration, reason, format string, args ...any) error {
	return &waiting{condition: condition, after: d, reason: reason, message: fmt.Sprintf(format, args...), blocks: true}
}

// outcomes collects what the steps of one reconcile reported.
type outcomes struct {
	stalls []*stalled
	waits  []*waiting
	// err is the first transient error; the reconcile stops at it.
	err error
}

// record sorts a step's result into the outcomes and reports whether the reconcile may go on
// to steps that depend on this one.
func (o *outcomes) record(err error) bool {
	var s *stalled
	var w *waiting
	switch {
	case err == nil:
		return true
	case errors.As(err, &s):
		o.stalls = append(o.stalls, s)
		return false
	case errors.As(err, &w):
		o.waits = append(o.waits, w)
		return !w.blocks
	default:
		if o.err == nil {
			o.err = err
		}
		return false
	}
}

// stalledOn returns the stall explaining condition, if any.
func (o *outcomes) stalledOn(condition string) *stalled {
	for _, s := range o.stalls {
		if s.condition == condition {
			return s
		}
	}
	return nil
}

// waitingOn returns the first wait explaining condition, if any.
func (o *outcomes) waitingOn(condition string) *waiting {
	for _, w := range o.waits {
		if w.condition == condition {
			return w
		}
	}
	return nil
}

// soonestWait is the wait with the shortest positive delay (nil if none).
func (o *outcomes) soonestWait() *waiting {
	var best *waiting
	for _, w := range o.waits {
		if w.after > 0 && (best == nil || w.after < best.after) {
			best = w
		}
	}
	return best
}

// result turns the outcomes into what controller-runtime needs. A transient error is returned
// for exponential backoff (a RequeueAfter would override it); a stall requeues only for the
// expiry timer; otherwise the soonest wait, or the resync that re-reads prod for drift.
func (o *outcomes) result(resync, untilExpiry time.Duration) (ctrl.Result, error) {
	if o.err != nil {
		return ctrl.Result{}, o.err
	}
	after := time.Duration(0)
	if len(o.stalls) == 0 {
		after = resync
		if w := o.soonestWait(); w != nil && (after == 0 || w.after < after) {
			after = w.after
		}
	}
	if untilExpiry > 0 && (after == 0 || untilExpiry < after) {
		after = untilExpiry
	}
	return ctrl.Result{RequeueAfter: after}, nil
}
