package controllers

import (
	"context"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/sleep"
)

// What counts as activity for spec.sleep.idleAfter, from what a cluster has without a service
// mesh:
//
//   - requests through the copy's Ingresses, as the ingress controller counts them in its own
//     Prometheus metrics (ingress-nginx's nginx_ingress_controller_requests, per namespace),
//     scraped from each of its pods by IngressActivity (sleep_activity.go);
//   - a change of the environment's spec (a new image from CI, an override);
//   - the envmirror.io/last-activity annotation, which `kubectl mirror up`, `wake` and `open`
//     set (and anything else may: a CI job, a shell alias);
//   - the environment waking (by schedule, by hand or on a request).
//
// What it does not see: `kubectl exec` and `kubectl port-forward` (the API server records them
// only in its audit log, when there is one; they are not Events), and traffic that does not
// pass the Ingress (another namespace calling a Service of the copy). Pod network counters
// (the kubelet's /stats/summary) were considered and left out: port-forwarded traffic enters
// the pod's network namespace on loopback and never shows on its interface, readiness probes
// and connection pools keep every counter moving, and reading them needs nodes/proxy, which
// grants far more than statistics. So a copy without an Ingress, or an operator without the
// ingress controller's metrics, cannot be measured, and the idle rule then does not apply: the
// Sleeping condition says why.

// idleInput is what the idle rule measured for the environment.
func (r *MirrorEnvironmentReconciler) idleInput(s *scope, after time.Duration) sleep.Idle {
	env := s.env
	idle := sleep.Idle{After: after, LastActivity: env.CreationTimestamp.Time}
	later := func(t time.Time) {
		if t.After(idle.LastActivity) && !t.After(s.now) {
			idle.LastActivity = t
		}
	}
	if st := env.Status.Sleep; st != nil {
		if st.LastActivityAt != nil {
			later(st.LastActivityAt.Time)
		}
		if st.State == v1alpha1.SleepAwake && st.Since != nil {
			later(st.Since.Time)
		}
	}
	if env.Generation != env.Status.ObservedGeneration {
		later(s.now) // the spec changed since it was last acted on
	}
	if v := env.Annotations[v1alpha1.AnnotationLastActivity]; v != "" && len(v) <= 64 {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			later(t)
		}
	}
	switch {
	case !hasIngress(env):
		idle.Why = "the copy has no Ingress, and kubectl port-forward or exec into it are not recorded by the cluster"
		return idle
	case r.Activity == nil:
		idle.Why = "the operator is not given an ingress controller's metrics to count requests with (--ingress-metrics-service)"
		return idle
	}
	last, since, ok, why := r.Activity.LastRequest(s.target, s.now)
	if !ok {
		idle.Why = why
		return idle
	}
	later(last)
	// Awake, what happened before the monitor saw everything is not known, so the idle period
	// counts from then at the earliest. Asleep, only a request seen wakes it (not an operator
	// restart: requests to a copy scaled to zero fail, and the next one is seen).
	if !wasAsleep(env) {
		later(since)
	}
	idle.Measured = true
	return idle
}

// hasIngress reports whether the copy has an Ingress (its URLs come from Ingress hosts).
func hasIngress(env *v1alpha1.MirrorEnvironment) bool {
	for _, u := range env.Status.URLs {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			return true
		}
	}
	return false
}

// activityEvents wakes, through the returned channel, the environments asleep for idleness
// whose copy's namespace had requests: the first request to a sleeping copy wakes it (and
// fails, as nothing runs yet; the copy is Ready again in the time its pods take to start).
func (r *MirrorEnvironmentReconciler) activityEvents() <-chan event.GenericEvent {
	ch := make(chan event.GenericEvent, 256)
	r.Activity.OnActivity = func(namespace string) {
		list := &v1alpha1.MirrorEnvironmentList{}
		if err := r.List(context.Background(), list, client.MatchingFields{indexTarget: namespace}); err != nil {
			return
		}
		for i := range list.Items {
			env := &list.Items[i]
			if st := env.Status.Sleep; st == nil || st.State != v1alpha1.SleepAsleep || st.Reason != v1alpha1.ReasonSleepIdle {
				continue
			}
			obj := &v1alpha1.MirrorEnvironment{}
			obj.Namespace, obj.Name = env.Namespace, env.Name
			select {
			case ch <- event.GenericEvent{Object: obj}:
			default: // full: the environments it holds will look again anyway
			}
		}
	}
	return ch
}
