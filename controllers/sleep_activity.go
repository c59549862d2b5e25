package controllers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// The ingress controller's pods are found through its metrics Service's EndpointSlices (read
// past the cache, once a scrape: endpoints and ports, nothing else).
//
// +kubebuilder:rbac:groups=discovery.k8s.io,resources=endpointslices,verbs=list

// IngressActivity counts the requests an ingress controller served per namespace, from the
// Prometheus metrics each of its pods exposes (ingress-nginx: nginx_ingress_controller_requests,
// labelled with the Ingress's namespace), and remembers when each namespace last had one. It
// scrapes every pod behind the metrics Service (each pod counts only what it served), so one
// replica's traffic is not missed and a restarted pod's reset counter is not mistaken for
// silence. It knows nothing from before its first complete scrape, or from a gap in which a
// pod could not be read: the time after such a gap is the earliest any namespace may be idle
// from.
type IngressActivity struct {
	// Reader lists the metrics Service's EndpointSlices (the API reader: no informer).
	Reader client.Reader
	// Service is the ingress controller's metrics Service; Port its port's name or number.
	Service types.NamespacedName
	Port    string
	// Metric is the request counter; NamespaceLabel its label naming the Ingress's namespace.
	Metric, NamespaceLabel string
	// Interval between scrapes (0: one minute).
	Interval time.Duration
	Clock    clock.PassiveClock
	// HTTP scrapes the pods (nil: a client with a 10 s timeout).
	HTTP *http.Client
	// OnActivity is called with each namespace that had requests since the previous scrape.
	OnActivity func(namespace string)

	mu sync.Mutex
	// counts is the last value per pod address and namespace.
	counts map[string]map[string]float64
	// last is when each namespace was last seen with new requests.
	last map[string]time.Time
	// since is when the current unbroken run of complete scrapes began.
	since   time.Time
	lastOK  time.Time
	lastErr error
}

// DefaultIngressMetric and DefaultIngressNamespaceLabel are ingress-nginx's.
const (
	DefaultIngressMetric         = "nginx_ingress_controller_requests"
	DefaultIngressNamespaceLabel = "namespace"
)

// NeedLeaderElection: only the leader reconciles, so only it needs to know.
func (a *IngressActivity) NeedLeaderElection() bool { return true }

// Start scrapes every Interval until ctx ends.
func (a *IngressActivity) Start(ctx context.Context) error {
	t := time.NewTicker(a.interval())
	defer t.Stop()
	for {
		a.Scrape(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (a *IngressActivity) interval() time.Duration {
	if a.Interval > 0 {
		return a.Interval
	}
	return time.Minute
}

// Signals says what the idle rule measures when this monitor can answer.
func (a *IngressActivity) Signals() string {
	return fmt.Sprintf("requests counted by the ingress controller (%s by %s, from Service %s), spec changes, and kubectl mirror up/wake/open",
		a.Metric, a.NamespaceLabel, a.Service)
}

// LastRequest is when namespace was last seen with a request (zero: not since the monitor
// began), and since when the monitor has seen everything (requests before that are not known);
// ok is false (with why) when the counts are not known now.
func (a *IngressActivity) LastRequest(namespace string, now time.Time) (last, since time.Time, ok bool, why string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.lastErr != nil:
		return last, since, false, "the ingress controller's metrics could not be read: " + a.lastErr.Error()
	case a.lastOK.IsZero():
		return last, since, false, "the ingress controller's metrics have not been read yet"
	case now.Sub(a.lastOK) > 3*a.interval():
		return last, since, false, fmt.Sprintf("the ingress controller's metrics were last read at %s", a.lastOK.UTC().Format(time.RFC3339))
	}
	return a.last[namespace], a.since, true, ""
}

// Scrape reads every pod's counters once.
func (a *IngressActivity) Scrape(ctx context.Context) {
	now := a.Clock.Now()
	counts, err := a.read(ctx)
	if err != nil {
		log.FromContext(ctx).Info("ingress activity: the ingress controller's metrics could not be read", "service", a.Service, "error", err.Error())
	}
	active := a.record(counts, err, now)
	if a.OnActivity != nil {
		for _, ns := range active {
			a.OnActivity(ns)
		}
	}
}

// record keeps a scrape's counts and returns the namespaces with new requests.
func (a *IngressActivity) record(counts map[string]map[string]float64, err error, now time.Time) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.lastErr, a.counts = err, nil // after a gap, nothing is compared with what came before
		return nil
	}
	if a.last == nil {
		a.last = map[string]time.Time{}
	}
	var active []string
	seen := map[string]bool{}
	if a.counts == nil {
		a.since = now // the first complete scrape: a baseline only
	} else {
		for pod, byNamespace := range counts {
			for ns, v := range byNamespace {
				// A pod not seen before (a new replica, a restart), or a reset counter, served
				// what it counts since it started: after the previous scrape, as far as we know.
				if prev, ok := a.counts[pod][ns]; (v > prev || (ok && v < prev && v > 0)) && !seen[ns] {
					seen[ns] = true
					a.last[ns] = now
					active = append(active, ns)
				}
			}
		}
	}
	a.counts, a.lastOK, a.lastErr = counts, now, nil
	return active
}

