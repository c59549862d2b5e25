package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// countingProxy stands between the manager and the API server and counts every request the
// manager makes: the apiserver's audit log of the local cluster records writes only, and a
// proxy also sees reads, lists and watches without touching the cluster's configuration. The
// manager talks plain HTTP to it on loopback; the proxy talks TLS to the API server with the
// operator user's client certificate, so the apiserver still authorizes the operator's RBAC.
type countingProxy struct {
	listener net.Listener
	server   *http.Server

	mu       sync.Mutex
	requests map[string]int      // "verb resource" -> count
	written  map[string]struct{} // "resource namespace/name" of every object written (events apart)
}

// startProxy serves on a free loopback port and forwards to upstream with tlsConfig.
func startProxy(upstream *url.URL, tlsConfig *tls.Config) (*countingProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{listener: l}
	p.reset()
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			r.Out.Host = upstream.Host
		},
		Transport: &http.Transport{
			TLSClientConfig:     tlsConfig,
			ForceAttemptHTTP2:   false,
			MaxIdleConnsPerHost: 100,
		},
		FlushInterval: -1, // watches stream
	}
	p.server = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.count(r)
		rp.ServeHTTP(w, r)
	})}
	go func() { _ = p.server.Serve(l) }()
	return p, nil
}

func (p *countingProxy) url() string { return "http://" + p.listener.Addr().String() }

func (p *countingProxy) close() { _ = p.server.Close() }

// reset starts a new count.
func (p *countingProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = map[string]int{}
	p.written = map[string]struct{}{}
}

// traffic is a snapshot of the counts since the last reset.
type traffic struct {
	byVerbResource map[string]int
	objectsWritten int
}

func (p *countingProxy) snapshot() traffic {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := traffic{byVerbResource: make(map[string]int, len(p.requests)), objectsWritten: len(p.written)}
	for k, v := range p.requests {
		t.byVerbResource[k] = v
	}
	return t
}

func (t traffic) total() int {
	n := 0
	for _, v := range t.byVerbResource {
		n += v
	}
	return n
}

// byVerb sums the counts by verb.
func (t traffic) byVerb() map[string]int {
	out := map[string]int{}
	for k, v := range t.byVerbResource {
		verb, _, _ := strings.Cut(k, " ")
		out[verb] += v
	}
	return out
}

// top returns the n largest "verb resource" counts, largest first.
func (t traffic) top(n int) []string {
	keys := make([]string, 0, len(t.byVerbResource))
	for k := range t.byVerbResource {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if t.byVerbResource[keys[i]] != t.byVerbResource[keys[j]] {
			return t.byVerbResource[keys[i]] > t.byVerbResource[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > n {
		keys = keys[:n]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%6d %s", t.byVerbResource[k], k)
	}
	return out
}

// count records one request: its verb and resource, and for a write the object it writes.
func (p *countingProxy) count(r *http.Request) {
	req := parseRequest(r.Method, r.URL.Path, r.URL.Query(), r.Header.Get("Content-Type"))
	if req.verb == "create" && req.name == "" && r.Body != nil {
		// POST names the object in its body.
		body, err := io.ReadAll(r.Body)
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			var obj struct {
				Metadata struct{ Name, GenerateName string } `json:"metadata"`
			}
			if json.Unmarshal(body, &obj) == nil {
				req.name = obj.Metadata.Name + obj.Metadata.GenerateName
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[req.verb+" "+req.resourceWithSub()]++
	if req.isWrite() && req.resource != "events" {
		p.written[req.resource+" "+req.namespace+"/"+req.name] = struct{}{}
	}
}

// apiRequest is what a request does, in the API server's own terms (verb, resource,
// subresource), read from its method, path and query.
type apiRequest struct {
	verb, resource, subresource, namespace, name string
}

func (a apiRequest) resourceWithSub() string {
	if a.subresource != "" {
		return a.resource + "/" + a.subresource
	}
	return a.resource
}

func (a apiRequest) isWrite() bool {
	switch a.verb {
	case "create", "update", "patch", "apply", "delete":
		return true
	}
	return false
}

// parseRequest classifies a request like the API server's RequestInfo does: /api/v1/... and
// /apis/GROUP/VERSION/..., optionally under namespaces/NS, then RESOURCE[/NAME[/SUBRESOURCE]].
// Anything else (discovery, /version, /openapi) is resource "discovery".
func parseRequest(method, path string, query url.Values, contentType string) apiRequest {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		rest = parts[3:]
	default:
		return apiRequest{verb: strings.ToLower(method), resource: "discovery"}
	}
	var a apiRequest
	if len(rest) >= 3 && rest[0] == "namespaces" && rest[2] != "status" && rest[2] != "finalize" {
		a.namespace, rest = rest[1], rest[2:]
	}
	a.resource = rest[0]
	if len(rest) > 1 {
		a.name = rest[1]
	}
	if len(rest) > 2 {
		a.subresource = rest[2]
	}
	switch method {
	case http.MethodGet:
		switch {
		case query.Get("watch") == "true" || query.Get("watch") == "1":
			a.verb = "watch"
		case a.name == "":
			a.verb = "list"
		default:
			a.verb = "get"
		}
	case http.MethodPost:
		a.verb = "create"
	case http.MethodPut:
		a.verb = "update"
	case http.MethodPatch:
		a.verb = "patch"
		if strings.HasPrefix(contentType, "application/apply-patch") {
			a.verb = "apply"
		}
	case http.MethodDelete:
		a.verb = "delete"
	default:
		a.verb = strings.ToLower(method)
	}
	return a
}
