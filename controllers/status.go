package controllers

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// setCondition records a condition for the environment's current generation.
func setCondition(env *v1alpha1.MirrorEnvironment, typ string, status metav1.ConditionStatus, reason, format string, args ...any) {
	apimeta.SetStatusCondition(&env.Status.Conditions, metav1.Condition{
		Type:               typ,
		Status:             status,
		Reason:             reason,
		Message:            fmt.Sprintf(format, args...),
		ObservedGeneration: env.Generation,
	})
}

func conditionTrue(env *v1alpha1.MirrorEnvironment, typ string) bool {
	return apimeta.IsStatusConditionTrue(env.Status.Conditions, typ)
}

// failureReasons are reasons that need the user to act, as opposed to work in progress.
var failureReasons = map[string]bool{
	v1alpha1.ReasonNamespaceNotOwned: true,
	v1alpha1.ReasonSourceUnreachable: true,
	v1alpha1.ReasonSourceInvalid:     true,
	v1alpha1.ReasonApplyFailed:       true,
	v1alpha1.ReasonOverrideNotFound:  true,
	v1alpha1.ReasonUnpinnedImages:    true,
	v1alpha1.ReasonConfigInvalid:     true,
	v1alpha1.ReasonDataInvalid:       true,
	v1alpha1.ReasonSeedFailed:        true,
}

// readyInputs are the conditions Ready summarises, in the order their messages matter.
var readyInputs = []string{
	v1alpha1.ConditionProvisioned,
	v1alpha1.ConditionConfigScrubbed,
	v1alpha1.ConditionIsolated,
	v1alpha1.ConditionSeeded,
}

// summarize sets Ready and the phase from the other conditions, observedGeneration, and
// emits an event when the phase changes.
func (r *MirrorEnvironmentReconciler) summarize(s *state) {
	env := s.env
	st := &env.Status
	prevPhase := st.Phase
	st.ObservedGeneration = env.Generation
	st.ServicesReady = fmt.Sprintf("%d/%d", st.ReadyServices, st.TotalServices)
	st.Parity.PinnedSummary = fmt.Sprintf("%d/%d", st.Parity.Pinned+st.Parity.Overridden, st.Parity.Pinned+st.Parity.Unpinned+st.Parity.Overridden)

	var blocking *metav1.Condition
	failed := false
	for _, typ := range readyInputs {
		c := apimeta.FindStatusCondition(st.Conditions, typ)
		if c != nil && c.Reason == v1alpha1.ReasonIsolationDisabled {
			continue // the user chose it; reported, not blocking
		}
		if c == nil || c.Status != metav1.ConditionTrue {
			if c == nil {
				c = &metav1.Condition{Type: typ, Reason: v1alpha1.ReasonReconciling, Message: typ + " has not been reconciled yet"}
			}
			if blocking == nil {
				blocking = c
			}
			if failureReasons[c.Reason] {
				failed = true
				blocking = c
				break
			}
		}
	}

	if blocking == nil && st.ReadyServices < st.TotalServices {
		blocking = &metav1.Condition{Type: "Services", Reason: v1alpha1.ReasonNotReady,
			Message: fmt.Sprintf("%d of %d services ready; waiting for %s", st.ReadyServices, st.TotalServices, notReady(st.Services))}
	}

	switch {
	case s.expired:
		st.Phase = v1alpha1.PhaseExpiring
		setCondition(env, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonExpired, "the ttl passed; the environment is being deleted")
	case !env.DeletionTimestamp.IsZero():
		if prevPhase != v1alpha1.PhaseExpiring {
			st.Phase = v1alpha1.PhaseDeleting
		}
		setCondition(env, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDeleting, "the environment is being deleted")
	case blocking == nil:
		st.Phase = v1alpha1.PhaseReady
		setCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady,
			"%d of %d services ready in namespace %s", st.ReadyServices, st.TotalServices, st.TargetNamespace)
	default:
		st.Phase = phaseFor(blocking, failed, prevPhase)
		setCondition(env, v1alpha1.ConditionReady, metav1.ConditionFalse, blocking.Reason, "%s: %s", blocking.Type, blocking.Message)
	}
	if st.Phase != prevPhase && r.Recorder != nil {
		typ := corev1.EventTypeNormal
		if st.Phase == v1alpha1.PhaseFailed || st.Phase == v1alpha1.PhaseDegraded {
			typ = corev1.EventTypeWarning
		}
		ready := apimeta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
		r.Recorder.Eventf(env, nil, typ, string(st.Phase), "Reconcile", "phase %s -> %s: %s", orNone(prevPhase), st.Phase, ready.Message)
	}
}

// phaseFor names the phase of an environment that is not Ready.
func phaseFor(blocking *metav1.Condition, failed bool, prev v1alpha1.Phase) v1alpha1.Phase {
	switch {
	case failed && blocking.Reason == v1alpha1.ReasonSeedFailed:
		return v1alpha1.PhaseDegraded
	case failed:
		return v1alpha1.PhaseFailed
	case blocking.Type == v1alpha1.ConditionSeeded:
		return v1alpha1.PhaseSeeding
	case prev == v1alpha1.PhaseReady || prev == v1alpha1.PhaseDegraded:
		return v1alpha1.PhaseDegraded // it worked before: something stopped being ready
	case prev == "" && blocking.Reason == v1alpha1.ReasonReconciling:
		return v1alpha1.PhasePending
	}
	return v1alpha1.PhaseProvisioning
}

func orNone(p v1alpha1.Phase) string {
	if p == "" {
		return "(none)"
	}
	return string(p)
}

func notReady(services []v1alpha1.ServiceStatus) string {
	var names []string
	for _, s := range services {
		if !s.Ready {
			names = append(names, s.Kind+"/"+s.Name)
		}
	}
	if len(names) > 5 {
		names = append(names[:5], fmt.Sprintf("and %d more", len(names)-5))
	}
	return strings.Join(names, ", ")
}
