package cli

import (
	"fmt"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Verdict is what `up --wait` concludes from one observation of the environment.
type Verdict int

const (
	// Waiting: not there yet.
	Waiting Verdict = iota
	// Succeeded: Ready for the generation that was applied.
	Succeeded
	// Failed: Stalled, or in a failure phase for longer than the grace period, or going away.
	Failed
)

// DefaultFailureGrace is how long a failure phase without Stalled=True must last before
// `up --wait` gives up: the operator retries errors that may be transient (an apply that
// conflicted, a source that did not answer), while Stalled says retrying cannot help.
const DefaultFailureGrace = 30 * time.Second

// Waiter decides, observation by observation, whether an environment reached Ready for the
// generation that was applied, or failed.
type Waiter struct {
	// Generation is metadata.generation after the apply: older status does not count.
	Generation int64
	// Grace is how long a failure phase must last to count (Stalled=True counts at once).
	Grace time.Duration

	failingSince time.Time
}

// Outcome is a verdict with its reason and message (the condition's, when there is one).
type Outcome struct {
	Verdict Verdict
	Reason  string
	Message string
}

func (o Outcome) String() string {
	if o.Reason == "" {
		return o.Message
	}
	return o.Reason + ": " + o.Message
}

// Observe judges one observation made at now.
func (w *Waiter) Observe(env *v1alpha1.MirrorEnvironment, now time.Time) Outcome {
	st := &env.Status
	ready := apimeta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
	stalled := apimeta.FindStatusCondition(st.Conditions, v1alpha1.ConditionStalled)
	switch {
	case !env.DeletionTimestamp.IsZero() || st.Phase == v1alpha1.PhaseExpiring || st.Phase == v1alpha1.PhaseDeleting:
		return Outcome{Verdict: Failed, Reason: v1alpha1.ReasonDeleting, Message: "the environment is being deleted" + conditionSuffix(ready)}
	case st.ObservedGeneration < w.Generation:
		w.failingSince = time.Time{}
		return Outcome{Reason: v1alpha1.ReasonReconciling, Message: fmt.Sprintf("the operator has not reconciled generation %d yet", w.Generation)}
	case stalled != nil && stalled.Status == metav1.ConditionTrue && stalled.ObservedGeneration >= w.Generation:
		return Outcome{Verdict: Failed, Reason: stalled.Reason, Message: stalled.Message}
	case ready != nil && ready.Status == metav1.ConditionTrue && ready.ObservedGeneration >= w.Generation:
		return Outcome{Verdict: Succeeded, Reason: ready.Reason, Message: ready.Message}
	case st.Phase == v1alpha1.PhaseSleeping && ready != nil && ready.ObservedGeneration >= w.Generation:
		// Asleep for this very spec: it will not be Ready before it wakes.
		return Outcome{Verdict: Failed, Reason: ready.Reason, Message: fmt.Sprintf("%s; wake it: kubectl mirror wake %s -n %s --wait", ready.Message, env.Name, env.Namespace)}
	}
	out := Outcome{Reason: v1alpha1.ReasonReconciling, Message: "phase " + phaseOrPending(st.Phase)}
	if ready != nil {
		out.Reason, out.Message = ready.Reason, ready.Message
	}
	if !failing(env) {
		w.failingSince = time.Time{}
		return out
	}
	if w.failingSince.IsZero() {
		w.failingSince = now
	}
	if now.Sub(w.failingSince) >= w.Grace {
		out.Verdict = Failed
	}
	return out
}

// failing: phase Failed, or a database whose seeding failed.
func failing(env *v1alpha1.MirrorEnvironment) bool {
	if env.Status.Phase == v1alpha1.PhaseFailed {
		return true
	}
	for _, d := range env.Status.Data {
		if d.Phase == v1alpha1.DataFailed {
			return true
		}
	}
	return false
}

func conditionSuffix(c *metav1.Condition) string {
	if c == nil || c.Message == "" {
		return ""
	}
	return ": " + c.Message
}

func phaseOrPending(p v1alpha1.Phase) string {
	if p == "" {
		return string(v1alpha1.PhasePending)
	}
	return string(p)
}
