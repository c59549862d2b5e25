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

	"k8s.io/apimachinery/pkg/util/sets"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"
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

// requestInfo classifies requests as the API server itself does (verb, resource, subresource,
// namespace, name), for counts in the terms of RBAC and the audit log.
var requestInfo = &apirequest.RequestInfoFactory{
	APIPrefixes:          sets.NewString("api", "apis"),
	GrouplessAPIPrefixes: sets.NewString("api"),
}

// count records one request: its verb and resource, and for a write the object it writes.
func (p *countingProxy) count(r *http.Request) {
	req := classify(r)
	if req.Verb == "create" && req.Name == "" && r.Body != nil {
		// POST names the object in its body.
		body, err := io.ReadAll(r.Body)
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			var obj struct {
				Metadata struct{ Name, GenerateName string } `json:"metadata"`
			}
			if json.Unmarshal(body, &obj) == nil {
				req.Name = obj.Metadata.Name + obj.Metadata.GenerateName
			}
		}
	}
	resource := req.Resource
	if req.Subresource != "" {
		resource += "/" + req.Subresource
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[req.Verb+" "+resource]++
	if isWrite(req.Verb) && req.Resource != "events" {
		p.written[req.Resource+" "+req.Namespace+"/"+req.Name] = struct{}{}
	}
}

// classify is the API server's RequestInfo of r, with server-side apply (a PATCH of type
// application/apply-patch+yaml) told apart from other patches; requests outside the resource
// API (discovery, /version, /openapi) count as resource "discovery".
func classify(r *http.Request) apirequest.RequestInfo {
	info, err := requestInfo.NewRequestInfo(r)
	if err != nil || !info.IsResourceRequest {
		return apirequest.RequestInfo{Verb: strings.ToLower(r.Method), Resource: "discovery"}
	}
	if info.Verb == "" { // a method the API server does not know
		info.Verb = strings.ToLower(r.Method)
	}
	if info.Verb == "patch" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/apply-patch") {
		info.Verb = "apply"
	}
	return *info
}

func isWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "apply", "delete", "deletecollection":
		return true
	}
	return false
}
