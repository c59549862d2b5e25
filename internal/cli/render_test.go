package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// axisWant is an axis' expected state and a substring of its detail.
type axisWant struct {
	state  AxisState
	detail string
}

func TestAxes(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  *v1alpha1.MirrorEnvironment
		want map[string]axisWant
	}{
		{name: "provisioning", env: provisioning(), want: map[string]axisWant{
			"workloads":        {AxisWaiting, "2/3 ready; waiting for Deployment/worker"},
			"images":           {AxisWaiting, "1/2 pinned to prod's digests, 1 overridden (worker/worker has no digest)"},
			"config":           {AxisDone, "3 ConfigMaps, 2 Secrets by shape: 12 values generated, 1 templated, 1 kept, 4 plain values replaced"},
			"data orders-db":   {AxisWaiting, "Seeding: 12000 rows in 3 tables"},
			"dependency cache": {AxisWaiting, "redis 7.2.4 (prod 7.2.4) not ready (DependencyNotReady (waiting for the StatefulSet))"},
		}},
		{name: "ready", env: ready(), want: map[string]axisWant{
			"workloads":        {AxisDone, "3/3 ready"},
			"images":           {AxisWarning, "1/2 pinned to prod's digests"},
			"data orders-db":   {AxisDone, "Seeded: 61000 rows in 3 tables in 1.2s (50833 rows/s)"},
			"dependency cache": {AxisDone, "redis 7.2.4 (prod 7.2.4) ready"},
		}},
		{name: "bad override", env: badOverride(), want: map[string]axisWant{
			"workloads": {AxisFailed, "OverrideNotFound: spec.overrides names nosuch"},
			"config":    {AxisDone, ""},
		}},
		{name: "nothing reported yet", env: &v1alpha1.MirrorEnvironment{Spec: v1alpha1.MirrorEnvironmentSpec{Data: []v1alpha1.DatabaseSpec{{Name: "db"}}}}, want: map[string]axisWant{
			"workloads": {AxisWaiting, "not reconciled yet"},
			"images":    {AxisWaiting, "not reconciled yet"},
			"data db":   {AxisWaiting, "Pending"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]Axis{}
			for _, a := range Axes(tc.env) {
				got[a.Name] = a
			}
			for name, want := range tc.want {
				a, ok := got[name]
				if !ok {
					t.Errorf("no axis %q in %v", name, got)
					continue
				}
				if a.State != want.state || !strings.Contains(a.Detail, want.detail) {
					t.Errorf("axis %s = %s %q, want %s containing %q", name, a.State, a.Detail, want.state, want.detail)
				}
			}
		})
	}
}

// The progress printer prints a line once, and again only when it changes.
func TestProgressPrinter(t *testing.T) {
	var p ProgressPrinter
	first := p.Lines(provisioning())
	if len(first) != 6 || !strings.Contains(first[0], "Seeding") { // phase + 5 axes
		t.Fatalf("first observation: %d lines:\n%s", len(first), strings.Join(first, "\n"))
	}
	if again := p.Lines(provisioning()); len(again) != 0 {
		t.Errorf("an unchanged observation printed:\n%s", strings.Join(again, "\n"))
	}
	done := p.Lines(ready())
	joined := strings.Join(done, "\n")
	for _, want := range []string{"phase", "Ready", "✓ workloads", "3/3 ready", "✓ data orders-db", "✓ dependency cache"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the Ready observation lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "config") {
		t.Errorf("config did not change but was printed again:\n%s", joined)
	}
}

func TestWaiter(t *testing.T) {
	stalled := badOverride()
	stalled.Status.Conditions = append(stalled.Status.Conditions,
		cond(v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonOverrideNotFound, "spec.overrides names nosuch", 2))
	stale := ready()
	stale.Status.ObservedGeneration = 1
	deleting := provisioning()
	deleting.DeletionTimestamp = &metav1.Time{Time: now}
	seedFailed := provisioning()
	seedFailed.Status.Phase = v1alpha1.PhaseDegraded
	seedFailed.Status.Data[0].Phase = v1alpha1.DataFailed

	type step struct {
		env     *v1alpha1.MirrorEnvironment
		after   time.Duration
		verdict Verdict
		reason  string
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"ready", []step{{provisioning(), 0, Waiting, v1alpha1.ReasonSeeding}, {ready(), 10 * time.Second, Succeeded, v1alpha1.ReasonReady}}},
		{"status of an older generation does not count", []step{{stale, 0, Waiting, v1alpha1.ReasonReconciling}}},
		{"stalled fails at once", []step{{stalled, 0, Failed, v1alpha1.ReasonOverrideNotFound}}},
		{"a failure phase fails after the grace", []step{
			{badOverride(), 0, Waiting, v1alpha1.ReasonOverrideNotFound},
			{badOverride(), 29 * time.Second, Waiting, v1alpha1.ReasonOverrideNotFound},
			{badOverride(), 30 * time.Second, Failed, v1alpha1.ReasonOverrideNotFound}}},
		{"a failure that recovers restarts the grace", []step{
			{badOverride(), 0, Waiting, v1alpha1.ReasonOverrideNotFound},
			{provisioning(), 20 * time.Second, Waiting, v1alpha1.ReasonSeeding},
			{badOverride(), 40 * time.Second, Waiting, v1alpha1.ReasonOverrideNotFound},
			{badOverride(), 69 * time.Second, Waiting, v1alpha1.ReasonOverrideNotFound}}},
		{"a failed seeding fails", []step{{seedFailed, 0, Waiting, v1alpha1.ReasonSeeding}, {seedFailed, 31 * time.Second, Failed, v1alpha1.ReasonSeeding}}},
		{"deleting fails", []step{{deleting, 0, Failed, v1alpha1.ReasonDeleting}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &Waiter{Generation: 2, Grace: DefaultFailureGrace}
			for i, s := range tc.steps {
				got := w.Observe(s.env, now.Add(s.after))
				if got.Verdict != s.verdict || got.Reason != s.reason {
					t.Errorf("step %d: %v %q (%s), want %v %q", i, got.Verdict, got.Reason, got.Message, s.verdict, s.reason)
				}
			}
		})
	}
}

