package manager

import (
	"crypto/tls"
	"io"
	"testing"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

func TestOptions(t *testing.T) {
	cfg, err := Parse([]string{"--leader-elect", "--pprof-bind-address=127.0.0.1:6060", "--metrics-cert-dir=/certs",
		"--watch-namespaces=dev-a,dev-b"}, env(map[string]string{EnvPodNamespace: "tools"}), "dev", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Options(Scheme())
	if !o.LeaderElection || o.LeaderElectionNamespace != "tools" || o.LeaderElectionID != LeaderElectionID {
		t.Errorf("leader election %v in %q as %q", o.LeaderElection, o.LeaderElectionNamespace, o.LeaderElectionID)
	}
	if !o.LeaderElectionReleaseOnCancel {
		t.Error("the lease must be released on a clean stop")
	}
	if o.PprofBindAddress != "127.0.0.1:6060" {
		t.Errorf("pprof on %q", o.PprofBindAddress)
	}
	m := o.Metrics
	if !m.SecureServing || m.FilterProvider == nil || m.BindAddress != ":8443" || m.CertDir != "/certs" {
		t.Errorf("metrics: secure %v, filter %v, on %q, certs in %q", m.SecureServing, m.FilterProvider != nil, m.BindAddress, m.CertDir)
	}
	tc := &tls.Config{}
	for _, f := range m.TLSOpts {
		f(tc)
	}
	if len(tc.NextProtos) != 1 || tc.NextProtos[0] != "http/1.1" {
		t.Errorf("HTTP/2 must be off by default: %v", tc.NextProtos)
	}
	limited := false
	for obj, by := range o.Cache.ByObject {
		switch obj.(type) {
		case *v1alpha1.MirrorEnvironment:
			limited = len(by.Namespaces) == 2
		default: // everything else: only what the operator wrote (controllers.CacheOptions)
			if by.Label == nil || by.Label.String() != "app.kubernetes.io/managed-by=envmirror" {
				t.Errorf("the cache holds %T beyond the operator's own objects: %v", obj, by.Label)
			}
		}
	}
	if !limited {
		t.Fatalf("cache ByObject = %d kinds, want the MirrorEnvironment informer limited to the two namespaces", len(o.Cache.ByObject))
	}
	if o.Cache.DefaultTransform == nil {
		t.Error("the cache still strips managed fields")
	}
}

func TestOptionsPlainMetricsAndDefaults(t *testing.T) {
	cfg, err := Parse([]string{"--metrics-secure=false"}, env(nil), "dev", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Options(Scheme())
	if o.Metrics.SecureServing || o.Metrics.FilterProvider != nil {
		t.Error("--metrics-secure=false serves plain HTTP without the filter")
	}
	if o.PprofBindAddress != "" || o.LeaderElection {
		t.Errorf("defaults: pprof %q, leader election %v", o.PprofBindAddress, o.LeaderElection)
	}
	for obj := range o.Cache.ByObject {
		if _, ok := obj.(*v1alpha1.MirrorEnvironment); ok {
			t.Errorf("without --watch-namespaces every namespace's MirrorEnvironments are watched")
		}
	}
}
