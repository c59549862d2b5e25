package controllers

import (
	"fmt"
	"strings"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// Each condition has exactly one writer below: a set<Condition> function of explicit inputs,
// called by updateStatus and table-tested without an API server (the shape of Cluster API's
// cluster_controller_status.go). A condition whose input was not read in this reconcile
// becomes Unknown, never stale.

// setCondition records a condition for the environment's current generation.
func setCondition(env *v1alpha1.MirrorEnvironment, typ string, status metav1.ConditionStatus, reason, format string, args ...any) {
	apimeta.SetStatusCondition(&env.Status.Conditions, metav1.Condition{
		Type:               typ,
		Status:             status,
		Reason:             reason,
		Message:            limitMessage(fmt.Sprintf(format, args...)),
		ObservedGeneration: env.Generation,
	})
}

// maxMessage keeps condition messages readable in `kubectl describe` and well under the API's
// 32 KiB limit.
const maxMessage = 4000

func limitMessage(m string) string {
	if len(m) <= maxMessage {
		return m
	}
	cut := maxMessage
	for cut > 0 && (m[cut]&0xC0) == 0x80 {
		cut--
	}
	return m[:cut] + "…"
}

// explanation is what the outcomes of a reconcile say about one condition: a stall, a wait,
// or (when the step that sets it did not run) the transient error that stopped the reconcile.
type explanation struct {
	stall *stalled
	wait  *waiting
	err   error
}

// explains sets the condition from the explanation, if there is one, and reports whether it did.
func (e explanation) explains(env *v1alpha1.MirrorEnvironment, typ string) bool {
	switch {
	case e.stall != nil:
		setCondition(env, typ, metav1.ConditionFalse, e.stall.reason, "%s", e.stall.message)
	case e.wait != nil:
		setCondition(env, typ, metav1.ConditionFalse, e.wait.reason, "%s", e.wait.message)
	default:
		return false
	}
	return true
}

// notEvaluated sets a condition whose step did not run.
func notEvaluated(env *v1alpha1.MirrorEnvironment, typ string, err error, why string) {
	if err != nil {
		setCondition(env, typ, metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "not evaluated: %v", err)
		return
	}
	setCondition(env, typ, metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "not evaluated: %s", why)
}

// provisionedInput is what Provisioned reports on: the copy of prod's infrastructure.
type provisionedInput struct {
	explanation
	// applied is the workloads step's result; nil when it did not run.
	applied *applyResult
	// blockedBy explains why the workloads step did not run (a configuration that cannot be made).
	blockedBy          *stalled
	problems           []string
	workloads, objects int
	source, target     string
	// unknown names what of prod could not be read for a reason that may pass; withheld the
	// copies kept because what they were made from could not be read.
	unknown  string
	withheld []string
}

func setProvisionedCondition(env *v1alpha1.MirrorEnvironment, in provisionedInput) {
	const typ = v1alpha1.ConditionProvisioned
	switch {
	case in.explains(env, typ):
	case in.blockedBy != nil:
		setCondition(env, typ, metav1.ConditionFalse, in.blockedBy.reason,
			"no workload was copied because the configuration could not be made (see ConfigScrubbed): %s", in.blockedBy.message)
	case in.applied == nil:
		notEvaluated(env, typ, in.err, "prod was not read")
	case len(in.problems)+len(in.applied.failed) > 0:
		problems := append(append([]string{}, in.problems...), in.applied.failed...)
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"%d of %d objects could not be copied: %s", len(problems), in.workloads+in.objects, strings.Join(problems, "; "))
	case in.unknown != "" || len(in.withheld) > 0:
		// kstatus: Unknown, not False: the copy may well match prod, but that is not known.
		msg := "prod could not be read completely"
		if in.unknown != "" {
			msg += ": " + in.unknown
		}
		msg += "; the copy keeps what it has of it, and nothing made from it is pruned until it can be read"
		if len(in.withheld) > 0 {
			msg += fmt.Sprintf(" (kept %d: %s)", len(in.withheld), strings.Join(capList(in.withheld, 10), "; "))
		}
		setCondition(env, typ, metav1.ConditionUnknown, v1alpha1.ReasonSourcePartiallyRead, "%s", msg)
	default:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonCopied,
			"%d workloads and %d other objects copied from %s into %s", in.workloads, in.objects, in.source, in.target)
	}
}

