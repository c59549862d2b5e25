package manager

import (
	"io"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/envmirror/envmirror/controllers"
)

func TestSleepFlags(t *testing.T) {
	cfg, err := Parse(nil, env(nil), "dev", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if a := cfg.Sleep.ingressActivity(nil); a != nil {
		t.Errorf("without --ingress-metrics-service there is no monitor, and idleness is not measured: %+v", a)
	}
	cfg, err = Parse([]string{"--ingress-metrics-service=ingress-nginx/ingress-nginx-controller-metrics:metrics", "--metrics-environments-limit=50"},
		env(nil), "dev", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Sleep.ingressActivity(nil)
	want := controllers.IngressActivity{Service: types.NamespacedName{Namespace: "ingress-nginx", Name: "ingress-nginx-controller-metrics"},
		Port: "metrics", Metric: controllers.DefaultIngressMetric, NamespaceLabel: controllers.DefaultIngressNamespaceLabel}
	if a == nil || a.Service != want.Service || a.Port != want.Port || a.Metric != want.Metric || a.NamespaceLabel != want.NamespaceLabel || a.Clock == nil {
		t.Errorf("monitor %+v, want ingress-nginx's defaults for %s port metrics", a, want.Service)
	}
	if cfg.Sleep.MetricsEnvironmentsLimit != 50 {
		t.Errorf("limit %d", cfg.Sleep.MetricsEnvironmentsLimit)
	}
	cfg, err = Parse([]string{"--ingress-metrics-service=traefik/traefik:9100", "--ingress-requests-metric=traefik_router_requests_total",
		"--ingress-namespace-label=exported_namespace"}, env(nil), "dev", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if a := cfg.Sleep.ingressActivity(nil); a.Port != "9100" || a.Metric != "traefik_router_requests_total" || a.NamespaceLabel != "exported_namespace" {
		t.Errorf("another controller's counter: %+v", a)
	}
}

func TestSleepFlagsRefuse(t *testing.T) {
	for args, want := range map[string]string{
		"--ingress-metrics-service=ingress-nginx-controller-metrics":   "--ingress-metrics-service",
		"--ingress-metrics-service=ingress-nginx/metrics":              "is not namespace/name:port",
		"--ingress-metrics-service=http://ingress-nginx/metrics:10254": "--ingress-metrics-service",
		"--ingress-requests-metric=requests{namespace}":                "--ingress-requests-metric",
		"--ingress-namespace-label=name-space":                         "--ingress-namespace-label",
		"--metrics-environments-limit=-1":                              "--metrics-environments-limit",
	} {
		if _, err := Parse([]string{args}, env(nil), "dev", io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", args, err, want)
		}
	}
}
