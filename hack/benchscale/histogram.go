package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The controller-runtime histograms read from the manager's /metrics, for the controller the
// benchmark measures.
const (
	reconcileTimeMetric = "controller_runtime_reconcile_time_seconds"
	queueWaitMetric     = "workqueue_queue_duration_seconds"
	controllerName      = "mirrorenvironment"
)

// bucket is one cumulative bucket of a classic Prometheus histogram: count observations were
// at most le.
type bucket struct {
	le    float64
	count float64
}

// histogram is a classic histogram's cumulative buckets, in increasing le, the last +Inf.
type histogram struct {
	buckets []bucket
	count   float64
	sum     float64
}

// parseScrape parses a scrape in the text exposition format (the manager's /metrics) with
// Prometheus' own parser.
func parseScrape(body string) (map[string]*dto.MetricFamily, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	return parser.TextToMetricFamilies(strings.NewReader(body))
}

// histogramOf finds the histogram family name with label labelName=labelValue in a parsed
// scrape. A family that is not there yet (no reconcile has finished) is an empty histogram.
func histogramOf(families map[string]*dto.MetricFamily, name, labelName, labelValue string) (histogram, error) {
	fam, ok := families[name]
	if !ok {
		return histogram{}, nil
	}
	if fam.GetType() != dto.MetricType_HISTOGRAM {
		return histogram{}, fmt.Errorf("%s is a %s, not a histogram", name, fam.GetType())
	}
	for _, m := range fam.GetMetric() {
		if !hasLabel(m, labelName, labelValue) {
			continue
		}
		h := m.GetHistogram()
		out := histogram{count: float64(h.GetSampleCount()), sum: h.GetSampleSum()}
		for _, b := range h.GetBucket() {
			out.buckets = append(out.buckets, bucket{le: b.GetUpperBound(), count: float64(b.GetCumulativeCount())})
		}
		sort.Slice(out.buckets, func(i, j int) bool { return out.buckets[i].le < out.buckets[j].le })
		if n := len(out.buckets); n == 0 || !math.IsInf(out.buckets[n-1].le, 1) {
			out.buckets = append(out.buckets, bucket{le: math.Inf(1), count: out.count})
		}
		return out, nil
	}
	return histogram{}, nil
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

// since is the histogram of the observations made after earlier (a reading of the same
// histogram): bucket by bucket differences. An earlier reading with no buckets (the family did
// not exist yet) subtracts nothing.
func (h histogram) since(earlier histogram) histogram {
	out := histogram{count: h.count - earlier.count, sum: h.sum - earlier.sum}
	for _, b := range h.buckets {
		out.buckets = append(out.buckets, bucket{le: b.le, count: b.count - earlier.countAt(b.le)})
	}
	return out
}

func (h histogram) countAt(le float64) float64 {
	for _, b := range h.buckets {
		if b.le == le {
			return b.count
		}
	}
	return 0
}

// quantile estimates the q-quantile (0 < q < 1) the way PromQL's histogram_quantile does:
// linearly within the bucket the rank falls in, from 0 for the first bucket; a rank in the
// +Inf bucket gives the largest finite bound (the histogram cannot say more). ok is false when
// the histogram holds no observation.
func (h histogram) quantile(q float64) (v float64, ok bool) {
	n := len(h.buckets)
	if n == 0 || h.buckets[n-1].count <= 0 {
		return 0, false
	}
	rank := q * h.buckets[n-1].count
	i := sort.Search(n, func(i int) bool { return h.buckets[i].count >= rank })
	if i == n-1 && math.IsInf(h.buckets[i].le, 1) {
		if n == 1 {
			return 0, false
		}
		return h.buckets[n-2].le, true
	}
	lower, below := 0.0, 0.0
	if i > 0 {
		lower, below = h.buckets[i-1].le, h.buckets[i-1].count
	}
	inBucket := h.buckets[i].count - below
	if inBucket <= 0 {
		return h.buckets[i].le, true
	}
	return lower + (h.buckets[i].le-lower)*(rank-below)/inBucket, true
}

// latency is p50 and p99 of a histogram of seconds, for the report.
func (h histogram) latency() string {
	p50, ok1 := h.quantile(0.5)
	p99, ok2 := h.quantile(0.99)
	if !ok1 || !ok2 {
		return "no observations"
	}
	return fmt.Sprintf("p50 %s p99 %s (%.0f)", seconds(p50), seconds(p99), h.count)
}

// seconds prints a duration in seconds with a precision that suits it.
func seconds(s float64) string {
	switch {
	case s < 0.01:
		return fmt.Sprintf("%.1fms", s*1000)
	case s < 1:
		return fmt.Sprintf("%.0fms", s*1000)
	case s < 100:
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.0fs", s)
}
