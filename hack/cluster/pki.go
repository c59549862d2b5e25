package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The cluster's PKI, written once into <state>/pki and reused by every `up` until `down`.
//
//	ca.crt/ca.key                  the cluster CA (signs everything below; the client CA too)
//	apiserver.crt/key              serving cert for 127.0.0.1, localhost and the in-cluster names
//	admin.crt/key                  CN=envmirror-admin, O=system:masters (the user's kubeconfig, kwok)
//	controller-manager.crt/key     CN=system:kube-controller-manager (bound by bootstrap RBAC)
//	scheduler.crt/key              CN=system:kube-scheduler (bound by bootstrap RBAC)
//	sa.key/sa.pub                  RSA pair signing and verifying service-account tokens
type clientIdentity struct {
	file string // base name in pki/
	cn   string
	orgs []string
}

var clientIdentities = []clientIdentity{
	{file: "admin", cn: "envmirror-admin", orgs: []string{"system:masters"}},
	{file: "controller-manager", cn: "system:kube-controller-manager"},
	{file: "scheduler", cn: "system:kube-scheduler"},
	// The real node's: the kubelet (Node authorizer), kube-proxy (bootstrap RBAC's
	// system:node-proxier) and the apiserver's client identity towards the kubelet.
	{file: "kubelet", cn: "system:node:" + realNodeName, orgs: []string{"system:nodes"}},
	{file: "kube-proxy", cn: "system:kube-proxy"},
	{file: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}},
}

const certValidity = 10 * 365 * 24 * time.Hour

// ensurePKI creates whatever part of the PKI is missing. It is all-or-nothing per run: when the
// CA is missing every certificate is re-issued, so nothing signed by an old CA survives.
func ensurePKI(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	caCertPath, caKeyPath := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key")
	complete := fileExists(caCertPath) && fileExists(caKeyPath) && fileExists(filepath.Join(dir, "sa.key")) &&
		fileExists(filepath.Join(dir, "sa.pub")) && fileExists(filepath.Join(dir, "apiserver.crt"))
	for _, id := range clientIdentities {
		complete = complete && fileExists(filepath.Join(dir, id.file+".crt"))
	}
	if complete {
		return nil
	}

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now().Add(-time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "envmirror-local-ca", Organization: []string{"envmirror"}},
		NotBefore:             now,
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("creating the CA: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writeCertAndKey(dir, "ca", caDER, caKey); err != nil {
		return err
	}

	issue := func(name string, tmpl *x509.Certificate) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl.SerialNumber = serial()
		tmpl.NotBefore = now
		tmpl.NotAfter = now.Add(certValidity)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			return fmt.Errorf("issuing %s: %w", name, err)
		}
		return writeCertAndKey(dir, name, der, key)
	}

	if err := issue("apiserver", &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
			"kubernetes.default.svc.cluster.local"},
		// The machine's own addresses too: a real node's pods reach the apiserver there.
		IPAddresses: append([]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(serviceAPIIP)}, machineIPs()...),
	}); err != nil {
		return err
	}
	for _, id := range clientIdentities {
		if err := issue(id.file, &x509.Certificate{
			Subject:     pkix.Name{CommonName: id.cn, Organization: id.orgs},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}); err != nil {
			return err
		}
	}

	// Service-account tokens are signed with RSA, as kubeadm does.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey), 0o600); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", saPub, 0o644)
}

// machineIPs are the machine's non-loopback IPv4 addresses.
func machineIPs() []net.IP {
	var out []net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			out = append(out, n.IP)
		}
	}
	return out
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err)
	}
	return n
}

func writeCertAndKey(dir, name string, der []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER, 0o600); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", der, 0o644)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readFileOr returns a file's content, or an error naming the file.
func readFileOr(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is missing (run `down` and `up` again to recreate the cluster)", path)
	}
	return b, err
}

// issueUser writes a kubeconfig for a new client certificate (CN=user, O=groups) signed by the
// cluster CA, e.g. to run the operator with only the RBAC it declares instead of as an admin.
func issueUser(p paths, s *state, user string, groups []string) (string, error) {
	dir := filepath.Join(p.dir, "pki")
	caPair, err := tlsPair(filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key"))
	if err != nil {
		return "", err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	now := time.Now().Add(-time.Hour)
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: user, Organization: groups},
		NotBefore:    now,
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caPair.cert, &key.PublicKey, caPair.key)
	if err != nil {
		return "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", err
	}
	ca, err := readFileOr(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return "", err
	}
	path := filepath.Join(p.dir, "kubeconfigs", "user-"+user+".kubeconfig")
	cfg := kubeconfig(fmt.Sprintf("https://127.0.0.1:%d", s.APIServerPort), user, ca,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, []byte(cfg), 0o600)
}

type caKeyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func tlsPair(certPath, keyPath string) (*caKeyPair, error) {
	certPEM, err := readFileOr(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readFileOr(keyPath)
	if err != nil {
		return nil, err
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, fmt.Errorf("%s or %s is not PEM", certPath, keyPath)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	return &caKeyPair{cert: cert, key: key}, nil
}
