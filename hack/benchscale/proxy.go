package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/sets"
	apirequest "k8s.io/apiserver/pkg/endpoints/request"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// countingProxy stands between the manager and the API server and counts every request the
// manager makes: the apiserver's audit log of the local cluster records writes only, and a
// proxy also sees reads, lists and watches without touching the cluster's configuration. The
// manager talks plain HTTP to it on loopback; the proxy talks TLS to the API server with the
// operator user's client certificate, so the apiserver still authorizes the operator's RBAC.
type countingProxy struct {
	listener net.Listener
	server   *http.Server

	// perSecond counts every request by the second it arrived in, for the whole run.
	perSecond *perSecond

	mu       sync.Mutex
	requests map[string]int      // "verb resource" -> count
	refused  map[string]int      // "status verb resource" -> count, for statuses >= 400
	written  map[string]struct{} // "resource namespace/name" of every object written (events apart)
	capture  *capture            // the writes into one namespace, kept whole (nil: none)
}

// startProxy serves on a free loopback port and forwards to upstream with tlsConfig.
func startProxy(upstream *url.URL, tlsConfig *tls.Config) (*countingProxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := newCountingProxy()
	p.listener = l
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
		key := p.count(r)
		// A refusal is counted as its status is written, before the client can read it: counted
		// after ServeHTTP returns, a caller that has its answer could still read a count without it.
		rp.ServeHTTP(&statusWriter{ResponseWriter: w, onStatus: func(code int) {
			if code >= 400 {
				p.refuse(key, code)
			}
		}}, r)
	})}
	go func() { _ = p.server.Serve(l) }()
	return p, nil
}

// statusWriter reports the status of the response it writes before passing it on (Unwrap lets
// the reverse proxy flush a watch's stream through it).
type statusWriter struct {
	http.ResponseWriter
	onStatus func(code int)
}

func (w *statusWriter) WriteHeader(code int) {
	w.onStatus(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// refuse counts a request the API server refused or failed ("verb resource" and its status).
func (p *countingProxy) refuse(key string, code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused[fmt.Sprintf("%d %s", code, key)]++
}

func newCountingProxy() *countingProxy {
	p := &countingProxy{perSecond: newPerSecond()}
	p.reset()
	return p
}

func (p *countingProxy) url() string { return "http://" + p.listener.Addr().String() }

func (p *countingProxy) close() { _ = p.server.Close() }

// reset starts a new count.
func (p *countingProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = map[string]int{}
	p.refused = map[string]int{}
	p.written = map[string]struct{}{}
}

// traffic is a snapshot of the counts since the last reset.
type traffic struct {
	byVerbResource map[string]int
	objectsWritten int
	refused        map[string]int // "status verb resource" of the refused or failed
}

func (p *countingProxy) snapshot() traffic {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := traffic{byVerbResource: maps.Clone(p.requests), objectsWritten: len(p.written), refused: maps.Clone(p.refused)}
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

// count records one request: its verb and resource (which it returns), and for a write the
// object it writes.
func (p *countingProxy) count(r *http.Request) string {
	now := time.Now()
	req := classify(r)
	var body []byte
	if isWrite(req.Verb) && req.Verb != "delete" && r.Body != nil && r.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(r.Body); err == nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	// A typed client sends built-in kinds as protobuf, the rest (and every apply) as JSON:
	// both are kept as JSON, for the POST's name and for the capture.
	body = asJSON(body)
	if req.Verb == "create" && req.Name == "" {
		// POST names the object in its body.
		var obj struct {
			Metadata struct{ Name, GenerateName string } `json:"metadata"`
		}
		if json.Unmarshal(body, &obj) == nil {
			req.Name = obj.Metadata.Name + obj.Metadata.GenerateName
		}
	}
	resource := req.Resource
	if req.Subresource != "" {
		resource += "/" + req.Subresource
	}
	p.perSecond.add(now, req.Verb+" "+resource)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[req.Verb+" "+resource]++
	if isWrite(req.Verb) && req.Resource != "events" {
		p.written[req.Resource+" "+req.Namespace+"/"+req.Name] = struct{}{}
		p.capture.record(req, body)
	}
	return req.Verb + " " + resource
}

// captureNamespace starts keeping the writes into namespace ns (and of ns itself) whole, for
// the floor; captured returns them.
func (p *countingProxy) captureNamespace(ns string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.capture = newCapture(ns)
}

// stopCapture ends the capture and returns what it kept.
func (p *countingProxy) stopCapture() *capture {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.capture
	p.capture = nil
	return c
}

// protobufMagic starts every protobuf-encoded object (k8s.io/apimachinery's protobuf serializer).
var protobufMagic = []byte{0x6b, 0x38, 0x73, 0x00}

// decoder reads the built-in kinds in any of the API server's encodings.
var decoder = serializer.NewCodecFactory(clientgoscheme.Scheme).UniversalDeserializer()

// asJSON returns a protobuf-encoded object as JSON (with its apiVersion and kind), and any
// other body as it is.
func asJSON(body []byte) []byte {
	if !bytes.HasPrefix(body, protobufMagic) {
		return body
	}
	obj, gvk, err := decoder.Decode(body, nil, nil)
	if err != nil {
		return body
	}
	obj.GetObjectKind().SetGroupVersionKind(*gvk)
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
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
