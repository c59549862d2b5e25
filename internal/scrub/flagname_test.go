package scrub

import (
	"strings"
	"testing"
)

// TestArgsKeepFlagNames: a credential passed as --flag=value loses its value, never its flag
// name, or the copied command line stops working (a regression the envtest suite caught when
// the entropy check judged "--db-password=hunter2hunter2" as one random token).
func TestArgsKeepFlagNames(t *testing.T) {
	k, _ := NewKeyring()
	kr, _ := ParseKeyring(k)
	in := PlainInput{Rewriter: NewRewriter("prod", "copy", nil), Keyring: kr}
	for _, arg := range []string{"--db-password=hunter2hunter2", "--db-password=CANARY-prod-arg-password-2", "--api-token=Zx81Lq0pWm2Nv7Bc5Rt9"} {
		out, _ := Args("api", "migrate", []string{"migrate", arg, "--target=postgres.prod.svc"}, in)
		name, value, _ := strings.Cut(arg, "=")
		if !strings.HasPrefix(out[1], name+"=") || strings.Contains(out[1], value) {
			t.Errorf("%s became %q: want %s=<generated>", arg, out[1], name)
		}
		if out[2] != "--target=postgres.copy.svc" {
			t.Errorf("the next arg became %q", out[2])
		}
	}
}

// TestDNSNamesAreNotRandom: a host whose labels mix letters and digits is not a token.
func TestDNSNamesAreNotRandom(t *testing.T) {
	for _, h := range []string{"auth.shop-prod-34.svc.cluster.local", "db-2.eu-west-1.rds.amazonaws.com", "api.v2.example.com"} {
		if looksRandom(h) {
			t.Errorf("%s looks random", h)
		}
		if IsSensitive("nginx.ingress.kubernetes.io/auth-url", "http://"+h+"/verify") {
			t.Errorf("a URL to %s under an auth-url key is a credential", h)
		}
	}
}
