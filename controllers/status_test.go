package controllers

import (
	"errors"
	"strings"
	"testing"
	"time"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// These tables test the status stage without an API server: each condition's writer from its
// explicit inputs.

func testEnvironment() *v1alpha1.MirrorEnvironment {
	return &v1alpha1.MirrorEnvironment{
		ObjectMeta: metav1.ObjectMeta{Name: "env", Namespace: "dev", Generation: 3},
		Spec:       v1alpha1.MirrorEnvironmentSpec{Source: v1alpha1.SourceSpec{Namespace: "prod"}},
	}
}

type wantCondition struct {
	status  metav1.ConditionStatus
	reason  string
	message string // a substring
}

func checkCondition(t *testing.T, env *v1alpha1.MirrorEnvironment, typ string, want wantCondition) {
	t.Helper()
	c := apimeta.FindStatusCondition(env.Status.Conditions, typ)
	if c == nil {
		t.Fatalf("no %s condition", typ)
	}
	if c.Status != want.status || c.Reason != want.reason || !strings.Contains(c.Message, want.message) {
		t.Fatalf("%s = %s/%s %q; want %s/%s containing %q", typ, c.Status, c.Reason, c.Message, want.status, want.reason, want.message)
	}
	if c.ObservedGeneration != env.Generation {
		t.Fatalf("%s observedGeneration = %d, want %d", typ, c.ObservedGeneration, env.Generation)
	}
}

func TestSetProvisionedCondition(t *testing.T) {
	cases := []struct {
		name string
		in   provisionedInput
		want wantCondition
	}{
		{"stalled on the spec", provisionedInput{explanation: explanation{stall: &stalled{reason: v1alpha1.ReasonOverrideNotFound, message: "no workload x"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonOverrideNotFound, "no workload x"}},
		{"waiting for prod", provisionedInput{explanation: explanation{wait: &waiting{reason: v1alpha1.ReasonSourceUnreachable, message: "reading prod: timeout"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonSourceUnreachable, "timeout"}},
		{"blocked by the configuration", provisionedInput{blockedBy: &stalled{reason: v1alpha1.ReasonConfigInvalid, message: "template cycle"}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonConfigInvalid, "because the configuration could not be made"}},
		{"not reached after an error", provisionedInput{explanation: explanation{err: errors.New("etcd timeout")}},
			wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "etcd timeout"}},
		{"some objects not written", provisionedInput{applied: &applyResult{failed: []string{"Service/web: invalid"}}, workloads: 2, objects: 3},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonApplyFailed, "1 of 5 objects could not be copied: Service/web: invalid"}},
		{"copied", provisionedInput{applied: &applyResult{}, workloads: 2, objects: 3, source: "prod", target: "prod-env"},
			wantCondition{metav1.ConditionTrue, v1alpha1.ReasonCopied, "2 workloads and 3 other objects copied from prod into prod-env"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			setProvisionedCondition(env, c.in)
			checkCondition(t, env, v1alpha1.ConditionProvisioned, c.want)
		})
	}
}

func TestSetVersionsPinnedCondition(t *testing.T) {
	cases := []struct {
		name       string
		policy     v1alpha1.VersionPolicy
		infra      *mirror.Result
		want       wantCondition
		mismatched []string
	}{
		{"prod not read", "", nil, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "prod was not read"}, nil},
		{"all pinned", "", &mirror.Result{Pinned: 3, Overridden: 1}, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonPinned, "3 of 4 images run the digest prod runs (1 overridden"}, nil},
		{"some unpinned", "", &mirror.Result{Pinned: 1, Unpinned: 1, UnpinnedImages: []string{"CronJob/report"}}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonPartiallyPinned, "not pinned: CronJob/report"}, nil},
		{"required", v1alpha1.VersionRequireDigest, &mirror.Result{Unpinned: 1}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonUnpinnedImages, "0 of 1"}, nil},
		{"tags kept", v1alpha1.VersionKeepTag, &mirror.Result{}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonPinningDisabled, "KeepTag"}, nil},
		{"a dependency one version off", "", &mirror.Result{Pinned: 2}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonVersionMismatch, "cache: prod runs 7.1, the copy 7.0"}, []string{"cache: prod runs 7.1, the copy 7.0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			env.Spec.Versions.Policy = c.policy
			setVersionsPinnedCondition(env, c.infra, c.mismatched, nil)
			checkCondition(t, env, v1alpha1.ConditionVersionsPinned, c.want)
		})
	}
}

