package deps

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponse bounds what is read from an HTTP API (definitions of a large broker or cluster fit
// well below it).
const maxResponse = 64 << 20

// httpAPI is an HTTP management API (RabbitMQ's, Elasticsearch's) reached with basic auth.
type httpAPI struct {
	base       *url.URL // without userinfo
	user, pass string
	client     *http.Client
}

func newHTTPAPI(e endpoint) *httpAPI {
	u := e.URL
	base := *u
	base.User = nil
	base.Path = strings.TrimSuffix(base.Path, "/")
	base.RawQuery, base.Fragment = "", ""
	user, pass := userPassword(u)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = dialContext
	if e.roots != nil {
		transport.TLSClientConfig = &tls.Config{RootCAs: e.roots, MinVersion: tls.VersionTLS12}
	}
	return &httpAPI{base: &base, user: user, pass: pass, client: &http.Client{Timeout: 60 * time.Second, Transport: transport}}
}

// dialContext connects the HTTP APIs. Tests route a managed service's name to a local server
// with it (the name and its certificate stay the service's); nothing else changes it.
var dialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext

// statusError is a non-2xx answer.
type statusError struct {
	method, path string
	code         int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %s", e.method, e.path, e.code, e.body)
}

func isStatus(err error, code int) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == code
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (a *httpAPI) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base.String()+path, rd)
	if err != nil {
		return err
	}
	if a.user != "" || a.pass != "" {
		req.SetBasicAuth(a.user, a.pass)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return err
	}
	if len(data) > maxResponse {
		return fmt.Errorf("%s %s: the answer is larger than %d MiB", method, path, maxResponse>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &statusError{method: method, path: path, code: resp.StatusCode, body: cut(strings.TrimSpace(string(data)), 300)}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}
