package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

func TestLabelKeepsNamesAndReasons(t *testing.T) {
	tests := map[string]string{
		"orders-db":                      "orders-db",
		"SourceUnreachable":              "SourceUnreachable",
		"Deployment":                     "Deployment",
		"apply":                          "apply",
		"rbac.authorization.k8s.io_Role": "rbac.authorization.k8s.io_Role",
		"":                               "other",
		"dial tcp 10.0.0.1:443: refused": "other",
		"-leading-dash":                  "other",
		strings.Repeat("a", 63):          strings.Repeat("a", 63),
		strings.Repeat("a", 64):          "other",
		"naïve":                          "other",
	}
	for in, want := range tests {
		if got := label(in); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestObserveProvisionedMeasuresFromCreation(t *testing.T) {
	created := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	env := &metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created)}
	before := histogramSum(t, "envmirror_provisioning_duration_seconds")
	ObserveProvisioned(env, created.Add(90*time.Second))
	ObserveProvisioned(env, created.Add(-time.Second)) // a clock skew never subtracts
	if got := histogramSum(t, "envmirror_provisioning_duration_seconds") - before; got != 90 {
		t.Errorf("sum grew by %v, want 90", got)
	}
}

func TestCountersMoveByTheirLabels(t *testing.T) {
	Seeded("orders-db", 1200, 3*time.Second)
	Seeded("orders-db", -5, time.Second) // never subtracts
	Seeded("users-db", 10, time.Second)
	ReconcileError("SourceUnreachable")
	ReconcileError("connection reset by peer")
	Drift("Deployment")
	Write("Secret", "apply")
	Write("Secret", "apply")
	for series, want := range map[string]float64{
		"orders-db": 1200, "users-db": 10,
	} {
		if got := testutil.ToFloat64(seededRows.WithLabelValues(series)); got != want {
			t.Errorf("seeded rows of %s = %v, want %v", series, got, want)
		}
	}
	if got := testutil.ToFloat64(reconcileErrors.WithLabelValues("other")); got != 1 {
		t.Errorf("free-text reasons count as other: %v", got)
	}
	if got := testutil.ToFloat64(apiWrites.WithLabelValues("Secret", "apply")); got != 2 {
		t.Errorf("writes = %v, want 2", got)
	}
	if got := testutil.ToFloat64(driftEvents.WithLabelValues("Deployment")); got != 1 {
		t.Errorf("drift = %v, want 1", got)
	}
	if n := testutil.CollectAndCount(seedingDuration); n != 2 {
		t.Errorf("seeding duration has %d series, want 2 (one per database)", n)
	}
}

// histogramSum reads a histogram's sum from controller-runtime's registry, where /metrics reads it.
func histogramSum(t *testing.T, name string) float64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetHistogram().GetSampleSum()
		}
	}
	t.Fatalf("%s is not registered on controller-runtime's registry", name)
	return 0
}

func TestSeriesValue(t *testing.T) {
	body := `# HELP envmirror_environments MirrorEnvironments by phase.
# TYPE envmirror_environments gauge
envmirror_environments{phase="Ready"} 3
envmirror_environments{phase="ReadyNot"} 7
envmirror_seeded_rows_total{database="orders-db"} 6.1e+04
`
	for series, want := range map[string]float64{
		`envmirror_environments{phase="Ready"}`:             3,
		`envmirror_seeded_rows_total{database="orders-db"}`: 61000,
	} {
		if got, err := SeriesValue(body, series); err != nil || got != want {
			t.Errorf("SeriesValue(%s) = %v, %v; want %v", series, got, err, want)
		}
	}
	if _, err := SeriesValue(body, `envmirror_environments{phase="Failed"}`); err == nil {
		t.Error("a missing series is an error, not 0")
	}
	if _, err := SeriesValue(body, `envmirror_environments`); err == nil {
		t.Error("a name alone does not match a labelled series")
	}
}
