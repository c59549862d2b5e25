package source

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A kubeconfig in a Secret is input from a tenant of a shared operator: it must not make the
// operator run a program, read its own files, or fetch an arbitrary URL and show the answer (a
// server-side request forgery). So it must name an https server, with the CA to trust embedded,
// on a host an administrator allows; and no error that reaches status ever carries what the
// server answered, only a classified reason.

// RESTConfig parses a kubeconfig from a Secret. Exec and auth-provider plugins, file
// references, plain http, missing CA data and insecure-skip-tls-verify are refused (the rules
// Flux and Argo CD apply, plus TLS); allowed, when set, restricts the server's host.
func RESTConfig(kubeconfig []byte, allowed []string) (*rest.Config, error) {
	raw, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, errors.New("the kubeconfig does not parse as a kubeconfig")
	}
	for name, a := range raw.AuthInfos {
		switch {
		case a.Exec != nil:
			return nil, fmt.Errorf("kubeconfig user %q uses an exec plugin, which the operator does not run; use a token or client certificate", name)
		case a.AuthProvider != nil:
			return nil, fmt.Errorf("kubeconfig user %q uses an auth-provider plugin, which the operator does not run; use a token or client certificate", name)
		case a.TokenFile != "" || a.ClientCertificate != "" || a.ClientKey != "":
			return nil, fmt.Errorf("kubeconfig user %q refers to files; embed the data (token, client-certificate-data, client-key-data) instead", name)
		}
	}
	for name, cl := range raw.Clusters {
		if err := checkServer(cl.Server, allowed); err != nil {
			return nil, fmt.Errorf("kubeconfig cluster %q: %w", name, err)
		}
		switch {
		case cl.CertificateAuthority != "":
			return nil, fmt.Errorf("kubeconfig cluster %q refers to a CA file; embed certificate-authority-data instead", name)
		case cl.InsecureSkipTLSVerify:
			return nil, fmt.Errorf("kubeconfig cluster %q sets insecure-skip-tls-verify; embed the server's CA (certificate-authority-data) instead", name)
		case len(cl.CertificateAuthorityData) == 0:
			return nil, fmt.Errorf("kubeconfig cluster %q has no certificate-authority-data: the operator only talks to API servers whose CA the kubeconfig names", name)
		case cl.ProxyURL != "":
			return nil, fmt.Errorf("kubeconfig cluster %q sets a proxy-url, which the operator does not use", name)
		}
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*raw, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, errors.New("the kubeconfig names no usable context, cluster and user")
	}
	cfg.Timeout = 15 * time.Second
	cfg.UserAgent = "envmirror (read-only)"
	// The checks above read the server's name; a name can resolve to anything (localhost.,
	// a tenant's DNS record pointing at 169.254.169.254, a rebinding). What is refused is the
	// address actually dialed, checked after resolution, on every connection.
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: dialControl(allowed)}
	cfg.Dial = dialer.DialContext
	return cfg, nil
}

// dialControl refuses a connection to a loopback, link-local, unspecified or multicast address
// (the operator's own pod, the node, the cloud metadata service), unless the administrator's
// allow-list names that very address.
func dialControl(allowed []string) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("refusing to dial %q: not a host and port", address)
		}
		ip := net.ParseIP(host)
		if ip == nil {
			return fmt.Errorf("refusing to dial %q: not an IP address", address)
		}
		if !internalAddress(ip) {
			return nil
		}
		for _, a := range allowed {
			if allowedIP := net.ParseIP(a); allowedIP != nil && allowedIP.Equal(ip) {
				return nil
			}
		}
		return fmt.Errorf("refusing to dial %s: %w", ip, errInternalAddress)
	}
}

// errInternalAddress is a dial refused by dialControl.
var errInternalAddress = errors.New("a loopback, link-local, unspecified or multicast address is never a prod cluster's API server")

