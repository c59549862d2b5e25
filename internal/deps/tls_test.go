package deps

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// testCA is a private CA, as RDS's or a company's: no public bundle has it.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "envmirror test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a server certificate for the names (DNS names or IPs); it returns cert and key PEM.
func (ca *testCA) issue(t *testing.T, names ...string) ([]byte, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tpl.IPAddresses = append(tpl.IPAddresses, ip)
		} else {
			tpl.DNSNames = append(tpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// routeDials sends the HTTP APIs' connections to a local server and records where they meant to
// go: the managed service's name, port and certificate stay what the probe derived.
func routeDials(t *testing.T, to string) func() []string {
	t.Helper()
	var mu sync.Mutex
	var dialed []string
	orig := dialContext
	dialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, addr)
		mu.Unlock()
		return (&net.Dialer{}).DialContext(ctx, network, to)
	}
	t.Cleanup(func() { dialContext = orig })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), dialed...)
	}
}

// CloudAMQP serves the management API on https://<host>:443, whatever port the AMQP URL names;
// a private CA's certificate is trusted through the CA bundle. The TLS server is real; only its
// address is local.
func TestProbeRabbitMQManagementOverTLS(t *testing.T) {
	ca := newTestCA(t)
	const host = "orders-fox.rmq.cloudamqp.com"
	certPEM, keyPEM := ca.issue(t, host)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	var gotPath, gotUser string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		gotUser, _, _ = r.BasicAuth()
		_, _ = w.Write([]byte(`{"rabbitmq_version":"3.13.7","product_name":"RabbitMQ"}`))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	defer srv.Close()
	dialed := routeDials(t, srv.Listener.Addr().String())

	prod := "amqps://orders:CANARY-amqp-pw@" + host + "/orders"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Probe(ctx, Options{Engine: v1alpha1.EngineRabbitMQ, CABundle: ca.pem}, prod, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "3.13.7" || gotPath != "/api/overview" || gotUser != "orders" {
		t.Errorf("version %q, asked %q as %q", s.Version, gotPath, gotUser)
	}
	if d := dialed(); len(d) == 0 || d[0] != host+":443" {
		t.Errorf("dialed %v, want CloudAMQP's https port %s:443", d, host)
	}

	// Without the bundle the CA is unknown, and the error says what to set.
	_, err = Probe(ctx, Options{Engine: v1alpha1.EngineRabbitMQ}, prod, "")
	if err == nil || !strings.Contains(err.Error(), "versionFrom.caSecretRef") || strings.Contains(err.Error(), "CANARY") {
		t.Errorf("without the CA bundle: %v", err)
	}
}

func TestManagementURL(t *testing.T) {
	for in, want := range map[string]string{
		"amqps://u:p@orders-fox.rmq.cloudamqp.com/orders":        "https://u:p@orders-fox.rmq.cloudamqp.com:443",
		"amqps://u:p@orders-fox.lmq.cloudamqp.com:5671/orders":   "https://u:p@orders-fox.lmq.cloudamqp.com:443",
		"amqps://u:p@b-1234.mq.us-east-1.amazonaws.com:5671":     "https://u:p@b-1234.mq.us-east-1.amazonaws.com:443",
		"amqps://u:p@b-1234.mq.cn-north-1.amazonaws.com.cn:5671": "https://u:p@b-1234.mq.cn-north-1.amazonaws.com.cn:443",
		"amqps://u:p@rabbit.internal.example:5671/v":             "https://u:p@rabbit.internal.example:15671",
		"amqp://u:p@rabbit.internal.example/v":                   "http://u:p@rabbit.internal.example:15672",
		"https://u:p@rabbit.internal.example:8443":               "https://u:p@rabbit.internal.example:8443",
	} {
		u, _ := url.Parse(in)
		if got := managementURL(u).String(); got != want {
			t.Errorf("managementURL(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCABundle(t *testing.T) {
	if roots, err := rootsWith(nil); roots != nil || err != nil {
		t.Errorf("no bundle: %v %v", roots, err)
	}
	if _, err := rootsWith([]byte("not a certificate")); err == nil || !strings.Contains(err.Error(), "caSecretRef") {
		t.Errorf("a bundle without a certificate: %v", err)
	}
	if roots, err := rootsWith(newTestCA(t).pem); roots == nil || err != nil {
		t.Errorf("a bundle: %v", err)
	}
}
