package manager

import (
	"crypto/tls"

	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
)

// LeaderElectionID names the leader-election Lease.
const LeaderElectionID = "envmirror.io"

// Options builds the controller-runtime manager's options from the configuration.
func (c *Config) Options(scheme *runtime.Scheme) ctrl.Options {
	return ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 c.metricsOptions(),
		HealthProbeBindAddress:  c.HealthProbeBindAddress,
		PprofBindAddress:        c.PprofBindAddress,
		LeaderElection:          c.LeaderElect,
		LeaderElectionID:        LeaderElectionID,
		LeaderElectionNamespace: c.LeaderElectionNamespace,
		// A clean stop (SIGTERM, a rollout) hands the lease over at once instead of leaving the
		// next leader waiting for it to expire. Safe because the manager exits right after.
		LeaderElectionReleaseOnCancel: true,
		Cache: cache.Options{
			DefaultTransform: controllers.StripManagedFieldsOfProd,
			ByObject:         c.watchedEnvironments(),
		},
	}
}

// metricsOptions serves /metrics over TLS to callers the API server authenticates (TokenReview)
// and authorizes for GET /metrics (SubjectAccessReview), the way kube-state-metrics' and
// kubebuilder's operators do; --metrics-secure=false serves plain HTTP for local debugging.
func (c *Config) metricsOptions() metricsserver.Options {
	opts := metricsserver.Options{BindAddress: c.MetricsBindAddress}
	if !c.MetricsSecure {
		return opts
	}
	opts.SecureServing = true
	opts.FilterProvider = filters.WithAuthenticationAndAuthorization
	opts.CertDir, opts.CertName, opts.KeyName = c.MetricsCertDir, c.MetricsCertName, c.MetricsKeyName
	if !c.EnableHTTP2 {
		opts.TLSOpts = append(opts.TLSOpts, func(t *tls.Config) { t.NextProtos = []string{"http/1.1"} })
	}
	return opts
}

// watchedEnvironments limits the MirrorEnvironment informer to --watch-namespaces; everything
// else the operator reads keeps the cache's defaults.
func (c *Config) watchedEnvironments() map[client.Object]cache.ByObject {
	if len(c.WatchNamespaces) == 0 {
		return nil
	}
	namespaces := make(map[string]cache.Config, len(c.WatchNamespaces))
	for _, ns := range c.WatchNamespaces {
		namespaces[ns] = cache.Config{}
	}
	return map[client.Object]cache.ByObject{&v1alpha1.MirrorEnvironment{}: {Namespaces: namespaces}}
}
