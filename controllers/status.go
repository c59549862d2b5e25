package controllers

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/metrics"
	"github.com/envmirror/envmirror/internal/mirror"
)

// updateStatus is the status stage: it writes every status field and condition from what the
// reconcile's stages left in the scope, through one set<Condition> function each.
func (r *MirrorEnvironmentReconciler) updateStatus(s *scope) {
	env, st := s.env, &s.env.Status
	prevPhase := st.Phase
	if s.out.err == nil {
		st.ObservedGeneration = env.Generation // observed: acted on without a transient error
	}
	st.ExpiresAt = nil
	if !s.expiresAt.IsZero() {
		st.ExpiresAt = &metav1.Time{Time: s.expiresAt}
	}
	d := s.desired
	if d != nil {
		setParity(st, d)
		st.Config = d.config.status
		st.URLs = d.urls
		st.Resources = resourceTotals(s.prod, d)
	}
	if s.services != nil {
		st.Services = s.services
		st.ReadyServices, st.TotalServices = 0, int32(len(s.services))
		for _, sv := range s.services {
			if sv.Ready {
				st.ReadyServices++
			}
		}
	}
	st.ServicesReady = fmt.Sprintf("%d/%d", st.ReadyServices, st.TotalServices)
	if s.dependencies != nil {
		st.Dependencies = s.dependencies
	}
	if s.applied[mirror.ComponentKinds] != nil {
		st.CopiedKinds = s.copiedKinds
	}
	if d != nil {
		st.Data = s.databases
		st.Parity.Drifted = s.drift
		st.Parity.Followed = s.followed
	}
	ready := false
	if s.asleep() {
		setAsleepConditions(s) // the copy's conditions stay as they were when it fell asleep
	} else {
		r.setConditions(s)
		ready = setReadyCondition(env, s.expired, s.expiryNote)
	}
	setSleepStatus(s)
	setReconcilingAndStalledConditions(env, &s.out, ready || s.asleep())
	st.Phase = phaseOf(env, prevPhase, len(s.out.stalls) > 0, s.expired)
	if ready && st.ProvisionedAt == nil {
		st.ProvisionedAt = &metav1.Time{Time: s.now}
		metrics.ObserveProvisioned(env, s.now)
	}
	if st.Phase != prevPhase {
		typ := corev1.EventTypeNormal
		if st.Phase == v1alpha1.PhaseFailed || st.Phase == v1alpha1.PhaseDegraded {
			typ = corev1.EventTypeWarning
		}
		c := apimeta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
		s.w.event(env, typ, string(st.Phase), "Reconcile", "phase %s -> %s: %s", orNone(prevPhase), st.Phase, c.Message)
	}
}

// setConditions gathers each condition's inputs from the scope.
func (r *MirrorEnvironmentReconciler) setConditions(s *scope) {
	env, d, out := s.env, s.desired, &s.out
	explain := func(typ string) explanation {
		return explanation{stall: out.stalledOn(typ), wait: out.waitingOn(typ), err: out.err}
	}
	prov := provisionedInput{explanation: explain(v1alpha1.ConditionProvisioned),
		applied: s.applied[mirror.ComponentWorkloads], source: env.Spec.Source.Namespace, target: s.target,
		unknown: s.known.summary(true), withheld: s.withheld}
	if d != nil {
		prov.workloads, prov.objects = len(d.infra.Workloads), len(d.infra.Objects)
		for _, p := range d.infra.Problems {
			prov.problems = append(prov.problems, p.Message)
		}
		if err, ok := d.config.err.(*stalled); ok && prov.applied == nil {
			prov.blockedBy = err
		}
	}
	setProvisionedCondition(env, prov)
	var infra *mirror.Result
	if d != nil {
		infra = d.infra
	}
	var mismatched []string
	if d != nil {
		mismatched = append(mismatched, d.standIns.VersionMismatches()...)
		for _, e := range d.deps.entries {
			if e.reason == v1alpha1.ReasonVersionMismatch {
				mismatched = append(mismatched, e.spec.Name+": "+e.message)
			}
		}
	}
	setVersionsPinnedCondition(env, infra, mismatched, out.err)
	cfg := configInput{explanation: explain(v1alpha1.ConditionConfigScrubbed), applied: s.applied[mirror.ComponentConfig]}
	if d != nil {
		cfg.plan = &d.config
	}
	setConfigScrubbedCondition(env, cfg)
	setIsolatedCondition(env, isolationInput{explanation: explain(v1alpha1.ConditionIsolated),
		applied: []*applyResult{s.applied[mirror.ComponentIsolation], s.applied[mirror.ComponentNetwork]},
		enabled: env.Spec.Network.Isolation != v1alpha1.IsolationNone, source: env.Spec.Source.Namespace})
	data := s.applied[mirror.ComponentData]
	setSeededCondition(env, seededInput{explanation: explain(v1alpha1.ConditionSeeded),
		databases: s.databases, reached: data != nil, applied: data})
	setDriftedCondition(env, s.drift, d != nil && out.err == nil, s.frozen(), out.err)
	deps := dependenciesInput{explanation: explain(v1alpha1.ConditionDependenciesReady), planned: d != nil, statuses: s.dependencies}
	if d != nil {
		deps.missing = d.deps.missing
	}
	setDependenciesReadyCondition(env, deps)
}

// readyInputs are the conditions Ready summarises, in the order their messages matter.
var readyInputs = []string{
	v1alpha1.ConditionProvisioned,
	v1alpha1.ConditionConfigScrubbed,
	v1alpha1.ConditionIsolated,
	v1alpha1.ConditionSeeded,
	v1alpha1.ConditionDependenciesReady,
}