func TestSetConfigScrubbedCondition(t *testing.T) {
	plan := &configPlan{status: v1alpha1.ConfigStatus{ConfigMaps: 2, Secrets: 1, Generated: 4, Kept: 1, KeptKeys: []string{"stripe/pk"}}, unmatched: []string{"gone/key"}}
	cases := []struct {
		name string
		in   configInput
		want wantCondition
	}{
		{"keep not granted", configInput{explanation: explanation{stall: &stalled{reason: v1alpha1.ReasonKeepNotGranted, message: "stripe/sk"}}}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonKeepNotGranted, "stripe/sk"}},
		{"not planned", configInput{}, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "not evaluated"}},
		{"not written", configInput{plan: plan, applied: &applyResult{failed: []string{"Secret/x: forbidden"}}}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonApplyFailed, "Secret/x: forbidden"}},
		{"scrubbed", configInput{plan: plan, applied: &applyResult{}}, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonScrubbed, "2 ConfigMaps and 1 Secrets copied without prod secret values: 4 values generated, 0 templated, 0 from dev Secrets, 1 kept by rule (stripe/pk); rules matching nothing in prod: gone/key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			setConfigScrubbedCondition(env, c.in)
			checkCondition(t, env, v1alpha1.ConditionConfigScrubbed, c.want)
		})
	}
}

func TestSetIsolatedCondition(t *testing.T) {
	cases := []struct {
		name string
		in   isolationInput
		want wantCondition
	}{
		{"not applied", isolationInput{applied: []*applyResult{nil, nil}}, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "not applied"}},
		{"failed", isolationInput{applied: []*applyResult{{failed: []string{"NetworkPolicy/x: invalid"}}, nil}, enabled: true}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonApplyFailed, "NetworkPolicy/x"}},
		{"disabled", isolationInput{applied: []*applyResult{{}, {}}, source: "prod"}, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonIsolationDisabled, "may reach prod namespace prod"}},
		{"isolated", isolationInput{applied: []*applyResult{{}, {}}, enabled: true, source: "prod"}, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonIsolated, "denies egress from the copy to prod namespace prod"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			setIsolatedCondition(env, c.in)
			checkCondition(t, env, v1alpha1.ConditionIsolated, c.want)
		})
	}
}

func TestSetSeededCondition(t *testing.T) {
	seeded := v1alpha1.DatabaseStatus{Name: "a", Phase: v1alpha1.DataSeeded, Rows: 10, Tables: 2, Duration: "1.0s", RowsPerSecond: 10}
	cases := []struct {
		name string
		dbs  int
		in   seededInput
		want wantCondition
	}{
		{"no databases", 0, seededInput{}, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonNoDatabases, "no databases"}},
		{"not reached", 1, seededInput{}, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "not evaluated"}},
		{"reason from the database, not its message", 2, seededInput{reached: true, databases: []v1alpha1.DatabaseStatus{seeded,
			{Name: "b", Phase: v1alpha1.DataFailed, Reason: "ExtensionMissing", Message: "postgis is not available"}}},
			wantCondition{metav1.ConditionFalse, "ExtensionMissing", "b: postgis is not available"}},
		{"seeding", 2, seededInput{reached: true, databases: []v1alpha1.DatabaseStatus{seeded, {Name: "b", Phase: v1alpha1.DataSeeding, Message: "seeding"}}},
			wantCondition{metav1.ConditionFalse, v1alpha1.ReasonSeeding, "b: seeding"}},
		{"seeded", 1, seededInput{reached: true, databases: []v1alpha1.DatabaseStatus{seeded}}, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSeeded, "a (10 rows in 2 tables, 1.0s, 10 rows/s)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			for i := 0; i < c.dbs; i++ {
				env.Spec.Data = append(env.Spec.Data, v1alpha1.DatabaseSpec{Name: string(rune('a' + i))})
			}
			setSeededCondition(env, c.in)
			checkCondition(t, env, v1alpha1.ConditionSeeded, c.want)
		})
	}
}

