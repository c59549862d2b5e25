package scrub

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// AnnotationTLSHosts, on a copied kubernetes.io/tls Secret, lists (comma-separated, sorted) the
// hosts its generated certificate covers, so a change of hosts reissues it.
const AnnotationTLSHosts = "envmirror.io/tls-hosts"

const (
	// tlsValidity is the lifetime of a generated certificate.
	tlsValidity = 365 * 24 * time.Hour
	// tlsRenewBefore: a previously issued certificate is reused only while it stays valid this
	// long, so it is replaced well before clients start failing.
	tlsRenewBefore = 30 * 24 * time.Hour
	// tlsBackdate tolerates clock skew between the operator and the copy's clients.
	tlsBackdate = time.Hour
)

// tlsCommonName names the issuer and subject of the copy's certificates: plainly ours.
func tlsCommonName(environment string) string {
	cn := strings.TrimSpace("envmirror " + environment)
	if len(cn) > 64 { // the X.520 upper bound for a common name
		cn = cn[:64]
	}
	return cn
}

// normalizeHosts trims, lower-cases, de-duplicates and sorts host names and IPs.
func normalizeHosts(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if ip := net.ParseIP(h); ip != nil {
			h = ip.String() // one spelling per address, as certHosts reads it back
		}
		if h != "" {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// tlsPair is a certificate and key in PEM.
type tlsPair struct {
	cert, key []byte
}

// issueTLS makes a fresh self-signed ECDSA P-256 certificate for hosts, usable both as the
// server's certificate and as the CA that clients trust (ca.crt).
func issueTLS(hosts []string, cn string, now time.Time) (tlsPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tlsPair{}, fmt.Errorf("generating a TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tlsPair{}, fmt.Errorf("generating a serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"envmirror"}},
		NotBefore:             now.Add(-tlsBackdate),
		NotAfter:              now.Add(tlsValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tlsPair{}, fmt.Errorf("creating a self-signed certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tlsPair{}, fmt.Errorf("encoding the TLS key: %w", err)
	}
	return tlsPair{
		cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// reusableTLS returns the certificate and key of the copy's existing Secret when we issued them
// (self-signed with our common name) for exactly these hosts, they match each other, and they stay
// valid for tlsRenewBefore. A pair equal to prod's is never reused, whatever it claims.
func reusableTLS(existing *corev1.Secret, prod *corev1.Secret, hosts []string, cn string, now time.Time) (tlsPair, bool) {
	if existing == nil || existing.Annotations[AnnotationTLSHosts] != strings.Join(hosts, ",") {
		return tlsPair{}, false
	}
	p := tlsPair{cert: existing.Data[corev1.TLSCertKey], key: existing.Data[corev1.TLSPrivateKeyKey]}
	if len(p.cert) == 0 || len(p.key) == 0 ||
		bytes.Equal(p.cert, prod.Data[corev1.TLSCertKey]) || bytes.Equal(p.key, prod.Data[corev1.TLSPrivateKeyKey]) {
		return tlsPair{}, false
	}
	pair, err := tls.X509KeyPair(p.cert, p.key)
	if err != nil || len(pair.Certificate) != 1 {
		return tlsPair{}, false
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || cert.Subject.CommonName != cn || cert.Issuer.CommonName != cn ||
		cert.CheckSignatureFrom(cert) != nil {
		return tlsPair{}, false
	}
	if now.Before(cert.NotBefore) || cert.NotAfter.Sub(now) < tlsRenewBefore {
		return tlsPair{}, false
	}
	if !slices.Equal(certHosts(cert), hosts) {
		return tlsPair{}, false
	}
	return tlsPair{cert: bytes.Clone(p.cert), key: bytes.Clone(p.key)}, true
}

// certHosts returns a certificate's DNS and IP SANs, normalized like normalizeHosts.
func certHosts(c *x509.Certificate) []string {
	hosts := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		hosts = append(hosts, ip.String())
	}
	return normalizeHosts(hosts)
}
