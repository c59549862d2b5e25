package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// apiClient is the few REST calls `up` needs (health, nodes, a StorageClass, the default
// ServiceAccount), made with the admin client certificate. Plain net/http keeps this program
// small and quick to build; users and tests go through kubectl.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(p paths, port int) (*apiClient, error) {
	caPEM, err := readFileOr(p.pki("ca.crt"))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s holds no certificate", p.pki("ca.crt"))
	}
	cert, err := tls.LoadX509KeyPair(p.pki("admin.crt"), p.pki("admin.key"))
	if err != nil {
		return nil, err
	}
	return &apiClient{
		base: fmt.Sprintf("https://127.0.0.1:%d", port),
		http: &http.Client{
			Timeout: 10 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{
				RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
			}},
		},
	}, nil
}

// do sends a request and returns the status code and body.
func (c *apiClient) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "envmirror-cluster")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// ready reports whether /readyz answers ok.
func (c *apiClient) ready(ctx context.Context) bool {
	code, body, err := c.do(ctx, http.MethodGet, "/readyz", nil)
	return err == nil && code == http.StatusOK && strings.TrimSpace(string(body)) == "ok"
}

// create POSTs an object; an existing object is fine.
func (c *apiClient) create(ctx context.Context, path string, obj any) error {
	code, body, err := c.do(ctx, http.MethodPost, path, obj)
	if err != nil {
		return err
	}
	if code == http.StatusConflict || (code >= 200 && code < 300) {
		return nil
	}
	return fmt.Errorf("POST %s: %d %s", path, code, strings.TrimSpace(string(body)))
}

// exists reports whether GET path returns 200.
func (c *apiClient) exists(ctx context.Context, path string) (bool, error) {
	code, body, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return false, err
	}
	switch code {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("GET %s: %d %s", path, code, strings.TrimSpace(string(body)))
}

type nodeList struct {
	Items []struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Taints []struct {
				Key string `json:"key"`
			} `json:"taints"`
		} `json:"spec"`
		Status struct {
			Conditions []struct {
				Type   string `json:"type"`
				Status string `json:"status"`
			} `json:"conditions"`
		} `json:"status"`
	} `json:"items"`
}

// nodesReady returns how many of the fake nodes are Ready and free of the not-ready taint
// (the node lifecycle controller removes it; until then nothing schedules), and a summary.
func (c *apiClient) nodesReady(ctx context.Context) (int, string, error) {
	code, body, err := c.do(ctx, http.MethodGet, "/api/v1/nodes?labelSelector=type%3Dkwok", nil)
	if err != nil {
		return 0, "", err
	}
	if code != http.StatusOK {
		return 0, "", fmt.Errorf("GET nodes: %d %s", code, strings.TrimSpace(string(body)))
	}
	var nl nodeList
	if err := json.Unmarshal(body, &nl); err != nil {
		return 0, "", err
	}
	ready := 0
	var summary []string
	for _, n := range nl.Items {
		isReady := false
		for _, cond := range n.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" {
				isReady = true
			}
		}
		tainted := false
		for _, t := range n.Spec.Taints {
			if t.Key == "node.kubernetes.io/not-ready" || t.Key == "node.kubernetes.io/unreachable" {
				tainted = true
			}
		}
		switch {
		case isReady && !tainted:
			ready++
			summary = append(summary, n.Metadata.Name+"=Ready")
		case isReady:
			summary = append(summary, n.Metadata.Name+"=Ready(tainted not-ready)")
		default:
			summary = append(summary, n.Metadata.Name+"=NotReady")
		}
	}
	return ready, strings.Join(summary, " "), nil
}
