package controllers

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// reconcileNetwork copies prod's NetworkPolicies (namespace selectors pointed at the copy) and
// adds the policy that keeps the copy from reaching prod.
func (r *MirrorEnvironmentReconciler) reconcileNetwork(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	res, err := r.apply(ctx, s, componentNetwork, s.build.NetworkPolicies, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	if len(res.failed) > 0 {
		setCondition(env, v1alpha1.ConditionIsolated, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"network policies could not be written: %v", res.failed)
		return ctrl.Result{RequeueAfter: rbacRetry}, nil
	}
	r.reportApply(s, "network policies", res)
	if !s.build.Isolated {
		setCondition(env, v1alpha1.ConditionIsolated, metav1.ConditionFalse, v1alpha1.ReasonIsolationDisabled,
			"spec.network.isolation is None: the copy may reach prod namespace %s; only prod's own policies apply", env.Spec.Source.Namespace)
		return ctrl.Result{}, nil
	}
	setCondition(env, v1alpha1.ConditionIsolated, metav1.ConditionTrue, v1alpha1.ReasonIsolated,
		"NetworkPolicy %s denies egress from the copy to prod namespace %s (enforced where the cluster's network plugin enforces NetworkPolicies)",
		mirror.IsolationPolicyName, env.Spec.Source.Namespace)
	return ctrl.Result{}, nil
}