func TestRenderStatus(t *testing.T) {
	var b bytes.Buffer
	if err := RenderStatus(&b, provisioning(), now); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Environment:  dev-envs/feature-x-3f1c9a2b",
		"Branch:       feature/x",
		"Namespace:    shop-prod-feature-x-3f1c9a2b",
		"Phase:        Seeding - Seeded: seeding orders-db",
		"Expires:      2026-12-02T11:00:00Z (in 47h)",
		"URLs:         none yet (kubectl mirror open feature-x-3f1c9a2b port-forwards its first Service)",
		// infrastructure
		"Infrastructure: 2/3 workloads ready",
		"worker    Deployment (prod: DaemonSet)  no",
		"not copied: 2 keda.sh/ScaledObject (no conversion)",
		// dependencies: prod's reference against the copy's, per container
		"Dependencies: images 1/2 pinned to prod's digests, 1 overridden (PartiallyPinned: worker/worker has no digest)",
		"api/api             registry.example/shop/api:1.8.2      registry.example/shop/api:sha-1f2e3d4  overridden",
		"frontend/web        registry.example/shop/web:2.0        registry.example/shop/web@sha256:aaaa  pinned to prod's digest",
		"worker/worker       registry.example/shop/worker:latest  registry.example/shop/worker:latest    NOT PINNED",
		"cache     redis   7.2.4         7.2.4         no (DependencyNotReady)  cache",
		// configuration
		"Configuration: 3 ConfigMaps, 2 Secrets (by shape: prod values never copied)",
		"12 generated, 1 kept, 1 templated, 0 from dev Secrets",
		"stripe/publishable-key",
		"plain values replaced:                 4 (ConfigMap/app-config 3, Deployment/api 1)",
		"uncertain values:                      5 (review them",
		`- ConfigMap/app-config app.yaml (features.partner_ref): replaced, replaced only because it looks random; keep it: spec.config.keepPlain: {configMap: app-config, key: "app.yaml#features.partner_ref"}`,
		"- workload/web NEXT_PUBLIC_MAPS_KEY: kept, kept as public client configuration\n",
		"- and 3 more",
		// data
		"orders-db:              Seeding: 12000 rows in 3 tables",
		"orders-db-seed-abc123 (kubectl mirror logs feature-x-3f1c9a2b --seed orders-db)",
		"public.orders         5000  2400000",
		// drift
		"Drift: 1 difference(s) from prod",
		"prod runs sha256:bbbb, the copy sha256:aaaa",
		"VersionsPinned  False   PartiallyPinned",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderList(t *testing.T) {
	var b bytes.Buffer
	expired := ready()
	expired.Name, expired.Namespace = "old", "team-b"
	expired.Status.ExpiresAt = &metav1.Time{Time: now.Add(-5 * time.Minute)}
	expired.Status.URLs = nil
	expired.Status.Phase, expired.Status.ServicesReady = v1alpha1.PhaseSleeping, "0/3"
	expired.Status.Sleep = &v1alpha1.SleepStatus{State: v1alpha1.SleepAsleep, Next: "wakes Mon 08:00 CET"}
	if err := RenderList(&b, []v1alpha1.MirrorEnvironment{*ready(), *expired}, now); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{
		"NAMESPACE   NAME                 BRANCH      PHASE      READY   PINNED   SLEEP                 EXPIRES   URL                                           AGE",
		"dev-envs    feature-x-3f1c9a2b   feature/x   Ready      3/3     2/3      -                     in 47h    https://shop-feature-x-3f1c9a2b.example.com   60m",
		"team-b      old                  feature/x   Sleeping   0/3     2/3      wakes Mon 08:00 CET   5m ago    -                                             60m",
	}
	if len(lines) != len(want) {
		t.Fatalf("ls printed:\n%s", b.String())
	}
	for i := range want {
		if strings.TrimRight(lines[i], " ") != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], want[i])
		}
	}
}
