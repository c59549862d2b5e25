package sleep

import (
	"fmt"
	"time"
)

// Reasons a decision gives, used as the Sleeping condition's reason.
const (
	// ReasonByHand: kubectl mirror sleep or wake (spec.sleep.override) decides.
	ReasonByHand = "ByHand"
	// ReasonSchedule: outside the schedule's awake windows.
	ReasonSchedule = "Schedule"
	// ReasonIdle: no activity for spec.sleep.idleAfter.
	ReasonIdle = "Idle"
	// ReasonAwake: awake by the rules.
	ReasonAwake = "Awake"
	// ReasonIdleNotMeasured: awake because the idle rule cannot be applied: what it needs
	// cannot be measured, and the environment does not sleep on a guess.
	ReasonIdleNotMeasured = "IdleNotMeasured"
)

// Override is spec.sleep.override: asleep or awake by hand, until a time (zero: until changed).
type Override struct {
	Asleep bool
	Until  time.Time
}

// Idle is the idle rule and what was measured for it.
type Idle struct {
	// After is spec.sleep.idleAfter (0: no idle rule).
	After time.Duration
	// Measured: the signals the rule needs could be read; Why says what is missing when not.
	Measured bool
	Why      string
	// LastActivity is the last activity seen (a request, a spec change, a kubectl mirror
	// command), or when the environment last woke, whichever is later.
	LastActivity time.Time
}

// Input is everything a decision depends on.
type Input struct {
	Now      time.Time
	Override *Override
	Schedule *Schedule
	Idle     Idle
}

// Decision is whether the environment sleeps now, why, and when that may change.
type Decision struct {
	Asleep  bool
	Reason  string
	Message string
	// Recheck is when to decide again although nothing happened (zero: only when something
	// changes: the spec, activity).
	Recheck time.Time
	// Change is the next time the state is known to change (zero: not known, or never), to the
	// opposite of Asleep.
	Change time.Time
}

// Decide applies the rules in order: the override while it lasts, then the schedule, then the
// idle rule; otherwise the environment is awake.
func Decide(in Input) Decision {
	if o := in.Override; o != nil && (o.Until.IsZero() || in.Now.Before(o.Until)) {
		return byHand(in, *o)
	}
	return automatic(in)
}

func byHand(in Input, o Override) Decision {
	d := Decision{Asleep: o.Asleep, Reason: ReasonByHand, Recheck: o.Until}
	state := "awake"
	if o.Asleep {
		state = "asleep"
	}
	if o.Until.IsZero() {
		d.Message = state + " by hand (spec.sleep.override) until woken or put to sleep again"
		return d
	}
	// What the rules will say when the override ends.
	then := in
	then.Now, then.Override = o.Until, nil
	after := automatic(then)
	d.Message = fmt.Sprintf("%s by hand (spec.sleep.override) until %s; then the schedule and idle rules apply",
		state, When(o.Until, in.Now, zoneOf(in.Schedule)))
	switch {
	case after.Asleep != o.Asleep:
		d.Change = o.Until
	default:
		d.Change = after.Change
	}
	return d
}

func automatic(in Input) Decision {
	now, s, idle := in.Now, in.Schedule, in.Idle
	loc := zoneOf(s)
	var scheduleChange time.Time
	if s != nil {
		var awakeThen bool
		scheduleChange, awakeThen = s.Next(now)
		if !s.Awake(now) {
			msg := "asleep outside the schedule's awake hours"
			if !scheduleChange.IsZero() && awakeThen {
				msg += "; wakes " + When(scheduleChange, now, loc)
			}
			return Decision{Asleep: true, Reason: ReasonSchedule, Message: msg, Recheck: scheduleChange, Change: scheduleChange}
		}
		// Waking on schedule starts the idle clock afresh.
		if since := s.awakeSince(now); since.After(idle.LastActivity) {
			idle.LastActivity = since
		}
	}
	scheduleNote := ""
	if !scheduleChange.IsZero() {
		scheduleNote = "; the schedule puts it to sleep " + When(scheduleChange, now, loc)
	}
	if idle.After <= 0 {
		return Decision{Reason: ReasonAwake, Message: "awake" + scheduleNote, Recheck: scheduleChange, Change: scheduleChange}
	}
	if !idle.Measured {
		return Decision{Reason: ReasonIdleNotMeasured, Recheck: scheduleChange, Change: scheduleChange,
			Message: "awake: spec.sleep.idleAfter is set, but idleness cannot be measured (" + idle.Why + "), so it does not sleep on a guess" + scheduleNote}
	}
	idleAt := idle.LastActivity.Add(idle.After)
	if !now.Before(idleAt) {
		return Decision{Asleep: true, Reason: ReasonIdle,
			Message: fmt.Sprintf("asleep: no activity for %s (last %s); an ingress request, a spec change or kubectl mirror wake wakes it",
				idle.After, When(idle.LastActivity, now, loc))}
	}
	d := Decision{Reason: ReasonAwake, Recheck: idleAt, Change: scheduleChange,
		Message: fmt.Sprintf("awake; sleeps when idle for %s (last activity %s, so not before %s)", idle.After,
			When(idle.LastActivity, now, loc), When(idleAt, now, loc)) + scheduleNote}
	if !scheduleChange.IsZero() && scheduleChange.Before(idleAt) {
		d.Recheck = scheduleChange
	}
	return d
}

// awakeSince is when the current stretch of awake windows began (zero when asleep at t, or
// awake for longer than Next looks back).
func (s *Schedule) awakeSince(t time.Time) time.Time {
	if !s.Awake(t) {
		return time.Time{}
	}
	var since time.Time
	for _, iv := range s.occurrences(localDay(t, s.Location, -horizon), horizon+1) {
		if iv.start.After(t) {
			continue
		}
		// The latest start at which the schedule turned awake.
		if !s.Awake(iv.start.Add(-time.Second)) && iv.start.After(since) {
			since = iv.start
		}
	}
	return since
}

func zoneOf(s *Schedule) *time.Location {
	if s == nil {
		return time.UTC
	}
	return s.Location
}

// When writes t for people, in loc: the weekday and clock within the coming week ("Mon
// 08:00 CEST"), the date otherwise.
func When(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	t = t.In(loc)
	if d := t.Sub(now); d > -6*24*time.Hour && d < 6*24*time.Hour {
		return t.Format("Mon 15:04 MST")
	}
	return t.Format("2006-01-02 15:04 MST")
}
