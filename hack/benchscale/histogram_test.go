package main

import (
	"math"
	"testing"
)

func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name    string
		buckets []bucket
		q       float64
		want    float64
		ok      bool
	}{
		{"empty", nil, 0.5, 0, false},
		{"no observations", []bucket{{0.1, 0}, {inf, 0}}, 0.5, 0, false},
		// 10 observations, all in (0, 0.1]: the median is interpolated from 0.
		{"first bucket from zero", []bucket{{0.1, 10}, {1, 10}, {inf, 10}}, 0.5, 0.05, true},
		// 4 in (0, 0.1], 6 in (0.1, 1]: rank 5 is the first of the 6, 1/6 of the way.
		{"interpolated in a later bucket", []bucket{{0.1, 4}, {1, 10}, {inf, 10}}, 0.5, 0.1 + 0.9/6, true},
		// rank 9.9 of 10 falls in the +Inf bucket: the largest finite bound is all we know.
		{"rank in +Inf", []bucket{{0.1, 4}, {1, 9}, {inf, 10}}, 0.99, 1, true},
		{"only +Inf", []bucket{{inf, 3}}, 0.5, 0, false},
		// rank 2 reached exactly at the end of the first bucket.
		{"rank on a bound", []bucket{{0.5, 2}, {1, 4}, {inf, 4}}, 0.5, 0.5, true},
		// p99 of 100 observations with one slow reconcile of up to 60 s.
		{"p99 with a tail", []bucket{{0.05, 90}, {0.1, 99}, {60, 100}, {inf, 100}}, 0.99, 0.1, true},
	}
	for _, tt := range tests {
		got, ok := histogram{buckets: tt.buckets}.quantile(tt.q)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: quantile(%v) = %v, %v; want %v, %v", tt.name, tt.q, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHistogramSince(t *testing.T) {
	inf := math.Inf(1)
	before := histogram{buckets: []bucket{{0.1, 4}, {1, 9}, {inf, 10}}, count: 10, sum: 3}
	after := histogram{buckets: []bucket{{0.1, 5}, {1, 19}, {inf, 21}}, count: 21, sum: 20}
	got := after.since(before)
	want := []bucket{{0.1, 1}, {1, 10}, {inf, 11}}
	if got.count != 11 || got.sum != 17 || len(got.buckets) != len(want) {
		t.Fatalf("since = %+v", got)
	}
	for i := range want {
		if got.buckets[i] != want[i] {
			t.Errorf("bucket %d = %+v, want %+v", i, got.buckets[i], want[i])
		}
	}
	// A histogram that did not exist at the first reading subtracts nothing.
	if got := after.since(histogram{}); got.count != 21 || got.buckets[1].count != 19 {
		t.Errorf("since(empty) = %+v", got)
	}
}

const scrape = `# HELP controller_runtime_reconcile_time_seconds Length of time per reconciliation per controller
# TYPE controller_runtime_reconcile_time_seconds histogram
controller_runtime_reconcile_time_seconds_bucket{controller="mirrorenvironment",le="0.005"} 1
controller_runtime_reconcile_time_seconds_bucket{controller="mirrorenvironment",le="0.5"} 3
controller_runtime_reconcile_time_seconds_bucket{controller="mirrorenvironment",le="+Inf"} 4
controller_runtime_reconcile_time_seconds_sum{controller="mirrorenvironment"} 2.5
controller_runtime_reconcile_time_seconds_count{controller="mirrorenvironment"} 4
controller_runtime_reconcile_time_seconds_bucket{controller="other",le="0.005"} 7
controller_runtime_reconcile_time_seconds_bucket{controller="other",le="0.5"} 7
controller_runtime_reconcile_time_seconds_bucket{controller="other",le="+Inf"} 7
controller_runtime_reconcile_time_seconds_sum{controller="other"} 0.01
controller_runtime_reconcile_time_seconds_count{controller="other"} 7
# HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use.
# TYPE go_memstats_heap_inuse_bytes gauge
go_memstats_heap_inuse_bytes 1.2e+07
`

func TestHistogramOf(t *testing.T) {
	fams, err := parseScrape(scrape)
	if err != nil {
		t.Fatal(err)
	}
	h, err := histogramOf(fams, reconcileTimeMetric, "controller", controllerName)
	if err != nil {
		t.Fatal(err)
	}
	if h.count != 4 || h.sum != 2.5 || len(h.buckets) != 3 || h.buckets[1] != (bucket{0.5, 3}) || !math.IsInf(h.buckets[2].le, 1) {
		t.Errorf("histogramOf = %+v", h)
	}
	if h, err := histogramOf(fams, queueWaitMetric, "name", controllerName); err != nil || h.count != 0 || h.buckets != nil {
		t.Errorf("a histogram not in the scrape = %+v, %v; want empty", h, err)
	}
	if _, err := histogramOf(fams, "go_memstats_heap_inuse_bytes", "controller", controllerName); err == nil {
		t.Error("a gauge read as a histogram: no error")
	}
}