// internalAddress reports addresses that reach this machine, its node or its cloud's metadata
// service rather than another cluster.
func internalAddress(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified()
}

// checkServer accepts an https URL whose host is allowed. Without an allow-list, literal
// loopback, link-local and unspecified addresses are refused: they reach the operator's own pod
// or the cloud metadata service, never a prod cluster.
func checkServer(server string, allowed []string) error {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		return fmt.Errorf("server %q is not a URL", server)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("server %q does not use https", server)
	}
	host := u.Hostname()
	if len(allowed) > 0 {
		for _, a := range allowed {
			if hostAllowed(a, host, u.Host) {
				return nil
			}
		}
		return fmt.Errorf("server host %q is not among the API servers the operator may read (--allowed-api-servers)", host)
	}
	if ip := net.ParseIP(host); ip != nil && internalAddress(ip) {
		return fmt.Errorf("server %q is a loopback, link-local or unspecified address; the operator reads only other clusters' API servers", server)
	}
	if h := strings.TrimSuffix(host, "."); strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return fmt.Errorf("server %q is this machine; the operator reads only other clusters' API servers", server)
	}
	return nil
}

func hostAllowed(pattern, host, hostPort string) bool {
	if suffix, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(strings.ToLower(host), "."+strings.ToLower(suffix))
	}
	return strings.EqualFold(pattern, host) || strings.EqualFold(pattern, hostPort)
}

// Classify turns an error of a request to a prod cluster into an Error whose message says what
// kind of failure it was, never what the server answered.
func Classify(err error, namespace string) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var status apierrors.APIStatus
	switch {
	case errors.Is(err, errInternalAddress):
		return &Error{ReasonInvalid, errors.New("the kubeconfig's server resolves to a loopback, link-local or metadata address, which the operator never dials; name another cluster's API server (or list that address in --allowed-api-servers)")}
	case errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:"):
		return &Error{ReasonTLS, errors.New("the prod API server's TLS certificate is not valid for the kubeconfig's CA and server name")}
	case apierrors.IsUnauthorized(err):
		return &Error{ReasonUnauthorized, errors.New("the prod cluster rejected the kubeconfig's credentials (HTTP 401)")}
	case apierrors.IsForbidden(err):
		return &Error{ReasonForbidden, fmt.Errorf("the kubeconfig's user may not list in namespace %q of the prod cluster (HTTP 403); it needs get, list and watch on the mirrored kinds", namespace)}
	case apierrors.IsNotFound(err):
		return &Error{ReasonNotFound, fmt.Errorf("namespace %q does not exist in the prod cluster (HTTP 404)", namespace)}
	case errors.As(err, &status):
		return &Error{ReasonUnreachable, fmt.Errorf("the prod API server answered HTTP %d", status.Status().Code)}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &Error{ReasonUnreachable, errors.New("the prod API server did not answer in time")}
	default:
		var op *net.OpError
		if errors.As(err, &op) {
			return &Error{ReasonUnreachable, fmt.Errorf("the prod API server could not be reached (%s)", op.Op)}
		}
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return &Error{ReasonUnreachable, errors.New("the prod API server's name does not resolve")}
		}
		return &Error{ReasonUnreachable, errors.New("the prod API server could not be read")}
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// probe makes one cheap direct request so that an unreachable server, bad credentials or
// missing permissions become a clear, classified reason instead of a cache that never syncs.
func probe(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, namespace string) error {
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return &Error{ReasonInvalid, errors.New("the kubeconfig does not give a usable client")}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	ns := &corev1.Namespace{}
	err = c.Get(ctx, client.ObjectKey{Name: namespace}, ns)
	if err == nil || apierrors.IsForbidden(err) {
		// Reading the Namespace object itself is not required; listing in it is.
		err = c.List(ctx, &appsv1.DeploymentList{}, client.InNamespace(namespace), client.Limit(1))
	}
	if err == nil {
		return nil
	}
	return Classify(err, namespace)
}
