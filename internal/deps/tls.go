package deps

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// rootsWith are the public CAs plus a PEM bundle's (nil without a bundle: the system's, which
// in the manager's image are the fallback bundle it is built with).
func rootsWith(bundle []byte) (*x509.CertPool, error) {
	if len(strings.TrimSpace(string(bundle))) == 0 {
		return nil, nil
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(bundle) {
		return nil, errors.New("the CA bundle ($" + EnvCABundle + ", from versionFrom.caSecretRef) holds no PEM certificate")
	}
	return roots, nil
}

// trustRoots makes a TLS configuration check the server's certificate against roots (nil: leave
// it as it is, with the system's roots).
func trustRoots(cfg *tls.Config, roots *x509.CertPool) {
	if cfg != nil && roots != nil {
		cfg.RootCAs = roots
	}
}

// unknownAuthority tells a certificate signed by a CA the probe does not trust, through the
// drivers' wrapping (some keep only the text).
func unknownAuthority(err error) bool {
	var ua x509.UnknownAuthorityError
	return errors.As(err, &ua) || strings.Contains(err.Error(), "certificate signed by unknown authority")
}

// MySQL's errors when a server takes only TLS connections (require_secure_transport, the
// default of RDS for MySQL 8.4): ER_SECURE_TRANSPORT_REQUIRED; MariaDB refuses the connection as
// ER_ACCESS_DENIED_ERROR instead, as it would a wrong password.
const (
	mysqlSecureTransportRequired = 3159
	mysqlAccessDenied            = 1045
)

// mysqlTLSHint says what to set when a MySQL server may have refused a connection without TLS.
func mysqlTLSHint(err error, tlsOn bool) error {
	var myErr *mysql.MySQLError
	if tlsOn || err == nil || !errors.As(err, &myErr) {
		return err
	}
	const what = "add ?tls=true to the URL, and for Amazon RDS, Aurora or Cloud SQL put their CA bundle in a Secret " +
		"and set spec.dependencies[].versionFrom.caSecretRef"
	switch myErr.Number {
	case mysqlSecureTransportRequired:
		return fmt.Errorf("%w: prod accepts only TLS connections: %s", err, what)
	case mysqlAccessDenied:
		return fmt.Errorf("%w (the probe connected without TLS: if prod accepts only TLS connections, which MariaDB "+
			"reports as access denied, %s)", err, what)
	}
	return err
}

// explainTLS says what to set when prod's certificate is signed by a CA the probe does not
// trust: RDS, Aurora and Cloud SQL sign with CAs of their own, which no public bundle has.
func explainTLS(engine v1alpha1.DependencyEngine, err error, haveBundle bool) error {
	switch {
	case err == nil || !unknownAuthority(err):
		return err
	case engine == EnginePostgres:
		return fmt.Errorf("%w: prod's certificate is signed by a CA the probe does not trust (Amazon RDS, Aurora and Cloud SQL "+
			"sign with CAs of their own): use sslmode=require in the DSN, which encrypts without checking the CA", err)
	case haveBundle:
		return fmt.Errorf("%w: prod's certificate is signed by a CA that is neither public nor in versionFrom.caSecretRef's bundle", err)
	}
	return fmt.Errorf("%w: prod's certificate is signed by a CA the probe does not trust (Amazon RDS, Aurora and Cloud SQL "+
		"sign with CAs of their own): put the CA bundle (for RDS, global-bundle.pem) in a Secret and set "+
		"spec.dependencies[].versionFrom.caSecretRef", err)
}