func TestSetDriftedCondition(t *testing.T) {
	cases := []struct {
		name            string
		drift           []string
		reached, frozen bool
		want            wantCondition
	}{
		{"prod not read", nil, false, false, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "prod was not read"}},
		{"matches", nil, true, false, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonNoDrift, "matches prod"}},
		{"not written", []string{"Service/web: invalid (not written)"}, true, false, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonProdChanged, "1 object(s)"}},
		{"frozen and prod moved", []string{"Deployment/api: images: container app: prod runs b, the copy a"}, true, true, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonFrozen, "prod runs b"}},
		{"frozen and prod still", nil, true, true, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonNoDrift, "frozen"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			setDriftedCondition(env, c.drift, c.reached, c.frozen, nil)
			checkCondition(t, env, v1alpha1.ConditionDrifted, c.want)
		})
	}
}

func TestSetReadyConditionAndPhase(t *testing.T) {
	set := func(env *v1alpha1.MirrorEnvironment, typ string, status metav1.ConditionStatus, reason string) {
		setCondition(env, typ, status, reason, "%s is %s", typ, reason)
	}
	allTrue := func(env *v1alpha1.MirrorEnvironment) {
		for _, typ := range readyInputs {
			set(env, typ, metav1.ConditionTrue, "OK")
		}
	}
	cases := []struct {
		name      string
		prepare   func(*v1alpha1.MirrorEnvironment)
		prev      v1alpha1.Phase
		stalled   bool
		wantReady wantCondition
		wantPhase v1alpha1.Phase
	}{
		{"everything ready", allTrue, v1alpha1.PhaseProvisioning, false, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonReady, "0 of 0 services ready"}, v1alpha1.PhaseReady},
		{"services not ready", func(e *v1alpha1.MirrorEnvironment) {
			allTrue(e)
			e.Status.TotalServices = 2
			e.Status.Services = []v1alpha1.ServiceStatus{{Name: "api", Kind: "Deployment"}}
		}, v1alpha1.PhaseProvisioning, false, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonNotReady, "waiting for Deployment/api"}, v1alpha1.PhaseProvisioning},
		{"a failure wins over work in progress", func(e *v1alpha1.MirrorEnvironment) {
			allTrue(e)
			set(e, v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonProgressing)
			set(e, v1alpha1.ConditionConfigScrubbed, metav1.ConditionFalse, v1alpha1.ReasonConfigInvalid)
		}, v1alpha1.PhaseProvisioning, true, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonConfigInvalid, "ConfigScrubbed"}, v1alpha1.PhaseFailed},
		{"isolation disabled does not block", func(e *v1alpha1.MirrorEnvironment) {
			allTrue(e)
			set(e, v1alpha1.ConditionIsolated, metav1.ConditionFalse, v1alpha1.ReasonIsolationDisabled)
		}, "", false, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonReady, ""}, v1alpha1.PhaseReady},
		{"seeding", func(e *v1alpha1.MirrorEnvironment) {
			allTrue(e)
			set(e, v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonSeeding)
		}, v1alpha1.PhaseProvisioning, false, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonSeeding, "Seeded"}, v1alpha1.PhaseSeeding},
		{"seed failed is degraded", func(e *v1alpha1.MirrorEnvironment) {
			allTrue(e)
			set(e, v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonSeedFailed)
		}, v1alpha1.PhaseSeeding, false, wantCondition{metav1.ConditionFalse, v1alpha1.ReasonSeedFailed, ""}, v1alpha1.PhaseDegraded},
		{"unknown keeps the phase", func(e *v1alpha1.MirrorEnvironment) {
			allTrue(e)
			set(e, v1alpha1.ConditionProvisioned, metav1.ConditionUnknown, v1alpha1.ReasonReconciling)
		}, v1alpha1.PhaseReady, false, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, ""}, v1alpha1.PhaseReady},
		{"first reconcile", func(e *v1alpha1.MirrorEnvironment) {}, "", false, wantCondition{metav1.ConditionUnknown, v1alpha1.ReasonReconciling, "has not been reconciled yet"}, v1alpha1.PhasePending},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			c.prepare(env)
			setReadyCondition(env, false, "")
			checkCondition(t, env, v1alpha1.ConditionReady, c.wantReady)
			if got := phaseOf(env, c.prev, c.stalled, false); got != c.wantPhase {
				t.Fatalf("phase = %s, want %s", got, c.wantPhase)
			}
		})
	}
}

