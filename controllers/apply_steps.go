package controllers

import (
	"context"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// rbacRetry covers the moment between creating the writer binding and the API server's
// authorizer seeing it: the only failure retried on a short fixed delay.
const rbacRetry = 2 * time.Second

// applyAll applies the desired copy, one step per concern. Isolation goes first: it depends on
// nothing, and the copy must be fenced off before anything in it runs. The configuration goes
// before the workloads, which would start without their Secrets otherwise; a configuration that
// cannot be made stops the workloads but not the databases or the network. Each step's outcome
// is recorded; a transient error stops the rest.
func (r *MirrorEnvironmentReconciler) applyAll(ctx context.Context, s *scope) error {
	d := s.desired
	steps := []struct {
		run   func() error
		needs func() bool
	}{
		{run: func() error {
			return r.applyComponent(ctx, s, mirror.ComponentIsolation, d.isolation, v1alpha1.ConditionIsolated)
		}},
		{run: func() error { return r.applyConfig(ctx, s) }},
		{run: func() error { return r.applyWorkloads(ctx, s) }, needs: func() bool { return d.config.err == nil }},
		{run: func() error {
			return r.applyComponent(ctx, s, mirror.ComponentNetwork, d.network, v1alpha1.ConditionIsolated)
		}},
		{run: func() error {
			return r.applyComponent(ctx, s, mirror.ComponentAccess, d.access, v1alpha1.ConditionProvisioned)
		}},
		{run: func() error { return r.applyKinds(ctx, s) }},
		{run: func() error { return r.reconcileData(ctx, s) }},
		{run: func() error { return r.applyDependencies(ctx, s) }},
	}
	for _, step := range steps {
		if step.needs != nil && !step.needs() {
			continue
		}
		s.out.record(step.run())
		if s.out.err != nil {
			return nil // recorded; Reconcile stops here
		}
	}
	r.collectDrift(s)
	return nil
}

// applyComponent applies one component's objects and turns write failures into an outcome: a
// Forbidden right after the writer binding was made is retried shortly (the authorizer has not
// seen it yet); other failures are reported in conditions and Drifted and looked at again at
// the next resync or event, never in a hot loop.
func (r *MirrorEnvironmentReconciler) applyComponent(ctx context.Context, s *scope, component string, objs []client.Object, condition string) error {
	res, err := r.apply(ctx, s, component, objs)
	if err != nil {
		return err
	}
	if res.forbidden && s.bindingCreated {
		return wait(condition, rbacRetry, v1alpha1.ReasonWaiting, "waiting for the API server to authorize the operator's writes in %s", s.target)
	}
	return nil
}

// applyConfig applies the copy's ConfigMaps and Secrets, unless planning found a Secret key it
// cannot produce (then nothing of the configuration is written).
func (r *MirrorEnvironmentReconciler) applyConfig(ctx context.Context, s *scope) error {
	if err := s.desired.config.err; err != nil {
		return err
	}
	return r.applyComponent(ctx, s, mirror.ComponentConfig, s.desired.config.objects, v1alpha1.ConditionConfigScrubbed)
}

// applyWorkloads applies the copies of prod's workloads and what fronts and runs them, then
// reads their readiness.
func (r *MirrorEnvironmentReconciler) applyWorkloads(ctx context.Context, s *scope) error {
	if err := s.desired.workloadsBlocked; err != nil {
		return err
	}
	if err := r.applyComponent(ctx, s, mirror.ComponentWorkloads, s.desired.workloads, v1alpha1.ConditionProvisioned); err != nil {
		return err
	}
	return r.readiness(ctx, s)
}

// readiness reads the copies' status from the cache into the scope: the desired workloads',
// and those of workloads kept because what they were made from could not be read (they still
// run, and status keeps showing them).
func (r *MirrorEnvironmentReconciler) readiness(ctx context.Context, s *scope) error {
	services := append([]v1alpha1.ServiceStatus{}, s.desired.infra.Services...)
	services = append(services, keptServices(s.env.Status.Services, services, s.withheld)...)
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
	}
	s.services = services
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

// keptServices are the previous status entries of workloads a prune withheld.
func keptServices(previous, desired []v1alpha1.ServiceStatus, withheld []string) []v1alpha1.ServiceStatus {
	have := map[string]bool{}
	for _, sv := range desired {
		have[sv.Kind+"/"+sv.Name] = true
	}
	kept := map[string]bool{}
	for _, w := range withheld {
		name, _, _ := strings.Cut(w, ": ")
		kept[name] = true
	}
	var out []v1alpha1.ServiceStatus
	for _, sv := range previous {
		if k := sv.Kind + "/" + sv.Name; kept[k] && !have[k] {
			out = append(out, sv)
		}
	}
	return out
}

func replicasMessage(ok bool, have, want int32) string {
	if ok {
		return ""
	}
	return fmt.Sprintf("%d of %d replicas ready", have, want)
}

// notReady names the services that are not ready, at most five.
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
