package manager

import (
	"crypto/tls"

	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
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
		LeaseDuration:           &c.LeaseDuration,
		RenewDeadline:           &c.RenewDeadline,
		RetryPeriod:             &c.RetryPeriod,
		// A clean stop (SIGTERM, a rollout) hands the lease over at once instead of leaving the
		// next leader waiting for it to expire. Safe because the manager exits right after.
		LeaderElectionReleaseOnCancel: true,
		Cache:                         c.cacheOptions(),
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

// cacheOptions are the controller's scoped cache (only what the operator wrote; see
// controllers.CacheOptions), with the MirrorEnvironment informer limited to --watch-namespaces.
func (c *Config) cacheOptions() cache.Options {
	opts := controllers.CacheOptions()
	if len(c.WatchNamespaces) == 0 {
		return opts
	}
	namespaces := make(map[string]cache.Config, len(c.WatchNamespaces))
	for _, ns := range c.WatchNamespaces {
		namespaces[ns] = cache.Config{}
	}
	opts.ByObject[&v1alpha1.MirrorEnvironment{}] = cache.ByObject{Namespaces: namespaces}
	return opts
}