// read scrapes every ready pod behind the Service: pod address -> namespace -> requests.
func (a *IngressActivity) read(ctx context.Context) (map[string]map[string]float64, error) {
	slices := &discoveryv1.EndpointSliceList{}
	if err := a.Reader.List(ctx, slices, client.InNamespace(a.Service.Namespace),
		client.MatchingLabels{discoveryv1.LabelServiceName: a.Service.Name}); err != nil {
		return nil, fmt.Errorf("listing the endpoints of Service %s: %w", a.Service, err)
	}
	targets := a.targets(slices.Items)
	if len(targets) == 0 {
		return nil, fmt.Errorf("Service %s has no ready endpoint on port %s", a.Service, a.Port)
	}
	out := map[string]map[string]float64{}
	var errs []error
	for _, t := range targets {
		counts, err := a.scrapeOne(ctx, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[t] = counts
	}
	return out, errors.Join(errs...)
}

// targets are the host:port of each ready endpoint on the metrics port.
func (a *IngressActivity) targets(slices []discoveryv1.EndpointSlice) []string {
	var out []string
	for _, sl := range slices {
		port := int32(0)
		for _, p := range sl.Ports {
			if p.Port != nil && ((p.Name != nil && *p.Name == a.Port) || strconv.Itoa(int(*p.Port)) == a.Port) {
				port = *p.Port
			}
		}
		if port == 0 {
			continue
		}
		for _, ep := range sl.Endpoints {
			if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
				continue
			}
			for _, addr := range ep.Addresses {
				out = append(out, net.JoinHostPort(addr, strconv.Itoa(int(port))))
			}
		}
	}
	return out
}

// maxScrape bounds what one pod's metrics may weigh.
const maxScrape = 32 << 20

// scrapeOne reads one pod's counter per namespace.
func (a *IngressActivity) scrapeOne(ctx context.Context, target string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	httpClient := a.HTTP
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping %s: %w", target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scraping %s: HTTP %d", target, resp.StatusCode)
	}
	return RequestsByNamespace(io.LimitReader(resp.Body, maxScrape), a.Metric, a.NamespaceLabel)
}

// RequestsByNamespace sums a counter in the Prometheus text format by one of its labels.
func RequestsByNamespace(r io.Reader, metric, label string) (_ map[string]float64, err error) {
	// The text parser panics on some malformed input (prometheus/common v0.70.0 dereferences nil
	// on a line that starts with "{" after a "# TYPE" line). A scrape is another program's output
	// and the scraper runs beside the controllers: a panic here would stop the operator. A scrape
	// that panics the parser is a scrape that does not parse.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reading the metrics: the text does not parse (the parser failed: %v)", p)
		}
	}()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("reading the metrics: %w", err)
	}
	out := map[string]float64{}
	family, ok := families[metric]
	if !ok {
		return out, nil // no request served yet: the counter has no series
	}
	for _, m := range family.GetMetric() {
		v := m.GetCounter().GetValue()
		if m.GetCounter() == nil {
			v = m.GetUntyped().GetValue()
		}
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				out[l.GetValue()] += v
			}
		}
	}
	return out, nil
}