func TestOutcomesResult(t *testing.T) {
	resync := 10 * time.Minute
	cases := []struct {
		name        string
		outcomes    []error
		untilExpiry time.Duration
		wantAfter   time.Duration
		wantErr     bool
	}{
		{"converged: the resync", nil, 0, resync, false},
		{"the soonest wait", []error{wait("A", 30*time.Second, "R", "a"), wait("B", 5*time.Second, "R", "b")}, 0, 5 * time.Second, false},
		{"a wait with no delay leaves the resync", []error{wait("A", 0, "R", "a")}, 0, resync, false},
		{"stalled: no requeue", []error{stall("A", "R", "bad spec"), wait("B", 5*time.Second, "R", "b")}, 0, 0, false},
		{"stalled still expires", []error{stall("A", "R", "bad spec")}, time.Hour, time.Hour, false},
		{"expiry sooner than the resync", nil, time.Minute, time.Minute, false},
		{"a transient error backs off", []error{errors.New("conflict"), wait("B", 5*time.Second, "R", "b")}, time.Minute, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o outcomes
			for _, err := range c.outcomes {
				o.record(err)
			}
			res, err := o.result(resync, c.untilExpiry)
			if (err != nil) != c.wantErr || res.RequeueAfter != c.wantAfter {
				t.Fatalf("result = %v, %v; want after %s, error %v", res, err, c.wantAfter, c.wantErr)
			}
		})
	}
}

func TestReconcilingAndStalled(t *testing.T) {
	env := testEnvironment()
	var o outcomes
	o.record(stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonSourceNotGranted, "prod does not allow dev"))
	setReconcilingAndStalledConditions(env, &o, false)
	checkCondition(t, env, v1alpha1.ConditionStalled, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonSourceNotGranted, "prod does not allow dev"})
	if apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionReconciling) != nil {
		t.Fatal("a stalled environment is not Reconciling")
	}
	o = outcomes{}
	o.record(wait(v1alpha1.ConditionSeeded, 0, v1alpha1.ReasonSeeding, "seeding orders"))
	setReconcilingAndStalledConditions(env, &o, false)
	checkCondition(t, env, v1alpha1.ConditionReconciling, wantCondition{metav1.ConditionTrue, v1alpha1.ReasonProgressing, "seeding orders"})
	if apimeta.FindStatusCondition(env.Status.Conditions, v1alpha1.ConditionStalled) != nil {
		t.Fatal("Stalled stays after the stall is gone")
	}
	setReconcilingAndStalledConditions(env, &outcomes{}, true)
	if len(env.Status.Conditions) != 0 {
		t.Fatalf("a ready environment has neither Reconciling nor Stalled, got %v", env.Status.Conditions)
	}
}

func TestStatusCoalescing(t *testing.T) {
	base := &v1alpha1.MirrorEnvironmentStatus{Phase: v1alpha1.PhaseProvisioning, ReadyServices: 3, ServicesReady: "3/7",
		Services:   []v1alpha1.ServiceStatus{{Name: "api", Ready: false, Message: "0 of 1 replicas ready"}},
		Conditions: []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, Reason: "NotReady", Message: "3 of 7 services ready"}}}
	progress := base.DeepCopy()
	progress.ReadyServices, progress.ServicesReady = 4, "4/7"
	progress.Services[0].Ready, progress.Services[0].Message = true, ""
	progress.Conditions[0].Message = "4 of 7 services ready"
	phase := progress.DeepCopy()
	phase.Phase = v1alpha1.PhaseReady
	reason := progress.DeepCopy()
	reason.Conditions[0].Reason = "Seeding"
	if !progressOnly(base, progress) || progressOnly(base, phase) || progressOnly(base, reason) {
		t.Fatal("progress-only must be ready counts and messages, nothing else")
	}
	var p statusPatches
	k := types.NamespacedName{Namespace: "dev", Name: "env"}
	now := time.Unix(1000, 0)
	if d := p.coalesce(k, base, progress, now); d != 0 {
		t.Fatalf("the first write is never delayed, got %s", d)
	}
	p.patched(k, now)
	if d := p.coalesce(k, base, progress, now.Add(500*time.Millisecond)); d != 1500*time.Millisecond {
		t.Fatalf("progress right after a write waits out the interval, got %s", d)
	}
	if d := p.coalesce(k, base, phase, now.Add(500*time.Millisecond)); d != 0 {
		t.Fatalf("a phase change is written at once, got %s", d)
	}
	if d := p.coalesce(k, base, progress, now.Add(3*time.Second)); d != 0 {
		t.Fatalf("progress after the interval is written, got %s", d)
	}
}