// failureReasons need the user to act, as opposed to work in progress.
var failureReasons = map[string]bool{
	v1alpha1.ReasonNamespaceNotOwned:   true,
	v1alpha1.ReasonSourceUnreachable:   true,
	v1alpha1.ReasonSourceInvalid:       true,
	v1alpha1.ReasonSourceNotFound:      true,
	v1alpha1.ReasonApplyFailed:         true,
	v1alpha1.ReasonOverrideNotFound:    true,
	v1alpha1.ReasonUnpinnedImages:      true,
	v1alpha1.ReasonConfigInvalid:       true,
	v1alpha1.ReasonDataInvalid:         true,
	v1alpha1.ReasonSeedFailed:          true,
	v1alpha1.ReasonSpecInvalid:         true,
	v1alpha1.ReasonSourceNotGranted:    true,
	v1alpha1.ReasonSourceForbidden:     true,
	v1alpha1.ReasonKeepNotGranted:      true,
	v1alpha1.ReasonNameCollision:       true,
	v1alpha1.ReasonAccessRoleForbidden: true,
	v1alpha1.ReasonProbeFailed:         true,
}

// setReadyCondition summarises the other conditions and the services' readiness into Ready,
// and reports whether the environment is ready.
func setReadyCondition(env *v1alpha1.MirrorEnvironment, expired bool, expiryNote string) bool {
	st := &env.Status
	if expired {
		setCondition(env, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonExpired, "the environment expired; it is being deleted")
		return false
	}
	var blocking *metav1.Condition
	for _, typ := range readyInputs {
		c := apimeta.FindStatusCondition(st.Conditions, typ)
		if c != nil && (c.Reason == v1alpha1.ReasonIsolationDisabled || c.Reason == v1alpha1.ReasonDependenciesMissing || c.Reason == v1alpha1.ReasonVersionMismatch) {
			continue // the copy works; the condition says what differs from prod
		}
		if c != nil && c.Status == metav1.ConditionTrue {
			continue
		}
		if c == nil {
			c = &metav1.Condition{Type: typ, Status: metav1.ConditionUnknown, Reason: v1alpha1.ReasonReconciling, Message: typ + " has not been reconciled yet"}
		}
		if blocking == nil || (failureReasons[c.Reason] && !failureReasons[blocking.Reason]) {
			blocking = c
		}
	}
	if blocking == nil && st.ReadyServices < st.TotalServices {
		blocking = &metav1.Condition{Type: "Services", Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonNotReady,
			Message: fmt.Sprintf("%d of %d services ready; waiting for %s", st.ReadyServices, st.TotalServices, notReady(st.Services))}
	}
	if blocking == nil {
		msg := fmt.Sprintf("%d of %d services ready in namespace %s", st.ReadyServices, st.TotalServices, st.TargetNamespace)
		if expiryNote != "" {
			msg += "; " + expiryNote
		}
		setCondition(env, v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "%s", msg)
		return true
	}
	status := metav1.ConditionFalse
	if blocking.Status == metav1.ConditionUnknown {
		status = metav1.ConditionUnknown
	}
	setCondition(env, v1alpha1.ConditionReady, status, blocking.Reason, "%s: %s", blocking.Type, blocking.Message)
	return false
}

// phaseOf names where the environment stands, from Ready and its reason.
func phaseOf(env *v1alpha1.MirrorEnvironment, prev v1alpha1.Phase, stalled, expired bool) v1alpha1.Phase {
	ready := apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionReady)
	switch {
	case expired:
		return v1alpha1.PhaseExpiring
	case ready.Reason == v1alpha1.ReasonSleeping:
		return v1alpha1.PhaseSleeping
	case ready.Status == metav1.ConditionTrue:
		return v1alpha1.PhaseReady
	case (prev == v1alpha1.PhaseSleeping || prev == v1alpha1.PhaseWaking) && !stalled && !failureReasons[ready.Reason]:
		return v1alpha1.PhaseWaking // woken, not ready yet
	case ready.Status == metav1.ConditionUnknown && prev != "":
		return prev // not evaluated this time (a transient error): keep what we knew
	case seedFailed(env, ready):
		return v1alpha1.PhaseDegraded // the copy runs; its data could not be made
	case failureReasons[ready.Reason] || stalled:
		return v1alpha1.PhaseFailed
	case ready.Reason == v1alpha1.ReasonSeeding:
		return v1alpha1.PhaseSeeding
	case prev == v1alpha1.PhaseReady || prev == v1alpha1.PhaseDegraded:
		return v1alpha1.PhaseDegraded // it worked before: something stopped being ready
	case prev == "" && ready.Reason == v1alpha1.ReasonReconciling:
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

// setParity records the pins and what was not copied in status.parity.
func setParity(st *v1alpha1.MirrorEnvironmentStatus, d *desired) {
	p := &st.Parity
	res := d.infra
	p.Pinned, p.Unpinned, p.Overridden = res.Pinned, res.Unpinned, res.Overridden
	p.PinnedSummary = fmt.Sprintf("%d/%d", res.Pinned+res.Overridden, res.Pinned+res.Unpinned+res.Overridden)
	p.NotCopied, p.MissingDependencies = d.kinds.NotCopied, d.deps.missing
}

// seedFailed reports whether Ready is False because a database's seeding failed (not because
// of a spec problem of the data, which fails the environment).
func seedFailed(env *v1alpha1.MirrorEnvironment, ready *metav1.Condition) bool {
	c := apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionSeeded)
	if c == nil || c.Status != metav1.ConditionFalse || c.Reason != ready.Reason {
		return false
	}
	switch c.Reason {
	case v1alpha1.ReasonSeeding, v1alpha1.ReasonDataInvalid, v1alpha1.ReasonApplyFailed, v1alpha1.ReasonReconciling:
		return false
	}
	return true
}
