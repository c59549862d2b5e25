package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/sleep"
)

// The sleep sub-reconciler. It runs right after the lifecycle stage, before prod is read:
// internal/sleep decides from spec.sleep (the override, the schedule, the idle rule) whether
// the copy sleeps. Asleep, it scales the copy's Deployments and StatefulSets (stand-ins too)
// to zero and suspends its CronJobs (sleep_scale.go), and the reconcile stops there: prod is
// not read, nothing is planned or applied, drift is not reported, and the next reconcile is at
// the next schedule edge or expiry. Volumes, Secrets, the keyring and seeded data are never
// touched, so waking restores each object's replicas as they were and the rest of the
// reconcile catches up with prod as followProd says, without seeding again.

// sleepScope is what the sleep stage decided and did.
type sleepScope struct {
	decision sleep.Decision
	// asleep: the copy sleeps, and the stages after this one do not run.
	asleep bool
	// deferred says why the copy stays awake although the rules say sleep (a seeding Job runs).
	deferred string
	// invalid says why spec.sleep could not be read (it is then ignored).
	invalid string
	// zone is the schedule's time zone, for what is shown to people.
	zone *time.Location
	// idleSignals says what the idle rule measures, or why it cannot.
	idleSignals string
	// lastActivity is the last activity the idle rule saw (zero without an idle rule).
	lastActivity time.Time
	// scaled counts what this reconcile scaled down or restored.
	scaled scaleCounts
}

// reconcileSleep decides and, asleep, scales the copy down; awake, it restores what sleeping
// scaled down.
func (r *MirrorEnvironmentReconciler) reconcileSleep(ctx context.Context, s *scope) error {
	env := s.env
	if env.DecodeError != "" {
		return nil // the spec is unknown; validate stalls the environment
	}
	if env.Spec.Sleep == nil && !wasAsleep(env) {
		return nil
	}
	sc := &sleepScope{zone: time.UTC}
	s.sleep = sc
	in := r.sleepInput(s, sc)
	sc.decision = sleep.Decide(in)
	if sc.decision.Asleep {
		if why := busyWithData(env); why != "" && !wasAsleep(env) {
			sc.deferred = why
		}
	}
	if sc.decision.Asleep && sc.deferred == "" {
		sc.asleep = true
		// Prod and the environment's inputs are not read while it sleeps: their watches go
		// (the last user of a namespace cache stops it), and waking reads them afresh.
		r.Clusters.Release(key(env))
		counts, err := r.scaleDown(ctx, s)
		sc.scaled = counts
		s.services = asleepServices(env.Status.Services)
		return err
	}
	counts, err := r.scaleUp(ctx, s)
	sc.scaled = counts
	return err
}

// sleepInput gathers what the decision needs: the override, the parsed schedule, and what the
// idle rule measured.
func (r *MirrorEnvironmentReconciler) sleepInput(s *scope, sc *sleepScope) sleep.Input {
	in := sleep.Input{Now: s.now}
	spec := s.env.Spec.Sleep
	if spec == nil {
		return in
	}
	if o := spec.Override; o != nil {
		in.Override = &sleep.Override{Asleep: o.State == v1alpha1.SleepAsleep}
		if o.Until != nil {
			in.Override.Until = o.Until.Time
		}
	}
	var problems []string
	if sched := spec.Schedule; sched != nil {
		windows := make([]sleep.WindowSpec, 0, len(sched.Awake))
		for _, w := range sched.Awake {
			windows = append(windows, sleep.WindowSpec{Days: w.Days, From: w.From, To: w.To})
		}
		parsed, err := sleep.ParseSchedule(sched.TimeZone, windows)
		if err != nil {
			problems = append(problems, "spec.sleep.schedule: "+strings.ReplaceAll(err.Error(), "\n", "; "))
		} else {
			in.Schedule, sc.zone = parsed, parsed.Location
		}
	}
	if spec.IdleAfter != nil {
		after, err := spec.IdleAfter.Parse()
		if err != nil || after < 10*time.Minute {
			problems = append(problems, fmt.Sprintf("spec.sleep.idleAfter %q is not a duration of at least 10m", string(*spec.IdleAfter)))
		} else {
			in.Idle = r.idleInput(s, after)
			sc.idleSignals, sc.lastActivity = in.Idle.Why, in.Idle.LastActivity
			if in.Idle.Measured {
				sc.idleSignals = r.Activity.Signals()
			}
		}
	}
	// A rule that cannot be read is left out (and reported); the others still apply.
	sc.invalid = strings.Join(problems, "; ")
	return in
}

