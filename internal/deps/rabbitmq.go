package deps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// rabbitProber reads RabbitMQ's management API: GET /api/overview for the version, GET
// /api/definitions for the structure.
type rabbitProber struct{}

// managementURL is the management API of a RabbitMQ URL. An AMQP URL is accepted too: its
// management API is on port 15672 (15671 with TLS), or on https's own port 443 where managed
// brokers serve it (managementOn443). The AMQP URL's user and password are the API's; its path
// (the vhost) is not part of the API's address.
func managementURL(u *url.URL) *url.URL {
	m := *u
	switch u.Scheme {
	case "amqp":
		m.Scheme, m.Host = "http", u.Hostname()+":15672"
	case "amqps":
		port := "15671"
		if managementOn443(u.Hostname()) {
			port = "443"
		}
		m.Scheme, m.Host = "https", u.Hostname()+":"+port
	default:
		return &m
	}
	m.Path, m.RawPath = "", ""
	return &m
}

// managementOn443 reports whether a managed broker serves its management API on port 443 of its
// AMQP host: CloudAMQP (https://<host>.cloudamqp.com, RabbitMQ and LavinMQ alike) and Amazon MQ
// (https://b-<id>.mq.<region>.amazonaws.com, also in the .cn partition).
func managementOn443(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if strings.HasSuffix(host, ".cloudamqp.com") {
		return true
	}
	return strings.Contains(host, ".mq.") && (strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn"))
}

// managementEndpoint is an endpoint's management API.
func managementEndpoint(e endpoint) endpoint {
	e.URL = managementURL(e.URL)
	return e
}

func (rabbitProber) version(ctx context.Context, src endpoint) (Summary, error) {
	var overview struct {
		RabbitMQVersion string `json:"rabbitmq_version"`
		ProductName     string `json:"product_name"`
		ProductVersion  string `json:"product_version"`
	}
	if err := newHTTPAPI(managementEndpoint(src)).do(ctx, http.MethodGet, "/api/overview", nil, &overview); err != nil {
		return Summary{}, err
	}
	s := Summary{Version: overview.RabbitMQVersion, Distribution: "rabbitmq"}
	if s.Version == "" {
		s.Version = overview.ProductVersion
	}
	if p := strings.ToLower(overview.ProductName); p != "" {
		s.Distribution = p
	}
	if s.Version == "" {
		return Summary{}, errors.New("GET /api/overview reports no rabbitmq_version")
	}
	return s, nil
}

// copiedDefinitions are the parts of RabbitMQ's definitions that describe structure. Users,
// permissions and topic permissions carry credentials and identities; parameters and global
// parameters carry shovel and federation URIs with passwords. None of them is copied.
var copiedDefinitions = []string{"vhosts", "policies", "exchanges", "queues", "bindings"}

// stripDefinitions keeps only the structure of prod's definitions.
func stripDefinitions(in map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range copiedDefinitions {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	// The importer wants to know which version wrote them.
	for _, k := range []string{"rabbit_version", "rabbitmq_version"} {
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
	if vhosts, ok := out["vhosts"].([]any); ok {
		for i, v := range vhosts {
			if m, ok := v.(map[string]any); ok {
				vhosts[i] = map[string]any{"name": m["name"]}
			}
		}
	}
	return out
}

func (rabbitProber) definitions(ctx context.Context, src, dst endpoint) (string, error) {
	var defs map[string]any
	if err := newHTTPAPI(managementEndpoint(src)).do(ctx, http.MethodGet, "/api/definitions", nil, &defs); err != nil {
		return "", err
	}
	defs = stripDefinitions(defs)
	target := newHTTPAPI(managementEndpoint(dst))
	if err := target.do(ctx, http.MethodPost, "/api/definitions", defs, nil); err != nil {
		return "", fmt.Errorf("importing into the stand-in: %w", err)
	}
	// The import creates prod's vhosts; the stand-in's user needs rights in each.
	for _, v := range list(defs["vhosts"]) {
		name, _ := v["name"].(string)
		if name == "" {
			continue
		}
		perm := map[string]string{"configure": ".*", "write": ".*", "read": ".*"}
		path := "/api/permissions/" + url.PathEscape(name) + "/" + url.PathEscape(target.user)
		if err := target.do(ctx, http.MethodPut, path, perm, nil); err != nil {
			return "", fmt.Errorf("granting the stand-in's user vhost %q: %w", name, err)
		}
	}
	return fmt.Sprintf("%d vhosts, %d exchanges, %d queues, %d bindings and %d policies (users, permissions and parameters are not copied)",
		len(list(defs["vhosts"])), len(list(defs["exchanges"])), len(list(defs["queues"])), len(list(defs["bindings"])), len(list(defs["policies"]))), nil
}

// list reads a JSON array of objects.
func list(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
