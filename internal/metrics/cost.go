package metrics

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// What each environment costs and what sleeping saves, per environment: a platform team charts
// cost by environment (and so by team and branch), which needs the environment as a label.
// That is one series set per environment, so the number of environments with series of their
// own is bounded (LimitEnvironmentSeries, --metrics-environments-limit, default 500): the
// first ones by namespace and name get them, and envmirror_environment_series_dropped says how
// many were left out, so a chart that misses some is visibly incomplete. The values are read
// from the environments' status at scrape time (like envmirror_environments), so they survive
// restarts and leader changes, and cost nothing between scrapes:
//
//	envmirror_environment_requests{namespace,environment,of,resource}  cores or bytes requested
//	    while awake, of "copy" (its workloads), "standins" or "prod" (prod's copied workloads)
//	envmirror_environment_asleep{namespace,environment}                1 while asleep
//	envmirror_environment_awake_seconds_total{namespace,environment}   since its creation
//	envmirror_environment_asleep_seconds_total{namespace,environment}
//
// So cost over a day is sum_over_time of requests{of="copy"} × (1 - asleep), and what sleeping
// saved the same with asleep.

// DefaultEnvironmentSeries is how many environments get series of their own unless changed.
const DefaultEnvironmentSeries = 500

var environmentSeriesLimit atomic.Int64

// LimitEnvironmentSeries sets how many environments get series of their own (0: the default).
func LimitEnvironmentSeries(n int) {
	if n <= 0 {
		n = DefaultEnvironmentSeries
	}
	environmentSeriesLimit.Store(int64(n))
}

var (
	envLabels      = []string{"namespace", "environment"}
	requestsDesc   = prometheus.NewDesc(Namespace+"_environment_requests", "CPU (cores) and memory (bytes) requested while awake, by environment: of the copy's workloads (of=copy), its stand-ins (of=standins), and prod's workloads it copies (of=prod).", append(append([]string{}, envLabels...), "of", "resource"), nil)
	asleepDesc     = prometheus.NewDesc(Namespace+"_environment_asleep", "1 while the environment sleeps (spec.sleep), else 0.", envLabels, nil)
	awakeTotalDesc = prometheus.NewDesc(Namespace+"_environment_awake_seconds_total", "Time the environment has been awake since its creation.", envLabels, nil)
	sleptTotalDesc = prometheus.NewDesc(Namespace+"_environment_asleep_seconds_total", "Time the environment has slept since its creation.", envLabels, nil)
	droppedDesc    = prometheus.NewDesc(Namespace+"_environment_series_dropped", "Environments left out of the per-environment metrics by --metrics-environments-limit.", nil, nil)
)

// costs is the per-environment collector; it reads through the reader WatchEnvironments set.
var costs = &costCollector{now: time.Now}

type costCollector struct {
	now func() time.Time
}

func (c *costCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{requestsDesc, asleepDesc, awakeTotalDesc, sleptTotalDesc, droppedDesc} {
		ch <- d
	}
}

func (c *costCollector) Collect(ch chan<- prometheus.Metric) {
	list, ok := environments.list("the per-environment metrics")
	if !ok {
		return
	}
	items := list.Items
	slices.SortFunc(items, func(a, b v1alpha1.MirrorEnvironment) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	limit := int(environmentSeriesLimit.Load())
	if limit <= 0 {
		limit = DefaultEnvironmentSeries
	}
	dropped := max(len(items)-limit, 0)
	items = items[:min(len(items), limit)]
	now := c.now()
	for i := range items {
		collectEnvironment(ch, &items[i], now)
	}
	ch <- prometheus.MustNewConstMetric(droppedDesc, prometheus.GaugeValue, float64(dropped))
}

func collectEnvironment(ch chan<- prometheus.Metric, env *v1alpha1.MirrorEnvironment, now time.Time) {
	labels := []string{env.Namespace, env.Name}
	if r := env.Status.Resources; r != nil {
		for of, t := range map[string]v1alpha1.ResourceTotals{"copy": r.Copy, "standins": r.StandIns, "prod": r.Prod} {
			ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.GaugeValue, quantity(t.CPU), env.Namespace, env.Name, of, "cpu")
			ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.GaugeValue, quantity(t.Memory), env.Namespace, env.Name, of, "memory")
		}
	}
	awake, asleep := env.Status.Sleep.Hours(env.CreationTimestamp.Time, now)
	ch <- prometheus.MustNewConstMetric(awakeTotalDesc, prometheus.CounterValue, awake.Seconds(), labels...)
	ch <- prometheus.MustNewConstMetric(sleptTotalDesc, prometheus.CounterValue, asleep.Seconds(), labels...)
	isAsleep := 0.0
	if st := env.Status.Sleep; st != nil && st.State == v1alpha1.SleepAsleep {
		isAsleep = 1
	}
	ch <- prometheus.MustNewConstMetric(asleepDesc, prometheus.GaugeValue, isAsleep, labels...)
}

// quantity is a status quantity as a number (cores, bytes); 0 when it does not parse.
func quantity(s string) float64 {
	if s == "" || len(s) > 32 || strings.ContainsAny(s, "eE") {
		return 0
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return 0
	}
	return q.AsApproximateFloat64()
}
