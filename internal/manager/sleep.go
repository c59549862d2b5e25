package manager

import (
	"flag"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/controllers"
)

// SleepConfig is what spec.sleep needs from the administrator: where the ingress controller's
// request counts are (for idleAfter), and how many environments get series of their own in the
// cost metrics.
type SleepConfig struct {
	// IngressMetricsService is the ingress controller's metrics Service, "namespace/name:port"
	// (port by name or number); empty: idleness cannot be measured.
	IngressMetricsService string
	// IngressRequestsMetric is its request counter, IngressNamespaceLabel the counter's label
	// naming an Ingress's namespace (empty: ingress-nginx's).
	IngressRequestsMetric, IngressNamespaceLabel string
	// MetricsEnvironmentsLimit bounds the environments with series of their own (0: 500).
	MetricsEnvironmentsLimit int
}

func bindSleepFlags(fs *flag.FlagSet, c *SleepConfig) {
	fs.StringVar(&c.IngressMetricsService, "ingress-metrics-service", "",
		"The ingress controller's metrics Service, namespace/name:port (e.g. ingress-nginx/ingress-nginx-controller-metrics:metrics): "+
			"its pods' request counts tell spec.sleep.idleAfter whether a copy is used. Empty: idleness is not measured.")
	fs.StringVar(&c.IngressRequestsMetric, "ingress-requests-metric", "",
		"The ingress controller's request counter (default: ingress-nginx's "+controllers.DefaultIngressMetric+").")
	fs.StringVar(&c.IngressNamespaceLabel, "ingress-namespace-label", "",
		"The counter's label holding the Ingress's namespace (default: "+controllers.DefaultIngressNamespaceLabel+").")
	fs.IntVar(&c.MetricsEnvironmentsLimit, "metrics-environments-limit", 0,
		"How many environments get series of their own in the per-environment cost metrics (0: 500); the rest are counted in envmirror_environment_series_dropped.")
}

var (
	serviceRef = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]([-a-z0-9]*[a-z0-9])?)$`)
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,99}$`)
)

func (c *SleepConfig) validate(add func(string, error)) {
	if c.IngressMetricsService != "" && !serviceRef.MatchString(c.IngressMetricsService) {
		add("ingress-metrics-service", fmt.Errorf("%q is not namespace/name:port", c.IngressMetricsService))
	}
	if c.IngressRequestsMetric != "" && !metricName.MatchString(c.IngressRequestsMetric) {
		add("ingress-requests-metric", fmt.Errorf("%q is not a Prometheus metric name", c.IngressRequestsMetric))
	}
	if c.IngressNamespaceLabel != "" && !labelName.MatchString(c.IngressNamespaceLabel) {
		add("ingress-namespace-label", fmt.Errorf("%q is not a Prometheus label name", c.IngressNamespaceLabel))
	}
	if c.MetricsEnvironmentsLimit < 0 {
		add("metrics-environments-limit", fmt.Errorf("%d is negative", c.MetricsEnvironmentsLimit))
	}
}

// ingressActivity builds the monitor the flags ask for (nil without --ingress-metrics-service).
func (c *SleepConfig) ingressActivity(reader client.Reader) *controllers.IngressActivity {
	m := serviceRef.FindStringSubmatch(c.IngressMetricsService)
	if m == nil {
		return nil
	}
	metric, label := c.IngressRequestsMetric, c.IngressNamespaceLabel
	if metric == "" {
		metric = controllers.DefaultIngressMetric
	}
	if label == "" {
		label = controllers.DefaultIngressNamespaceLabel
	}
	return &controllers.IngressActivity{Reader: reader, Service: types.NamespacedName{Namespace: m[1], Name: m[3]},
		Port: strings.TrimSpace(m[5]), Metric: metric, NamespaceLabel: label, Clock: clock.RealClock{}}
}
