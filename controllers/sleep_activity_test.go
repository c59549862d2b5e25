package controllers

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// ingress-nginx's request counter as its /metrics writes it (labels as the controller sets
// them; values made up).
const nginxScrape = `# HELP nginx_ingress_controller_requests The total number of client requests
# TYPE nginx_ingress_controller_requests counter
nginx_ingress_controller_requests{canary="",controller_class="k8s.io/ingress-nginx",controller_namespace="ingress-nginx",controller_pod="ingress-nginx-controller-7d9c",host="shop-a.dev.example.com",ingress="frontend",method="GET",namespace="shop-prod-a",path="/",service="frontend",status="200"} 41
nginx_ingress_controller_requests{canary="",controller_class="k8s.io/ingress-nginx",controller_namespace="ingress-nginx",controller_pod="ingress-nginx-controller-7d9c",host="shop-a.dev.example.com",ingress="frontend",method="POST",namespace="shop-prod-a",path="/",service="frontend",status="503"} 1
nginx_ingress_controller_requests{canary="",controller_class="k8s.io/ingress-nginx",controller_namespace="ingress-nginx",controller_pod="ingress-nginx-controller-7d9c",host="shop-b.dev.example.com",ingress="frontend",method="GET",namespace="shop-prod-b",path="/",service="frontend",status="200"} 7
# HELP nginx_ingress_controller_bytes_sent The number of bytes sent to a client
# TYPE nginx_ingress_controller_bytes_sent histogram
nginx_ingress_controller_bytes_sent_bucket{namespace="shop-prod-c",le="+Inf"} 99
nginx_ingress_controller_bytes_sent_sum{namespace="shop-prod-c"} 1234
nginx_ingress_controller_bytes_sent_count{namespace="shop-prod-c"} 99
`

func TestRequestsByNamespace(t *testing.T) {
	got, err := RequestsByNamespace(strings.NewReader(nginxScrape), DefaultIngressMetric, DefaultIngressNamespaceLabel)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["shop-prod-a"] != 42 || got["shop-prod-b"] != 7 {
		t.Errorf("requests by namespace = %v, want shop-prod-a 42 and shop-prod-b 7 only", got)
	}
	if got, err := RequestsByNamespace(strings.NewReader("# no requests yet\n"), DefaultIngressMetric, "namespace"); err != nil || len(got) != 0 {
		t.Errorf("a controller that served nothing yet: %v, %v", got, err)
	}
	if _, err := RequestsByNamespace(strings.NewReader("nginx_ingress_controller_requests{namespace=\"a\" 1\n"), DefaultIngressMetric, "namespace"); err == nil {
		t.Error("a scrape that does not parse is an error, not silence")
	}
	// Found by FuzzRequestsByNamespace: this input panics the text parser.
	if _, err := RequestsByNamespace(strings.NewReader("#TYPE A00000000000000000000000000000000 Counter\n{}"), DefaultIngressMetric, "namespace"); err == nil {
		t.Error("a scrape that panics the parser is an error, not a crash or silence")
	}
}

func FuzzRequestsByNamespace(f *testing.F) {
	f.Add(nginxScrape)
	f.Add("x{namespace=\"a\"} NaN\n")
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = RequestsByNamespace(strings.NewReader(body), DefaultIngressMetric, DefaultIngressNamespaceLabel)
	})
}

// The monitor's memory, scrape by scrape: what counts as a request, and what it cannot know.
func TestIngressActivityRecord(t *testing.T) {
	t0 := time.Date(2026, 6, 10, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	type scrape map[string]map[string]float64
	steps := []struct {
		name   string
		counts scrape
		err    error
		active []string
		// last and since as LastRequest reports them for "a" afterwards (-1: zero; ok false: -2)
		lastA, since int
	}{
		{name: "the first scrape is a baseline, not activity", counts: scrape{"pod1": {"a": 10, "b": 3}}, lastA: -1, since: 0},
		{name: "nothing new", counts: scrape{"pod1": {"a": 10, "b": 3}}, lastA: -1, since: 0},
		{name: "a request in a", counts: scrape{"pod1": {"a": 11, "b": 3}}, active: []string{"a"}, lastA: 2, since: 0},
		{name: "a second replica that served b", counts: scrape{"pod1": {"a": 11, "b": 3}, "pod2": {"b": 1}}, active: []string{"b"}, lastA: 2, since: 0},
		{name: "pod1 restarted: its counters start again", counts: scrape{"pod1": {"a": 2}, "pod2": {"b": 1}}, active: []string{"a"}, lastA: 4, since: 0},
		{name: "a scrape failed: nothing is known", err: errors.New("connection refused"), lastA: -2},
		{name: "after the gap, a baseline again: idle counts from here", counts: scrape{"pod1": {"a": 9}, "pod2": {"b": 1}}, lastA: 4, since: 6},
		{name: "and compares again", counts: scrape{"pod1": {"a": 10}, "pod2": {"b": 1}}, active: []string{"a"}, lastA: 7, since: 6},
	}
	a := &IngressActivity{Metric: DefaultIngressMetric, NamespaceLabel: "namespace"}
	for i, s := range steps {
		active := a.record(s.counts, s.err, at(i))
		if strings.Join(active, ",") != strings.Join(s.active, ",") {
			t.Errorf("%s: active %v, want %v", s.name, active, s.active)
		}
		last, since, ok, why := a.LastRequest("a", at(i))
		if s.lastA == -2 {
			if ok || !strings.Contains(why, "connection refused") {
				t.Errorf("%s: LastRequest ok %v (%s), want not ok with the error", s.name, ok, why)
			}
			continue
		}
		if !ok {
			t.Fatalf("%s: LastRequest not ok: %s", s.name, why)
		}
		wantLast := time.Time{}
		if s.lastA >= 0 {
			wantLast = at(s.lastA)
		}
		if !last.Equal(wantLast) || !since.Equal(at(s.since)) {
			t.Errorf("%s: last %s since %s, want %s and %s", s.name, last, since, wantLast, at(s.since))
		}
	}
	if _, _, ok, why := a.LastRequest("a", at(len(steps)+5)); ok || !strings.Contains(why, "last read") {
		t.Errorf("counts read long ago are not known now: ok %v, %s", ok, why)
	}
}
