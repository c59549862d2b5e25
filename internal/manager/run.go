package manager

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
	"github.com/envmirror/envmirror/internal/metrics"
	"github.com/envmirror/envmirror/internal/source"
)

// Scheme holds the API types the manager works with.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}

// Main parses args (without the program name) and the environment, then runs the operator
// until ctx ends. --kubeconfig is read by controller-runtime's config loader.
func Main(ctx context.Context, args []string, getenv func(string) string, version string, stderr io.Writer) error {
	cfg, err := Parse(args, getenv, version, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // --help printed the flags
	}
	if err != nil {
		return err
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&cfg.Zap)))
	restCfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	return Run(ctx, cfg, restCfg)
}

// Run builds the manager and the MirrorEnvironment reconciler from cfg and runs them until ctx
// ends.
func Run(ctx context.Context, cfg Config, restCfg *rest.Config) error {
	log := ctrl.Log.WithName("setup")
	restCfg = rest.CopyConfig(restCfg)
	restCfg.UserAgent = "envmirror/" + cfg.Version
	// The operator's own API server is in its cluster: gzip saves little bandwidth there and
	// costs a decompressor per watch (about 40 KB each, 4-5 MiB of RSS over the operator's
	// watches, measured by make bench-scale). Remote prods keep their own settings.
	restCfg.DisableCompression = true
	scheme := Scheme()
	// Before the manager exists, read past any cache: the operator's identity and its own pod.
	direct, err := client.New(restCfg, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	if err := cfg.ResolveSeedImage(ctx, direct); err != nil {
		return err
	}
	identity, err := controllers.WhoAmI(ctx, restCfg)
	if err != nil {
		return fmt.Errorf("finding the operator's own identity (needed to bind the copy-writer role): %w", err)
	}
	mgr, err := ctrl.NewManager(restCfg, cfg.Options(scheme))
	if err != nil {
		return err
	}
	metrics.WatchEnvironments(mgr.GetCache())
	metrics.LimitEnvironmentSeries(cfg.Sleep.MetricsEnvironmentsLimit)
	clusters := source.NewClusters(scheme)
	clusters.AllowServers(cfg.AllowedAPIServers)
	if err := mgr.Add(clusters); err != nil {
		return err
	}
	r := &controllers.MirrorEnvironmentReconciler{
		Client:            mgr.GetClient(),
		APIReader:         mgr.GetAPIReader(),
		Scheme:            scheme,
		Recorder:          mgr.GetEventRecorder("envmirror"),
		Clusters:          clusters,
		Clock:             clock.RealClock{},
		Identity:          identity,
		CopyWriterRole:    cfg.CopyWriterRole,
		OperatorNamespace: cfg.OperatorNamespace,
		SeedImage:         cfg.SeedImage,
		ResyncInterval:    cfg.ResyncInterval,
		Activity:          cfg.Sleep.ingressActivity(mgr.GetAPIReader()),
		Settings: controllers.Settings{
			SeedImagePullSecrets: cfg.SeedImagePullSecrets,
			AccessClusterRoles:   cfg.AccessClusterRoles,
			MaxTTL:               cfg.MaxTTL,
			SourceNamespaces:     cfg.SourceNamespaces,
			SourceGrants:         controllers.GrantPolicy(cfg.SourceGrants),
		},
	}
	if err := r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: cfg.MaxConcurrentReconciles}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("caches", cachesSynced(mgr)); err != nil {
		return err
	}
	log.Info("starting envmirror", "version", cfg.Version, "identity", identity.Kind+"/"+identity.Name,
		"operatorNamespace", cfg.OperatorNamespace, "seedImage", cfg.SeedImage,
		"leaderElection", cfg.LeaderElect, "leaderElectionNamespace", cfg.LeaderElectionNamespace,
		"metrics", cfg.MetricsBindAddress, "metricsSecure", cfg.MetricsSecure, "pprof", cfg.PprofBindAddress)
	return mgr.Start(ctx)
}

// cachesSynced fails readiness until every informer of the manager's cache has synced: an
// operator whose MirrorEnvironment informer cannot list (an object that cannot be decoded, RBAC
// missing) must not look ready while it reconciles nothing.
func cachesSynced(mgr ctrl.Manager) healthz.Checker {
	return func(req *http.Request) error {
		ctx, cancel := context.WithTimeout(req.Context(), time.Second)
		defer cancel()
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			return errors.New("the operator's caches have not synced, so its controller is not running yet")
		}
		return nil
	}
}
