// Package manager turns the operator's command line into a validated Config and runs the
// controller-runtime manager from it: the secured metrics server, health probes, leader
// election, pprof, the seed image and the reconciler. main.go only dispatches to it.
package manager

import (
	"flag"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	kubeconfig "sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// DefaultNamespace is where the operator runs when no POD_NAMESPACE says otherwise (make run,
// a manager started by hand); config/ and the chart install it there.
const DefaultNamespace = "envmirror-system"

// Environment variables set by the Deployment through the downward API.
const (
	EnvPodName      = "POD_NAME"
	EnvPodNamespace = "POD_NAMESPACE"
)

// SourceGrants says whether a source namespace must grant a mirror explicitly.
type SourceGrants string

const (
	// SourceGrantsRequired refuses a source namespace that holds no grant for the environment.
	SourceGrantsRequired SourceGrants = "required"
	// SourceGrantsOptional treats every permitted source namespace as granted (single-tenant
	// clusters).
	SourceGrantsOptional SourceGrants = "optional"
)

// Config is everything the operator's flags and environment decide, validated.
type Config struct {
	// Version is the build's version (main.version), for the user agent and the fallback seed image.
	Version string

	// MetricsBindAddress serves /metrics; "0" disables it.
	MetricsBindAddress string
	// MetricsSecure serves metrics over TLS behind Kubernetes authentication and authorization
	// (TokenReview + SubjectAccessReview); false serves plain HTTP to anyone (local debugging).
	MetricsSecure bool
	// MetricsCertDir holds MetricsCertName and MetricsKeyName, reloaded when they change; without
	// them the server makes a self-signed certificate in memory.
	MetricsCertDir, MetricsCertName, MetricsKeyName string
	// EnableHTTP2 keeps HTTP/2 on the metrics server (off by default: HTTP/2 rapid reset, CVE-2023-44487).
	EnableHTTP2 bool
	// HealthProbeBindAddress serves /healthz and /readyz.
	HealthProbeBindAddress string
	// PprofBindAddress serves net/http/pprof; empty (the default) or "0" disables it.
	PprofBindAddress string

	// LeaderElect runs leader election, so that only one replica reconciles.
	LeaderElect bool
	// LeaderElectionNamespace holds the lease; it defaults to OperatorNamespace, so leader
	// election also works outside a pod.
	LeaderElectionNamespace string
	// LeaseDuration, RenewDeadline and RetryPeriod time leader election. Shorter than
	// controller-runtime's defaults (15 s, 10 s, 2 s): a standby takes over a killed leader within
	// about LeaseDuration + RetryPeriod (the e2e failover spec holds it to 20 s), and the renew
	// deadline stays at 10 s so a short API server outage does not stop the leader.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration

	// OperatorNamespace is where the operator runs, and so where the schema Jobs that use prod's
	// database credentials run.
	OperatorNamespace string
	// PodName is the operator's own pod (empty outside a pod); its image is the seed image.
	PodName string
	// CopyWriterRole is the ClusterRole the operator binds to itself in each target namespace.
	CopyWriterRole string
	// ResyncInterval re-reads prod without any event, to report drift.
	ResyncInterval time.Duration
	// MaxConcurrentReconciles is how many environments are reconciled in parallel.
	MaxConcurrentReconciles int

	// SeedImage runs the seeding Jobs. Parse leaves it empty unless --seed-image is given;
	// ResolveSeedImage fills it from the operator's own pod.
	SeedImage string
	// SeedImagePullSecrets are the seeding Jobs' imagePullSecrets (the pod's own by default).
	SeedImagePullSecrets []corev1.LocalObjectReference
	// seedPullSecretsSet records that --seed-image-pull-secrets was given (even empty).
	seedPullSecretsSet bool

	// WatchNamespaces are the namespaces whose MirrorEnvironments are reconciled; empty: all.
	WatchNamespaces []string
	// SourceNamespaces is the allow-list of prod namespaces; empty: any namespace that grants it.
	SourceNamespaces []string
	// SourceGrants says whether sources must grant a mirror (required) or not (optional).
	SourceGrants SourceGrants
	// AccessClusterRoles are the ClusterRoles an environment may give people in its copy.
	AccessClusterRoles []string
	// MaxTTL bounds spec.ttl.
	MaxTTL time.Duration
	// AllowedAPIServers is the allow-list of API server hosts (host or host:port) that remote
	// kubeconfigs may point at; empty: any.
	AllowedAPIServers []string

	// Sleep is what spec.sleep needs (sleep.go).
	Sleep SleepConfig

	// Zap configures the logger (--zap-* flags).
	Zap zap.Options
}

// Parse reads the operator's flags (args without the program name) and the downward-API
// environment through getenv, and validates the result. Help goes to out.
func Parse(args []string, getenv func(string) string, version string, out io.Writer) (Config, error) {
	cfg := Config{Version: version, PodName: getenv(EnvPodName)}
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.SetOutput(out)
	lists := bindFlags(fs, &cfg, getenv)
	bindSleepFlags(fs, &cfg.Sleep)
	cfg.Zap.BindFlags(fs)
	// --kubeconfig, read by ctrl.GetConfig (else $KUBECONFIG, in-cluster, ~/.kube/config).
	kubeconfig.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments %q (flags only; `manager seed` runs the seeding program)", fs.Args())
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == flagSeedImagePullSecrets {
			cfg.seedPullSecretsSet = true
		}
	})
	if err := lists.apply(&cfg); err != nil {
		return Config{}, err
	}
	if cfg.LeaderElectionNamespace == "" {
		cfg.LeaderElectionNamespace = cfg.OperatorNamespace
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

const flagSeedImagePullSecrets = "seed-image-pull-secrets"

// listFlags are the comma-separated flags, kept raw until parsing ends.
type listFlags struct {
	watch, sources, accessRoles, apiServers, pullSecrets, grants string
}

func bindFlags(fs *flag.FlagSet, cfg *Config, getenv func(string) string) *listFlags {
	l := &listFlags{}
	operatorNamespace := getenv(EnvPodNamespace)
	if operatorNamespace == "" {
		operatorNamespace = DefaultNamespace
	}
	fs.StringVar(&cfg.MetricsBindAddress, "metrics-bind-address", ":8443", "Address of the metrics endpoint; 0 disables it.")
	fs.BoolVar(&cfg.MetricsSecure, "metrics-secure", true,
		"Serve metrics over HTTPS, only to callers the API server authenticates and authorizes for GET /metrics.")
	fs.StringVar(&cfg.MetricsCertDir, "metrics-cert-dir", "",
		"Directory of the metrics server's certificate and key (reloaded on change); empty: a self-signed certificate.")
	fs.StringVar(&cfg.MetricsCertName, "metrics-cert-name", "tls.crt", "Certificate file name in --metrics-cert-dir.")
	fs.StringVar(&cfg.MetricsKeyName, "metrics-key-name", "tls.key", "Key file name in --metrics-cert-dir.")
	fs.BoolVar(&cfg.EnableHTTP2, "enable-http2", false, "Allow HTTP/2 on the metrics server (off: HTTP/2 rapid reset).")
	fs.StringVar(&cfg.HealthProbeBindAddress, "health-probe-bind-address", ":8081", "Address of the health and readiness probes.")
	fs.StringVar(&cfg.PprofBindAddress, "pprof-bind-address", "", "Address of net/http/pprof; empty or 0 disables it (the default).")
	fs.BoolVar(&cfg.LeaderElect, "leader-elect", false, "Elect a leader, so that only one replica reconciles.")
	fs.StringVar(&cfg.LeaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader-election Lease; default: --operator-namespace.")
	fs.DurationVar(&cfg.LeaseDuration, "leader-election-lease-duration", 12*time.Second,
		"How long a standby waits before taking over a lease its leader stopped renewing.")
	fs.DurationVar(&cfg.RenewDeadline, "leader-election-renew-deadline", 10*time.Second,
		"How long the leader keeps trying to renew before it gives up leading (and exits).")
	fs.DurationVar(&cfg.RetryPeriod, "leader-election-retry-period", time.Second,
		"How often leaders renew and standbys try to acquire the lease.")
	fs.StringVar(&cfg.OperatorNamespace, "operator-namespace", operatorNamespace,
		"Namespace the operator runs in ($POD_NAMESPACE in a pod); schema Jobs that use prod database credentials run here.")
	fs.StringVar(&cfg.CopyWriterRole, "copy-writer-role", "envmirror-copy-writer",
		"ClusterRole bound to the operator in each target namespace; empty disables the binding (the operator's own role must then allow writes).")
	fs.DurationVar(&cfg.ResyncInterval, "resync-interval", 10*time.Minute, "How often prod is re-read without any event, to report drift.")
	fs.IntVar(&cfg.MaxConcurrentReconciles, "max-concurrent-reconciles", 4, "Environments reconciled in parallel.")
	fs.StringVar(&cfg.SeedImage, "seed-image", "",
		"Image of the seeding Jobs; default: this manager's own image, read from its pod ($POD_NAME), else envmirror/manager:<version>.")
	fs.StringVar(&l.pullSecrets, flagSeedImagePullSecrets, "",
		"Comma-separated imagePullSecrets of the seeding Jobs; default: this manager's pod's own.")
	fs.StringVar(&l.watch, "watch-namespaces", "", "Comma-separated namespaces whose MirrorEnvironments are reconciled; empty: all.")
	fs.StringVar(&l.sources, "source-namespaces", "",
		"Comma-separated allow-list of source (prod) namespaces; empty: any namespace that grants it.")
	fs.StringVar(&l.grants, "source-grants", string(SourceGrantsRequired),
		"required: a source namespace must grant each mirror; optional: every allowed source namespace is granted.")
	fs.StringVar(&l.accessRoles, "access-cluster-roles", "edit", "Comma-separated ClusterRoles an environment may give people in its copy.")
	fs.DurationVar(&cfg.MaxTTL, "max-ttl", 720*time.Hour, "The longest spec.ttl an environment may ask for.")
	fs.StringVar(&l.apiServers, "allowed-api-servers", "",
		"Comma-separated API server hosts (host or host:port) that remote kubeconfigs may use; empty: any.")
	return l
}

// apply splits and validates the comma-separated flags into cfg.
func (l *listFlags) apply(cfg *Config) error {
	var err error
	if cfg.WatchNamespaces, err = parseList("watch-namespaces", l.watch, validateNamespace); err != nil {
		return err
	}
	if cfg.SourceNamespaces, err = parseList("source-namespaces", l.sources, validateNamespace); err != nil {
		return err
	}
	if cfg.AccessClusterRoles, err = parseList("access-cluster-roles", l.accessRoles, validateRoleName); err != nil {
		return err
	}
	if cfg.AllowedAPIServers, err = parseList("allowed-api-servers", l.apiServers, validateAPIServerHost); err != nil {
		return err
	}
	secrets, err := parseList(flagSeedImagePullSecrets, l.pullSecrets, validateSecretName)
	if err != nil {
		return err
	}
	for _, name := range secrets {
		cfg.SeedImagePullSecrets = append(cfg.SeedImagePullSecrets, corev1.LocalObjectReference{Name: name})
	}
	cfg.SourceGrants = SourceGrants(l.grants)
	return nil
}
