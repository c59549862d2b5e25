package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// phases are reported even at zero, so that a query or an alert on one phase has a series.
var phases = []v1alpha1.Phase{
	v1alpha1.PhasePending, v1alpha1.PhaseProvisioning, v1alpha1.PhaseSeeding, v1alpha1.PhaseReady,
	v1alpha1.PhaseDegraded, v1alpha1.PhaseFailed, v1alpha1.PhaseExpiring, v1alpha1.PhaseDeleting,
	v1alpha1.PhaseSleeping, v1alpha1.PhaseWaking,
}

// phaseUnknown counts environments that have no phase yet: the operator has not reconciled them.
const phaseUnknown = "Unknown"

// environmentsTimeout bounds a scrape's read of the cache (it waits for the first sync).
const environmentsTimeout = 5 * time.Second

var environmentsDesc = prometheus.NewDesc(Namespace+"_environments",
	"MirrorEnvironments by phase (Unknown: not reconciled yet), as the operator's cache holds them.",
	[]string{"phase"}, nil)

// environments counts MirrorEnvironments by phase at scrape time, from the reader set by
// WatchEnvironments: a gauge that cannot drift from the objects, and that costs nothing between
// scrapes.
var environments = &environmentsCollector{}

type environmentsCollector struct {
	reader atomic.Pointer[client.Reader]
}

// WatchEnvironments makes envmirror_environments count the MirrorEnvironments reader lists
// (the manager's cache). Until it is called, the metric is absent.
func WatchEnvironments(reader client.Reader) {
	environments.reader.Store(&reader)
}

// list reads the MirrorEnvironments from the reader set by WatchEnvironments, for the metrics
// named in purpose. It reports false, having logged why, when there is no reader yet or the read
// failed: an invalid metric would fail the whole scrape (controller-runtime serves with
// HTTPErrorOnError), while leaving the series out lets absent() alert on it instead.
func (c *environmentsCollector) list(purpose string) (*v1alpha1.MirrorEnvironmentList, bool) {
	reader := c.reader.Load()
	if reader == nil {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), environmentsTimeout)
	defer cancel()
	list := &v1alpha1.MirrorEnvironmentList{}
	if err := (*reader).List(ctx, list); err != nil {
		ctrl.Log.WithName("metrics").Error(err, "listing MirrorEnvironments for "+purpose)
		return nil, false
	}
	return list, true
}

func (c *environmentsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- environmentsDesc }

func (c *environmentsCollector) Collect(ch chan<- prometheus.Metric) {
	list, ok := c.list("envmirror_environments")
	if !ok {
		return
	}
	counts := make(map[string]int, len(phases)+1)
	for _, p := range phases {
		counts[string(p)] = 0
	}
	for i := range list.Items {
		phase := string(list.Items[i].Status.Phase)
		if phase == "" {
			phase = phaseUnknown
		}
		counts[label(phase)]++
	}
	for phase, n := range counts {
		ch <- prometheus.MustNewConstMetric(environmentsDesc, prometheus.GaugeValue, float64(n), phase)
	}
}