// wasAsleep reports whether the last reconcile left the copy asleep.
func wasAsleep(env *v1alpha1.MirrorEnvironment) bool {
	return env.Status.Sleep != nil && env.Status.Sleep.State == v1alpha1.SleepAsleep
}

// busyWithData says why the copy must not be scaled away now: a Job writes into one of its
// databases (seeding, prod's schema, a stand-in's definitions), and would fail with the
// database gone; a seeding that failed is not retried until the data spec changes.
func busyWithData(env *v1alpha1.MirrorEnvironment) string {
	for _, d := range env.Status.Data {
		if d.Phase == v1alpha1.DataSeeding || d.Phase == v1alpha1.DataApplyingSchema {
			return "database " + d.Name + " is being seeded"
		}
	}
	for _, d := range env.Status.Dependencies {
		if !d.Ready && d.Reason == v1alpha1.ReasonProgressing {
			return "dependency " + d.Name + " is being set up by a Job"
		}
	}
	return ""
}

// asleepServices is the copy's services as status shows them while asleep: none ready.
func asleepServices(prev []v1alpha1.ServiceStatus) []v1alpha1.ServiceStatus {
	out := make([]v1alpha1.ServiceStatus, len(prev))
	for i, sv := range prev {
		sv.Ready = false
		sv.Message = "asleep (scaled to zero)"
		out[i] = sv
	}
	return out
}

// asleep reports whether the copy sleeps: the stages after the sleep stage do not run.
func (s *scope) asleep() bool { return s.sleep != nil && s.sleep.asleep }

// resyncUnlessAsleep is the resync (prod re-read without events), or none while the copy
// sleeps: prod is read again when it wakes.
func (s *scope) resyncUnlessAsleep(resync time.Duration) time.Duration {
	if s.asleep() {
		return 0
	}
	return resync
}

// untilTimer is how long until the environment must be looked at although nothing happened:
// its expiry, or the moment spec.sleep may decide otherwise (0: neither).
func (s *scope) untilTimer() time.Duration {
	d := s.untilExpiry()
	if s.sleep == nil || s.sleep.decision.Recheck.IsZero() {
		return d
	}
	until := s.sleep.decision.Recheck.Sub(s.now)
	if until <= 0 {
		until = time.Second
	}
	if d == 0 || until < d {
		return until
	}
	return d
}

// sleepEvents records the transitions of this reconcile.
func sleepEvents(s *scope, was v1alpha1.SleepState) {
	sc := s.sleep
	switch c := sc.scaled; {
	case sc.asleep && was != v1alpha1.SleepAsleep:
		s.w.event(s.env, corev1.EventTypeNormal, v1alpha1.ReasonSleeping, "Sleep", "%s; scaled to zero: %s", sc.decision.Message, c)
	case !sc.asleep && was == v1alpha1.SleepAsleep:
		s.w.event(s.env, corev1.EventTypeNormal, v1alpha1.ReasonWaking, "Wake", "waking (%s); restored: %s", sc.decision.Message, c)
	case c.total() > 0 && sc.asleep:
		s.w.event(s.env, corev1.EventTypeWarning, "CopyEdited", "Sleep", "scaled back to zero what was started in the sleeping copy: %s", c)
	}
}
