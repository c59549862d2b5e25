package metrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// listReader is the cache as the collector sees it: a list of environments.
type listReader struct {
	client.Reader
	items []v1alpha1.MirrorEnvironment
}

func (r listReader) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	list.(*v1alpha1.MirrorEnvironmentList).Items = append([]v1alpha1.MirrorEnvironment{}, r.items...)
	return nil
}

func TestCostSeriesPerEnvironmentAreBounded(t *testing.T) {
	now := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	env := func(ns, name string) v1alpha1.MirrorEnvironment {
		return v1alpha1.MirrorEnvironment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(now.Add(-10 * time.Hour))}}
	}
	asleep := env("team-a", "b")
	asleep.Status.Sleep = &v1alpha1.SleepStatus{State: v1alpha1.SleepAsleep, Since: &metav1.Time{Time: now.Add(-2 * time.Hour)}, AwakeSeconds: 8 * 3600}
	asleep.Status.Resources = &v1alpha1.ResourcesStatus{Copy: v1alpha1.ResourceTotals{CPU: "1500m", Memory: "2Gi"}}
	reader := client.Reader(listReader{items: []v1alpha1.MirrorEnvironment{env("team-b", "z"), asleep, env("team-a", "a")}})
	environments.reader.Store(&reader)
	defer environments.reader.Store(nil)
	costs.now = func() time.Time { return now }
	defer func() { costs.now = time.Now }()
	LimitEnvironmentSeries(2)
	defer LimitEnvironmentSeries(0)

	want := `
# HELP envmirror_environment_asleep 1 while the environment sleeps (spec.sleep), else 0.
# TYPE envmirror_environment_asleep gauge
envmirror_environment_asleep{environment="a",namespace="team-a"} 0
envmirror_environment_asleep{environment="b",namespace="team-a"} 1
# HELP envmirror_environment_asleep_seconds_total Time the environment has slept since its creation.
# TYPE envmirror_environment_asleep_seconds_total counter
envmirror_environment_asleep_seconds_total{environment="a",namespace="team-a"} 0
envmirror_environment_asleep_seconds_total{environment="b",namespace="team-a"} 7200
# HELP envmirror_environment_awake_seconds_total Time the environment has been awake since its creation.
# TYPE envmirror_environment_awake_seconds_total counter
envmirror_environment_awake_seconds_total{environment="a",namespace="team-a"} 36000
envmirror_environment_awake_seconds_total{environment="b",namespace="team-a"} 28800
# HELP envmirror_environment_series_dropped Environments left out of the per-environment metrics by --metrics-environments-limit.
# TYPE envmirror_environment_series_dropped gauge
envmirror_environment_series_dropped 1
`
	if err := testutil.CollectAndCompare(costs, strings.NewReader(want),
		"envmirror_environment_asleep", "envmirror_environment_asleep_seconds_total",
		"envmirror_environment_awake_seconds_total", "envmirror_environment_series_dropped"); err != nil {
		t.Error(err)
	}
	// team-b/z is past the limit: no series of its own; team-a/b's requests are in cores and bytes.
	if n := testutil.CollectAndCount(costs, "envmirror_environment_requests"); n != 6 {
		t.Errorf("%d request series, want 6 (one environment with status.resources: 3 sides x 2 resources)", n)
	}
}
