package cli

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func cond(typ string, status metav1.ConditionStatus, reason, msg string, gen int64) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: gen}
}

// provisioning is an environment half-way: 2 of 3 workloads ready, config done, the database
// seeding, a dependency waiting.
func provisioning() *v1alpha1.MirrorEnvironment {
	ttl := v1alpha1.Duration("48h")
	return &v1alpha1.MirrorEnvironment{
		ObjectMeta: metav1.ObjectMeta{Name: "feature-x-3f1c9a2b", Namespace: "dev-envs", Generation: 2,
			CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))},
		Spec: v1alpha1.MirrorEnvironmentSpec{
			Source: v1alpha1.SourceSpec{Namespace: "shop-prod"}, Branch: "feature/x", TTL: &ttl,
			Data:         []v1alpha1.DatabaseSpec{{Name: "orders-db"}},
			Dependencies: []v1alpha1.DependencySpec{{Name: "cache", Engine: v1alpha1.EngineRedis}},
		},
		Status: v1alpha1.MirrorEnvironmentStatus{
			ObservedGeneration: 2, Phase: v1alpha1.PhaseSeeding, TargetNamespace: "shop-prod-feature-x-3f1c9a2b",
			ReadyServices: 2, TotalServices: 3, ServicesReady: "2/3",
			Services: []v1alpha1.ServiceStatus{
				{Name: "api", Kind: "Deployment", Ready: true, Pinned: true, Containers: []v1alpha1.ContainerImageStatus{
					{Name: "api", SourceImage: "registry.example/shop/api:1.8.2", Image: "registry.example/shop/api:sha-1f2e3d4", Overridden: true, Pinned: true}}},
				{Name: "frontend", Kind: "Deployment", Ready: true, Pinned: true, Containers: []v1alpha1.ContainerImageStatus{
					{Name: "web", SourceImage: "registry.example/shop/web:2.0", Image: "registry.example/shop/web@sha256:aaaa", Pinned: true}}},
				{Name: "worker", Kind: "Deployment", SourceKind: "DaemonSet", Ready: false, Containers: []v1alpha1.ContainerImageStatus{
					{Name: "worker", SourceImage: "registry.example/shop/worker:latest", Image: "registry.example/shop/worker:latest"}}},
			},
			Parity: v1alpha1.ParityStatus{Pinned: 1, Unpinned: 1, Overridden: 1, PinnedSummary: "2/3",
				Drifted:   []string{"images: Deployment/frontend container web: prod runs sha256:bbbb, the copy sha256:aaaa"},
				NotCopied: []v1alpha1.KindCount{{Kind: "keda.sh/ScaledObject", Count: 2, Reason: "no conversion"}}},
			Config: v1alpha1.ConfigStatus{ConfigMaps: 3, Secrets: 2, Generated: 12, Templated: 1, Kept: 1,
				KeptKeys: []string{"stripe/publishable-key"}, Replaced: 4,
				ReplacedIn: []v1alpha1.ReplacedCount{{Object: "ConfigMap/app-config", Count: 3}, {Object: "Deployment/api", Count: 1}},
				Uncertain: []v1alpha1.UncertainValue{
					{Object: "ConfigMap/app-config", Key: "app.yaml", Path: "features.partner_ref", Decision: "Replaced",
						Reason: "replaced only because it looks random", KeepRule: `{configMap: app-config, key: "app.yaml#features.partner_ref"}`},
					{Object: "workload/web", Key: "NEXT_PUBLIC_MAPS_KEY", Decision: "Kept", Reason: "kept as public client configuration",
						KeepRule: `{workload: web, key: "NEXT_PUBLIC_MAPS_KEY"}`},
				},
				UncertainOmitted: 3},
			Data: []v1alpha1.DatabaseStatus{{Name: "orders-db", Phase: v1alpha1.DataSeeding, Rows: 12000, Tables: 3, Job: "orders-db-seed-abc123",
				Message: "seeding; progress: kubectl logs", TablesSeeded: []v1alpha1.TableRows{{Table: "public.orders", Rows: 5000, ProdRows: ptr(int64(2400000))}}}},
			Dependencies: []v1alpha1.DependencyStatus{{Name: "cache", Engine: v1alpha1.EngineRedis, ProdVersion: "7.2.4", Version: "7.2.4",
				Reason: "DependencyNotReady", Message: "waiting for the StatefulSet", Replaces: []string{"cache"}}},
			ExpiresAt: &metav1.Time{Time: now.Add(47 * time.Hour)},
			Conditions: []metav1.Condition{
				cond(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonSeeding, "Seeded: seeding orders-db", 2),
				cond(v1alpha1.ConditionProvisioned, metav1.ConditionTrue, v1alpha1.ReasonCopied, "copied", 2),
				cond(v1alpha1.ConditionVersionsPinned, metav1.ConditionFalse, v1alpha1.ReasonPartiallyPinned, "worker/worker has no digest", 2),
				cond(v1alpha1.ConditionConfigScrubbed, metav1.ConditionTrue, v1alpha1.ReasonScrubbed, "scrubbed", 2),
				cond(v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonSeeding, "seeding orders-db", 2),
			},
		},
	}
}

// ready is provisioning() finished.
func ready() *v1alpha1.MirrorEnvironment {
	env := provisioning()
	st := &env.Status
	st.Phase, st.ReadyServices, st.ServicesReady = v1alpha1.PhaseReady, 3, "3/3"
	for i := range st.Services {
		st.Services[i].Ready = true
	}
	st.Data[0].Phase, st.Data[0].Rows, st.Data[0].Duration, st.Data[0].RowsPerSecond = v1alpha1.DataSeeded, 61000, "1.2s", 50833
	st.Dependencies[0].Ready, st.Dependencies[0].Reason = true, ""
	st.URLs = []string{"https://shop-feature-x-3f1c9a2b.example.com"}
	st.Conditions[0] = cond(v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "3 of 3 services ready", 2)
	st.Conditions[4] = cond(v1alpha1.ConditionSeeded, metav1.ConditionTrue, v1alpha1.ReasonSeeded, "seeded", 2)
	return env
}

// badOverride is an environment whose override names a workload prod does not have.
func badOverride() *v1alpha1.MirrorEnvironment {
	env := provisioning()
	st := &env.Status
	st.Phase = v1alpha1.PhaseFailed
	msg := "spec.overrides names nosuch, which the copy does not have (copied workloads: api, frontend, worker)"
	st.Conditions[0] = cond(v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonOverrideNotFound, "Provisioned: "+msg, 2)
	st.Conditions[1] = cond(v1alpha1.ConditionProvisioned, metav1.ConditionFalse, v1alpha1.ReasonOverrideNotFound, msg, 2)
	return env
}

func ptr[T any](v T) *T { return &v }
