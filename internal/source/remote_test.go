package source

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

func kubeconfig(server, caData, extraCluster, extraUser string) []byte {
	return []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: %s
%s%s
users:
- name: reader
  user:
    token: abc
%s
contexts:
- name: prod
  context: {cluster: prod, user: reader}
current-context: prod
`, server, caLine(caData), extraCluster, extraUser))
}

func caLine(ca string) string {
	if ca == "" {
		return ""
	}
	return "    certificate-authority-data: " + ca + "\n"
}

const someCA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="

func TestRESTConfigRefuses(t *testing.T) {
	cases := []struct {
		name    string
		config  []byte
		allowed []string
		want    string // "" accepted
	}{
		{"https with a CA", kubeconfig("https://prod.example.com:6443", someCA, "", ""), nil, ""},
		{"plain http (the SSRF of issue 15)", kubeconfig("http://127.0.0.1:18999", someCA, "", ""), nil, "does not use https"},
		{"no CA", kubeconfig("https://prod.example.com", "", "", ""), nil, "no certificate-authority-data"},
		{"insecure", kubeconfig("https://prod.example.com", someCA, "    insecure-skip-tls-verify: true\n", ""), nil, "insecure-skip-tls-verify"},
		{"loopback", kubeconfig("https://127.0.0.1:6443", someCA, "", ""), nil, "loopback"},
		{"metadata service", kubeconfig("https://169.254.169.254", someCA, "", ""), nil, "link-local"},
		{"localhost", kubeconfig("https://localhost:6443", someCA, "", ""), nil, "this machine"},
		{"localhost as a fully qualified name", kubeconfig("https://localhost.:6443", someCA, "", ""), nil, "this machine"},
		{"a name under localhost", kubeconfig("https://api.localhost:6443", someCA, "", ""), nil, "this machine"},
		{"IPv4-mapped loopback", kubeconfig("https://[::ffff:127.0.0.1]:6443", someCA, "", ""), nil, "loopback"},
		{"proxy", kubeconfig("https://prod.example.com", someCA, "    proxy-url: http://10.0.0.1:3128\n", ""), nil, "proxy-url"},
		{"exec plugin", kubeconfig("https://prod.example.com", someCA, "", "    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}\n"), nil, "exec plugin"},
		{"token file", kubeconfig("https://prod.example.com", someCA, "", "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n"), nil, "refers to files"},
		{"allow-list: exact host", kubeconfig("https://prod.example.com:6443", someCA, "", ""), []string{"prod.example.com"}, ""},
		{"allow-list: suffix", kubeconfig("https://api.eu.prod.example.com", someCA, "", ""), []string{"*.prod.example.com"}, ""},
		{"allow-list: other host", kubeconfig("https://evil.example.net", someCA, "", ""), []string{"*.prod.example.com"}, "not among the API servers"},
		{"allow-list: loopback allowed by name", kubeconfig("https://127.0.0.1:6443", someCA, "", ""), []string{"127.0.0.1"}, ""},
		{"allow-list: another loopback", kubeconfig("https://127.0.0.2:6443", someCA, "", ""), []string{"127.0.0.1"}, "not among"},
		{"garbage", []byte("{{{"), nil, "does not parse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := RESTConfig(c.config, c.allowed)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestProbeNeverShowsTheAnswer points a kubeconfig at a real TLS server that answers every
// request with a body holding a canary: whatever the status code, the classified error must
// say what kind of failure it was and never repeat the body.
func TestProbeNeverShowsTheAnswer(t *testing.T) {
	const canary = "INTERNAL-SERVICE-SECRET-7f3a"
	for _, code := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError, http.StatusTeapot} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"code":%d}`, canary, code)
			}))
			defer srv.Close()
			ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
			cfg, err := RESTConfig(kubeconfig(srv.URL, encode(ca), "", ""), []string{"127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			scheme := runtime.NewScheme()
			_ = clientgoscheme.AddToScheme(scheme)
			err = probe(context.Background(), cfg, scheme, "shop")
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("probe = %v, want a classified error", err)
			}
			if strings.Contains(se.Error(), canary) {
				t.Fatalf("the server's answer reached the message: %q", se.Error())
			}
			t.Logf("HTTP %d -> %s: %s", code, se.Reason, se.Error())
		})
	}
}

func TestClassifyTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	// httptest servers all share one certificate: the wrong CA is one of our own.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	wrongCA := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cfg, err := RESTConfig(kubeconfig(srv.URL, encode(wrongCA), "", ""), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	var se *Error
	if err := probe(context.Background(), cfg, scheme, "shop"); !errors.As(err, &se) || se.Reason != ReasonTLS {
		t.Fatalf("probe with the wrong CA = %v, want %s", err, ReasonTLS)
	}
}

func encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestDialControl checks the address the dialer is about to connect to, after resolution.
func TestDialControl(t *testing.T) {
	cases := []struct {
		address string
		allowed []string
		refused bool
	}{
		{"127.0.0.1:6443", nil, true},
		{"127.0.1.1:6443", nil, true},
		{"[::1]:6443", nil, true},
		{"169.254.169.254:443", nil, true},
		{"[fe80::1]:443", nil, true},
		{"0.0.0.0:443", nil, true},
		{"224.0.0.1:443", nil, true},
		{"[::ffff:127.0.0.1]:443", nil, true},
		{"10.0.0.1:6443", nil, false},
		{"203.0.113.7:443", nil, false},
		{"[2001:db8::1]:443", nil, false},
		{"127.0.0.1:6443", []string{"127.0.0.1"}, false},
		{"127.0.0.1:6443", []string{"localhost"}, true}, // a name never grants an internal address
		{"127.0.0.2:6443", []string{"127.0.0.1"}, true},
		{"not-an-address", nil, true},
	}
	for _, c := range cases {
		err := dialControl(c.allowed)("tcp", c.address, nil)
		if (err != nil) != c.refused {
			t.Errorf("dial %s (allowed %v): err = %v, refused want %v", c.address, c.allowed, err, c.refused)
		}
	}
}

// TestRefusesANameThatResolvesToLoopback is the SSRF by name: a server whose name passes every
// check of the kubeconfig but resolves to this machine. A real TLS server listens there with a
// canary body; the request must never reach it, and the classified error says why.
func TestRefusesANameThatResolvesToLoopback(t *testing.T) {
	const canary = "METADATA-SERVICE-ANSWER-31c8"
	reached := make(chan struct{}, 10) // one per TCP connection the server accepted
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, canary)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			reached <- struct{}{}
		}
	}
	srv.StartTLS()
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	// The allow-list lets the name through checkServer (as a tenant's DNS name would pass with
	// no allow-list at all); only the dial sees that it is loopback.
	for _, name := range []string{"localhost", "LocalHost"} {
		cfg, err := RESTConfig(kubeconfig("https://"+name+":"+port, encode(ca), "", ""), []string{name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		scheme := runtime.NewScheme()
		_ = clientgoscheme.AddToScheme(scheme)
		err = probe(context.Background(), cfg, scheme, "shop")
		var se *Error
		if !errors.As(err, &se) || se.Reason != ReasonInvalid || !strings.Contains(se.Error(), "loopback") {
			t.Fatalf("%s: probe = %v, want %s naming the loopback address", name, err, ReasonInvalid)
		}
		if strings.Contains(se.Error(), canary) {
			t.Fatalf("the server's answer reached the message: %q", se.Error())
		}
	}
	if len(reached) > 0 {
		t.Fatalf("the loopback server was reached %d time(s)", len(reached))
	}
	// Listed as a literal address, the same server is read.
	cfg, err := RESTConfig(kubeconfig(srv.URL, encode(ca), "", ""), []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = probe(context.Background(), cfg, scheme, "shop")
	if len(reached) == 0 {
		t.Fatal("with 127.0.0.1 allowed, the server was not reached: the test cannot tell a refusal from a broken setup")
	}
}
