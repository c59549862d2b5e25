package controllers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// reportApply records what an apply pass changed: events for people, and the drift it found
// (prod moved, or someone edited the copy) for status.
func (r *MirrorEnvironmentReconciler) reportApply(s *state, what string, res applyResult) {
	env := s.env
	if res.writes() > 0 {
		r.Recorder.Eventf(env, nil, corev1.EventTypeNormal, "Synced", "Apply",
			"%s: %d created, %d updated, %d unchanged, %d pruned", what, res.created, res.updated, res.unchanged, res.pruned)
	}
	if len(res.changed) > 0 {
		s.followed = append(s.followed, res.changed...)
		r.Recorder.Eventf(env, nil, corev1.EventTypeNormal, v1alpha1.ReasonProdChanged, "Follow",
			"updated the copy to match prod and the spec: %s", strings.Join(res.changed, ", "))
	}
	if len(res.reverted) > 0 {
		s.reverted = append(s.reverted, res.reverted...)
		r.Recorder.Eventf(env, nil, corev1.EventTypeWarning, "CopyEdited", "Revert",
			"reverted edits made to the copy outside envmirror: %s", strings.Join(res.reverted, ", "))
	}
	s.drifted = append(s.drifted, res.failed...)
}

// reconcileDrift reports whether the copy still differs from what prod implies after this
// reconcile: objects that could not be written. Changes the reconcile followed or reverted
// are in events and status.parity.drifted until the next reconcile finds nothing to do.
func (r *MirrorEnvironmentReconciler) reconcileDrift(_ context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	var drifted []string
	for _, d := range s.followed {
		drifted = append(drifted, d+": updated to match prod and the spec")
	}
	for _, d := range s.reverted {
		drifted = append(drifted, d+": copy edited; reverted to prod's")
	}
	for _, d := range s.drifted {
		drifted = append(drifted, d+": not written")
	}
	sort.Strings(drifted)
	env.Status.Parity.Drifted = drifted
	if len(s.drifted) > 0 {
		setCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionTrue, v1alpha1.ReasonProdChanged,
			"%d object(s) of the copy do not match prod: %s", len(s.drifted), strings.Join(s.drifted, "; "))
		return ctrl.Result{}, nil
	}
	msg := "the copy matches prod"
	if n := len(s.followed) + len(s.reverted); n > 0 {
		msg = fmt.Sprintf("the copy matches prod after %d update(s) in the last reconcile", n)
	}
	setCondition(env, v1alpha1.ConditionDrifted, metav1.ConditionFalse, v1alpha1.ReasonNoDrift, "%s", msg)
	return ctrl.Result{}, nil
}