// setVersionsPinnedCondition reports the pins; infra is nil when prod was not read. mismatched
// lists dependency stand-ins that run another version than prod ("redis: prod runs 7.1, the
// copy 7.0 (...)"): a dependency one version off is exactly the drift envmirror exists to
// prevent, so it is reported here as well as in DependenciesReady.
func setVersionsPinnedCondition(env *v1alpha1.MirrorEnvironment, infra *mirror.Result, mismatched []string, err error) {
	const typ = v1alpha1.ConditionVersionsPinned
	if infra == nil {
		notEvaluated(env, typ, err, "prod was not read")
		return
	}
	total := infra.Pinned + infra.Unpinned + infra.Overridden
	switch {
	case len(mismatched) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonVersionMismatch,
			"%d of %d images run the digest prod runs, but stand-ins run another version than prod: %s",
			infra.Pinned, total, strings.Join(mismatched, "; "))
	case env.Spec.Versions.Policy == v1alpha1.VersionKeepTag:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonPinningDisabled,
			"versions.policy is KeepTag: the copy follows prod's tags, which may resolve to other builds than prod runs")
	case infra.Unpinned == 0:
		msg := fmt.Sprintf("%d of %d images run the digest prod runs", infra.Pinned, total)
		if infra.Overridden > 0 {
			msg += fmt.Sprintf(" (%d overridden by the branch)", infra.Overridden)
		}
		if len(infra.Notes) > 0 {
			msg += "; note: " + strings.Join(infra.Notes, "; ")
		}
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonPinned, "%s", msg)
	default:
		reason := v1alpha1.ReasonPartiallyPinned
		if env.Spec.Versions.Policy == v1alpha1.VersionRequireDigest {
			reason = v1alpha1.ReasonUnpinnedImages
		}
		setCondition(env, typ, metav1.ConditionFalse, reason,
			"%d of %d images pinned; not pinned: %s", infra.Pinned, total, strings.Join(infra.UnpinnedImages, "; "))
	}
}

// configInput is what ConfigScrubbed reports on.
type configInput struct {
	explanation
	// plan is nil when the configuration was not planned; applied nil when not applied.
	plan    *configPlan
	applied *applyResult
}

func setConfigScrubbedCondition(env *v1alpha1.MirrorEnvironment, in configInput) {
	const typ = v1alpha1.ConditionConfigScrubbed
	switch {
	case in.explains(env, typ):
	case in.plan == nil || in.applied == nil:
		notEvaluated(env, typ, in.err, "prod was not read")
	case len(in.applied.failed) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"configuration could not be written: %s", strings.Join(in.applied.failed, "; "))
	default:
		c := in.plan.status
		msg := fmt.Sprintf("%d ConfigMaps and %d Secrets copied without prod secret values: %d values generated, %d templated, %d from dev Secrets, %d kept by rule",
			c.ConfigMaps, c.Secrets, c.Generated, c.Templated, c.FromSecret, c.Kept)
		if len(c.KeptKeys) > 0 {
			msg += " (" + strings.Join(c.KeptKeys, ", ") + ")"
		}
		if len(in.plan.unmatched) > 0 {
			msg += "; rules matching nothing in prod: " + strings.Join(in.plan.unmatched, ", ")
		}
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonScrubbed, "%s", msg)
	}
}

// isolationInput is what Isolated reports on.
type isolationInput struct {
	explanation
	// applied are the isolation and network steps' results; nil when they did not run.
	applied []*applyResult
	enabled bool
	source  string
}

func setIsolatedCondition(env *v1alpha1.MirrorEnvironment, in isolationInput) {
	const typ = v1alpha1.ConditionIsolated
	var failed []string
	for _, a := range in.applied {
		if a != nil {
			failed = append(failed, a.failed...)
		}
	}
	switch {
	case in.explains(env, typ):
	case len(in.applied) == 0 || in.applied[0] == nil:
		notEvaluated(env, typ, in.err, "the isolation policy was not applied")
	case len(failed) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed, "network policies could not be written: %s", strings.Join(failed, "; "))
	case !in.enabled:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonIsolationDisabled,
			"spec.network.isolation is None: the copy may reach prod namespace %s; only prod's own policies apply", in.source)
	default:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonIsolated,
			"NetworkPolicy %s denies egress from the copy to prod namespace %s (enforced where the cluster's network plugin enforces NetworkPolicies)",
			mirror.IsolationPolicyName, in.source)
	}
}

