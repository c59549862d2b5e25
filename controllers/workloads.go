package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

const (
	sourceRetry = 30 * time.Second
	// rbacRetry covers the moment between creating the writer binding and the API server's
	// authorizer seeing it.
	rbacRetry = 2 * time.Second
)

// reconcileWorkloads copies prod's workloads and what fronts and runs them (Services,
// ServiceAccounts, RBAC, claims, Ingresses), pinned to prod's digests, and reports readiness.
func (r *MirrorEnvironmentReconciler) reconcileWorkloads(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	res := s.build
	setParity(env, res)

	for _, p := range res.Problems {
		if p.Reason == v1alpha1.ReasonOverrideNotFound {
			setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, p.Reason, "%s", p.Message)
			return ctrl.Result{}, errHalt
		}
	}
	if env.Spec.Versions.Policy == v1alpha1.VersionRequireDigest && res.Unpinned > 0 {
		setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonUnpinnedImages,
			"versions.policy is RequireDigest and %d image(s) have no known prod digest, so no workload was copied: %s",
			res.Unpinned, strings.Join(res.UnpinnedImages, "; "))
		return ctrl.Result{}, errHalt
	}

	objs := withoutStandIns(env, append(append([]client.Object{}, res.Objects...), res.Workloads...))
	applied, err := r.apply(ctx, s, componentWorkloads, objs, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	r.reportApply(s, "workloads", applied)

	if err := r.readiness(ctx, s); err != nil {
		return ctrl.Result{}, err
	}
	var problems []string
	for _, p := range res.Problems {
		problems = append(problems, p.Message)
	}
	problems = append(problems, applied.failed...)
	if len(problems) > 0 {
		setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"%d of %d objects could not be copied: %s", len(problems), len(objs), strings.Join(problems, "; "))
		return ctrl.Result{RequeueAfter: rbacRetry}, nil
	}
	setCondition(env, v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied,
		"%d workloads and %d other objects copied from %s into %s", len(res.Workloads), len(res.Objects), env.Spec.Source.Namespace, s.target)
	return ctrl.Result{}, nil
}

// setParity records pins in status and the VersionsPinned condition.
func setParity(env *v1alpha1.MirrorEnvironment, res *mirror.Result) {
	p := &env.Status.Parity
	p.Pinned, p.Unpinned, p.Overridden = res.Pinned, res.Unpinned, res.Overridden
	total := res.Pinned + res.Unpinned + res.Overridden
	switch {
	case env.Spec.Versions.Policy == v1alpha1.VersionKeepTag:
		setCondition(env, v1alpha1.ConditionVersionsPinned, metav1.ConditionFalse, v1alpha1.ReasonPinningDisabled,
			"versions.policy is KeepTag: the copy follows prod's tags, which may resolve to other builds than prod runs")
	case res.Unpinned == 0:
		msg := fmt.Sprintf("%d of %d images run the digest prod runs", res.Pinned, total)
		if res.Overridden > 0 {
			msg += fmt.Sprintf(" (%d overridden by the branch)", res.Overridden)
		}
		if len(res.Notes) > 0 {
			msg += "; note: " + strings.Join(res.Notes, "; ")
		}
		setCondition(env, v1alpha1.ConditionVersionsPinned, metav1.ConditionTrue, v1alpha1.ReasonPinned, "%s", msg)
	default:
		reason := v1alpha1.ReasonPartiallyPinned
		if env.Spec.Versions.Policy == v1alpha1.VersionRequireDigest {
			reason = v1alpha1.ReasonUnpinnedImages
		}
		setCondition(env, v1alpha1.ConditionVersionsPinned, metav1.ConditionFalse, reason,
			"%d of %d images pinned; not pinned: %s", res.Pinned, total, strings.Join(res.UnpinnedImages, "; "))
	}
}

// readiness reads the copies' status from the cache into status.services.
func (r *MirrorEnvironmentReconciler) readiness(ctx context.Context, s *state) error {
	env := s.env
	services := s.build.Services
	var ready int32
	for i := range services {
		sv := &services[i]
		ok, msg, err := r.workloadReady(ctx, s.target, sv)
		if err != nil {
			return err
		}
		sv.Ready = ok
		if msg != "" && sv.Message == "" {
			sv.Message = msg
		}
		if ok {
			ready++
		}
	}
	env.Status.Services = services
	env.Status.ReadyServices = ready
	env.Status.TotalServices = int32(len(services))
	return nil
}

func (r *MirrorEnvironmentReconciler) workloadReady(ctx context.Context, ns string, sv *v1alpha1.ServiceStatus) (bool, string, error) {
	key := client.ObjectKey{Namespace: ns, Name: sv.Name}
	switch sv.Kind {
	case "Deployment":
		d := &appsv1.Deployment{}
		if err := r.Get(ctx, key, d); err != nil {
			return false, "", client.IgnoreNotFound(err)
		}
		want := ptr.Deref(d.Spec.Replicas, 1)
		ok := d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas >= want && d.Status.AvailableReplicas >= want
		return ok, replicasMessage(ok, d.Status.AvailableReplicas, want), nil
	case "StatefulSet":
		st := &appsv1.StatefulSet{}
		if err := r.Get(ctx, key, st); err != nil {
			return false, "", client.IgnoreNotFound(err)
		}
		want := ptr.Deref(st.Spec.Replicas, 1)
		ok := st.Status.ObservedGeneration >= st.Generation && st.Status.ReadyReplicas >= want && st.Status.UpdatedReplicas >= want
		return ok, replicasMessage(ok, st.Status.ReadyReplicas, want), nil
	}
	return true, "", nil // a CronJob is ready when it exists
}

func replicasMessage(ok bool, have, want int32) string {
	if ok {
		return ""
	}
	return fmt.Sprintf("%d of %d replicas ready", have, want)
}

// withoutStandIns drops copies of prod's Services and StatefulSets named like a database
// stand-in: prod reaches its managed database through that name (often an ExternalName
// Service), and in the copy the name must lead to the stand-in instead.
func withoutStandIns(env *v1alpha1.MirrorEnvironment, objs []client.Object) []client.Object {
	standIns := map[string]bool{}
	for _, d := range env.Spec.Data {
		if d.StandIn != nil {
			standIns[d.Name] = true
		}
	}
	out := objs[:0]
	for _, o := range objs {
		switch o.(type) {
		case *corev1.Service, *appsv1.StatefulSet:
			if standIns[o.GetName()] {
				continue
			}
		}
		out = append(out, o)
	}
	return out
}
