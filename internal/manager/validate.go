package manager

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Validate reports every invalid setting at once, each naming its flag.
func (c *Config) Validate() error {
	var errs []error
	add := func(flagName string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", flagName, err))
		}
	}
	add("metrics-bind-address", validateBindAddress(c.MetricsBindAddress, false))
	add("health-probe-bind-address", validateBindAddress(c.HealthProbeBindAddress, false))
	add("pprof-bind-address", validateBindAddress(c.PprofBindAddress, true))
	if c.MetricsCertDir != "" && (c.MetricsCertName == "" || c.MetricsKeyName == "") {
		errs = append(errs, errors.New("--metrics-cert-name and --metrics-key-name may not be empty with --metrics-cert-dir"))
	}
	add("operator-namespace", validateNamespace(c.OperatorNamespace))
	add("leader-election-namespace", validateNamespace(c.LeaderElectionNamespace))
	if !(c.LeaseDuration > c.RenewDeadline && float64(c.RenewDeadline) > 1.2*float64(c.RetryPeriod) && c.RetryPeriod > 0) {
		errs = append(errs, fmt.Errorf("leader election needs --leader-election-lease-duration (%s) > --leader-election-renew-deadline (%s) > 1.2 x --leader-election-retry-period (%s) > 0",
			c.LeaseDuration, c.RenewDeadline, c.RetryPeriod))
	}
	if c.CopyWriterRole != "" {
		add("copy-writer-role", validateRoleName(c.CopyWriterRole))
	}
	add("resync-interval", positive(c.ResyncInterval.Seconds()))
	add("max-concurrent-reconciles", positive(float64(c.MaxConcurrentReconciles)))
	add("max-ttl", positive(c.MaxTTL.Seconds()))
	if c.SeedImage != "" {
		add("seed-image", validateImage(c.SeedImage))
	}
	if c.SourceGrants != SourceGrantsRequired && c.SourceGrants != SourceGrantsOptional {
		add("source-grants", fmt.Errorf("%q is neither %q nor %q", c.SourceGrants, SourceGrantsRequired, SourceGrantsOptional))
	}
	for _, ns := range c.SourceNamespaces {
		add("source-namespaces", c.validateSourceNamespace(ns))
	}
	c.Sleep.validate(add)
	return errors.Join(errs...)
}

// validateSourceNamespace refuses the namespaces that can never be prod: the cluster's own and
// the operator's, whose Secrets no copy may ever read.
func (c *Config) validateSourceNamespace(ns string) error {
	if strings.HasPrefix(ns, "kube-") || ns == c.OperatorNamespace {
		return fmt.Errorf("%s is a system namespace (kube-* or the operator's own) and can never be a source", ns)
	}
	return nil
}

// parseList splits a comma-separated flag value, trimming spaces and skipping empty items (a
// trailing comma), and validates each item; duplicates are dropped, the first order kept.
func parseList(flagName, value string, validate func(string) error) ([]string, error) {
	var out []string
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if item == "" || slices.Contains(out, item) {
			continue
		}
		if err := validate(item); err != nil {
			return nil, fmt.Errorf("--%s: %w", flagName, err)
		}
		out = append(out, item)
	}
	return out, nil
}

func positive(v float64) error {
	if v <= 0 {
		return errors.New("must be greater than zero")
	}
	return nil
}

func validateNamespace(ns string) error {
	if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
		return fmt.Errorf("%q is not a namespace name: %s", ns, strings.Join(msgs, "; "))
	}
	return nil
}

func validateSecretName(name string) error {
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return fmt.Errorf("%q is not a Secret name: %s", name, strings.Join(msgs, "; "))
	}
	return nil
}

// validateRoleName accepts what the API server accepts for RBAC names (path segments).
func validateRoleName(name string) error {
	if msgs := path.IsValidPathSegmentName(name); len(msgs) > 0 {
		return fmt.Errorf("%q is not a ClusterRole name: %s", name, strings.Join(msgs, "; "))
	}
	return nil
}

// validateAPIServerHost accepts a host name or IP address, with an optional port, the way it
// appears in a kubeconfig's server URL; not a URL, not a wildcard.
func validateAPIServerHost(entry string) error {
	if strings.Contains(entry, "/") {
		return fmt.Errorf("%q: give a host or host:port, not a URL", entry)
	}
	host := entry
	if h, port, err := net.SplitHostPort(entry); err == nil {
		if err := validatePort(port); err != nil {
			return fmt.Errorf("%q: %w", entry, err)
		}
		host = h
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if msgs := validation.IsDNS1123Subdomain(host); len(msgs) > 0 {
		return fmt.Errorf("%q is not a host name or IP address: %s", entry, strings.Join(msgs, "; "))
	}
	return nil
}

func validatePort(port string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// validateBindAddress accepts "0" (disabled), host:port and :port; optional also accepts "".
func validateBindAddress(addr string, optional bool) error {
	if addr == "0" || (optional && addr == "") {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port, :port or 0 (disabled)", addr)
	}
	return validatePort(port)
}

// imageReference is the grammar of a container image reference, loosely: a name of lowercase
// path components (a registry host may carry a port), an optional tag, an optional digest.
var imageReference = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*` +
	`(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@[a-z0-9]+([+._-][a-z0-9]+)*:[A-Fa-f0-9]{32,})?$`)

func validateImage(ref string) error {
	if !imageReference.MatchString(ref) {
		return fmt.Errorf("%q is not an image reference (e.g. registry.example/envmirror/manager:v1.2.3)", ref)
	}
	return nil
}
