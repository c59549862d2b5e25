package manager

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// defaults is what Parse returns for no flags outside a pod.
func defaults() Config {
	return Config{
		Version:                 "v1.2.3",
		MetricsBindAddress:      ":8443",
		MetricsSecure:           true,
		MetricsCertName:         "tls.crt",
		MetricsKeyName:          "tls.key",
		HealthProbeBindAddress:  ":8081",
		LeaderElectionNamespace: DefaultNamespace,
		OperatorNamespace:       DefaultNamespace,
		CopyWriterRole:          "envmirror-copy-writer",
		ResyncInterval:          10 * time.Minute,
		MaxConcurrentReconciles: 4,
		SourceGrants:            SourceGrantsRequired,
		AccessClusterRoles:      []string{"edit"},
		MaxTTL:                  720 * time.Hour,
		LeaseDuration:           12 * time.Second,
		RenewDeadline:           10 * time.Second,
		RetryPeriod:             time.Second,
	}
}

func TestParse(t *testing.T) {
	inPod := map[string]string{EnvPodName: "envmirror-manager-7d9f", EnvPodNamespace: "tools"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(c *Config)
	}{
		{name: "defaults outside a pod", want: func(*Config) {}},
		{name: "in a pod the namespaces follow POD_NAMESPACE", env: inPod, want: func(c *Config) {
			c.PodName, c.OperatorNamespace, c.LeaderElectionNamespace = "envmirror-manager-7d9f", "tools", "tools"
		}},
		{name: "the lease namespace follows --operator-namespace", args: []string{"--operator-namespace=ops"}, want: func(c *Config) {
			c.OperatorNamespace, c.LeaderElectionNamespace = "ops", "ops"
		}},
		{name: "the lease namespace can be set apart", env: inPod,
			args: []string{"--leader-elect", "--leader-election-namespace=leases"}, want: func(c *Config) {
				c.PodName, c.OperatorNamespace = "envmirror-manager-7d9f", "tools"
				c.LeaderElect, c.LeaderElectionNamespace = true, "leases"
			}},
		{name: "serving", args: []string{"--metrics-bind-address=127.0.0.1:9443", "--metrics-cert-dir=/certs",
			"--metrics-cert-name=c.pem", "--metrics-key-name=k.pem", "--health-probe-bind-address=0",
			"--pprof-bind-address=127.0.0.1:6060", "--enable-http2"}, want: func(c *Config) {
			c.MetricsBindAddress, c.HealthProbeBindAddress, c.PprofBindAddress = "127.0.0.1:9443", "0", "127.0.0.1:6060"
			c.MetricsCertDir, c.MetricsCertName, c.MetricsKeyName = "/certs", "c.pem", "k.pem"
			c.EnableHTTP2 = true
		}},
		{name: "plain metrics for local debugging", args: []string{"--metrics-secure=false", "--metrics-bind-address=:8080"},
			want: func(c *Config) { c.MetricsSecure, c.MetricsBindAddress = false, ":8080" }},
		{name: "metrics off", args: []string{"--metrics-bind-address=0"}, want: func(c *Config) { c.MetricsBindAddress = "0" }},
		{name: "lists are trimmed, deduplicated, trailing commas ignored", args: []string{
			"--watch-namespaces= dev-a ,dev-b,dev-a,", "--source-namespaces=shop-prod,billing-prod",
			"--access-cluster-roles=edit,view,envmirror:debug", "--allowed-api-servers=prod.example.com:6443,10.0.0.1,[fd00::1]:443",
		}, want: func(c *Config) {
			c.WatchNamespaces = []string{"dev-a", "dev-b"}
			c.SourceNamespaces = []string{"shop-prod", "billing-prod"}
			c.AccessClusterRoles = []string{"edit", "view", "envmirror:debug"}
			c.AllowedAPIServers = []string{"prod.example.com:6443", "10.0.0.1", "[fd00::1]:443"}
		}},
		{name: "no access roles", args: []string{"--access-cluster-roles="}, want: func(c *Config) { c.AccessClusterRoles = nil }},
		{name: "tenancy", args: []string{"--source-grants=optional", "--max-ttl=48h", "--max-concurrent-reconciles=1",
			"--resync-interval=30s", "--copy-writer-role="}, want: func(c *Config) {
			c.SourceGrants, c.MaxTTL, c.MaxConcurrentReconciles = SourceGrantsOptional, 48*time.Hour, 1
			c.ResyncInterval, c.CopyWriterRole = 30*time.Second, ""
		}},
		{name: "seed image and pull secrets", args: []string{"--seed-image=registry.example:5000/envmirror/manager:v1@sha256:" +
			strings.Repeat("ab", 32), "--seed-image-pull-secrets=regcred,mirror-cred"}, want: func(c *Config) {
			c.SeedImage = "registry.example:5000/envmirror/manager:v1@sha256:" + strings.Repeat("ab", 32)
			c.SeedImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}, {Name: "mirror-cred"}}
			c.seedPullSecretsSet = true
		}},
		{name: "an empty pull-secret flag means none", args: []string{"--seed-image-pull-secrets="},
			want: func(c *Config) { c.seedPullSecretsSet = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args, env(tt.env), "v1.2.3", io.Discard)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			want := defaults()
			tt.want(&want)
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(Config{}), cmpopts.IgnoreTypes(zap.Options{})); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string // in the error
	}{
		{[]string{"--source-grants=maybe"}, nil, `--source-grants: "maybe" is neither "required" nor "optional"`},
		{[]string{"--source-namespaces=shop-prod,kube-system"}, nil, "kube-system is a system namespace"},
		{[]string{"--source-namespaces=envmirror-system"}, nil, "envmirror-system is a system namespace"},
		{[]string{"--source-namespaces=tools"}, map[string]string{EnvPodNamespace: "tools"}, "tools is a system namespace"},
		{[]string{"--watch-namespaces=Dev_Envs"}, nil, `--watch-namespaces: "Dev_Envs" is not a namespace name`},
		{[]string{"--source-namespaces=" + strings.Repeat("a", 64)}, nil, "is not a namespace name"},
		{[]string{"--access-cluster-roles=edit,a/b"}, nil, `--access-cluster-roles: "a/b" is not a ClusterRole name`},
		{[]string{"--allowed-api-servers=https://prod.example.com"}, nil, "give a host or host:port, not a URL"},
		{[]string{"--allowed-api-servers=prod.example.com:http"}, nil, `port "http" is not a number`},
		{[]string{"--allowed-api-servers=*.example.com"}, nil, `"*.example.com" is not a host name or IP address`},
		{[]string{"--allowed-api-servers=prod.example.com:70000"}, nil, `port "70000"`},
		{[]string{"--max-ttl=0s"}, nil, "--max-ttl: must be greater than zero"},
		{[]string{"--max-ttl=-1h"}, nil, "--max-ttl: must be greater than zero"},
		{[]string{"--max-ttl=forever"}, nil, `invalid value "forever" for flag -max-ttl`},
		{[]string{"--leader-election-renew-deadline=20s"}, nil, "lease-duration (12s) > --leader-election-renew-deadline (20s)"},
		{[]string{"--leader-election-retry-period=0s"}, nil, "> 1.2 x --leader-election-retry-period (0s) > 0"},
		{[]string{"--max-concurrent-reconciles=0"}, nil, "--max-concurrent-reconciles: must be greater than zero"},
		{[]string{"--resync-interval=0s"}, nil, "--resync-interval: must be greater than zero"},
		{[]string{"--metrics-bind-address=8443"}, nil, `--metrics-bind-address: "8443" is not host:port`},
		{[]string{"--health-probe-bind-address="}, nil, "--health-probe-bind-address"},
		{[]string{"--pprof-bind-address=localhost"}, nil, "--pprof-bind-address"},
		{[]string{"--metrics-cert-dir=/certs", "--metrics-key-name="}, nil, "may not be empty with --metrics-cert-dir"},
		{[]string{"--leader-election-namespace=Leases"}, nil, `--leader-election-namespace: "Leases"`},
		{[]string{"--operator-namespace="}, nil, "--operator-namespace"},
		{[]string{"--copy-writer-role=a%b"}, nil, "--copy-writer-role"},
		{[]string{"--seed-image=envmirror/manager:has space"}, nil, "--seed-image"},
		{[]string{"--seed-image=Envmirror/Manager"}, nil, "is not an image reference"},
		{[]string{"--seed-image-pull-secrets=ok,Not_OK"}, nil, `"Not_OK" is not a Secret name`},
		{[]string{"--leader-elect", "seed"}, nil, "unexpected arguments"},
		{[]string{"--no-such-flag"}, nil, "flag provided but not defined: -no-such-flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := Parse(tt.args, env(tt.env), "dev", io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

// Every invalid flag is reported at once, so a broken Deployment is fixed in one edit.
func TestParseReportsAllErrors(t *testing.T) {
	_, err := Parse([]string{"--max-ttl=0s", "--source-grants=x", "--resync-interval=0s"}, env(nil), "dev", io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"--max-ttl", "--source-grants", "--resync-interval"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
