package controllers

import (
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/sleep"
)

// setAsleepConditions is the status stage for a sleeping copy: the conditions about the copy
// keep what was seen before it fell asleep (nothing of it changes while it sleeps), Ready says
// it sleeps and until when, and drift is not reported: prod is not read while asleep.
func setAsleepConditions(s *scope) {
	env := s.env
	setCondition(env, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonSleeping, "%s", s.sleep.decision.Message)
	setCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionUnknown, v1alpha1.ReasonSleeping,
		"not checked while the environment sleeps: prod is not read; waking catches up with prod (followProd: Always) or reports what prod changed (Never)")
	env.Status.Parity.Drifted, env.Status.Parity.Followed = nil, nil
}

// setSleepStatus writes status.sleep and the Sleeping condition from what the sleep stage
// decided (s.sleep is nil when the environment has no spec.sleep and was not asleep).
func setSleepStatus(s *scope) {
	env, sc := s.env, s.sleep
	st := &env.Status
	if sc == nil {
		apimeta.RemoveStatusCondition(&st.Conditions, v1alpha1.ConditionSleeping)
		if st.Sleep != nil { // spec.sleep was removed: the hours stay, the plans go
			st.Sleep.Reason, st.Sleep.Next, st.Sleep.NextTransition, st.Sleep.IdleSignals, st.Sleep.LastActivityAt = v1alpha1.ReasonAwake, "", nil, "", nil
		}
		return
	}
	was := v1alpha1.SleepAwake
	if st.Sleep == nil {
		st.Sleep = &v1alpha1.SleepStatus{State: v1alpha1.SleepAwake, Since: env.CreationTimestamp.DeepCopy()}
	} else {
		was = st.Sleep.State
	}
	state := v1alpha1.SleepAwake
	if sc.asleep {
		state = v1alpha1.SleepAsleep
	}
	account(st.Sleep, state, s.now)
	reason, message := sleepingCondition(sc)
	status := metav1.ConditionFalse
	if sc.asleep {
		status = metav1.ConditionTrue
	}
	setCondition(env, v1alpha1.ConditionSleeping, status, reason, "%s", message)
	st.Sleep.Reason = reason
	st.Sleep.Next = nextText(sc, s.now, env.Spec.Sleep)
	st.Sleep.NextTransition = nil
	if c := sc.decision.Change; !c.IsZero() && sc.deferred == "" {
		st.Sleep.NextTransition = &metav1.Time{Time: c.Truncate(time.Second)}
	}
	st.Sleep.LastActivityAt = nil
	if !sc.lastActivity.IsZero() {
		st.Sleep.LastActivityAt = &metav1.Time{Time: sc.lastActivity.Truncate(time.Minute)}
	}
	st.Sleep.IdleSignals = sc.idleSignals
	sleepEvents(s, was)
}

// account moves the time spent in the previous state into its counter when the state changes.
func account(st *v1alpha1.SleepStatus, state v1alpha1.SleepState, now time.Time) {
	if st.State == state {
		return
	}
	if st.Since != nil {
		spent := int64(max(now.Sub(st.Since.Time), 0) / time.Second)
		if st.State == v1alpha1.SleepAsleep {
			st.AsleepSeconds += spent
		} else {
			st.AwakeSeconds += spent
		}
	}
	st.State, st.Since = state, &metav1.Time{Time: now.Truncate(time.Second)}
}

// sleepingCondition is the Sleeping condition's reason and message.
func sleepingCondition(sc *sleepScope) (string, string) {
	d := sc.decision
	reason, message := d.Reason, d.Message
	if sc.deferred != "" {
		reason = v1alpha1.ReasonSleepDeferred
		message = "awake although the rules say sleep (" + d.Message + "): " + sc.deferred + "; it sleeps once that ends"
	}
	if sc.invalid != "" {
		message = sc.invalid + " (ignored); " + message
		if !sc.asleep {
			reason = v1alpha1.ReasonSleepInvalid
		}
	}
	return reason, message
}

// nextText says, for `kubectl get`, when the environment sleeps or wakes next.
func nextText(sc *sleepScope, now time.Time, spec *v1alpha1.SleepSpec) string {
	d := sc.decision
	switch {
	case sc.deferred != "":
		return "sleeps when seeding ends"
	case !d.Change.IsZero() && d.Asleep:
		return "wakes " + sleep.When(d.Change, now, sc.zone)
	case d.Asleep && d.Reason == sleep.ReasonIdle:
		return "asleep (idle): wakes on activity"
	case d.Asleep:
		return "asleep until woken"
	case !d.Change.IsZero():
		return "sleeps " + sleep.When(d.Change, now, sc.zone)
	case d.Reason == sleep.ReasonIdleNotMeasured:
		return "awake: idle not measured"
	case spec != nil && spec.IdleAfter != nil:
		return "sleeps after " + string(*spec.IdleAfter) + " idle"
	}
	return ""
}