// seededInput is what Seeded reports on: each database's state, nil when the data step did
// not run.
type seededInput struct {
	explanation
	databases []v1alpha1.DatabaseStatus
	reached   bool
	// applied is the data step's write result.
	applied *applyResult
}

func setSeededCondition(env *v1alpha1.MirrorEnvironment, in seededInput) {
	const typ = v1alpha1.ConditionSeeded
	if len(env.Spec.Data) == 0 {
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonNoDatabases, "spec.data lists no databases")
		return
	}
	if !in.reached {
		notEvaluated(env, typ, in.err, "the databases were not reconciled")
		return
	}
	if in.applied != nil && len(in.applied.failed) > 0 {
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"database objects could not be written: %s", strings.Join(in.applied.failed, "; "))
		return
	}
	var seeded, waiting, failed []string
	reason := ""
	for _, d := range in.databases {
		switch d.Phase {
		case v1alpha1.DataSeeded:
			if d.Duration == "" {
				seeded = append(seeded, fmt.Sprintf("%s (%s)", d.Name, d.Message))
				continue
			}
			seeded = append(seeded, fmt.Sprintf("%s (%d rows in %d tables, %s, %d rows/s)", d.Name, d.Rows, d.Tables, d.Duration, d.RowsPerSecond))
		case v1alpha1.DataFailed:
			if reason == "" {
				reason = d.Reason
			}
			failed = append(failed, d.Name+": "+d.Message)
		default:
			waiting = append(waiting, d.Name+": "+d.Message)
		}
	}
	if reason == "" {
		reason = v1alpha1.ReasonSeedFailed
	}
	switch {
	case len(failed) > 0:
		setCondition(env, typ, metav1.ConditionFalse, reason, "%s", strings.Join(failed, "; "))
	case len(waiting) > 0:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonSeeding, "%s", strings.Join(waiting, "; "))
	default:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonSeeded, "seeded: %s", strings.Join(seeded, "; "))
	}
}

// setDriftedCondition: True while the copy differs from what prod implies now. reached is
// false when prod was not read (then drift cannot be known).
func setDriftedCondition(env *v1alpha1.MirrorEnvironment, drift []string, reached bool, frozen bool, err error) {
	const typ = v1alpha1.ConditionDrifted
	switch {
	case !reached:
		notEvaluated(env, typ, err, "prod was not read")
	case len(drift) > 0 && frozen:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonFrozen,
			"prod changed since the copy was provisioned and followProd is Never, so the copy keeps what it had (%d difference(s)): %s",
			len(drift), strings.Join(drift, "; "))
	case len(drift) > 0:
		setCondition(env, typ, metav1.ConditionTrue, v1alpha1.ReasonProdChanged,
			"%d object(s) of the copy do not match prod: %s", len(drift), strings.Join(drift, "; "))
	case frozen:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonNoDrift, "the copy is frozen (followProd: Never) and prod has not changed since it was provisioned")
	default:
		setCondition(env, typ, metav1.ConditionFalse, v1alpha1.ReasonNoDrift, "the copy matches prod")
	}
}

// setReconcilingAndStalledConditions follows kstatus: Stalled=True when the operator cannot
// progress until the spec or a watched input changes; Reconciling=True while work is under way.
// Both are removed when they are False, as kstatus recommends ("abnormal-true" conditions).
func setReconcilingAndStalledConditions(env *v1alpha1.MirrorEnvironment, out *outcomes, ready bool) {
	if len(out.stalls) > 0 {
		var msgs []string
		for _, s := range out.stalls {
			msgs = append(msgs, s.message)
		}
		setCondition(env, v1alpha1.ConditionStalled, metav1.ConditionTrue, out.stalls[0].reason, "%s", strings.Join(msgs, "; "))
	} else {
		apimeta.RemoveStatusCondition(&env.Status.Conditions, v1alpha1.ConditionStalled)
	}
	switch {
	case out.err != nil:
		setCondition(env, v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonProgressing, "retrying after an error: %v", out.err)
	case len(out.stalls) == 0 && !ready:
		msg := "provisioning the copy"
		if w := out.soonestWait(); w != nil {
			msg = w.message
		} else if len(out.waits) > 0 {
			msg = out.waits[0].message
		}
		setCondition(env, v1alpha1.ConditionReconciling, metav1.ConditionTrue, v1alpha1.ReasonProgressing, "%s", msg)
	default:
		apimeta.RemoveStatusCondition(&env.Status.Conditions, v1alpha1.ConditionReconciling)
	}
}
