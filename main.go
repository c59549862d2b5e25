// Command manager runs the envmirror operator; `manager seed` runs the database seeding program
// that the operator starts as a Job (one binary, one image).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/controllers"
	"github.com/envmirror/envmirror/internal/seed"
	"github.com/envmirror/envmirror/internal/source"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "seed" {
		ctx, cancel := signalContext()
		defer cancel()
		if err := seed.Command(ctx, os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "seed:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func signalContext() (context.Context, context.CancelFunc) {
	ctx := ctrl.SetupSignalHandler()
	return context.WithCancel(ctx)
}

// Scheme holds the API types the manager works with.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}

func run() error {
	var (
		metricsAddr, probeAddr       string
		leaderElect                  bool
		seedImage, operatorNamespace string
		copyWriterRole               string
		resync                       time.Duration
		workers                      int
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address of the metrics endpoint; 0 disables it.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address of the health and readiness probes.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader, so that only one replica reconciles.")
	flag.StringVar(&seedImage, "seed-image", "envmirror/manager:"+version, "Image of the seeding Jobs (this manager's image).")
	flag.StringVar(&operatorNamespace, "operator-namespace", envOr("POD_NAMESPACE", "envmirror-system"),
		"Namespace the operator runs in; schema Jobs that use prod database credentials run here.")
	flag.StringVar(&copyWriterRole, "copy-writer-role", "envmirror-copy-writer",
		"ClusterRole bound to the operator in each target namespace; empty disables the binding (the operator's own role must then allow writes).")
	flag.DurationVar(&resync, "resync-interval", 10*time.Minute, "How often prod is re-read without any event, to report drift.")
	flag.IntVar(&workers, "max-concurrent-reconciles", 4, "Environments reconciled in parallel.")
	opts := zap.Options{Development: false}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")

	cfg := ctrl.GetConfigOrDie()
	cfg.UserAgent = "envmirror/" + version
	identity, err := controllers.WhoAmI(context.Background(), cfg)
	if err != nil {
		return fmt.Errorf("finding the operator's own identity (needed to bind the copy-writer role): %w", err)
	}
	scheme := Scheme()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         leaderElect,
		LeaderElectionID:       "envmirror.io",
		Cache:                  cache.Options{DefaultTransform: controllers.StripManagedFieldsOfProd},
	})
	if err != nil {
		return err
	}
	clusters := source.NewClusters(scheme)
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
		CopyWriterRole:    copyWriterRole,
		OperatorNamespace: operatorNamespace,
		SeedImage:         seedImage,
		ResyncInterval:    resync,
	}
	if err := r.SetupWithManager(mgr, controller.Options{MaxConcurrentReconciles: workers}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	log.Info("starting envmirror", "version", version, "identity", identity.Kind+"/"+identity.Name, "operatorNamespace", operatorNamespace)
	return mgr.Start(ctrl.SetupSignalHandler())
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
